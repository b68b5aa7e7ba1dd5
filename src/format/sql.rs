//! SQL literals and identifiers exactly as sqlite3 3.40.1 writes them in `.dump`,
//! `.mode insert` and `.mode quote`.

/// sqlite3's `quoteChar()`: an identifier needs double quotes unless it is
/// `[A-Za-z_][A-Za-z0-9_]*` and not a keyword.
pub fn needs_quote(name: &[u8]) -> bool {
    match name.first() {
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {}
        _ => return true,
    }
    if !name.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_') {
        return true;
    }
    crate::exec::raw::is_keyword(name)
}

/// Appends `name`, wrapped in `q` (with inner `q` doubled) when `q` is given
/// (sqlite3's `appendText()`).
pub fn push_ident(buf: &mut Vec<u8>, name: &[u8], q: Option<u8>) {
    match q {
        None => buf.extend_from_slice(name),
        Some(q) => {
            buf.push(q);
            push_doubled(buf, name, q);
            buf.push(q);
        }
    }
}

/// `name` quoted with `"` when [`needs_quote`] says so.
pub fn ident(buf: &mut Vec<u8>, name: &[u8]) {
    push_ident(buf, name, needs_quote(name).then_some(b'"'));
}

/// `X'…'` with lowercase hex digits (sqlite3's `output_hex_blob`).
pub fn hex_blob(buf: &mut Vec<u8>, b: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    /// Each byte's two hex digits.
    const PAIRS: [[u8; 2]; 256] = {
        let mut t = [[0u8; 2]; 256];
        let mut i = 0;
        while i < 256 {
            t[i] = [HEX[i >> 4], HEX[i & 15]];
            i += 1;
        }
        t
    };
    buf.reserve(b.len() * 2 + 3);
    buf.extend_from_slice(b"X'");
    for &c in b {
        buf.extend_from_slice(&PAIRS[usize::from(c)]);
    }
    buf.push(b'\'');
}

/// Appends `z` with every `q` doubled (the quoting rule of SQL strings and identifiers,
/// and of CSV fields).
pub fn push_doubled(buf: &mut Vec<u8>, z: &[u8], q: u8) {
    let mut rest = z;
    while let Some(i) = memchr::memchr(q, rest) {
        buf.extend_from_slice(&rest[..=i]);
        buf.push(q);
        rest = &rest[i + 1..];
    }
    buf.extend_from_slice(rest);
}

/// A text value as a single-quoted literal with raw newlines (`output_quoted_string`,
/// used with `.dump --newlines`).
pub fn quoted_string(buf: &mut Vec<u8>, z: &[u8]) {
    buf.reserve(z.len() + 2);
    buf.push(b'\'');
    push_doubled(buf, z, b'\'');
    buf.push(b'\'');
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

/// sqlite3's `unused_string()`: a marker that does not occur in `z`.
fn unused_marker(z: &[u8], a: &str, b: &str) -> String {
    if !contains(z, a.as_bytes()) {
        return a.to_string();
    }
    if !contains(z, b.as_bytes()) {
        return b.to_string();
    }
    (0u32..)
        .map(|i| format!("({a}{i})"))
        .find(|m| !contains(z, m.as_bytes()))
        .unwrap_or_default()
}

/// A text value as a literal whose newlines and carriage returns are spelled with
/// `replace(…,'\n',char(10))` (sqlite3 3.40.1's `output_quoted_escaped_string`).
pub fn quoted_escaped_string(buf: &mut Vec<u8>, z: &[u8]) {
    if memchr::memchr2(b'\n', b'\r', z).is_none() {
        quoted_string(buf, z);
        return;
    }
    let nl = memchr::memchr(b'\n', z).map(|_| unused_marker(z, "\\n", "\\012"));
    let cr = memchr::memchr(b'\r', z).map(|_| unused_marker(z, "\\r", "\\015"));
    if nl.is_some() {
        buf.extend_from_slice(b"replace(");
    }
    if cr.is_some() {
        buf.extend_from_slice(b"replace(");
    }
    buf.push(b'\'');
    let mut rest = z;
    while let Some(i) = memchr::memchr3(b'\n', b'\r', b'\'', rest) {
        buf.extend_from_slice(&rest[..i]);
        match rest[i] {
            b'\n' => buf.extend_from_slice(nl.as_deref().unwrap_or_default().as_bytes()),
            b'\r' => buf.extend_from_slice(cr.as_deref().unwrap_or_default().as_bytes()),
            _ => buf.extend_from_slice(b"''"),
        }
        rest = &rest[i + 1..];
    }
    buf.extend_from_slice(rest);
    buf.push(b'\'');
    if let Some(cr) = cr {
        buf.extend_from_slice(b",'");
        buf.extend_from_slice(cr.as_bytes());
        buf.extend_from_slice(b"',char(13))");
    }
    if let Some(nl) = nl {
        buf.extend_from_slice(b",'");
        buf.extend_from_slice(nl.as_bytes());
        buf.extend_from_slice(b"',char(10))");
    }
}

/// A text value that holds a NUL byte, which sqlite3 3.40.1 would cut short at the NUL
/// (it handles text as C strings). litesh keeps every byte: `CAST(X'…' AS TEXT)` loads in
/// every sqlite3 version. See docs/compat.md.
pub fn text_with_nul(buf: &mut Vec<u8>, z: &[u8]) {
    buf.extend_from_slice(b"CAST(");
    hex_blob(buf, z);
    buf.extend_from_slice(b" AS TEXT)");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(z: &[u8]) -> String {
        let mut b = Vec::new();
        quoted_escaped_string(&mut b, z);
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn plain_text_is_single_quoted_with_doubled_quotes() {
        assert_eq!(esc(b"it's"), "'it''s'");
    }

    #[test]
    fn newlines_and_returns_use_nested_replace() {
        assert_eq!(esc(b"a\nb"), "replace('a\\nb','\\n',char(10))");
        assert_eq!(
            esc(b"a\r\nb"),
            "replace(replace('a\\r\\nb','\\r',char(13)),'\\n',char(10))"
        );
    }

    #[test]
    fn marker_avoids_text_that_already_holds_it() {
        assert_eq!(esc(b"\\n\n"), "replace('\\n\\012','\\012',char(10))");
        assert_eq!(
            esc(b"\\n\\012\n"),
            "replace('\\n\\012(\\n0)','(\\n0)',char(10))"
        );
    }

    #[test]
    fn blobs_are_capital_x_lowercase_hex() {
        let mut b = Vec::new();
        hex_blob(&mut b, &[0x0a, 0x1b, 0xff]);
        assert_eq!(b, b"X'0a1bff'");
    }

    #[test]
    fn identifiers_are_quoted_only_when_needed() {
        let mut b = Vec::new();
        push_ident(&mut b, b"a\"b", Some(b'"'));
        assert_eq!(b, b"\"a\"\"b\"");
        assert!(needs_quote(b"1a"));
        assert!(needs_quote(b"a b"));
        assert!(!needs_quote(b"_a1"));
    }
}
