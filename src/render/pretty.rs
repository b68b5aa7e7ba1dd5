//! `.mode pretty`: a readable table for people at the prompt, drawn by comfy-table.
//!
//! This mode is litesh's own: sqlite3 3.40.1 has nothing like it, and it leaves the byte-exact
//! columnar modes (`columnar.rs`) alone. It never tries to match another program's bytes; it
//! tries to be easy to read and impossible to break. The rules:
//!
//! * **Frame.** comfy-table's `UTF8_FULL_CONDENSED` preset with rounded corners: `╭─┬─╮` on
//!   top, `│` outside, `┆` between columns, `╞═╪═╡` under the header, `╰─┴─╯` at the bottom,
//!   no rule between rows. One space of padding on each side of a cell.
//! * **Header.** Always shown (whatever `.headers` says), from the column names, centred; in
//!   [`RenderOpts::header_style`] when [`RenderOpts::color`] is on.
//! * **Width.** With [`RenderOpts::term_width`] set (stdout is a terminal) the table is laid
//!   out by comfy-table's `ContentArrangement::Dynamic` to fit that many columns, wrapping
//!   long cells at spaces (or inside a word when one does not fit). Without it (not a
//!   terminal) there is no width limit: each column is as wide as its widest cell.
//! * **Tall cells.** On a terminal a row shows at most [`MAX_ROW_LINES`] lines; a cell that
//!   needs more is cut and its last line ends in `…`. Off a terminal nothing is cut.
//! * **Display width.** Widths are terminal cells as `unicode-width` measures them: a CJK
//!   character or an emoji is 2, a combining mark 0; wrapping never splits a grapheme. A
//!   column is never narrower than 2 cells (room for one wide character). When even that
//!   does not fit the terminal, the table runs wider than it rather than lose its frame.
//! * **Alignment.** INTEGER and REAL values are right-aligned, everything else left-aligned.
//! * **Values.** INTEGERs in decimal; REALs as the text modes show them
//!   ([`crate::format::real_text`]); text as UTF-8, invalid bytes shown as `�` (and, unlike
//!   sqlite3's C strings, text is not cut at a NUL: the NUL is shown as `␀`); BLOBs of at most
//!   [`BLOB_FULL`] bytes as an SQL hex literal `x'0a1b'`, longer ones as their first
//!   [`BLOB_HEAD`] bytes and their size: `x'0001020304050607…' (1000 bytes)`.
//! * **NULL.** `.nullvalue`, when set to a non-empty text, is shown. Otherwise NULL is `NULL`
//!   in [`RenderOpts::null_style`] when colour is on (the style tells it from the text
//!   `'NULL'`), and `∅` when colour is off (a bare `NULL` could not be told from the text).
//!   With colour on, `.nullvalue`'s text is shown in `null_style` too.
//! * **Control characters** never reach the terminal raw and never break the frame. A line
//!   feed (or CR LF) is a line break inside the cell. The other C0 controls (TAB, CR, ESC…)
//!   and DEL are shown as their Unicode control pictures (`␉`, `␍`, `␛`, `␡`…, U+2400 on);
//!   C1 controls (U+0080–U+009F), the bidirectional embedding, override and isolate controls
//!   and the line and paragraph separators are shown as `\u{…}` escapes. Column names get the
//!   same treatment.
//! * **Colour.** With [`RenderOpts::color`] off the output holds no escape byte (0x1B) at all.
//!   With it on, only the header cells and NULL cells are styled, with the SGR parameter
//!   strings of `header_style` and `null_style` written as given (`ESC [ style m` … `ESC [ 0
//!   m`); a style that is empty or holds anything but digits, `;` and `:` is not used.
//! * **Streaming.** At most [`CHUNK_ROWS`] rows are held at once. The first chunk is laid out
//!   freely (within the terminal width); its column widths are then kept for every later
//!   chunk (comfy-table `ColumnConstraint::Absolute`), which is drawn without header and
//!   without the rules between chunks, so the whole result reads as one table whose columns
//!   line up. A wider cell in a later chunk wraps at the first chunk's width (off a terminal
//!   too).
//! * **Footer.** After the table, `(1 row)` or `(N rows)`. An empty result prints nothing, as
//!   sqlite3's own modes do.
//! * `.width`, `--wrap`, `--wordwrap` and `--quote` do not apply to this mode.

use std::io::{self, Write};

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{
    Attribute, Cell, CellAlignment, ColumnConstraint, ContentArrangement, Row, Table, Width,
};

use super::{RenderOpts, Renderer};
use crate::exec::raw::Value;

/// Rows held before a chunk is drawn.
pub const CHUNK_ROWS: usize = 1000;

/// Most display lines one row may take on a terminal; taller cells are cut and end in `…`.
pub const MAX_ROW_LINES: usize = 10;

/// BLOBs up to this many bytes are shown whole.
pub const BLOB_FULL: usize = 16;

/// How many leading bytes of a longer BLOB are shown.
pub const BLOB_HEAD: usize = 8;

/// The junction of the top border, between two columns.
const TOP_JUNCTION: char = '┬';

/// The narrowest a column may be, padding included: room for one double-width character, so
/// that a CJK character or an emoji in a later chunk still fits a column fixed by the first.
const MIN_COLUMN: u16 = 4;

/// The attribute comfy-table is told to put on header cells. It is a stand-in: its SGR
/// sequence is replaced by `header_style`'s in the drawn lines (nothing else in them can hold
/// an escape, since control characters in the data are shown as pictures).
const HEADER_MARK: Attribute = Attribute::Fraktur;
/// The SGR sequence crossterm writes for [`HEADER_MARK`].
const HEADER_MARK_SGR: &str = "\x1b[20m";
/// The stand-in attribute of NULL cells, replaced by `null_style`.
const NULL_MARK: Attribute = Attribute::Framed;
/// The SGR sequence crossterm writes for [`NULL_MARK`].
const NULL_MARK_SGR: &str = "\x1b[51m";

/// A style string usable as SGR parameters: non-empty, only digits, `;` and `:`.
fn usable_style(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_digit() || c == b';' || c == b':')
}

/// `text` made safe to show inside a table cell: line feeds (and CR LF) stay line breaks,
/// other control characters become visible (see the module doc).
pub fn visible_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push('\n'),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\u{0}'..='\u{1f}' => {
                // The control pictures: U+2400 + the control's code.
                out.push(char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{fffd}'));
            }
            '\u{7f}' => out.push('\u{2421}'),
            '\u{80}'..='\u{9f}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}' => {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// Bytes shown as text: UTF-8, invalid sequences as U+FFFD, controls made visible.
fn visible_bytes(b: &[u8]) -> String {
    visible_text(&String::from_utf8_lossy(b))
}

/// A BLOB as an SQL hex literal, or its head and size when longer than [`BLOB_FULL`].
pub fn blob_text(b: &[u8]) -> String {
    let shown = if b.len() > BLOB_FULL {
        &b[..BLOB_HEAD]
    } else {
        b
    };
    let mut s = String::with_capacity(shown.len() * 2 + 24);
    s.push_str("x'");
    for byte in shown {
        s.push_str(&format!("{byte:02x}"));
    }
    if b.len() > BLOB_FULL {
        s.push_str(&format!("…' ({} bytes)", b.len()));
    } else {
        s.push('\'');
    }
    s
}

/// The renderer of `.mode pretty`.
pub struct Pretty<'o> {
    o: &'o RenderOpts,
    /// The header row, built from the column names of the first row.
    header: Option<Row>,
    /// Rows not drawn yet (at most [`CHUNK_ROWS`]).
    pending: Vec<Row>,
    /// Column widths (padding included) fixed by the first chunk drawn.
    widths: Option<Vec<u16>>,
    /// The bottom border of the last chunk drawn, held back in case more rows follow.
    bottom: Option<String>,
    /// Rows seen.
    rows: u64,
}

impl<'o> Pretty<'o> {
    /// A pretty renderer reading the settings in `o`.
    pub fn new(o: &'o RenderOpts) -> Self {
        Pretty {
            o,
            header: None,
            pending: Vec::new(),
            widths: None,
            bottom: None,
            rows: 0,
        }
    }

    /// Whether `style` is to be used: colour is on and the style is well-formed.
    fn styled(&self, style: &str) -> bool {
        self.o.color && usable_style(style)
    }

    /// The header row for `names`.
    fn header_row(&self, names: &[Vec<u8>]) -> Row {
        let mark = self.styled(&self.o.header_style);
        let cells: Vec<Cell> = names
            .iter()
            .map(|n| {
                let cell = Cell::new(visible_bytes(n)).set_alignment(CellAlignment::Center);
                if mark {
                    cell.add_attribute(HEADER_MARK)
                } else {
                    cell
                }
            })
            .collect();
        Row::from(cells)
    }

    /// The cell showing `v`.
    fn cell(&self, v: &Value<'_>) -> Cell {
        match *v {
            Value::Null => {
                let text = if !self.o.null_value.is_empty() {
                    visible_bytes(&self.o.null_value)
                } else if self.o.color {
                    "NULL".to_string()
                } else {
                    "∅".to_string()
                };
                let cell = Cell::new(text);
                if self.styled(&self.o.null_style) {
                    cell.add_attribute(NULL_MARK)
                } else {
                    cell
                }
            }
            Value::Integer(i) => Cell::new(i).set_alignment(CellAlignment::Right),
            Value::Real(r) => {
                Cell::new(crate::format::real_text(r)).set_alignment(CellAlignment::Right)
            }
            Value::Text(t) => Cell::new(visible_bytes(t)),
            Value::Blob(b) => Cell::new(blob_text(b)),
        }
    }

    /// A table set up with the house style and colour settings, and no content.
    fn table(&self) -> Table {
        let mut t = Table::new();
        t.load_style(UTF8_FULL_CONDENSED.with_rounded_corners());
        // Never ask the real terminal anything: width and colour come from the settings.
        t.force_no_tty();
        if self.o.color {
            t.enforce_styling();
            t.style_text_only();
        }
        t.set_truncation_indicator("…");
        t
    }

    /// Draws the pending rows; `last` when no row follows.
    fn draw(&mut self, out: &mut dyn Write, last: bool) -> io::Result<()> {
        let first = self.widths.is_none();
        let mut t = self.table();
        let ncol = self.header.as_ref().map_or(0, Row::cell_count);
        if first {
            if let Some(h) = self.header.take() {
                t.set_header(h);
            }
        }
        let line_cap = self.o.term_width.is_some();
        for mut row in self.pending.drain(..) {
            if line_cap {
                row.max_height(MAX_ROW_LINES);
            }
            t.add_row(row);
        }
        match &self.widths {
            None => {
                if let Some(w) = self.o.term_width {
                    t.set_content_arrangement(ContentArrangement::Dynamic);
                    t.set_width(w);
                }
                t.set_constraints(std::iter::repeat_n(
                    ColumnConstraint::LowerBoundary(Width::Fixed(MIN_COLUMN)),
                    ncol,
                ));
            }
            Some(widths) => {
                t.set_constraints(
                    widths
                        .iter()
                        .map(|&w| ColumnConstraint::Absolute(Width::Fixed(w))),
                );
            }
        }
        let mut lines: Vec<String> = t.lines().collect();
        if first {
            if let Some(top) = lines.first() {
                self.widths = Some(widths_from_top_border(top));
            }
        } else if !lines.is_empty() {
            // The top border: the previous chunk's rows continue here.
            lines.remove(0);
        }
        let bottom = if last { None } else { lines.pop() };
        let header_sgr = format!("\x1b[{}m", self.o.header_style);
        let null_sgr = format!("\x1b[{}m", self.o.null_style);
        let mut buf = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
        for line in &lines {
            if self.o.color {
                let line = line
                    .replace(HEADER_MARK_SGR, &header_sgr)
                    .replace(NULL_MARK_SGR, &null_sgr);
                buf.push_str(&line);
            } else {
                buf.push_str(line);
            }
            buf.push('\n');
        }
        out.write_all(buf.as_bytes())?;
        self.bottom = bottom;
        Ok(())
    }
}

/// The widths of the columns, padding included, read off a drawn top border `╭──┬───╮`.
fn widths_from_top_border(top: &str) -> Vec<u16> {
    let chars: Vec<char> = top.chars().collect();
    if chars.len() < 2 {
        return Vec::new();
    }
    chars[1..chars.len() - 1]
        .split(|&c| c == TOP_JUNCTION)
        .map(|seg| u16::try_from(seg.len()).unwrap_or(u16::MAX))
        .collect()
}

impl Renderer for Pretty<'_> {
    fn row(
        &mut self,
        out: &mut dyn Write,
        names: &[Vec<u8>],
        vals: &[Value<'_>],
        index: u64,
    ) -> io::Result<()> {
        if index == 0 {
            self.header = Some(self.header_row(names));
        }
        let cells: Vec<Cell> = vals.iter().map(|v| self.cell(v)).collect();
        self.pending.push(Row::from(cells));
        self.rows += 1;
        if self.pending.len() >= CHUNK_ROWS {
            self.draw(out, false)?;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, _names: &[Vec<u8>]) -> io::Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        if !self.pending.is_empty() {
            self.draw(out, true)?;
        } else if let Some(b) = self.bottom.take() {
            out.write_all(b.as_bytes())?;
            out.write_all(b"\n")?;
        }
        let footer = if self.rows == 1 {
            "(1 row)\n".to_string()
        } else {
            format!("({} rows)\n", self.rows)
        };
        out.write_all(footer.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    /// Renders `rows` (all with the column names `names`) in pretty mode with `o`.
    fn render(o: &RenderOpts, names: &[&str], rows: &[Vec<Value<'_>>]) -> String {
        let names: Vec<Vec<u8>> = names.iter().map(|n| n.as_bytes().to_vec()).collect();
        let mut out = Vec::new();
        let mut r = Pretty::new(o);
        for (i, row) in rows.iter().enumerate() {
            r.row(&mut out, &names, row, i as u64).unwrap();
        }
        if !rows.is_empty() {
            r.finish(&mut out, &names).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    /// The lines of the table itself, without the footer.
    fn table_lines(s: &str) -> Vec<&str> {
        s.lines().filter(|l| !l.starts_with('(')).collect()
    }

    fn plain() -> RenderOpts {
        RenderOpts::default()
    }

    fn coloured() -> RenderOpts {
        RenderOpts {
            color: true,
            ..RenderOpts::default()
        }
    }

    fn text(s: &str) -> Value<'_> {
        Value::Text(s.as_bytes())
    }

    /// Every line of the table has the same display width.
    fn assert_aligned(s: &str) {
        let lines = table_lines(s);
        let w = lines[0].width();
        for l in &lines {
            assert_eq!(l.width(), w, "misaligned line {l:?} in\n{s}");
        }
    }

    #[test]
    fn a_small_table() {
        let s = render(
            &plain(),
            &["id", "name"],
            &[vec![Value::Integer(1), text("ab")]],
        );
        assert_eq!(
            s,
            "╭────┬──────╮\n\
             │ id ┆ name │\n\
             ╞════╪══════╡\n\
             │  1 ┆ ab   │\n\
             ╰────┴──────╯\n\
             (1 row)\n"
        );
    }

    #[test]
    fn cjk_emoji_and_combining_marks_line_up() {
        let rows = vec![
            vec![text("日本語"), text("a"), Value::Integer(1)],
            vec![text("e\u{301}te\u{301}"), text("😀😀"), Value::Integer(22)],
            vec![text("x"), text("中文字符测试"), Value::Integer(333)],
        ];
        let s = render(&plain(), &["名前", "b", "n"], &rows);
        assert_aligned(&s);
        assert!(s.contains("日本語"));
        // With a terminal width the wrapped CJK lines still line up.
        let o = RenderOpts {
            term_width: Some(20),
            ..RenderOpts::default()
        };
        let long = "中文字符测试".repeat(5);
        let s = render(
            &o,
            &["名前", "b"],
            &[vec![text(&long), text("日本語 日本語")]],
        );
        assert_aligned(&s);
        for l in table_lines(&s) {
            assert!(l.width() <= 20, "{l:?}");
        }
    }

    #[test]
    fn the_table_fits_40_columns() {
        let o = RenderOpts {
            term_width: Some(40),
            ..RenderOpts::default()
        };
        let long = "the quick brown fox jumps over the lazy dog ".repeat(3);
        let rows = vec![vec![Value::Integer(1), text(&long), text("short")]];
        let s = render(&o, &["id", "description", "tag"], &rows);
        assert_aligned(&s);
        let lines = table_lines(&s);
        for l in &lines {
            assert!(l.width() <= 40, "{l:?} is wider than 40");
        }
        // The long cell was wrapped over several lines, not cut.
        assert!(lines.len() > 5, "{s}");
        assert!(s.contains("lazy"));
        // Without a terminal width nothing wraps.
        let s = render(&plain(), &["id", "description", "tag"], &rows);
        assert_eq!(table_lines(&s).len(), 5);
        assert!(table_lines(&s)[0].width() > 130);
    }

    #[test]
    fn a_terminal_too_narrow_for_the_table_still_gives_a_whole_frame() {
        let o = RenderOpts {
            term_width: Some(10),
            ..RenderOpts::default()
        };
        let row = vec![
            text("日本語のテキスト"),
            text("hello world"),
            Value::Integer(1234567),
            Value::Null,
            text("😀 emoji"),
        ];
        let s = render(&o, &["a", "bb", "ccc", "dddd", "eeeee"], &[row]);
        assert_aligned(&s);
        assert!(s.contains('😀'));
    }

    #[test]
    fn tall_cells_are_cut_on_a_terminal_only() {
        let tall: String = (0..30).map(|i| format!("line{i}\n")).collect();
        let o = RenderOpts {
            term_width: Some(80),
            ..RenderOpts::default()
        };
        let s = render(&o, &["t"], &[vec![text(&tall)]]);
        // top, header, separator, MAX_ROW_LINES body lines, bottom.
        assert_eq!(table_lines(&s).len(), 4 + MAX_ROW_LINES, "{s}");
        assert!(s.contains("line9…"), "{s}");
        assert!(!s.contains("line10"));
        let s = render(&plain(), &["t"], &[vec![text(&tall)]]);
        assert!(s.contains("line29"));
    }

    #[test]
    fn numbers_are_right_aligned_and_text_left() {
        let rows = vec![
            vec![Value::Integer(1), Value::Real(2.5), text("a")],
            vec![Value::Integer(12345), Value::Real(100.0), text("abcdef")],
        ];
        let s = render(&plain(), &["n", "r", "t"], &rows);
        let lines = table_lines(&s);
        assert_eq!(lines[3], "│     1 ┆   2.5 ┆ a      │");
        assert_eq!(lines[4], "│ 12345 ┆ 100.0 ┆ abcdef │");
    }

    #[test]
    fn reals_are_shown_as_the_text_modes_show_them() {
        let rows = vec![vec![Value::Real(1e15), Value::Real(1.0 / 3.0)]];
        let s = render(&plain(), &["a", "b"], &rows);
        assert!(s.contains("1.0e+15"), "{s}");
        assert!(s.contains("0.333333333333333"), "{s}");
    }

    #[test]
    fn blobs_are_hex_literals_or_summaries() {
        assert_eq!(blob_text(&[0x0a, 0x1b]), "x'0a1b'");
        assert_eq!(blob_text(&[]), "x''");
        assert_eq!(blob_text(&[0xff; 16]), format!("x'{}'", "ff".repeat(16)));
        let long: Vec<u8> = (0..100).collect();
        assert_eq!(blob_text(&long), "x'0001020304050607…' (100 bytes)");
        let s = render(&plain(), &["b"], &[vec![Value::Blob(&[0x0a, 0x1b])]]);
        assert!(s.contains("│ x'0a1b' │"), "{s}");
    }

    #[test]
    fn null_without_colour_is_not_the_text_null() {
        let rows = vec![vec![Value::Null, text("NULL")]];
        let s = render(&plain(), &["a", "b"], &rows);
        assert!(s.contains("│ ∅  ┆ NULL │"), "{s}");
        assert!(!s.contains('\x1b'));
        // .nullvalue wins.
        let o = RenderOpts {
            null_value: b"(nil)".to_vec(),
            ..RenderOpts::default()
        };
        let s = render(&o, &["a"], &[vec![Value::Null]]);
        assert!(s.contains("│ (nil) │"), "{s}");
    }

    #[test]
    fn null_and_header_with_colour_use_their_styles() {
        let rows = vec![vec![Value::Null, text("NULL")]];
        let s = render(&coloured(), &["a", "b"], &rows);
        assert!(s.contains("\x1b[2mNULL\x1b[0m"), "{s:?}");
        assert!(s.contains("\x1b[1ma\x1b[0m"), "{s:?}");
        // The text 'NULL' is not styled.
        assert_eq!(s.matches("NULL").count(), 2);
        assert_eq!(s.matches("\x1b[2m").count(), 1);
        // Other styles are written as given; ill-formed ones are not used.
        let o = RenderOpts {
            null_style: "38;5;244".into(),
            header_style: "1;4".into(),
            ..coloured()
        };
        let s = render(&o, &["a"], &[vec![Value::Null]]);
        assert!(s.contains("\x1b[38;5;244mNULL\x1b[0m"), "{s:?}");
        assert!(s.contains("\x1b[1;4ma\x1b[0m"), "{s:?}");
        let o = RenderOpts {
            null_style: "2m\x1b]0;x".into(),
            header_style: String::new(),
            ..coloured()
        };
        let s = render(&o, &["a"], &[vec![Value::Null]]);
        assert!(!s.contains('\x1b'), "{s:?}");
        assert!(s.contains("│ NULL │"), "{s:?}");
    }

    #[test]
    fn no_escape_byte_without_colour() {
        let rows = vec![
            vec![
                text("\x1b[31mred\x1b[0m"),
                Value::Null,
                Value::Blob(b"\x1b"),
            ],
            vec![text("\u{9b}31m"), text("a\x07b"), Value::Integer(1)],
        ];
        let names = ["\x1b[1mname", "b", "c"];
        let s = render(&plain(), &names, &rows);
        assert!(!s.as_bytes().contains(&0x1b), "{s:?}");
        assert!(!s.contains('\u{9b}'), "{s:?}");
        assert_aligned(&s);
        // With colour, the only escapes are the styles'.
        let s = render(&coloured(), &names, &rows);
        let escapes = s.matches('\x1b').count();
        // Three header cells and one NULL, each opened and reset.
        assert_eq!(escapes, 8, "{s:?}");
    }

    #[test]
    fn control_characters_are_visible() {
        assert_eq!(visible_text("a\tb"), "a␉b");
        assert_eq!(visible_text("a\x1b[0m"), "a␛[0m");
        assert_eq!(visible_text("a\r\nb"), "a\nb");
        assert_eq!(visible_text("a\rb"), "a␍b");
        assert_eq!(visible_text("\0\x7f"), "␀␡");
        assert_eq!(visible_text("\u{85}\u{202e}x"), "\\u{85}\\u{202e}x");
        assert_eq!(visible_text("日本 e\u{301}"), "日本 e\u{301}");
        let rows = vec![vec![text("one\ntwo\tthree"), Value::Text(b"a\0b\xff")]];
        let s = render(&plain(), &["x", "y"], &rows);
        assert_aligned(&s);
        let lines = table_lines(&s);
        assert_eq!(lines[3], "│ one       ┆ a␀b� │");
        assert_eq!(lines[4], "│ two␉three ┆      │");
    }

    #[test]
    fn names_with_newlines_stay_inside_the_frame() {
        let s = render(
            &plain(),
            &["a\nb", "c\td"],
            &[vec![Value::Integer(1), text("x")]],
        );
        assert_aligned(&s);
        assert!(s.contains("c␉d"));
    }

    #[test]
    fn long_results_are_drawn_in_chunks_that_line_up() {
        let words: Vec<String> = (0..2500).map(|i| "w".repeat(i % 37)).collect();
        let rows: Vec<Vec<Value<'_>>> = (0..2500)
            .map(|i| {
                vec![
                    Value::Integer(1_000_000 + i as i64),
                    text(&words[i]),
                    if i % 7 == 0 {
                        Value::Null
                    } else {
                        Value::Real(i as f64 / 8.0)
                    },
                ]
            })
            .collect();
        for o in [
            plain(),
            RenderOpts {
                term_width: Some(40),
                ..RenderOpts::default()
            },
        ] {
            let s = render(&o, &["n", "word", "r"], &rows);
            assert_aligned(&s);
            let lines = table_lines(&s);
            assert_eq!(lines.iter().filter(|l| l.contains('╞')).count(), 1);
            assert_eq!(lines.iter().filter(|l| l.contains('╭')).count(), 1);
            assert_eq!(lines.iter().filter(|l| l.contains('╰')).count(), 1);
            assert_eq!(lines.iter().filter(|l| l.contains("word")).count(), 1);
            assert!(lines[0].starts_with('╭'));
            assert!(lines[lines.len() - 1].starts_with('╰'));
            assert!(s.ends_with("\n(2500 rows)\n"));
            // Every row is there.
            assert!(s.contains(" 1002499 "));
        }
    }

    #[test]
    fn a_chunk_boundary_at_the_very_end_still_closes_the_table() {
        let rows: Vec<Vec<Value<'_>>> = (0..CHUNK_ROWS * 2)
            .map(|i| vec![Value::Integer(10_000 + i as i64)])
            .collect();
        let s = render(&plain(), &["n"], &rows);
        assert_aligned(&s);
        let lines = table_lines(&s);
        assert!(lines[lines.len() - 1].starts_with('╰'));
        assert_eq!(lines.len(), CHUNK_ROWS * 2 + 4);
    }

    #[test]
    fn later_chunks_wrap_wide_cells_at_the_first_chunks_widths() {
        let mut rows: Vec<Vec<Value<'_>>> = (0..CHUNK_ROWS).map(|_| vec![text("")]).collect();
        rows.push(vec![text("日本語 and a much longer text")]);
        rows.push(vec![Value::Integer(123456)]);
        let s = render(&plain(), &[""], &rows);
        assert_aligned(&s);
        assert!(s.contains("│ 日 │"), "{s}");
        // A number too wide for its column wraps too: nothing is lost.
        assert!(s.contains("│ 12 │\n│ 34 │\n│ 56 │"), "{s}");
    }

    #[test]
    fn an_empty_result_prints_nothing() {
        let mut out = Vec::new();
        let o = plain();
        let mut r = Pretty::new(&o);
        r.finish(&mut out, &[b"a".to_vec()]).unwrap();
        assert!(out.is_empty());
    }

    /// A writer that always fails.
    struct Broken;

    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::BrokenPipe, "broken"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn write_errors_propagate() {
        let o = plain();
        let mut r = Pretty::new(&o);
        let names = [b"a".to_vec()];
        r.row(&mut Broken, &names, &[Value::Integer(1)], 0).unwrap();
        let e = r.finish(&mut Broken, &names).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::BrokenPipe);
        let mut r = Pretty::new(&o);
        let mut failed = false;
        for i in 0..CHUNK_ROWS as u64 {
            if r.row(&mut Broken, &names, &[Value::Integer(1)], i).is_err() {
                failed = true;
            }
        }
        assert!(failed);
    }
}
