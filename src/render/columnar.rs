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

use super::{cut_nul, text_of, Mode, RenderOpts, Renderer};
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

/// sqlite3 3.40.1's `translateForDisplayAndDup()`: the first display line of `z` (at most
/// `max_width` characters, 0 meaning no limit; TABs expanded) and the rest of the text still
/// to show on following lines, if any.
pub fn translate(z: &[u8], max_width: i32, word_wrap: bool) -> (Vec<u8>, Option<&[u8]>) {
    let z = cut_nul(z);
    let mut mx = max_width.unsigned_abs() as usize;
    if mx == 0 {
        mx = 1_000_000;
    }
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
    let tail = if n >= mx && at(z, i) >= b' ' {
        Some(&z[i..])
    } else if at(z, i) == b'\r' && at(z, i + 1) == b'\n' {
        (at(z, i + 2) != 0).then(|| &z[i + 2..])
    } else if at(z, i) == 0 || at(z, i + 1) == 0 {
        None
    } else {
        Some(&z[i + 1..])
    };
    let mut out = Vec::with_capacity(j);
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
    (out, tail)
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

/// sqlite3's `quoted_column()`: a value as `--quote` shows it in the columnar modes.
fn quoted_column(v: &Value<'_>) -> Vec<u8> {
    match *v {
        Value::Null => b"NULL".to_vec(),
        Value::Integer(_) | Value::Real(_) => text_of(v).unwrap_or_default().into_owned(),
        Value::Text(t) => {
            // sqlite3_mprintf("%Q"): single quotes, inner quotes doubled.
            let mut b = Vec::with_capacity(t.len() + 2);
            crate::format::sql::quoted_string(&mut b, cut_nul(t));
            b
        }
        Value::Blob(bytes) => {
            let mut b = Vec::with_capacity(bytes.len() * 2 + 3);
            b.extend_from_slice(b"x'");
            for c in bytes {
                b.extend_from_slice(format!("{c:02x}").as_bytes());
            }
            b.push(b'\'');
            b
        }
    }
}

/// The buffered renderer of the columnar modes.
pub struct Columnar<'o> {
    o: &'o RenderOpts,
    mode: Mode,
    quote: bool,
    ncol: usize,
    /// Display lines, `ncol` cells each; the first line is the header.
    cells: Vec<Vec<u8>>,
    /// For each display line after the header: true when it ends a logical row.
    row_div: Vec<bool>,
    /// Some logical row spans more than one display line.
    multi_line: bool,
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
            cells: Vec::new(),
            row_div: Vec::new(),
            multi_line: false,
        }
    }

    /// `.width` of column `i` (0 when not given).
    fn col_width(&self, i: usize) -> i32 {
        self.o.col_widths.get(i).copied().unwrap_or(0)
    }

    /// The width a column's cells wrap at: its `.width`, or else `--wrap`.
    fn wrap_width(&self, i: usize) -> i32 {
        match self.col_width(i) {
            0 => self.o.wrap,
            w => w,
        }
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
        let bw = self.o.word_wrap;
        if index == 0 {
            self.ncol = names.len();
            for (i, n) in names.iter().enumerate() {
                let (line, _) = translate(n, self.wrap_width(i), bw);
                self.cells.push(line);
            }
        }
        let ncol = self.ncol;
        // The first display line of the row comes from the values themselves.
        let sources: Vec<Vec<u8>> = vals
            .iter()
            .take(ncol)
            .map(|v| {
                if self.quote {
                    quoted_column(v)
                } else {
                    match text_of(v) {
                        Some(t) => t.into_owned(),
                        None => self.o.null_value.clone(),
                    }
                }
            })
            .collect();
        let mut tails: Vec<Option<Vec<u8>>> = Vec::with_capacity(ncol);
        let mut more = false;
        for (i, src) in sources.iter().enumerate() {
            let (line, tail) = translate(src, self.wrap_width(i), bw);
            self.cells.push(line);
            more |= tail.is_some();
            tails.push(tail.map(<[u8]>::to_vec));
        }
        // Following display lines, while any cell has text left.
        while more {
            self.row_div.push(false);
            self.multi_line = true;
            more = false;
            for (i, t) in tails.iter_mut().enumerate() {
                let src = t.take().unwrap_or_default();
                let (line, tail) = translate(&src, self.wrap_width(i), bw);
                self.cells.push(line);
                more |= tail.is_some();
                *t = tail.map(<[u8]>::to_vec);
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
        let mut width: Vec<usize> = (0..ncol)
            .map(|i| self.col_width(i).unsigned_abs() as usize)
            .collect();
        for (i, c) in self.cells.iter().enumerate() {
            let n = strlen_char(c);
            let j = i % ncol;
            if n > width[j] {
                width[j] = n;
            }
        }
        let signed = |j: usize| -> i64 {
            let w = width[j] as i64;
            if self.col_width(j) < 0 {
                -w
            } else {
                w
            }
        };
        let mut buf: Vec<u8> = Vec::with_capacity(4096);
        let (col_sep, row_sep): (&[u8], &[u8]) = match self.mode {
            Mode::Column => (b"  ", b"\n"),
            Mode::Box => (" \u{2502} ".as_bytes(), " \u{2502}\n".as_bytes()),
            _ => (b" | ", b" |\n"),
        };
        let header = &self.cells[..ncol];
        match self.mode {
            Mode::Column => {
                if self.o.show_header {
                    for (i, h) in header.iter().enumerate() {
                        push_width(&mut buf, signed(i), h);
                        buf.extend_from_slice(if i + 1 == ncol { b"\n" } else { b"  " });
                    }
                    for (i, w) in width.iter().enumerate() {
                        buf.extend(std::iter::repeat_n(b'-', *w));
                        buf.extend_from_slice(if i + 1 == ncol { b"\n" } else { b"  " });
                    }
                }
            }
            Mode::Table => {
                rule(&mut buf, &width, "+", "+", "+", "-");
                centred_header(&mut buf, header, &width, "| ", " | ", " |\n");
                rule(&mut buf, &width, "+", "+", "+", "-");
            }
            Mode::Markdown => {
                centred_header(&mut buf, header, &width, "| ", " | ", " |\n");
                rule(&mut buf, &width, "|", "|", "|", "-");
            }
            _ => {
                rule(&mut buf, &width, BOX_23, BOX_234, BOX_34, BOX_24);
                let (l, m, r) = (
                    format!("{BOX_13} "),
                    format!(" {BOX_13} "),
                    format!(" {BOX_13}\n"),
                );
                centred_header(&mut buf, header, &width, &l, &m, &r);
                rule(&mut buf, &width, BOX_123, BOX_1234, BOX_134, BOX_24);
            }
        }
        let body = &self.cells[ncol..];
        let lines = body.len() / ncol;
        for (r, line) in body.chunks(ncol).enumerate() {
            if self.mode == Mode::Table || self.mode == Mode::Markdown {
                buf.extend_from_slice(b"| ");
            } else if self.mode == Mode::Box {
                buf.extend_from_slice(format!("{BOX_13} ").as_bytes());
            }
            for (j, cell) in line.iter().enumerate() {
                push_width(&mut buf, signed(j), cell);
                buf.extend_from_slice(if j + 1 == ncol { row_sep } else { col_sep });
            }
            if self.multi_line && self.row_div[r] && r + 1 < lines {
                match self.mode {
                    Mode::Table => rule(&mut buf, &width, "+", "+", "+", "-"),
                    Mode::Box => rule(&mut buf, &width, BOX_123, BOX_1234, BOX_134, BOX_24),
                    Mode::Column => buf.push(b'\n'),
                    _ => {}
                }
            }
            if buf.len() >= 64 * 1024 {
                out.write_all(&buf)?;
                buf.clear();
            }
        }
        match self.mode {
            Mode::Table => rule(&mut buf, &width, "+", "+", "+", "-"),
            Mode::Box => rule(&mut buf, &width, BOX_12, BOX_124, BOX_14, BOX_24),
            _ => {}
        }
        out.write_all(&buf)
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

/// The header line of table, markdown and box: names centred, the odd space on the right.
fn centred_header(
    buf: &mut Vec<u8>,
    header: &[Vec<u8>],
    width: &[usize],
    left: &str,
    mid: &str,
    right: &str,
) {
    buf.extend_from_slice(left.as_bytes());
    for (i, h) in header.iter().enumerate() {
        let w = width[i];
        let n = strlen_char(h);
        let pad = w.saturating_sub(n);
        buf.extend(std::iter::repeat_n(b' ', pad / 2));
        buf.extend_from_slice(h);
        buf.extend(std::iter::repeat_n(b' ', pad.div_ceil(2)));
        buf.extend_from_slice(if i + 1 == header.len() { right } else { mid }.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
