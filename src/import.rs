//! Readers and naming rules for `.import`, as sqlite3 3.40.1 has them.
//!
//! [`FieldReader`] reads one field at a time from a byte stream (a file or a pipe), never
//! holding more than the current field, in one of 3.40.1's two dialects ([`Format`]):
//!
//! - **CSV** (3.40.1's `csv_read_one_field`): RFC 4180 plus that reader's own habits. A
//!   field is quoted only when its *first* byte is `"`; a quote elsewhere in an unquoted
//!   field is an ordinary byte, and so is white space before a quote. Inside quotes `""` is
//!   one quote, and the field ends only where a quote is followed by the column separator,
//!   the row separator, `\r` + row separator, or the end of input; any other byte after a
//!   lone quote is kept (quote included), with an `unescaped " character` warning, and the
//!   field goes on — through separators and newlines — until such an ending or the end of
//!   input (`unterminated "-quoted field`, reported at the line the field started on). An
//!   unquoted field ended by the row separator loses one trailing `\r` (CRLF input). A UTF-8
//!   byte-order mark is skipped at the start of the very first field only.
//! - **ASCII** (3.40.1's `ascii_read_one_field`): fields end at the column or row separator
//!   byte (0x1F and 0x1E by default), with no quoting, no `\r` stripping and no BOM rule.
//!
//! Both count lines by row separators seen, even inside quotes, as 3.40.1 does for its
//! `FILE:LINE:` messages. Separators are single bytes, compared the way the C code compares
//! a `char` with `fgetc()`'s result: a byte of 0x80 or more is a negative `char` there, so it
//! never matches (3.40.1 reads the whole input as one field; with 0xFF it even loops
//! forever, which litesh does not copy). A read error ends the input, as `fgetc()` does.
//!
//! Why not the `csv` crate: it cannot reproduce this reader. For `"a"b,c` it yields `ab`,
//! `c` where 3.40.1 keeps reading one quoted field to the end of input; for `"a" ,c` it
//! yields `a `; it drops empty lines, which 3.40.1 imports as one empty field; and it has no
//! notion of the per-field terminator, the line counting or the warnings that `.import`'s
//! messages are made of. Matching 3.40.1 byte for byte takes this small state machine.
//!
//! [`column_names`] and [`create_columns`] give the column list of the `CREATE TABLE` that
//! `.import` runs when the table does not exist (3.40.1's `zAutoColumn`).

use std::io::{self, BufRead};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The two dialects of 3.40.1's `.import`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Quoted fields, `\r` stripping, BOM skipping.
    Csv,
    /// Plain separator bytes (sqlite3's `ascii` mode: 0x1F between fields, 0x1E after rows).
    Ascii,
}

/// A single-byte separator as 3.40.1 compares it (see the module doc for high bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sep(pub u8);

impl Sep {
    /// True when a byte read from the input (`None` at its end) is this separator.
    pub fn matches(self, c: Option<u8>) -> bool {
        self.0 < 0x80 && c == Some(self.0)
    }
}

/// A warning met while reading (3.40.1 prints these as it reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Diag {
    /// `FILE:LINE: unescaped " character`
    UnescapedQuote {
        /// Line number at the byte after the quote.
        line: usize,
    },
    /// `FILE:LINE: unterminated "-quoted field`
    Unterminated {
        /// Line the field started on.
        line: usize,
    },
}

impl Diag {
    /// The message as 3.40.1 words it, without the final newline.
    pub fn message(&self, file: &[u8]) -> Vec<u8> {
        let mut m = file.to_vec();
        match self {
            Diag::UnescapedQuote { line } => {
                m.extend_from_slice(format!(":{line}: unescaped \" character").as_bytes())
            }
            Diag::Unterminated { line } => {
                m.extend_from_slice(format!(":{line}: unterminated \"-quoted field").as_bytes())
            }
        }
        m
    }
}

const QUOTE: u8 = b'"';

/// Reads fields one at a time.
pub struct FieldReader<R> {
    input: R,
    format: Format,
    col: Sep,
    row: Sep,
    line: usize,
    seen_first: bool,
    at_end: bool,
    field: Vec<u8>,
    term: Option<u8>,
    diags: Vec<Diag>,
    interrupt: Option<&'static AtomicUsize>,
}

impl<R: BufRead> FieldReader<R> {
    /// A reader of `format` with these separators, at line 1.
    pub fn new(input: R, format: Format, col: Sep, row: Sep) -> Self {
        FieldReader {
            input,
            format,
            col,
            row,
            line: 1,
            seen_first: false,
            at_end: false,
            field: Vec::new(),
            term: None,
            diags: Vec::new(),
            interrupt: None,
        }
    }

    /// Makes a non-zero counter end the input at the next field (sqlite3's `seenInterrupt`).
    pub fn stop_on(mut self, counter: &'static AtomicUsize) -> Self {
        self.interrupt = Some(counter);
        self
    }

    /// The current line number (1 + row separators read so far).
    pub fn line(&self) -> usize {
        self.line
    }

    /// The field last read.
    pub fn field(&self) -> &[u8] {
        &self.field
    }

    /// True when the field last read ended at a column separator.
    pub fn ended_by_col(&self) -> bool {
        self.col.matches(self.term)
    }

    /// True when the field last read ended at the end of the input.
    pub fn at_eof(&self) -> bool {
        self.term.is_none()
    }

    /// The warnings met since the last call.
    pub fn take_diags(&mut self) -> Vec<Diag> {
        std::mem::take(&mut self.diags)
    }

    /// Reads the next field; false when the input ended before its first byte (3.40.1's
    /// NULL return: the field is then empty and [`FieldReader::at_eof`] is true).
    pub fn next_field(&mut self) -> bool {
        loop {
            self.field.clear();
            let interrupted = self.interrupt.is_some_and(|c| c.load(Ordering::SeqCst) > 0);
            let first = if interrupted { None } else { self.getc() };
            let Some(first) = first else {
                self.term = None;
                return false;
            };
            match self.format {
                Format::Ascii => {
                    self.term = self.scan(Some(first));
                    if self.row.matches(self.term) {
                        self.line += 1;
                    }
                }
                Format::Csv if first == QUOTE => self.quoted(),
                Format::Csv => {
                    let mut c = Some(first);
                    if first == 0xEF && !self.seen_first {
                        // A byte-order mark, skipped only before the very first field.
                        self.field.push(0xEF);
                        c = self.getc();
                        if c == Some(0xBB) {
                            self.field.push(0xBB);
                            c = self.getc();
                            if c == Some(0xBF) {
                                self.seen_first = true;
                                continue;
                            }
                        }
                    }
                    self.term = self.scan(c);
                    if self.row.matches(self.term) {
                        self.line += 1;
                        if self.field.last() == Some(&b'\r') {
                            self.field.pop();
                        }
                    }
                }
            }
            if self.format == Format::Csv {
                self.seen_first = true;
            }
            return true;
        }
    }

    /// The body of a quoted CSV field, after its opening quote.
    fn quoted(&mut self) {
        let start_line = self.line;
        // The last two bytes kept (0 also stands for "none", as only quotes and CR matter).
        let mut prev: u8 = 0;
        let mut prev2: u8 = 0;
        loop {
            let c = self.getc();
            if self.row.matches(c) {
                self.line += 1;
            }
            if c == Some(QUOTE) && prev == QUOTE {
                // `""`: one quote is kept (the first one, already in the field).
                prev = 0;
                continue;
            }
            let ends = (prev == QUOTE
                && (c.is_none() || self.col.matches(c) || self.row.matches(c)))
                || (prev == b'\r' && prev2 == QUOTE && self.row.matches(c));
            if ends {
                // Drop the closing quote (and a CR after it).
                while let Some(b) = self.field.pop() {
                    if b == QUOTE {
                        break;
                    }
                }
                self.term = c;
                return;
            }
            if prev == QUOTE && c != Some(b'\r') {
                self.diags.push(Diag::UnescapedQuote { line: self.line });
            }
            let Some(b) = c else {
                self.diags.push(Diag::Unterminated { line: start_line });
                self.term = None;
                return;
            };
            self.field.push(b);
            prev2 = prev;
            prev = b;
        }
    }

    /// Appends `c` and the bytes after it to the field up to a separator or the end of the
    /// input, and returns what ended the field (`None`: the end of the input).
    fn scan(&mut self, c: Option<u8>) -> Option<u8> {
        match c {
            None => return None,
            Some(b) if self.is_sep(b) => return c,
            Some(b) => self.field.push(b),
        }
        if self.at_end {
            return None;
        }
        loop {
            let buf = match self.input.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => {
                    self.at_end = true;
                    return None;
                }
            };
            if buf.is_empty() {
                self.at_end = true;
                return None;
            }
            let (col, row) = (self.col, self.row);
            let stop = buf
                .iter()
                .position(|&b| col.matches(Some(b)) || row.matches(Some(b)));
            match stop {
                Some(i) => {
                    let sep = buf[i];
                    self.field.extend_from_slice(&buf[..i]);
                    self.input.consume(i + 1);
                    return Some(sep);
                }
                None => {
                    let n = buf.len();
                    self.field.extend_from_slice(buf);
                    self.input.consume(n);
                }
            }
        }
    }

    fn is_sep(&self, b: u8) -> bool {
        self.col.matches(Some(b)) || self.row.matches(Some(b))
    }

    /// One byte, like `fgetc()`: `None` at the end of the input or after a read error, and
    /// from then on.
    fn getc(&mut self) -> Option<u8> {
        if self.at_end {
            return None;
        }
        loop {
            match self.input.fill_buf() {
                Ok([]) => break,
                Ok(buf) => {
                    let b = buf[0];
                    self.input.consume(1);
                    return Some(b);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        self.at_end = true;
        None
    }
}

/// The columns of a table that `.import` creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// The column names, in order.
    pub names: Vec<Vec<u8>>,
    /// `(old, new)` for each column renamed to make the names unique, in order.
    pub renamed: Vec<(Vec<u8>, Vec<u8>)>,
}

/// 3.40.1's naming of the columns of a new table from its header fields (each already cut
/// at its first NUL byte, as the C string it is there):
///
/// - an empty header becomes `?`;
/// - names equal to another one ignoring ASCII case are all renamed `NAME_N`, N being the
///   column's position (from 1);
/// - when such a new name would clash with another name, 3.40.1 tries again with one more
///   `0` before N, testing with N zero-padded to the width of the column count — but then
///   writes N unpadded. (So `a,a,a_01` plus seven more columns still clashes; the
///   `CREATE TABLE` then fails exactly as in 3.40.1.)
pub fn column_names(headers: &[Vec<u8>]) -> Columns {
    let base: Vec<&[u8]> = headers
        .iter()
        .map(|h| if h.is_empty() { &b"?"[..] } else { &h[..] })
        .collect();
    let folded: Vec<Vec<u8>> = base.iter().map(|b| b.to_ascii_lowercase()).collect();
    let mut counts = std::collections::HashMap::<&[u8], usize>::new();
    for f in &folded {
        *counts.entry(f).or_default() += 1;
    }
    let repeated: Vec<bool> = folded.iter().map(|f| counts[&f[..]] > 1).collect();
    if !repeated.contains(&true) {
        return Columns {
            names: base.iter().map(|b| b.to_vec()).collect(),
            renamed: Vec::new(),
        };
    }
    let width = headers.len().to_string().len();
    let with_suffix = |i: usize, zeros: usize, digits: &str| {
        let mut n = base[i].to_vec();
        n.push(b'_');
        n.extend(std::iter::repeat_n(b'0', zeros));
        n.extend_from_slice(digits.as_bytes());
        n
    };
    let mut zeros = 0;
    loop {
        let mut seen = std::collections::HashSet::new();
        let clash = (0..base.len()).any(|i| {
            let candidate = if repeated[i] {
                with_suffix(i, zeros, &format!("{:0width$}", i + 1))
            } else {
                base[i].to_vec()
            };
            !seen.insert(candidate.to_ascii_lowercase())
        });
        if !clash {
            break;
        }
        zeros += 1;
    }
    let mut names = Vec::with_capacity(base.len());
    let mut renamed = Vec::new();
    for i in 0..base.len() {
        if repeated[i] {
            let new = with_suffix(i, zeros, &(i + 1).to_string());
            renamed.push((base[i].to_vec(), new.clone()));
            names.push(new);
        } else {
            names.push(base[i].to_vec());
        }
    }
    Columns { names, renamed }
}

/// `"name"` with `"` doubled (sqlite3's `%w` inside double quotes).
pub fn quote_ident(name: &[u8]) -> Vec<u8> {
    let mut q = Vec::with_capacity(name.len() + 2);
    q.push(b'"');
    for &b in name {
        q.push(b);
        if b == b'"' {
            q.push(b'"');
        }
    }
    q.push(b'"');
    q
}

/// The column list of 3.40.1's `CREATE TABLE` for `.import`: `(`, a newline, then every
/// column as `"NAME" TEXT`, four to a line (`, ` between them, `,` + newline + space before
/// the fifth, ninth, …), then `)`.
pub fn create_columns(names: &[Vec<u8>]) -> Vec<u8> {
    let mut s = b"(\n".to_vec();
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            s.extend_from_slice(if i % 4 == 0 { b",\n " } else { b", " });
        }
        s.extend_from_slice(&quote_ident(n));
        s.extend_from_slice(b" TEXT");
    }
    s.push(b')');
    s
}

/// The body of 3.40.1's `Columns renamed during .import FILE due to duplicates:` message:
/// `"old" to "new"` lines joined by `,` + newline.
pub fn renames_text(renamed: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let mut s = Vec::new();
    for (i, (old, new)) in renamed.iter().enumerate() {
        if i > 0 {
            s.extend_from_slice(b",\n");
        }
        s.extend_from_slice(&quote_ident(old));
        s.extend_from_slice(b" to ");
        s.extend_from_slice(&quote_ident(new));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(
        input: &[u8],
        format: Format,
        col: u8,
        row: u8,
    ) -> (Vec<(Vec<u8>, bool)>, Vec<Diag>) {
        let mut r = FieldReader::new(input, format, Sep(col), Sep(row));
        let mut out = Vec::new();
        let mut diags = Vec::new();
        loop {
            let got = r.next_field();
            diags.extend(r.take_diags());
            if !got {
                break;
            }
            out.push((r.field().to_vec(), r.ended_by_col()));
            if r.at_eof() {
                break;
            }
        }
        (out, diags)
    }

    fn csv(input: &[u8]) -> (Vec<(Vec<u8>, bool)>, Vec<Diag>) {
        read_all(input, Format::Csv, b',', b'\n')
    }

    fn f(s: &str, col: bool) -> (Vec<u8>, bool) {
        (s.as_bytes().to_vec(), col)
    }

    #[test]
    fn doubled_quotes_are_one_quote() {
        let (fields, diags) = csv(b"\"a\"\"b\",\"\"\n");
        assert_eq!(fields, vec![f("a\"b", true), f("", false)]);
        assert!(diags.is_empty());
    }

    #[test]
    fn a_quote_inside_an_unquoted_field_is_kept() {
        let (fields, _) = csv(b"a\"b, \"c\"\n");
        assert_eq!(fields, vec![f("a\"b", true), f(" \"c\"", false)]);
    }

    #[test]
    fn a_lone_quote_inside_quotes_warns_and_the_field_goes_on() {
        let (fields, diags) = csv(b"\"a\"b,c\nd\n");
        assert_eq!(fields, vec![f("a\"b,c\nd\n", false)]);
        assert_eq!(
            diags,
            vec![
                Diag::UnescapedQuote { line: 1 },
                Diag::Unterminated { line: 1 }
            ]
        );
    }

    #[test]
    fn quoted_fields_keep_newlines_and_lose_a_crlf_after_the_quote() {
        let (fields, diags) = csv(b"\"a\r\nb\",c\r\n\"d\"\r\n");
        assert_eq!(
            fields,
            vec![f("a\r\nb", true), f("c", false), f("d", false)]
        );
        assert!(diags.is_empty());
    }

    #[test]
    fn the_bom_is_skipped_only_at_the_start() {
        let (fields, _) = csv(b"\xef\xbb\xbfa,\xef\xbb\xbfb\n");
        assert_eq!(
            fields,
            vec![(b"a".to_vec(), true), (b"\xef\xbb\xbfb".to_vec(), false)]
        );
        let (fields, _) = csv(b"\xef\xbbx,y");
        assert_eq!(fields, vec![(b"\xef\xbbx".to_vec(), true), f("y", false)]);
    }

    #[test]
    fn ascii_fields_keep_everything_but_separators() {
        let (fields, _) = read_all(b"\"a\r\x1fb\x1e", Format::Ascii, 0x1f, 0x1e);
        assert_eq!(fields, vec![f("\"a\r", true), f("b", false)]);
    }

    #[test]
    fn high_separator_bytes_never_match() {
        let (fields, _) = read_all(b"a\x80b\n", Format::Csv, 0x80, b'\n');
        assert_eq!(fields, vec![(b"a\x80b".to_vec(), false)]);
    }

    #[test]
    fn lines_count_row_separators_inside_quotes_too() {
        let mut r = FieldReader::new(&b"\"a\nb\nc\",d\ne"[..], Format::Csv, Sep(b','), Sep(b'\n'));
        assert!(r.next_field());
        assert_eq!(r.line(), 3);
        assert!(r.next_field());
        assert_eq!(r.line(), 4);
    }

    fn names(h: &[&str]) -> Columns {
        let v: Vec<Vec<u8>> = h.iter().map(|s| s.as_bytes().to_vec()).collect();
        column_names(&v)
    }

    #[test]
    fn duplicate_names_get_their_position() {
        let c = names(&["a", "b", "a", "A", "", "b"]);
        let want: Vec<Vec<u8>> = ["a_1", "b_2", "a_3", "A_4", "?", "b_6"]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect();
        assert_eq!(c.names, want);
        assert_eq!(c.renamed.len(), 5);
    }

    #[test]
    fn a_clash_with_a_new_name_adds_zeros() {
        let c = names(&["a", "a", "a_1"]);
        let want: Vec<Vec<u8>> = ["a_01", "a_02", "a_1"]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect();
        assert_eq!(c.names, want);
    }

    #[test]
    fn create_columns_puts_four_on_a_line() {
        let n: Vec<Vec<u8>> = ["a", "b\"", "c", "d", "e"]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect();
        assert_eq!(
            create_columns(&n),
            b"(\n\"a\" TEXT, \"b\"\"\" TEXT, \"c\" TEXT, \"d\" TEXT,\n \"e\" TEXT)".to_vec()
        );
    }
}
