//! The plain streaming modes: `list` (also `tabs` and `ascii`, which are list with other
//! separators), `line`, and the undocumented `count` and `off`.
//!
//! Each mirrors its `case` in sqlite3 3.40.1's `shell_callback()` (and, for `count`,
//! `exec_prepared_stmt()`): values are shown as `sqlite3_column_text` gives them, cut at a
//! NUL byte, with the `.nullvalue` text for NULL.

use std::io::{self, Write};

use super::{cut_nul, push_joined, push_text, RenderOpts, Renderer};
use crate::exec::raw::Value;

/// `list` mode (and `tabs`, `ascii`): values joined by the column separator, each row ended
/// by the row separator; the header line, if on, before the first row.
pub struct List<'o> {
    o: &'o RenderOpts,
    /// The row being written (kept to reuse its allocation).
    buf: Vec<u8>,
}

impl<'o> List<'o> {
    /// A list renderer.
    pub fn new(o: &'o RenderOpts) -> Self {
        List {
            o,
            buf: Vec::with_capacity(256),
        }
    }
}

impl Renderer for List<'_> {
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
            push_joined(buf, names, &o.col_sep, &o.row_sep, |b, n| {
                b.extend_from_slice(cut_nul(n))
            });
        }
        push_joined(buf, vals, &o.col_sep, &o.row_sep, |b, v| {
            if !push_text(b, v) {
                b.extend_from_slice(&o.null_value)
            }
        });
        out.write_all(buf)
    }
}

/// `line` mode: one `name = value` line per column, names right-aligned to the longest
/// name (at least 5, counted in bytes as C's `%*s` counts), rows separated by an extra row
/// separator.
pub struct Line<'o> {
    o: &'o RenderOpts,
    /// The row being written (kept to reuse its allocation).
    buf: Vec<u8>,
}

impl<'o> Line<'o> {
    /// A line renderer.
    pub fn new(o: &'o RenderOpts) -> Self {
        Line {
            o,
            buf: Vec::with_capacity(256),
        }
    }
}

impl Renderer for Line<'_> {
    fn row(
        &mut self,
        out: &mut dyn Write,
        names: &[Vec<u8>],
        vals: &[Value<'_>],
        index: u64,
    ) -> io::Result<()> {
        let o = self.o;
        let w = names.iter().map(|n| cut_nul(n).len()).fold(5, usize::max);
        let buf = &mut self.buf;
        buf.clear();
        if index > 0 {
            buf.extend_from_slice(&o.row_sep);
        }
        for (n, v) in names.iter().zip(vals) {
            let n = cut_nul(n);
            buf.extend(std::iter::repeat_n(b' ', w.saturating_sub(n.len())));
            buf.extend_from_slice(n);
            buf.extend_from_slice(b" = ");
            if !push_text(buf, v) {
                buf.extend_from_slice(&o.null_value);
            }
            buf.extend_from_slice(&o.row_sep);
        }
        out.write_all(buf)
    }
}

/// `count` mode: nothing per row, then `N row` / `N rows` once the statement is done.
///
/// sqlite3 3.40.1 writes this line with `printf`, to the process's stdout even while
/// `.output` redirects results; litesh writes it where the results go.
#[derive(Default)]
pub struct Count {
    rows: u64,
}

impl Renderer for Count {
    fn row(
        &mut self,
        _out: &mut dyn Write,
        _names: &[Vec<u8>],
        _vals: &[Value<'_>],
        _index: u64,
    ) -> io::Result<()> {
        self.rows += 1;
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, _names: &[Vec<u8>]) -> io::Result<()> {
        let s = if self.rows != 1 { "s" } else { "" };
        writeln!(out, "{} row{s}", self.rows)
    }
}

/// `off` mode: no query output at all.
pub struct Off;

impl Renderer for Off {
    fn row(
        &mut self,
        _out: &mut dyn Write,
        _names: &[Vec<u8>],
        _vals: &[Value<'_>],
        _index: u64,
    ) -> io::Result<()> {
        Ok(())
    }
}
