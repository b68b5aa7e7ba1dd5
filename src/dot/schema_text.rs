//! How `.schema` and `.fullschema` turn a stored CREATE statement into output text.
//!
//! Pure byte-string work, no database: sqlite3 3.40.1's `printSchemaLine()` (close an
//! unterminated comment, `CREATE TABLE "x"` → `CREATE TABLE IF NOT EXISTS "x"`), its
//! `MODE_Pretty` layout for `--indent` (`shell_callback()`), and the text half of
//! `shell_add_schema()` (naming the schema of an attached database inside the statement).
//! The part of `shell_add_schema()` that needs the database (the `/* name(cols) */` comment
//! after views and virtual tables) lives in `schema.rs`.

use crate::exec::is_space;
use crate::format::sql::{needs_quote, push_ident};

/// The statement kinds `shell_add_schema()` knows, in the order it tries them.
const CREATE_KINDS: [&[u8]; 6] = [
    b"TABLE",
    b"INDEX",
    b"UNIQUE INDEX",
    b"VIEW",
    b"TRIGGER",
    b"VIRTUAL TABLE",
];

/// Where `shell_add_schema()` would act on `sql`: the length of the kind word after
/// `CREATE ` and whether it is a view or virtual table (those get a column comment).
/// `CREATE` and the kind must be upper case and followed by a space, as 3.40.1 compares
/// them byte for byte. Every kind is tried in turn, as sqlite3 tries them.
pub fn create_kinds(sql: &[u8]) -> Vec<(usize, bool)> {
    let Some(rest) = sql.strip_prefix(b"CREATE ") else {
        return Vec::new();
    };
    CREATE_KINDS
        .iter()
        .filter(|k| rest.starts_with(k) && rest.get(k.len()) == Some(&b' '))
        .map(|k| (k.len(), k[0] == b'V'))
        .collect()
}

/// `sql` with `schema.` put before the object name (sqlite3's `shell_add_schema()` text
/// rule): `CREATE TABLE t(x)` → `CREATE TABLE aux.t(x)`. The schema name is written as
/// is when it needs no quotes or is `temp` (any case), else in double quotes. `kind_len`
/// comes from [`create_kinds`].
pub fn with_schema(sql: &[u8], kind_len: usize, schema: &[u8]) -> Vec<u8> {
    let head = 7 + kind_len;
    let mut z = sql[..head].to_vec();
    z.push(b' ');
    let quote = needs_quote(schema) && !schema.eq_ignore_ascii_case(b"temp");
    push_ident(&mut z, schema, quote.then_some(b'"'));
    z.push(b'.');
    z.extend_from_slice(&sql[head + 1..]);
    z
}

/// sqlite3's `shellFakeSchema()` text: `schema.name(col1,col2)`, each part quoted only
/// when it needs it (`temp` never is).
pub fn fake_schema_text(schema: Option<&[u8]>, name: &[u8], columns: &[Vec<u8>]) -> Vec<u8> {
    let mut s = Vec::new();
    if let Some(sc) = schema {
        let q = needs_quote(sc) && !sc.eq_ignore_ascii_case(b"temp");
        push_ident(&mut s, sc, q.then_some(b'"'));
        s.push(b'.');
    }
    push_ident(&mut s, name, needs_quote(name).then_some(b'"'));
    for (i, c) in columns.iter().enumerate() {
        s.push(if i == 0 { b'(' } else { b',' });
        push_ident(&mut s, c, needs_quote(c).then_some(b'"'));
    }
    s.push(b')');
    s
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// sqlite3's `printSchemaLine()`: appends `z` and `tail`. Before a `;` tail, a statement
/// holding `/*` or `--` that `sqlite3_complete` finds unfinished gets `*/` or a newline so
/// the `;` really ends it; `CREATE TABLE 'x'`/`"x"` becomes `CREATE TABLE IF NOT EXISTS`
/// (FTS shadow tables are stored that way).
pub fn schema_line(out: &mut Vec<u8>, z: &[u8], tail: &[u8]) {
    let owned;
    let mut z = z;
    if tail.first() == Some(&b';') && (contains(z, b"/*") || contains(z, b"--")) {
        for term in [&b""[..], b"*/", b"\n"] {
            let mut cand = z.to_vec();
            cand.extend_from_slice(term);
            cand.push(b';');
            if crate::exec::raw::complete(&cand) {
                cand.pop();
                owned = cand;
                z = &owned;
                break;
            }
        }
    }
    if z.len() > 13 && z.starts_with(b"CREATE TABLE ") && matches!(z[13], b'\'' | b'"') {
        out.extend_from_slice(b"CREATE TABLE IF NOT EXISTS ");
        out.extend_from_slice(&z[13..]);
    } else {
        out.extend_from_slice(z);
    }
    out.extend_from_slice(tail);
}

/// True when `z` starts with `prefix`, ASCII letters compared without case (the
/// `sqlite3_strlike("CREATE VIEW%", …)` test).
fn starts_with_nocase(z: &[u8], prefix: &[u8]) -> bool {
    z.len() >= prefix.len() && z[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// sqlite3's `wsToEol()`: only white space (or a `--` comment) up to the end of the line.
fn ws_to_eol(z: &[u8]) -> bool {
    for (i, &c) in z.iter().enumerate() {
        if c == b'\n' {
            return true;
        }
        if is_space(c) {
            continue;
        }
        return c == b'-' && z.get(i + 1) == Some(&b'-');
    }
    true
}

/// One statement in `.schema --indent` layout (sqlite3 3.40.1's `MODE_Pretty`).
///
/// Views and triggers are written as stored. Other statements have their white space
/// squeezed (runs become their first character, none after `(` or before `(`/`)`, a CR
/// before more white space becomes LF); one of 79 bytes or more is then broken after the
/// opening parenthesis and after each top-level comma, one column definition per line
/// indented by two spaces, with the closing parenthesis on its own line. Quotes and
/// comments are tracked as loosely as 3.40.1 tracks them.
pub fn pretty(out: &mut Vec<u8>, sql: &[u8]) {
    if starts_with_nocase(sql, b"CREATE VIEW") || starts_with_nocase(sql, b"CREATE TRIG") {
        out.extend_from_slice(sql);
        out.extend_from_slice(b";\n");
        return;
    }
    let start = sql.iter().position(|&c| !is_space(c)).unwrap_or(sql.len());
    let mut z: Vec<u8> = Vec::with_capacity(sql.len());
    for &c in &sql[start..] {
        if is_space(c) {
            // Never empty here: the first byte kept is not white space.
            if let Some(last) = z.last_mut() {
                if *last == b'\r' {
                    *last = b'\n';
                }
                if is_space(*last) || *last == b'(' {
                    continue;
                }
            }
        } else if (c == b'(' || c == b')') && z.last().is_some_and(|&l| is_space(l)) {
            z.pop();
        }
        z.push(c);
    }
    while z.last().is_some_and(|&c| is_space(c)) {
        z.pop();
    }
    if z.len() >= 79 {
        let mut piece: Vec<u8> = Vec::new();
        let mut end_quote = 0u8;
        let mut depth = 0i32;
        let mut lines = 0usize;
        let mut i = 0;
        while i < z.len() {
            let c = z[i];
            if end_quote != 0 && c == end_quote {
                end_quote = 0;
            } else if matches!(c, b'"' | b'\'' | b'`') {
                end_quote = c;
            } else if c == b'[' {
                end_quote = b']';
            } else if c == b'-' && z.get(i + 1) == Some(&b'-') {
                end_quote = b'\n';
            } else if c == b'(' {
                depth += 1;
            } else if c == b')' {
                depth -= 1;
                if lines > 0 && depth == 0 && !piece.is_empty() {
                    schema_line(out, &piece, b"\n");
                    piece.clear();
                }
            }
            piece.push(c);
            if depth == 1
                && end_quote == 0
                && (c == b'(' || c == b'\n' || (c == b',' && !ws_to_eol(&z[i + 1..])))
            {
                if c == b'\n' {
                    piece.pop();
                }
                schema_line(out, &piece, b"\n  ");
                piece.clear();
                lines += 1;
                while z.get(i + 1).is_some_and(|&c| is_space(c)) {
                    i += 1;
                }
            }
            i += 1;
        }
        z = piece;
    }
    schema_line(out, &z, b";\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(z: &str) -> String {
        let mut o = Vec::new();
        schema_line(&mut o, z.as_bytes(), b";\n");
        String::from_utf8(o).unwrap()
    }

    fn pp(z: &str) -> String {
        let mut o = Vec::new();
        pretty(&mut o, z.as_bytes());
        String::from_utf8(o).unwrap()
    }

    #[test]
    fn quoted_table_names_get_if_not_exists() {
        assert_eq!(
            line("CREATE TABLE 'x_data'(a)"),
            "CREATE TABLE IF NOT EXISTS 'x_data'(a);\n"
        );
        assert_eq!(line("CREATE TABLE x(a)"), "CREATE TABLE x(a);\n");
    }

    #[test]
    fn open_comments_are_closed_before_the_semicolon() {
        assert_eq!(
            line("CREATE TABLE t(a) /* open"),
            "CREATE TABLE t(a) /* open*/;\n"
        );
        assert_eq!(
            line("CREATE TABLE t(a) -- c"),
            "CREATE TABLE t(a) -- c\n;\n"
        );
    }

    #[test]
    fn schema_goes_before_the_name() {
        let sql = b"CREATE UNIQUE INDEX i ON t(a)";
        let kinds = create_kinds(sql);
        assert_eq!(kinds, vec![(12, false)]);
        assert_eq!(
            with_schema(sql, 12, b"aux"),
            b"CREATE UNIQUE INDEX aux.i ON t(a)"
        );
        assert_eq!(
            with_schema(b"CREATE TABLE t(a)", 5, b"my db"),
            b"CREATE TABLE \"my db\".t(a)"
        );
        assert_eq!(
            with_schema(b"CREATE VIEW v AS x", 4, b"temp"),
            b"CREATE VIEW temp.v AS x"
        );
        assert!(create_kinds(b"create table t(a)").is_empty());
    }

    #[test]
    fn fake_schemas_quote_what_needs_it() {
        let cols = vec![b"key".to_vec(), b"a b".to_vec(), b"c".to_vec()];
        assert_eq!(
            fake_schema_text(Some(b"temp"), b"v", &cols),
            b"temp.v(\"key\",\"a b\",c)"
        );
    }

    #[test]
    fn short_statements_are_only_squeezed() {
        assert_eq!(
            pp("  CREATE TABLE t (\n  a INT ,\r\n  b )  "),
            "CREATE TABLE t(a INT ,\nb);\n"
        );
    }

    #[test]
    fn long_statements_get_one_column_per_line() {
        let got = pp("CREATE TABLE t(alpha INTEGER PRIMARY KEY, beta TEXT NOT NULL, gamma REAL DEFAULT 0.5, delta BLOB)");
        assert_eq!(
            got,
            "CREATE TABLE t(\n  alpha INTEGER PRIMARY KEY,\n  beta TEXT NOT NULL,\n  gamma REAL DEFAULT 0.5,\n  delta BLOB\n);\n"
        );
    }

    #[test]
    fn views_and_triggers_are_left_alone() {
        assert_eq!(
            pp("create view v  as select 1"),
            "create view v  as select 1;\n"
        );
    }
}
