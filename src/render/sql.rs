//! The SQL-literal modes: `insert` (`INSERT INTO t VALUES(…);`) and `quote`.
//!
//! They follow sqlite3 3.40.1's `MODE_Insert` and `MODE_Quote` cases of `shell_callback()`,
//! with the deliberate differences docs/compat.md lists: REALs use litesh's shortest
//! round-trip digits instead of 3.40.1's `%!.20g`, and `insert` writes text holding a NUL
//! byte whole (`CAST(X'…' AS TEXT)`) where 3.40.1 cuts it.

use std::io::{self, Write};

use super::{cut_nul, push_int, push_sql_literal, RenderOpts, Renderer};
use crate::exec::raw::Value;
use crate::format::{self, sql};

/// `insert` mode: `INSERT INTO table VALUES(…);` per row; with headers on, the column
/// names (quoted as identifiers when needed) follow the table name.
pub struct Insert<'o> {
    o: &'o RenderOpts,
    /// The row being written (kept to reuse its allocation).
    buf: Vec<u8>,
}

impl<'o> Insert<'o> {
    /// An insert renderer.
    pub fn new(o: &'o RenderOpts) -> Self {
        Insert {
            o,
            buf: Vec::with_capacity(256),
        }
    }
}

impl Renderer for Insert<'_> {
    fn row(
        &mut self,
        out: &mut dyn Write,
        names: &[Vec<u8>],
        vals: &[Value<'_>],
        _index: u64,
    ) -> io::Result<()> {
        let o = self.o;
        let buf = &mut self.buf;
        buf.clear();
        buf.extend_from_slice(b"INSERT INTO ");
        buf.extend_from_slice(&o.dest_table);
        if o.show_header {
            buf.push(b'(');
            for (i, n) in names.iter().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                sql::ident(buf, cut_nul(n));
            }
            buf.push(b')');
        }
        for (i, v) in vals.iter().enumerate() {
            buf.extend_from_slice(if i > 0 { b"," } else { b" VALUES(" });
            push_sql_literal(buf, v, o.raw_newlines);
        }
        buf.extend_from_slice(b");\n");
        out.write_all(buf)
    }
}

/// `quote` mode: every value as an SQL literal, joined by the column separator; the header
/// line holds the names as single-quoted strings.
///
/// As in 3.40.1: text is single-quoted with raw newlines (cut at a NUL byte, as 3.40.1's
/// C strings cut it), blobs `X'…'`, NULL `NULL`, and REALs take no `.0`/`1e999` rule of
/// their own: infinities show as `Inf`/`-Inf`, whole numbers as `%!.20g` lays them out
/// (`100.0`, `1.0e+20`), which [`format::real_sql`] reproduces.
pub struct Quote<'o> {
    o: &'o RenderOpts,
    /// The row being written (kept to reuse its allocation).
    buf: Vec<u8>,
}

impl<'o> Quote<'o> {
    /// A quote renderer.
    pub fn new(o: &'o RenderOpts) -> Self {
        Quote {
            o,
            buf: Vec::with_capacity(256),
        }
    }
}

/// Appends a REAL the way quote mode writes it.
fn push_quote_real(buf: &mut Vec<u8>, r: f64) {
    if r.is_infinite() {
        buf.extend_from_slice(if r > 0.0 { b"Inf" } else { b"-Inf" });
    } else {
        format::push_real_sql(buf, r);
    }
}

impl Renderer for Quote<'_> {
    fn row(
        &mut self,
        out: &mut dyn Write,
        names: &[Vec<u8>],
        vals: &[Value<'_>],
        index: u64,
    ) -> io::Result<()> {
        let o = self.o;
        let buf = &mut self.buf;
        buf.clear();
        if index == 0 && o.show_header {
            for (i, n) in names.iter().enumerate() {
                if i > 0 {
                    buf.extend_from_slice(&o.col_sep);
                }
                sql::quoted_string(buf, cut_nul(n));
            }
            buf.extend_from_slice(&o.row_sep);
        }
        for (i, v) in vals.iter().enumerate() {
            if i > 0 {
                buf.extend_from_slice(&o.col_sep);
            }
            match *v {
                Value::Null => buf.extend_from_slice(b"NULL"),
                Value::Integer(x) => push_int(buf, x),
                Value::Real(r) => push_quote_real(buf, r),
                Value::Text(t) => sql::quoted_string(buf, cut_nul(t)),
                Value::Blob(b) => sql::hex_blob(buf, b),
            }
        }
        buf.extend_from_slice(&o.row_sep);
        out.write_all(buf)
    }
}
