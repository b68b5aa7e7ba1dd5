//! `.backup` made safe (backup/copy.rs): a consistent copy while another process keeps
//! committing, in WAL and in rollback-journal mode; nothing half-written after `kill -9`;
//! `--verify` and its single verdict line.
//!
//! The writer is a `/usr/bin/sqlite3` process fed transfers between two accounts through a
//! pipe, so the sum of the balances is the same in every committed state: a torn copy would
//! show another sum.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::harness::{litesh, require_sqlite3, run_in, Scratch, SQLITE3};

/// A database of accounts whose balances sum to 1,000,000, padded to a few MB so that a
/// copy takes many backup steps.
fn accounts(s: &Scratch, name: &str, journal: &str) {
    s.db(
        name,
        &format!(
            "PRAGMA journal_mode={journal};
             CREATE TABLE acct(id INTEGER PRIMARY KEY, bal INTEGER, pad BLOB);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<1000)
             INSERT INTO acct SELECT i, 1000, randomblob(4000) FROM n;"
        ),
    );
}

fn query(dir: &Path, db: &str, sql: &str) -> String {
    let o = run_in(Path::new(SQLITE3), dir, &[db, sql], b"");
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// Runs transfers in a sqlite3 process until `stop` is set; returns how many were sent.
/// With `grow`, each transfer also appends a row of about 3 KB to `log` and counts it in
/// `meta.n`, so the database grows by a page or more with every commit (and in WAL mode the
/// writer's automatic checkpoints keep rewriting the main file).
fn writer(dir: &Path, db: &str, stop: Arc<AtomicBool>, grow: bool) -> std::thread::JoinHandle<u64> {
    let mut child = Command::new(SQLITE3)
        .arg(db)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn sqlite3 writer");
    std::thread::spawn(move || {
        let mut sin = child.stdin.take().expect("stdin");
        let _ = sin.write_all(b".timeout 20000\n");
        let mut n = 0u64;
        while !stop.load(Ordering::SeqCst) {
            let (a, b) = (n % 1000 + 1, (n * 7 + 3) % 1000 + 1);
            let log = if grow {
                "INSERT INTO log(pad) VALUES(randomblob(3000)); UPDATE meta SET n=n+1; "
            } else {
                ""
            };
            let t = format!(
                "BEGIN IMMEDIATE; UPDATE acct SET bal=bal-1 WHERE id={a}; \
                 UPDATE acct SET bal=bal+1 WHERE id={b}; {log}COMMIT;\n"
            );
            if sin
                .write_all(t.as_bytes())
                .and_then(|()| sin.flush())
                .is_err()
            {
                break;
            }
            n += 1;
        }
        drop(sin);
        let _ = child.wait();
        n
    })
}

fn copy_under_load(journal: &str, grow: bool) {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    accounts(&s, "live.db", journal);
    if grow {
        s.db(
            "live.db",
            "CREATE TABLE log(id INTEGER PRIMARY KEY, pad BLOB); CREATE TABLE meta(n);
             INSERT INTO meta VALUES(0);",
        );
    }
    let stop = Arc::new(AtomicBool::new(false));
    let w = writer(s.path(), "live.db", stop.clone(), grow);
    std::thread::sleep(Duration::from_millis(100));
    let mut copies = 0;
    let started = Instant::now();
    // Several copies while the writer runs, each must be a committed state.
    while copies < 3 {
        let name = format!("copy{copies}.db");
        let o = run_in(
            &litesh(),
            s.path(),
            &["live.db", ".timeout 20000", &format!(".backup {name}")],
            b"",
        );
        assert_eq!(
            o.code,
            Some(0),
            "backup failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(query(s.path(), &name, "PRAGMA integrity_check"), "ok");
        assert_eq!(
            query(s.path(), &name, "SELECT sum(bal), count(*) FROM acct"),
            "1000000|1000",
            "{name} is not a committed state"
        );
        if grow {
            assert_eq!(
                query(
                    s.path(),
                    &name,
                    "SELECT (SELECT count(*) FROM log) = (SELECT n FROM meta)"
                ),
                "1",
                "{name} is not a committed state"
            );
        }
        copies += 1;
    }
    stop.store(true, Ordering::SeqCst);
    let sent = w.join().unwrap();
    assert!(sent > 0, "the writer never ran");
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_eq!(
        query(s.path(), "live.db", "SELECT sum(bal) FROM acct"),
        "1000000"
    );
}

#[test]
fn backup_completes_and_is_consistent_while_a_writer_commits_wal() {
    copy_under_load("wal", false);
}

#[test]
fn backup_completes_and_is_consistent_while_a_writer_commits_rollback_journal() {
    copy_under_load("delete", false);
}

/// The page count changes with every commit of the writer; the copy, taken inside one read
/// transaction, still has the page count and pages of one committed state.
#[test]
fn backup_is_consistent_while_a_writer_grows_the_database_wal() {
    copy_under_load("wal", true);
}

#[test]
fn backup_is_consistent_while_a_writer_grows_the_database_rollback_journal() {
    copy_under_load("delete", true);
}

/// `kill -9` in the middle of `.backup` to a new file: the file is either absent or whole,
/// never partial, and no journal next to it turns it into an empty database.
#[test]
fn kill_during_backup_leaves_no_partial_file() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    s.db(
        "big.db",
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b BLOB);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<12000)
         INSERT INTO t SELECT i, randomblob(4000) FROM n;",
    );
    for delay_ms in [5u64, 30, 80] {
        let dest = s.file("out.db");
        let _ = std::fs::remove_file(&dest);
        let mut child = Command::new(litesh())
            .args(["big.db", ".backup out.db"])
            .current_dir(s.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        assert!(!s.file("out.db-journal").exists());
        if dest.exists() {
            assert_eq!(query(s.path(), "out.db", "PRAGMA integrity_check"), "ok");
            assert_eq!(query(s.path(), "out.db", "SELECT count(*) FROM t"), "12000");
        }
    }
    // The next backup works, and removes what the killed ones left under temporary names.
    let o = run_in(&litesh(), s.path(), &["big.db", ".backup out.db"], b"");
    assert_eq!(o.code, Some(0));
    assert_eq!(query(s.path(), "out.db", "SELECT count(*) FROM t"), "12000");
    assert_no_temporary_files(s.path());
}

/// No `.NAME.litesh-PID.tmp` file of a copy is left in `dir`.
pub fn assert_no_temporary_files(dir: &Path) {
    let stray: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".litesh-"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

#[test]
fn verify_gives_one_verdict_line() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    accounts(&s, "live.db", "delete");
    let o = run_in(
        &litesh(),
        s.path(),
        &["live.db", ".backup --verify copy.db"],
        b"",
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.code, Some(0), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("verify: ok: copy.db matches main"), "{err}");
    assert!(o.stdout.is_empty());
    assert_eq!(
        query(s.path(), "copy.db", "SELECT sum(bal) FROM acct"),
        "1000000"
    );
}

/// The fault hook damages the copy between writing and verifying it: `--verify` must say
/// so in its one line and fail.
#[test]
fn verify_catches_a_corrupted_copy() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    accounts(&s, "live.db", "delete");
    let out = Command::new(litesh())
        .args(["live.db", ".backup --verify copy.db"])
        .current_dir(s.path())
        .env("LITESH_FAULT", "corrupt-copy")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("verify: FAILED: copy.db"), "{err}");
}

#[test]
fn new_backup_flags_use_clap() {
    let s = Scratch::new();
    s.db("t.db", "CREATE TABLE t(a);");
    let o = run_in(
        &litesh(),
        s.path(),
        &["t.db", ".backup --verify --bogus x.db"],
        b"",
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.code, Some(1));
    assert!(err.contains("unexpected argument '--bogus'"), "{err}");
    let o = run_in(&litesh(), s.path(), &["t.db", ".backup --help"], b"");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("--verify") && out.contains("Usage: .backup"),
        "{out}"
    );
    assert_eq!(o.code, Some(0));
}
