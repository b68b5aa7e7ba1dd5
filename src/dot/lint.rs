//! `.lint fkey-indexes ?-verbose? ?-groupbyparent?`: foreign keys of the main database
//! whose child columns have no index, with the `CREATE INDEX` statement that would serve
//! them, as sqlite3 3.40.1 reports them.
//!
//! One query (3.40.1's own) gives a row per foreign key: the `EXPLAIN QUERY PLAN` of the
//! lookup the foreign-key code runs on the child table, a GLOB the plan matches when an
//! index serves that lookup, both sides as text and the suggested index (carrying the
//! parent column's collation when the child's differs, from the SQL function
//! `fkey_collate_clause`, which stays registered afterwards as in 3.40.1). A plan that
//! matches neither the GLOB nor the INTEGER PRIMARY KEY plan needs the index.
//!
//! `.lint` never fails: usage and SQL errors go to stderr and the command still succeeds.

use std::io::Write;

use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;

use super::pattern::glob;
use crate::exec::raw::{self, Value};
use crate::render::cut_nul;
use crate::shell::{DotResult, Flow, Shell};

/// The foreign-key query of sqlite3 3.40.1 (bound to 1 to order by parent table).
const FKEY_SQL: &[u8] = b"SELECT      'EXPLAIN QUERY PLAN SELECT 1 FROM ' || quote(s.name) || ' WHERE '  || group_concat(quote(s.name) || '.' || quote(f.[from]) || '=?'   || fkey_collate_clause(       f.[table], COALESCE(f.[to], p.[name]), s.name, f.[from]),' AND '),      'SEARCH ' || s.name || ' USING COVERING INDEX*('  || group_concat('*=?', ' AND ') || ')',      s.name  || '(' || group_concat(f.[from],  ', ') || ')',      f.[table] || '(' || group_concat(COALESCE(f.[to], p.[name])) || ')',      'CREATE INDEX ' || quote(s.name ||'_'|| group_concat(f.[from], '_'))  || ' ON ' || quote(s.name) || '('  || group_concat(quote(f.[from]) ||        fkey_collate_clause(          f.[table], COALESCE(f.[to], p.[name]), s.name, f.[from]), ', ')  || ');',      f.[table] FROM sqlite_schema AS s, pragma_foreign_key_list(s.name) AS f LEFT JOIN pragma_table_info AS p ON (pk-1=seq AND p.arg=f.[table]) GROUP BY s.name, f.id ORDER BY (CASE WHEN ? THEN f.[table] ELSE s.name END)";

/// The plan of a lookup by INTEGER PRIMARY KEY, which needs no index either.
const IPK_PLAN: &[u8] = b"SEARCH * USING INTEGER PRIMARY KEY (rowid=?)";

fn stderr(bytes: &[u8]) {
    let _ = std::io::stderr().write_all(bytes);
}

/// True when `arg` is a non-empty case-insensitive prefix of `word` (3.40.1 compares only
/// as many bytes as were typed).
fn abbreviates(arg: &[u8], word: &str, min: usize) -> bool {
    arg.len() >= min
        && arg.len() <= word.len()
        && arg.eq_ignore_ascii_case(&word.as_bytes()[..arg.len()])
}

/// `.lint SUB-COMMAND ?SWITCHES?`
pub fn lint(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    shell.ensure_open()?;
    if !args
        .get(1)
        .is_some_and(|a| abbreviates(a, "fkey-indexes", 1))
    {
        let mut m = b"Usage ".to_vec();
        m.extend_from_slice(&args[0]);
        m.extend_from_slice(
            b" sub-command ?switches...?\nWhere sub-commands are:\n    fkey-indexes\n",
        );
        stderr(&m);
        return Ok(Flow::Continue);
    }
    let mut verbose = false;
    let mut by_parent = false;
    for a in &args[2..] {
        if abbreviates(a, "-verbose", 2) {
            verbose = true;
        } else if abbreviates(a, "-groupbyparent", 2) {
            by_parent = true;
        } else {
            let mut m = b"Usage: ".to_vec();
            m.extend_from_slice(&args[0]);
            m.push(b' ');
            m.extend_from_slice(&args[1]);
            m.extend_from_slice(b" ?-verbose? ?-groupbyparent?\n");
            stderr(&m);
            return Ok(Flow::Continue);
        }
    }
    let conn = shell.db.conn.as_ref().expect("opened above");
    let mut out = Vec::new();
    let result = fkey_indexes(conn, verbose, by_parent, &mut out);
    shell.out.write_all(&out)?;
    if let Err(msg) = result {
        stderr(&msg);
    }
    Ok(Flow::Continue)
}

/// `fkey_collate_clause(PARENT, PARENT-COLUMN, CHILD, CHILD-COLUMN)`: ` COLLATE X` when
/// the parent column's collation X differs from the child column's, else the empty text.
fn register_collate_clause(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "fkey_collate_clause",
        4,
        FunctionFlags::SQLITE_UTF8,
        |ctx| {
            let arg = |i: usize| -> rusqlite::Result<Option<Vec<u8>>> {
                Ok(match ctx.get_raw(i) {
                    rusqlite::types::ValueRef::Null => None,
                    v => Some(cut_nul(&value_text(v)).to_vec()),
                })
            };
            let (parent, parent_col, child, child_col) = (arg(0)?, arg(1)?, arg(2)?, arg(3)?);
            let db = raw::function_connection(ctx)?;
            let coll = |table: &Option<Vec<u8>>, col: &Option<Vec<u8>>| {
                raw::column_collation(&db, b"main", table.as_deref()?, col.as_deref())
            };
            let clause = match (coll(&parent, &parent_col), coll(&child, &child_col)) {
                (Some(p), Some(c)) if !p.eq_ignore_ascii_case(&c) => {
                    let mut z = b" COLLATE ".to_vec();
                    z.extend_from_slice(&p);
                    z
                }
                _ => Vec::new(),
            };
            Ok(crate::functions::text_result(clause))
        },
    )
}

/// A value as `sqlite3_value_text` gives it.
fn value_text(v: rusqlite::types::ValueRef<'_>) -> Vec<u8> {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => Vec::new(),
        ValueRef::Integer(i) => i.to_string().into_bytes(),
        ValueRef::Real(r) => crate::format::real::real_text(r).into_bytes(),
        ValueRef::Text(t) | ValueRef::Blob(t) => t.to_vec(),
    }
}

/// The report, written to `out`; `Err` holds what goes to stderr.
fn fkey_indexes(
    conn: &Connection,
    verbose: bool,
    by_parent: bool,
    out: &mut Vec<u8>,
) -> Result<(), Vec<u8>> {
    let failed = |conn: &Connection| {
        let mut m = raw::errmsg(conn);
        m.push(b'\n');
        m
    };
    if register_collate_clause(conn).is_err() {
        return Err(failed(conn));
    }
    let mut stmt = match raw::prepare(conn, FKEY_SQL) {
        Ok(raw::Prepared { stmt: Some(s), .. }) => s,
        Ok(_) => return Ok(()),
        Err(e) => {
            let mut m = e.msg;
            m.push(b'\n');
            return Err(m);
        }
    };
    stmt.bind_value(1, &Value::Integer(i64::from(by_parent)));
    let indent: &[u8] = if by_parent { b"    " } else { b"" };
    let mut previous_parent: Option<Vec<u8>> = None;
    loop {
        match stmt.step() {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            // The error comes back from finalizing, as in 3.40.1.
            Err(_) => return Err(failed(conn)),
        }
        let col = |i| stmt.text(i).map(|t| cut_nul(t).to_vec());
        let (Some(eqp), Some(pattern)) = (col(0), col(1)) else {
            continue;
        };
        // NULL prints as glibc's printf prints a null `%s`.
        let [from, target, create, parent] =
            [2, 3, 4, 5].map(|i| col(i).unwrap_or_else(|| b"(null)".to_vec()));
        let plan = match raw::prepare(conn, &eqp) {
            Ok(raw::Prepared {
                stmt: Some(mut explain),
                ..
            }) => match explain.step() {
                Ok(true) => Some(explain.text(3).map(|t| cut_nul(t).to_vec())),
                Ok(false) => None,
                Err(_) => return Err(failed(conn)),
            },
            Ok(_) => None,
            Err(e) => {
                let mut m = e.msg;
                m.push(b'\n');
                return Err(m);
            }
        };
        let Some(plan) = plan else {
            return Err(b"Error: internal error".to_vec());
        };
        let indexed = plan.is_some_and(|p| glob(&pattern, &p) || glob(IPK_PLAN, &p));
        if by_parent
            && (verbose || !indexed)
            && !previous_parent
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case(&parent))
        {
            out.extend_from_slice(b"-- Parent table ");
            out.extend_from_slice(&parent);
            out.push(b'\n');
            previous_parent = Some(parent);
        }
        if !indexed {
            out.extend_from_slice(indent);
            out.extend_from_slice(&create);
            out.extend_from_slice(b" --> ");
            out.extend_from_slice(&target);
            out.push(b'\n');
        } else if verbose {
            out.extend_from_slice(indent);
            out.extend_from_slice(b"/* no extra indexes required for ");
            out.extend_from_slice(&from);
            out.extend_from_slice(b" -> ");
            out.extend_from_slice(&target);
            out.extend_from_slice(b" */\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switches_abbreviate() {
        assert!(abbreviates(b"f", "fkey-indexes", 1));
        assert!(abbreviates(b"FKEY", "fkey-indexes", 1));
        assert!(!abbreviates(b"fkey-indexesx", "fkey-indexes", 1));
        assert!(!abbreviates(b"", "fkey-indexes", 1));
        assert!(abbreviates(b"-v", "-verbose", 2));
        assert!(!abbreviates(b"-", "-verbose", 2));
        assert!(!abbreviates(b"--verbose", "-verbose", 2));
    }
}
