//! Renderers: turn result rows into bytes, one renderer per output mode.
//!
//! A renderer sees column names and typed values ([`Value`]) and writes to any `Write`; it
//! knows nothing of where its bytes go. Streaming modes write each row as it comes;
//! columnar modes may buffer a result, as sqlite3 does.

use std::borrow::Cow;
use std::io::{self, Write};

use crate::exec::raw::Value;
use crate::format::{self, sql};

/// The output modes of sqlite3 3.40.1 (`.mode`), plus the internal EXPLAIN layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `ascii`
    Ascii,
    /// `box`
    Box,
    /// `column`
    Column,
    /// `csv`
    Csv,
    /// `html`
    Html,
    /// `insert`
    Insert,
    /// `json`
    Json,
    /// `line`
    Line,
    /// `list`
    List,
    /// `markdown`
    Markdown,
    /// `qbox`
    Qbox,
    /// `quote`
    Quote,
    /// `table`
    Table,
    /// `tabs`
    Tabs,
    /// `tcl`
    Tcl,
}

impl Mode {
    /// The name `.mode` and `.show` use.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Ascii => "ascii",
            Mode::Box => "box",
            Mode::Column => "column",
            Mode::Csv => "csv",
            Mode::Html => "html",
            Mode::Insert => "insert",
            Mode::Json => "json",
            Mode::Line => "line",
            Mode::List => "list",
            Mode::Markdown => "markdown",
            Mode::Qbox => "qbox",
            Mode::Quote => "quote",
            Mode::Table => "table",
            Mode::Tabs => "tabs",
            Mode::Tcl => "tcl",
        }
    }
}

/// Everything a renderer needs to know about the shell's settings.
#[derive(Debug, Clone)]
pub struct RenderOpts {
    /// Output mode.
    pub mode: Mode,
    /// `.headers on`
    pub show_header: bool,
    /// Column separator.
    pub col_sep: Vec<u8>,
    /// Row separator.
    pub row_sep: Vec<u8>,
    /// Text shown for NULL.
    pub null_value: Vec<u8>,
    /// Table name for `insert` mode (already quoted, with an optional column list).
    pub dest_table: Vec<u8>,
    /// `.dump --newlines`: keep newlines raw inside text literals.
    pub raw_newlines: bool,
}

impl Default for RenderOpts {
    /// sqlite3's start-up settings: list mode, `|` and newline, no headers.
    fn default() -> Self {
        RenderOpts {
            mode: Mode::List,
            show_header: false,
            col_sep: b"|".to_vec(),
            row_sep: b"\n".to_vec(),
            null_value: Vec::new(),
            dest_table: Vec::new(),
            raw_newlines: false,
        }
    }
}

/// A value as `sqlite3_column_text` shows it in 3.40.1, cut at the first NUL byte as
/// sqlite3's C-string printing cuts it. `None` for NULL.
pub fn text_of<'a>(v: &Value<'a>) -> Option<Cow<'a, [u8]>> {
    fn cut(b: &[u8]) -> &[u8] {
        match b.iter().position(|&c| c == 0) {
            Some(i) => &b[..i],
            None => b,
        }
    }
    match *v {
        Value::Null => None,
        Value::Integer(i) => Some(Cow::Owned(i.to_string().into_bytes())),
        Value::Real(r) => Some(Cow::Owned(format::real_text(r).into_bytes())),
        Value::Text(t) => Some(Cow::Borrowed(cut(t))),
        Value::Blob(b) => Some(Cow::Borrowed(cut(b))),
    }
}

/// Appends a value as an SQL literal, the way `insert` mode and `.dump` write it.
pub fn push_sql_literal(buf: &mut Vec<u8>, v: &Value<'_>, raw_newlines: bool) {
    match *v {
        Value::Null => buf.extend_from_slice(b"NULL"),
        Value::Integer(i) => buf.extend_from_slice(i.to_string().as_bytes()),
        Value::Real(r) => buf.extend_from_slice(format::real_dump(r).as_bytes()),
        Value::Text(t) if t.contains(&0) => sql::text_with_nul(buf, t),
        Value::Text(t) if raw_newlines => sql::quoted_string(buf, t),
        Value::Text(t) => sql::quoted_escaped_string(buf, t),
        Value::Blob(b) => sql::hex_blob(buf, b),
    }
}

/// Renders one statement's rows.
pub trait Renderer {
    /// Called for every row; `index` counts rows from 0.
    fn row(
        &mut self,
        out: &mut dyn Write,
        names: &[Vec<u8>],
        vals: &[Value<'_>],
        index: u64,
    ) -> io::Result<()>;
    /// Called once after the last row when there was at least one row.
    fn finish(&mut self, _out: &mut dyn Write, _names: &[Vec<u8>]) -> io::Result<()> {
        Ok(())
    }
}

/// `list` mode (and the modes that are list with other separators: `tabs`, `ascii`).
pub struct List<'o>(pub &'o RenderOpts);

impl Renderer for List<'_> {
    fn row(
        &mut self,
        out: &mut dyn Write,
        names: &[Vec<u8>],
        vals: &[Value<'_>],
        index: u64,
    ) -> io::Result<()> {
        let o = self.0;
        let mut buf = Vec::with_capacity(64);
        if index == 0 && o.show_header {
            for (i, n) in names.iter().enumerate() {
                buf.extend_from_slice(cut_nul(n));
                buf.extend_from_slice(if i + 1 == names.len() {
                    &o.row_sep
                } else {
                    &o.col_sep
                });
            }
        }
        for (i, v) in vals.iter().enumerate() {
            match text_of(v) {
                Some(t) => buf.extend_from_slice(&t),
                None => buf.extend_from_slice(&o.null_value),
            }
            buf.extend_from_slice(if i + 1 == vals.len() {
                &o.row_sep
            } else {
                &o.col_sep
            });
        }
        out.write_all(&buf)
    }
}

/// `insert` mode: `INSERT INTO table VALUES(…);` per row.
pub struct Insert<'o>(pub &'o RenderOpts);

impl Renderer for Insert<'_> {
    fn row(
        &mut self,
        out: &mut dyn Write,
        names: &[Vec<u8>],
        vals: &[Value<'_>],
        _index: u64,
    ) -> io::Result<()> {
        let o = self.0;
        let mut buf = Vec::with_capacity(64);
        buf.extend_from_slice(b"INSERT INTO ");
        buf.extend_from_slice(&o.dest_table);
        if o.show_header {
            buf.push(b'(');
            for (i, n) in names.iter().enumerate() {
                if i > 0 {
                    buf.push(b',');
                }
                sql::ident(&mut buf, n);
            }
            buf.push(b')');
        }
        for (i, v) in vals.iter().enumerate() {
            buf.extend_from_slice(if i > 0 { b"," } else { b" VALUES(" });
            push_sql_literal(&mut buf, v, o.raw_newlines);
        }
        buf.extend_from_slice(b");\n");
        out.write_all(&buf)
    }
}

fn cut_nul(b: &[u8]) -> &[u8] {
    match b.iter().position(|&c| c == 0) {
        Some(i) => &b[..i],
        None => b,
    }
}

/// The renderer for a mode. Modes that have no renderer of their own yet fall back to list.
pub fn for_mode(o: &RenderOpts) -> Box<dyn Renderer + '_> {
    match o.mode {
        Mode::Insert => Box::new(Insert(o)),
        _ => Box::new(List(o)),
    }
}
