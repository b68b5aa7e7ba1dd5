//! `.recover`: sqlite3 3.40.1's `recoverDatabaseCmd()` and as much of its recovery
//! extension as can run without the `sqlite_dbpage` virtual table.
//!
//! The extension reads pages through `sqlite_dbpage`, which neither the sqlite3 3.40.1
//! build we match nor litesh's library has: there, `.recover` writes the opening of its
//! script (`BEGIN;`, `PRAGMA writable_schema = on;` and the five settings it carries over:
//! encoding, page size, auto-vacuum, user version, application id), then fails with
//! `sql error: SQL logic error (1)`. litesh does the same steps with the same side
//! effects (the main connection is left with `writable_schema` on; a `--recovery-db`
//! file gets the extension's `map` and `schema` tables) and fails the same way, so scripts
//! see what 3.40.1 gives them. docs/compat.md lists it under "Not available".

use std::io::Write;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags};

use super::schema::{push_literal, query};
use crate::exec::raw;
use crate::shell::{DotResult, Failure, Shell};

/// True when `arg` (one leading `-` dropped from `--`) is a prefix of `option`: 3.40.1
/// compares only as many bytes as were typed, so `-`, `--no` and even an empty argument
/// select an option.
fn abbreviates(arg: &[u8], option: &str) -> bool {
    let z = if arg.starts_with(b"--") {
        &arg[1..]
    } else {
        arg
    };
    option.as_bytes().starts_with(z)
}

/// Runs one statement on `conn`: the primary result code and message of a failure.
fn run(conn: &Connection, sql: &[u8]) -> Result<(), (i32, Vec<u8>)> {
    match raw::prepare(conn, sql) {
        Err(e) => Err((e.code, e.msg)),
        Ok(raw::Prepared { stmt: None, .. }) => Ok(()),
        Ok(raw::Prepared {
            stmt: Some(mut s), ..
        }) => {
            while let Ok(true) = s.step() {}
            let msg = s.errmsg();
            match s.finalize() {
                0 => Ok(()),
                code => Err((code, msg)),
            }
        }
    }
}

fn rusqlite_failure(e: &rusqlite::Error) -> (i32, Vec<u8>) {
    match e {
        rusqlite::Error::SqliteFailure(f, m) => (
            f.extended_code & 0xff,
            m.clone().unwrap_or_else(|| f.to_string()).into_bytes(),
        ),
        other => (1, other.to_string().into_bytes()),
    }
}

/// `.recover ?--ignore-freelist? ?--lost-and-found TABLE? ?--no-rowids?`
pub fn recover(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    shell.ensure_open()?;
    let mut state_db: &[u8] = b"";
    let mut i = 1;
    while i < args.len() {
        let a = &args[i];
        let has_value = i + 1 < args.len();
        if abbreviates(a, "-ignore-freelist") {
            // Pages on the freelist: nothing is read from pages here.
        } else if abbreviates(a, "-recovery-db") && has_value {
            i += 1;
            state_db = &args[i];
        } else if abbreviates(a, "-lost-and-found") && has_value {
            i += 1;
        } else if abbreviates(a, "-no-rowids") {
            // Rowids: likewise.
        } else {
            shell.out.flush()?;
            let mut m = b"unexpected option: ".to_vec();
            m.extend_from_slice(a);
            shell.report(&Failure::Msg(m));
            let word = String::from_utf8_lossy(&args[0]);
            let (help, _) = super::help::show_help(Some(&word));
            shell.out.write_all(help.as_bytes())?;
            return Err(Failure::Reported);
        }
        i += 1;
    }
    shell
        .out
        .write_all(b"BEGIN;\nPRAGMA writable_schema = on;\n")?;
    let conn = shell.db.conn.as_ref().expect("opened above");
    let mut in_txn = false;
    let outcome = steps(conn, state_db, &mut in_txn, &mut shell.out);
    if in_txn && !raw::autocommit(conn) {
        let _ = run(conn, b"END");
    }
    let (code, msg) = match outcome {
        Ok(()) => (1, b"SQL logic error".to_vec()),
        Err(Step::Failed(code, msg)) => (code, msg),
        Err(Step::Io(e)) => return Err(Failure::Io(e)),
    };
    shell.out.flush()?;
    let mut m = b"sql error: ".to_vec();
    m.extend_from_slice(&msg);
    m.extend_from_slice(format!(" ({code})").as_bytes());
    shell.report(&Failure::Msg(m));
    Err(Failure::Code(code))
}

enum Step {
    Failed(i32, Vec<u8>),
    Io(std::io::Error),
}

impl From<(i32, Vec<u8>)> for Step {
    fn from((c, m): (i32, Vec<u8>)) -> Self {
        Step::Failed(c, m)
    }
}

/// The extension's first step, up to where 3.40.1's build stops: a read transaction on the
/// input, its settings as PRAGMAs, the state database. `Ok` means it got as far as
/// reading pages, which needs `sqlite_dbpage`.
fn steps(
    conn: &Connection,
    state_db: &[u8],
    in_txn: &mut bool,
    out: &mut dyn Write,
) -> Result<(), Step> {
    run(conn, b"PRAGMA writable_schema = on")?;
    run(conn, b"BEGIN")?;
    *in_txn = true;
    run(conn, b"SELECT 1 FROM sqlite_schema")?;
    for pragma in [
        "encoding",
        "page_size",
        "auto_vacuum",
        "user_version",
        "application_id",
    ] {
        let sql = format!("PRAGMA \"main\".{pragma}");
        let rows = query(conn, sql.as_bytes()).map_err(|e| Step::Failed(1, e.msg))?;
        if let Some(row) = rows.first() {
            let Some(value) = row.first().cloned().flatten() else {
                return Err(Step::Failed(7, b"out of memory".to_vec()));
            };
            let mut line = format!("PRAGMA {pragma} = ").into_bytes();
            push_literal(&mut line, &value);
            line.extend_from_slice(b";\n");
            out.write_all(&line).map_err(Step::Io)?;
        }
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let work = Connection::open_with_flags("", flags).map_err(|e| rusqlite_failure(&e))?;
    work.execute(
        "ATTACH ?1 AS recovery",
        [ToSqlOutput::Borrowed(ValueRef::Text(state_db))],
    )
    .map_err(|e| rusqlite_failure(&e))?;
    for sql in [
        &b"PRAGMA writable_schema = 1;"[..],
        b"CREATE TABLE recovery.map(pgno INTEGER PRIMARY KEY, parent INT);",
        b"CREATE TABLE recovery.schema(type, name, tbl_name, rootpage, sql);",
    ] {
        run(&work, sql)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::abbreviates;

    #[test]
    fn options_match_by_typed_prefix() {
        assert!(abbreviates(b"--ignore-freelist", "-ignore-freelist"));
        assert!(abbreviates(b"-", "-ignore-freelist"));
        assert!(abbreviates(b"", "-ignore-freelist"));
        assert!(abbreviates(b"--no", "-no-rowids"));
        assert!(!abbreviates(b"bogus", "-no-rowids"));
        assert!(!abbreviates(b"--no-rowidsx", "-no-rowids"));
    }
}
