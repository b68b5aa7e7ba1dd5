//! The escaping streaming modes: `html`, `tcl` and `json`, each with sqlite3 3.40.1's own
//! escaping routine (`output_html_string`, `output_c_string`, `output_json_string`).
//!
//! Blob rules differ: html and tcl show a blob as its raw bytes cut at the first NUL (the
//! value of `sqlite3_column_text`); json writes every byte of the blob as a JSON string.

use std::io::{self, Write};

use super::{cut_nul, push_int, push_joined, push_text, RenderOpts, Renderer};
use crate::exec::raw::Value;
use crate::format;

/// Appends `z`, each byte for which `escape` gives a replacement replaced: the runs between
/// them are copied whole.
fn push_escaped(
    buf: &mut Vec<u8>,
    z: &[u8],
    special: &[bool; 256],
    escape: impl Fn(&mut Vec<u8>, u8),
) {
    buf.reserve(z.len());
    let mut rest = z;
    while let Some(i) = rest.iter().position(|&c| special[c as usize]) {
        buf.extend_from_slice(&rest[..i]);
        escape(buf, rest[i]);
        rest = &rest[i + 1..];
    }
    buf.extend_from_slice(rest);
}

/// A byte table from a condition on `c` (for [`push_escaped`]).
macro_rules! byte_table {
    (|$c:ident| $cond:expr) => {{
        let mut t = [false; 256];
        let mut i = 0;
        while i < 256 {
            let $c = i as u8;
            t[i] = $cond;
            i += 1;
        }
        t
    }};
}

const HTML_SPECIAL: [bool; 256] = byte_table!(|c| matches!(c, b'<' | b'&' | b'>' | b'"' | b'\''));
const C_SPECIAL: [bool; 256] =
    byte_table!(|c| !matches!(c, 0x20..=0x7e) || c == b'\\' || c == b'"');
const JSON_SPECIAL: [bool; 256] = byte_table!(|c| c < 0x20 || c == b'\\' || c == b'"');

/// sqlite3's `output_html_string`: `<`, `&`, `>`, `"` and `'` become entities.
pub fn push_html(buf: &mut Vec<u8>, z: &[u8]) {
    push_escaped(buf, cut_nul(z), &HTML_SPECIAL, |buf, c| {
        buf.extend_from_slice(match c {
            b'<' => b"&lt;".as_slice(),
            b'&' => b"&amp;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            _ => b"&#39;",
        })
    });
}

/// sqlite3's `output_c_string`: a double-quoted C/TCL string. `\`, `"`, TAB, LF and CR get
/// backslash escapes; every other byte that is not printable in the C locale (control
/// characters, DEL and all bytes ≥ 0x80, so UTF-8 text too) becomes `\ooo` octal.
pub fn push_c_string(buf: &mut Vec<u8>, z: &[u8]) {
    buf.push(b'"');
    push_escaped(buf, cut_nul(z), &C_SPECIAL, |buf, c| match c {
        b'\\' => buf.extend_from_slice(b"\\\\"),
        b'"' => buf.extend_from_slice(b"\\\""),
        b'\t' => buf.extend_from_slice(b"\\t"),
        b'\n' => buf.extend_from_slice(b"\\n"),
        b'\r' => buf.extend_from_slice(b"\\r"),
        c => buf.extend_from_slice(&[
            b'\\',
            b'0' + (c >> 6),
            b'0' + ((c >> 3) & 7),
            b'0' + (c & 7),
        ]),
    });
    buf.push(b'"');
}

/// sqlite3's `output_json_string` over exactly these bytes: `\` and `"` escaped, control
/// characters as `\b \f \n \r \t` or `\u00XX`; bytes ≥ 0x80 (and DEL) pass through raw.
pub fn push_json_string(buf: &mut Vec<u8>, z: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    buf.push(b'"');
    push_escaped(buf, z, &JSON_SPECIAL, |buf, c| match c {
        b'\\' | b'"' => buf.extend_from_slice(&[b'\\', c]),
        0x08 => buf.extend_from_slice(b"\\b"),
        0x0c => buf.extend_from_slice(b"\\f"),
        b'\n' => buf.extend_from_slice(b"\\n"),
        b'\r' => buf.extend_from_slice(b"\\r"),
        b'\t' => buf.extend_from_slice(b"\\t"),
        c => buf.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(c >> 4)],
            HEX[usize::from(c & 15)],
        ]),
    });
    buf.push(b'"');
}

/// `html` mode: `<TR>` rows of `<TD>` cells (one per line), `<TH>` for the header.
pub struct Html<'o> {
    o: &'o RenderOpts,
    /// The row being written (kept to reuse its allocation).
    buf: Vec<u8>,
    /// A value's text before it is escaped.
    field: Vec<u8>,
}

impl<'o> Html<'o> {
    /// An html renderer.
    pub fn new(o: &'o RenderOpts) -> Self {
        Html {
            o,
            buf: Vec::with_capacity(256),
            field: Vec::with_capacity(64),
        }
    }
}

impl Renderer for Html<'_> {
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
            buf.extend_from_slice(b"<TR>");
            for n in names {
                buf.extend_from_slice(b"<TH>");
                push_html(buf, n);
                buf.extend_from_slice(b"</TH>\n");
            }
            buf.extend_from_slice(b"</TR>\n");
        }
        buf.extend_from_slice(b"<TR>");
        for v in vals {
            buf.extend_from_slice(b"<TD>");
            self.field.clear();
            if push_text(&mut self.field, v) {
                push_html(buf, &self.field);
            } else {
                push_html(buf, &o.null_value);
            }
            buf.extend_from_slice(b"</TD>\n");
        }
        buf.extend_from_slice(b"</TR>\n");
        out.write_all(buf)
    }
}

/// `tcl` mode: every name and value as a C string, joined by the column separator.
pub struct Tcl<'o> {
    o: &'o RenderOpts,
    /// The row being written (kept to reuse its allocation).
    buf: Vec<u8>,
    /// A value's text before it is escaped.
    field: Vec<u8>,
}

impl<'o> Tcl<'o> {
    /// A tcl renderer.
    pub fn new(o: &'o RenderOpts) -> Self {
        Tcl {
            o,
            buf: Vec::with_capacity(256),
            field: Vec::with_capacity(64),
        }
    }
}

impl Renderer for Tcl<'_> {
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
                push_c_string(b, n)
            });
        }
        let field = &mut self.field;
        push_joined(buf, vals, &o.col_sep, &o.row_sep, |b, v| {
            field.clear();
            if push_text(field, v) {
                push_c_string(b, field);
            } else {
                push_c_string(b, &o.null_value);
            }
        });
        out.write_all(buf)
    }
}

/// `json` mode: `[{"name":value,…},\n{…}]` plus a newline, each row written as it comes.
///
/// As in 3.40.1: integers bare, REALs as numbers (±∞ as `1e999`/`-1e999`), text as a JSON
/// string cut at its first NUL, blobs as a JSON string of all their bytes, NULL as `null`.
/// REAL digits are litesh's shortest round-trip form (see docs/compat.md) instead of
/// 3.40.1's 20-digit `%!.20g`.
#[derive(Default)]
pub struct Json {
    /// The row being written (kept to reuse its allocation).
    buf: Vec<u8>,
}

impl Renderer for Json {
    fn row(
        &mut self,
        out: &mut dyn Write,
        names: &[Vec<u8>],
        vals: &[Value<'_>],
        index: u64,
    ) -> io::Result<()> {
        let buf = &mut self.buf;
        buf.clear();
        buf.extend_from_slice(if index == 0 { b"[{" } else { b",\n{" });
        for (i, (n, v)) in names.iter().zip(vals).enumerate() {
            push_json_string(buf, cut_nul(n));
            buf.push(b':');
            match *v {
                Value::Null => buf.extend_from_slice(b"null"),
                Value::Integer(x) => push_int(buf, x),
                // real_sql writes ±∞ as 1e999/-1e999, as sqlite3's json mode does.
                Value::Real(r) => format::push_real_sql(buf, r),
                Value::Text(t) => push_json_string(buf, cut_nul(t)),
                Value::Blob(b) => push_json_string(buf, b),
            }
            if i + 1 < vals.len() {
                buf.push(b',');
            }
        }
        buf.push(b'}');
        out.write_all(buf)
    }

    fn finish(&mut self, out: &mut dyn Write, _names: &[Vec<u8>]) -> io::Result<()> {
        out.write_all(b"]\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(f: fn(&mut Vec<u8>, &[u8]), z: &[u8]) -> String {
        let mut b = Vec::new();
        f(&mut b, z);
        String::from_utf8_lossy(&b).into_owned()
    }

    #[test]
    fn html_escapes_five_characters() {
        assert_eq!(with(push_html, b"<a&b>\"'"), "&lt;a&amp;b&gt;&quot;&#39;");
    }

    #[test]
    fn c_strings_escape_non_ascii_as_octal() {
        assert_eq!(
            with(push_c_string, "a\"\\\t\n\r\x01é".as_bytes()),
            "\"a\\\"\\\\\\t\\n\\r\\001\\303\\251\""
        );
    }

    #[test]
    fn json_strings_escape_controls_only() {
        assert_eq!(
            with(push_json_string, "\"\\\x08\x0c\n\r\t\x01\x00é".as_bytes()),
            "\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u0000é\""
        );
    }
}
