//! Safe mode (`-safe`), case by case against `/usr/bin/sqlite3 -safe`: every dot-command
//! (refused or allowed), every SQL statement and function safe mode's authorizer refuses,
//! `.nonce`, and where the options and start-up files run. Each case compares stdout,
//! stderr, the exit code and the names of the files left in the scratch directory (so a
//! refused command that still created a file is caught), with `SELECT 'after';` after the
//! command to show whether the shell went on.
//!
//! litesh's deliberate differences (docs/compat.md, "Safe mode") are tested on their own:
//! `.trace FILE`, `.testcase` and `fsdir` create or read files in 3.40.1's safe mode and are
//! refused in litesh's, and litesh's own commands that write files (`.snapshot`, `.backup
//! --verify`) are refused like `.backup`. For each, the test also shows what sqlite3 does,
//! so the difference is real and not an accident of the set-up.

use std::path::Path;

use crate::harness::{self, listing, litesh, run_in, show, Case, Scratch, SQLITE3};

/// The database every case opens, and the files some cases name.
fn setup(s: &Scratch) {
    s.db(
        "t.db",
        "CREATE TABLE t(a PRIMARY KEY, b);
         INSERT INTO t VALUES(1,'one'),(2,'two');
         CREATE TABLE log(x);
         CREATE INDEX tb ON t(b);
         CREATE VIEW vr AS SELECT readfile('t.db') AS data;
         CREATE TRIGGER tw AFTER INSERT ON t BEGIN INSERT INTO log VALUES(writefile('pwned', 'x')); END;",
    );
    s.db("other.db", "CREATE TABLE o(x); INSERT INTO o VALUES(42);");
    s.write("in.csv", b"x,y\n1,2\n");
    s.write("script.sql", b"SELECT 'from the script';\n");
}

/// Runs `input` (and then `SELECT 'after';`) with `args` through both programs.
fn check(name: &str, args: &[&str], input: &str) {
    let stdin = format!("{input}\nSELECT 'after';\n");
    Case::new(name, args, &stdin)
        .setup(&setup)
        .listing()
        .check();
}

/// Dot-commands sqlite3 refuses in safe mode (the shell stops with `line N: cannot run …`).
const REFUSED_DOT_COMMANDS: &[&str] = &[
    ".archive --list",
    ".ar -t",
    ".backup b.db",
    ".backup main b.db",
    ".backup --async b.db",
    ".save s.db",
    ".restore other.db",
    ".restore main other.db",
    ".cd /",
    ".cd",
    ".clone c.db",
    ".excel",
    ".expert",
    ".import in.csv t",
    ".import --csv --skip 1 in.csv newt",
    ".import '|cat in.csv' t",
    ".load ./nothing",
    ".log l.txt",
    ".log stdout",
    ".log off",
    ".once o.txt",
    ".once |cat",
    ".once -e",
    ".once",
    ".output o.txt",
    ".output |cat",
    ".output stdout",
    ".output",
    ".open other.db",
    ".open --new n.db",
    ".open --readonly other.db",
    ".open --deserialize other.db",
    ".open --nofollow other.db",
    ".open file:other.db",
    ".open file::memory:",
    ".open ''",
    ".read script.sql",
    ".read '|echo select 1;'",
    ".shell echo hi",
    ".shell touch pwned",
    ".system echo hi",
    ".session open main s\n.session changeset cs.bin",
    ".session open main s\n.session patchset ps.bin",
    ".testctrl imposter main 1 1",
    ".nonce wrong",
];

/// Dot-commands sqlite3 allows in safe mode.
const ALLOWED_DOT_COMMANDS: &[&str] = &[
    ".auth on\nSELECT 1;",
    ".bail on",
    ".binary on",
    ".changes on\nINSERT INTO log VALUES(1);",
    ".check x",
    ".connection",
    ".connection 1\nSELECT 1;\n.connection 0",
    ".dbconfig",
    ".dbconfig defensive on",
    ".dbconfig trusted_schema off",
    ".dump",
    ".dump t",
    ".echo on\nSELECT 1;",
    ".eqp on\nSELECT * FROM t;",
    ".exit 3",
    ".explain on",
    ".filectrl data_version",
    ".filectrl reserve_bytes",
    ".filectrl persist_wal",
    ".fullschema",
    ".headers on\nSELECT * FROM t;",
    ".help .open",
    ".imposter tb imp",
    ".indexes",
    ".limit length",
    ".limit length 1000",
    ".lint fkey-indexes",
    ".mode csv\nSELECT * FROM t;",
    ".nullvalue N\nSELECT NULL;",
    ".open",
    ".open :memory:\n.tables",
    ".open --new :memory:",
    ".parameter set @a 1\n.parameter list",
    ".parameter init",
    ".print hi",
    ".progress 5\nSELECT 1;",
    ".prompt a b",
    ".quit",
    ".schema",
    ".selftest",
    ".selftest --init\n.selftest",
    ".separator ,\nSELECT * FROM t;",
    ".session open main s\n.session attach t\nINSERT INTO log VALUES(2);\n.session list",
    ".sha3sum",
    ".sha3sum --schema",
    ".show",
    ".tables",
    ".testctrl byteorder",
    ".testctrl prng_seed 1",
    ".timeout 100",
    ".trace stdout\nSELECT 1;",
    ".trace stderr\nSELECT 2;",
    ".trace off",
    ".vfsinfo",
    ".vfsname",
    ".width 5 5\n.mode column\nSELECT * FROM t;",
    ".breakpoint",
    ".wheretrace 1",
    ".bogus",
];

/// SQL that safe mode's authorizer refuses (or that fails on its own) in 3.40.1.
const SQL_CASES: &[&str] = &[
    "ATTACH 'other.db' AS o;",
    "ATTACH ':memory:' AS m;",
    "attach database 'file:other.db?mode=ro' as o;",
    "DETACH main;",
    "VACUUM INTO 'v.db';",
    "VACUUM;",
    "SELECT readfile('t.db');",
    "SELECT ReadFile('t.db');",
    "SELECT length(READFILE('in.csv'));",
    "SELECT writefile('w.txt', 'x');",
    "SELECT edit('x');",
    "SELECT edit('x', 'true');",
    "SELECT fts3_tokenizer('simple');",
    "SELECT fts3_tokenizer('simple', x'00');",
    "SELECT load_extension('./nothing');",
    "SELECT 1; ATTACH 'other.db' AS o; SELECT 2;",
    "SELECT * FROM vr;",
    "INSERT INTO t VALUES(3, 'three');",
    "SELECT * FROM pragma_function_list WHERE name = 'readfile';",
    "PRAGMA journal_mode;",
    "PRAGMA trusted_schema;",
    "CREATE TEMP TRIGGER tt AFTER INSERT ON log BEGIN SELECT edit('a', 'b'); END;",
    "CREATE VIRTUAL TABLE f USING fts5(x); INSERT INTO f VALUES('a'); SELECT * FROM f;",
    "SELECT lsmode(16877), sha3('a') IS NOT NULL, decimal_add('1', '2');",
    "SELECT value FROM generate_series(1, 3);",
    "SELECT sqlite_version() IS NOT NULL;",
];

/// Runs each of `cases` under `-safe t.db` (see [`check`]).
fn check_each(label: &str, cases: &[&str]) {
    for (i, c) in cases.iter().enumerate() {
        check(&format!("{label} {i}: {c}"), &["-safe", "t.db"], c);
    }
}

#[test]
fn refused_dot_commands_stop_the_shell_as_in_sqlite3() {
    check_each("refused", REFUSED_DOT_COMMANDS);
}

#[test]
fn allowed_dot_commands_run_as_in_sqlite3() {
    check_each("allowed", ALLOWED_DOT_COMMANDS);
}

#[test]
fn sql_refused_by_the_authorizer_as_in_sqlite3() {
    check_each("sql", SQL_CASES);
}

#[test]
fn commands_as_arguments_report_line_0() {
    for args in [
        &["-safe", "t.db", "SELECT 1", ".shell echo x", "SELECT 2"][..],
        &["-safe", "t.db", "ATTACH 'other.db' AS o"],
        &["-safe", "t.db", "SELECT writefile('w', 'x')"],
        &["-safe", "-cmd", ".output o.txt", "t.db", "SELECT 1"],
        &["-safe", "-cmd", "SELECT readfile('t.db')", "t.db"],
    ] {
        check(&format!("{args:?}"), args, "");
    }
}

#[test]
fn options_and_start_up_files_before_safe_mode_takes_effect() {
    // `-cmd` before `-safe`, the `-init` file and ~/.sqliterc all run before the second
    // pass of the options turns safe mode on, as in 3.40.1.
    for (name, args) in [
        (
            "cmd before -safe",
            &["-cmd", ".output o.txt", "-safe", "t.db"],
        ),
        (
            "cmd after -safe",
            &["-safe", "-cmd", ".shell echo x", "t.db"],
        ),
    ] {
        check(name, args, "SELECT 1;");
    }
    let init = |s: &Scratch| {
        setup(s);
        s.write(
            "init.sql",
            b".output init-out.txt\nSELECT 'init';\n.output\n",
        );
        s.write(".home/.sqliterc", b".shell echo from-sqliterc\n");
    };
    for args in [
        &["-safe", "-init", "init.sql", "t.db"][..],
        &["-safe", "t.db"],
    ] {
        Case::new("start-up files", args, "SELECT 1;\n.shell echo now\n")
            .setup(&init)
            .listing()
            .files(&["init-out.txt"])
            .check();
    }
}

#[test]
fn nonce_lifts_safe_mode_for_exactly_one_command() {
    let cases = [
        ".nonce N\n.shell echo one\n.shell echo two",
        ".nonce N\n.output o.txt\nSELECT 1;\n.output",
        ".nonce N\n.output o.txt\nSELECT 1;\n.nonce N\n.output\nSELECT 2;",
        ".nonce N\nATTACH 'other.db' AS o;\nSELECT * FROM o.o;\nATTACH 'other.db' AS p;",
        ".nonce N\nSELECT length(readfile('t.db')) > 0;\nSELECT readfile('t.db');",
        ".nonce N\nSELECT 1;\nSELECT writefile('w', 'x');",
        ".nonce N\n.read script.sql\n.read script.sql",
        ".nonce wrong\n.shell echo no",
        ".nonce",
        ".nonce N extra",
    ];
    for (i, c) in cases.iter().enumerate() {
        check(&format!("nonce {i}"), &["-safe", "-nonce", "N", "t.db"], c);
    }
    // Without -safe a matching nonce does nothing; without -nonce every nonce is wrong.
    check("nonce no safe", &["-nonce", "N", "t.db"], ".nonce N");
    check("nonce not set", &["-safe", "t.db"], ".nonce N");
}

#[test]
fn sql_a_dot_command_runs_is_refused_as_typed_sql_is() {
    // `.selftest` runs SQL from the SELFTEST table: 3.40.1's authorizer leaves at the
    // refused statement, before the test's report.
    let db = |s: &Scratch| {
        setup(s);
        s.db(
            "t.db",
            "CREATE TABLE selftest(tno, op, cmd, ans);
             INSERT INTO selftest VALUES(1, 'run', 'SELECT 1', '1'),
               (2, 'run', 'SELECT writefile(''pwned'', ''x'')', ''),
               (3, 'run', 'SELECT 3', '3');",
        );
    };
    for input in [
        ".selftest\nSELECT 'after';\n",
        ".selftest -v\nSELECT 'after';\n",
    ] {
        Case::new("selftest refused", &["-safe", "t.db"], input)
            .setup(&db)
            .listing()
            .check();
    }
    check(
        "parameter set",
        &["-safe", "t.db"],
        ".parameter set @a writefile('pwned','x')",
    );
}

/// Runs `input` under `-safe t.db` in a fresh scratch directory with [`setup`].
fn run(program: &Path, input: &str) -> (harness::Outcome, Vec<String>) {
    let s = Scratch::new();
    setup(&s);
    let out = run_in(program, s.path(), &["-safe", "t.db"], input.as_bytes());
    (out, listing(s.path()))
}

/// A deliberate difference: litesh refuses `input` with `line N: MESSAGE` (N: the line of
/// its last statement), exit code 1 and no new file, where sqlite3 goes on and leaves
/// `sqlite3_creates` (when given).
fn litesh_refuses(input: &str, message: &str, sqlite3_creates: Option<&str>) {
    let line = input.lines().count();
    let input = format!("{input}\nSELECT 'after';\n");
    let (got, files) = run(&litesh(), &input);
    let before = {
        let s = Scratch::new();
        setup(&s);
        listing(s.path())
    };
    let before: Vec<String> = before.into_iter().filter(|f| f != ".home/").collect();
    let files: Vec<String> = files.into_iter().filter(|f| f != ".home/").collect();
    assert_eq!(
        (show(&got.stderr), got.code),
        (format!("line {line}: {message}\n"), Some(1)),
        "litesh on {input:?}: stdout {}",
        show(&got.stdout)
    );
    assert!(
        !show(&got.stdout).contains("after"),
        "the shell went on: {}",
        show(&got.stdout)
    );
    assert_eq!(files, before, "litesh left new files for {input:?}");
    if let Some(f) = sqlite3_creates {
        if !harness::require_sqlite3() {
            return;
        }
        let (want, files) = run(Path::new(SQLITE3), &input);
        assert_eq!(want.code, Some(0), "sqlite3 on {input:?}: {want:?}");
        assert!(
            files.iter().any(|x| x == f),
            "sqlite3 -safe was expected to create {f} for {input:?}: {files:?}"
        );
    }
}

#[test]
fn trace_to_a_file_is_refused_unlike_sqlite3() {
    let msg = "cannot run .trace to a file in safe mode";
    litesh_refuses(".trace t.txt", msg, Some("t.txt"));
    // 3.40.1 opens its first argument as the file, whatever its position.
    litesh_refuses(".trace --plain stderr", msg, Some("--plain"));
    litesh_refuses(".trace --profile out.txt", msg, Some("--profile"));
}

#[test]
fn trace_cannot_overwrite_a_file_in_safe_mode() {
    // With 3.40.1 `-safe`, `.trace ~/.profile` would truncate the file and write the SQL
    // that follows into it.
    let s = Scratch::new();
    setup(&s);
    s.write("victim", b"precious\n");
    let out = run_in(
        &litesh(),
        s.path(),
        &["-safe", "t.db"],
        b".trace victim\nSELECT 'echo pwned';\n",
    );
    assert_eq!(out.code, Some(1), "{out:?}");
    assert_eq!(std::fs::read(s.file("victim")).unwrap(), b"precious\n");
}

#[test]
fn testcase_is_refused_unlike_sqlite3() {
    litesh_refuses(
        ".testcase x",
        "cannot run .testcase in safe mode",
        Some("testcase-out.txt"),
    );
}

#[test]
fn fsdir_is_refused_unlike_sqlite3() {
    // 3.40.1 refuses readfile() but lets fsdir's `data` column read any file.
    let msg = "cannot use the fsdir() table in safe mode";
    litesh_refuses("SELECT count(*) FROM fsdir('.');", msg, None);
    litesh_refuses("SELECT data FROM fsdir('t.db');", msg, None);
    litesh_refuses("SELECT 1;\nSELECT name FROM fsdir('/etc');", msg, None);
    // A nonce lifts it for one command, as it lifts the authorizer.
    let s = Scratch::new();
    setup(&s);
    let out = run_in(
        &litesh(),
        s.path(),
        &["-safe", "-nonce", "N", "t.db"],
        b".nonce N\nSELECT count(*) > 0 FROM fsdir('.');\nSELECT count(*) FROM fsdir('.');\n",
    );
    assert_eq!(
        (show(&out.stdout), show(&out.stderr), out.code),
        (
            "1\n".to_string(),
            "line 3: cannot use the fsdir() table in safe mode\n".to_string(),
            Some(1)
        )
    );
    if harness::require_sqlite3() {
        let s = Scratch::new();
        setup(&s);
        let want = run_in(
            Path::new(SQLITE3),
            s.path(),
            &["-safe", "t.db"],
            b"SELECT count(*) > 0 FROM fsdir('.') WHERE data IS NOT NULL;\n",
        );
        assert_eq!(
            show(&want.stdout),
            "1\n",
            "sqlite3 reads files through fsdir"
        );
    }
}

#[test]
fn litesh_commands_that_write_files_are_refused() {
    for (input, message) in [
        (".snapshot create repo", "cannot run .snapshot in safe mode"),
        (".snapshot list repo", "cannot run .snapshot in safe mode"),
        (
            ".snapshot restore repo latest r.db",
            "cannot run .snapshot in safe mode",
        ),
        (".snapshot verify repo", "cannot run .snapshot in safe mode"),
        (
            ".snapshot prune repo --keep-last 1",
            "cannot run .snapshot in safe mode",
        ),
        (".backup --verify b.db", "cannot run .backup in safe mode"),
        (".save --verify s.db", "cannot run .save in safe mode"),
        (".verify other.db", "cannot run .verify in safe mode"),
        (
            ".verify script.sql --json",
            "cannot run .verify in safe mode",
        ),
    ] {
        litesh_refuses(input, message, None);
    }
}
