//! Recognises the one-row INSERT statements that `.dump` writes, so that a restore can run
//! them through a cached prepared statement instead of parsing each one.
//!
//! The shape is exactly what sqlite3 3.40.1's and litesh's `.dump` (and `.mode insert`,
//! and Python's `iterdump()`) put on one line:
//!
//! ```text
//! INSERT INTO <name> VALUES(<value>,<value>,…);
//! ```
//!
//! * `<name>` is a bare identifier (`[A-Za-z_][A-Za-z0-9_]*`) or a `"…"` identifier with
//!   `""` inside; it is kept as written. Names starting with `sqlite_` (the schema,
//!   `sqlite_sequence`, `sqlite_stat1`) are left to the parser.
//! * `<value>` is `NULL`; an integer `-?[0-9]+`; a REAL `-?[0-9]+(.[0-9]*)?([eE][+-]?[0-9]+)?`
//!   with a `.` or an exponent; a string `'…'` with `''` inside (any byte but NUL); a blob
//!   `X'…'` with an even number of hex digits; or a string inside the `replace()` calls
//!   3.40.1 writes for CR and LF: `replace('…','\n',char(10))`,
//!   `replace('…','\r',char(13))` and `replace(replace('…','\r',char(13)),'\n',char(10))`.
//! * Nothing may follow the final `);` (no spaces, no comment).
//!
//! Anything else, or anything the recogniser is unsure of, gives `None`, and the line goes
//! through the splitter and the parser as always. Numbers are converted with the parser's
//! rules: an integer literal (`codeInteger()`) beyond the 64-bit range is a REAL, except
//! `-9223372036854775808`, and a REAL gets the library's own conversion ([`super::atof`],
//! `sqlite3AtoF` bit for bit). The `replace()` calls stay in the statement, for the
//! library to run.
//!
//! The module knows nothing of databases.

/// How a value is written in the prepared statement: what surrounds its `?`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Slot {
    /// `?`
    Plain,
    /// `replace(?,'\n',char(10))`
    Lf,
    /// `replace(?,'\r',char(13))`
    Cr,
    /// `replace(replace(?,'\r',char(13)),'\n',char(10))`
    CrLf,
}

impl Slot {
    /// The SQL text of this slot.
    pub fn sql(self) -> &'static str {
        match self {
            Slot::Plain => "?",
            Slot::Lf => "replace(?,'\\n',char(10))",
            Slot::Cr => "replace(?,'\\r',char(13))",
            Slot::CrLf => "replace(replace(?,'\\r',char(13)),'\\n',char(10))",
        }
    }
}

/// One value of the statement, as it is bound: borrowed from the line, or from the
/// parser's buffer (text with `''` undone, a blob's bytes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    /// `NULL`
    Null,
    /// An integer literal within the 64-bit range.
    Integer(i64),
    /// A REAL literal (or an integer literal beyond the 64-bit range).
    Real(f64),
    /// A string's bytes, with `''` undone.
    Text(&'a [u8]),
    /// A blob literal's bytes.
    Blob(&'a [u8]),
}

/// Where the bytes of a text or blob are: a range of the line, or of the buffer.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Span {
    Line(usize, usize),
    Buffer(usize, usize),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Val {
    Null,
    Integer(i64),
    Real(f64),
    Text(Span),
    Blob(Span),
}

/// The parser of dump INSERTs, and what it found in the last line it recognised. Its
/// buffers are reused from line to line.
#[derive(Debug, Default)]
pub struct DumpInsert {
    table: (usize, usize),
    slots: Vec<Slot>,
    vals: Vec<Val>,
    buffer: Vec<u8>,
}

impl DumpInsert {
    /// A parser with empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Recognises `line` as a dump INSERT (see the module doc); false leaves it to the
    /// parser. The accessors below describe the last line recognised; they take that line
    /// again.
    pub fn parse(&mut self, line: &[u8]) -> bool {
        self.slots.clear();
        self.vals.clear();
        self.buffer.clear();
        self.parse_line(line).is_some()
    }

    fn parse_line(&mut self, line: &[u8]) -> Option<()> {
        if !may_be(line) {
            return None;
        }
        let mut p = Parser {
            s: line,
            i: PREFIX.len(),
            buffer: &mut self.buffer,
        };
        self.table = p.name()?;
        if !p.eat(VALUES) {
            return None;
        }
        loop {
            let (slot, value) = p.value()?;
            self.slots.push(slot);
            self.vals.push(value);
            match p.next()? {
                b',' => continue,
                b')' => break,
                _ => return None,
            }
        }
        (p.i + 1 == line.len() && line[p.i] == b';').then_some(())
    }

    /// The table name as written (quotes included).
    pub fn table<'a>(&self, line: &'a [u8]) -> &'a [u8] {
        &line[self.table.0..self.table.1]
    }

    /// How each value appears in the statement.
    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    /// The values, one per slot.
    pub fn values<'a>(&'a self, line: &'a [u8]) -> impl ExactSizeIterator<Item = Value<'a>> + 'a {
        let bytes = move |s: Span| match s {
            Span::Line(a, b) => &line[a..b],
            Span::Buffer(a, b) => &self.buffer[a..b],
        };
        self.vals.iter().map(move |v| match *v {
            Val::Null => Value::Null,
            Val::Integer(i) => Value::Integer(i),
            Val::Real(r) => Value::Real(r),
            Val::Text(s) => Value::Text(bytes(s)),
            Val::Blob(s) => Value::Blob(bytes(s)),
        })
    }

    /// The statement that takes the values as parameters:
    /// `INSERT INTO <name> VALUES(<slot>,…)`.
    pub fn statement(&self, line: &[u8]) -> Vec<u8> {
        statement(self.table(line), &self.slots)
    }
}

/// `INSERT INTO <table> VALUES(<slot>,…)`.
pub fn statement(table: &[u8], slots: &[Slot]) -> Vec<u8> {
    let mut sql = b"INSERT INTO ".to_vec();
    sql.extend_from_slice(table);
    sql.extend_from_slice(b" VALUES(");
    for (i, s) in slots.iter().enumerate() {
        if i > 0 {
            sql.push(b',');
        }
        sql.extend_from_slice(s.sql().as_bytes());
    }
    sql.push(b')');
    sql
}

const PREFIX: &[u8] = b"INSERT INTO ";
const VALUES: &[u8] = b" VALUES(";

/// A cheap first look: the line starts with `INSERT INTO ` and ends with `);`.
pub fn may_be(line: &[u8]) -> bool {
    line.starts_with(PREFIX) && line.ends_with(b");")
}

struct Parser<'a, 'b> {
    s: &'a [u8],
    i: usize,
    buffer: &'b mut Vec<u8>,
}

impl Parser<'_, '_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn eat(&mut self, word: &[u8]) -> bool {
        if self.s[self.i..].starts_with(word) {
            self.i += word.len();
            true
        } else {
            false
        }
    }

    /// The table name, as written: its range in the line.
    fn name(&mut self) -> Option<(usize, usize)> {
        let start = self.i;
        let c = self.peek()?;
        let inner = if c == b'"' {
            self.i += 1;
            loop {
                match self.next()? {
                    0 => return None,
                    b'"' if self.peek() == Some(b'"') => self.i += 1,
                    b'"' => break,
                    _ => {}
                }
            }
            &self.s[start + 1..self.i - 1]
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while self
                .peek()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
            {
                self.i += 1;
            }
            &self.s[start..self.i]
        } else {
            return None;
        };
        if inner.len() >= 7 && inner[..7].eq_ignore_ascii_case(b"sqlite_") {
            return None;
        }
        Some((start, self.i))
    }

    fn value(&mut self) -> Option<(Slot, Val)> {
        match self.peek()? {
            b'N' => self.eat(b"NULL").then_some((Slot::Plain, Val::Null)),
            b'\'' => Some((Slot::Plain, Val::Text(self.string()?))),
            b'X' | b'x' => {
                self.i += 1;
                if self.peek() != Some(b'\'') {
                    return None;
                }
                let Span::Line(a, b) = self.string()? else {
                    return None;
                };
                let hex = &self.s[a..b];
                if hex.len() % 2 != 0 {
                    return None;
                }
                let start = self.buffer.len();
                self.buffer.resize(start + hex.len() / 2, 0);
                faster_hex::hex_decode(hex, &mut self.buffer[start..]).ok()?;
                Some((
                    Slot::Plain,
                    Val::Blob(Span::Buffer(start, self.buffer.len())),
                ))
            }
            b'r' => self.replaced(),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// `'…'` with `''` inside: where the bytes between the quotes are, with `''` undone
    /// (copied to the buffer then).
    fn string(&mut self) -> Option<Span> {
        debug_assert_eq!(self.peek(), Some(b'\''));
        self.i += 1;
        let start = self.i;
        let mut copied: Option<usize> = None;
        let mut from = start;
        loop {
            let rest = &self.s[self.i..];
            let q = memchr::memchr2(b'\'', 0, rest)?;
            if rest[q] == 0 {
                return None;
            }
            let at = self.i + q;
            if self.s.get(at + 1) == Some(&b'\'') {
                // A doubled quote: one quote in the value.
                copied.get_or_insert(self.buffer.len());
                self.buffer.extend_from_slice(&self.s[from..=at]);
                self.i = at + 2;
                from = self.i;
                continue;
            }
            self.i = at + 1;
            return Some(match copied {
                None => Span::Line(start, at),
                Some(b) => {
                    self.buffer.extend_from_slice(&self.s[from..at]);
                    Span::Buffer(b, self.buffer.len())
                }
            });
        }
    }

    /// The `replace()` forms of 3.40.1's `.dump` for text holding CR or LF.
    fn replaced(&mut self) -> Option<(Slot, Val)> {
        const CR_TAIL: &[u8] = b",'\\r',char(13))";
        const LF_TAIL: &[u8] = b",'\\n',char(10))";
        if !self.eat(b"replace(") {
            return None;
        }
        if self.eat(b"replace(") {
            if self.peek() != Some(b'\'') {
                return None;
            }
            let text = self.string()?;
            return (self.eat(CR_TAIL) && self.eat(LF_TAIL))
                .then_some((Slot::CrLf, Val::Text(text)));
        }
        if self.peek() != Some(b'\'') {
            return None;
        }
        let text = self.string()?;
        if self.eat(LF_TAIL) {
            Some((Slot::Lf, Val::Text(text)))
        } else if self.eat(CR_TAIL) {
            Some((Slot::Cr, Val::Text(text)))
        } else {
            None
        }
    }

    /// A numeric literal, optionally negated, as the parser reads it.
    fn number(&mut self) -> Option<(Slot, Val)> {
        let start = self.i;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.i += 1;
        }
        let digits_start = self.i;
        self.skip_digits();
        if self.i == digits_start {
            return None;
        }
        let digits_end = self.i;
        let mut real = false;
        if self.peek() == Some(b'.') {
            self.i += 1;
            self.skip_digits();
            real = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            let exp_start = self.i;
            self.skip_digits();
            if self.i == exp_start {
                return None;
            }
            real = true;
        }
        // The token must end here: what follows a value is `,` or `)`.
        if !matches!(self.peek(), Some(b',' | b')')) {
            return None;
        }
        let integer = match real {
            true => None,
            false => integer(&self.s[digits_start..digits_end], negative),
        };
        Some(match integer {
            Some(i) => (Slot::Plain, Val::Integer(i)),
            // A REAL, or an integer beyond the 64-bit range, which the parser makes a REAL
            // from its text (`codeReal()`: the digits converted, then negated).
            None => (
                Slot::Plain,
                Val::Real(super::atof::atof(&self.s[start..self.i])),
            ),
        })
    }

    fn skip_digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
    }
}

/// The value of an integer literal (ASCII digits) as SQLite's `codeInteger()` gives it, or
/// `None` when the parser turns it into a REAL: anything above 2^63-1, except 2^63
/// negated.
fn integer(digits: &[u8], negative: bool) -> Option<i64> {
    let mut d = digits;
    while d.len() > 1 && d[0] == b'0' {
        d = &d[1..];
    }
    if d.len() > 19 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in d {
        v = v * 10 + u64::from(c - b'0');
    }
    match (negative, i64::try_from(v)) {
        (false, Ok(i)) => Some(i),
        (true, Ok(i)) => Some(-i),
        (true, Err(_)) if v == 1 << 63 => Some(i64::MIN),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value owned by the test.
    #[derive(Debug, PartialEq)]
    enum Owned {
        Null,
        Integer(i64),
        Real(f64),
        Text(Vec<u8>),
        Blob(Vec<u8>),
    }

    struct Parsed {
        table: Vec<u8>,
        slots: Vec<Slot>,
        values: Vec<Owned>,
        statement: Vec<u8>,
    }

    fn recognise(line: &[u8]) -> Option<Parsed> {
        let mut p = DumpInsert::new();
        p.parse(line).then(|| Parsed {
            table: p.table(line).to_vec(),
            slots: p.slots().to_vec(),
            values: p
                .values(line)
                .map(|v| match v {
                    Value::Null => Owned::Null,
                    Value::Integer(i) => Owned::Integer(i),
                    Value::Real(r) => Owned::Real(r),
                    Value::Text(t) => Owned::Text(t.to_vec()),
                    Value::Blob(b) => Owned::Blob(b.to_vec()),
                })
                .collect(),
            statement: p.statement(line),
        })
    }

    fn text(b: &[u8]) -> Owned {
        Owned::Text(b.to_vec())
    }

    #[test]
    fn the_dump_shape_is_recognised() {
        let line = b"INSERT INTO t VALUES(1,'it''s',NULL,X'00ff',-2.5e+20,replace('a\\nb','\\n',char(10)));";
        let r = recognise(line).unwrap();
        assert_eq!(r.table, b"t");
        assert_eq!(
            r.slots,
            [
                Slot::Plain,
                Slot::Plain,
                Slot::Plain,
                Slot::Plain,
                Slot::Plain,
                Slot::Lf
            ]
        );
        assert_eq!(
            r.values,
            [
                Owned::Integer(1),
                text(b"it's"),
                Owned::Null,
                Owned::Blob(vec![0, 0xff]),
                Owned::Real(-2.5e20),
                text(b"a\\nb"),
            ]
        );
        assert_eq!(
            r.statement,
            b"INSERT INTO t VALUES(?,?,?,?,?,replace(?,'\\n',char(10)))"
        );
    }

    #[test]
    fn quoted_names_are_kept_as_written() {
        let r = recognise(b"INSERT INTO \"odd \"\"name\"\" t\" VALUES('x');").unwrap();
        assert_eq!(r.table, b"\"odd \"\"name\"\" t\"");
        assert_eq!(r.statement, b"INSERT INTO \"odd \"\"name\"\" t\" VALUES(?)");
    }

    #[test]
    fn crlf_forms_of_3_40_1() {
        let r = recognise(
            b"INSERT INTO t VALUES(replace(replace('a\\r\\nb','\\r',char(13)),'\\n',char(10)),replace('c\\rd','\\r',char(13)));",
        )
        .unwrap();
        assert_eq!(r.slots, [Slot::CrLf, Slot::Cr]);
        assert_eq!(r.values, [text(b"a\\r\\nb"), text(b"c\\rd")]);
    }

    #[test]
    fn text_may_hold_semicolons_quotes_and_any_byte() {
        let r = recognise(b"INSERT INTO t VALUES('a;b'');'',\x01\xff\"c');").unwrap();
        assert_eq!(r.values, [text(b"a;b');',\x01\xff\"c")]);
        assert_eq!(
            recognise(b"INSERT INTO t VALUES('');").unwrap().values,
            [text(b"")]
        );
    }

    #[test]
    fn integers_follow_the_parser() {
        let one = |lit: &str| {
            let line = format!("INSERT INTO t VALUES({lit});");
            let mut r = recognise(line.as_bytes()).unwrap();
            (r.slots[0], r.values.remove(0))
        };
        assert_eq!(one("0"), (Slot::Plain, Owned::Integer(0)));
        assert_eq!(one("-0"), (Slot::Plain, Owned::Integer(0)));
        assert_eq!(one("007"), (Slot::Plain, Owned::Integer(7)));
        assert_eq!(
            one("9223372036854775807"),
            (Slot::Plain, Owned::Integer(i64::MAX))
        );
        assert_eq!(
            one("-9223372036854775808"),
            (Slot::Plain, Owned::Integer(i64::MIN))
        );
        let real = |lit: &str| match one(lit) {
            (Slot::Plain, Owned::Real(r)) => r,
            other => panic!("{lit}: {other:?}"),
        };
        assert_eq!(real("9223372036854775808"), 9223372036854775808.0);
        assert_eq!(real("-9223372036854775809"), -9223372036854775808.0);
        assert_eq!(real("123456789012345678901234"), 1.2345678901234568e23);
        assert_eq!(real("1e999"), f64::INFINITY);
        assert_eq!(real("-1e999"), f64::NEG_INFINITY);
        assert_eq!(real("-0.0").to_bits(), (-0.0f64).to_bits());
        assert_eq!(real("1."), 1.0);
        assert_eq!(real("1.0E-5"), 1.0e-5);
        assert_eq!(real("100.0"), 100.0);
    }

    #[test]
    fn anything_unsure_is_left_to_the_parser() {
        for line in [
            // Not one row, not the exact layout.
            &b"INSERT INTO t VALUES(1),(2);"[..],
            b"INSERT INTO t VALUES(1); ",
            b"INSERT INTO t VALUES(1);-- c",
            b"INSERT INTO t VALUES (1);",
            b"insert into t values(1);",
            b" INSERT INTO t VALUES(1);",
            b"INSERT INTO t(a) VALUES(1);",
            b"INSERT INTO main.t VALUES(1);",
            b"INSERT INTO t VALUES();",
            b"INSERT INTO t VALUES(1,);",
            b"INSERT INTO t VALUES(1 );",
            b"INSERT INTO t VALUES(1",
            // The schema and other sqlite_ tables.
            b"INSERT INTO sqlite_sequence VALUES('t',1);",
            b"INSERT INTO \"SQLITE_master\" VALUES('t',1);",
            // Names the recogniser does not tokenize.
            b"INSERT INTO [t] VALUES(1);",
            b"INSERT INTO `t` VALUES(1);",
            b"INSERT INTO t$ VALUES(1);",
            b"INSERT INTO \xc3\xa9 VALUES(1);",
            // Values it does not know.
            b"INSERT INTO t VALUES(null);",
            b"INSERT INTO t VALUES(+1);",
            b"INSERT INTO t VALUES(.5);",
            b"INSERT INTO t VALUES(0x10);",
            b"INSERT INTO t VALUES(1_000);",
            b"INSERT INTO t VALUES(1e);",
            b"INSERT INTO t VALUES(1e+);",
            b"INSERT INTO t VALUES(--1);",
            b"INSERT INTO t VALUES(X'0');",
            b"INSERT INTO t VALUES(X'0g');",
            b"INSERT INTO t VALUES(X'''');",
            b"INSERT INTO t VALUES('a\0b');",
            b"INSERT INTO t VALUES('unterminated);",
            b"INSERT INTO t VALUES(CAST(X'00' AS TEXT));",
            b"INSERT INTO t VALUES(replace('a','\\012',char(10)));",
            b"INSERT INTO t VALUES(replace('a','\\n',char(13)));",
            b"INSERT INTO t VALUES(replace(replace('a','\\n',char(10)),'\\r',char(13)));",
            b"INSERT INTO t VALUES(char(10));",
            b"INSERT INTO t VALUES(1+1);",
        ] {
            assert!(
                recognise(line).is_none(),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
