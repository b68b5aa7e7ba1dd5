//! SIGINT while a batch statement runs: sqlite3 interrupts the statement, reports
//! `Runtime error near line N: interrupted (9)`, stops reading its input and exits 1.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::harness::{litesh, require_sqlite3, show, Outcome, Scratch, SQLITE3};

/// Runs `program` on `script`, sends SIGINT after `after`, and returns what it did.
fn interrupt(program: &Path, dir: &Path, script: &str, after: Duration) -> Outcome {
    let mut child = Command::new(program)
        .arg0("sqlite3")
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(script.as_bytes()).unwrap();
    drop(stdin);
    std::thread::sleep(after);
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    Outcome {
        stdout: out.stdout,
        stderr: out.stderr,
        code: out.status.code(),
    }
}

#[test]
fn sigint_interrupts_the_running_statement_and_stops_the_script() {
    if !require_sqlite3() {
        return;
    }
    let script = "SELECT 1;\n\
                  WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c)\n\
                  SELECT count(*) FROM c;\n\
                  SELECT 2;\n";
    let a = Scratch::new();
    let b = Scratch::new();
    let want = interrupt(
        Path::new(SQLITE3),
        a.path(),
        script,
        Duration::from_millis(1200),
    );
    let got = interrupt(&litesh(), b.path(), script, Duration::from_millis(1200));
    assert_eq!(
        want,
        got,
        "sqlite3: {} / {}\nlitesh: {} / {}",
        show(&want.stdout),
        show(&want.stderr),
        show(&got.stdout),
        show(&got.stderr)
    );
    assert_eq!(got.stderr, b"Runtime error near line 2: interrupted (9)\n");
}

/// SIGINT is a plain signal handler, as in sqlite3 (no thread waits for it): a batch run
/// has exactly one thread.
#[test]
fn batch_run_has_one_thread() {
    let s = Scratch::new();
    let o = crate::harness::run_in(
        &litesh(),
        s.path(),
        &[],
        b"SELECT count(*) FROM fsdir('/proc/self/task') WHERE name GLOB '/proc/self/task/*' AND name NOT GLOB '/proc/self/task/*/*';\n",
    );
    assert_eq!(show(&o.stdout), "1\n", "{}", show(&o.stderr));
}

/// `.verify` replays a dump into a scratch database; SIGINT interrupts the statement
/// running there, and the report says where the replay stopped.
#[test]
fn sigint_interrupts_verify_replay() {
    let s = Scratch::new();
    s.write(
        "endless.sql",
        b"CREATE TABLE t(x);\nINSERT INTO t WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT x FROM c;\nINSERT INTO t VALUES(2);\n",
    );
    let got = interrupt(
        &litesh(),
        s.path(),
        ".verify endless.sql\nSELECT 'after';\n",
        Duration::from_millis(1500),
    );
    let (out, err) = (show(&got.stdout), show(&got.stderr));
    assert!(out.contains("\nline 2: interrupted\n"), "{out}");
    assert!(out.contains("\nintegrity: ok\n"), "{out}");
    assert_eq!(
        err, "Error: .verify: endless.sql: interrupted after line 2\n",
        "{out}"
    );
    assert_eq!(got.code, Some(1), "{err}");
}

/// SIGINT during a run of dump INSERTs (which litesh runs through cached statements):
/// the INSERT running is interrupted, reported with its line, and nothing after it runs.
#[test]
fn sigint_interrupts_a_run_of_dump_inserts() {
    if !require_sqlite3() {
        return;
    }
    let mut script = String::from(
        "CREATE TABLE t(a);\nCREATE TABLE log(x);\nCREATE TRIGGER slow AFTER INSERT ON t BEGIN INSERT INTO log SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<2000000) SELECT x FROM c); END;\n",
    );
    for i in 0..400 {
        script.push_str(&format!("INSERT INTO t VALUES({i});\n"));
    }
    script.push_str("SELECT 'not reached';\n");
    for program in [Path::new(SQLITE3).to_path_buf(), litesh()] {
        let s = Scratch::new();
        let got = interrupt(&program, s.path(), &script, Duration::from_millis(1500));
        let err = show(&got.stderr);
        let line: usize = err
            .strip_prefix("Runtime error near line ")
            .and_then(|r| r.strip_suffix(": interrupted (9)\n"))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{}: {err:?}", program.display()));
        assert!((4..404).contains(&line), "{err}");
        assert_eq!(got.stdout, b"", "{}", program.display());
        assert_eq!(got.code, Some(1), "{}", program.display());
    }
}
