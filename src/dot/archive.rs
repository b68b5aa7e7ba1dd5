//! `.archive` (`.ar`) and the `-A` command-line option: SQL archives (an `sqlar` table of
//! zlib-compressed files) and ZIP files, as sqlite3 3.40.1 handles them.
//!
//! Like 3.40.1, every operation is SQL run on the archive's database: `fsdir()` reads the
//! files to add, `sqlar_compress()`/`sqlar_uncompress()` (or the `zipfile` table) store and
//! fetch them, `writefile()` extracts them with their modes and modification times, and
//! `lsmode()` lists them. The statements are 3.40.1's, byte for byte, so `--dryrun` prints
//! what 3.40.1 prints (but the name of the temporary ZIP table, random in both), `--verbose`
//! names each file as 3.40.1 does (through `shell_putsnl()` while adding, from the query
//! while extracting), and errors come with 3.40.1's words, streams and result codes: option
//! errors and `Use ".archive --help"`, `not found in archive: X`, `database does not contain
//! an 'sqlar' table`, `cannot open file: F (MSG)`, `sql error: MSG (N)`, `SQL error: MSG`,
//! and `ERROR: MSG` on standard output for a failing step of `--create`/`--update`/
//! `--insert`/`--remove`. The command's result code is 3.40.1's too (the exit code when
//! the command is a command-line argument).
//!
//! Where litesh differs on purpose (docs/compat.md):
//!
//! * Extraction first checks every member it is about to write; when one would land outside
//!   the target directory (the `-C` directory, else the current one) — an absolute name
//!   without `-C`, more `..` than the name is deep, a path through a symbolic link that the
//!   archive itself holds, or through an existing link that leads out of the directory — it
//!   refuses with `cannot extract "NAME": it would be written outside the target directory`
//!   and writes nothing. 3.40.1 only skips names holding `../`.
//! * `-A` refuses under `-safe` (3.40.1 runs it, writing and reading any file).

use std::ffi::OsStr;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::exec::hooks::Progress;
use crate::exec::raw::{self, Value};
use crate::format::sql::quoted_string;
use crate::output::Output;
use crate::shell::db::{deduce_type, OpenMode};
use crate::shell::{DotResult, Failure, Flow, Shell};

/// The help text (also what `--help` prints).
fn usage() -> &'static str {
    super::REGISTRY
        .iter()
        .find(|c| c.name == "archive")
        .and_then(|c| c.help)
        .unwrap_or_default()
}

/// Writes `bytes` to stderr after what the shell has buffered for stdout.
fn to_stderr(out: &mut Output, bytes: &[u8]) {
    let _ = out.flush();
    let mut e = std::io::stderr().lock();
    let _ = e.write_all(bytes);
}

// ---------------------------------------------------------------------------------------
// The command line of `.archive`.

/// The operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Create,
    Extract,
    Insert,
    List,
    Remove,
    Update,
    Help,
}

/// A switch: long name, short letter, takes an argument, what it is.
struct Switch {
    long: &'static str,
    short: u8,
    arg: bool,
    what: What,
}

#[derive(Clone, Copy)]
enum What {
    Op(Op),
    Verbose,
    File,
    Append,
    Directory,
    DryRun,
    Glob,
}

const SWITCHES: &[Switch] = &[
    Switch {
        long: "create",
        short: b'c',
        arg: false,
        what: What::Op(Op::Create),
    },
    Switch {
        long: "extract",
        short: b'x',
        arg: false,
        what: What::Op(Op::Extract),
    },
    Switch {
        long: "insert",
        short: b'i',
        arg: false,
        what: What::Op(Op::Insert),
    },
    Switch {
        long: "list",
        short: b't',
        arg: false,
        what: What::Op(Op::List),
    },
    Switch {
        long: "remove",
        short: b'r',
        arg: false,
        what: What::Op(Op::Remove),
    },
    Switch {
        long: "update",
        short: b'u',
        arg: false,
        what: What::Op(Op::Update),
    },
    Switch {
        long: "help",
        short: b'h',
        arg: false,
        what: What::Op(Op::Help),
    },
    Switch {
        long: "verbose",
        short: b'v',
        arg: false,
        what: What::Verbose,
    },
    Switch {
        long: "file",
        short: b'f',
        arg: true,
        what: What::File,
    },
    Switch {
        long: "append",
        short: b'a',
        arg: true,
        what: What::Append,
    },
    Switch {
        long: "directory",
        short: b'C',
        arg: true,
        what: What::Directory,
    },
    Switch {
        long: "dryrun",
        short: b'n',
        arg: false,
        what: What::DryRun,
    },
    Switch {
        long: "glob",
        short: b'g',
        arg: false,
        what: What::Glob,
    },
];

/// What the command line asked for (sqlite3's `ArCommand`).
#[derive(Debug, Default, PartialEq, Eq)]
struct ArCommand {
    /// `None` when no operation was given: 3.40.1 then runs an update.
    op: Option<Op>,
    verbose: bool,
    file: Option<Vec<u8>>,
    append: bool,
    dir: Option<Vec<u8>>,
    dry_run: bool,
    glob: bool,
    /// The member or file names.
    args: Vec<Vec<u8>>,
}

/// sqlite3's `arErrorMsg()`.
fn ar_error(msg: &[u8], from_cmdline: bool) -> Vec<u8> {
    let mut m = b"Error: ".to_vec();
    m.extend_from_slice(msg);
    m.extend_from_slice(if from_cmdline {
        b"\nUse \"-A\" for more help\n"
    } else {
        b"\nUse \".archive --help\" for more help\n"
    });
    m
}

impl ArCommand {
    fn set(&mut self, what: What, value: Option<&[u8]>, cmdline: bool) -> Result<(), Vec<u8>> {
        match what {
            What::Op(op) => {
                if self.op.is_some() {
                    return Err(ar_error(b"multiple command options", cmdline));
                }
                self.op = Some(op);
            }
            What::Verbose => self.verbose = true,
            What::DryRun => self.dry_run = true,
            What::Glob => self.glob = true,
            What::Append => {
                self.append = true;
                self.file = value.map(<[u8]>::to_vec);
            }
            What::File => self.file = value.map(<[u8]>::to_vec),
            What::Directory => self.dir = value.map(<[u8]>::to_vec),
        }
        Ok(())
    }
}

/// sqlite3's `arParseCommand()`: the parsed command, or the text for stderr.
fn parse(args: &[Vec<u8>], cmdline: bool) -> Result<ArCommand, Vec<u8>> {
    let mut cmd = ArCommand::default();
    if args.len() <= 1 {
        let mut m = b"Wrong number of arguments.  Usage:\n".to_vec();
        m.extend_from_slice(usage().as_bytes());
        return Err(m);
    }
    let short = |c: u8| SWITCHES.iter().find(|s| s.short == c);
    let unknown = |what: &[u8]| {
        let mut m = b"unrecognized option: ".to_vec();
        m.extend_from_slice(what);
        ar_error(&m, cmdline)
    };
    let needs_arg = |what: &[u8]| {
        let mut m = b"option requires an argument: ".to_vec();
        m.extend_from_slice(what);
        ar_error(&m, cmdline)
    };
    let first = &args[1];
    if first.first() != Some(&b'-') {
        // tar style: the first word is a bundle of letters, their arguments follow it.
        let mut next = 2;
        for &c in first {
            let sw = short(c).ok_or_else(|| unknown(&[c]))?;
            let mut value = None;
            if sw.arg {
                value = Some(args.get(next).ok_or_else(|| needs_arg(&[c]))?.as_slice());
                next += 1;
            }
            cmd.set(sw.what, value, cmdline)?;
        }
        cmd.args = args[next.min(args.len())..].to_vec();
        return Ok(cmd);
    }
    let mut i = 1;
    while i < args.len() {
        let z = &args[i];
        if z.first() != Some(&b'-') {
            cmd.args = args[i..].to_vec();
            break;
        }
        if z.get(1) != Some(&b'-') {
            // One or more short options; one taking an argument ends the word.
            let mut k = 1;
            while k < z.len() {
                let c = z[k];
                let sw = short(c).ok_or_else(|| unknown(&[c]))?;
                let mut value = None;
                if sw.arg {
                    if k < z.len() - 1 {
                        value = Some(&z[k + 1..]);
                        k = z.len();
                    } else {
                        i += 1;
                        value = Some(args.get(i).ok_or_else(|| needs_arg(&[c]))?.as_slice());
                    }
                }
                cmd.set(sw.what, value, cmdline)?;
                k += 1;
            }
        } else if z.len() == 2 {
            // `--`: the rest are arguments.
            cmd.args = args[i + 1..].to_vec();
            break;
        } else {
            let name = &z[2..];
            let mut found = None;
            for sw in SWITCHES {
                if sw.long.as_bytes().starts_with(name) {
                    if found.is_some() {
                        let mut m = b"ambiguous option: ".to_vec();
                        m.extend_from_slice(z);
                        return Err(ar_error(&m, cmdline));
                    }
                    found = Some(sw);
                }
            }
            let sw = found.ok_or_else(|| unknown(z))?;
            let mut value = None;
            if sw.arg {
                i += 1;
                value = Some(args.get(i).ok_or_else(|| needs_arg(z))?.as_slice());
            }
            cmd.set(sw.what, value, cmdline)?;
        }
        i += 1;
    }
    Ok(cmd)
}

// ---------------------------------------------------------------------------------------
// Running SQL as 3.40.1's archive code does.

const SQLITE_ERROR: i32 = 1;

/// The archive's connection, the shell's output and where `shell_putsnl()` writes.
struct Ar<'a> {
    conn: &'a Connection,
    out: &'a mut Output,
    puts: &'a Progress,
    cmd: ArCommand,
    /// The table (or table-valued function) members are read from.
    src: Vec<u8>,
    zip: bool,
}

/// The index of the named host parameter.
fn param(st: &raw::Stmt<'_>, name: &[u8]) -> usize {
    (1..=st.parameter_count())
        .find(|&i| st.parameter_name(i).as_deref() == Some(name))
        .unwrap_or(0)
}

/// `sqlite3_column_int` of a value.
fn column_int(v: &Value<'_>) -> i32 {
    use crate::functions::value::{real_to_int64, text_to_int64};
    match *v {
        Value::Null => 0,
        Value::Integer(n) => n as i32,
        Value::Real(r) => real_to_int64(r) as i32,
        Value::Text(t) | Value::Blob(t) => text_to_int64(t) as i32,
    }
}

/// sqlite3's `shellPrepare`: a failure is `sql error: MSG (CODE)` on stderr (`Err(0)` for
/// SQL without a statement).
fn prepare<'c>(conn: &'c Connection, out: &mut Output, sql: &[u8]) -> Result<raw::Stmt<'c>, i32> {
    match raw::prepare(conn, sql) {
        Ok(raw::Prepared { stmt: Some(st), .. }) => Ok(st),
        Ok(_) => Err(0),
        Err(e) => {
            let mut m = b"sql error: ".to_vec();
            m.extend_from_slice(&e.msg);
            m.extend_from_slice(format!(" ({})\n", e.code).as_bytes());
            to_stderr(out, &m);
            Err(e.code)
        }
    }
}

/// C's `printf("%s")` of a possibly NULL string.
fn or_null(t: Option<&[u8]>) -> &[u8] {
    t.unwrap_or(b"(null)")
}

impl Ar<'_> {
    /// Moves what `shell_putsnl()` wrote to the output.
    fn drain(&mut self) -> std::io::Result<()> {
        let pending = self.puts.take_pending();
        self.out.write_all(&pending)
    }

    fn print_line(&mut self, line: &[u8]) -> std::io::Result<()> {
        self.out.write_all(line)?;
        self.out.write_all(b"\n")
    }

    fn stderr(&mut self, text: &[u8]) {
        to_stderr(self.out, text);
    }

    /// `sqlite3_exec()`: runs every statement of `sql`; the result code and, on failure,
    /// the message.
    fn exec(&mut self, sql: &[u8]) -> std::io::Result<(i32, Option<Vec<u8>>)> {
        let mut rest = sql;
        while !rest.is_empty() {
            let prepared = match raw::prepare(self.conn, rest) {
                Ok(p) => p,
                Err(e) => return Ok((e.code, Some(e.msg))),
            };
            rest = &rest[prepared.consumed..];
            let Some(mut st) = prepared.stmt else {
                continue;
            };
            let step = loop {
                match st.step() {
                    Ok(true) => {}
                    Ok(false) => break Ok(()),
                    Err(code) => break Err(code),
                }
            };
            let pending = self.puts.take_pending();
            self.out.write_all(&pending)?;
            if let Err(code) = step {
                let msg = st.errmsg();
                drop(st);
                return Ok((code, Some(msg)));
            }
        }
        Ok((0, None))
    }

    /// `ERROR: MSG` on standard output itself (sqlite3 writes it to `stdout`, not to the
    /// current output), after what the shell has buffered.
    fn error_to_stdout(&mut self, msg: &[u8]) -> std::io::Result<()> {
        self.out.flush()?;
        let mut o = std::io::stdout().lock();
        o.write_all(b"ERROR: ")?;
        o.write_all(msg)?;
        o.write_all(b"\n")?;
        o.flush()
    }

    /// sqlite3's `arExecSql`: with `--dryrun` only prints the SQL; a failure prints
    /// `ERROR: MSG` on standard output (stdout itself, even under `.output`).
    fn exec_sql(&mut self, sql: &[u8]) -> std::io::Result<i32> {
        if self.cmd.dry_run {
            self.print_line(sql)?;
            return Ok(0);
        }
        let (rc, err) = self.exec(sql)?;
        if let Some(msg) = err {
            self.error_to_stdout(&msg)?;
        }
        Ok(rc)
    }

    /// sqlite3's `arCheckEntries`: every name given (trailing `/` removed, in place) must
    /// match a member.
    fn check_entries(&mut self) -> std::io::Result<i32> {
        if self.cmd.args.is_empty() {
            return Ok(0);
        }
        let sel: &[u8] = if self.cmd.glob {
            b"SELECT name FROM %s WHERE glob($name,name)"
        } else {
            b"SELECT name FROM %s WHERE name=$name"
        };
        let sql = fill(sel, &[&self.src]);
        let mut st = match prepare(self.conn, self.out, &sql) {
            Ok(st) => st,
            Err(rc) => return Ok(rc),
        };
        let j = param(&st, b"$name");
        let mut rc = 0;
        let mut names = std::mem::take(&mut self.cmd.args);
        for z in names.iter_mut() {
            while z.last() == Some(&b'/') {
                z.pop();
            }
            st.bind_text(j, z);
            let found = matches!(st.step(), Ok(true));
            let r = st.reset();
            if r != 0 {
                let mut m = b"SQL error: ".to_vec();
                m.extend_from_slice(&st.errmsg());
                m.push(b'\n');
                to_stderr(self.out, &m);
                rc = r;
                break;
            }
            if !found {
                let mut m = b"not found in archive: ".to_vec();
                m.extend_from_slice(z);
                m.push(b'\n');
                to_stderr(self.out, &m);
                rc = SQLITE_ERROR;
                break;
            }
        }
        drop(st);
        self.cmd.args = names;
        Ok(rc)
    }

    /// 3.40.1's `arWhereClause`.
    fn where_clause(&self) -> Vec<u8> {
        if self.cmd.args.is_empty() {
            return b"1".to_vec();
        }
        let op: &[u8] = if self.cmd.glob { b"GLOB" } else { b"=" };
        let mut w = Vec::new();
        for (i, z) in self.cmd.args.iter().enumerate() {
            if i > 0 {
                w.extend_from_slice(b" OR ");
            }
            w.extend_from_slice(b" name ");
            w.extend_from_slice(op);
            w.push(b' ');
            quoted_string(&mut w, z);
            w.extend_from_slice(format!(" OR substr(name,1,{}) ", z.len() + 1).as_bytes());
            w.extend_from_slice(op);
            w.push(b' ');
            let mut slash = z.clone();
            slash.push(b'/');
            quoted_string(&mut w, &slash);
        }
        w
    }

    /// sqlite3's `shellFinalize`/`shellReset` message for a failed step.
    fn report_step_error(&mut self, msg: &[u8]) {
        let mut m = b"SQL error: ".to_vec();
        m.extend_from_slice(msg);
        m.push(b'\n');
        self.stderr(&m);
    }

    /// `--list`.
    fn list(&mut self) -> std::io::Result<i32> {
        let mut rc = self.check_entries()?;
        let cols: &[u8] = if self.cmd.verbose {
            b"lsmode(mode), sz, datetime(mtime, 'unixepoch'), name"
        } else {
            b"name"
        };
        let sql = fill(
            b"SELECT %s FROM %s WHERE %s",
            &[cols, &self.src, &self.where_clause()],
        );
        if rc != 0 {
            if self.cmd.dry_run {
                // 3.40.1 prints the SQL of a statement it never prepared.
                self.print_line(b"(null)")?;
            }
            return Ok(rc);
        }
        let mut st = match prepare(self.conn, self.out, &sql) {
            Ok(st) => st,
            Err(rc) => return Ok(rc),
        };
        if self.cmd.dry_run {
            let text = st.sql();
            self.print_line(&text)?;
            return Ok(0);
        }
        loop {
            match st.step() {
                Ok(true) => {
                    let mut line = Vec::new();
                    if self.cmd.verbose {
                        line.extend_from_slice(or_null(st.text(0)));
                        let sz = column_int(&st.value(1));
                        let sz = if sz >= 0 {
                            format!(" {sz}")
                        } else {
                            sz.to_string()
                        };
                        line.extend_from_slice(format!(" {sz:>10}  ").as_bytes());
                        line.extend_from_slice(or_null(st.text(2)));
                        line.extend_from_slice(b"  ");
                        line.extend_from_slice(or_null(st.text(3)));
                    } else {
                        line.extend_from_slice(or_null(st.text(0)));
                    }
                    self.drain()?;
                    self.print_line(&line)?;
                }
                Ok(false) => break,
                Err(code) => {
                    self.drain()?;
                    let msg = st.errmsg();
                    self.report_step_error(&msg);
                    rc = code;
                    break;
                }
            }
        }
        Ok(rc)
    }

    /// `--remove`.
    fn remove(&mut self) -> std::io::Result<i32> {
        let mut rc = 0;
        let mut where_ = None;
        if !self.cmd.args.is_empty() {
            rc = self.check_entries()?;
            where_ = Some(self.where_clause());
        }
        if rc != 0 {
            return Ok(rc);
        }
        let sql = fill(
            b"DELETE FROM %s WHERE %s;",
            &[&self.src, &where_.unwrap_or_default()],
        );
        if self.cmd.dry_run {
            self.print_line(&sql)?;
            return Ok(0);
        }
        let (mut rc, _) = self.exec(b"SAVEPOINT ar;")?;
        let mut err = None;
        if rc == 0 {
            let (r, e) = self.exec(&sql)?;
            rc = r;
            err = e;
            if rc != 0 {
                self.exec(b"ROLLBACK TO ar; RELEASE ar;")?;
            } else {
                rc = self.exec(b"RELEASE ar;")?.0;
            }
        }
        if let Some(msg) = err {
            self.error_to_stdout(&msg)?;
        }
        Ok(rc)
    }

    /// `--extract`: two passes of one statement, the second only for directories (whose
    /// modification times the first pass disturbed by filling them).
    fn extract(&mut self) -> std::io::Result<i32> {
        let rc = self.check_entries()?;
        if rc != 0 {
            return Ok(rc);
        }
        let dir = self.cmd.dir.clone().map(|mut d| {
            d.push(b'/');
            d
        });
        let data: &[u8] = if self.zip {
            b"data"
        } else {
            b"sqlar_uncompress(data, sz)"
        };
        let where_ = self.where_clause();
        let sql = fill(
            b"SELECT  ($dir || name), writefile(($dir || name), %s, mode, mtime) FROM %s WHERE (%s) AND (data IS NULL OR $dirOnly = 0) AND name NOT GLOB '*..[/\\]*'",
            &[data, &self.src, &where_],
        );
        if !self.cmd.dry_run {
            if let Some(rc) = self.refuse_escapes(&where_)? {
                return Ok(rc);
            }
        }
        let mut st = match prepare(self.conn, self.out, &sql) {
            Ok(st) => st,
            Err(rc) => return Ok(rc),
        };
        let dir = dir.unwrap_or_default();
        st.bind_text(param(&st, b"$dir"), &dir);
        let j = param(&st, b"$dirOnly");
        let mut rc = 0;
        for pass in 0..2 {
            st.bind_value(j, &Value::Integer(pass));
            if self.cmd.dry_run {
                let text = st.sql();
                self.print_line(&text)?;
            } else if rc == 0 {
                while let Ok(true) = st.step() {
                    self.drain()?;
                    if pass == 0 && self.cmd.verbose {
                        let name = or_null(st.text(0)).to_vec();
                        self.print_line(&name)?;
                    }
                }
                self.drain()?;
            }
            let r = st.reset();
            if rc == 0 && r != 0 {
                let msg = st.errmsg();
                self.report_step_error(&msg);
                rc = r;
            }
        }
        Ok(rc)
    }

    /// litesh's own check before extracting: `Some(code)` (after the message) when a member
    /// would be written outside the target directory.
    fn refuse_escapes(&mut self, where_: &[u8]) -> std::io::Result<Option<i32>> {
        let sql = fill(
            b"SELECT name, mode FROM %s WHERE (%s) AND name NOT GLOB '*..[/\\]*'",
            &[&self.src, where_],
        );
        let conn = self.conn;
        let Ok(raw::Prepared {
            stmt: Some(mut st), ..
        }) = raw::prepare(conn, &sql)
        else {
            // The extraction itself reports what is wrong with the statement.
            return Ok(None);
        };
        let mut members = Vec::new();
        while let Ok(true) = st.step() {
            let name = st.text(0).unwrap_or_default().to_vec();
            members.push((name, column_int(&st.value(1)) as u32));
        }
        drop(st);
        self.drain()?;
        let target: PathBuf = match &self.cmd.dir {
            Some(d) => PathBuf::from(OsStr::from_bytes(d)),
            None => PathBuf::from("."),
        };
        let links: Vec<&[u8]> = members
            .iter()
            .filter(|(_, mode)| mode & 0o170000 == 0o120000)
            .map(|(n, _)| trim_slash(n))
            .collect();
        for (name, mode) in &members {
            let is_link = mode & 0o170000 == 0o120000;
            if escapes(name, self.cmd.dir.is_some(), &links, is_link)
                || escapes_on_disk(&target, name, is_link)
            {
                let mut m = b"cannot extract \"".to_vec();
                m.extend_from_slice(name);
                m.extend_from_slice(b"\": it would be written outside the target directory\n");
                self.stderr(&m);
                return Ok(Some(SQLITE_ERROR));
            }
        }
        Ok(None)
    }

    /// `--create`, `--insert`, `--update` (and no operation, which 3.40.1 runs as an update).
    fn create_or_update(&mut self, update: bool, only_if_changed: bool) -> std::io::Result<i32> {
        const CREATE: &[u8] = b"CREATE TABLE IF NOT EXISTS sqlar(\n  name TEXT PRIMARY KEY,  -- name of the file\n  mode INT,               -- access permissions\n  mtime INT,              -- last modification time\n  sz INT,                 -- original file size\n  data BLOB               -- compressed content\n)";
        const INSERT_SQLAR: &[u8] = b"REPLACE INTO %s(name,mode,mtime,sz,data)\n  SELECT\n    %s,\n    mode,\n    mtime,\n    CASE substr(lsmode(mode),1,1)\n      WHEN '-' THEN length(data)\n      WHEN 'd' THEN 0\n      ELSE -1 END,\n    sqlar_compress(data)\n  FROM fsdir(%s,%s) AS disk\n  WHERE lsmode(mode) NOT LIKE '?%'%s;";
        const INSERT_ZIP: &[u8] = b"REPLACE INTO %s(name,mode,mtime,data)\n  SELECT\n    %s,\n    mode,\n    mtime,\n    data\n  FROM fsdir(%s,%s) AS disk\n  WHERE lsmode(mode) NOT LIKE '?%'%s;";
        self.exec_sql(b"PRAGMA page_size=512")?;
        let mut rc = self.exec_sql(b"SAVEPOINT ar;")?;
        if rc != 0 {
            return Ok(rc);
        }
        let mut temp_table = None;
        let table: Vec<u8> = if self.zip {
            match self.cmd.file.clone() {
                Some(file) => {
                    let r =
                        (raw::random_int() as u32 as u64) << 32 | raw::random_int() as u32 as u64;
                    let name = format!("zip{r:016x}").into_bytes();
                    let mut sql = fill(b"CREATE VIRTUAL TABLE temp.%s USING zipfile(", &[&name]);
                    quoted_string(&mut sql, &file);
                    sql.push(b')');
                    rc = self.exec_sql(&sql)?;
                    temp_table = Some(name.clone());
                    name
                }
                None => b"zip".to_vec(),
            }
        } else {
            if !update {
                rc = self.exec_sql(b"DROP TABLE IF EXISTS sqlar")?;
            }
            if rc == 0 {
                rc = self.exec_sql(CREATE)?;
            }
            b"sqlar".to_vec()
        };
        let exists = if only_if_changed {
            fill(
                b" AND NOT EXISTS(SELECT 1 FROM %s AS mem WHERE mem.name=disk.name AND mem.mtime=disk.mtime AND mem.mode=disk.mode)",
                &[&table],
            )
        } else {
            Vec::new()
        };
        let name_expr: &[u8] = if self.cmd.verbose {
            b"shell_putsnl(name)"
        } else {
            b"name"
        };
        let dir = match &self.cmd.dir {
            Some(d) => {
                let mut q = Vec::new();
                quoted_string(&mut q, d);
                q
            }
            None => b"NULL".to_vec(),
        };
        let files = self.cmd.args.clone();
        for file in &files {
            if rc != 0 {
                break;
            }
            let mut path = Vec::new();
            quoted_string(&mut path, file);
            let template = if self.zip { INSERT_ZIP } else { INSERT_SQLAR };
            let sql = fill(template, &[&table, name_expr, &path, &dir, &exists]);
            rc = self.exec_sql(&sql)?;
        }
        if rc != 0 {
            self.exec(b"ROLLBACK TO ar; RELEASE ar;")?;
        } else {
            rc = self.exec_sql(b"RELEASE ar;")?;
            if let Some(t) = temp_table {
                self.exec_sql(&fill(b"DROP TABLE %s", &[&t]))?;
            }
        }
        Ok(rc)
    }
}

/// Fills each `%s` of `template` with the next of `parts` (the templates hold no other `%`
/// directives; `'?%'` stays as it is).
fn fill(template: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(template.len() + parts.iter().map(|p| p.len()).sum::<usize>());
    let mut parts = parts.iter();
    let mut i = 0;
    while i < template.len() {
        if template[i] == b'%' && template.get(i + 1) == Some(&b's') {
            out.extend_from_slice(parts.next().copied().unwrap_or_default());
            i += 2;
        } else {
            out.push(template[i]);
            i += 1;
        }
    }
    out
}

fn trim_slash(n: &[u8]) -> &[u8] {
    let mut n = n;
    while n.last() == Some(&b'/') {
        n = &n[..n.len() - 1];
    }
    n
}

/// Whether member `name` would be written outside the target directory by its name alone:
/// absolute without `-C`, more `..` than its depth, or inside (or, not being one itself, at)
/// a symbolic link the archive holds (`links`).
fn escapes(name: &[u8], has_dir: bool, links: &[&[u8]], is_link: bool) -> bool {
    if name.first() == Some(&b'/') && !has_dir {
        return true;
    }
    let mut depth = 0i64;
    for comp in name.split(|&c| c == b'/') {
        match comp {
            b"" | b"." => {}
            b".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    let own = trim_slash(name);
    for (i, &c) in own.iter().enumerate() {
        if c == b'/' && links.contains(&trim_slash(&own[..i])) {
            return true;
        }
    }
    !is_link && links.contains(&own)
}

/// Whether writing member `name` below `target` would follow a symbolic link already on
/// disk that leads outside `target` (or nowhere).
fn escapes_on_disk(target: &Path, name: &[u8], is_link: bool) -> bool {
    let Ok(base) = std::fs::canonicalize(target) else {
        // The directory does not exist yet, so nothing below it does.
        return false;
    };
    let comps: Vec<&[u8]> = name
        .split(|&c| c == b'/')
        .filter(|c| !c.is_empty() && *c != b".")
        .collect();
    let mut p = target.to_path_buf();
    for (i, comp) in comps.iter().enumerate() {
        p.push(OsStr::from_bytes(comp));
        if is_link && i + 1 == comps.len() {
            // A link is made, not followed (and not over an existing one).
            break;
        }
        match std::fs::symlink_metadata(&p) {
            Err(_) => return false,
            Ok(m) if m.file_type().is_symlink() => match std::fs::canonicalize(&p) {
                Ok(real) if real.starts_with(&base) => {}
                _ => return true,
            },
            Ok(_) => {}
        }
    }
    false
}

// ---------------------------------------------------------------------------------------
// The command.

/// Runs an `.archive` command line (`args[0]` is the command's own name); the result code
/// 3.40.1's `arDotCommand` returns.
fn run(shell: &mut Shell, args: &[Vec<u8>], from_cmdline: bool) -> std::io::Result<i32> {
    let mut cmd = match parse(args, from_cmdline) {
        Ok(c) => c,
        Err(text) => {
            to_stderr(&mut shell.out, &text);
            return Ok(SQLITE_ERROR);
        }
    };
    let db_type = match &cmd.file {
        Some(f) => deduce_type(OsStr::from_bytes(f), true),
        None => shell.db.mode,
    };
    let mut own: Option<Connection> = None;
    let mut src: Option<Vec<u8>> = None;
    let zip = db_type == OpenMode::Zip;
    if zip {
        if matches!(cmd.op, Some(Op::Extract | Op::List)) {
            src = Some(match &cmd.file {
                None => b"zip".to_vec(),
                Some(f) => {
                    let mut s = b"zipfile(".to_vec();
                    quoted_string(&mut s, f);
                    s.push(b')');
                    s
                }
            });
        }
    } else if let Some(file) = cmd.file.clone() {
        let append = cmd.append || db_type == OpenMode::Append;
        let writes = matches!(
            cmd.op,
            Some(Op::Create | Op::Insert | Op::Remove | Op::Update)
        );
        if cmd.dry_run {
            let mut line = b"-- open database '".to_vec();
            line.extend_from_slice(&file);
            line.extend_from_slice(if append {
                b"' using 'apndvfs'\n"
            } else {
                b"'\n"
            });
            shell.out.write_all(&line)?;
        }
        let flags = OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | if writes {
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
            } else {
                OpenFlags::SQLITE_OPEN_READ_ONLY
            };
        let opened = if append {
            raw::register_append_vfs();
            Connection::open_with_flags_and_vfs(OsStr::from_bytes(&file), flags, raw::APPEND_VFS)
        } else {
            Connection::open_with_flags(OsStr::from_bytes(&file), flags)
        };
        match opened {
            Ok(c) => {
                raw::configure(&c);
                let _ = crate::functions::fileio::register(&c, &shell.safe);
                let _ = crate::functions::sqlar::register(&c);
                crate::functions::shell::register_putsnl(&c, shell.settings.progress.clone());
                own = Some(c);
            }
            Err(e) => {
                let (code, msg) = match &e {
                    rusqlite::Error::SqliteFailure(f, m) => (
                        f.extended_code & 0xff,
                        m.clone().unwrap_or_else(|| f.to_string()),
                    ),
                    other => (SQLITE_ERROR, other.to_string()),
                };
                // rusqlite adds the file name to the library's message; sqlite3 shows
                // `sqlite3_errmsg()` alone.
                let suffix = format!(": {}", String::from_utf8_lossy(&file));
                let msg = msg.strip_suffix(&suffix).unwrap_or(&msg);
                let mut m = b"cannot open file: ".to_vec();
                m.extend_from_slice(&file);
                m.extend_from_slice(format!(" ({msg})\n").as_bytes());
                to_stderr(&mut shell.out, &m);
                return Ok(code);
            }
        }
    }
    let Shell {
        db, out, settings, ..
    } = shell;
    let conn = match own.as_ref() {
        Some(c) => c,
        None => db.conn.as_ref().expect("opened before .archive runs"),
    };
    if src.is_none() && !zip && cmd.op != Some(Op::Help) {
        let has_sqlar = ["main", "temp"]
            .iter()
            .any(|s| raw::has_column(conn, s, "sqlar", "name"));
        if cmd.op != Some(Op::Create) && !has_sqlar {
            to_stderr(out, b"database does not contain an 'sqlar' table\n");
            return Ok(SQLITE_ERROR);
        }
        src = Some(b"sqlar".to_vec());
    }
    if cmd.op == Some(Op::Help) {
        out.write_all(usage().as_bytes())?;
        return Ok(0);
    }
    cmd.file = cmd.file.filter(|_| zip);
    let op = cmd.op;
    let mut ar = Ar {
        conn,
        out,
        puts: &settings.progress,
        cmd,
        src: src.unwrap_or_default(),
        zip,
    };
    let rc = match op {
        Some(Op::Create) => ar.create_or_update(false, false)?,
        Some(Op::Extract) => ar.extract()?,
        Some(Op::List) => ar.list()?,
        Some(Op::Insert) => ar.create_or_update(true, false)?,
        Some(Op::Remove) => ar.remove()?,
        Some(Op::Help) => 0,
        Some(Op::Update) | None => ar.create_or_update(true, true)?,
    };
    ar.drain()?;
    Ok(rc)
}

/// `.archive ...` / `.ar ...`.
pub fn archive(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    shell.ensure_open()?;
    if let Some(f) = shell.fail_if_safe("cannot run .archive in safe mode") {
        return Ok(f);
    }
    match run(shell, args, false)? {
        0 => Ok(Flow::Continue),
        rc => Err(Failure::Code(rc)),
    }
}

/// `-A ARGS…` on the command line (`args[0]` stands for the option itself). 3.40.1 ignores
/// the command's result: litesh too, so this only fails for what stops the shell.
pub fn from_command_line(shell: &mut Shell, args: &[Vec<u8>]) -> Result<(), Failure> {
    if shell.safe_persist {
        let _ = shell.out.flush();
        eprintln!("Error: cannot run -A in safe mode");
        return Err(Failure::Exit(1));
    }
    if shell.db.conn.is_none() {
        if let Err(msg) = shell.db.open_with(true) {
            let _ = shell.out.flush();
            eprintln!("{}", String::from_utf8_lossy(&msg));
            return Err(Failure::Exit(1));
        }
        shell.publish_interrupt();
    }
    run(shell, args, true)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn options_parse_like_sqlite3() {
        let c = parse(&argv(&[".ar", "-tf", "x.db"]), false).unwrap();
        assert_eq!(c.op, Some(Op::List));
        assert_eq!(c.file.as_deref(), Some(&b"x.db"[..]));
        let c = parse(&argv(&[".ar", "tvf", "x.db", "a"]), false).unwrap();
        assert_eq!((c.op, c.verbose), (Some(Op::List), true));
        assert_eq!(c.args, argv(&["a"]));
        let c = parse(&argv(&[".ar", "--li", "-Cdir", "x", "y"]), false).unwrap();
        assert_eq!(c.op, Some(Op::List));
        assert_eq!(c.dir.as_deref(), Some(&b"dir"[..]));
        assert_eq!(c.args, argv(&["x", "y"]));
        let e = parse(&argv(&[".ar", "-ct"]), false).unwrap_err();
        assert!(e.starts_with(b"Error: multiple command options\nUse \".archive --help\""));
        let e = parse(&argv(&[".ar", "--x"]), true).unwrap_err();
        assert_eq!(
            e,
            b"Error: unrecognized option: --x\nUse \"-A\" for more help\n"
        );
        let c = parse(&argv(&[".ar", "-t", "--", "-x"]), false).unwrap();
        assert_eq!(c.args, argv(&["-x"]));
        let e = parse(&argv(&[".ar", "-f"]), false).unwrap_err();
        assert!(e.starts_with(b"Error: option requires an argument: f\n"));
        let e = parse(&argv(&[".ar", "tq"]), false).unwrap_err();
        assert!(e.starts_with(b"Error: unrecognized option: q\n"));
        let e = parse(&argv(&[".ar", "--d"]), false).unwrap_err();
        assert!(e.starts_with(b"Error: ambiguous option: --d\n"));
        let c = parse(&argv(&[".ar", "-v"]), false).unwrap();
        assert_eq!(c.op, None);
    }

    #[test]
    fn where_clause_is_3_40_1s() {
        let conn = Connection::open_in_memory().unwrap();
        let mut out = Output::new();
        let puts = Progress::default();
        let mut ar = Ar {
            conn: &conn,
            out: &mut out,
            puts: &puts,
            cmd: ArCommand {
                args: argv(&["d/f.txt", "it's"]),
                ..ArCommand::default()
            },
            src: b"sqlar".to_vec(),
            zip: false,
        };
        assert_eq!(
            String::from_utf8(ar.where_clause()).unwrap(),
            " name = 'd/f.txt' OR substr(name,1,8) = 'd/f.txt/' OR  name = 'it''s' OR substr(name,1,5) = 'it''s/'"
        );
        ar.cmd.glob = true;
        ar.cmd.args = argv(&["*.c"]);
        assert_eq!(
            String::from_utf8(ar.where_clause()).unwrap(),
            " name GLOB '*.c' OR substr(name,1,4) GLOB '*.c/'"
        );
        ar.cmd.args.clear();
        assert_eq!(ar.where_clause(), b"1");
    }

    #[test]
    fn names_that_leave_the_directory_are_caught() {
        let no_links: &[&[u8]] = &[];
        assert!(escapes(b"/etc/passwd", false, no_links, false));
        assert!(!escapes(b"/etc/passwd", true, no_links, false));
        assert!(escapes(b"..", false, no_links, false));
        assert!(escapes(b"a/../..", false, no_links, false));
        assert!(!escapes(b"a/..", false, no_links, false));
        assert!(!escapes(b"a/b/c.txt", false, no_links, false));
        let links: &[&[u8]] = &[b"l"];
        assert!(escapes(b"l/passwd", false, links, false));
        assert!(escapes(b"l", false, links, false));
        assert!(!escapes(b"l", false, links, true));
        assert!(!escapes(b"lx/y", false, links, false));
    }

    #[test]
    fn fill_replaces_each_placeholder_in_turn() {
        assert_eq!(
            fill(
                b"SELECT %s FROM %s WHERE lsmode(mode) NOT LIKE '?%'",
                &[b"a", b"t"]
            ),
            b"SELECT a FROM t WHERE lsmode(mode) NOT LIKE '?%'"
        );
    }
}
