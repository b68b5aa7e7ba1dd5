//! Contention and bad files (issue 9), each compared with `/usr/bin/sqlite3`:
//!
//! - a database another process holds locked (a `sqlite3` process inside `BEGIN EXCLUSIVE`
//!   or `BEGIN IMMEDIATE`): `database is locked (5)` in sqlite3's words and exit codes, also
//!   after `.timeout N` has waited; and with `.timeout` waiting, success once the lock goes;
//! - a database another process changes between two statements (schema and data: SQLite
//!   re-prepares);
//! - a read-only database (`-readonly`, a read-only mount, a file without write permission)
//!   and a read-only directory where the journal cannot be created;
//! - a corrupt, truncated, empty or non-database file, and a directory given as the database.
//!
//! Where sqlite3 exits 0 after a failure (`.dump` of an unreadable database), litesh's
//! stdout is still sqlite3's and it exits 1 (docs/compat.md).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;

use crate::harness::faults::SmallFs;
use crate::harness::{
    litesh, require_sqlite3, run_command, run_in, show, Case, Outcome, Scratch, SQLITE3,
};

const TABLE: &str = "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);
    INSERT INTO t VALUES(1, 'one'), (2, 'two');";

/// A `sqlite3` process holding a lock on a database (inside `begin`, e.g. `BEGIN EXCLUSIVE;`)
/// until released or dropped.
struct Holder {
    child: Child,
    stdin: Option<ChildStdin>,
}

impl Holder {
    fn start(dir: &Path, db: &str, begin: &str) -> Holder {
        let mut child = Command::new(SQLITE3)
            .arg(db)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("sqlite3 lock holder");
        let mut stdin = child.stdin.take().unwrap();
        // The lock is held once the SELECT inside the transaction has answered.
        writeln!(stdin, "{begin}\nSELECT 'held';").unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line, "held\n", "the holder did not take its lock");
        Holder {
            child,
            stdin: Some(stdin),
        }
    }

    /// Commits and ends the holder.
    fn release(&mut self) {
        if let Some(mut s) = self.stdin.take() {
            let _ = writeln!(s, "COMMIT;");
        }
        let _ = self.child.wait();
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        self.release();
    }
}

fn assert_same(what: &str, want: &Outcome, got: &Outcome) {
    assert_eq!(
        show(&got.stdout),
        show(&want.stdout),
        "{what}: stdout (litesh, sqlite3)"
    );
    assert_eq!(
        show(&got.stderr),
        show(&want.stderr),
        "{what}: stderr (litesh, sqlite3)"
    );
    assert_eq!(got.code, want.code, "{what}: exit code (litesh, sqlite3)");
}

/// Runs `args`/`stdin` through each program, each in its own directory where `setup` made
/// the database and a holder keeps it locked with `begin`.
fn under_lock(
    what: &str,
    setup: &str,
    begin: &str,
    args: &[&str],
    stdin: &str,
) -> (Outcome, Outcome) {
    let mut out = Vec::new();
    for program in [Path::new(SQLITE3), &litesh()] {
        let s = Scratch::new();
        s.db("db.db", setup);
        let holder = Holder::start(s.path(), "db.db", begin);
        out.push(run_in(program, s.path(), args, stdin.as_bytes()));
        drop(holder);
    }
    let got = out.pop().unwrap();
    let want = out.pop().unwrap();
    eprintln!(
        "contention: {what}: exit {:?}, stderr {:?}",
        got.code,
        show(&got.stderr)
    );
    (want, got)
}

/// Reads, writes and dot-commands on a database another process holds in `BEGIN EXCLUSIVE`
/// (rollback journal): sqlite3's `database is locked` texts and exit codes, with and without
/// `.timeout`. (A statement that reads no table, `SELECT 1`, differs: the newer library reads
/// the schema first, so it is locked out too; docs/compat.md.)
#[test]
fn a_database_locked_by_another_process() {
    if !require_sqlite3() {
        return;
    }
    let read = "SELECT count(*) FROM t";
    let write = "INSERT INTO t(b) VALUES('three')";
    let cases: Vec<(&str, Vec<&str>, String)> = vec![
        ("read, argument", vec!["db.db", read], String::new()),
        ("write, argument", vec!["db.db", write], String::new()),
        ("read, stdin", vec!["db.db"], format!("{read};\n{read};\n")),
        (
            "write, stdin",
            vec!["db.db"],
            format!("{write};\n{read};\n"),
        ),
        (
            "read, -bail",
            vec!["-bail", "db.db"],
            format!("{read};\n{read};\n"),
        ),
        (
            "read, .timeout 200",
            vec!["db.db"],
            format!(".timeout 200\n{read};\n"),
        ),
        (
            "write, -cmd .timeout",
            vec!["-cmd", ".timeout 100", "db.db", write],
            String::new(),
        ),
        (".tables", vec!["db.db", ".tables"], String::new()),
        (".schema", vec!["db.db"], ".schema\n.tables\n".into()),
        (".indexes", vec!["db.db", ".indexes"], String::new()),
        (".backup", vec!["db.db", ".backup copy.db"], String::new()),
        (
            ".save, stdin",
            vec!["db.db"],
            ".save copy.db\n.tables\n".into(),
        ),
        (
            ".import",
            vec!["db.db"],
            ".import --csv /dev/null t\n.tables\n".into(),
        ),
    ];
    for (what, args, stdin) in &cases {
        let (want, got) = under_lock(what, TABLE, "BEGIN EXCLUSIVE;", args, stdin);
        assert_same(what, &want, &got);
    }
}

/// `.dump` of a locked database: sqlite3 writes the dump's frame with an error comment and
/// exits 0; litesh writes the same stdout, reports on stderr and exits 1 (docs/compat.md).
#[test]
fn a_dump_of_a_locked_database_fails_loudly() {
    if !require_sqlite3() {
        return;
    }
    let (want, got) = under_lock(".dump", TABLE, "BEGIN EXCLUSIVE;", &["db.db", ".dump"], "");
    assert_eq!(show(&got.stdout), show(&want.stdout));
    assert_eq!(want.code, Some(0));
    assert_eq!(got.code, Some(1), "{}", show(&got.stderr));
    let err = show(&got.stderr);
    assert!(
        err.starts_with("Error: .dump: ") && err.contains("locked"),
        "{err}"
    );
}

/// A writer's reserved lock (`BEGIN IMMEDIATE`) lets readers in, in rollback-journal and in
/// WAL mode; a second writer gets `database is locked`.
#[test]
fn a_database_with_a_writer_in_another_process() {
    if !require_sqlite3() {
        return;
    }
    for journal in ["delete", "wal"] {
        let setup = format!("PRAGMA journal_mode={journal};\n{TABLE}");
        let begin = "BEGIN IMMEDIATE; INSERT INTO t(b) VALUES('uncommitted');";
        for (what, args, stdin) in [
            ("read", vec!["db.db", "SELECT * FROM t"], ""),
            ("write", vec!["db.db", "DELETE FROM t"], ""),
            ("both, stdin", vec!["db.db"], "SELECT count(*) FROM t;\nUPDATE t SET b = 'x';\nSELECT b FROM t;\n"),
            ("explicit transaction", vec!["db.db"], "BEGIN;\nSELECT count(*) FROM t;\nINSERT INTO t(b) VALUES('x');\nCOMMIT;\nSELECT count(*) FROM t;\n"),
        ] {
            let what = format!("{journal}: {what}");
            let (want, got) = under_lock(&what, &setup, begin, &args, stdin);
            assert_same(&what, &want, &got);
        }
    }
}

/// `.timeout` waits for a lock that goes away: the statement then succeeds, in both shells.
#[test]
fn timeout_waits_for_a_lock_that_goes_away() {
    if !require_sqlite3() {
        return;
    }
    for program in [Path::new(SQLITE3), &litesh()] {
        let s = Scratch::new();
        s.db("db.db", TABLE);
        let mut holder = Holder::start(s.path(), "db.db", "BEGIN EXCLUSIVE;");
        let mut child = Command::new(program)
            .args([
                "db.db",
                ".timeout 20000",
                "INSERT INTO t(b) VALUES('late')",
                "SELECT count(*) FROM t",
            ])
            .current_dir(s.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The program is waiting in its busy handler (it cannot have finished: the lock is
        // held); release the lock, and it goes on.
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            child.try_wait().unwrap().is_none(),
            "{program:?} did not wait"
        );
        holder.release();
        let o = child.wait_with_output().unwrap();
        assert_eq!(show(&o.stderr), "", "{program:?}");
        assert_eq!(show(&o.stdout), "3\n", "{program:?}");
        assert_eq!(o.status.code(), Some(0), "{program:?}");
    }
}

/// Another process changes the schema and the data between two statements (through
/// `.shell`, so that the order is fixed): the next statements see the new schema (SQLite
/// re-prepares), as in sqlite3.
#[test]
fn a_database_changed_by_another_process_between_statements() {
    let other = |sql: &str| format!(".shell {SQLITE3} db.db \"{sql}\"\n");
    let script = [
        "SELECT * FROM t;\n".to_string(),
        other("ALTER TABLE t ADD COLUMN c DEFAULT 7"),
        "SELECT * FROM t;\n".into(),
        ".schema t\n".into(),
        other("CREATE TABLE u(x); INSERT INTO u VALUES(42)"),
        ".tables\n".into(),
        "SELECT x FROM u;\n".into(),
        other("DROP TABLE u"),
        "SELECT x FROM u;\n".into(),
        other("DELETE FROM t WHERE a = 1"),
        "SELECT count(*) FROM t;\n".into(),
        other("PRAGMA journal_mode=wal"),
        "INSERT INTO t(b) VALUES('wal');\nSELECT a, b, c FROM t;\n".into(),
    ]
    .concat();
    Case::new("changed underneath", &["db.db"], &script)
        .setup(&|s: &Scratch| s.db("db.db", TABLE))
        .check();
}

/// `-readonly` and a database on a read-only mount: reads work, writes fail with `attempt
/// to write a readonly database (8)`, in sqlite3's words and exit codes.
#[test]
fn read_only_databases() {
    if !require_sqlite3() {
        return;
    }
    let write = "INSERT INTO t(b) VALUES('x')";
    for (args, stdin) in [
        (vec!["-readonly", "db.db", write], ""),
        (
            vec!["-readonly", "db.db"],
            "SELECT count(*) FROM t;\nDELETE FROM t;\nSELECT count(*) FROM t;\n",
        ),
    ] {
        Case::new("-readonly", &args, stdin)
            .setup(&|s: &Scratch| s.db("db.db", TABLE))
            .check();
    }
    // A read-only mount holding the database.
    let s = Scratch::new();
    s.db("db.db", TABLE);
    let seed = s.file("db.db");
    let Some(fs) = SmallFs::mount(&s.file("ro"), "size=1m", &[&seed], Some("remount,ro")) else {
        return;
    };
    let cases: [(Vec<&str>, &str); 5] = [
        (vec!["ro/db.db", write], ""),
        (vec!["ro/db.db", "SELECT count(*) FROM t"], ""),
        (
            vec!["ro/db.db"],
            "SELECT count(*) FROM t;\nDELETE FROM t;\nCREATE TABLE x(y);\n.tables\n",
        ),
        (vec!["ro/db.db", ".backup ro/copy.db"], ""),
        (vec!["db.db", ".backup ro/copy.db"], ""),
    ];
    for (args, stdin) in cases {
        let mut out = Vec::new();
        for program in [Path::new(SQLITE3), &litesh()] {
            out.push(run_command(
                fs.command(program).args(&args),
                stdin.as_bytes(),
            ));
        }
        let what = format!("read-only mount: {args:?} {stdin:?}");
        eprintln!(
            "contention: {what}: exit {:?}, stderr {:?}",
            out[1].code,
            show(&out[1].stderr)
        );
        assert_same(&what, &out[0], &out[1]);
    }
}

/// As an unprivileged user: a database file without write permission, and a writable file
/// in a directory without write permission (no journal can be created there).
#[test]
fn permissions_of_the_file_and_its_directory() {
    if !require_sqlite3() {
        return;
    }
    if !nix_is_root() {
        assert!(
            !crate::harness::in_ci(),
            "CI runs as root: setpriv must work (CI=true)"
        );
        eprintln!("\n!!!!! not root: cannot switch to an unprivileged user, SKIPPED !!!!!\n");
        return;
    }
    let write = "INSERT INTO t(b) VALUES('x')";
    let cases: [(&str, Vec<&str>, &str); 5] = [
        ("file 0444", vec!["ro.db", write], ""),
        (
            "file 0444, stdin",
            vec!["ro.db"],
            "SELECT count(*) FROM t;\nDELETE FROM t;\n",
        ),
        ("dir 0555", vec!["rodir/db.db", write], ""),
        (
            "dir 0555, read",
            vec!["rodir/db.db", "SELECT count(*) FROM t"],
            "",
        ),
        (
            "dir 0555, backup into it",
            vec!["ro.db", ".backup rodir/copy.db"],
            "",
        ),
    ];
    for (what, args, stdin) in cases {
        let mut out = Vec::new();
        for program in [Path::new(SQLITE3), &litesh()] {
            let s = Scratch::new();
            s.db("ro.db", TABLE);
            std::fs::create_dir(s.file("rodir")).unwrap();
            s.db("rodir/db.db", TABLE);
            let chmod = |p: &Path, mode: &str| {
                assert!(Command::new("chmod")
                    .arg(mode)
                    .arg(p)
                    .status()
                    .unwrap()
                    .success());
            };
            chmod(s.path(), "0755");
            chmod(&s.file("ro.db"), "0444");
            chmod(&s.file("rodir/db.db"), "0666");
            chmod(&s.file("rodir"), "0555");
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
                .arg(program)
                .args(&args)
                .current_dir(s.path())
                .env("HOME", "/nonexistent");
            out.push(run_command(&mut c, stdin.as_bytes()));
        }
        eprintln!(
            "contention: {what}: exit {:?}, stderr {:?}",
            out[1].code,
            show(&out[1].stderr)
        );
        assert_same(what, &out[0], &out[1]);
    }
}

fn nix_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n")
}

/// A database cut to half its size, one with a damaged page, one whose header is not
/// SQLite's, an empty file and a directory: sqlite3's messages and exit codes for queries and
/// dot-commands.
#[test]
fn damaged_files_and_directories_given_as_the_database() {
    let good = |s: &Scratch| {
        s.db(
            "db.db",
            "PRAGMA page_size=1024; CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<2000)
             INSERT INTO t SELECT i, printf('row %d', i) FROM n;
             CREATE INDEX tb ON t(b);",
        )
    };
    let truncated = move |s: &Scratch| {
        good(s);
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(s.file("db.db"))
            .unwrap();
        let len = f.metadata().unwrap().len();
        f.set_len(len / 2).unwrap();
    };
    let damaged = move |s: &Scratch| {
        good(s);
        let mut b = std::fs::read(s.file("db.db")).unwrap();
        // Page 3 (a b-tree page of t) overwritten with a pattern.
        for (i, x) in b[2048..3072].iter_mut().enumerate() {
            *x = (i * 7 % 251) as u8;
        }
        s.write("db.db", &b);
    };
    let not_a_db = |s: &Scratch| s.write("db.db", &[b'x'; 4096]);
    let empty = |s: &Scratch| s.write("db.db", b"");
    let directory = |s: &Scratch| std::fs::create_dir(s.file("db.db")).unwrap();
    type Setup<'a> = &'a dyn Fn(&Scratch);
    let setups: [(&str, Setup); 5] = [
        ("truncated", &truncated),
        ("damaged page", &damaged),
        ("not a database", &not_a_db),
        ("empty", &empty),
        ("directory", &directory),
    ];
    let cases: [(Vec<&str>, &str); 8] = [
        (vec!["db.db", "SELECT count(*) FROM t"], ""),
        (vec!["db.db", "SELECT max(b) FROM t"], ""),
        // (Not `PRAGMA integrity_check`: its report is the library's and words a damaged
        // page differently in the newer one.)
        (
            vec!["db.db", "SELECT count(*) FROM t WHERE b > 'row 5'"],
            "",
        ),
        (vec!["db.db", "INSERT INTO t(b) VALUES('x')"], ""),
        (
            vec!["db.db"],
            "SELECT count(*) FROM t;\nSELECT sum(a) FROM t;\nCREATE TABLE u(x);\n",
        ),
        (vec!["-bail", "db.db"], "SELECT sum(a) FROM t;\nSELECT 1;\n"),
        (vec!["db.db", ".tables"], ""),
        (vec!["db.db", ".backup copy.db"], ""),
    ];
    for (name, setup) in setups {
        for (args, stdin) in &cases {
            Case::new(name, args, stdin).setup(setup).check();
        }
        // `.open` of it from another database.
        Case::new(
            name,
            &[":memory:"],
            ".open db.db\nSELECT count(*) FROM t;\n.tables\n",
        )
        .setup(setup)
        .check();
    }
}

/// `.dump` and `.snapshot create` of a damaged database: litesh says so and exits 1 (sqlite3
/// exits 0 after writing an error comment into the dump), and no snapshot is stored.
#[test]
fn dump_and_snapshot_of_damaged_files_fail_loudly() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    s.db("good.db", TABLE);
    s.write("junk.db", &[b'x'; 4096]);
    let mut half = std::fs::read(s.file("good.db")).unwrap();
    half.truncate(half.len() / 2);
    s.write("half.db", &half);
    for db in ["junk.db", "half.db"] {
        let want = run_in(Path::new(SQLITE3), s.path(), &[db, ".dump"], b"");
        let got = run_in(&litesh(), s.path(), &[db, ".dump"], b"");
        assert_eq!(show(&got.stdout), show(&want.stdout), "{db}");
        assert_eq!(want.code, Some(0), "{db}");
        assert_eq!(got.code, Some(1), "{db}: {}", show(&got.stderr));
        let o = run_in(&litesh(), s.path(), &[db, ".snapshot create repo"], b"");
        let err = show(&o.stderr);
        eprintln!(
            "contention: snapshot of {db}: exit {:?}, stderr {err:?}",
            o.code
        );
        assert_eq!(o.code, Some(1), "{db}: {err}");
        assert!(err.starts_with("Error: .snapshot: "), "{db}: {err}");
        let listed = run_in(
            &litesh(),
            s.path(),
            &[":memory:", ".snapshot list repo --json"],
            b"",
        );
        let n = serde_json::from_slice::<Vec<serde_json::Value>>(&listed.stdout)
            .map(|v| v.len())
            .unwrap_or(0);
        assert_eq!(n, 0, "{db}: a snapshot of a damaged database was stored");
    }
}
