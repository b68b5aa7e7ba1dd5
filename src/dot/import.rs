//! `.import FILE TABLE`, as sqlite3 3.40.1 runs it.
//!
//! The steps and their messages follow 3.40.1's `.import`:
//!
//! 1. Safe mode stops the shell (`line N: cannot run .import in safe mode`).
//! 2. Options: `--csv`, `--ascii`, `--skip N`, `--schema S`, `-v` (each also with one dash).
//!    Unknown options, a third plain argument and a missing FILE or TABLE print `ERROR: …`
//!    and the command's help on the output (not stderr), and fail.
//! 3. Without `--csv`/`--ascii` the dialect and separators come from the output mode: ascii
//!    mode reads ASCII-delimited text, every other mode CSV, with the current `.separator`
//!    values, which must be one byte each. In csv mode a CRLF row separator (`.mode csv`'s
//!    output default) is changed to LF — for good, as in 3.40.1, so later csv output ends
//!    rows with LF too.
//! 4. `FILE` is opened (`|COMMAND` runs `sh -c COMMAND` and messages call it `<pipe>`).
//! 5. `--skip N` drops N rows (a row being fields up to one not ended by the column
//!    separator).
//! 6. If `SELECT * FROM TABLE` fails with `no such table`, the next row names the columns of
//!    a new table ([`crate::import::column_names`]); `-v` shows the `CREATE TABLE`.
//! 7. Every following row is inserted with `INSERT INTO TABLE VALUES(?,…)`, inside a
//!    transaction when none is open. Fields are bound as text up to their first NUL byte (a
//!    C string in 3.40.1). Short rows are filled with NULL and long rows cut, with a
//!    `FILE:LINE:` message each; failed INSERTs are reported and skipped.
//! 8. `-v` ends with `Added R rows with E errors using L lines of input`.
//!
//! As in 3.40.1 the command counts as failed only when its *last* INSERT failed (the error
//! count itself does not matter), and in ascii output mode a row whose first field is empty
//! ends before binding anything (so a stray separator after it can insert the previous row's
//! values again — 3.40.1 does exactly that).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Stdio};

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::Connection;

use crate::exec::raw;
use crate::import::{self, FieldReader, Format, Sep};
use crate::render::{cut_nul, Mode};
use crate::shell::{integer_value_bytes, DotResult, Failure, Flow, Shell, SEEN_INTERRUPT};

/// What the arguments asked for.
#[derive(Debug, Default)]
struct Request {
    file: Option<Vec<u8>>,
    table: Option<Vec<u8>>,
    schema: Option<Vec<u8>>,
    skip: i32,
    verbose: u32,
    /// `--csv` or `--ascii`; `None`: take them from the output mode.
    explicit: Option<Format>,
}

/// `.import ?OPTIONS? FILE TABLE`
pub fn import(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if let Some(flow) = shell.fail_if_safe("cannot run .import in safe mode") {
        return Ok(flow);
    }
    let req = match parse_args(args) {
        Ok(r) => r,
        Err(msg) => return usage(shell, &msg),
    };
    let (Some(file), Some(table)) = (req.file.clone(), req.table.clone()) else {
        let what = if req.file.is_none() { "FILE" } else { "TABLE" };
        return usage(
            shell,
            format!("ERROR: missing {what} argument. Usage:\n").as_bytes(),
        );
    };
    SEEN_INTERRUPT.store(0, std::sync::atomic::Ordering::SeqCst);
    shell.ensure_open()?;
    let (format, col, row) = match req.explicit {
        Some(Format::Csv) => (Format::Csv, b',', b'\n'),
        Some(Format::Ascii) => (Format::Ascii, 0x1f, 0x1e),
        None => separators_from_mode(shell)?,
    };

    let (input, mut child, name): (Box<dyn BufRead>, Option<Child>, Vec<u8>) =
        if let Some(cmd) = file.strip_prefix(b"|") {
            match crate::output::sh_command(os(cmd))
                .stdout(Stdio::piped())
                .spawn()
            {
                Ok(mut c) => match c.stdout.take() {
                    Some(out) => (Box::new(BufReader::new(out)), Some(c), b"<pipe>".to_vec()),
                    None => return Err(cannot_open(&file)),
                },
                Err(_) => return Err(cannot_open(&file)),
            }
        } else {
            match std::fs::File::open(os(&file)) {
                Ok(f) => (Box::new(BufReader::new(f)), None, file.clone()),
                Err(_) => return Err(cannot_open(&file)),
            }
        };
    if req.verbose >= 2 || (req.verbose >= 1 && req.explicit.is_none()) {
        let mut line = b"Column separator ".to_vec();
        c_string(&mut line, col);
        line.extend_from_slice(b", row separator ");
        c_string(&mut line, row);
        line.push(b'\n');
        shell.out.write_all(&line)?;
    }
    let mut reader = FieldReader::new(input, format, Sep(col), Sep(row)).stop_on(&SEEN_INTERRUPT);
    let job = Job {
        name,
        table,
        schema: req.schema,
        skip: req.skip,
        verbose: req.verbose,
        empty_first_ends_row: shell.settings.render.mode == Mode::Ascii,
    };
    let result = job.run(shell, &mut reader);
    // pclose(): close our end, then wait for the command.
    drop(reader);
    if let Some(c) = child.as_mut() {
        let _ = c.wait();
    }
    result
}

/// A file name or command as the OS takes it (any bytes on unix).
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

/// sqlite3's rules for `.import` options: a leading `--` counts as `-`; `-schema` and
/// `-skip` take the next argument only if there is one (else they are unknown options).
fn parse_args(args: &[Vec<u8>]) -> Result<Request, Vec<u8>> {
    let mut req = Request::default();
    let mut i = 1;
    while i < args.len() {
        let a = &args[i][..];
        let z = if a.starts_with(b"--") { &a[1..] } else { a };
        let has_value = i + 1 < args.len();
        if z.first() != Some(&b'-') {
            if req.file.is_none() {
                req.file = Some(z.to_vec());
            } else if req.table.is_none() {
                req.table = Some(z.to_vec());
            } else {
                return Err(quoted_usage("ERROR: extra argument: \"", z));
            }
        } else if z == b"-v" {
            req.verbose += 1;
        } else if z == b"-schema" && has_value {
            i += 1;
            req.schema = Some(args[i].clone());
        } else if z == b"-skip" && has_value {
            i += 1;
            req.skip = integer_value_bytes(&args[i]) as i32;
        } else if z == b"-ascii" {
            req.explicit = Some(Format::Ascii);
        } else if z == b"-csv" {
            req.explicit = Some(Format::Csv);
        } else {
            return Err(quoted_usage("ERROR: unknown option: \"", z));
        }
        i += 1;
    }
    Ok(req)
}

fn quoted_usage(head: &str, z: &[u8]) -> Vec<u8> {
    let mut m = head.as_bytes().to_vec();
    m.extend_from_slice(z);
    m.extend_from_slice(b"\".  Usage:\n");
    m
}

/// Writes `head` and the help of `.import` to the output; the command fails.
fn usage(shell: &mut Shell, head: &[u8]) -> DotResult {
    let help = super::REGISTRY
        .iter()
        .find(|c| c.name == "import")
        .and_then(|c| c.help)
        .unwrap_or_default();
    shell.out.write_all(head)?;
    shell.out.write_all(help.as_bytes())?;
    Err(Failure::Reported)
}

fn cannot_open(file: &[u8]) -> Failure {
    let mut m = b"Error: cannot open \"".to_vec();
    m.extend_from_slice(file);
    m.push(b'"');
    Failure::Msg(m)
}

/// The dialect and separators taken from the output mode (3.40.1's checks, in its order).
fn separators_from_mode(shell: &mut Shell) -> Result<(Format, u8, u8), Failure> {
    let opts = &mut shell.settings.render;
    let col = cut_nul(&opts.col_sep);
    if col.is_empty() {
        return Err(Failure::msg(
            "Error: non-null column separator required for import",
        ));
    }
    if col.len() > 1 {
        return Err(Failure::msg(
            "Error: multi-character column separators not allowed for import",
        ));
    }
    let col = col[0];
    let row = cut_nul(&opts.row_sep);
    if row.is_empty() {
        return Err(Failure::msg(
            "Error: non-null row separator required for import",
        ));
    }
    if opts.mode == Mode::Csv && row == b"\r\n" {
        // 3.40.1 rewrites the setting itself, so csv output is changed from here on.
        opts.row_sep = b"\n".to_vec();
    }
    let row = cut_nul(&opts.row_sep);
    if row.len() > 1 {
        return Err(Failure::msg(
            "Error: multi-character row separators not allowed for import",
        ));
    }
    let format = if opts.mode == Mode::Ascii {
        Format::Ascii
    } else {
        Format::Csv
    };
    Ok((format, col, row[0]))
}

/// sqlite3's `output_c_string` of a one-byte string: in double quotes, with C escapes and
/// octal for the bytes that are not printable ASCII.
fn c_string(out: &mut Vec<u8>, b: u8) {
    out.push(b'"');
    match b {
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'"' => out.extend_from_slice(b"\\\""),
        b'\t' => out.extend_from_slice(b"\\t"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        0x20..=0x7e => out.push(b),
        _ => out.extend_from_slice(format!("\\{b:03o}").as_bytes()),
    }
    out.push(b'"');
}

/// Writes a message line to stderr (unbuffered, as sqlite3's are).
fn warn(msg: &[u8]) {
    let mut e = std::io::stderr().lock();
    let _ = e.write_all(msg);
    let _ = e.write_all(b"\n");
}

/// `FILE:LINE: ` before a message.
fn at(file: &[u8], line: usize, rest: &str) -> Vec<u8> {
    let mut m = file.to_vec();
    m.extend_from_slice(format!(":{line}: {rest}").as_bytes());
    m
}

/// The part of `.import` after the input is open.
struct Job {
    /// The name messages use (`<pipe>` for a command).
    name: Vec<u8>,
    table: Vec<u8>,
    schema: Option<Vec<u8>>,
    skip: i32,
    verbose: u32,
    /// 3.40.1 tests the *output* mode here: in ascii mode a row whose first field is empty
    /// (or missing) is not inserted.
    empty_first_ends_row: bool,
}

impl Job {
    fn next<R: BufRead>(&self, reader: &mut FieldReader<R>) -> bool {
        let got = reader.next_field();
        for d in reader.take_diags() {
            warn(&d.message(&self.name));
        }
        got
    }

    fn run<R: BufRead>(&self, shell: &mut Shell, reader: &mut FieldReader<R>) -> DotResult {
        for _ in 0..self.skip.max(0) {
            while self.next(reader) && reader.ended_by_col() {}
        }
        let mut full = Vec::new();
        if let Some(s) = &self.schema {
            full.extend_from_slice(&import::quote_ident(s));
            full.push(b'.');
        }
        full.extend_from_slice(&import::quote_ident(&self.table));
        let select = [&b"SELECT * FROM "[..], &full].concat();

        let conn = shell.db.conn.as_ref().expect("opened by the caller");
        let mut ncol = match column_count(conn, &select) {
            Ok(n) => Some(n),
            Err(msg) if msg.starts_with(b"no such table: ") => None,
            Err(msg) => return Err(Failure::Msg([&b"Error: "[..], &msg].concat())),
        };
        if ncol.is_none() {
            self.create_table(shell, reader, &full)?;
            let conn = shell.db.conn.as_ref().expect("open");
            match column_count(conn, &select) {
                Ok(n) => ncol = Some(n),
                Err(msg) => return Err(Failure::Msg([&b"Error: "[..], &msg].concat())),
            }
        }
        let ncol = ncol.unwrap_or(0);
        if ncol == 0 {
            return Ok(Flow::Continue);
        }
        let mut insert = [&b"INSERT INTO "[..], &full, b" VALUES(?"].concat();
        for _ in 1..ncol {
            insert.extend_from_slice(b",?");
        }
        insert.push(b')');
        if self.verbose >= 2 {
            let line = [&b"Insert using: "[..], &insert, b"\n"].concat();
            shell.out.write_all(&line)?;
        }
        let conn = shell.db.conn.as_ref().expect("open");
        if let Err(e) = raw::prepare(conn, &insert) {
            return Err(Failure::Msg([&b"Error: "[..], &e.msg].concat()));
        }
        let mut sink = Inserter::new(conn, &full, &insert, ncol);
        let outer = raw::autocommit(conn);
        if outer {
            exec_quietly(conn, b"BEGIN");
        }
        let tally = self.rows(reader, &mut sink, ncol);
        drop(sink);
        if outer {
            exec_quietly(conn, b"COMMIT");
        }
        if self.verbose > 0 {
            let line = format!(
                "Added {} rows with {} errors using {} lines of input\n",
                tally.rows,
                tally.errors,
                reader.line() - 1
            );
            shell.out.write_all(line.as_bytes())?;
        }
        match tally.last_failed {
            Some(code) => Err(Failure::Code(code)),
            None => Ok(Flow::Continue),
        }
    }

    /// Names the columns from the next row and creates the table.
    fn create_table<R: BufRead>(
        &self,
        shell: &mut Shell,
        reader: &mut FieldReader<R>,
        full: &[u8],
    ) -> Result<(), Failure> {
        let mut headers = Vec::new();
        while self.next(reader) {
            headers.push(cut_nul(reader.field()).to_vec());
            if !reader.ended_by_col() {
                break;
            }
        }
        let cols = import::column_names(&headers);
        if !cols.renamed.is_empty() {
            let mut m = b"Columns renamed during .import ".to_vec();
            m.extend_from_slice(&self.name);
            m.extend_from_slice(b" due to duplicates:\n");
            m.extend_from_slice(&import::renames_text(&cols.renamed));
            warn(&m);
        }
        if cols.names.is_empty() {
            return Err(Failure::Msg([&self.name[..], b": empty file"].concat()));
        }
        let mut create = [&b"CREATE TABLE "[..], full].concat();
        create.extend_from_slice(&import::create_columns(&cols.names));
        create.push(b'\n');
        if self.verbose >= 1 {
            shell.out.write_all(&create)?;
            shell.out.write_all(b"\n")?;
        }
        let conn = shell.db.conn.as_ref().expect("open");
        if let Err(msg) = exec(conn, &create) {
            return Err(Failure::Msg([&create[..], b" failed:\n", &msg].concat()));
        }
        Ok(())
    }

    /// Reads and inserts the rows (3.40.1's loop, with its counting quirks).
    fn rows<R: BufRead>(
        &self,
        reader: &mut FieldReader<R>,
        sink: &mut Inserter<'_>,
        ncol: usize,
    ) -> Tally {
        let mut tally = Tally::default();
        loop {
            let start = reader.line();
            // Fields of this row seen so far; past `ncol` once the row was filled.
            let mut seen = 0;
            while seen < ncol {
                let got = self.next(reader);
                if !got && seen == 0 {
                    break;
                }
                if self.empty_first_ends_row && seen == 0 && cut_nul(reader.field()).is_empty() {
                    break;
                }
                sink.values[seen] = got.then(|| cut_nul(reader.field()).to_vec());
                seen += 1;
                if seen < ncol && !reader.ended_by_col() {
                    warn(&at(
                        &self.name,
                        start,
                        &format!(
                            "expected {ncol} columns but found {seen} - filling the rest with NULL"
                        ),
                    ));
                    sink.values[seen..].fill(None);
                    seen = ncol + 1;
                }
            }
            if reader.ended_by_col() {
                loop {
                    self.next(reader);
                    seen += 1;
                    if !reader.ended_by_col() {
                        break;
                    }
                }
                warn(&at(
                    &self.name,
                    start,
                    &format!("expected {ncol} columns but found {seen} - extras ignored"),
                ));
            }
            if seen >= ncol {
                match sink.insert() {
                    Ok(()) => {
                        tally.rows += 1;
                        tally.last_failed = None;
                    }
                    Err((code, msg)) => {
                        let mut m = at(&self.name, start, "INSERT failed: ");
                        m.extend_from_slice(&msg);
                        warn(&m);
                        tally.errors += 1;
                        tally.last_failed = Some(code);
                    }
                }
            }
            if reader.at_eof() {
                break;
            }
        }
        tally
    }
}

#[derive(Debug, Default)]
struct Tally {
    rows: u64,
    errors: u64,
    /// The result code of the last INSERT when it failed (3.40.1 returns it as the
    /// command's result).
    last_failed: Option<i32>,
}

/// `sqlite3_column_count` of a query, or the prepare error's message.
fn column_count(conn: &Connection, sql: &[u8]) -> Result<usize, Vec<u8>> {
    match raw::prepare(conn, sql) {
        Ok(p) => Ok(p.stmt.map_or(0, |s| s.column_count())),
        Err(e) => Err(e.msg),
    }
}

/// Runs one statement; the error message if it failed.
fn exec(conn: &Connection, sql: &[u8]) -> Result<(), Vec<u8>> {
    let prepared = raw::prepare(conn, sql).map_err(|e| e.msg)?;
    if let Some(mut stmt) = prepared.stmt {
        while stmt.step().map_err(|_| stmt.errmsg())? {}
    }
    Ok(())
}

/// [`exec`], with the primary result code of a failure.
fn exec_code(conn: &Connection, sql: &[u8]) -> Result<(), (i32, Vec<u8>)> {
    let prepared = raw::prepare(conn, sql).map_err(|e| (e.code, e.msg))?;
    if let Some(mut stmt) = prepared.stmt {
        loop {
            match stmt.step() {
                Ok(true) => {}
                Ok(false) => break,
                Err(code) => return Err((code, stmt.errmsg())),
            }
        }
    }
    Ok(())
}

/// Runs a statement whose outcome 3.40.1 ignores (`BEGIN`, `COMMIT`).
fn exec_quietly(conn: &Connection, sql: &[u8]) {
    let _ = exec(conn, sql);
}

/// Inserts rows from [`Inserter::values`], which keep their values from one row to the
/// next as SQLite's bindings do.
struct Inserter<'c> {
    conn: &'c Connection,
    /// The prepared `INSERT … VALUES(?,…)`: rusqlite takes SQL as `&str`, so this exists
    /// only when the table name is valid UTF-8.
    stmt: Option<rusqlite::Statement<'c>>,
    /// The quoted table name, for the literal statements used otherwise.
    full: Vec<u8>,
    /// Current values (`None`: NULL).
    values: Vec<Option<Vec<u8>>>,
}

impl<'c> Inserter<'c> {
    fn new(conn: &'c Connection, full: &[u8], insert: &[u8], ncol: usize) -> Self {
        let stmt = std::str::from_utf8(insert)
            .ok()
            .and_then(|sql| conn.prepare(sql).ok());
        Inserter {
            conn,
            stmt,
            full: full.to_vec(),
            values: vec![None; ncol],
        }
    }

    /// Inserts the current values; the error message if SQLite refused.
    /// Inserts the current row; on failure the primary result code and message.
    fn insert(&mut self) -> Result<(), (i32, Vec<u8>)> {
        match self.stmt.as_mut() {
            Some(stmt) => {
                for (i, v) in self.values.iter().enumerate() {
                    let value = match v {
                        Some(text) => ValueRef::Text(text),
                        None => ValueRef::Null,
                    };
                    stmt.raw_bind_parameter(i + 1, ToSqlOutput::Borrowed(value))
                        .map_err(|e| (1, e.to_string().into_bytes()))?;
                }
                stmt.raw_execute().map(|_| ()).map_err(|e| {
                    let code = e.sqlite_error().map_or(1, |f| f.extended_code & 0xff);
                    (code, raw::errmsg(self.conn))
                })
            }
            None => {
                // The same row as SQL literals, through the byte-level API.
                let mut sql = [&b"INSERT INTO "[..], &self.full, b" VALUES("].concat();
                for (i, v) in self.values.iter().enumerate() {
                    if i > 0 {
                        sql.push(b',');
                    }
                    match v {
                        Some(text) => crate::format::sql::quoted_string(&mut sql, text),
                        None => sql.extend_from_slice(b"NULL"),
                    }
                }
                sql.push(b')');
                exec_code(self.conn, &sql)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<Vec<u8>> {
        std::iter::once("import")
            .chain(a.iter().copied())
            .map(|s| s.as_bytes().to_vec())
            .collect()
    }

    #[test]
    fn options_take_one_or_two_dashes() {
        let r = parse_args(&args(&[
            "--csv", "-skip", "2", "--schema", "s", "-v", "f", "t",
        ]))
        .unwrap();
        assert_eq!(r.explicit, Some(Format::Csv));
        assert_eq!(r.skip, 2);
        assert_eq!(r.schema.as_deref(), Some(&b"s"[..]));
        assert_eq!(r.verbose, 1);
        assert_eq!(r.file.as_deref(), Some(&b"f"[..]));
        assert_eq!(r.table.as_deref(), Some(&b"t"[..]));
    }

    #[test]
    fn a_trailing_value_option_is_unknown() {
        let e = parse_args(&args(&["f", "t", "--skip"])).unwrap_err();
        assert_eq!(e, b"ERROR: unknown option: \"-skip\".  Usage:\n".to_vec());
    }

    #[test]
    fn separators_print_as_c_strings() {
        let mut v = Vec::new();
        c_string(&mut v, 0x1f);
        c_string(&mut v, b'\t');
        c_string(&mut v, b',');
        assert_eq!(v, b"\"\\037\"\"\\t\"\",\"".to_vec());
    }
}
