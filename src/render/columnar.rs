//! The columnar modes: `column`, `table`, `markdown`, `box` and `qbox` (box with `--quote`).
//!
//! A port of sqlite3 3.40.1's `exec_prepared_stmt_columnar()`: the whole result is buffered
//! (its rows turned into display lines at once, as sqlite3 does), then each column is as wide
//! as its widest cell or its `.width`, whichever is more. Rules that mirror 3.40.1:
//!
//! * Widths count characters the way `strlenChar()` does — every byte that is not a UTF-8
//!   continuation byte — not terminal cells: a CJK character or an emoji counts as one.
//! * Cells are cut into lines by `translateForDisplayAndDup()`: a line ends at LF, CR, CRLF
//!   or any other control character, TABs expand to the next multiple of 8, and lines wrap at
//!   the column's `.width` or else at `--wrap N` (0: never), optionally at a word boundary.
//! * `column` shows the header (and a dashed rule) only with headers on; `table`, `markdown`
//!   and `box` always do, centred. A negative `.width` right-aligns a column.
//! * When some row spans several lines, `table` and `box` draw a rule between rows and
//!   `column` leaves a blank line; `markdown` draws nothing.
//! * With `--quote`, cells are SQL literals (`quoted_column()`): `'text'`, `x'…'`, `NULL`,
//!   numbers as text (REALs with 15 digits).
//!
//! comfy-table, the house table renderer, cannot produce these bytes: it measures display
//! width (a CJK character is 2 cells where sqlite3 counts 1), draws row rules for all rows or
//! none (sqlite3 draws them only when a row spans lines), and has no notion of `column`
//! mode's padded last column, blank-line row breaks or `translateForDisplayAndDup`'s wrapping
//! and control-character rules. So this module writes the bytes itself.

use std::io::{self, Write};

use super::{cut_nul, push_text, Mode, RenderOpts, Renderer};
use crate::exec::raw::Value;

/// `─`
const BOX_24: &str = "\u{2500}";
/// `│`
const BOX_13: &str = "\u{2502}";
/// `┌`
const BOX_23: &str = "\u{250c}";
/// `┐`
const BOX_34: &str = "\u{2510}";
/// `└`
const BOX_12: &str = "\u{2514}";
/// `┘`
const BOX_14: &str = "\u{2518}";
/// `├`
const BOX_123: &str = "\u{251c}";
/// `┤`
const BOX_134: &str = "\u{2524}";
/// `┬`
const BOX_234: &str = "\u{252c}";
/// `┴`
const BOX_124: &str = "\u{2534}";
/// `┼`
const BOX_1234: &str = "\u{253c}";

/// Byte `i` of a C string, 0 past its end.
fn at(z: &[u8], i: usize) -> u8 {
    z.get(i).copied().unwrap_or(0)
}

/// C's `isspace` in the C locale.
fn c_isspace(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// sqlite3's `strlenChar()`: the number of bytes that are not UTF-8 continuation bytes.
pub fn strlen_char(z: &[u8]) -> usize {
    z.iter().filter(|&&c| c & 0xc0 != 0x80).count()
}

/// sqlite3 3.40.1's `translateForDisplayAndDup()`: appends the first display line of `z`
/// to `out` (at most `max_width` characters, 0 meaning no limit; TABs expanded). Returns
/// the line's width in characters (as [`strlen_char`] counts them) and where the rest of
/// the text starts in `z`, if any.
pub fn translate_into(
    out: &mut Vec<u8>,
    z: &[u8],
    max_width: i32,
    word_wrap: bool,
) -> (usize, Option<usize>) {
    let mx = match max_width.unsigned_abs() as usize {
        0 => 1_000_000,
        m => m,
    };
    if let Some(n) = one_line(z, mx) {
        out.extend_from_slice(z);
        return (n, None);
    }
    let start = out.len();
    let rest = translate_slow(out, z, mx, word_wrap);
    (strlen_char(&out[start..]), rest)
}

/// Most cells are one line that fits: no control character (a NUL ends the text for C, so
/// that is one too) and fewer than `mx` characters as the loop of `translateForDisplayAndDup`
/// counts them (a continuation byte that starts the text is one more character than
/// strlenChar counts). The loop then takes the text whole; this says so, and gives its
/// strlenChar width, without looking further than `mx` characters into `z` (a long text is
/// cut into many lines, each from what the one before left).
fn one_line(z: &[u8], mx: usize) -> Option<usize> {
    let lead = usize::from(z.first().is_some_and(|&c| c & 0xc0 == 0x80));
    let mut n = lead;
    let mut chunks = z.chunks_exact(16);
    for chunk in &mut chunks {
        // Whole chunks without early exits, which the compiler turns into vector code.
        let control = chunk.iter().fold(false, |a, &c| a | (c < b' '));
        n += chunk.iter().filter(|&&c| c & 0xc0 != 0x80).count();
        if control || n >= mx {
            return None;
        }
    }
    for &c in chunks.remainder() {
        if c < b' ' {
            return None;
        }
        n += usize::from(c & 0xc0 != 0x80);
    }
    (n < mx).then(|| n - lead)
}

/// The loop of `translateForDisplayAndDup()` itself, for any text (it stops at a NUL as at
/// the end of a C string, and leaves no rest after one).
fn translate_slow(out: &mut Vec<u8>, z: &[u8], mx: usize, word_wrap: bool) -> Option<usize> {
    let (mut i, mut j, mut n) = (0usize, 0usize, 0usize);
    while n < mx {
        let c = at(z, i);
        if c >= b' ' {
            n += 1;
            loop {
                i += 1;
                j += 1;
                if at(z, i) & 0xc0 != 0x80 {
                    break;
                }
            }
            continue;
        }
        if c == b'\t' {
            loop {
                n += 1;
                j += 1;
                if n & 7 == 0 || n >= mx {
                    break;
                }
            }
            i += 1;
            continue;
        }
        break;
    }
    let k;
    if n >= mx && word_wrap {
        // Perhaps back up to a better place to break the line.
        let mut kk = i;
        while kk > i / 2 {
            if c_isspace(at(z, kk - 1)) {
                break;
            }
            kk -= 1;
        }
        if kk <= i / 2 {
            kk = i;
            while kk > i / 2 {
                let a = at(z, kk - 1).is_ascii_alphanumeric();
                let b = at(z, kk).is_ascii_alphanumeric();
                if a != b && at(z, kk) & 0xc0 != 0x80 {
                    break;
                }
                kk -= 1;
            }
        }
        if kk <= i / 2 {
            k = i;
        } else {
            k = kk;
            i = kk;
            while at(z, i) == b' ' {
                i += 1;
            }
        }
    } else {
        k = i;
    }
    let rest = if n >= mx && at(z, i) >= b' ' {
        Some(i)
    } else if at(z, i) == b'\r' && at(z, i + 1) == b'\n' {
        (at(z, i + 2) != 0).then_some(i + 2)
    } else if at(z, i) == 0 || at(z, i + 1) == 0 {
        None
    } else {
        Some(i + 1)
    };
    out.reserve(j);
    let (mut i, mut n) = (0usize, 0usize);
    while i < k {
        let c = at(z, i);
        if c >= b' ' {
            n += 1;
            loop {
                out.push(at(z, i));
                i += 1;
                if at(z, i) & 0xc0 != 0x80 {
                    break;
                }
            }
            continue;
        }
        if c == b'\t' {
            loop {
                n += 1;
                out.push(b' ');
                if n & 7 == 0 || n >= mx {
                    break;
                }
            }
            i += 1;
            continue;
        }
        break;
    }
    rest
}

/// sqlite3's `utf8_width_print()`: `z` in `w` characters, left-aligned (right-aligned when
/// `w` is negative), cut to `|w|` characters when longer; `w == 0` prints `z` whole.
pub fn push_width(buf: &mut Vec<u8>, w: i64, z: &[u8]) {
    let aw = w.unsigned_abs() as usize;
    let mut n = 0usize;
    let mut i = 0usize;
    while i < z.len() {
        if z[i] & 0xc0 != 0x80 {
            n += 1;
            if n == aw {
                i += 1;
                while i < z.len() && z[i] & 0xc0 == 0x80 {
                    i += 1;
                }
                break;
            }
        }
        i += 1;
    }
    if n >= aw {
        buf.extend_from_slice(&z[..i]);
    } else if w < 0 {
        buf.extend(std::iter::repeat_n(b' ', aw - n));
        buf.extend_from_slice(z);
    } else {
        buf.extend_from_slice(z);
        buf.extend(std::iter::repeat_n(b' ', aw - n));
    }
}

/// sqlite3's `quoted_column()`: appends a value as `--quote` shows it in the columnar modes.
fn push_quoted_column(buf: &mut Vec<u8>, v: &Value<'_>) {
    match *v {
        Value::Null => buf.extend_from_slice(b"NULL"),
        Value::Integer(_) | Value::Real(_) => {
            push_text(buf, v);
        }
        // sqlite3_mprintf("%Q"): single quotes, inner quotes doubled.
        Value::Text(t) => crate::format::sql::quoted_string(buf, cut_nul(t)),
        Value::Blob(bytes) => {
            // `x'…'`: the dump's `X'…'` with a lowercase x.
            let start = buf.len();
            crate::format::sql::hex_blob(buf, bytes);
            buf[start] = b'x';
        }
    }
}

/// Where the text a cell is cut from lies, for one row.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// The value's own bytes (text or blob), the first `n` of them (up to a NUL).
    Value(usize),
    /// `scratch[start..end]`: a number's text, a quoted literal, the NULL text.
    Scratch(usize, usize),
}

/// The display cells of a whole result, kept in one byte buffer with their end offsets (a
/// `Vec` per cell cost an allocation each, and more memory than the text itself), and each
/// column's width so far.
#[derive(Default)]
struct Cells {
    /// The text of every display cell, one after the other: `ncol` cells per display line,
    /// the header's first.
    text: Vec<u8>,
    /// Where each cell's text ends in `text` (it starts where the one before ends).
    ends: Vec<usize>,
    /// Each column's widest cell so far (or its `.width`), in characters (`strlenChar`).
    widest: Vec<usize>,
}

impl Cells {
    /// Appends one display cell of column `i`, cut from `z` by `translate`; returns where
    /// the rest of `z` starts, if any is left for the next display line.
    fn push(&mut self, i: usize, z: &[u8], wrap: i32, word_wrap: bool) -> Option<usize> {
        let (n, rest) = translate_into(&mut self.text, z, wrap, word_wrap);
        self.ends.push(self.text.len());
        if n > self.widest[i] {
            self.widest[i] = n;
        }
        rest
    }

    /// Cell `k` (counting from the header's first).
    fn get(&self, k: usize) -> &[u8] {
        let start = if k == 0 { 0 } else { self.ends[k - 1] };
        &self.text[start..self.ends[k]]
    }
}

/// The bytes of column `i`'s text in the row at hand.
fn source<'v>(sources: &[Source], scratch: &'v [u8], vals: &'v [Value<'_>], i: usize) -> &'v [u8] {
    match (sources[i], vals.get(i)) {
        (Source::Scratch(a, b), _) => &scratch[a..b],
        (Source::Value(n), Some(Value::Text(t) | Value::Blob(t))) => &t[..n],
        (Source::Value(_), _) => &[],
    }
}

/// The buffered renderer of the columnar modes: rows are cut into display cells as they come
/// (so the widths are known at the end), and `finish` draws.
pub struct Columnar<'o> {
    o: &'o RenderOpts,
    mode: Mode,
    quote: bool,
    ncol: usize,
    /// Each column's wrap width: its `.width`, or else `--wrap`.
    wraps: Vec<i32>,
    cells: Cells,
    /// For each display line after the header: true when it ends a logical row.
    row_div: Vec<bool>,
    /// Some logical row spans more than one display line.
    multi_line: bool,
    /// For the row at hand: the text of values that are not text already.
    scratch: Vec<u8>,
    /// For the row at hand: where each column's text lies.
    sources: Vec<Source>,
    /// For the row at hand: where each column's text still to show starts in its source.
    rest: Vec<Option<usize>>,
}

impl<'o> Columnar<'o> {
    /// A columnar renderer for `mode` (column, table, markdown, box or qbox).
    pub fn new(o: &'o RenderOpts, mode: Mode) -> Self {
        let (mode, quote) = match mode {
            Mode::Qbox => (Mode::Box, true),
            m => (m, o.quote),
        };
        Columnar {
            o,
            mode,
            quote,
            ncol: 0,
            wraps: Vec::new(),
            cells: Cells::default(),
            row_div: Vec::new(),
            multi_line: false,
            scratch: Vec::new(),
            sources: Vec::new(),
            rest: Vec::new(),
        }
    }

    /// `.width` of column `i` (0 when not given).
    fn col_width(&self, i: usize) -> i32 {
        self.o.col_widths.get(i).copied().unwrap_or(0)
    }
}

impl Renderer for Columnar<'_> {
    fn row(
        &mut self,
        _out: &mut dyn Write,
        names: &[Vec<u8>],
        vals: &[Value<'_>],
        index: u64,
    ) -> io::Result<()> {
        let ww = self.o.word_wrap;
        if index == 0 {
            self.ncol = names.len();
            self.wraps = (0..self.ncol)
                .map(|i| match self.col_width(i) {
                    0 => self.o.wrap,
                    w => w,
                })
                .collect();
            self.cells.widest = (0..self.ncol)
                .map(|i| self.col_width(i).unsigned_abs() as usize)
                .collect();
            for (i, n) in names.iter().enumerate() {
                self.cells.push(i, cut_nul(n), self.wraps[i], ww);
            }
        }
        let ncol = self.ncol;
        // The text of each value: its own bytes when it is text, else written to scratch.
        self.scratch.clear();
        self.sources.clear();
        for i in 0..ncol {
            let start = self.scratch.len();
            match vals.get(i).unwrap_or(&Value::Text(b"")) {
                v if self.quote => push_quoted_column(&mut self.scratch, v),
                Value::Text(t) | Value::Blob(t) => {
                    // Cut once here: a long text is cut into lines from what is left of it.
                    self.sources.push(Source::Value(cut_nul(t).len()));
                    continue;
                }
                Value::Null => self.scratch.extend_from_slice(cut_nul(&self.o.null_value)),
                v => {
                    push_text(&mut self.scratch, v);
                }
            }
            self.sources
                .push(Source::Scratch(start, self.scratch.len()));
        }
        // The first display line of the row comes from the values themselves.
        self.rest.clear();
        let mut more = false;
        for i in 0..ncol {
            let z = source(&self.sources, &self.scratch, vals, i);
            let r = self.cells.push(i, z, self.wraps[i], ww);
            more |= r.is_some();
            self.rest.push(r);
        }
        // Following display lines, while any cell has text left.
        while more {
            self.row_div.push(false);
            self.multi_line = true;
            more = false;
            for i in 0..ncol {
                let next = match self.rest[i] {
                    Some(at) => {
                        let z = &source(&self.sources, &self.scratch, vals, i)[at..];
                        self.cells.push(i, z, self.wraps[i], ww).map(|k| at + k)
                    }
                    None => self.cells.push(i, b"", self.wraps[i], ww),
                };
                more |= next.is_some();
                self.rest[i] = next;
            }
        }
        self.row_div.push(true);
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, _names: &[Vec<u8>]) -> io::Result<()> {
        let ncol = self.ncol;
        if ncol == 0 {
            return Ok(());
        }
        self.o.columnar_seen.set(ncol);
        let width = &self.cells.widest;
        let right: Vec<bool> = (0..ncol).map(|j| self.col_width(j) < 0).collect();
        let mut buf: Vec<u8> = Vec::with_capacity(FLUSH_AT + 4096);
        let (line_start, col_sep, row_sep): (&[u8], &[u8], &[u8]) = match self.mode {
            Mode::Column => (b"", b"  ", b"\n"),
            Mode::Box => (
                "\u{2502} ".as_bytes(),
                " \u{2502} ".as_bytes(),
                " \u{2502}\n".as_bytes(),
            ),
            _ => (b"| ", b" | ", b" |\n"),
        };
        match self.mode {
            Mode::Column => {
                if self.o.show_header {
                    for (i, w) in width.iter().enumerate() {
                        push_padded(&mut buf, self.cells.get(i), *w, right[i]);
                        buf.extend_from_slice(if i + 1 == ncol { b"\n" } else { b"  " });
                    }
                    for (i, w) in width.iter().enumerate() {
                        buf.resize(buf.len() + w, b'-');
                        buf.extend_from_slice(if i + 1 == ncol { b"\n" } else { b"  " });
                    }
                }
            }
            Mode::Table => {
                rule(&mut buf, width, "+", "+", "+", "-");
                self.centred_header(&mut buf, "| ", " | ", " |\n");
                rule(&mut buf, width, "+", "+", "+", "-");
            }
            Mode::Markdown => {
                self.centred_header(&mut buf, "| ", " | ", " |\n");
                rule(&mut buf, width, "|", "|", "|", "-");
            }
            _ => {
                rule(&mut buf, width, BOX_23, BOX_234, BOX_34, BOX_24);
                let (l, m, r) = (
                    format!("{BOX_13} "),
                    format!(" {BOX_13} "),
                    format!(" {BOX_13}\n"),
                );
                self.centred_header(&mut buf, &l, &m, &r);
                rule(&mut buf, width, BOX_123, BOX_1234, BOX_134, BOX_24);
            }
        }
        // What goes between two logical rows when some row spans several display lines.
        let mut between = Vec::new();
        match self.mode {
            Mode::Table => rule(&mut between, width, "+", "+", "+", "-"),
            Mode::Box => rule(&mut between, width, BOX_123, BOX_1234, BOX_134, BOX_24),
            Mode::Column => between.push(b'\n'),
            _ => {}
        }
        let lines = self.row_div.len();
        let mut start = self.cells.ends[ncol - 1];
        let mut k = ncol;
        for (r, &ends_row) in self.row_div.iter().enumerate() {
            buf.extend_from_slice(line_start);
            for j in 0..ncol {
                let end = self.cells.ends[k];
                push_padded(&mut buf, &self.cells.text[start..end], width[j], right[j]);
                buf.extend_from_slice(if j + 1 == ncol { row_sep } else { col_sep });
                start = end;
                k += 1;
            }
            if self.multi_line && ends_row && r + 1 < lines {
                buf.extend_from_slice(&between);
            }
            if buf.len() >= FLUSH_AT {
                out.write_all(&buf)?;
                buf.clear();
            }
        }
        match self.mode {
            Mode::Table => rule(&mut buf, width, "+", "+", "+", "-"),
            Mode::Box => rule(&mut buf, width, BOX_12, BOX_124, BOX_14, BOX_24),
            _ => {}
        }
        out.write_all(&buf)
    }
}

impl Columnar<'_> {
    /// The header line of table, markdown and box: names centred, the odd space on the
    /// right.
    fn centred_header(&self, buf: &mut Vec<u8>, left: &str, mid: &str, right: &str) {
        let ncol = self.ncol;
        buf.extend_from_slice(left.as_bytes());
        for (i, w) in self.cells.widest.iter().enumerate() {
            let h = self.cells.get(i);
            let pad = w.saturating_sub(strlen_char(h));
            buf.resize(buf.len() + pad / 2, b' ');
            buf.extend_from_slice(h);
            buf.resize(buf.len() + pad.div_ceil(2), b' ');
            buf.extend_from_slice(if i + 1 == ncol { right } else { mid }.as_bytes());
        }
    }
}

/// Bytes of output gathered before each write.
const FLUSH_AT: usize = 64 * 1024;

/// A cell in a column `w` characters wide, as [`push_width`] writes it; the cell is never
/// wider than its column, which is as wide as its widest cell.
fn push_padded(buf: &mut Vec<u8>, cell: &[u8], w: usize, right: bool) {
    let pad = w.saturating_sub(strlen_char(cell));
    if right {
        buf.resize(buf.len() + pad, b' ');
        buf.extend_from_slice(cell);
    } else {
        buf.extend_from_slice(cell);
        buf.resize(buf.len() + pad, b' ');
    }
}

/// A horizontal rule: `left`, `width+2` copies of `dash` per column joined by `mid`,
/// `right`, newline (`print_row_separator` / `print_box_row_separator`).
fn rule(buf: &mut Vec<u8>, width: &[usize], left: &str, mid: &str, right: &str, dash: &str) {
    buf.extend_from_slice(left.as_bytes());
    for (i, w) in width.iter().enumerate() {
        if i > 0 {
            buf.extend_from_slice(mid.as_bytes());
        }
        for _ in 0..w + 2 {
            buf.extend_from_slice(dash.as_bytes());
        }
    }
    buf.extend_from_slice(right.as_bytes());
    buf.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`translate_into`] returning the line and the rest as slices, for the tests.
    fn translate(z: &[u8], max_width: i32, word_wrap: bool) -> (Vec<u8>, Option<&[u8]>) {
        let mut line = Vec::new();
        let (_, rest) = translate_into(&mut line, z, max_width, word_wrap);
        (line, rest.map(|i| &z[i..]))
    }

    /// Bytes that matter to the cutting: letters, spaces, punctuation, TAB, LF, CR, NUL,
    /// another control character, UTF-8 lead and continuation bytes.
    fn awkward_text() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        let bytes = vec![
            b'a', b'b', b' ', b'-', b'\t', b'\n', b'\r', 0, 1, 0x80, 0xbf, 0xc3, 0xa9, 0xe6,
        ];
        proptest::collection::vec(proptest::sample::select(bytes), 0..48)
    }

    proptest::proptest! {
        /// The one-line shortcut of `translate_into` gives what sqlite3's loop gives.
        #[test]
        fn the_one_line_shortcut_gives_what_the_loop_gives(
            z in awkward_text(),
            w in 0i32..14,
            ww: bool,
        ) {
            let mut got = Vec::new();
            let (n, rest) = translate_into(&mut got, &z, w, ww);
            let mut want = Vec::new();
            let mx = if w == 0 { 1_000_000 } else { w as usize };
            let want_rest = translate_slow(&mut want, &z, mx, ww);
            proptest::prop_assert_eq!(&got, &want);
            proptest::prop_assert_eq!(rest, want_rest);
            proptest::prop_assert_eq!(n, strlen_char(&want));
        }

        /// The loop stops at a NUL as sqlite3 stops at the end of the C string: the same
        /// line, and nothing left after it.
        #[test]
        fn a_nul_ends_the_text(z in awkward_text(), w in 0i32..14, ww: bool) {
            let mx = if w == 0 { 1_000_000 } else { w as usize };
            let (mut whole, mut cut) = (Vec::new(), Vec::new());
            let a = translate_slow(&mut whole, &z, mx, ww);
            let b = translate_slow(&mut cut, cut_nul(&z), mx, ww);
            proptest::prop_assert_eq!(whole, cut);
            proptest::prop_assert_eq!(a, b);
        }
    }

    fn tr(z: &str, w: i32, ww: bool) -> (String, Option<String>) {
        let (a, b) = translate(z.as_bytes(), w, ww);
        (
            String::from_utf8(a).unwrap(),
            b.map(|t| String::from_utf8(t.to_vec()).unwrap()),
        )
    }

    #[test]
    fn lines_end_at_control_characters() {
        assert_eq!(tr("a\nb", 0, false), ("a".into(), Some("b".into())));
        assert_eq!(tr("a\r\nb", 0, false), ("a".into(), Some("b".into())));
        assert_eq!(tr("a\x01b", 0, false), ("a".into(), Some("b".into())));
        assert_eq!(tr("a\n", 0, false), ("a".into(), None));
        assert_eq!(tr("a\r\n", 0, false), ("a".into(), None));
    }

    #[test]
    fn tabs_expand_to_multiples_of_eight() {
        assert_eq!(tr("a\tb", 0, false), ("a       b".into(), None));
    }

    #[test]
    fn long_text_wraps_at_the_width() {
        assert_eq!(tr("abcdef", 4, false), ("abcd".into(), Some("ef".into())));
        assert_eq!(
            tr("hello world again", 8, true),
            ("hello ".into(), Some("world again".into()))
        );
    }

    #[test]
    fn width_print_pads_and_cuts_by_characters() {
        let mut b = Vec::new();
        push_width(&mut b, 4, "日本".as_bytes());
        assert_eq!(String::from_utf8(b).unwrap(), "日本  ");
        let mut b = Vec::new();
        push_width(&mut b, -4, b"ab");
        assert_eq!(b, b"  ab");
        let mut b = Vec::new();
        push_width(&mut b, 2, b"abcd");
        assert_eq!(b, b"ab");
    }
}
