//! The pattern matchers the testing and checksum dot-commands need, on bytes:
//!
//! * [`like`]: `sqlite3_strlike(pattern, text, 0)`, the LIKE of `.sha3sum LIKE-PATTERN`
//!   (`%` and `_`, ASCII letters folded, no escape character);
//! * [`glob`]: `sqlite3_strglob(pattern, text)`, which `.lint fkey-indexes` tests query
//!   plans with (`*`, `?`, `[…]` sets with ranges and `^`; case sensitive);
//! * [`testcase_glob`]: the looser GLOB of sqlite3 3.40.1's `.check` (white space matches
//!   any run of white space, `#` matches an integer, trailing white space is ignored).
//!
//! The first two follow the library's rules character by character (UTF-8 sequences are
//! single characters, as SQLite reads them); `.check` compares single bytes, as the shell
//! does.

/// Decodes text the lenient way SQLite reads UTF-8: a lead byte of 0xc0 or more takes the
/// continuation bytes after it; anything else is one character.
fn chars(text: &[u8]) -> Vec<u32> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let lead = text[i];
        i += 1;
        if lead < 0xc0 {
            out.push(u32::from(lead));
            continue;
        }
        let mut c = u32::from(lead)
            & match lead {
                0xc0..=0xdf => 0x1f,
                0xe0..=0xef => 0x0f,
                0xf0..=0xf7 => 0x07,
                _ => 0x03,
            };
        while i < text.len() && text[i] & 0xc0 == 0x80 {
            c = (c << 6) | u32::from(text[i] & 0x3f);
            i += 1;
        }
        out.push(c);
    }
    out
}

/// The two dialects of SQLite's pattern compare.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    /// `%`, `_`, case folded for ASCII.
    Like,
    /// `*`, `?`, `[…]`, case sensitive.
    Glob,
}

impl Dialect {
    fn any_run(self) -> u32 {
        match self {
            Dialect::Like => u32::from(b'%'),
            Dialect::Glob => u32::from(b'*'),
        }
    }

    fn any_one(self) -> u32 {
        match self {
            Dialect::Like => u32::from(b'_'),
            Dialect::Glob => u32::from(b'?'),
        }
    }

    fn same(self, p: u32, s: u32) -> bool {
        if p == s {
            return true;
        }
        let fold = |c: u32| {
            u8::try_from(c)
                .ok()
                .filter(u8::is_ascii)
                .map(|b| b.to_ascii_lowercase())
        };
        self == Dialect::Like && fold(p).is_some() && fold(p) == fold(s)
    }
}

/// A GLOB set `[…]` at the start of `p` (just after its `[`) tested against `c`: the length
/// of the set in the pattern (through its `]`) when `c` is in it, `None` when it is not or
/// the set is not closed.
fn glob_set(p: &[u32], c: u32) -> Option<usize> {
    let (caret, close) = (u32::from(b'^'), u32::from(b']'));
    let mut i = 0;
    let invert = p.first() == Some(&caret);
    if invert {
        i += 1;
    }
    let mut seen = false;
    if p.get(i) == Some(&close) {
        seen = c == close;
        i += 1;
    }
    let mut prior: Option<u32> = None;
    loop {
        let item = *p.get(i)?;
        if item == close {
            break;
        }
        let dash = item == u32::from(b'-');
        match (dash, prior, p.get(i + 1)) {
            (true, Some(lo), Some(&hi)) if hi != close => {
                seen |= (lo..=hi).contains(&c);
                prior = None;
                i += 2;
            }
            _ => {
                seen |= c == item;
                prior = Some(item).filter(|&x| x > 0);
                i += 1;
            }
        }
    }
    (seen != invert).then_some(i + 1)
}

fn compare(p: &[u32], s: &[u32], d: Dialect) -> bool {
    let Some((&c, rest)) = p.split_first() else {
        return s.is_empty();
    };
    if c == d.any_run() {
        // A run of wildcards: each single-character one still needs a character.
        let mut rest = rest;
        let mut s = s;
        while let Some((&w, r)) = rest.split_first() {
            if w == d.any_run() {
                rest = r;
            } else if w == d.any_one() {
                let Some((_, t)) = s.split_first() else {
                    return false;
                };
                s = t;
                rest = r;
            } else {
                break;
            }
        }
        if rest.is_empty() {
            return true;
        }
        return (0..=s.len()).any(|k| compare(rest, &s[k..], d));
    }
    let Some((&sc, s_rest)) = s.split_first() else {
        return false;
    };
    if d == Dialect::Glob && c == u32::from(b'[') {
        return match glob_set(rest, sc) {
            Some(len) => compare(&rest[len..], s_rest, d),
            None => false,
        };
    }
    (c == d.any_one() || d.same(c, sc)) && compare(rest, s_rest, d)
}

/// `sqlite3_strlike(pattern, text, 0)` is a match.
pub fn like(pattern: &[u8], text: &[u8]) -> bool {
    compare(&chars(pattern), &chars(text), Dialect::Like)
}

/// `sqlite3_strglob(pattern, text)` is a match.
pub fn glob(pattern: &[u8], text: &[u8]) -> bool {
    compare(&chars(pattern), &chars(text), Dialect::Glob)
}

/// C's `isspace`.
fn is_space(c: u8) -> bool {
    crate::exec::is_space(c)
}

/// A `[…]` set of `.check` (just after its `[`) against the byte `c`: the set's length
/// through its `]` when `c` is in it. Bytes compare as C's signed `char`, so a range can
/// start only at an ASCII byte.
fn testcase_set(p: &[u8], c: u8) -> Option<usize> {
    let signed = |b: u8| i32::from(b as i8);
    let c = signed(c);
    let mut i = 0;
    let invert = p.first() == Some(&b'^');
    if invert {
        i += 1;
    }
    let mut seen = false;
    if p.get(i) == Some(&b']') {
        seen = c == i32::from(b']');
        i += 1;
    }
    let mut prior = 0;
    loop {
        let item = *p.get(i)?;
        if item == b']' {
            break;
        }
        match p.get(i + 1) {
            Some(&hi) if item == b'-' && hi != b']' && prior > 0 => {
                seen |= c >= prior && c <= signed(hi);
                prior = 0;
                i += 2;
            }
            _ => {
                seen |= c == signed(item);
                prior = signed(item);
                i += 1;
            }
        }
    }
    (seen != invert).then_some(i + 1)
}

/// sqlite3 3.40.1's `.check` pattern test: GLOB over bytes where white space in the
/// pattern matches one or more white-space bytes, `#` matches an optionally signed
/// integer, and white space left at the end of the text is ignored.
pub fn testcase_glob(pattern: &[u8], text: &[u8]) -> bool {
    let mut p = pattern;
    let mut z = text;
    while let Some((&c, rest)) = p.split_first() {
        p = rest;
        if is_space(c) {
            if !z.first().copied().is_some_and(is_space) {
                return false;
            }
            p = trim_space(p);
            z = trim_space(z);
        } else if c == b'*' {
            let mut next = None;
            while let Some((&w, r)) = p.split_first() {
                p = r;
                if w == b'?' {
                    let Some((_, t)) = z.split_first() else {
                        return false;
                    };
                    z = t;
                } else if w != b'*' {
                    next = Some(w);
                    break;
                }
            }
            let Some(next) = next else {
                return true;
            };
            if next == b'[' {
                // Every position where the set and the rest match.
                let set = &pattern[pattern.len() - p.len() - 1..];
                return (0..z.len()).any(|k| testcase_glob(set, &z[k..]));
            }
            // The byte after the stars is matched literally, then the rest recursively.
            return (0..z.len()).any(|k| z[k] == next && testcase_glob(p, &z[k + 1..]));
        } else if c == b'?' {
            let Some((_, t)) = z.split_first() else {
                return false;
            };
            z = t;
        } else if c == b'[' {
            let Some((&zc, t)) = z.split_first() else {
                return false;
            };
            let Some(len) = testcase_set(p, zc) else {
                return false;
            };
            p = &p[len..];
            z = t;
        } else if c == b'#' {
            if matches!(z.first(), Some(b'-' | b'+')) && z.get(1).is_some_and(u8::is_ascii_digit) {
                z = &z[1..];
            }
            let digits = z.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 {
                return false;
            }
            z = &z[digits..];
        } else {
            match z.split_first() {
                Some((&zc, t)) if zc == c => z = t,
                _ => return false,
            }
        }
    }
    trim_space(z).is_empty()
}

fn trim_space(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|&&c| is_space(c)).count();
    &b[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_folds_ascii_and_has_no_escape() {
        assert!(like(b"T%", b"t1"));
        assert!(like(b"_1", b"t1"));
        assert!(!like(b"_", b"t1"));
        assert!(like(b"%", b""));
        assert!(like(b"\xc3\xa4_", "äx".as_bytes()));
        assert!(!like("Ä".as_bytes(), "ä".as_bytes()));
        assert!(like("_b".as_bytes(), "äb".as_bytes()));
        assert!(!like(b"a\\%", b"a%"));
        assert!(like(b"%_%_", b"ab"));
        assert!(!like(b"%_%_", b"a"));
    }

    #[test]
    fn glob_sets_and_stars() {
        assert!(glob(
            b"SEARCH c USING COVERING INDEX*(*=? AND *=?)",
            b"SEARCH c USING COVERING INDEX ci (a=? AND b=?)"
        ));
        assert!(!glob(b"SEARCH c USING COVERING INDEX*(*=?)", b"SCAN c"));
        assert!(glob(b"[a-c]x", b"bx"));
        assert!(!glob(b"[^a-c]x", b"bx"));
        assert!(glob(b"[]]", b"]"));
        assert!(glob(b"[a-]", b"-"));
        assert!(!glob(b"[abc", b"a"));
        assert!(!glob(b"A", b"a"));
        assert!(glob(b"*[0-9]", b"abc7"));
    }

    #[test]
    fn testcase_glob_follows_the_shell() {
        assert!(testcase_glob(b"1 hi", b"1\nhi\n"));
        assert!(!testcase_glob(b"1 hi", b"1hi"));
        assert!(testcase_glob(b"#", b"-12\n"));
        assert!(!testcase_glob(b"#", b"x"));
        assert!(testcase_glob(b"a*", b"aaaa\n"));
        assert!(!testcase_glob(b"a#", b"aaaa\n"));
        assert!(testcase_glob(b"*[4-6]", b"x5"));
        assert!(testcase_glob(b"*5", b"x5  \n"));
        assert!(!testcase_glob(b"?", b""));
        assert!(testcase_glob(b"", b" \n"));
    }
}
