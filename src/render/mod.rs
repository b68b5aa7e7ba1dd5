//! Renderers: turn result rows into bytes, one renderer per output mode.
//!
//! A renderer sees column names and typed values ([`Value`]) and writes to any `Write`; it
//! knows nothing of where its bytes go. Streaming modes (list, tabs, ascii, csv, html, tcl,
//! line, json, insert, quote) write each row as it comes; the columnar modes (column, table,
//! markdown, box, qbox) buffer a whole result to size their columns, as sqlite3 does.
//!
//! This module is the hub: the [`Mode`] enum, the settings every renderer reads
//! ([`RenderOpts`]), the [`Renderer`] trait and [`renderer`] / [`for_mode`], which pick the
//! renderer for a statement. Each group of modes lives in its own file:
//!
//! | file | modes |
//! |---|---|
//! | `list.rs` | list, tabs, ascii, line, count, off |
//! | `csv.rs` | csv |
//! | `markup.rs` | html, tcl, json |
//! | `sql.rs` | insert, quote |
//! | `columnar.rs` | column, table, markdown, box, qbox |
//! | `explain.rs` | the automatic EXPLAIN and EXPLAIN QUERY PLAN layouts |
//! | `pretty.rs` | pretty (litesh's own, not in sqlite3) |
//!
//! Every rule mirrors sqlite3 3.40.1's `shell_callback()` and
//! `exec_prepared_stmt_columnar()`; where litesh deliberately differs (REAL digits in
//! quote/json/insert, text holding NUL in insert) the renderer says so and docs/compat.md
//! lists it. `pretty` is litesh's addition for people at the prompt: it follows its own
//! rules (see `pretty.rs`), not sqlite3's bytes.

mod columnar;
mod csv;
mod explain;
mod list;
mod markup;
mod pretty;
mod sql;

use std::borrow::Cow;
use std::io::{self, Write};

use crate::exec::raw::Value;
use crate::format::{self, sql as sqlfmt};

pub use columnar::Columnar;
pub use csv::Csv;
pub use explain::{
    explain_indents, is_explain_listing, starts_with_explain, Eqp, Explain, Op as ExplainOp,
};
pub use list::{Count, Line, List, Off};
pub use markup::{push_c_string, Html, Json, Tcl};
pub use pretty::Pretty;
pub use sql::{Insert, Quote};

/// The output modes of sqlite3 3.40.1 (`.mode`), plus litesh's `pretty` and the internal
/// EXPLAIN layouts.
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
    /// `qbox`: box with `--quote`. sqlite3 3.40.1 stores `.mode qbox` as `box` with the quote
    /// option set, and `.mode` does the same; this variant renders as box + quote if set.
    Qbox,
    /// `quote`
    Quote,
    /// `table`
    Table,
    /// `tabs`: list with a TAB separator. `.mode tabs` stores `list` + `\t`, as sqlite3 does;
    /// this variant renders as list if set.
    Tabs,
    /// `tcl`
    Tcl,
    /// `count` (undocumented in 3.40.1's help, but accepted): only `N rows`.
    Count,
    /// `off` (undocumented in 3.40.1's help, but accepted): no query output.
    Off,
    /// `pretty`: litesh's own readable table for the prompt, drawn by comfy-table (not in
    /// sqlite3; see the `pretty` renderer's module doc for its rules).
    Pretty,
    /// The layout of an `EXPLAIN` listing (sqlite3's `MODE_Explain`).
    Explain,
    /// The tree of an `EXPLAIN QUERY PLAN` (sqlite3's `MODE_EQP`).
    Eqp,
}

impl Mode {
    /// The name `.mode` and `.show` use (sqlite3's `modeDescr[]`): `tabs` is `list` and
    /// `qbox` is `box` there, since sqlite3 stores them that way.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Ascii => "ascii",
            Mode::Box | Mode::Qbox => "box",
            Mode::Column => "column",
            Mode::Csv => "csv",
            Mode::Html => "html",
            Mode::Insert => "insert",
            Mode::Json => "json",
            Mode::Line => "line",
            Mode::List | Mode::Tabs => "list",
            Mode::Markdown => "markdown",
            Mode::Quote => "quote",
            Mode::Table => "table",
            Mode::Tcl => "tcl",
            Mode::Count => "count",
            Mode::Off => "off",
            Mode::Pretty => "pretty",
            Mode::Explain => "explain",
            Mode::Eqp => "eqp",
        }
    }

    /// The modes whose output is sized from the whole result (sqlite3's
    /// `exec_prepared_stmt_columnar` modes), which take `--wrap`, `--wordwrap`, `--quote`.
    pub fn is_columnar(self) -> bool {
        matches!(
            self,
            Mode::Column | Mode::Table | Mode::Markdown | Mode::Box | Mode::Qbox
        )
    }
}

/// Everything a renderer needs to know about the shell's settings.
#[derive(Debug, Clone)]
pub struct RenderOpts {
    /// Output mode.
    pub mode: Mode,
    /// `.headers on`
    pub show_header: bool,
    /// sqlite3's `SHFLG_HeaderSet`: headers were set explicitly (`.headers`, `-header`,
    /// `-noheader`), so `.mode column` leaves them alone instead of turning them on.
    pub header_set: bool,
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
    /// `.width`: requested column widths for the columnar modes (negative: right-align).
    pub col_widths: Vec<i32>,
    /// Columns of the last columnar result with rows: sqlite3 grows its `.width` list to that
    /// many entries (zeros), which `.show` then lists. Set by the columnar renderer.
    pub columnar_seen: std::cell::Cell<usize>,
    /// `.mode … --wrap N`: wrap columnar cells at N characters (0: never). sqlite3 starts
    /// with 0 (so `-column`/`-box` never wrap) and `.mode column` etc. set 60.
    pub wrap: i32,
    /// `.mode … --wordwrap on` / `--ww`: wrap at word boundaries.
    pub word_wrap: bool,
    /// `.mode … --quote` (and `qbox`): columnar cells as SQL literals.
    pub quote: bool,
    /// `.explain auto` (sqlite3's `autoExplain`, on at start-up): EXPLAIN and EXPLAIN QUERY
    /// PLAN statements get their own layouts whatever the mode.
    pub auto_explain: bool,
    /// The terminal's width in columns when stdout is a terminal, `None` otherwise. `pretty`
    /// mode fits its tables to it (no limit when `None`).
    pub term_width: Option<u16>,
    /// Whether colours and attributes (SGR escapes) may be written. Only `pretty` mode uses
    /// them; with this off, it writes no escape byte at all.
    pub color: bool,
    /// SGR parameters (as in `ESC [ … m`) for NULL cells in `pretty` mode, used only when
    /// [`RenderOpts::color`] is on. Default `2` (dim).
    pub null_style: String,
    /// SGR parameters for the header cells in `pretty` mode, used only when
    /// [`RenderOpts::color`] is on. Default `1` (bold).
    pub header_style: String,
}

impl Default for RenderOpts {
    /// sqlite3's start-up settings: list mode, `|` and newline, no headers.
    fn default() -> Self {
        RenderOpts {
            mode: Mode::List,
            show_header: false,
            header_set: false,
            col_sep: b"|".to_vec(),
            row_sep: b"\n".to_vec(),
            null_value: Vec::new(),
            dest_table: Vec::new(),
            raw_newlines: false,
            col_widths: Vec::new(),
            columnar_seen: std::cell::Cell::new(0),
            wrap: 0,
            word_wrap: false,
            quote: false,
            auto_explain: true,
            term_width: None,
            color: false,
            null_style: "2".to_string(),
            header_style: "1".to_string(),
        }
    }
}

/// `b` up to its first NUL byte: sqlite3 prints names and values as C strings.
pub fn cut_nul(b: &[u8]) -> &[u8] {
    match memchr::memchr(0, b) {
        Some(i) => &b[..i],
        None => b,
    }
}

/// Appends `items`, each through `push`, separated by `sep` and followed by `end`: the
/// line shape of list, csv and tcl modes (headers and rows alike).
pub fn push_joined<T>(
    buf: &mut Vec<u8>,
    items: &[T],
    sep: &[u8],
    end: &[u8],
    mut push: impl FnMut(&mut Vec<u8>, &T),
) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            buf.extend_from_slice(sep);
        }
        push(buf, item);
    }
    buf.extend_from_slice(end);
}

/// Appends an integer in decimal.
pub fn push_int(buf: &mut Vec<u8>, i: i64) {
    buf.extend_from_slice(itoa::Buffer::new().format(i).as_bytes());
}

/// Appends a value as `sqlite3_column_text` shows it in 3.40.1, cut at the first NUL byte
/// as sqlite3's C-string printing cuts it; appends nothing and returns false for NULL.
pub fn push_text(buf: &mut Vec<u8>, v: &Value<'_>) -> bool {
    match *v {
        Value::Null => return false,
        Value::Integer(i) => push_int(buf, i),
        Value::Real(r) => format::push_real_text(buf, r),
        Value::Text(t) | Value::Blob(t) => buf.extend_from_slice(cut_nul(t)),
    }
    true
}

/// A value as `sqlite3_column_text` shows it in 3.40.1, cut at the first NUL byte as
/// sqlite3's C-string printing cuts it. `None` for NULL.
pub fn text_of<'a>(v: &Value<'a>) -> Option<Cow<'a, [u8]>> {
    match *v {
        Value::Null => None,
        Value::Text(t) | Value::Blob(t) => Some(Cow::Borrowed(cut_nul(t))),
        Value::Integer(_) | Value::Real(_) => {
            let mut b = Vec::with_capacity(24);
            push_text(&mut b, v);
            Some(Cow::Owned(b))
        }
    }
}

/// Appends a value as an SQL literal, the way `insert` mode and `.dump` write it.
pub fn push_sql_literal(buf: &mut Vec<u8>, v: &Value<'_>, raw_newlines: bool) {
    match *v {
        Value::Null => buf.extend_from_slice(b"NULL"),
        Value::Integer(i) => push_int(buf, i),
        Value::Real(r) => format::push_real_dump(buf, r),
        Value::Text(t) if memchr::memchr(0, t).is_some() => sqlfmt::text_with_nul(buf, t),
        Value::Text(t) if raw_newlines => sqlfmt::quoted_string(buf, t),
        Value::Text(t) => sqlfmt::quoted_escaped_string(buf, t),
        Value::Blob(b) => sqlfmt::hex_blob(buf, b),
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
    /// Called once after the last row when there was at least one row (also when stepping
    /// stopped on an error: sqlite3 still shows what it had).
    fn finish(&mut self, _out: &mut dyn Write, _names: &[Vec<u8>]) -> io::Result<()> {
        Ok(())
    }
}

/// The renderer for a statement shown in mode `c_mode` (sqlite3's `cMode`: the shell's mode,
/// or [`Mode::Explain`] / [`Mode::Eqp`] for EXPLAIN statements). `indents` are the EXPLAIN
/// opcode indents from [`explain_indents`] (ignored by the other modes).
pub fn renderer(o: &RenderOpts, c_mode: Mode, indents: Option<Vec<i32>>) -> Box<dyn Renderer + '_> {
    match c_mode {
        Mode::List | Mode::Tabs | Mode::Ascii => Box::new(List::new(o)),
        Mode::Line => Box::new(Line::new(o)),
        Mode::Csv => Box::new(Csv::new(o)),
        Mode::Html => Box::new(Html::new(o)),
        Mode::Tcl => Box::new(Tcl::new(o)),
        Mode::Json => Box::new(Json::default()),
        Mode::Insert => Box::new(Insert::new(o)),
        Mode::Quote => Box::new(Quote::new(o)),
        Mode::Column | Mode::Table | Mode::Markdown | Mode::Box | Mode::Qbox => {
            Box::new(Columnar::new(o, c_mode))
        }
        Mode::Count => Box::new(Count::default()),
        Mode::Off => Box::new(Off),
        Mode::Pretty => Box::new(Pretty::new(o)),
        Mode::Explain => Box::new(Explain::new(o, indents)),
        Mode::Eqp => Box::new(Eqp::default()),
    }
}

/// The renderer for the shell's current mode.
pub fn for_mode(o: &RenderOpts) -> Box<dyn Renderer + '_> {
    renderer(o, o.mode, None)
}
