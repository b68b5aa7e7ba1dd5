//! Syntax highlighting of the line being edited.
//!
//! Pure functions the editor's helper calls from rustyline's `Highlighter`:
//! [`highlight`] colours a (possibly multi-line) buffer with ANSI SGR escapes,
//! [`needs_redraw`] answers `highlight_char`, and [`paint`] colours prompts and
//! hints. Colours come from a [`Theme`], which the config file can change key by
//! key with [`Theme::set`].
//!
//! The scanner works on bytes and only ever cuts the text at ASCII bytes, so a
//! multi-byte character is never split and no input makes it panic. Escapes are
//! the only thing added: [`strip_ansi`] of the result gives back the input, so the
//! display width rustyline computes is the input's. A coloured run never spans a
//! `'\n'`: each line of a multi-line buffer opens and resets its own colours.
//!
//! Token rules follow sqlite3 3.40.1: a dot-command or `#` comment line is only
//! recognised as the first line of the buffer, with no SQL pending, and with the
//! `.`/`#` as its very first byte (leading blanks make it SQL, as in the shell).

use crate::exec::is_space;

/// Colours for each token kind, as SGR parameter strings (`"1;34"`, `"38;5;208"`;
/// `""` means plain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    /// SQL keywords (`SELECT`, `NULL`, ...).
    pub keyword: String,
    /// String literals `'...'` and blob literals `x'...'`; quoted dot-command arguments.
    pub string: String,
    /// Numeric literals: integers, reals, exponents, hex.
    pub number: String,
    /// `-- ...` and `/* ... */` comments, and `#` comment lines.
    pub comment: String,
    /// The name of a dot-command (`.tables`).
    pub dot_command: String,
    /// Quoted identifiers: `"x"`, `[x]`, `` `x` ``.
    pub identifier: String,
    /// The bracket at the cursor and its match.
    pub bracket_match: String,
    /// The dimmed history hint after the cursor.
    pub hint: String,
    /// The prompt.
    pub prompt: String,
    /// Error messages.
    pub error: String,
    /// How NULL cells look in the pretty table.
    pub null: String,
    /// Column headers in the pretty table.
    pub header: String,
}

impl Default for Theme {
    /// Basic 16-colour codes only (no yellow, no bright colours), which the usual
    /// palettes render readably on both dark and light backgrounds.
    fn default() -> Self {
        let s = |v: &str| v.to_owned();
        Theme {
            keyword: s("1;34"),
            string: s("32"),
            number: s("36"),
            comment: s("2"),
            dot_command: s("1;35"),
            identifier: s("35"),
            bracket_match: s("1;4"),
            hint: s("2"),
            prompt: s("1"),
            error: s("31"),
            null: s("2"),
            header: s("1"),
        }
    }
}

/// The keys [`Theme::set`] accepts: the field names, in declaration order.
pub const THEME_KEYS: [&str; 12] = [
    "keyword",
    "string",
    "number",
    "comment",
    "dot_command",
    "identifier",
    "bracket_match",
    "hint",
    "prompt",
    "error",
    "null",
    "header",
];

/// The eight basic colours, SGR 30 to 37 (`bright-` ones are 90 to 97).
const COLOURS: [&str; 8] = [
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
];
/// Attribute names with their SGR codes.
const ATTRIBUTES: [(&str, &str); 5] = [
    ("bold", "1"),
    ("dim", "2"),
    ("italic", "3"),
    ("underline", "4"),
    ("reverse", "7"),
];

/// The SGR code of a colour or attribute name (already lowercase).
fn named_code(name: &str) -> Option<String> {
    let (base, colour) = match name.strip_prefix("bright-") {
        Some(colour) => (90, colour),
        None => (30, name),
    };
    if let Some(i) = COLOURS.iter().position(|c| *c == colour) {
        return Some((base + i).to_string());
    }
    let attr = ATTRIBUTES.iter().find(|(n, _)| *n == name);
    attr.map(|(_, code)| (*code).to_owned())
}

impl Theme {
    /// Sets one colour from the config file.
    ///
    /// `key` is a field name (case-insensitive, `-` accepted for `_`). `value` is
    /// `none` (plain), or one or more words separated by blanks, `,` or `+`, each
    /// a name (black red green yellow blue magenta cyan white, `bright-` + any of
    /// those, bold dim italic underline reverse; case-insensitive) or raw SGR
    /// digits such as `1;34` or `38;5;208`: `"bold blue"` gives `"1;34"`.
    /// On error the theme is unchanged and the message names the bad key or value.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let norm = key.trim().to_ascii_lowercase().replace('-', "_");
        let Some(slot) = self.slot(&norm) else {
            return Err(format!(
                "unknown colour key {key:?} (expected one of: {})",
                THEME_KEYS.join(", ")
            ));
        };
        *slot =
            parse_colour(value).map_err(|why| format!("bad colour {value:?} for {norm}: {why}"))?;
        Ok(())
    }

    fn slot(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "keyword" => &mut self.keyword,
            "string" => &mut self.string,
            "number" => &mut self.number,
            "comment" => &mut self.comment,
            "dot_command" => &mut self.dot_command,
            "identifier" => &mut self.identifier,
            "bracket_match" => &mut self.bracket_match,
            "hint" => &mut self.hint,
            "prompt" => &mut self.prompt,
            "error" => &mut self.error,
            "null" => &mut self.null,
            "header" => &mut self.header,
            _ => return None,
        })
    }
}

/// Turns a colour value (see [`Theme::set`]) into SGR parameters.
fn parse_colour(value: &str) -> Result<String, String> {
    let words: Vec<&str> = value
        .split(|c: char| c.is_whitespace() || c == ',' || c == '+')
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Err("it is empty (write none for no colour)".to_owned());
    }
    let mut parts = Vec::with_capacity(words.len());
    for word in &words {
        let name = word.to_ascii_lowercase().replace('_', "-");
        if let Some(code) = named_code(&name) {
            parts.push(code);
        } else if is_raw_sgr(word) {
            parts.push((*word).to_owned());
        } else if name == "none" {
            if words.len() > 1 {
                return Err("none cannot be combined with other colours".to_owned());
            }
        } else {
            let attrs: Vec<&str> = ATTRIBUTES.iter().map(|(n, _)| *n).collect();
            return Err(format!(
                "{word:?} is neither a name ({}, bright-<colour>, {}, none) nor SGR numbers (0-255, joined by ;) like \"1;34\"",
                COLOURS.join(" "),
                attrs.join(" ")
            ));
        }
    }
    Ok(parts.join(";"))
}

/// `;`-separated numbers 0..=255, as in `1;34` or `38;5;208`.
fn is_raw_sgr(word: &str) -> bool {
    word.split(';')
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u8>().is_ok())
}

/// Wraps `text` in one SGR colour: `"\x1b[{sgr}m{text}\x1b[0m"`, or `text`
/// unchanged when `sgr` is empty.
pub fn paint(text: &str, sgr: &str) -> String {
    if sgr.is_empty() {
        text.to_owned()
    } else {
        format!("\x1b[{sgr}m{text}\x1b[0m")
    }
}

/// Removes SGR escapes (`ESC [` digits and `;` then `m`), for tests and width
/// checks; anything else, an incomplete escape included, is kept.
pub fn strip_ansi(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == 0x1b && b.get(i + 1) == Some(&b'[') {
            let end = skip(b, i + 2, b.len(), |c| c.is_ascii_digit() || c == b';');
            if b.get(end) == Some(&b'm') {
                i = end + 1;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

/// Pass as `pos` to [`highlight`] to highlight no bracket (for example for
/// rustyline's final `CmdKind::ForcedRefresh` redraw). Any `pos` past the end of
/// the line has the same effect.
pub const NO_CURSOR: usize = usize::MAX;

/// `line` with ANSI SGR colours, as typed with no SQL pending (so a first line
/// starting with `.` is a dot-command). Same as `highlight_with(line, pos, theme, false)`.
///
/// Colours SQL keywords (SQLite's full list, whole words, any case), string and
/// blob literals, numbers, comments (`--` to end of line, `/* */` even
/// unterminated), quoted identifiers, and dot-command lines (the name as
/// `dot_command`, quoted arguments as `string`, the rest plain). When `pos` is on
/// a parenthesis, or just after one, that parenthesis and its match (if any) get
/// `bracket_match`; parentheses in strings, comments and identifiers do not count.
/// `strip_ansi` of the result is always `line`.
pub fn highlight(line: &str, pos: usize, theme: &Theme) -> String {
    highlight_with(line, pos, theme, false)
}

/// Like [`highlight`], but with `sql_pending` true the buffer continues an
/// unfinished SQL statement, so even a first line starting with `.` or `#` is SQL.
pub fn highlight_with(line: &str, pos: usize, theme: &Theme, sql_pending: bool) -> String {
    let mut toks = tokenize(line, sql_pending);
    if let Some((open, close)) = matching_pair(&toks, line.as_bytes(), pos) {
        for k in [open, close] {
            if let Some(t) = toks.get_mut(k) {
                t.kind = Kind::Match;
            }
        }
    }
    render(line, &toks, theme)
}

/// Whether rustyline must redraw the line for the cursor at `pos` (its
/// `highlight_char`): true when a parenthesis is at or just before `pos`, or when
/// `line` has anything coloured at all, since a typed character may then have
/// changed the colours of the rest. Plain text typed into a plain line returns
/// false, letting rustyline echo it cheaply; rustyline itself redraws once more
/// when the answer goes from true to false, which clears a stale bracket match.
pub fn needs_redraw(line: &str, pos: usize) -> bool {
    let b = line.as_bytes();
    let paren = |p: Option<usize>| {
        p.and_then(|p| b.get(p))
            .is_some_and(|c| matches!(c, b'(' | b')'))
    };
    paren(Some(pos))
        || paren(pos.checked_sub(1))
        || tokenize(line, false)
            .iter()
            .any(|t| t.kind != Kind::Plain && t.kind != Kind::Paren)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    Keyword,
    Str,
    Number,
    Comment,
    Dot,
    Ident,
    /// A parenthesis in SQL (plain unless matched at the cursor).
    Paren,
    /// A parenthesis highlighted as the cursor's bracket or its match.
    Match,
}

/// One token: the bytes `start..end` of the line. Tokens cover the line in order.
#[derive(Debug, Clone, Copy)]
struct Tok {
    start: usize,
    end: usize,
    kind: Kind,
}

impl Tok {
    fn new(start: usize, end: usize, kind: Kind) -> Self {
        Tok { start, end, kind }
    }
}

fn is_keyword(word: &[u8]) -> bool {
    std::str::from_utf8(word).is_ok_and(super::keywords::is_keyword)
}

/// First index in `from..end` where `f` fails, or `end` (or `from` if past `end`).
fn skip(b: &[u8], from: usize, end: usize, f: impl Fn(u8) -> bool) -> usize {
    let mut j = from;
    while j < end && b.get(j).is_some_and(|&c| f(c)) {
        j += 1;
    }
    j
}

/// Index just after the first `q` in `from..end`, or `end` when there is none.
fn close(b: &[u8], from: usize, end: usize, q: u8) -> usize {
    let j = skip(b, from, end, |c| c != q);
    if j < end {
        j + 1
    } else {
        end
    }
}

/// Bytes SQLite allows in an unquoted identifier (any non-ASCII byte included).
fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

fn tokenize(line: &str, sql_pending: bool) -> Vec<Tok> {
    let b = line.as_bytes();
    let mut toks = Vec::new();
    let mut start = 0;
    if !sql_pending {
        let first_end = skip(b, 0, b.len(), |c| c != b'\n');
        match b.first() {
            Some(b'.') => {
                dot_line(b, first_end, &mut toks);
                start = first_end;
            }
            Some(b'#') => {
                toks.push(Tok::new(0, first_end, Kind::Comment));
                start = first_end;
            }
            _ => {}
        }
    }
    sql(b, start, &mut toks);
    toks
}

/// A dot-command line `b[..end]`: the name, then arguments split as sqlite3
/// does (`"..."` with backslash escapes, `'...'` literal, others up to a blank).
fn dot_line(b: &[u8], end: usize, toks: &mut Vec<Tok>) {
    let mut push = |start: usize, stop: usize, kind: Kind| {
        if stop > start {
            toks.push(Tok::new(start, stop, kind));
        }
    };
    let mut j = skip(b, 0, end, |c| !is_space(c));
    push(0, j, Kind::Dot);
    while j < end {
        let blank = j;
        j = skip(b, j, end, is_space);
        push(blank, j, Kind::Plain);
        if j >= end {
            break;
        }
        let (stop, kind) = match b.get(j) {
            Some(b'"') => {
                let mut k = j + 1;
                while k < end && b.get(k) != Some(&b'"') {
                    k += if b.get(k) == Some(&b'\\') { 2 } else { 1 };
                }
                ((k + 1).min(end), Kind::Str)
            }
            Some(b'\'') => (close(b, j + 1, end, b'\''), Kind::Str),
            _ => (skip(b, j, end, |c| !is_space(c)), Kind::Plain),
        };
        push(j, stop, kind);
        j = stop;
    }
}

/// SQL tokens from `b[start..]` to the end.
fn sql(b: &[u8], start: usize, toks: &mut Vec<Tok>) {
    let n = b.len();
    let mut i = start;
    while let Some(&c) = b.get(i) {
        let next = b.get(i + 1).copied();
        let (end, kind) = match (c, next) {
            (b'-', Some(b'-')) => (skip(b, i, n, |c| c != b'\n'), Kind::Comment),
            (b'/', Some(b'*')) => {
                let body = b.get(i + 2..).unwrap_or_default();
                let stop = body.windows(2).position(|w| w == b"*/");
                (stop.map_or(n, |p| i + 4 + p), Kind::Comment)
            }
            (b'\'', _) => (close(b, i + 1, n, b'\''), Kind::Str),
            (b'x' | b'X', Some(b'\'')) => (close(b, i + 2, n, b'\''), Kind::Str),
            (b'"' | b'`', _) => (close(b, i + 1, n, c), Kind::Ident),
            (b'[', _) => (close(b, i + 1, n, b']'), Kind::Ident),
            (b'(' | b')', _) => (i + 1, Kind::Paren),
            (b'0'..=b'9', _) | (b'.', Some(b'0'..=b'9')) => number(b, i),
            (b'?', _) => (skip(b, i + 1, n, |c| c.is_ascii_digit()), Kind::Plain),
            (b':' | b'@' | b'$', Some(d)) if is_word(d) => {
                (skip(b, i + 1, n, is_word), Kind::Plain)
            }
            _ if is_word(c) => {
                let stop = skip(b, i, n, is_word);
                let keyword = is_keyword(b.get(i..stop).unwrap_or_default());
                (stop, if keyword { Kind::Keyword } else { Kind::Plain })
            }
            _ => (i + 1, Kind::Plain),
        };
        toks.push(Tok::new(i, end, kind));
        i = end.max(i + 1);
    }
}

/// A numeric literal at `b[i]` (a digit, or `.` then a digit). Digits running
/// straight into identifier bytes (`12abc`, `1e`) are not a number: plain.
fn number(b: &[u8], i: usize) -> (usize, Kind) {
    let n = b.len();
    let digits = |from: usize| skip(b, from, n, |c| c.is_ascii_digit());
    let hex = b.get(i) == Some(&b'0')
        && matches!(b.get(i + 1), Some(b'x' | b'X'))
        && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
    let mut j;
    if hex {
        j = skip(b, i + 2, n, |c| c.is_ascii_hexdigit());
    } else {
        j = digits(i);
        if b.get(j) == Some(&b'.') {
            j = digits(j + 1);
        }
        if matches!(b.get(j), Some(b'e' | b'E')) {
            let k = if matches!(b.get(j + 1), Some(b'+' | b'-')) {
                j + 2
            } else {
                j + 1
            };
            if b.get(k).is_some_and(u8::is_ascii_digit) {
                j = digits(k);
            }
        }
    }
    if b.get(j).is_some_and(|&c| is_word(c)) {
        (skip(b, j, n, is_word), Kind::Plain)
    } else {
        (j, Kind::Number)
    }
}

/// Token indices of the parenthesis at `pos` (else at `pos - 1`) and its match.
fn matching_pair(toks: &[Tok], b: &[u8], pos: usize) -> Option<(usize, usize)> {
    if pos > b.len() {
        return None;
    }
    let mut stack = Vec::new();
    let mut pairs = Vec::new();
    for (k, t) in toks
        .iter()
        .enumerate()
        .filter(|(_, t)| t.kind == Kind::Paren)
    {
        if b.get(t.start) == Some(&b'(') {
            stack.push((k, t.start));
        } else if let Some(open) = stack.pop() {
            pairs.push((open, (k, t.start)));
        }
    }
    [Some(pos), pos.checked_sub(1)]
        .into_iter()
        .flatten()
        .find_map(|at| {
            pairs
                .iter()
                .find(|(open, close)| open.1 == at || close.1 == at)
                .map(|(open, close)| (open.0, close.0))
        })
}

fn colour(theme: &Theme, kind: Kind) -> &str {
    match kind {
        Kind::Plain | Kind::Paren => "",
        Kind::Keyword => &theme.keyword,
        Kind::Str => &theme.string,
        Kind::Number => &theme.number,
        Kind::Comment => &theme.comment,
        Kind::Dot => &theme.dot_command,
        Kind::Ident => &theme.identifier,
        Kind::Match => &theme.bracket_match,
    }
}

/// Writes the tokens, merging neighbours of one colour, each line of a run
/// coloured on its own.
fn render(line: &str, toks: &[Tok], theme: &Theme) -> String {
    let b = line.as_bytes();
    let mut out = Vec::with_capacity(b.len() + 32);
    let mut k = 0;
    while let Some(first) = toks.get(k) {
        let sgr = colour(theme, first.kind);
        let mut end = first.end;
        k += 1;
        while let Some(t) = toks.get(k).filter(|t| colour(theme, t.kind) == sgr) {
            end = t.end;
            k += 1;
        }
        let text = b.get(first.start..end).unwrap_or_default();
        for (n, piece) in text.split(|&c| c == b'\n').enumerate() {
            if n > 0 {
                out.push(b'\n');
            }
            if sgr.is_empty() || piece.is_empty() {
                out.extend_from_slice(piece);
            } else {
                out.extend_from_slice(format!("\x1b[{sgr}m").as_bytes());
                out.extend_from_slice(piece);
                out.extend_from_slice(b"\x1b[0m");
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| line.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A theme with one distinct code per token kind.
    fn theme() -> Theme {
        let mut t = Theme::default();
        for (key, code) in THEME_KEYS.iter().zip(101..) {
            t.set(key, &code.to_string()).expect("valid");
        }
        t
    }

    /// Rewrites the escapes of `s` as «X...» runs, X the token kind (by the
    /// [`theme`] code: Keyword String Number Comment Dot Ident Match).
    fn marked(s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(at) = rest.find("\x1b[") {
            out.push_str(&rest[..at]);
            let after = &rest[at + 2..];
            let m = after.find('m').expect("escape ends in m");
            match &after[..m] {
                "0" => out.push('»'),
                code => {
                    let i = code.parse::<usize>().expect("test code") - 101;
                    out.push('«');
                    out.push_str(&"KSNCDIM"[i..=i]);
                }
            }
            rest = &after[m + 1..];
        }
        out + rest
    }

    /// `line` highlighted with no SQL pending and no bracket, marked.
    fn hl(line: &str) -> String {
        marked(&highlight(line, NO_CURSOR, &theme()))
    }

    /// `line` highlighted as the continuation of pending SQL, marked.
    fn sql(line: &str) -> String {
        marked(&highlight_with(line, NO_CURSOR, &theme(), true))
    }

    #[test]
    fn each_token_kind_gets_its_colour() {
        assert_eq!(
            hl("select 'a', 12, \"c\" from t -- x"),
            "«Kselect» «S'a'», «N12», «I\"c\"» «Kfrom» t «C-- x»"
        );
        assert_eq!(hl("[a b]`c`"), "«I[a b]`c`»");
        assert_eq!(hl("X'0aF' /* c */x"), "«SX'0aF'» «C/* c */»x");
        assert_eq!(hl("a/* open"), "a«C/* open»");
        assert_eq!(hl("-- a\nNull"), "«C-- a»\n«KNull»");
        assert_eq!(hl(".tables"), "«D.tables»");
    }

    #[test]
    fn numbers() {
        for n in [
            "0", "42", "3.14", "12.", ".5", "1e10", "2.5E-3", "7e+2", "0x1F", "0XaB",
        ] {
            assert_eq!(sql(n), format!("«N{n}»"));
        }
        // Digits running into identifier bytes are not numbers.
        for n in ["12abc", "1e", "0x", "0xg", "3é", "a1", "t1.c"] {
            assert_eq!(sql(n), n);
        }
        assert_eq!(hl("1.2.3 -4"), "«N1.2.3» -«N4»", "merged neighbours");
    }

    #[test]
    fn keywords_are_whole_words_in_any_case() {
        assert_eq!(hl("SeLeCt not(null)"), "«KSeLeCt» «Knot»(«Knull»)");
        assert_eq!(hl("current_timestamp"), "«Kcurrent_timestamp»");
        for w in [
            "selection",
            "select_",
            "xselect",
            "sélect",
            ":limit",
            "@from",
            "$where",
            "?1",
        ] {
            assert_eq!(hl(w), w);
        }
    }

    #[test]
    fn no_keywords_inside_strings_comments_identifiers() {
        assert_eq!(hl("'select from'"), "«S'select from'»");
        assert_eq!(hl("'it''s select'"), "«S'it''s select'»");
        assert_eq!(
            hl("\"select\" [from] `where`"),
            "«I\"select\"» «I[from]» «I`where`»"
        );
        assert_eq!(hl("/* select */ -- from"), "«C/* select */» «C-- from»");
    }

    #[test]
    fn unterminated_literals_colour_to_the_end() {
        assert_eq!(hl("select 'abc from t"), "«Kselect» «S'abc from t»");
        assert_eq!(hl("\"id where"), "«I\"id where»");
        assert_eq!(hl("[x and"), "«I[x and»");
        assert_eq!(hl("x'ab"), "«Sx'ab»");
        assert_eq!(hl("'"), "«S'»");
        assert_eq!(hl("/*/ and"), "«C/*/ and»");
    }

    #[test]
    fn multi_line_buffers() {
        // A comment and a string spanning lines stay coloured, each line closed.
        assert_eq!(hl("/* a\nb */ 'c\nd' e"), "«C/* a»\n«Cb */» «S'c»\n«Sd'» e");
        assert_eq!(hl("'a\n\nb"), "«S'a»\n\n«Sb»");
        // Only the first line can be a dot-command or a `#` comment.
        assert_eq!(hl("select\n.5 .x"), "«Kselect»\n«N.5» .x");
        assert_eq!(hl("# not sql\nend"), "«C# not sql»\n«Kend»");
        assert_eq!(hl("a\n# b"), "a\n# b");
    }

    #[test]
    fn dot_commands() {
        assert_eq!(
            hl(".import 'my file.csv' \"t\\\"x\" --csv t"),
            "«D.import» «S'my file.csv'» «S\"t\\\"x\"» --csv t"
        );
        assert_eq!(hl(".tables select"), "«D.tables» select");
        assert_eq!(hl(".print \"open"), "«D.print» «S\"open»");
        assert_eq!(hl(".print \"a\\"), "«D.print» «S\"a\\»");
        assert_eq!(hl(".print a'b' \"c\"d"), "«D.print» a'b' «S\"c\"»d");
        assert_eq!(hl(". x"), "«D.» x");
        // The dot-command is the first line; what follows is SQL.
        assert_eq!(hl(".once 'x\nselect"), "«D.once» «S'x»\n«Kselect»");
        // Leading blanks, or SQL pending, make it SQL.
        assert_eq!(hl(" .tables"), " .tables");
        assert_eq!(sql(".5 'a'"), "«N.5» «S'a'»");
        assert_eq!(sql("#x"), "#x");
    }

    /// `line` marked with the cursor at `pos`.
    fn at(line: &str, pos: usize) -> String {
        marked(&highlight(line, pos, &theme()))
    }

    #[test]
    fn bracket_matching() {
        let line = "f((a)(b))";
        assert_eq!(at(line, 1), "f«M(»(a)(b)«M)»", "on the outer open");
        assert_eq!(at(line, 2), "f(«M(»a«M)»(b))", "on beats after");
        assert_eq!(at(line, 9), "f«M(»(a)(b)«M)»", "after, at end");
        assert_eq!(at(line, 6), "f((a)«M(»b«M)»)");
        for pos in [0, 4 + 6, NO_CURSOR] {
            assert_eq!(at(line, pos), line, "pos {pos}");
        }
        // Unbalanced: no partner, no highlight; the rest still pairs up.
        assert_eq!(at("(()", 0), "(()");
        assert_eq!(at("(()", 1), "(«M()»");
        assert_eq!(at("())", 3), "())");
        // Parentheses in strings, comments and identifiers do not count.
        assert_eq!(
            at("(')' /*)*/ \")\" [)] a)", 0),
            "«M(»«S')'» «C/*)*/» «I\")\"» «I[)]» a«M)»"
        );
        assert_eq!(at("(')'", 0), "(«S')'»");
        assert_eq!(at("'('", 1), "«S'('»");
        // Across lines and next to multi-byte text.
        assert_eq!(at("(é\n日)", 0), "«M(»é\n日«M)»");
        assert_eq!(at("(é)", 2), "(é)", "mid-char pos");
    }

    #[test]
    fn theme_set_names_raw_and_errors() {
        let mut t = Theme::default();
        let mut ok = |key: &str, value: &str| {
            t.set(key, value).expect(value);
            t.clone()
        };
        assert_eq!(ok("keyword", "bold blue").keyword, "1;34");
        assert_eq!(
            ok("Dot-Command", "Bright-Magenta underline").dot_command,
            "95;4"
        );
        assert_eq!(ok("string", "38;5;208").string, "38;5;208");
        assert_eq!(ok("null", "dim, italic+bright_black").null, "2;3;90");
        assert_eq!(ok("header", "bold 38;2;10;20;30").header, "1;38;2;10;20;30");
        assert_eq!(ok("comment", " none ").comment, "");
        assert_eq!(ok("hint", "white reverse").hint, "37;7");
        // theme() sets key i to 101 + i; the first seven are checked by use.
        let all = theme();
        let rest = [&all.hint, &all.prompt, &all.error, &all.null, &all.header];
        assert_eq!(rest, ["108", "109", "110", "111", "112"]);

        let before = t.clone();
        let err = t.set("keywords", "red").expect_err("bad key");
        assert!(
            err.contains("\"keywords\"") && err.contains("dot_command"),
            "{err}"
        );
        let err = t.set("number", "purple").expect_err("bad name");
        assert!(
            err.contains("\"purple\"") && err.contains("number") && err.contains("1;34"),
            "{err}"
        );
        for bad in "|  |1;;2|256|1;x|#ff0000|none red|bright-|;1|bright-bold".split('|') {
            let err = t.set("error", bad).expect_err(bad);
            assert!(
                err.contains("for error") && err.contains(&format!("{bad:?}")),
                "{bad}: {err}"
            );
        }
        assert_eq!(t, before, "a failed set changes nothing");
    }

    #[test]
    fn default_theme_is_valid_sgr() {
        let t = Theme::default();
        let (a, b, c) = (&t.keyword, &t.string, &t.number);
        let (d, e, f) = (&t.comment, &t.dot_command, &t.identifier);
        let (g, h, i) = (&t.bracket_match, &t.hint, &t.prompt);
        let (j, k, l) = (&t.error, &t.null, &t.header);
        for v in [a, b, c, d, e, f, g, h, i, j, k, l] {
            assert!(is_raw_sgr(v), "{v:?}");
        }
        let mut plain = t.clone();
        for key in THEME_KEYS {
            plain.set(key, "none").expect(key);
        }
        assert_eq!(
            highlight("select 'a' (1) -- c", 7, &plain),
            "select 'a' (1) -- c"
        );
    }

    #[test]
    fn paint_and_strip() {
        assert_eq!(paint("abc", "1;34"), "\x1b[1;34mabc\x1b[0m");
        assert_eq!(paint("abc", ""), "abc");
        assert_eq!(strip_ansi("\x1b[1;34mab\x1b[0mc\x1b[m"), "abc");
        assert_eq!(strip_ansi("\x1b[12"), "\x1b[12", "incomplete escape kept");
        assert_eq!(strip_ansi("\x1b[2Jé"), "\x1b[2Jé", "not SGR, kept");
    }

    #[test]
    fn needs_redraw_when_colours_or_brackets_are_involved() {
        assert!(!needs_redraw("", 0));
        assert!(!needs_redraw("abc def", 3));
        assert!(needs_redraw("abc (", 5) && needs_redraw("( abc", 0) && needs_redraw("a)", 1));
        assert!(needs_redraw("set x", 3), "keyword");
        assert!(needs_redraw("a 'b", 1) && needs_redraw(".x", 0) && needs_redraw("1", 99));
        assert!(!needs_redraw("é", 1), "non-boundary pos");
    }

    /// Deterministic xorshift, so a failure reproduces.
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 33) as usize % n
        }
    }

    #[test]
    fn visible_text_is_unchanged_for_random_input() {
        let pieces: Vec<&str> =
            "' \" ` [ ] ( ) x' X -- /* */ * / é 日本 🦀 select FROM 1.5e3 0x1F . # \\ a ?1 :p ; e"
                .split(' ')
                .chain(["\n", " ", "\t", "\r"])
                .collect();
        let themes = [Theme::default(), theme()];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for round in 0..3000 {
            let len = rng.below(14);
            let line: String = (0..len).map(|_| pieces[rng.below(pieces.len())]).collect();
            let theme = &themes[round % 2];
            // Every byte offset (char boundary or not), one past the end, and NO_CURSOR.
            for pos in (0..=line.len() + 1).chain([NO_CURSOR]) {
                let out = highlight_with(&line, pos, theme, round % 3 == 0);
                assert_eq!(strip_ansi(&out), line, "pos {pos}");
                for piece in out.split('\n') {
                    let open = piece.rfind("\x1b[");
                    assert!(
                        open.is_none_or(|i| piece[i..].starts_with("\x1b[0m")),
                        "line left coloured: {out:?}"
                    );
                }
                let _ = needs_redraw(&line, pos);
            }
        }
    }
}
