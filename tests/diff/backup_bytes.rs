//! `.backup` to a new file, compared byte for byte with the file sqlite3 3.40.1 writes.
//!
//! litesh copies the pages of a new backup itself (`backup/direct.rs`): straight from the
//! main file in rollback-journal mode, through `sqlite_dbpage` otherwise. The copy must be the
//! file SQLite's backup engine writes, header fields included, so each case runs both programs
//! on the same source and compares the two copies whole, except bytes 96..100 (the version
//! number of the library that last wrote the file: 3040001 against litesh's). Cases cover the
//! kinds of source the two paths meet: rollback and WAL databases (with pages still in the
//! WAL), page sizes 512 and 65536, temp, in-memory and attached schemas, a hot journal, and
//! destinations that cannot be written (a read-only directory, a full file system).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::harness::{litesh, require_sqlite3, run_in, Case, Outcome, Scratch, SQLITE3};

/// Some rows on a few hundred pages, with indexes and freed pages.
const FILL: &str = "CREATE TABLE t(a INTEGER PRIMARY KEY, b, c);
CREATE INDEX tc ON t(c);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<1500)
INSERT INTO t SELECT i, zeroblob(i % 900), 'row ' || i FROM n;
DELETE FROM t WHERE a % 7 = 0;
";

/// Runs `args` + `stdin` through sqlite3 and litesh, each in a scratch directory prepared by
/// `setup`, and asserts the same stdout, stderr and exit code, and the same bytes in `copy`
/// (apart from the library version number). Returns the copy's bytes.
fn same_copy(setup: &dyn Fn(&Scratch), args: &[&str], stdin: &str, copy: &str) -> Vec<u8> {
    let a = Scratch::new();
    let b = Scratch::new();
    setup(&a);
    setup(&b);
    let want = run_in(Path::new(SQLITE3), a.path(), args, stdin.as_bytes());
    let got = run_in(&litesh(), b.path(), args, stdin.as_bytes());
    same_outcome(&want, &got);
    let x = std::fs::read(a.file(copy)).expect("sqlite3's copy");
    let y = std::fs::read(b.file(copy)).expect("litesh's copy");
    assert_eq!(x.len(), y.len(), "{copy}: sizes differ");
    let diff: Vec<usize> = (0..x.len())
        .filter(|&i| x[i] != y[i] && !(96..100).contains(&i))
        .take(10)
        .collect();
    assert!(diff.is_empty(), "{copy}: bytes differ at {diff:?}");
    assert_eq!(
        sqlite3(b.path(), copy, "PRAGMA integrity_check"),
        "ok",
        "litesh's {copy}"
    );
    y
}

fn same_outcome(want: &Outcome, got: &Outcome) {
    assert_eq!(
        String::from_utf8_lossy(&got.stderr),
        String::from_utf8_lossy(&want.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&got.stdout),
        String::from_utf8_lossy(&want.stdout)
    );
    assert_eq!(got.code, want.code);
}

fn sqlite3(dir: &Path, db: &str, sql: &str) -> String {
    let o = run_in(Path::new(SQLITE3), dir, &[db, sql], b"");
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

fn source(sql: &'static str) -> impl Fn(&Scratch) {
    move |s: &Scratch| s.db("src.db", sql)
}

#[test]
fn a_rollback_journal_database() {
    if !require_sqlite3() {
        return;
    }
    same_copy(&source(FILL), &["src.db", ".backup b.db"], "", "b.db");
}

#[test]
fn page_sizes_512_and_65536() {
    if !require_sqlite3() {
        return;
    }
    for ps in [512, 65536] {
        let setup = move |s: &Scratch| s.db("src.db", &format!("PRAGMA page_size={ps};\n{FILL}"));
        let y = same_copy(&setup, &["src.db", ".backup b.db"], "", "b.db");
        let stored = u32::from(u16::from_be_bytes([y[16], y[17]]));
        assert_eq!(if stored == 1 { 65536 } else { stored }, ps);
    }
}

/// A WAL database whose newest pages are still in the WAL (its writer was killed after
/// committing, so nothing checkpointed them): both copies hold them, and both say WAL in
/// their header, so they open in WAL mode, as sqlite3's own copy does.
#[test]
fn a_wal_database_with_pages_in_the_wal() {
    if !require_sqlite3() {
        return;
    }
    let setup = |s: &Scratch| {
        s.db("src.db", &format!("PRAGMA journal_mode=wal;\n{FILL}"));
        killed_after(
            s,
            "PRAGMA wal_autocheckpoint=0;\nUPDATE t SET c = c || '!' WHERE a % 3 = 0;\n",
        );
        assert!(std::fs::metadata(s.file("src.db-wal")).unwrap().len() > 0);
    };
    let y = same_copy(&setup, &["src.db", ".backup b.db"], "", "b.db");
    assert_eq!((y[18], y[19]), (2, 2));
    let s = Scratch::new();
    std::fs::write(s.file("b.db"), &y).unwrap();
    assert_eq!(sqlite3(s.path(), "b.db", "PRAGMA journal_mode"), "wal");
    assert_eq!(
        sqlite3(s.path(), "b.db", "SELECT count(*) FROM t WHERE c LIKE '%!'"),
        "429"
    );
}

/// Runs `sql` in a sqlite3 process on `src.db` and kills it (`kill -9`) once it has.
fn killed_after(s: &Scratch, sql: &str) {
    let mut w = Command::new(SQLITE3)
        .arg("src.db")
        .current_dir(s.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut sin = w.stdin.take().unwrap();
    sin.write_all(format!("{sql}SELECT 'ready';\n").as_bytes())
        .unwrap();
    sin.flush().unwrap();
    // Output of `sql` comes first (PRAGMA values), then the marker.
    let ready = BufReader::new(w.stdout.take().unwrap())
        .lines()
        .any(|l| l.is_ok_and(|l| l == "ready"));
    assert!(ready, "sqlite3 stopped before running {sql:?}");
    w.kill().unwrap();
    let _ = w.wait();
}

#[test]
fn a_wal_database_file() {
    if !require_sqlite3() {
        return;
    }
    let setup = |s: &Scratch| s.db("src.db", &format!("PRAGMA journal_mode=wal;\n{FILL}"));
    same_copy(&setup, &["src.db", ".backup b.db"], "", "b.db");
}

/// In-memory and temp schemas are built by each program itself, whose library lays out
/// pages its own way (and leaves its own bytes in free space), so their copies are compared
/// by content; the unit tests of `backup/copy.rs` hold litesh's bytes against the engine's.
#[test]
fn in_memory_and_temp_schemas() {
    if !require_sqlite3() {
        return;
    }
    let temp = FILL.replace("CREATE TABLE t", "CREATE TEMP TABLE t");
    let mem = FILL
        .replace("TABLE t", "TABLE mem.t")
        .replace("INDEX tc", "INDEX mem.tc");
    for (stdin, copy) in [
        (format!("{FILL}.backup m.db\n"), "m.db"),
        (format!("{temp}.backup temp tm.db\n"), "tm.db"),
        (
            format!("ATTACH ':memory:' AS mem;\n{mem}.backup mem x.db\n"),
            "x.db",
        ),
    ] {
        Case::new(copy, &[], &stdin).dbs(&[copy]).check();
    }
}

/// The main database and an attached one, each copied while the other is attached.
#[test]
fn a_source_with_attached_databases() {
    if !require_sqlite3() {
        return;
    }
    let setup = |s: &Scratch| {
        s.db("src.db", FILL);
        s.db(
            "other.db",
            "CREATE TABLE o(x); INSERT INTO o VALUES('other');",
        );
    };
    let stdin = "ATTACH 'other.db' AS aux;\n.backup main m.db\n.backup aux a.db\n";
    for copy in ["m.db", "a.db"] {
        same_copy(&setup, &["src.db"], stdin, copy);
    }
}

#[test]
fn async_option() {
    if !require_sqlite3() {
        return;
    }
    same_copy(
        &source(FILL),
        &["src.db", ".backup --async b.db"],
        "",
        "b.db",
    );
}

/// A source left with a hot journal by a writer killed in the middle of a transaction that
/// had already written pages to the database file: the copy is the state before that
/// transaction, as sqlite3's is (both roll the journal back first).
#[test]
fn a_source_with_a_hot_journal() {
    if !require_sqlite3() {
        return;
    }
    let setup = |s: &Scratch| {
        s.db("src.db", FILL);
        // A tiny cache makes the transaction spill its changes into the database file.
        killed_after(
            s,
            "PRAGMA cache_size=2;\nBEGIN;\nUPDATE t SET b = zeroblob(2000);\n",
        );
        assert!(s.file("src.db-journal").exists(), "no hot journal");
    };
    same_copy(&setup, &["src.db", ".backup b.db"], "", "b.db");
}

/// Runs `script` in a private mount namespace (`unshare -m`), where it can mount file
/// systems; `None` when this machine does not allow that (the test then has nothing to say).
fn in_mount_namespace(dir: &Path, script: &str) -> Option<String> {
    let o = Command::new("unshare")
        .args(["-m", "sh", "-c", script])
        .current_dir(dir)
        .output()
        .ok()?;
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    if !o.status.success() || !out.contains("mounted") {
        let why = String::from_utf8_lossy(&o.stderr);
        // CI runs as root, where mounting in a private namespace works: it must not skip.
        assert!(
            !crate::harness::in_ci(),
            "unshare -m with a tmpfs mount is required here (CI=true): {why}"
        );
        eprintln!("\n!!!!! unshare -m is not allowed here, SKIPPED: {why} !!!!!\n");
        return None;
    }
    Some(out)
}

/// `.backup` into a directory that cannot be written, and onto a file system that fills up
/// in the middle of the copy (with and without `--async`): sqlite3's error and exit code, and
/// litesh leaves nothing behind (sqlite3 leaves an empty or partial file, docs/compat.md).
#[test]
fn destinations_that_cannot_be_written() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    s.db("src.db", FILL);
    let run = |prog: &str, what: &str, options: &str, flag: &str| {
        let script = format!(
            "mkdir -p {what} && mount -t tmpfs -o {options} tmpfs {what} && echo mounted && \
             {prog} src.db '.backup {flag}{what}/b.db' 2>&1; echo \"exit $?\"; ls -A {what}"
        );
        let out = in_mount_namespace(s.path(), &script)?;
        let mut lines: Vec<String> = out.lines().skip(1).map(str::to_string).collect();
        let code_at = lines.iter().position(|l| l.starts_with("exit "))?;
        let left = lines.split_off(code_at + 1);
        Some((lines, left))
    };
    let ours = litesh().display().to_string();
    for (what, options) in [("ro", "ro,size=64k"), ("full", "size=128k")] {
        for flag in ["", "--async "] {
            let Some((want, _)) = run(SQLITE3, what, options, flag) else {
                return;
            };
            let (got, left) = run(&ours, what, options, flag).expect("ran once already");
            assert_eq!(got, want, "{what} {flag}");
            assert!(left.is_empty(), "litesh left {left:?} in {what}");
        }
    }
}
