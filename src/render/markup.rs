//! The escaping streaming modes: `html`, `tcl` and `json`, each with sqlite3 3.40.1's own
//! escaping routine (`output_html_string`, `output_c_string`, `output_json_string`).
//!
//! Blob rules differ: html and tcl show a blob as its raw bytes cut at the first NUL (the
//! value of `sqlite3_column_text`); json writes every byte of the blob as a JSON string.

use std::io::{self, Write};

use super::{cut_nul, push_joined, text_of, RenderOpts, Renderer};
use crate::exec::raw::Value;
use crate::format;

/// sqlite3's `output_html_string`: `<`, `&`, `>`, `"` and `'` become entities.
pub fn push_html(buf: &mut Vec<u8>, z: &[u8]) {
    for &c in cut_nul(z) {
        match c {
            b'<' => buf.extend_from_slice(b"&lt;"),
            b'&' => buf.extend_from_slice(b"&amp;"),
            b'>' => buf.extend_from_slice(b"&gt;"),
            b'"' => buf.extend_from_slice(b"&quot;"),
            b'\'' => buf.extend_from_slice(b"&#39;"),
            c => buf.push(c),
        }
    }
}

/// sqlite3's `output_c_string`: a double-quoted C/TCL string. `\`, `"`, TAB, LF and CR get
/// backslash escapes; every other byte that is not printable in the C locale (control
/// characters, DEL and all bytes ≥ 0x80, so UTF-8 text too) becomes `\ooo` octal.
pub fn push_c_string(buf: &mut Vec<u8>, z: &[u8]) {
    buf.push(b'"');
    for &c in cut_nul(z) {
        match c {
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            0x20..=0x7e => buf.push(c),
            c => buf.extend_from_slice(format!("\\{c:03o}").as_bytes()),
        }
    }
    buf.push(b'"');
}

/// sqlite3's `output_json_string` over exactly these bytes: `\` and `"` escaped, control
/// characters as `\b \f \n \r \t` or `\u00XX`; bytes ≥ 0x80 (and DEL) pass through raw.
pub fn push_json_string(buf: &mut Vec<u8>, z: &[u8]) {
    buf.push(b'"');
    for &c in z {
        match c {
            b'\\' | b'"' => {
                buf.push(b'\\');
                buf.push(c);
            }
            0x08 => buf.extend_from_slice(b"\\b"),
            0x0c => buf.extend_from_slice(b"\\f"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            0..=0x1f => buf.extend_from_slice(format!("\\u{c:04x}").as_bytes()),
            c => buf.push(c),
        }
    }
    buf.push(b'"');
}

/// `html` mode: `<TR>` rows of `<TD>` cells (one per line), `<TH>` for the header.
pub struct Html<'o>(pub &'o RenderOpts);

impl Renderer for Html<'_> {
    fn row(
        &mut self,
        out: &mut dyn Write,
        names: &[Vec<u8>],
        vals: &[Value<'_>],
        index: u64,
    ) -> io::Result<()> {
        let o = self.0;
        let mut buf = Vec::with_capacity(128);
        if index == 0 && o.show_header {
            buf.extend_from_slice(b"<TR>");
            for n in names {
                buf.extend_from_slice(b"<TH>");
                push_html(&mut buf, n);
                buf.extend_from_slice(b"</TH>\n");
            }
            buf.extend_from_slice(b"</TR>\n");
        }
        buf.extend_from_slice(b"<TR>");
        for v in vals {
            buf.extend_from_slice(b"<TD>");
            match text_of(v) {
                Some(t) => push_html(&mut buf, &t),
                None => push_html(&mut buf, &o.null_value),
            }
            buf.extend_from_slice(b"</TD>\n");
        }
        buf.extend_from_slice(b"</TR>\n");
        out.write_all(&buf)
    }
}

/// `tcl` mode: every name and value as a C string, joined by the column separator.
pub struct Tcl<'o>(pub &'o RenderOpts);

impl Renderer for Tcl<'_> {
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
                push_c_string(b, n)
            });
        }
        push_joined(
            &mut buf,
            vals,
            &o.col_sep,
            &o.row_sep,
            |b, v| match text_of(v) {
                Some(t) => push_c_string(b, &t),
                None => push_c_string(b, &o.null_value),
            },
        );
        out.write_all(&buf)
    }
}

/// `json` mode: `[{"name":value,…},\n{…}]` plus a newline, each row written as it comes.
///
/// As in 3.40.1: integers bare, REALs as numbers (±∞ as `1e999`/`-1e999`), text as a JSON
/// string cut at its first NUL, blobs as a JSON string of all their bytes, NULL as `null`.
/// REAL digits are litesh's shortest round-trip form (see docs/compat.md) instead of
/// 3.40.1's 20-digit `%!.20g`.
pub struct Json;

impl Renderer for Json {
    fn row(
        &mut self,
        out: &mut dyn Write,
        names: &[Vec<u8>],
        vals: &[Value<'_>],
        index: u64,
    ) -> io::Result<()> {
        let mut buf = Vec::with_capacity(128);
        buf.extend_from_slice(if index == 0 { b"[{" } else { b",\n{" });
        for (i, (n, v)) in names.iter().zip(vals).enumerate() {
            push_json_string(&mut buf, cut_nul(n));
            buf.push(b':');
            match *v {
                Value::Null => buf.extend_from_slice(b"null"),
                Value::Integer(x) => buf.extend_from_slice(x.to_string().as_bytes()),
                // real_sql writes ±∞ as 1e999/-1e999, as sqlite3's json mode does.
                Value::Real(r) => buf.extend_from_slice(format::real_sql(r).as_bytes()),
                Value::Text(t) => push_json_string(&mut buf, cut_nul(t)),
                Value::Blob(b) => push_json_string(&mut buf, b),
            }
            if i + 1 < vals.len() {
                buf.push(b',');
            }
        }
        buf.push(b'}');
        out.write_all(&buf)
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
