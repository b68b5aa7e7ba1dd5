//! `csv` mode, as sqlite3 3.40.1's `output_csv()` writes it.
//!
//! A field is wrapped in double quotes (inner `"` doubled) when it is empty, holds any byte
//! of `needCsvQuote[]` (control characters, space, `"`, `'`, DEL and every byte ≥ 0x80, so
//! all non-ASCII text), or contains the column separator. NULL is the `.nullvalue` text,
//! never quoted. Blobs are their raw bytes cut at the first NUL, like any text. The row
//! separator is whatever is set: `.mode csv` sets CRLF, the `-csv` flag keeps LF.

use std::io::{self, Write};

use super::{cut_nul, push_joined, push_text, RenderOpts, Renderer};
use crate::exec::raw::Value;

/// `csv` mode.
pub struct Csv<'o> {
    o: &'o RenderOpts,
    /// The row being written (kept to reuse its allocation).
    buf: Vec<u8>,
    /// A value's text before it is quoted.
    field: Vec<u8>,
}

impl<'o> Csv<'o> {
    /// A csv renderer.
    pub fn new(o: &'o RenderOpts) -> Self {
        Csv {
            o,
            buf: Vec::with_capacity(256),
            field: Vec::with_capacity(64),
        }
    }
}

/// sqlite3's `needCsvQuote[]`: bytes that force a field into quotes (control characters,
/// space, `"`, `'`, DEL and every byte ≥ 0x80).
const NEEDS_QUOTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = c <= b' ' as usize || c == b'"' as usize || c == b'\'' as usize || c >= 0x7f;
        c += 1;
    }
    t
};

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    // C's strstr: an empty needle is found everywhere.
    match needle {
        [] => true,
        [c] => memchr::memchr(*c, hay).is_some(),
        _ => memchr::memmem::find(hay, needle).is_some(),
    }
}

/// Appends one CSV field (`output_csv` without the separator).
pub fn push_field(buf: &mut Vec<u8>, z: &[u8], col_sep: &[u8]) {
    let sep = cut_nul(col_sep);
    if z.is_empty() || z.iter().any(|&c| NEEDS_QUOTE[c as usize]) || contains(z, sep) {
        buf.reserve(z.len() + 2);
        buf.push(b'"');
        crate::format::sql::push_doubled(buf, z, b'"');
        buf.push(b'"');
    } else {
        buf.extend_from_slice(z);
    }
}

impl Renderer for Csv<'_> {
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
                push_field(b, cut_nul(n), &o.col_sep)
            });
        }
        if !vals.is_empty() {
            let field = &mut self.field;
            push_joined(buf, vals, &o.col_sep, &o.row_sep, |b, v| match *v {
                Value::Null => b.extend_from_slice(&o.null_value),
                Value::Text(t) | Value::Blob(t) => push_field(b, cut_nul(t), &o.col_sep),
                Value::Integer(_) | Value::Real(_) => {
                    field.clear();
                    push_text(field, v);
                    push_field(b, field, &o.col_sep)
                }
            });
        }
        out.write_all(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(z: &[u8], sep: &[u8]) -> Vec<u8> {
        let mut b = Vec::new();
        push_field(&mut b, z, sep);
        b
    }

    #[test]
    fn plain_fields_stay_bare() {
        assert_eq!(field(b"abc", b","), b"abc");
        assert_eq!(field(b"1.5", b","), b"1.5");
    }

    #[test]
    fn awkward_fields_are_quoted_like_sqlite3() {
        assert_eq!(field(b"", b","), b"\"\"");
        assert_eq!(field(b"a b", b","), b"\"a b\"");
        assert_eq!(field(b"a\"b", b","), b"\"a\"\"b\"");
        assert_eq!(field(b"it's", b","), b"\"it's\"");
        assert_eq!(field("é".as_bytes(), b","), "\"é\"".as_bytes());
        assert_eq!(field(b"a,b", b","), b"\"a,b\"");
        assert_eq!(field(b"a;b", b";"), b"\"a;b\"");
        assert_eq!(field(b"a", b""), b"\"a\"");
    }
}
