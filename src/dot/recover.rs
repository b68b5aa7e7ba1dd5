//! `.recover`: sqlite3 3.40.1's `recoverDatabaseCmd()` — its options, its messages, the
//! opening of the script and its side effects on the connection — over litesh's recovery
//! (`crate::recover`), which reads pages through `sqlite_dbpage`.
//!
//! The shell's part as in 3.40.1: `BEGIN;` and `PRAGMA writable_schema = on;`, a read
//! transaction on the input with `writable_schema` left on for the main connection, the
//! five settings it carries over (encoding, page size, auto-vacuum, user version,
//! application id) as PRAGMAs, the `--recovery-db` state database with the extension's
//! `map` and `schema` tables, and `sql error: MSG (CODE)` when a step fails. A file whose
//! header the library refuses (`file is not a database`) is read page by page from the
//! file itself when a page size can be found for it (see `recover::source`). 3.40.1's
//! Debian build has no `sqlite_dbpage`, so it stops after the PRAGMAs with `sql error: SQL
//! logic error (1)`; docs/compat.md says so.

use std::io::Write;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags};

use super::schema::{push_literal, query};
use crate::exec::raw;
use crate::recover::{self, source};
use crate::shell::{DotResult, Failure, Flow, OpenMode, Shell};

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
    let mut opts = recover::Options::default();
    let mut i = 1;
    while i < args.len() {
        let a = &args[i];
        let has_value = i + 1 < args.len();
        if abbreviates(a, "-ignore-freelist") {
            opts.freelist_corrupt = false;
        } else if abbreviates(a, "-recovery-db") && has_value {
            i += 1;
            state_db = &args[i];
        } else if abbreviates(a, "-lost-and-found") && has_value {
            i += 1;
            opts.lost_and_found = Some(args[i].clone());
        } else if abbreviates(a, "-no-rowids") {
            opts.rowids = false;
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
    // Reading the file itself needs its pages at their plain offsets.
    let file_ok = shell.db.mode != OpenMode::Append;
    let conn = shell.db.conn.as_ref().expect("opened above");
    let mut in_txn = false;
    let outcome = steps(conn, state_db, &opts, file_ok, &mut in_txn, &mut shell.out);
    if in_txn && !raw::autocommit(conn) {
        let _ = run(conn, b"END");
    }
    let (code, msg) = match outcome {
        Ok(()) => return Ok(Flow::Continue),
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

/// The whole script `.recover` writes for `conn`'s main database with the default options
/// (for `crate::fuzzing`); `Err` holds the result code and message `.recover` would report.
pub(crate) fn script(conn: &Connection, out: &mut dyn Write) -> Result<(), (i32, Vec<u8>)> {
    let io = |e: std::io::Error| (10, e.to_string().into_bytes());
    out.write_all(b"BEGIN;\nPRAGMA writable_schema = on;\n")
        .map_err(io)?;
    let mut in_txn = false;
    let opts = recover::Options::default();
    let outcome = steps(conn, b"", &opts, true, &mut in_txn, out);
    if in_txn && !raw::autocommit(conn) {
        let _ = run(conn, b"END");
    }
    match outcome {
        Ok(()) => Ok(()),
        Err(Step::Failed(code, msg)) => Err((code, msg)),
        Err(Step::Io(e)) => Err(io(e)),
    }
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

/// Where the pages come from.
enum Input {
    /// `sqlite_dbpage`, in the read transaction on the input.
    DbPage,
    /// The file itself (its header was refused).
    File(source::RawFile),
}

/// The recovery: a read transaction on the input, its settings as PRAGMAs, the state
/// database, then the script.
fn steps(
    conn: &Connection,
    state_db: &[u8],
    opts: &recover::Options,
    file_ok: bool,
    in_txn: &mut bool,
    out: &mut dyn Write,
) -> Result<(), Step> {
    run(conn, b"PRAGMA writable_schema = on")?;
    run(conn, b"BEGIN")?;
    *in_txn = true;
    let input = match run(conn, b"SELECT 1 FROM sqlite_schema") {
        Ok(()) => Input::DbPage,
        Err((26, msg)) => {
            let raw = file_ok
                .then(|| conn.path().filter(|p| !p.is_empty()))
                .flatten()
                .and_then(|p| source::RawFile::open(std::path::Path::new(p)));
            match raw {
                Some(f) => Input::File(f),
                None => return Err(Step::Failed(26, msg)),
            }
        }
        Err(e) => return Err(e.into()),
    };
    let mut encoding = 1;
    for pragma in [
        "encoding",
        "page_size",
        "auto_vacuum",
        "user_version",
        "application_id",
    ] {
        let value = match &input {
            Input::DbPage => {
                let sql = format!("PRAGMA \"main\".{pragma}");
                let rows = query(conn, sql.as_bytes()).map_err(|e| Step::Failed(1, e.msg))?;
                let Some(row) = rows.first() else {
                    continue;
                };
                let Some(value) = row.first().cloned().flatten() else {
                    return Err(Step::Failed(7, b"out of memory".to_vec()));
                };
                value
            }
            Input::File(f) => header_value(&f.header, pragma),
        };
        if pragma == "encoding" {
            encoding = match &value[..] {
                b"UTF-16le" => 2,
                b"UTF-16be" => 3,
                _ => 1,
            };
        }
        let mut line = format!("PRAGMA {pragma} = ").into_bytes();
        push_literal(&mut line, &value);
        line.extend_from_slice(b";\n");
        out.write_all(&line).map_err(Step::Io)?;
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
    match input {
        Input::DbPage => {
            let mut pages = source::DbPage::new(conn).map_err(|e| rusqlite_failure(&e))?;
            recover::run(&mut pages, encoding, &work, opts, out)
        }
        Input::File(mut f) => recover::run(&mut f, encoding, &work, opts, out),
    }
    .map_err(Step::Io)
}

/// What the library would answer for `PRAGMA name` on a database with this header.
fn header_value(h: &source::Header, name: &str) -> Vec<u8> {
    match name {
        "encoding" => match h.encoding {
            2 => "UTF-16le",
            3 => "UTF-16be",
            _ => "UTF-8",
        }
        .into(),
        "page_size" => h.page_size.to_string().into_bytes(),
        "auto_vacuum" => h.auto_vacuum.to_string().into_bytes(),
        "user_version" => h.user_version.to_string().into_bytes(),
        _ => h.application_id.to_string().into_bytes(),
    }
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
