//! The layouts sqlite3 3.40.1 gives EXPLAIN statements on its own (`.explain auto`, the
//! default): an `EXPLAIN` listing in fixed-width columns with the loop bodies indented
//! (`MODE_Explain`, `explain_data_prepare()`), and an `EXPLAIN QUERY PLAN` as a tree
//! (`MODE_EQP`, `eqp_append()` / `eqp_render()`):
//!
//! ```text
//! QUERY PLAN
//! |--SCAN t
//! `--LIST SUBQUERY 2
//!    `--SCAN CONSTANT ROW
//! ```
//!
//! The opcodes of an EXPLAIN listing come from the SQLite library, whose bytecode differs
//! between versions (docs/compat.md); the layout is 3.40.1's.

use std::io::{self, Write};

use super::columnar::{push_width, strlen_char};
use super::{cut_nul, text_of, RenderOpts, Renderer};
use crate::exec::raw::Value;

/// The column names an EXPLAIN listing must have for sqlite3 to lay it out as one.
const EXPLAIN_COLS: [&[u8]; 8] = [
    b"addr", b"opcode", b"p1", b"p2", b"p3", b"p4", b"p5", b"comment",
];

/// True when a statement's columns are those of an EXPLAIN listing (sqlite3 checks the
/// count and the names before it indents).
pub fn is_explain_listing(names: &[Vec<u8>]) -> bool {
    names.len() == 8 && names.iter().zip(EXPLAIN_COLS).all(|(n, want)| n == want)
}

/// True when the statement text starts (after white space) with `explain`, any case.
pub fn starts_with_explain(sql: &[u8]) -> bool {
    let z = match sql
        .iter()
        .position(|c| !matches!(c, b' ' | b'\t' | b'\n' | 0x0c | b'\r'))
    {
        Some(i) => &sql[i..],
        None => return false,
    };
    z.len() >= 7 && z[..7].eq_ignore_ascii_case(b"explain")
}

/// One EXPLAIN row as `explain_data_prepare()` reads it.
pub struct Op<'a> {
    /// `addr`
    pub addr: i64,
    /// `opcode`
    pub opcode: &'a [u8],
    /// `p1`
    pub p1: i64,
    /// `p2`
    pub p2: i64,
}

/// sqlite3 3.40.1's indent rules for an EXPLAIN listing (`explain_data_prepare()`): for
/// each `Next`, `Prev`, `VPrev`, `VNext`, `SorterNext` or `Return` the opcodes from its P2
/// target up to it move 2 spaces right; likewise for a `Goto` back to a `Yield`, `SeekLT`,
/// `SeekGT`, `RowSetRead` or `Rewind`, or whose P1 is not 0.
pub fn explain_indents<'a>(ops: impl IntoIterator<Item = Op<'a>>) -> Vec<i32> {
    const NEXT: [&[u8]; 6] = [
        b"Next",
        b"Prev",
        b"VPrev",
        b"VNext",
        b"SorterNext",
        b"Return",
    ];
    const YIELD: [&[u8]; 5] = [b"Yield", b"SeekLT", b"SeekGT", b"RowSetRead", b"Rewind"];
    let mut indent: Vec<i32> = Vec::new();
    let mut is_yield: Vec<bool> = Vec::new();
    for (i_op, op) in ops.into_iter().enumerate() {
        let i_op = i_op as i64;
        let p2op = op.p2 + (i_op - op.addr);
        is_yield.push(YIELD.contains(&op.opcode));
        indent.push(0);
        let n = indent.len() as i64;
        if NEXT.contains(&op.opcode) && p2op > 0 {
            for x in indent.iter_mut().take(i_op as usize).skip(p2op as usize) {
                *x += 2;
            }
        }
        if op.opcode == b"Goto" && p2op < n && p2op >= 0 && (is_yield[p2op as usize] || op.p1 != 0)
        {
            for x in indent.iter_mut().take(i_op as usize).skip(p2op as usize) {
                *x += 2;
            }
        }
    }
    indent
}

/// Widths of the EXPLAIN columns (`aExplainWidth[]`).
const EXPLAIN_WIDTH: [i64; 8] = [4, 13, 4, 4, 4, 13, 2, 13];

/// The EXPLAIN listing layout: a header and dashes (always), then each row in the fixed
/// widths, a wider value widening its cell, the last column unpadded, opcodes indented.
pub struct Explain<'o> {
    o: &'o RenderOpts,
    indents: Option<Vec<i32>>,
    next: usize,
}

impl<'o> Explain<'o> {
    /// An EXPLAIN renderer with the indents from [`explain_indents`], if sqlite3 would have
    /// computed them.
    pub fn new(o: &'o RenderOpts, indents: Option<Vec<i32>>) -> Self {
        Explain {
            o,
            indents,
            next: 0,
        }
    }
}

impl Renderer for Explain<'_> {
    fn row(
        &mut self,
        out: &mut dyn Write,
        names: &[Vec<u8>],
        vals: &[Value<'_>],
        index: u64,
    ) -> io::Result<()> {
        let n = names.len().min(EXPLAIN_WIDTH.len());
        let mut buf = Vec::with_capacity(128);
        let sep = |i: usize| -> &'static [u8] {
            if i + 1 == n {
                b"\n"
            } else {
                b"  "
            }
        };
        if index == 0 {
            for (i, name) in names.iter().take(n).enumerate() {
                push_width(&mut buf, EXPLAIN_WIDTH[i], cut_nul(name));
                buf.extend_from_slice(sep(i));
            }
            for (i, w) in EXPLAIN_WIDTH.iter().take(n).enumerate() {
                buf.extend(std::iter::repeat_n(b'-', *w as usize));
                buf.extend_from_slice(sep(i));
            }
        }
        for (i, v) in vals.iter().take(n).enumerate() {
            let text = text_of(v);
            let z: &[u8] = match &text {
                Some(t) => t,
                None => &self.o.null_value,
            };
            let mut w = if i + 1 == n { 0 } else { EXPLAIN_WIDTH[i] };
            if text.is_some() && strlen_char(z) as i64 > w {
                w = strlen_char(z) as i64;
            }
            if i == 1 {
                if let Some(ind) = &self.indents {
                    if let Some(&k) = ind.get(self.next) {
                        buf.extend(std::iter::repeat_n(b' ', k.max(0) as usize));
                    }
                    self.next += 1;
                }
            }
            push_width(&mut buf, w, cut_nul(z));
            buf.extend_from_slice(sep(i));
        }
        out.write_all(&buf)
    }
}

/// One line of an EXPLAIN QUERY PLAN (`EQPGraphRow`).
struct EqpRow {
    id: i64,
    parent: i64,
    text: Vec<u8>,
}

/// The EXPLAIN QUERY PLAN tree: rows are collected, then drawn once the statement is done.
#[derive(Default)]
pub struct Eqp {
    rows: Vec<EqpRow>,
}

/// C's `atoi` on a value's text (32-bit, as sqlite3 reads the id columns).
fn atoi(v: &Value<'_>) -> i64 {
    let t = text_of(v).unwrap_or_default();
    let t: &[u8] = &t;
    let start = t
        .iter()
        .position(|c| !crate::exec::is_space(*c))
        .unwrap_or(t.len());
    let t = &t[start..];
    let (neg, digits) = match t.first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut n: i64 = 0;
    for c in digits.iter().take_while(|c| c.is_ascii_digit()) {
        n = n.wrapping_mul(10).wrapping_add(i64::from(c - b'0'));
    }
    let n = if neg { n.wrapping_neg() } else { n };
    i64::from(n as i32)
}

impl Eqp {
    /// `eqp_render_level()`: the children of `parent`, each with `|--` or `` `-- `` and its
    /// own children below it.
    fn level(&self, buf: &mut Vec<u8>, prefix: &mut Vec<u8>, parent: i64, from: usize) {
        let children: Vec<usize> = (from..self.rows.len())
            .filter(|&i| self.rows[i].parent == parent)
            .collect();
        for (k, &i) in children.iter().enumerate() {
            let last = k + 1 == children.len();
            buf.extend_from_slice(prefix);
            buf.extend_from_slice(if last { b"`--" } else { b"|--" });
            buf.extend_from_slice(&self.rows[i].text);
            buf.push(b'\n');
            // sqlite3's prefix buffer holds 100 bytes: it stops descending near the limit.
            if prefix.len() < 100 - 7 {
                let n = prefix.len();
                prefix.extend_from_slice(if last { b"   " } else { b"|  " });
                self.level(buf, prefix, self.rows[i].id, from);
                prefix.truncate(n);
            }
        }
    }
}

impl Renderer for Eqp {
    fn row(
        &mut self,
        _out: &mut dyn Write,
        _names: &[Vec<u8>],
        vals: &[Value<'_>],
        _index: u64,
    ) -> io::Result<()> {
        let Some(text) = vals.get(3).and_then(text_of) else {
            return Ok(());
        };
        self.rows.push(EqpRow {
            id: vals.first().map_or(0, atoi),
            parent: vals.get(1).map_or(0, atoi),
            text: text.into_owned(),
        });
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, _names: &[Vec<u8>]) -> io::Result<()> {
        let Some(first) = self.rows.first() else {
            return Ok(());
        };
        let mut buf = Vec::with_capacity(256);
        let from = if first.text.first() == Some(&b'-') {
            if self.rows.len() == 1 {
                return Ok(());
            }
            buf.extend_from_slice(first.text.get(3..).unwrap_or_default());
            buf.push(b'\n');
            1
        } else {
            buf.extend_from_slice(b"QUERY PLAN\n");
            0
        };
        let mut prefix = Vec::new();
        self.level(&mut buf, &mut prefix, 0, from);
        out.write_all(&buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_text_is_recognised() {
        assert!(starts_with_explain(b"  EXPLAIN select 1"));
        assert!(starts_with_explain(b"explain"));
        assert!(!starts_with_explain(b"/* x */ explain select 1"));
    }

    #[test]
    fn loops_are_indented() {
        // A loop body between Rewind and Next, and a Goto back to a Rewind.
        let ops = [
            (0, "Rewind", 0, 3),
            (1, "Column", 0, 0),
            (2, "Next", 0, 1),
            (3, "Halt", 0, 0),
            (4, "Goto", 0, 0),
        ];
        let v = explain_indents(ops.iter().map(|&(addr, op, p1, p2)| Op {
            addr,
            opcode: op.as_bytes(),
            p1,
            p2,
        }));
        assert_eq!(v, vec![2, 4, 2, 2, 0]);
    }

    #[test]
    fn query_plans_are_trees() {
        let mut e = Eqp::default();
        let rows: [(i64, i64, &str); 3] = [(2, 0, "SCAN t"), (5, 0, "LIST"), (7, 5, "SCAN c")];
        for (id, parent, text) in rows {
            e.rows.push(EqpRow {
                id,
                parent,
                text: text.as_bytes().to_vec(),
            });
        }
        let mut out = Vec::new();
        e.finish(&mut out, &[]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "QUERY PLAN\n|--SCAN t\n`--LIST\n   `--SCAN c\n"
        );
    }
}
