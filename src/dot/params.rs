//! `.parameter init|list|set|unset|clear`: sqlite3 3.40.1's SQL parameter bindings, kept in
//! the table `temp.sqlite_parameters(key TEXT PRIMARY KEY, value) WITHOUT ROWID`.
//!
//! The executor binds them to every statement the shell runs (`bind_prepared_stmt()`, see
//! [`crate::exec`]). Each sub-command issues the same SQL text as sqlite3, so that `.trace`
//! and `.log` show the same statements. Anything else prints the `.parameter` help to the
//! output and is not an error, as in sqlite3.

use std::io::Write;

use rusqlite::{ffi, Connection};

use crate::exec::raw::{self, Value};
use crate::shell::{DotResult, Failure, Flow, Shell};

/// Runs every statement of `sql` and ignores errors (sqlite3's `sqlite3_exec(db, sql, 0,
/// 0, 0)` with the result unchecked).
fn exec_quietly(conn: &Connection, sql: &[u8]) {
    let mut rest = sql;
    while !rest.is_empty() {
        let Ok(p) = raw::prepare(conn, rest) else {
            return;
        };
        if let Some(mut stmt) = p.stmt {
            while stmt.step() == Ok(true) {}
            if stmt.finalize() != 0 {
                return;
            }
        }
        if p.consumed == 0 {
            return;
        }
        rest = &rest[p.consumed..];
    }
}

/// sqlite3's `bind_table_init()`: creates the table, with defensive mode off and the schema
/// writable for the moment (a `sqlite_` name needs that), then restores both.
fn table_init(conn: &Connection) {
    let defensive = ffi::SQLITE_DBCONFIG_DEFENSIVE;
    let writable = ffi::SQLITE_DBCONFIG_WRITABLE_SCHEMA;
    let was_defensive = raw::db_config_flag(conn, defensive, -1).unwrap_or(false);
    raw::db_config_flag(conn, defensive, 0);
    let was_writable = raw::db_config_flag(conn, writable, -1).unwrap_or(false);
    raw::db_config_flag(conn, writable, 1);
    exec_quietly(
        conn,
        b"CREATE TABLE IF NOT EXISTS temp.sqlite_parameters(\n  key TEXT PRIMARY KEY,\n  value\n) WITHOUT ROWID;",
    );
    raw::db_config_flag(conn, writable, i32::from(was_writable));
    raw::db_config_flag(conn, defensive, i32::from(was_defensive));
}

/// `%Q`: a single-quoted SQL string literal.
fn push_quoted(sql: &mut Vec<u8>, text: &[u8]) {
    sql.push(b'\'');
    for &c in text {
        if c == b'\'' {
            sql.push(b'\'');
        }
        sql.push(c);
    }
    sql.push(b'\'');
}

/// `.parameter set KEY VALUE`: VALUE as an SQL expression if it parses as one, else as
/// text. Returns the message sqlite3 writes to the output when neither works.
fn set(conn: &Connection, key: &[u8], value: &[u8]) -> Option<Vec<u8>> {
    table_init(conn);
    let head = |sql: &mut Vec<u8>| {
        sql.extend_from_slice(b"REPLACE INTO temp.sqlite_parameters(key,value)VALUES(");
        push_quoted(sql, key);
        sql.push(b',');
    };
    let mut as_expr = Vec::new();
    head(&mut as_expr);
    as_expr.extend_from_slice(value);
    as_expr.extend_from_slice(b");");
    let stmt = match raw::prepare(conn, &as_expr) {
        Ok(p) => p.stmt,
        Err(_) => {
            let mut as_text = Vec::new();
            head(&mut as_text);
            push_quoted(&mut as_text, value);
            as_text.extend_from_slice(b");");
            match raw::prepare(conn, &as_text) {
                Ok(p) => p.stmt,
                Err(e) => {
                    let mut m = b"Error: ".to_vec();
                    m.extend_from_slice(&e.msg);
                    m.push(b'\n');
                    return Some(m);
                }
            }
        }
    };
    if let Some(mut s) = stmt {
        let _ = s.step();
    }
    None
}

/// `.parameter list`: `KEY VALUE` lines, the keys padded to the longest (at most 40).
fn list(conn: &Connection) -> Vec<u8> {
    let mut out = Vec::new();
    let mut width = 0;
    if let Ok(raw::Prepared {
        stmt: Some(mut s), ..
    }) = raw::prepare(
        conn,
        b"SELECT max(length(key)) FROM temp.sqlite_parameters;",
    ) {
        if s.step() == Ok(true) {
            width = match s.value(0) {
                Value::Integer(n) => (n as i32).min(40),
                Value::Real(r) => (r as i32).min(40),
                _ => 0,
            };
        }
    }
    if width == 0 {
        return out;
    }
    let Ok(raw::Prepared {
        stmt: Some(mut s), ..
    }) = raw::prepare(
        conn,
        b"SELECT key, quote(value) FROM temp.sqlite_parameters;",
    )
    else {
        return out;
    };
    while s.step() == Ok(true) {
        let key = crate::render::cut_nul(s.text(0).unwrap_or_default()).to_vec();
        let value = crate::render::cut_nul(s.text(1).unwrap_or_default()).to_vec();
        let pad = usize::try_from(width)
            .unwrap_or(0)
            .saturating_sub(key.len());
        out.extend_from_slice(&key);
        out.extend(std::iter::repeat_n(b' ', pad));
        out.push(b' ');
        out.extend_from_slice(&value);
        out.push(b'\n');
    }
    out
}

/// `.parameter CMD ...`
pub fn parameter(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    let conn = shell.conn()?;
    let sub: &[u8] = args.get(1).map_or(b"", |a| a);
    let text = match (args.len(), sub) {
        (2, b"clear") => {
            exec_quietly(conn, b"DROP TABLE IF EXISTS temp.sqlite_parameters;");
            Vec::new()
        }
        (2, b"list") => list(conn),
        (2, b"init") => {
            table_init(conn);
            Vec::new()
        }
        (4, b"set") => {
            if let Some(m) = set(conn, &args[2], &args[3]) {
                shell.out.write_all(&m)?;
                return Err(Failure::Reported);
            }
            Vec::new()
        }
        (3, b"unset") => {
            let mut sql = b"DELETE FROM temp.sqlite_parameters WHERE key=".to_vec();
            push_quoted(&mut sql, &args[2]);
            exec_quietly(conn, &sql);
            Vec::new()
        }
        _ => super::help::show_help(Some("parameter")).0.into_bytes(),
    };
    shell.out.write_all(&text)?;
    Ok(Flow::Continue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_as_sql_or_fall_back_to_text() {
        let c = Connection::open_in_memory().unwrap();
        assert!(set(&c, b":a", b"1+2").is_none());
        assert!(set(&c, b"$b", b"it's").is_none());
        assert!(set(&c, b"@c", b"'x'").is_none());
        let l = String::from_utf8(list(&c)).unwrap();
        assert_eq!(l, "$b 'it''s'\n:a 3\n@c 'x'\n");
    }

    #[test]
    fn list_of_no_table_is_empty() {
        let c = Connection::open_in_memory().unwrap();
        assert!(list(&c).is_empty());
    }
}
