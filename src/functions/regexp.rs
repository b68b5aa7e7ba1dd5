//! `regexp(PATTERN, STRING)`, `regexpi(PATTERN, STRING)` and so the `STRING REGEXP PATTERN`
//! operator, with the regular-expression dialect of sqlite3 3.40.1's regexp extension.
//!
//! The dialect is a small POSIX-extended one: `X*` `X+` `X?` `X{m,n}` `(X)` `X|Y` `^` `$`
//! `.`, classes `[abc]` `[^a-z]`, escapes `\d \D \w \W \s \S \b`, `\xHH`, `\uHHHH` and the C
//! escapes `\a \f \n \r \t \v`, plus `\` before any of `\()*.+?[$^{|}]`. A match may start
//! anywhere unless the pattern begins with `^`. `regexpi` folds only ASCII letters. The
//! result is 1 or 0, NULL when either argument is NULL.
//!
//! No general-purpose engine (the `regex` crate included) has this dialect: `\w` and `\d`
//! are ASCII only, `$` is an ordinary "end of input" item (so `a$$` never matches), `\x41`
//! in `regexpi` stays upper case, quantifiers may follow quantifiers (`a**`), `{,3}` means
//! `{0,3}`, and patterns other engines accept are errors with 3.40.1's own messages
//! (`'*' without operand`, `unmatched '('`, `unknown \ escape`, `POSIX character classes not
//! supported`, …). So the pattern is compiled here the way 3.40.1 compiles it, into a list of
//! NFA instructions with relative jumps (a postfix operator inserts its jump in front of the
//! instructions of the item before it, a `{m,n}` copies them), and the match runs all NFA
//! states in step over the input, one character at a time.
//!
//! Known differences, all on patterns nobody writes: a program longer than 20,000,000
//! instructions (`((a{1000}){1000}){1000}`) is an `out of memory` error here where 3.40.1
//! misbehaves silently, and programs of more than 65,535 instructions, whose state numbers
//! overflow 16 bits in 3.40.1, behave as written here.

use std::sync::Arc;

use rusqlite::functions::Context;
use rusqlite::Connection;

use super::{code_error, pure, sql_error, value};

/// The character that stands for the end of the input (`$` matches it).
const END: u32 = 0;
/// The "previous character" before the first one: larger than any code point.
const START: u32 = 0x0fff_ffff;
/// The largest program compiled; beyond it the pattern is refused as out of memory.
const MAX_OPS: usize = 20_000_000;

/// One NFA instruction. Jumps are relative to the instruction's own index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// Consume this character (`END` for `$`).
    Char(u32),
    /// Consume any character (`.`).
    Any,
    /// `.*`: stay here consuming, or go on.
    AnyStar,
    /// Go on to both the next instruction and the one at the offset.
    Fork(isize),
    /// Continue at the offset.
    Goto(isize),
    /// The pattern matched.
    Accept,
    /// A `[...]` class: `len` instructions, this header included, the members following.
    Class {
        negated: bool,
        len: usize,
    },
    /// A single character in a class.
    Member(u32),
    /// One end of a range in a class; ranges take two consecutive instructions.
    RangeEnd(u32),
    /// `\w`, `\W`, `\d`, `\D`, `\s`, `\S`.
    Word,
    NotWord,
    Digit,
    NotDigit,
    Space,
    NotSpace,
    /// `\b`: between a word and a non-word character.
    Boundary,
    /// `^` after the start of the pattern: only before the first character.
    AtStart,
}

/// A compiled pattern.
#[derive(Debug)]
pub struct Regex {
    ops: Vec<Op>,
    nocase: bool,
}

/// Reads one character of UTF-8 as 3.40.1's matcher does: malformed, overlong or surrogate
/// sequences read as U+FFFD; `END` past the end.
fn next_char(bytes: &[u8], pos: &mut usize, nocase: bool) -> u32 {
    let Some(&lead) = bytes.get(*pos) else {
        return END;
    };
    *pos += 1;
    let cont = |k: usize| bytes.get(k).is_some_and(|b| b & 0xc0 == 0x80);
    let low6 = |k: usize| u32::from(bytes[k] & 0x3f);
    let lead32 = u32::from(lead);
    let i = *pos;
    let c = if lead < 0x80 {
        lead32
    } else if lead & 0xe0 == 0xc0 && cont(i) {
        *pos += 1;
        let c = (lead32 & 0x1f) << 6 | low6(i);
        if c < 0x80 {
            0xfffd
        } else {
            c
        }
    } else if lead & 0xf0 == 0xe0 && cont(i) && cont(i + 1) {
        *pos += 2;
        let c = (lead32 & 0x0f) << 12 | low6(i) << 6 | low6(i + 1);
        if c <= 0x7ff || (0xd800..=0xdfff).contains(&c) {
            0xfffd
        } else {
            c
        }
    } else if lead & 0xf8 == 0xf0 && cont(i) && cont(i + 1) && cont(i + 2) {
        *pos += 3;
        let c = (lead32 & 0x07) << 18 | low6(i) << 12 | low6(i + 1) << 6 | low6(i + 2);
        if c <= 0xffff || c > 0x10ffff {
            0xfffd
        } else {
            c
        }
    } else {
        0xfffd
    };
    if nocase && (u32::from(b'A')..=u32::from(b'Z')).contains(&c) {
        c + 32
    } else {
        c
    }
}

fn is_word(c: u32) -> bool {
    u8::try_from(c).is_ok_and(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn is_digit(c: u32) -> bool {
    u8::try_from(c).is_ok_and(|b| b.is_ascii_digit())
}

fn is_space(c: u32) -> bool {
    u8::try_from(c).is_ok_and(value::is_space)
}

fn hex_value(b: u8) -> Option<u32> {
    char::from(b).to_digit(16)
}

/// Compiles a pattern (bytes up to the first NUL).
struct Compiler<'p> {
    pat: &'p [u8],
    pos: usize,
    nocase: bool,
    ops: Vec<Op>,
    /// An unknown `\` escape was seen: an error unless a parse error comes first.
    bad_escape: bool,
}

type Step = Result<(), &'static str>;

impl Compiler<'_> {
    fn next(&mut self) -> u32 {
        next_char(self.pat, &mut self.pos, self.nocase)
    }

    /// The next byte, not decoded and not case-folded (0 at the end).
    fn peek(&self) -> u8 {
        self.pat.get(self.pos).copied().unwrap_or(0)
    }

    fn push(&mut self, op: Op) -> Step {
        self.insert(self.ops.len(), op)
    }

    fn insert(&mut self, at: usize, op: Op) -> Step {
        if self.ops.len() >= MAX_OPS {
            return Err("out of memory");
        }
        self.ops.insert(at, op);
        Ok(())
    }

    /// Appends a copy of `len` instructions starting at `from`.
    fn copy(&mut self, from: usize, len: usize) -> Step {
        if self.ops.len() + len > MAX_OPS {
            return Err("out of memory");
        }
        self.ops.extend_from_within(from..from + len);
        Ok(())
    }

    /// The character after a `\` (not consumed when it is not a known escape).
    fn escape(&mut self) -> u32 {
        let Some(&c) = self.pat.get(self.pos) else {
            return END;
        };
        let hex = |from: usize, n: usize| -> Option<u32> {
            let digits = self.pat.get(from..from + n)?;
            digits
                .iter()
                .try_fold(0u32, |v, &d| hex_value(d).map(|h| v * 16 + h))
        };
        if c == b'u' {
            if let Some(v) = hex(self.pos + 1, 4) {
                self.pos += 5;
                return v;
            }
        }
        if c == b'x' {
            if let Some(v) = hex(self.pos + 1, 2) {
                self.pos += 3;
                return v;
            }
        }
        let translated = match c {
            b'a' => Some(0x07),
            b'f' => Some(0x0c),
            b'n' => Some(u32::from(b'\n')),
            b'r' => Some(u32::from(b'\r')),
            b't' => Some(u32::from(b'\t')),
            b'v' => Some(0x0b),
            b'\\' | b'(' | b')' | b'*' | b'.' | b'+' | b'?' | b'[' | b'$' | b'^' | b'{' | b'|'
            | b'}' | b']' => Some(u32::from(c)),
            _ => None,
        };
        match translated {
            Some(v) => {
                self.pos += 1;
                v
            }
            None => {
                self.bad_escape = true;
                u32::from(c)
            }
        }
    }

    /// Alternatives up to an unmatched `)` or the end.
    fn alternation(&mut self) -> Step {
        let start = self.ops.len();
        self.sequence()?;
        while self.peek() == b'|' {
            let end = self.ops.len();
            self.insert(start, Op::Fork((end + 2 - start) as isize))?;
            let jump_at = self.ops.len();
            self.push(Op::Goto(0))?;
            self.pos += 1;
            self.sequence()?;
            self.ops[jump_at] = Op::Goto((self.ops.len() - jump_at) as isize);
        }
        Ok(())
    }

    /// Items up to `|`, an unmatched `)` or the end.
    fn sequence(&mut self) -> Step {
        // Where the instructions of the previous item begin.
        let mut prev: Option<usize> = None;
        loop {
            let c = self.next();
            if c == END {
                return Ok(());
            }
            let start = self.ops.len();
            let len = start as isize;
            match char::from_u32(c).filter(char::is_ascii).map(|c| c as u8) {
                Some(b'|' | b')') => {
                    self.pos -= 1;
                    return Ok(());
                }
                Some(b'(') => {
                    self.alternation()?;
                    if self.peek() != b')' {
                        return Err("unmatched '('");
                    }
                    self.pos += 1;
                }
                Some(b'.') => {
                    if self.peek() == b'*' {
                        self.pos += 1;
                        self.push(Op::AnyStar)?;
                    } else {
                        self.push(Op::Any)?;
                    }
                }
                Some(b'*') => {
                    let p = prev.ok_or("'*' without operand")?;
                    self.insert(p, Op::Goto(len - p as isize + 1))?;
                    let len = self.ops.len() as isize;
                    self.push(Op::Fork(p as isize - len + 1))?;
                }
                Some(b'+') => {
                    let p = prev.ok_or("'+' without operand")?;
                    self.push(Op::Fork(p as isize - len))?;
                }
                Some(b'?') => {
                    let p = prev.ok_or("'?' without operand")?;
                    self.insert(p, Op::Fork(len - p as isize + 1))?;
                }
                Some(b'$') => self.push(Op::Char(END))?,
                Some(b'^') => self.push(Op::AtStart)?,
                Some(b'{') => {
                    let p = prev.ok_or("'{m,n}' without operand")?;
                    self.repeat(p)?;
                }
                Some(b'[') => self.class()?,
                Some(b'\\') => {
                    let special = match self.peek() {
                        b'b' => Some(Op::Boundary),
                        b'd' => Some(Op::Digit),
                        b'D' => Some(Op::NotDigit),
                        b's' => Some(Op::Space),
                        b'S' => Some(Op::NotSpace),
                        b'w' => Some(Op::Word),
                        b'W' => Some(Op::NotWord),
                        _ => None,
                    };
                    match special {
                        Some(op) => {
                            self.pos += 1;
                            self.push(op)?;
                        }
                        None => {
                            let e = self.escape();
                            self.push(Op::Char(e))?;
                        }
                    }
                }
                _ => self.push(Op::Char(c))?,
            }
            prev = Some(start);
        }
    }

    /// Reads a decimal count (digits only, wrapping like C's `int`).
    fn count(&mut self) -> i32 {
        let mut n: i32 = 0;
        while self.peek().is_ascii_digit() {
            n = n
                .wrapping_mul(10)
                .wrapping_add(i32::from(self.peek() - b'0'));
            self.pos += 1;
        }
        n
    }

    /// `{m}`, `{m,}`, `{,n}`, `{m,n}` after the item starting at `p`.
    fn repeat(&mut self, mut p: usize) -> Step {
        let m = self.count();
        let mut n = m;
        if self.peek() == b',' {
            self.pos += 1;
            n = self.count();
        }
        if self.peek() != b'}' {
            return Err("unmatched '{'");
        }
        if n > 0 && n < m {
            return Err("n less than m in '{m,n}'");
        }
        self.pos += 1;
        let size = self.ops.len() - p;
        if m == 0 {
            if n == 0 {
                return Err("both m and n are zero in '{m,n}'");
            }
            self.insert(p, Op::Fork(size as isize + 1))?;
            p += 1;
            n -= 1;
        } else {
            for _ in 1..m {
                self.copy(p, size)?;
            }
        }
        for _ in m..n {
            self.push(Op::Fork(size as isize + 1))?;
            self.copy(p, size)?;
        }
        if n == 0 && m > 0 {
            self.push(Op::Fork(-(size as isize)))?;
        }
        Ok(())
    }

    /// A `[...]` class, the `[` already read.
    fn class(&mut self) -> Step {
        let first = self.ops.len();
        let negated = self.peek() == b'^';
        if negated {
            self.pos += 1;
        }
        self.push(Op::Class { negated, len: 0 })?;
        let mut c;
        loop {
            c = self.next();
            if c == END {
                break;
            }
            if c == u32::from(b'[') && self.peek() == b':' {
                return Err("POSIX character classes not supported");
            }
            if c == u32::from(b'\\') {
                c = self.escape();
            }
            if self.peek() == b'-' {
                self.push(Op::RangeEnd(c))?;
                self.pos += 1;
                c = self.next();
                if c == u32::from(b'\\') {
                    c = self.escape();
                }
                self.push(Op::RangeEnd(c))?;
            } else {
                self.push(Op::Member(c))?;
            }
            if self.peek() == b']' {
                self.pos += 1;
                break;
            }
        }
        if c == END {
            return Err("unclosed '['");
        }
        self.ops[first] = Op::Class {
            negated,
            len: self.ops.len() - first,
        };
        Ok(())
    }
}

impl Regex {
    /// Compiles `pattern` (up to its first NUL byte); the error is 3.40.1's message.
    pub fn new(pattern: &[u8], nocase: bool) -> Result<Regex, &'static str> {
        let pattern = pattern.split(|&b| b == 0).next().unwrap_or_default();
        let mut c = Compiler {
            pat: pattern,
            pos: 0,
            nocase,
            ops: Vec::new(),
            bad_escape: false,
        };
        if c.peek() == b'^' {
            c.pos += 1;
        } else {
            c.push(Op::AnyStar)?;
        }
        c.alternation()?;
        if c.pos < c.pat.len() {
            return Err("unrecognized character");
        }
        c.push(Op::Accept)?;
        if c.bad_escape {
            return Err("unknown \\ escape");
        }
        Ok(Regex { ops: c.ops, nocase })
    }

    /// True when the pattern matches somewhere in `subject` (up to its first NUL byte).
    pub fn is_match(&self, subject: &[u8]) -> bool {
        let subject = subject.split(|&b| b == 0).next().unwrap_or_default();
        let mut current = StateSet::new(self.ops.len());
        let mut next = StateSet::new(self.ops.len());
        next.add(0);
        let mut pos = 0;
        let mut c = START;
        while c != END && !next.list.is_empty() {
            let prev = c;
            c = next_char(subject, &mut pos, self.nocase);
            std::mem::swap(&mut current, &mut next);
            next.clear();
            let mut k = 0;
            while k < current.list.len() {
                let x = current.list[k];
                k += 1;
                let at = |off: isize| x.checked_add_signed(off);
                match self.ops[x] {
                    Op::Char(v) if v == c => next.add_opt(at(1)),
                    Op::AtStart if prev == START => current.add_opt(at(1)),
                    Op::Any if c != END => next.add_opt(at(1)),
                    Op::Word if is_word(c) => next.add_opt(at(1)),
                    Op::NotWord if !is_word(c) && c != END => next.add_opt(at(1)),
                    Op::Digit if is_digit(c) => next.add_opt(at(1)),
                    Op::NotDigit if !is_digit(c) && c != END => next.add_opt(at(1)),
                    Op::Space if is_space(c) => next.add_opt(at(1)),
                    Op::NotSpace if !is_space(c) && c != END => next.add_opt(at(1)),
                    Op::Boundary if is_word(c) != is_word(prev) => current.add_opt(at(1)),
                    Op::AnyStar => {
                        next.add(x);
                        current.add_opt(at(1));
                    }
                    Op::Fork(off) => {
                        current.add_opt(at(off));
                        current.add_opt(at(1));
                    }
                    Op::Goto(off) => current.add_opt(at(off)),
                    Op::Accept => return true,
                    Op::Class { negated, len } => {
                        if negated && c == END {
                            continue;
                        }
                        if self.class_hit(x, len, c) != negated {
                            next.add_opt(x.checked_add(len));
                        }
                    }
                    _ => {}
                }
            }
        }
        next.list.iter().any(|&x| self.reaches_accept(x))
    }

    /// Whether `c` is one of the members of the class at `x`.
    fn class_hit(&self, x: usize, len: usize, c: u32) -> bool {
        let mut j = 1;
        while j < len {
            match self.ops.get(x + j) {
                Some(Op::Member(v)) if *v == c => return true,
                Some(Op::RangeEnd(lo)) => {
                    if let Some(Op::RangeEnd(hi)) = self.ops.get(x + j + 1) {
                        if *lo <= c && c <= *hi {
                            return true;
                        }
                    }
                    j += 1;
                }
                _ => {}
            }
            j += 1;
        }
        false
    }

    /// After the input ends, a state accepts when its jumps lead to `Accept`.
    fn reaches_accept(&self, mut x: usize) -> bool {
        for _ in 0..=self.ops.len() {
            match self.ops.get(x) {
                Some(Op::Goto(off)) => match x.checked_add_signed(*off) {
                    Some(y) => x = y,
                    None => return false,
                },
                Some(Op::Accept) => return true,
                _ => return false,
            }
        }
        false
    }
}

/// The set of active NFA states, in insertion order, without repeats.
struct StateSet {
    list: Vec<usize>,
    member: Vec<bool>,
}

impl StateSet {
    fn new(n: usize) -> Self {
        StateSet {
            list: Vec::new(),
            member: vec![false; n],
        }
    }

    fn add(&mut self, x: usize) {
        // A jump out of the program (possible after some stacked quantifiers) is a dead end.
        if let Some(m) = self.member.get_mut(x) {
            if !*m {
                *m = true;
                self.list.push(x);
            }
        }
    }

    fn add_opt(&mut self, x: Option<usize>) {
        if let Some(x) = x {
            self.add(x);
        }
    }

    fn clear(&mut self) {
        for &x in &self.list {
            self.member[x] = false;
        }
        self.list.clear();
    }
}

/// The SQL function body; `nocase` for `regexpi`.
fn regexp(ctx: &Context<'_>, nocase: bool) -> rusqlite::Result<Option<i64>> {
    let re: Arc<Regex> = match ctx.get_aux::<Regex>(0)? {
        Some(re) => re,
        None => {
            let Some(pattern) = value::text(&ctx.get_raw(0)) else {
                return Ok(None);
            };
            let re = Regex::new(&pattern, nocase).map_err(|msg| {
                if msg == "out of memory" {
                    code_error(rusqlite::ffi::SQLITE_NOMEM)
                } else {
                    sql_error(msg)
                }
            })?;
            ctx.set_aux(0, re)?
        }
    };
    Ok(value::text(&ctx.get_raw(1)).map(|s| i64::from(re.is_match(&s))))
}

/// Registers `regexp` and `regexpi`.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("regexp", 2, pure(), |ctx| regexp(ctx, false))?;
    conn.create_scalar_function("regexpi", 2, pure(), |ctx| regexp(ctx, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        Regex::new(p.as_bytes(), false)
            .unwrap()
            .is_match(s.as_bytes())
    }

    fn err(p: &str) -> &'static str {
        Regex::new(p.as_bytes(), false).unwrap_err()
    }

    #[test]
    fn basic_items() {
        assert!(m("b", "abc"));
        assert!(!m("^b", "abc"));
        assert!(m("^a.c$", "abc"));
        assert!(m("[0-9]+", "x12"));
        assert!(!m("^[^a-z]", "abc"));
        assert!(m("\\d{2,3}", "a12"));
        assert!(!m("^\\d{2,3}$", "1234"));
        assert!(m("(ab|cd)e", "xcde"));
        assert!(m("\\bfoo\\b", "a foo b"));
        assert!(!m("\\bfoo\\b", "afoob"));
        assert!(m("a{,3}", ""));
        assert!(m("\\u0041", "A"));
        assert!(m("\\x41", "A"));
    }

    #[test]
    fn quirks_of_3_40_1() {
        // `$` is an item matching the end: twice never matches.
        assert!(!m("a$$", "a"));
        // `x{2,}` copies the item and loops back onto the copy.
        assert!(!m("x{2,}", "xaab"));
        // A trailing backslash reads as the end of input.
        assert!(m("a\\", "aaa"));
        assert!(!m("a\\", "xaab"));
        // `]` right after `[` is a member.
        assert!(m("[]a]", "]"));
    }

    #[test]
    fn nocase_folds_ascii_but_not_escapes() {
        let re = Regex::new(b"ABC", true).unwrap();
        assert!(re.is_match(b"xabcx"));
        let re = Regex::new(b"\\x41", true).unwrap();
        assert!(!re.is_match(b"A"));
    }

    #[test]
    fn error_messages() {
        assert_eq!(err("*a"), "'*' without operand");
        assert_eq!(err("+"), "'+' without operand");
        assert_eq!(err("?"), "'?' without operand");
        assert_eq!(err("{1}"), "'{m,n}' without operand");
        assert_eq!(err("a{0}"), "both m and n are zero in '{m,n}'");
        assert_eq!(err("a{3,1}"), "n less than m in '{m,n}'");
        assert_eq!(err("a{x}"), "unmatched '{'");
        assert_eq!(err("(ab"), "unmatched '('");
        assert_eq!(err("ab)"), "unrecognized character");
        assert_eq!(err("[abc"), "unclosed '['");
        assert_eq!(err("[a-]"), "unclosed '['");
        assert_eq!(err("[[:alpha:]]"), "POSIX character classes not supported");
        assert_eq!(err("\\z"), "unknown \\ escape");
        assert_eq!(err("\\z)"), "unrecognized character");
    }
}
