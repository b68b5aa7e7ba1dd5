//! Property test: any bytes on stdin under `-safe` end well.
//!
//! Each case is a random input of up to 24 lines, each line one of: arbitrary bytes (NUL,
//! CR, invalid UTF-8 and all), printable noise, a soup of SQL tokens (keywords, quotes,
//! brackets, comments, literals, parameters, `readfile()`/`ATTACH`), a plausible statement,
//! or a dot-command of sqlite3's or litesh's with random arguments. It is piped into
//! `litesh -safe :memory:` in an empty directory. The run must:
//!
//! - end by itself (a case still running after [`LIMIT`] is a hang: killed, and failed);
//! - exit with 0 or 1, never 101 (a Rust panic) and never by a signal (an abort, a crash);
//! - say something on stderr whenever it exits with 1, unless sqlite3 3.40.1 does the same
//!   with the same input (`.filectrl` and `.testctrl` alone list their controls on stdout
//!   and fail);
//! - leave the directory empty (safe mode writes no file).
//!
//! Lines that would legitimately do otherwise are filtered out first (see [`allowed`]):
//! `.exit N` (any exit code), and what could run for a long time or take a lot of memory
//! (recursive CTEs, `generate_series`, `randomblob`/`zeroblob`, `usleep`, `.timeout`,
//! `.progress`, `.limit`). Under `-safe` nothing shells out (`.shell`, `.system`, pipes and
//! `.read` are refused), so those lines stay: their refusal is part of what is tested.
//!
//! `LITESH_PROP_CASES=N` sets the number of cases (default 64).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};

use crate::harness::{self, litesh, show};

/// How long one case may run before it counts as a hang (a whole-run limit, generous on a
/// loaded machine; a normal case takes a few milliseconds).
const LIMIT: Duration = Duration::from_secs(30);

/// Tokens SQL is made of, odd ones included.
const SQL_TOKENS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "CREATE",
    "TABLE",
    "TEMP",
    "INSERT",
    "INTO",
    "VALUES",
    "UPDATE",
    "SET",
    "DELETE",
    "DROP",
    "VIEW",
    "INDEX",
    "TRIGGER",
    "BEGIN",
    "END",
    "COMMIT",
    "ROLLBACK",
    "SAVEPOINT",
    "RELEASE",
    "ATTACH",
    "DETACH",
    "VACUUM",
    "PRAGMA",
    "EXPLAIN",
    "QUERY",
    "PLAN",
    "WITH",
    "AS",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "JOIN",
    "ON",
    "GROUP",
    "BY",
    "ORDER",
    "LIMIT",
    "UNION",
    "ALL",
    "NOT",
    "NULL",
    "AND",
    "OR",
    "IN",
    "IS",
    "LIKE",
    "GLOB",
    "REGEXP",
    "t",
    "u",
    "a",
    "b",
    "main",
    "temp",
    "sqlite_schema",
    "x'00ff'",
    "X'",
    "'",
    "''",
    "'a'",
    "\"",
    "\"b\"",
    "[",
    "]",
    "`",
    "(",
    ")",
    ",",
    ";",
    ";;",
    "*",
    "||",
    "-",
    "+",
    "/",
    "%",
    "=",
    "==",
    "<>",
    "--",
    "/*",
    "*/",
    "?",
    "?1",
    ":a",
    "@b",
    "$c",
    "1",
    "-0.0",
    "1e999",
    "9223372036854775807",
    "-9223372036854775808",
    "0x7fffffffffffffff",
    "3.14",
    "char(0)",
    "readfile('x')",
    "writefile('y', 'z')",
    "edit('e')",
    "fsdir('.')",
    "load_extension('l')",
    "json('{')",
    "json_each('[1,2]')",
    "sha3('a')",
    "decimal('1.5')",
    "ieee754(2.5)",
    "printf('%s', 1)",
    "typeof(1)",
    "abs(-1)",
    "substr('abc', 2)",
    "\\",
    "\t",
    "\r",
];

/// Statements that get a schema to work on.
const STATEMENTS: &[&str] = &[
    "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c);",
    "CREATE TABLE IF NOT EXISTS u(x, y) ;",
    "INSERT INTO t(b, c) VALUES('one', 1.5), (x'00', NULL), ('a''b', -0.0);",
    "INSERT INTO u SELECT b, c FROM t;",
    "CREATE VIEW v AS SELECT * FROM t;",
    "CREATE INDEX ib ON t(b);",
    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO u VALUES(new.a, 1); END;",
    "CREATE VIRTUAL TABLE f USING fts5(body);",
    "SELECT * FROM t;",
    "SELECT * FROM v WHERE a > ?1;",
    "BEGIN;",
    "COMMIT;",
    "ROLLBACK;",
    "ATTACH ':memory:' AS m;",
    "VACUUM INTO 'x.db';",
    "SELECT readfile('/etc/passwd');",
    "PRAGMA integrity_check;",
    "EXPLAIN QUERY PLAN SELECT * FROM t WHERE b = 'x';",
    "DROP TABLE IF EXISTS u;",
];

/// Dot-commands, sqlite3's and litesh's (and a few misspelt).
const DOT_COMMANDS: &[&str] = &[
    ".archive",
    ".auth",
    ".backup",
    ".bail",
    ".binary",
    ".cd",
    ".changes",
    ".check",
    ".clone",
    ".connection",
    ".databases",
    ".dbconfig",
    ".dbinfo",
    ".dump",
    ".echo",
    ".eqp",
    ".excel",
    ".expert",
    ".explain",
    ".filectrl",
    ".fullschema",
    ".headers",
    ".help",
    ".import",
    ".imposter",
    ".indexes",
    ".lint",
    ".load",
    ".log",
    ".mode",
    ".nonce",
    ".nullvalue",
    ".once",
    ".open",
    ".output",
    ".parameter",
    ".print",
    ".prompt",
    ".quit",
    ".read",
    ".recover",
    ".restore",
    ".save",
    ".scanstats",
    ".schema",
    ".selftest",
    ".separator",
    ".session",
    ".sha3sum",
    ".shell",
    ".show",
    ".stats",
    ".system",
    ".tables",
    ".testcase",
    ".testctrl",
    ".timer",
    ".trace",
    ".vfsinfo",
    ".vfslist",
    ".vfsname",
    ".width",
    ".snapshot",
    ".verify",
    ".pager",
    ".edit",
    ".h",
    ".s",
    ".",
    "..",
    ".mod",
    ".x",
];

/// Arguments for dot-commands.
const DOT_ARGS: &[&str] = &[
    "on",
    "off",
    "1",
    "0",
    "-1",
    "99999999999999999999",
    "main",
    "temp",
    "t",
    "x.db",
    ":memory:",
    "--new",
    "--readonly",
    "--hexdb",
    "-v",
    "--init",
    "--schema",
    "--indent",
    "csv",
    "json",
    "box",
    "insert",
    "quote",
    "line",
    "list",
    "column",
    "table",
    "markdown",
    "html",
    "tcl",
    "ascii",
    "tabs",
    "pretty",
    "--wrap",
    "5",
    "--ww",
    "--quote",
    "--noquote",
    "stdout",
    "stderr",
    "|cat",
    "'a b'",
    "\"c d\"",
    "set",
    "@a",
    "list",
    "clear",
    "init",
    "unset",
    "open",
    "attach",
    "enable",
    "indirect",
    "isempty",
    "changeset",
    "filter",
    "close",
    "all",
    "full",
    "trigger",
    "create",
    "restore",
    "latest",
    "repo",
    "s3://b/p",
    "--keep-last",
    "--against",
    "--json",
    "--verify",
    "defensive",
    "trusted_schema",
    "data_version",
    "reserve_bytes",
    "has_moved",
    "persist_wal",
    "optimizations",
    "prng_seed",
    "byteorder",
    "fkey-indexes",
    "--sha3-224",
    "%",
    "*",
    "\\",
    "\\n",
    "'",
];

/// One random line (without its newline).
fn line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // Arbitrary bytes.
        prop::collection::vec(any::<u8>(), 0..40),
        // Printable noise.
        "[ -~]{0,40}".prop_map(String::into_bytes),
        // SQL token soup.
        prop::collection::vec(prop::sample::select(SQL_TOKENS), 1..12)
            .prop_map(|t| t.join(" ").into_bytes()),
        // A plausible statement.
        prop::sample::select(STATEMENTS).prop_map(|s| s.as_bytes().to_vec()),
        // A dot-command and arguments.
        (
            prop::sample::select(DOT_COMMANDS),
            prop::collection::vec(prop::sample::select(DOT_ARGS), 0..4)
        )
            .prop_map(|(c, a)| {
                let mut l = c.to_string();
                for x in a {
                    l.push(' ');
                    l.push_str(x);
                }
                l.into_bytes()
            }),
    ]
}

/// The whole input: lines, joined by LF (sometimes CRLF), sometimes without a final LF.
fn input() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec(line(), 0..24),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(lines, crlf, final_lf)| {
            let sep: &[u8] = if crlf { b"\r\n" } else { b"\n" };
            let mut out = Vec::new();
            for (i, l) in lines.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(sep);
                }
                out.extend_from_slice(l);
            }
            if final_lf {
                out.extend_from_slice(sep);
            }
            out
        })
}

/// Whether a line may stay (see the module doc): not an `.exit`, nothing that may run long.
fn allowed(line: &[u8]) -> bool {
    let text = String::from_utf8_lossy(line).to_ascii_lowercase();
    let word = text.split_whitespace().next().unwrap_or("");
    if let Some(name) = word.strip_prefix('.') {
        // A prefix of `exit` resolves to it (or to a command near it): any exit code.
        if !name.is_empty() && "exit".starts_with(name) {
            return false;
        }
        if ["timeout", "progress", "limit"]
            .iter()
            .any(|c| !name.is_empty() && c.starts_with(name) && name.len() >= 2)
        {
            return false;
        }
    }
    ![
        "recursive",
        "series",
        "randomblob",
        "zeroblob",
        "usleep",
        "sleep",
    ]
    .iter()
    .any(|w| text.contains(w))
}

/// Keeps only the allowed lines (split on LF, so a CR stays with its line).
fn filtered(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in input.split_inclusive(|&b| b == b'\n') {
        if allowed(l) {
            out.extend_from_slice(l);
        }
    }
    out
}

/// What one run of `program -safe :memory:` on `input` did: (exit status, stderr, the
/// files left in its working directory); `Err` for a hang.
fn run(
    program: &std::path::Path,
    input: &[u8],
) -> Result<(std::process::ExitStatus, Vec<u8>, Vec<String>), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut child = Command::new(program)
        .args(["-safe", ":memory:"])
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home.path())
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("spawn: {e}"))?;
    let mut stdin = child.stdin.take().unwrap();
    let bytes = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&bytes);
    });
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(LIMIT) {
        Ok(o) => o.map_err(|e| format!("wait: {e}"))?,
        Err(_) => {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(id as i32),
                nix::sys::signal::Signal::SIGKILL,
            );
            return Err(format!("no end after {LIMIT:?} (a hang)"));
        }
    };
    let _ = writer.join();
    Ok((out.status, out.stderr, harness::listing(dir.path())))
}

/// Runs one case; `Err` says what went wrong.
fn run_case(input: &[u8]) -> Result<(), String> {
    let (status, stderr, left) = run(&litesh(), input)?;
    let stderr = show(&stderr);
    match status.code() {
        None => return Err(format!("killed by a signal: {status:?}\nstderr:\n{stderr}")),
        Some(0) => {}
        Some(1) if !stderr.is_empty() => {}
        Some(1) => {
            // Compatible when sqlite3 fails as quietly on the same input.
            if !harness::require_sqlite3() {
                return Ok(());
            }
            let (theirs, their_stderr, _) = run(std::path::Path::new(harness::SQLITE3), input)?;
            if theirs.code() != Some(1) || !their_stderr.is_empty() {
                return Err(format!(
                    "exit code 1 with nothing on stderr (sqlite3: {theirs:?}, stderr {:?})",
                    show(&their_stderr)
                ));
            }
        }
        Some(c) => return Err(format!("exit code {c}\nstderr:\n{stderr}")),
    }
    if !left.is_empty() {
        return Err(format!("safe mode left files: {left:?}"));
    }
    Ok(())
}

#[test]
fn any_stdin_under_safe_mode_ends_with_0_or_1_and_a_message() {
    let cases = std::env::var("LITESH_PROP_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let config = Config {
        cases,
        max_shrink_iters: 200,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&input(), |raw| {
        run_case(&filtered(&raw)).map_err(TestCaseError::fail)
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(why, raw)) => panic!(
            "litesh -safe failed on this input (after shrinking): {why}\ninput: {:?}",
            show(&filtered(&raw))
        ),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn the_filter_drops_exits_and_long_runners_only() {
    let kept: &[&[u8]] = &[
        b".shell echo x",
        b".echo on",
        b".quit",
        b"SELECT 1;",
        b"\xff\x00.exit",
        b".print exit",
        b".t",
        b".print hi",
    ];
    let dropped: &[&[u8]] = &[
        b".exit 3",
        b"  .ex 2",
        b".e",
        b".EXIT",
        b".timeout 9999999",
        b".progress 1",
        b".lim length 1",
        b"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT * FROM c;",
        b"SELECT * FROM generate_series(1, 1e12);",
        b"SELECT randomblob(1e9);",
    ];
    let wrong: Vec<String> = kept
        .iter()
        .map(|l| (l, true))
        .chain(dropped.iter().map(|l| (l, false)))
        .filter(|(l, keep)| allowed(l) != *keep)
        .map(|(l, keep)| {
            format!(
                "{} (should be {})",
                show(l),
                if keep { "kept" } else { "dropped" }
            )
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:?}");
}

#[test]
fn the_checks_catch_what_they_should() {
    assert_eq!(run_case(b"SELECT 1;\n.bogus\n"), Ok(()));
    let e = run_case(b".exit 3\n").unwrap_err();
    assert!(e.starts_with("exit code 3"), "{e}");
    let e = run_case(b".exit 101\n").unwrap_err();
    assert!(e.starts_with("exit code 101"), "{e}");
}
