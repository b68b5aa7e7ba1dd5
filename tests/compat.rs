//! The deliberate differences of docs/compat.md, asserted on litesh alone: where sqlite3
//! exits 0 after a failure, litesh keeps the same stdout but reports and exits non-zero.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::harness::{litesh, Scratch};

#[test]
fn a_full_disk_on_stdout_is_reported_once_and_exits_1() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
    let Ok(full) = full else {
        eprintln!("no /dev/full here; nothing to test");
        return;
    };
    let s = Scratch::new();
    s.fixture("example.db");
    let out = Command::new(litesh())
        .current_dir(s.path())
        .args(["example.db", ".dump"])
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("No space left on device").count(), 1, "{err}");
}

#[test]
fn a_broken_pipe_ends_quietly_with_0() {
    let s = Scratch::new();
    s.db(
        "big.db",
        "CREATE TABLE t(x); INSERT INTO t SELECT randomblob(200) FROM generate_series(1,20000);",
    );
    let mut child = Command::new(litesh())
        .current_dir(s.path())
        .args(["big.db", ".dump"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is gone now: litesh meets a broken pipe on its next writes.
    let out = child.wait_with_output().unwrap();
    assert_eq!(first, "PRAGMA foreign_keys=OFF;\n");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
