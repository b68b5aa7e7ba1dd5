//! A small SQL lexer for the completer.
//!
//! It only has to tell the completer what the cursor sits in and what came before it, so it
//! never fails: every byte belongs to exactly one token, and unterminated strings, quoted
//! names and comments run to the end of the text and say so. Token boundaries always fall on
//! ASCII bytes or at the ends of the text (bytes of multi-byte characters are identifier
//! bytes, as in SQLite's own tokenizer, or sit inside a string), so they are char
//! boundaries.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A run of white space.
    Space,
    /// `-- ...` up to (not including) the newline; `closed` when a newline follows.
    LineComment { closed: bool },
    /// `/* ... */`.
    BlockComment { closed: bool },
    /// A `'...'` string literal.
    Str { closed: bool },
    /// A quoted name: `"..."`, `[...]` or `` `...` ``; `open` is the opening byte.
    Quoted { open: u8, closed: bool },
    /// An identifier or keyword.
    Word,
    /// A numeric literal (and any identifier bytes glued to it).
    Number,
    /// A parameter: `?NNN`, `:name`, `@name`, `$name`.
    Variable,
    /// An operator or punctuation mark.
    Punct,
}

/// One token: its kind and byte span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// Its text within `src`.
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.start..self.end).unwrap_or("")
    }

    /// White space or a comment.
    pub fn is_trivia(&self) -> bool {
        matches!(
            self.kind,
            Kind::Space | Kind::LineComment { .. } | Kind::BlockComment { .. }
        )
    }

    /// A string, quoted name or comment missing its end.
    #[cfg(test)]
    pub fn is_unterminated(&self) -> bool {
        matches!(
            self.kind,
            Kind::LineComment { closed: false }
                | Kind::BlockComment { closed: false }
                | Kind::Str { closed: false }
                | Kind::Quoted { closed: false, .. }
        )
    }
}

/// SQLite's identifier start bytes (any byte of a multi-byte character included).
pub(crate) fn is_id_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

/// SQLite's identifier bytes.
pub(crate) fn is_id_byte(b: u8) -> bool {
    is_id_start(b) || b.is_ascii_digit() || b == b'$'
}

/// White space as SQLite's tokenizer sees it.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0c | b'\r')
}

/// Cuts `src` into tokens covering it completely.
pub(crate) fn lex(src: &str) -> Vec<Token> {
    let s = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let (kind, end) = next(s, i);
        // Every branch of `next` consumes at least one byte; guard anyway.
        let end = end.max(i + 1).min(s.len());
        out.push(Token {
            kind,
            start: i,
            end,
        });
        i = end;
    }
    out
}

/// The token starting at `i` (which is below `s.len()`): its kind and end.
fn next(s: &[u8], i: usize) -> (Kind, usize) {
    let b = s[i];
    let at = |k: usize| s.get(k).copied();
    match b {
        _ if is_space(b) => (Kind::Space, run(s, i, is_space)),
        b'-' if at(i + 1) == Some(b'-') => match s[i..].iter().position(|&c| c == b'\n') {
            Some(n) => (Kind::LineComment { closed: true }, i + n),
            None => (Kind::LineComment { closed: false }, s.len()),
        },
        b'/' if at(i + 1) == Some(b'*') => match find(s, i + 2, b"*/") {
            Some(k) => (Kind::BlockComment { closed: true }, k + 2),
            None => (Kind::BlockComment { closed: false }, s.len()),
        },
        b'\'' => {
            let (end, closed) = quoted(s, i, b'\'', true);
            (Kind::Str { closed }, end)
        }
        b'"' | b'`' | b'[' => {
            let close = if b == b'[' { b']' } else { b };
            let (end, closed) = quoted(s, i, close, b != b'[');
            (Kind::Quoted { open: b, closed }, end)
        }
        b'0'..=b'9' => (Kind::Number, number(s, i)),
        b'.' if at(i + 1).is_some_and(|c| c.is_ascii_digit()) => (Kind::Number, number(s, i)),
        b'?' => (Kind::Variable, run(s, i + 1, |c| c.is_ascii_digit())),
        b':' | b'@' | b'$' if at(i + 1).is_some_and(is_id_byte) => {
            (Kind::Variable, run(s, i + 1, is_id_byte))
        }
        _ if is_id_start(b) => (Kind::Word, run(s, i, is_id_byte)),
        _ => (Kind::Punct, i + punct_len(&s[i..])),
    }
}

/// The end of the run of bytes satisfying `f` from `i`.
fn run(s: &[u8], i: usize, f: impl Fn(u8) -> bool) -> usize {
    i + s
        .get(i..)
        .map_or(0, |t| t.iter().take_while(|&&c| f(c)).count())
}

/// The first position at or after `from` where `pat` occurs.
fn find(s: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    s.get(from..)?
        .windows(pat.len())
        .position(|w| w == pat)
        .map(|k| from + k)
}

/// The end of a quoted token opened at `i`, and whether it was closed. With `doubling`, two
/// closing bytes in a row stand for one and do not close.
fn quoted(s: &[u8], i: usize, close: u8, doubling: bool) -> (usize, bool) {
    let mut k = i + 1;
    while k < s.len() {
        if s[k] == close {
            if doubling && s.get(k + 1) == Some(&close) {
                k += 2;
                continue;
            }
            return (k + 1, true);
        }
        k += 1;
    }
    (s.len(), false)
}

/// The end of a numeric literal starting at `i`; identifier bytes glued to it belong to it.
fn number(s: &[u8], i: usize) -> usize {
    let end = if s[i] == b'0' && matches!(s.get(i + 1), Some(b'x' | b'X')) {
        run(s, i + 2, |c| c.is_ascii_hexdigit())
    } else {
        let mut k = run(s, i, |c| c.is_ascii_digit());
        if s.get(k) == Some(&b'.') {
            k = run(s, k + 1, |c| c.is_ascii_digit());
        }
        if matches!(s.get(k), Some(b'e' | b'E')) {
            let mut e = k + 1;
            if matches!(s.get(e), Some(b'+' | b'-')) {
                e += 1;
            }
            if s.get(e).is_some_and(|c| c.is_ascii_digit()) {
                k = run(s, e, |c| c.is_ascii_digit());
            }
        }
        k
    };
    run(s, end, is_id_byte)
}

/// The length of the operator at the start of `s` (at least 1; `s` is not empty and does
/// not start with a byte of a multi-byte character).
fn punct_len(s: &[u8]) -> usize {
    const LONG: [&[u8]; 10] = [
        b"->>", b"->", b"<=", b">=", b"<>", b"!=", b"==", b"<<", b">>", b"||",
    ];
    LONG.iter()
        .find(|op| s.starts_with(op))
        .map_or(1, |op| op.len())
}

/// The name a quoted-name token's text stands for (its quotes removed and doubled closing
/// quotes undone); an unterminated one stands for everything after its opening quote.
pub(crate) fn unquote(text: &str) -> String {
    let mut chars = text.chars();
    let Some(open) = chars.next() else {
        return String::new();
    };
    let close = if open == '[' { ']' } else { open };
    let body = chars.as_str();
    let body = body.strip_suffix(close).unwrap_or(body);
    if open == '[' {
        return body.to_string();
    }
    let pair: String = [close, close].iter().collect();
    body.replace(&pair, &close.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, &str)> {
        lex(src).iter().map(|t| (t.kind, t.text(src))).collect()
    }

    #[test]
    fn words_numbers_operators_and_space() {
        assert_eq!(
            kinds("SELECT a1,2.5e3 ->> x<=y"),
            [
                (Kind::Word, "SELECT"),
                (Kind::Space, " "),
                (Kind::Word, "a1"),
                (Kind::Punct, ","),
                (Kind::Number, "2.5e3"),
                (Kind::Space, " "),
                (Kind::Punct, "->>"),
                (Kind::Space, " "),
                (Kind::Word, "x"),
                (Kind::Punct, "<="),
                (Kind::Word, "y"),
            ]
        );
    }

    #[test]
    fn strings_and_quoted_names_with_doubled_quotes() {
        assert_eq!(
            kinds("'it''s' \"a \"\"b\"\"\" [x]y `q``r`"),
            [
                (Kind::Str { closed: true }, "'it''s'"),
                (Kind::Space, " "),
                (
                    Kind::Quoted {
                        open: b'"',
                        closed: true
                    },
                    "\"a \"\"b\"\"\""
                ),
                (Kind::Space, " "),
                (
                    Kind::Quoted {
                        open: b'[',
                        closed: true
                    },
                    "[x]"
                ),
                (Kind::Word, "y"),
                (Kind::Space, " "),
                (
                    Kind::Quoted {
                        open: b'`',
                        closed: true
                    },
                    "`q``r`"
                ),
            ]
        );
        assert_eq!(unquote("\"a \"\"b\"\"\""), "a \"b\"");
        assert_eq!(unquote("[x\"]"), "x\"");
        assert_eq!(unquote("`q``r`"), "q`r");
        assert_eq!(unquote("\"unterminated"), "unterminated");
        assert_eq!(unquote("["), "");
    }

    #[test]
    fn unterminated_tokens_run_to_the_end() {
        assert_eq!(kinds("'abc"), [(Kind::Str { closed: false }, "'abc")]);
        assert_eq!(
            kinds("x /* a"),
            [
                (Kind::Word, "x"),
                (Kind::Space, " "),
                (Kind::BlockComment { closed: false }, "/* a"),
            ]
        );
        assert_eq!(
            kinds("-- c\nx"),
            [
                (Kind::LineComment { closed: true }, "-- c"),
                (Kind::Space, "\n"),
                (Kind::Word, "x"),
            ]
        );
        assert!(lex("-- c").iter().all(|t| t.is_unterminated()));
        assert!(lex("[a").iter().all(|t| t.is_unterminated()));
    }

    #[test]
    fn variables_and_multibyte_identifiers() {
        assert_eq!(
            kinds("?1 :a @b $c é漢x"),
            [
                (Kind::Variable, "?1"),
                (Kind::Space, " "),
                (Kind::Variable, ":a"),
                (Kind::Space, " "),
                (Kind::Variable, "@b"),
                (Kind::Space, " "),
                (Kind::Variable, "$c"),
                (Kind::Space, " "),
                (Kind::Word, "é漢x"),
            ]
        );
    }

    #[test]
    fn tokens_cover_the_text_on_char_boundaries() {
        let src = "é'漢\"[`/*-- 1.e+ 0x é.1 ¿?";
        let toks = lex(src);
        let mut at = 0;
        for t in &toks {
            assert_eq!(t.start, at);
            assert!(src.is_char_boundary(t.start) && src.is_char_boundary(t.end));
            at = t.end;
        }
        assert_eq!(at, src.len());
    }
}
