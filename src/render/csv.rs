//! `csv` mode, as sqlite3 3.40.1's `output_csv()` writes it.
//!
//! A field is wrapped in double quotes (inner `"` doubled) when it is empty, holds any byte
//! of `needCsvQuote[]` (control characters, space, `"`, `'`, DEL and every byte ≥ 0x80, so
//! all non-ASCII text), or contains the column separator. NULL is the `.nullvalue` text,
//! never quoted. Blobs are their raw bytes cut at the first NUL, like any text. The row
//! separator is whatever is set: `.mode csv` sets CRLF, the `-csv` flag keeps LF.

use std::io::{self, Write};

use super::{cut_nul, push_joined, text_of, RenderOpts, Renderer};
use crate::exec::raw::Value;

/// `csv` mode.
pub struct Csv<'o>(pub &'o RenderOpts);

/// sqlite3's `needCsvQuote[]`: bytes that force a field into quotes.
fn needs_csv_quote(c: u8) -> bool {
    c <= b' ' || c == b'"' || c == b'\'' || c >= 0x7f
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    // C's strstr: an empty needle is found everywhere.
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// Appends one CSV field (`output_csv` without the separator).
pub fn push_field(buf: &mut Vec<u8>, z: &[u8], col_sep: &[u8]) {
    let sep = cut_nul(col_sep);
    if z.is_empty() || z.iter().any(|&c| needs_csv_quote(c)) || contains(z, sep) {
        buf.push(b'"');
        for &c in z {
            buf.push(c);
            if c == b'"' {
                buf.push(b'"');
            }
        }
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
        let o = self.0;
        let mut buf = Vec::with_capacity(64);
        if index == 0 && o.show_header {
            push_joined(&mut buf, names, &o.col_sep, &o.row_sep, |b, n| {
                push_field(b, cut_nul(n), &o.col_sep)
            });
        }
        if !vals.is_empty() {
            push_joined(
                &mut buf,
                vals,
                &o.col_sep,
                &o.row_sep,
                |b, v| match text_of(v) {
                    Some(t) => push_field(b, &t, &o.col_sep),
                    None => b.extend_from_slice(&o.null_value),
                },
            );
        }
        out.write_all(&buf)
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
