//! `.dump`: the database as SQL text, byte for byte as sqlite3 3.40.1 writes it.
//!
//! The sequence mirrors 3.40.1's `.dump`: `PRAGMA foreign_keys=OFF; BEGIN TRANSACTION;`,
//! every table (schema then rows, `sqlite_sequence` last) in rowid order, then indexes,
//! triggers and views, and `COMMIT;` — or `ROLLBACK; -- due to errors`. Virtual tables go
//! through `PRAGMA writable_schema`. Rows stream one at a time from SQLite to the writer, so
//! memory stays flat whatever the database size.
//!
//! Differences from 3.40.1, all deliberate and listed in docs/compat.md: REALs are written
//! with the shortest digits that read back to the same bits; text holding a NUL byte is
//! written whole (`CAST(X'…' AS TEXT)`) instead of being cut at the NUL; and every error
//! that 3.40.1 only writes into the dump as a comment is also returned to the caller.

use std::io::{self, Write};

use rusqlite::Connection;

use crate::exec::raw::{self, Value};
use crate::format::sql;
use crate::render;

/// `.dump` options.
#[derive(Debug, Clone, Default)]
pub struct DumpOptions {
    /// `--data-only`: rows only, no schema and no transaction.
    pub data_only: bool,
    /// `--newlines`: keep newlines raw inside text literals.
    pub newlines: bool,
    /// `--nosys`: leave out `sqlite_sequence` and `sqlite_stat*` handling.
    pub nosys: bool,
    /// `--preserve-rowids`
    pub preserve_rowids: bool,
    /// LIKE patterns selecting tables (empty: everything).
    pub patterns: Vec<Vec<u8>>,
    /// Flush each write at once: something else writes to the same stdout while the dump
    /// runs (`.trace stdout`, `.log stdout`), and sqlite3's single stdio buffer keeps the
    /// two in the order they happened.
    pub flush_each: bool,
}

/// A writer that flushes after every write (see [`DumpOptions::flush_each`]).
struct Flushing<'a>(&'a mut dyn Write);

impl Write for Flushing<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write_all(buf)?;
        self.0.flush()?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// What went wrong during a dump that still ran to its end.
#[derive(Debug, Default)]
pub struct DumpReport {
    /// One line per problem, for stderr.
    pub errors: Vec<String>,
}

/// sqlite3's `%Q`: a quoted SQL string literal.
fn push_q(buf: &mut Vec<u8>, s: &[u8]) {
    sql::quoted_string(buf, s);
}

/// The `WHERE` condition selecting objects (sqlite3's zLike).
fn like_condition(patterns: &[Vec<u8>]) -> Vec<u8> {
    if patterns.is_empty() {
        return b"true".to_vec();
    }
    let mut out = Vec::new();
    for (i, p) in patterns.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b" OR ");
        }
        out.extend_from_slice(b"name LIKE ");
        push_q(&mut out, p);
        out.extend_from_slice(
            b" ESCAPE '\\' OR EXISTS (  SELECT 1 FROM sqlite_schema WHERE     name LIKE ",
        );
        push_q(&mut out, p);
        out.extend_from_slice(
            b" ESCAPE '\\' AND    sql LIKE 'CREATE VIRTUAL TABLE%' AND    substr(o.name, 1, length(name)+1) == (name||'_'))",
        );
    }
    out
}

struct Dumper<'a> {
    conn: &'a Connection,
    opts: &'a DumpOptions,
    out: &'a mut dyn Write,
    /// sqlite3's `p->nErr`: errors that turn `COMMIT` into `ROLLBACK`.
    n_err: usize,
    writable_schema: bool,
    report: DumpReport,
}

/// Error kinds from statements run during the dump.
enum Failed {
    Sqlite { code: i32, msg: String },
    Io(io::Error),
}

impl From<io::Error> for Failed {
    fn from(e: io::Error) -> Self {
        Failed::Io(e)
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// sqlite3's `sqlite3_exec` without a callback, errors ignored (as `.dump` ignores them).
fn exec_quiet(conn: &Connection, sql: &[u8]) {
    let mut rest = sql;
    while !rest.is_empty() {
        let Ok(p) = raw::prepare(conn, rest) else {
            return;
        };
        if let Some(mut s) = p.stmt {
            while let Ok(true) = s.step() {}
        }
        if p.consumed == 0 {
            return;
        }
        rest = &rest[p.consumed..];
        // sqlite3_exec() skips the white space before the next statement, so `.trace`
        // shows ` PRAGMA …` without its leading space.
        let space = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
        rest = &rest[space..];
    }
}

impl Dumper<'_> {
    /// Runs the schema query, calling `dump_object` for each row (sqlite3's
    /// `run_schema_dump_query`, with its retry in reverse order after corruption).
    fn schema_query(&mut self, query: &[u8]) -> io::Result<()> {
        match self.for_each_object(query) {
            Ok(()) => Ok(()),
            Err(Failed::Io(e)) => Err(e),
            Err(Failed::Sqlite { code: 11, msg }) => {
                self.out.write_all(b"/****** CORRUPTION ERROR *******/\n")?;
                self.out
                    .write_all(format!("/****** {msg} ******/\n").as_bytes())?;
                self.report
                    .errors
                    .push(format!("database disk image is malformed: {msg}"));
                let mut q2 = query.to_vec();
                q2.extend_from_slice(b" ORDER BY rowid DESC");
                match self.for_each_object(&q2) {
                    Ok(()) => Ok(()),
                    Err(Failed::Io(e)) => Err(e),
                    Err(Failed::Sqlite { msg, .. }) => {
                        self.out
                            .write_all(format!("/****** ERROR: {msg} ******/\n").as_bytes())?;
                        self.report.errors.push(msg);
                        Ok(())
                    }
                }
            }
            Err(Failed::Sqlite { msg, .. }) => {
                // sqlite3 writes nothing here; litesh at least says so.
                self.report.errors.push(msg);
                Ok(())
            }
        }
    }

    fn for_each_object(&mut self, query: &[u8]) -> Result<(), Failed> {
        let p = raw::prepare(self.conn, query).map_err(|e| Failed::Sqlite {
            code: e.code,
            msg: lossy(&e.msg),
        })?;
        let Some(mut stmt) = p.stmt else {
            return Ok(());
        };
        loop {
            match stmt.step() {
                Ok(true) => {
                    let name = stmt.text(0).unwrap_or_default().to_vec();
                    let kind = stmt.text(1).unwrap_or_default().to_vec();
                    let sql = stmt.text(2).unwrap_or_default().to_vec();
                    self.dump_object(&name, &kind, &sql)?;
                }
                Ok(false) => return Ok(()),
                Err(code) => {
                    return Err(Failed::Sqlite {
                        code,
                        msg: lossy(&stmt.errmsg()),
                    });
                }
            }
        }
    }

    /// sqlite3's `dump_callback`.
    fn dump_object(&mut self, table: &[u8], kind: &[u8], sql: &[u8]) -> Result<(), Failed> {
        let nosys = self.opts.nosys;
        if table == b"sqlite_sequence" && !nosys {
            if !self.opts.data_only {
                self.out.write_all(b"DELETE FROM sqlite_sequence;\n")?;
            }
        } else if is_stat_table(table) && !nosys {
            if !self.opts.data_only {
                self.out.write_all(b"ANALYZE sqlite_schema;\n")?;
            }
        } else if table.starts_with(b"sqlite_") {
            return Ok(());
        } else if self.opts.data_only {
            // rows only
        } else if sql.starts_with(b"CREATE VIRTUAL TABLE") {
            if !self.writable_schema {
                self.out.write_all(b"PRAGMA writable_schema=ON;\n")?;
                self.writable_schema = true;
            }
            let mut ins =
                b"INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table',"
                    .to_vec();
            push_q(&mut ins, table);
            ins.push(b',');
            push_q(&mut ins, table);
            ins.extend_from_slice(b",0,");
            push_q(&mut ins, sql);
            ins.extend_from_slice(b");\n");
            self.out.write_all(&ins)?;
            return Ok(());
        } else {
            self.out.write_all(&schema_line(sql, b";\n"))?;
        }
        if kind == b"table" {
            self.dump_rows(table)?;
        }
        Ok(())
    }

    /// The INSERT statements of one table.
    fn dump_rows(&mut self, table: &[u8]) -> Result<(), Failed> {
        let Some((rowid, cols)) = self.column_list(table) else {
            self.n_err += 1;
            self.report
                .errors
                .push(format!("cannot read the columns of table {}", lossy(table)));
            return Ok(());
        };
        let mut dest = Vec::new();
        sql::ident(&mut dest, table);
        let mut select = b"SELECT ".to_vec();
        if let Some(r) = rowid {
            dest.push(b'(');
            dest.extend_from_slice(r.as_bytes());
            for c in &cols {
                dest.push(b',');
                sql::ident(&mut dest, c);
            }
            dest.push(b')');
            select.extend_from_slice(r.as_bytes());
            select.push(b',');
        }
        for (i, c) in cols.iter().enumerate() {
            if i > 0 {
                select.push(b',');
            }
            sql::ident(&mut select, c);
        }
        select.extend_from_slice(b" FROM ");
        sql::ident(&mut select, table);
        let first = self.insert_rows(&select, &dest);
        if matches!(first, Err(Failed::Sqlite { .. })) {
            // 3.40.1: any error in a table's rows turns COMMIT into ROLLBACK.
            self.n_err += 1;
        }
        match first {
            Err(Failed::Sqlite { code: 11, msg }) => {
                self.out.write_all(b"/****** CORRUPTION ERROR *******/\n")?;
                self.report
                    .errors
                    .push(format!("table {}: {msg}", lossy(table)));
                toggle_select_order(self.conn);
                let r = self.insert_rows(&select, &dest);
                toggle_select_order(self.conn);
                match r {
                    Err(Failed::Io(e)) => Err(Failed::Io(e)),
                    Err(Failed::Sqlite { msg, .. }) => {
                        self.report
                            .errors
                            .push(format!("table {}: {msg}", lossy(table)));
                        Ok(())
                    }
                    Ok(()) => Ok(()),
                }
            }
            Err(Failed::Sqlite { msg, .. }) => {
                // sqlite3 says nothing (shell_exec without an error message) and goes on.
                self.report
                    .errors
                    .push(format!("table {}: {msg}", lossy(table)));
                Ok(())
            }
            other => other,
        }
    }

    /// Streams `INSERT INTO dest VALUES(…);` lines for every row of the query.
    fn insert_rows(&mut self, select: &[u8], dest: &[u8]) -> Result<(), Failed> {
        let p = raw::prepare(self.conn, select).map_err(|e| Failed::Sqlite {
            code: e.code,
            msg: lossy(&e.msg),
        })?;
        let Some(mut stmt) = p.stmt else {
            return Ok(());
        };
        let n = stmt.column_count();
        let mut line = Vec::with_capacity(256);
        loop {
            match stmt.step() {
                Ok(true) => {
                    line.clear();
                    line.extend_from_slice(b"INSERT INTO ");
                    line.extend_from_slice(dest);
                    for i in 0..n {
                        line.extend_from_slice(if i > 0 { b"," } else { b" VALUES(" });
                        let v: Value<'_> = stmt.value(i);
                        render::push_sql_literal(&mut line, &v, self.opts.newlines);
                    }
                    line.extend_from_slice(b");\n");
                    self.out.write_all(&line)?;
                }
                Ok(false) => return Ok(()),
                Err(code) => {
                    return Err(Failed::Sqlite {
                        code,
                        msg: lossy(&stmt.errmsg()),
                    })
                }
            }
        }
    }

    /// sqlite3's `tableColumnList()`: the optional rowid name and the column names.
    fn column_list(&self, table: &[u8]) -> Option<(Option<&'static str>, Vec<Vec<u8>>)> {
        let mut q = b"PRAGMA table_info=".to_vec();
        push_q(&mut q, table);
        let p = raw::prepare(self.conn, &q).ok()?;
        let mut stmt = p.stmt?;
        let mut cols = Vec::new();
        let mut n_pk = 0;
        let mut is_ipk = false;
        while let Ok(true) = stmt.step() {
            cols.push(stmt.text(1).unwrap_or_default().to_vec());
            let pk = matches!(stmt.value(5), Value::Integer(v) if v != 0);
            if pk {
                n_pk += 1;
                is_ipk = n_pk == 1
                    && stmt
                        .text(2)
                        .unwrap_or_default()
                        .eq_ignore_ascii_case(b"INTEGER");
            }
        }
        drop(stmt);
        let mut preserve = self.opts.preserve_rowids;
        if preserve && is_ipk {
            // An INTEGER PRIMARY KEY that is a rowid alias has no "pk" index.
            let mut q = b"SELECT 1 FROM pragma_index_list(".to_vec();
            push_q(&mut q, table);
            q.extend_from_slice(b") WHERE origin='pk'");
            let p = raw::prepare(self.conn, &q).ok()?;
            let mut s = p.stmt?;
            preserve = matches!(s.step(), Ok(true));
        }
        let mut rowid = None;
        if preserve {
            for cand in ["rowid", "_rowid_", "oid"] {
                if !cols.iter().any(|c| c.eq_ignore_ascii_case(cand.as_bytes())) {
                    if has_rowid_column(self.conn, table, cand) {
                        rowid = Some(cand);
                    }
                    break;
                }
            }
        }
        Some((rowid, cols))
    }

    /// The index/trigger/view statements (sqlite3's `run_table_dump_query`).
    fn table_dump_query(&mut self, query: &[u8]) -> io::Result<()> {
        let p = match raw::prepare(self.conn, query) {
            Ok(p) => p,
            Err(e) => {
                let ctx = crate::exec::error_context(query, e.offset);
                let mut m =
                    format!("/**** ERROR: ({}) {} *****/\n", e.code, lossy(&e.msg)).into_bytes();
                m.extend_from_slice(&ctx);
                self.out.write_all(&m)?;
                if e.code != 11 {
                    self.n_err += 1;
                }
                self.report.errors.push(lossy(&e.msg));
                return Ok(());
            }
        };
        let Some(mut stmt) = p.stmt else {
            return Ok(());
        };
        let n = stmt.column_count();
        loop {
            match stmt.step() {
                Ok(true) => {
                    let mut line = Vec::new();
                    let first = stmt.text(0).unwrap_or_default().to_vec();
                    line.extend_from_slice(&first);
                    for i in 1..n {
                        line.push(b',');
                        line.extend_from_slice(stmt.text(i).unwrap_or(b"(null)"));
                    }
                    if first.windows(2).any(|w| w == b"--") {
                        line.extend_from_slice(b"\n;\n");
                    } else {
                        line.extend_from_slice(b";\n");
                    }
                    self.out.write_all(&line)?;
                }
                Ok(false) => break,
                Err(_) => break,
            }
        }
        let msg = lossy(&stmt.errmsg());
        let code = stmt.finalize();
        if code != 0 {
            self.out
                .write_all(format!("/**** ERROR: ({code}) {msg} *****/\n").as_bytes())?;
            if code != 11 {
                self.n_err += 1;
            }
            self.report.errors.push(msg);
        }
        Ok(())
    }
}

fn is_stat_table(name: &[u8]) -> bool {
    // sqlite3_strglob("sqlite_stat?", name)
    name.len() == 12 && name.starts_with(b"sqlite_stat")
}

fn toggle_select_order(conn: &Connection) {
    let on = conn
        .query_row("PRAGMA reverse_unordered_selects", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap_or(0);
    let sql = format!("PRAGMA reverse_unordered_selects={}", i32::from(on == 0));
    exec_quiet(conn, sql.as_bytes());
}

fn has_rowid_column(conn: &Connection, table: &[u8], col: &str) -> bool {
    // sqlite3_table_column_metadata succeeds for a rowid name only on rowid tables; a
    // prepared SELECT of that name tells the same thing.
    let mut q = b"SELECT ".to_vec();
    q.extend_from_slice(col.as_bytes());
    q.extend_from_slice(b" FROM ");
    sql::push_ident(&mut q, table, Some(b'"'));
    q.extend_from_slice(b" LIMIT 0");
    raw::prepare(conn, &q).is_ok()
}

/// sqlite3's `printSchemaLine()`: a CREATE statement with its terminator, made safe when
/// the text ends inside a comment, and `CREATE TABLE "x"` turned into
/// `CREATE TABLE IF NOT EXISTS "x"`.
pub fn schema_line(sql: &[u8], tail: &[u8]) -> Vec<u8> {
    let mut z = sql.to_vec();
    let mut tail = tail;
    let has_comment = z.windows(2).any(|w| w == b"/*" || w == b"--");
    if tail.first() == Some(&b';') && has_comment {
        for term in [&b""[..], b"*/", b"\n"] {
            let mut cand = z.clone();
            cand.extend_from_slice(term);
            cand.push(b';');
            if crate::split::is_complete(&cand) {
                z = cand;
                tail = &tail[1..];
                break;
            }
        }
    }
    let mut out = Vec::with_capacity(z.len() + tail.len() + 16);
    if z.len() > 13 && z.starts_with(b"CREATE TABLE ") && matches!(z[13], b'\'' | b'"') {
        out.extend_from_slice(b"CREATE TABLE IF NOT EXISTS ");
        out.extend_from_slice(&z[13..]);
    } else {
        out.extend_from_slice(&z);
    }
    out.extend_from_slice(tail);
    out
}

/// Writes the dump of `conn` to `out`. I/O errors stop it; database errors are written into
/// the dump as sqlite3 writes them and also returned in the report.
pub fn dump(conn: &Connection, opts: &DumpOptions, out: &mut dyn Write) -> io::Result<DumpReport> {
    let mut flushing;
    let out: &mut dyn Write = if opts.flush_each {
        flushing = Flushing(out);
        &mut flushing
    } else {
        out
    };
    let mut d = Dumper {
        conn,
        opts,
        out,
        n_err: 0,
        writable_schema: false,
        report: DumpReport::default(),
    };
    if !opts.data_only {
        d.out
            .write_all(b"PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n")?;
    }
    exec_quiet(conn, b"SAVEPOINT dump; PRAGMA writable_schema=ON");
    let like = like_condition(&opts.patterns);
    let mut q = b"SELECT name, type, sql FROM sqlite_schema AS o WHERE (".to_vec();
    q.extend_from_slice(&like);
    q.extend_from_slice(
        b") AND type=='table'  AND sql NOT NULL ORDER BY tbl_name='sqlite_sequence', rowid",
    );
    d.schema_query(&q)?;
    if !opts.data_only {
        let mut q = b"SELECT sql FROM sqlite_schema AS o WHERE (".to_vec();
        q.extend_from_slice(&like);
        q.extend_from_slice(b") AND sql NOT NULL  AND type IN ('index','trigger','view')");
        d.table_dump_query(&q)?;
    }
    if d.writable_schema {
        d.out.write_all(b"PRAGMA writable_schema=OFF;\n")?;
    }
    exec_quiet(conn, b"PRAGMA writable_schema=OFF;");
    exec_quiet(conn, b"RELEASE dump;");
    if !opts.data_only {
        d.out.write_all(if d.n_err > 0 {
            b"ROLLBACK; -- due to errors\n"
        } else {
            b"COMMIT;\n"
        })?;
    }
    Ok(d.report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_create_table_gets_if_not_exists() {
        assert_eq!(
            schema_line(b"CREATE TABLE \"a b\"(x)", b";\n"),
            b"CREATE TABLE IF NOT EXISTS \"a b\"(x);\n"
        );
        assert_eq!(
            schema_line(b"CREATE TABLE t(x)", b";\n"),
            b"CREATE TABLE t(x);\n"
        );
    }

    #[test]
    fn trailing_line_comment_is_closed_before_the_semicolon() {
        assert_eq!(
            schema_line(b"CREATE TABLE t(x -- c\n)", b";\n"),
            b"CREATE TABLE t(x -- c\n);\n"
        );
        assert_eq!(
            schema_line(b"CREATE TABLE t(x) -- c", b";\n"),
            b"CREATE TABLE t(x) -- c\n;\n"
        );
        assert_eq!(
            schema_line(b"CREATE TABLE t(x) /* c", b";\n"),
            b"CREATE TABLE t(x) /* c*/;\n"
        );
    }

    #[test]
    fn dump_of_a_small_database() {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t(a, b TEXT); INSERT INTO t VALUES(1, 'x''y'), (2.5, NULL);")
            .unwrap();
        let mut out = Vec::new();
        let r = dump(&c, &DumpOptions::default(), &mut out).unwrap();
        assert!(r.errors.is_empty());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t(a, b TEXT);\n\
             INSERT INTO t VALUES(1,'x''y');\nINSERT INTO t VALUES(2.5,NULL);\nCOMMIT;\n"
        );
    }
}
