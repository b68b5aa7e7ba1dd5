//! Restoring a dump without parsing every row: the one-row INSERTs that `.dump` writes
//! (`split/dump_insert.rs` recognises them) run through a few cached prepared statements,
//! `INSERT INTO t VALUES(?,?,…)`, with the literals' values bound.
//!
//! It must be indistinguishable from preparing each line, so it runs only while nothing
//! observes statements ([`Shell::bulk_inserts_allowed`]) and only for lines the recogniser
//! is sure of, in batch input, with no SQL pending. Each line does what the command loop
//! would do with it: the line counts, errors are reported as
//! `Runtime error near line N: MSG (CODE)`, `.bail` stops the source, SIGINT stops it
//! after the line it interrupted, safe mode is restored after the statement.
//!
//! The statements live only while consecutive lines are dump INSERTs: any other line
//! (CREATE, COMMIT, a dot-command, a line the recogniser refuses) goes back to the command
//! loop and the cache is finalized first, so no statement outlives a change this process
//! makes to the schema or the connection. A statement that fails to prepare leaves the line
//! to the parser, which reports the error as sqlite3 does (with its context lines). A schema
//! change by another process makes SQLite prepare a cached statement again; when that fails
//! (`sqlite3_expired`, nothing changed), the line also goes to the parser.

use std::io;
use std::sync::atomic::Ordering;

use rusqlite::{ffi, Connection};

use crate::exec::hooks::{self, Eqp, StatsMode};
use crate::exec::raw::{self, Bind, Stmt};
use crate::input::LineSource;
use crate::shell::{report_message, Shell, SEEN_INTERRUPT};
use crate::split::dump_insert::{self, DumpInsert, Slot, Value};
use crate::split::Splitter;

/// How a run of dump INSERTs ended.
pub(super) enum Bulk {
    /// This line is not one (or must go through the parser): the command loop takes it, as
    /// if it had just read it.
    Handback(Vec<u8>),
    /// End of input.
    Eof,
    /// SIGINT: the command loop stops reading this source.
    Interrupted,
    /// Reading failed.
    ReadError(io::Error),
    /// A statement failed under `.bail`.
    Stopped,
}

/// At most this many statements are kept (one per table and layout of values).
const CACHE_SIZE: usize = 32;

struct Cached<'c> {
    table: Vec<u8>,
    slots: Vec<Slot>,
    stmt: Stmt<'c>,
}

impl Shell {
    /// True when dump INSERTs may skip the parser: the database is open and nothing that
    /// shows or changes how statements run is on (`.echo`, `-backslash`, `.changes`,
    /// `.timer`, `.auth`, `.scanstats`, `.eqp`, `.stats`, `.trace`, `.progress`, `.log`, a
    /// pending `.once`, or parameters set with `.parameter`).
    pub(super) fn bulk_inserts_allowed(&self) -> bool {
        let s = &self.settings;
        let Some(conn) = self.db.conn.as_ref() else {
            return false;
        };
        !(s.echo
            || s.backslash
            || s.count_changes
            || s.timer
            || s.auth
            || s.scanstats
            || s.eqp != Eqp::Off
            || s.stats != StatsMode::Off
            || s.trace.is_on()
            || s.progress.is_installed()
            || hooks::log_is_on()
            || self.out.once)
            && !raw::has_column(conn, "TEMP", "sqlite_parameters", "key")
    }

    /// Runs `first` and the lines after it while they are dump INSERTs (see the module
    /// doc); `errors` counts the failed ones. Nothing of a statement may be pending in
    /// `splitter`.
    pub(super) fn run_dump_inserts(
        &mut self,
        src: &mut dyn LineSource,
        splitter: &mut Splitter,
        first: Vec<u8>,
        errors: &mut usize,
    ) -> Bulk {
        let Shell {
            db,
            out,
            ui,
            lineno,
            safe,
            safe_persist,
            settings,
            ..
        } = self;
        let Some(conn) = db.conn.as_ref() else {
            return Bulk::Handback(first);
        };
        // Longer text is an error for the parser ("string or blob too big").
        let max_len = raw::limit(conn, ffi::SQLITE_LIMIT_SQL_LENGTH)
            .min(raw::limit(conn, ffi::SQLITE_LIMIT_LENGTH))
            .max(0) as usize;
        let mut cache: Vec<Cached<'_>> = Vec::new();
        let mut parser = DumpInsert::new();
        let mut line = first;
        loop {
            let ran = if line.len() <= max_len {
                run_line(conn, &mut cache, &mut parser, &line)
            } else {
                None
            };
            let Some(result) = ran else {
                return Bulk::Handback(line);
            };
            *lineno += 1;
            splitter.count_line();
            if let Err((code, msg)) = result {
                let mut text = format!("Runtime error near line {lineno}: ").into_bytes();
                text.extend_from_slice(&msg);
                if code > 1 {
                    text.extend_from_slice(format!(" ({code})").as_bytes());
                }
                report_message(out, ui, &text);
                *errors += 1;
            }
            safe.set(*safe_persist);
            if *errors > 0 && settings.bail {
                return Bulk::Stopped;
            }
            match src.next_line_into(&settings.prompt, &mut line) {
                Ok(true) => {}
                Ok(false) => return Bulk::Eof,
                Err(e) => return Bulk::ReadError(e),
            }
            if SEEN_INTERRUPT.load(Ordering::SeqCst) > 0 {
                return Bulk::Interrupted;
            }
            if !dump_insert::may_be(&line) {
                return Bulk::Handback(line);
            }
        }
    }
}

/// One line as a restore runs it, through a fresh statement cache (for `crate::fuzzing`):
/// `None` when the line goes to the parser instead, else the step's outcome.
pub(crate) fn run_single(conn: &Connection, line: &[u8]) -> Option<Result<(), (i32, Vec<u8>)>> {
    run_line(conn, &mut Vec::new(), &mut DumpInsert::new(), line)
}

/// Runs one line through a cached statement. `None`: the line is not a dump INSERT, its
/// statement does not prepare, or it could not be prepared again after a schema change;
/// the parser must take it.
fn run_line<'c>(
    conn: &'c Connection,
    cache: &mut Vec<Cached<'c>>,
    parser: &mut DumpInsert,
    line: &[u8],
) -> Option<Result<(), (i32, Vec<u8>)>> {
    if !parser.parse(line) {
        return None;
    }
    let table = parser.table(line);
    let i = match cache
        .iter()
        .position(|c| c.table == table && c.slots == parser.slots())
    {
        Some(i) => i,
        None => {
            let sql = parser.statement(line);
            let prepared = raw::prepare(conn, &sql).ok()?;
            if prepared.consumed != sql.len() {
                return None;
            }
            let stmt = prepared.stmt?;
            if cache.len() == CACHE_SIZE {
                cache.remove(0);
            }
            cache.push(Cached {
                table: table.to_vec(),
                slots: parser.slots().to_vec(),
                stmt,
            });
            cache.len() - 1
        }
    };
    let binds = parser.values(line).map(|v| match v {
        Value::Null => Bind::Null,
        Value::Integer(n) => Bind::Integer(n),
        Value::Real(digits) => Bind::Text(digits),
        Value::Text(t) => Bind::Text(t),
        Value::Blob(b) => Bind::Blob(b),
    });
    let before = raw::total_changes(conn);
    let r = cache[i].stmt.run_with(binds);
    if r.is_err() && cache[i].stmt.expired() && raw::total_changes(conn) == before {
        cache.remove(i);
        return None;
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::raw::Value as Col;

    /// A small deterministic generator (xorshift64*), so failures can be replayed.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        /// `lo` to `lo + span - 1` random digits.
        fn digits(&mut self, lo: usize, span: u64) -> String {
            let n = lo + self.below(span) as usize;
            (0..n)
                .map(|_| char::from(b'0' + self.below(10) as u8))
                .collect()
        }
    }

    /// Numeric literals of every form a dump (or a person) writes: 3.40.1's 20-digit
    /// `%!.20g` forms, shortest forms, whole numbers, huge and tiny exponents, integers at
    /// and beyond the 64-bit range.
    fn numeric_literals(rng: &mut Rng, n: usize) -> Vec<String> {
        let mut out: Vec<String> = [
            "0",
            "-0",
            "0.0",
            "-0.0",
            "1.0e+20",
            "-1.0e+20",
            "1e999",
            "-1e999",
            "1e-999",
            "9223372036854775807",
            "-9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "-9223372036854775809",
            "18446744073709551616",
            "99999999999999999999999999",
            "9223372036854775807.0",
            "9.2233720368547758e18",
            "4.9406564584124654428e-324",
            "2.4703282292062327208e-324",
            "2.4703282292062327209e-324",
            "2.2250738585072013831e-308",
            "2.2250738585072008890e-308",
            "1.7976931348623157081e+308",
            "1.7976931348623158079e+308",
            "0.10000000000000000555",
            "0.1",
            "1.",
            "007",
            "3500000000000000.2500001",
            "123456789012345678901234567890.5e-10",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        while out.len() < n {
            let sign = if rng.below(3) == 0 { "-" } else { "" };
            let lit = match rng.below(6) {
                // 20 significant digits with an exponent, as 3.40.1's .dump writes them.
                0 => format!(
                    "{sign}{}.{}e{}{:02}",
                    1 + rng.below(9),
                    rng.digits(19, 1),
                    if rng.below(2) == 0 { '-' } else { '+' },
                    rng.below(330)
                ),
                // 20 significant digits without an exponent.
                1 => {
                    let int = rng.digits(1, 19);
                    let frac = rng.digits(20usize.saturating_sub(int.len()).max(1), 1);
                    format!("{sign}{int}.{frac}")
                }
                // The shortest digits of a random double (litesh's .dump).
                2 => {
                    let d = f64::from_bits(rng.next());
                    if d.is_finite() {
                        let s = format!("{:e}", d.abs());
                        format!("{sign}{s}")
                    } else {
                        format!("{sign}1e999")
                    }
                }
                // Any number of digits around a decimal point, any exponent.
                3 => {
                    let a = rng.digits(1, 30);
                    let b = rng.digits(0, 30);
                    let e = rng.below(700) as i64 - 350;
                    format!("{sign}{a}.{b}E{e}")
                }
                // Whole numbers as N.0.
                4 => format!("{sign}{}.0", rng.below(1 << 62)),
                // Integers, some beyond 64 bits.
                _ => format!("{sign}{}", rng.digits(1, 22)),
            };
            out.push(lit);
        }
        out
    }

    /// Reads back every row of `table` with its storage class (REALs as their bits).
    fn rows(conn: &Connection, table: &str) -> Vec<String> {
        let sql = format!("SELECT x FROM {table} ORDER BY rowid");
        let mut stmt = raw::prepare(conn, sql.as_bytes()).unwrap().stmt.unwrap();
        let mut out = Vec::new();
        while stmt.step() == Ok(true) {
            out.push(match stmt.value(0) {
                Col::Null => "null".to_string(),
                Col::Integer(i) => format!("int {i}"),
                Col::Real(r) => format!("real {:016x}", r.to_bits()),
                Col::Text(t) => format!("text {t:?}"),
                Col::Blob(b) => format!("blob {b:?}"),
            });
        }
        out
    }

    /// Inserts each literal into `plain_<aff>` by preparing the SQL text, and into
    /// `fast_<aff>` through [`run_line`]; both tables must end up holding the same values in
    /// the same storage classes, for every column affinity.
    fn same_as_the_parser(literals: &[String]) {
        let conn = Connection::open_in_memory().unwrap();
        raw::configure(&conn);
        let mut cache = Vec::new();
        for (i, aff) in ["", "REAL", "INTEGER", "NUMERIC", "TEXT", "BLOB"]
            .iter()
            .enumerate()
        {
            conn.execute_batch(&format!(
                "CREATE TABLE plain_{i}(x {aff}); CREATE TABLE fast_{i}(x {aff});"
            ))
            .unwrap();
            for lit in literals {
                let sql = format!("INSERT INTO plain_{i} VALUES({lit})");
                let mut stmt = raw::prepare(&conn, sql.as_bytes()).unwrap().stmt.unwrap();
                assert_eq!(stmt.step(), Ok(false), "{sql}");
                drop(stmt);
                let line = format!("INSERT INTO fast_{i} VALUES({lit});");
                assert_eq!(
                    run_line(&conn, &mut cache, &mut DumpInsert::new(), line.as_bytes()),
                    Some(Ok(())),
                    "{line}"
                );
            }
            let (a, b) = (
                rows(&conn, &format!("plain_{i}")),
                rows(&conn, &format!("fast_{i}")),
            );
            for (k, lit) in literals.iter().enumerate() {
                assert_eq!(a[k], b[k], "{lit} into a column of affinity {aff:?}");
            }
            cache.clear();
        }
    }

    #[test]
    fn numbers_are_stored_exactly_as_the_parser_stores_them() {
        let mut rng = Rng(0x5eed_1234_abcd_ef01);
        same_as_the_parser(&numeric_literals(&mut rng, 3000));
    }

    /// The same on a million literals (`cargo test --release -- --ignored`).
    #[test]
    #[ignore]
    fn numbers_are_stored_exactly_as_the_parser_stores_them_bulk() {
        let mut rng = Rng(0x0ddb_a11c_afe0_f00d);
        same_as_the_parser(&numeric_literals(&mut rng, 1_000_000));
    }

    #[test]
    fn texts_and_blobs_are_stored_as_the_parser_stores_them() {
        let mut rng = Rng(42);
        let mut literals: Vec<String> = [
            "NULL",
            "''",
            "'it''s'",
            "'a;b'",
            "''''",
            "'12'",
            "' 12 '",
            "'1e5'",
            "'-0.0'",
            "'0x10'",
            "X''",
            "X'00ff'",
            "x'ABcd'",
            "replace('a\\nb','\\n',char(10))",
            "replace('a\\rb','\\r',char(13))",
            "replace(replace('a\\r\\nb\\n','\\r',char(13)),'\\n',char(10))",
            "replace('\\\\n','\\n',char(10))",
            "replace('12\\n','\\n',char(10))",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for _ in 0..300 {
            let n = rng.below(40) as usize;
            let s: String = (0..n)
                .map(|_| match rng.below(8) {
                    0 => '\'',
                    1 => '\\',
                    2 => 'n',
                    3 => ';',
                    4 => 'é',
                    5 => char::from(b'0' + rng.below(10) as u8),
                    _ => char::from(b' ' + rng.below(95) as u8),
                })
                .collect();
            let q = s.replace('\'', "''");
            literals.push(format!("'{q}'"));
            literals.push(format!("replace('{q}','\\n',char(10))"));
            literals.push(format!(
                "replace(replace('{q}','\\r',char(13)),'\\n',char(10))"
            ));
            let hex: String = (0..rng.below(20))
                .map(|_| format!("{:02x}", rng.below(256)))
                .collect();
            literals.push(format!("X'{hex}'"));
        }
        same_as_the_parser(&literals);
    }

    #[test]
    fn a_statement_that_cannot_be_prepared_again_goes_to_the_parser() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let a = Connection::open(&path).unwrap();
        let b = Connection::open(&path).unwrap();
        a.execute_batch("CREATE TABLE t(x, y)").unwrap();
        let mut cache = Vec::new();
        assert_eq!(
            run_line(
                &a,
                &mut cache,
                &mut DumpInsert::new(),
                b"INSERT INTO t VALUES(1,2);"
            ),
            Some(Ok(()))
        );
        // Another connection gives t a third column: the cached statement cannot be
        // prepared again, and nothing was inserted.
        b.execute_batch("DROP TABLE t; CREATE TABLE t(x, y, z)")
            .unwrap();
        assert_eq!(
            run_line(
                &a,
                &mut cache,
                &mut DumpInsert::new(),
                b"INSERT INTO t VALUES(3,4);"
            ),
            None
        );
        assert!(cache.is_empty());
        assert_eq!(rows(&a, "t").len(), 0);
        // A layout that fits is prepared afresh.
        assert_eq!(
            run_line(
                &a,
                &mut cache,
                &mut DumpInsert::new(),
                b"INSERT INTO t VALUES(3,4,5);"
            ),
            Some(Ok(()))
        );
    }

    #[test]
    fn errors_are_the_library_s() {
        let conn = Connection::open_in_memory().unwrap();
        raw::configure(&conn);
        conn.execute_batch("CREATE TABLE t(a INTEGER PRIMARY KEY, b NOT NULL UNIQUE)")
            .unwrap();
        let mut cache = Vec::new();
        let mut parser = DumpInsert::new();
        let mut run = |l: &str| run_line(&conn, &mut cache, &mut parser, l.as_bytes());
        assert_eq!(run("INSERT INTO t VALUES(1,'x');"), Some(Ok(())));
        let err = |m: &str, c| Some(Err((c, m.as_bytes().to_vec())));
        assert_eq!(
            run("INSERT INTO t VALUES(2,'x');"),
            err("UNIQUE constraint failed: t.b", 19)
        );
        assert_eq!(
            run("INSERT INTO t VALUES(3,NULL);"),
            err("NOT NULL constraint failed: t.b", 19)
        );
        assert_eq!(
            run("INSERT INTO t VALUES(1.5,'y');"),
            err("datatype mismatch", 20)
        );
        // Statements that do not prepare are the parser's to report.
        assert_eq!(run("INSERT INTO t VALUES(1,2,3);"), None);
        assert_eq!(run("INSERT INTO nope VALUES(1);"), None);
    }
}
