//! `.clone NEWDB`: copies the main database into a new file, object by object, as sqlite3
//! 3.40.1's `tryToClone()` does — made to save what it can from a damaged database.
//!
//! Tables first (each CREATE, then its rows with `INSERT OR IGNORE`, going backwards by
//! rowid when reading forwards fails), then indexes, triggers and views. Progress
//! (`NAME... done`) goes to the process's stdout even while `.output` is redirected,
//! since sqlite3 writes it with `printf`; every 10,000 rows of a table a spinner character
//! and a backspace are written there too.
//!
//! Deliberate difference: text values holding a NUL byte are copied whole (3.40.1 binds
//! them as C strings and loses everything after the NUL).

use std::io::{self, Write};

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags};

use crate::exec::raw;
use crate::output::Output;
use crate::render::cut_nul;
use crate::shell::{DotResult, Failure, Flow, Shell};

/// Where sqlite3's `printf` progress lines go: our output when that is stdout (keeping
/// the order of the bytes), else straight to the process's stdout.
struct Progress<'a>(&'a mut Output);

impl Progress<'_> {
    fn write(&mut self, b: &[u8]) -> io::Result<()> {
        if self.0.is_stdout() {
            self.0.write_all(b)?;
            self.0.flush()
        } else {
            let mut o = io::stdout().lock();
            o.write_all(b)?;
            o.flush()
        }
    }
}

/// Writes a line to stderr, as sqlite3's `utf8_printf(stderr, …)` does.
fn warn(parts: &[&[u8]]) {
    let mut e = io::stderr().lock();
    for p in parts {
        let _ = e.write_all(p);
    }
}

/// `sqlite3_exec` on bytes: runs every statement of `sql`; the first error's message.
fn exec(conn: &Connection, sql: &[u8]) -> Result<(), Vec<u8>> {
    let mut rest = sql;
    while !rest.is_empty() {
        let p = raw::prepare(conn, rest).map_err(|e| e.msg)?;
        if let Some(mut s) = p.stmt {
            while let Ok(true) = s.step() {}
            let msg = s.errmsg();
            if s.finalize() != 0 {
                return Err(msg);
            }
        }
        if p.consumed == 0 {
            break;
        }
        rest = &rest[p.consumed..];
    }
    Ok(())
}

/// A file name from a dot-command argument (any bytes on unix).
fn os(b: &[u8]) -> &std::ffi::OsStr {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        std::ffi::OsStr::from_bytes(b)
    }
    #[cfg(not(unix))]
    {
        std::ffi::OsStr::new(std::str::from_utf8(b).unwrap_or_default())
    }
}

/// An identifier inside double quotes with inner quotes doubled (`"%w"`).
fn quoted(name: &[u8]) -> Vec<u8> {
    let mut q = Vec::new();
    crate::format::sql::push_ident(&mut q, name, Some(b'"'));
    q
}

/// The extended code of a rusqlite error and the connection's own message
/// (`sqlite3_extended_errcode`, `sqlite3_errmsg`: rusqlite decorates syntax errors).
fn code_and_msg(conn: &Connection, e: &rusqlite::Error) -> (i32, String) {
    let code = match e {
        rusqlite::Error::SqliteFailure(f, _) => f.extended_code,
        _ => 1,
    };
    (
        code,
        String::from_utf8_lossy(&raw::errmsg(conn)).into_owned(),
    )
}

/// `.clone NEWDB`
pub fn clone(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if let Some(f) = shell.fail_if_safe("cannot run .clone in safe mode") {
        return Ok(f);
    }
    if args.len() != 2 {
        return Err(Failure::msg("Usage: .clone FILENAME"));
    }
    let target = &args[1];
    let path = os(target);
    if std::fs::symlink_metadata(path).is_ok() {
        let mut m = b"File \"".to_vec();
        m.extend_from_slice(target);
        m.extend_from_slice(b"\" already exists.");
        shell.report(&Failure::Msg(m));
        return Ok(Flow::Continue);
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let new_db = match Connection::open_with_flags(path, flags) {
        Ok(c) => c,
        Err(e) => {
            // sqlite3 reports this but does not count it as a failed command.
            let msg = match &e {
                rusqlite::Error::SqliteFailure(_, Some(m)) => m.clone(),
                other => other.to_string(),
            };
            shell.report(&Failure::msg(format!(
                "Cannot create output database: {msg}"
            )));
            return Ok(Flow::Continue);
        }
    };
    let mut progress = Progress(&mut shell.out);
    // sqlite3 does not open the main database for `.clone`: when it is not open yet,
    // every query on it fails as on a NULL handle.
    let src = shell.db.conn.as_ref();
    if let Some(src) = src {
        let _ = exec(src, b"PRAGMA writable_schema=ON;");
    }
    let _ = exec(&new_db, b"BEGIN EXCLUSIVE;");
    let r = copy_schema(src, &new_db, "type='table'", true, &mut progress)
        .and_then(|()| copy_schema(src, &new_db, "type!='table'", false, &mut progress));
    let _ = exec(&new_db, b"COMMIT;");
    if let Some(src) = src {
        let _ = exec(src, b"PRAGMA writable_schema=OFF;");
    }
    drop(new_db);
    r?;
    Ok(Flow::Continue)
}

/// sqlite3's `tryToCloneSchema()`: creates every object of the main schema matching
/// `filter` in the new database (copying the rows of tables when `with_data`); when
/// reading the schema fails part way, goes through it again backwards by rowid.
fn copy_schema(
    src: Option<&Connection>,
    dst: &Connection,
    filter: &str,
    with_data: bool,
    progress: &mut Progress<'_>,
) -> io::Result<()> {
    let forwards = format!("SELECT name, sql FROM sqlite_schema WHERE {filter}");
    let backwards = format!("{forwards} ORDER BY rowid DESC");
    for (pass, sql) in [forwards, backwards].iter().enumerate() {
        let Some(src) = src else {
            warn(&[format!("Error: (7) out of memory on [{sql}]\n").as_bytes()]);
            return Ok(());
        };
        let mut stmt = match src.prepare(sql) {
            Ok(s) => s,
            Err(e) => {
                let (code, msg) = code_and_msg(src, &e);
                warn(&[format!("Error: ({code}) {msg} on [{sql}]\n").as_bytes()]);
                return Ok(());
            }
        };
        let mut rows = stmt.raw_query();
        let finished = loop {
            let row = match rows.next() {
                Ok(Some(r)) => r,
                Ok(None) => break true,
                Err(_) => break false,
            };
            let text = |i: usize| match row.get_ref(i) {
                Ok(ValueRef::Null) | Err(_) => None,
                Ok(ValueRef::Text(t)) | Ok(ValueRef::Blob(t)) => Some(t.to_vec()),
                Ok(ValueRef::Integer(n)) => Some(n.to_string().into_bytes()),
                Ok(ValueRef::Real(f)) => Some(crate::format::real_text(f).into_bytes()),
            };
            let (Some(name), Some(create)) = (text(0), text(1)) else {
                continue;
            };
            let name = cut_nul(&name).to_vec();
            progress.write(&[&name[..], b"... "].concat())?;
            if let Err(msg) = exec(dst, cut_nul(&create)) {
                warn(&[b"Error: ", &msg, b"\nSQL: [", cut_nul(&create), b"]\n"]);
            }
            if with_data {
                copy_rows(src, dst, &name, progress)?;
                // A savepoint makes virtual tables (FTS5) write what they hold in memory
                // now, before their shadow tables are copied: sqlite3 3.40.1's library
                // had done so by then, the newer one would only at COMMIT and then fail
                // on the rows copied meanwhile, losing the whole clone.
                let _ = exec(dst, b"SAVEPOINT litesh_clone; RELEASE litesh_clone;");
            }
            progress.write(b"done\n")?;
        };
        if finished || pass == 1 {
            break;
        }
    }
    Ok(())
}

/// sqlite3's `tryToCloneData()`: every row of `table` into the same table of `dst` with
/// `INSERT OR IGNORE`; when reading fails part way, reads again backwards by rowid.
fn copy_rows(
    src: &Connection,
    dst: &Connection,
    table: &[u8],
    progress: &mut Progress<'_>,
) -> io::Result<()> {
    const SPIN_RATE: u64 = 10_000;
    let mut select = b"SELECT * FROM ".to_vec();
    select.extend_from_slice(&quoted(table));
    let mut query = match raw::prepare(src, &select) {
        Ok(raw::Prepared { stmt: Some(s), .. }) => s,
        Ok(_) => return Ok(()),
        Err(e) => {
            let mut m = format!("Error {}: ", e.code).into_bytes();
            m.extend_from_slice(&e.msg);
            warn(&[&m, b" on [", &select, b"]\n"]);
            return Ok(());
        }
    };
    let n = query.column_count();
    // sqlite3 writes the name here without doubling inner double quotes.
    let mut insert = String::from("INSERT OR IGNORE INTO \"");
    insert.push_str(&String::from_utf8_lossy(table));
    insert.push_str("\" VALUES(?");
    for _ in 1..n {
        insert.push_str(",?");
    }
    insert.push_str(");");
    let mut ins = match dst.prepare(&insert) {
        Ok(s) => s,
        Err(e) => {
            let (code, msg) = code_and_msg(dst, &e);
            let mut m = format!("Error {code}: {msg} on [").into_bytes();
            m.extend_from_slice(&select);
            warn(&[&m, b"]\n"]);
            return Ok(());
        }
    };
    let mut count: u64 = 0;
    for _ in 0..2 {
        let done = loop {
            match query.step() {
                Ok(true) => {}
                Ok(false) => break true,
                Err(_) => break false,
            }
            for i in 0..n {
                let v = match query.value(i) {
                    raw::Value::Null => ValueRef::Null,
                    raw::Value::Integer(x) => ValueRef::Integer(x),
                    raw::Value::Real(x) => ValueRef::Real(x),
                    raw::Value::Text(t) => ValueRef::Text(t),
                    raw::Value::Blob(b) => ValueRef::Blob(b),
                };
                let _ = ins.raw_bind_parameter(i + 1, ToSqlOutput::Borrowed(v));
            }
            if let Err(e) = ins.raw_execute() {
                let (code, msg) = code_and_msg(dst, &e);
                warn(&[format!("Error {code}: {msg}\n").as_bytes()]);
            }
            count += 1;
            if count % SPIN_RATE == 0 {
                let spin = b"|/-\\"[((count / SPIN_RATE) % 4) as usize];
                progress.write(&[spin, 8])?;
            }
        };
        if done {
            break;
        }
        let mut back = select.clone();
        back.extend_from_slice(b" ORDER BY rowid DESC;");
        query = match raw::prepare(src, &back) {
            Ok(raw::Prepared { stmt: Some(s), .. }) => s,
            _ => {
                warn(&[b"Warning: cannot step \"", table, b"\" backwards"]);
                break;
            }
        };
    }
    Ok(())
}
