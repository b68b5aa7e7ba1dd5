//! Output faults (issue 9): a closed pipe, a full device (`/dev/full`) and a small file
//! system that fills up (a tmpfs of 1 MB, `harness::faults::SmallFs`) on every path that
//! writes: stdout, `.output FILE`, `.once FILE`, `.backup`, `.save`, `.snapshot create` (a
//! local repository on the small file system) and `.snapshot restore` (the target on it).
//!
//! Where sqlite3 reports the failure, litesh must say the same words with the same exit
//! code. Where sqlite3 is silent and exits 0 (stdout, `.output`, `.once`), the test first
//! checks that it really is (docs/compat.md lists the difference), then that litesh reports
//! it once and exits 1. In every case litesh leaves no partial destination: no file, or the
//! old complete content.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::harness::faults::SmallFs;
use crate::harness::{litesh, require_sqlite3, run_command, Outcome, Scratch, SQLITE3};

/// A database of about 4 MB: 1,000 rows of 4,000 random bytes.
const BIG: &str = "CREATE TABLE t(a INTEGER PRIMARY KEY, b BLOB);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<1000)
    INSERT INTO t SELECT i, randomblob(4000) FROM n;";

/// A small database, the "old content" of a destination.
const OLD: &str = "CREATE TABLE old(x); INSERT INTO old VALUES('old content');";

const FULL: &str = "Error: cannot write output: No space left on device (os error 28)";

fn outcome(o: std::process::Output) -> Outcome {
    Outcome {
        stdout: o.stdout,
        stderr: o.stderr,
        code: o.status.code(),
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs `program args` inside the small file system's namespace, in its parent directory.
fn run_ns(fs: &SmallFs, program: &Path, args: &[&str], stdin: &[u8]) -> Outcome {
    let mut c = fs.command(program);
    c.args(args)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", "/nonexistent")
        .env("TZ", "UTC");
    run_command(&mut c, stdin)
}

/// Empties the small file system.
fn clear(fs: &SmallFs) {
    for n in fs.names() {
        let _ = std::fs::remove_file(fs.file(&n));
    }
}

fn small(s: &Scratch) -> Option<SmallFs> {
    SmallFs::mount(&s.file("small"), "size=1m", &[], None)
}

/// A scratch directory with `big.db` and `old.db`, and a 1 MB file system at `small/`;
/// `None`: skip.
fn big_old_and_small() -> Option<(Scratch, SmallFs)> {
    if !require_sqlite3() {
        return None;
    }
    let s = Scratch::new();
    s.db("big.db", BIG);
    s.db("old.db", OLD);
    let fs = small(&s)?;
    Some((s, fs))
}

/// sqlite3's answer to `sql` on `name` in the small file system (run inside its namespace:
/// SQLite resolves the `/proc/PID/root` link to a path outside it).
fn ns_query(fs: &SmallFs, name: &str, sql: &str) -> String {
    let db = fs.dir.join(name);
    let o = run_ns(fs, Path::new(SQLITE3), &[db.to_str().unwrap(), sql], b"");
    text(&o.stdout).trim().to_string() + &text(&o.stderr)
}

// ------------------------------------------------------------------------- a closed pipe

/// Reads the first line of `program args` and closes the pipe; with `ignore_sigpipe` the
/// program runs with SIGPIPE ignored (as under `trap '' PIPE`), so it meets EPIPE instead.
fn first_line_then_close(
    program: &Path,
    dir: &Path,
    args: &[&str],
    ignore_sigpipe: bool,
) -> (String, Outcome) {
    let mut c = Command::new("sh");
    let trap = if ignore_sigpipe { "trap '' PIPE; " } else { "" };
    c.arg("-c")
        .arg(format!("{trap}exec \"$0\" \"$@\""))
        .arg(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let o = child.wait_with_output().unwrap();
    (first, outcome(o))
}

/// `litesh … | head -1`: quiet, exit 0. sqlite3 is killed by SIGPIPE (docs/compat.md) and,
/// with SIGPIPE ignored, is as quiet as litesh with exit 0: compared in both settings.
#[test]
fn a_closed_pipe_ends_quietly_like_sqlite3() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    s.db("big.db", BIG);
    let cases: [&[&str]; 4] = [
        &["big.db", ".dump"],
        &["big.db", "SELECT hex(b) FROM t"],
        &["-csv", "big.db", "SELECT a, hex(b) FROM t"],
        &["big.db", ".once stdout", "SELECT hex(b) FROM t"],
    ];
    for args in cases {
        for ignore in [false, true] {
            let (want_first, want) =
                first_line_then_close(Path::new(SQLITE3), s.path(), args, ignore);
            let (got_first, got) = first_line_then_close(&litesh(), s.path(), args, ignore);
            assert_eq!(got_first, want_first, "{args:?}");
            assert_eq!(text(&got.stderr), text(&want.stderr), "{args:?}");
            assert!(got.stderr.is_empty(), "{args:?}: {}", text(&got.stderr));
            assert_eq!(got.code, Some(0), "{args:?}");
            if ignore {
                assert_eq!(want.code, Some(0), "sqlite3 {args:?}, SIGPIPE ignored");
            } else {
                assert_eq!(want.code, None, "sqlite3 {args:?} is killed by SIGPIPE");
            }
        }
    }
}

/// `.output |cmd` and `.once |cmd` whose command stops reading early: what the command
/// printed, then the results after the redirection ends, nothing on stderr, exit 0 —
/// exactly sqlite3 with SIGPIPE ignored (which writes the rest into the closed pipe; without
/// that it is killed). litesh never lets the rest of the redirection's output reach stdout.
#[test]
fn a_closed_output_pipe_drops_the_rest_of_its_output_like_sqlite3() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    s.db("big.db", BIG);
    let cases: [(&[&str], &str); 5] = [
        (
            &["big.db"],
            ".output |head -1\nSELECT hex(b) FROM t;\nSELECT 2;\n.output\nSELECT 3;\n",
        ),
        (
            &["big.db"],
            ".once |head -c 10\nSELECT hex(b) FROM t;\nSELECT 4;\n",
        ),
        (&["big.db"], ".output |head -2\n.dump\n.output\nSELECT 6;\n"),
        (
            &["big.db", ".once |true", "SELECT hex(b) FROM t", "SELECT 5"],
            "",
        ),
        (
            &[
                "big.db",
                ".output |head -c 100",
                ".dump",
                ".output stdout",
                "SELECT 7",
            ],
            "",
        ),
    ];
    for (args, stdin) in cases {
        let mut out = Vec::new();
        for program in [Path::new(SQLITE3), &litesh()] {
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg("trap '' PIPE; exec \"$0\" \"$@\"")
                .arg(program)
                .args(args)
                .current_dir(s.path());
            out.push(run_command(&mut c, stdin.as_bytes()));
        }
        assert_eq!(
            text(&out[1].stdout),
            text(&out[0].stdout),
            "{args:?} {stdin:?}"
        );
        assert_eq!(
            text(&out[1].stderr),
            text(&out[0].stderr),
            "{args:?} {stdin:?}"
        );
        assert_eq!(out[1].code, out[0].code, "{args:?} {stdin:?}");
        assert_eq!(out[1].code, Some(0), "{args:?} {stdin:?}");
    }
}

// ------------------------------------------------------------------------- /dev/full

fn dev_full() -> Option<std::fs::File> {
    match std::fs::OpenOptions::new().write(true).open("/dev/full") {
        Ok(f) => Some(f),
        Err(e) => {
            assert!(
                !crate::harness::in_ci(),
                "/dev/full is required (CI=true): {e}"
            );
            eprintln!("\n!!!!! no /dev/full here, SKIPPED: {e} !!!!!\n");
            None
        }
    }
}

fn run_to(program: &Path, dir: &Path, args: &[&str], stdin: &str, out: Stdio) -> Outcome {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .stdin(Stdio::piped())
        .stdout(out)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut sin = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut sin, stdin.as_bytes()).unwrap();
    drop(sin);
    outcome(child.wait_with_output().unwrap())
}

/// Every output path into `/dev/full`: stdout (command-line SQL, stdin, `.dump`), `.output`
/// and `.once`. sqlite3 exits 0 in silence; litesh reports once for each destination and
/// exits 1.
#[test]
fn a_full_device_on_every_output_path_is_reported_once() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    s.db("big.db", BIG);
    let to_stdout: [(&[&str], &str); 5] = [
        (&["big.db", ".dump"], ""),
        (&["big.db", "SELECT hex(b) FROM t"], ""),
        (&["big.db"], "SELECT hex(b) FROM t;\nSELECT 1;\n"),
        (&["big.db"], ".dump\n"),
        (&["-json", "big.db"], "SELECT a FROM t;\n"),
    ];
    let redirected: [(&[&str], &str); 5] = [
        (&["big.db", ".output /dev/full", ".dump"], ""),
        (&["big.db", ".once /dev/full", "SELECT hex(b) FROM t"], ""),
        (
            &["big.db"],
            ".output /dev/full\nSELECT hex(b) FROM t;\n.output\nSELECT 2;\n",
        ),
        (
            &["big.db"],
            ".once /dev/full\nSELECT a FROM t;\nSELECT 2;\n",
        ),
        (
            &["big.db"],
            ".output /dev/full\n.dump\n.once /dev/full\nSELECT 1;\n",
        ),
    ];
    let mut cases = Vec::new();
    for (args, stdin) in to_stdout {
        cases.push((args, stdin, true));
    }
    for (args, stdin) in redirected {
        cases.push((args, stdin, false));
    }
    if dev_full().is_none() {
        return;
    }
    let out = |on_stdout: bool| {
        if on_stdout {
            Stdio::from(dev_full().expect("/dev/full"))
        } else {
            Stdio::piped()
        }
    };
    for (args, stdin, on_stdout) in cases {
        let want = run_to(Path::new(SQLITE3), s.path(), args, stdin, out(on_stdout));
        let got = run_to(&litesh(), s.path(), args, stdin, out(on_stdout));
        assert_eq!(want.code, Some(0), "sqlite3 {args:?} {stdin:?}");
        assert!(want.stderr.is_empty(), "sqlite3 {args:?} {stdin:?}");
        // Whatever sqlite3 wrote to a stdout that works, litesh writes too.
        assert_eq!(got.stdout, want.stdout, "{args:?} {stdin:?}");
        // Once for each destination that failed (a second `.once /dev/full` is another).
        let places = args
            .iter()
            .chain([&stdin])
            .map(|a| a.matches(" /dev/full").count())
            .sum::<usize>()
            .max(1);
        assert_eq!(
            text(&got.stderr),
            format!("{FULL}\n").repeat(places),
            "{args:?} {stdin:?}"
        );
        assert_eq!(got.code, Some(1), "{args:?} {stdin:?}");
    }
}

/// `.backup` and `.save` into `/dev/full`: sqlite3's words and exit code.
#[test]
fn backup_and_save_into_a_full_device_fail_as_in_sqlite3() {
    if !require_sqlite3() || dev_full().is_none() {
        return;
    }
    for cmd in [
        ".backup /dev/full",
        ".save /dev/full",
        ".backup --async /dev/full",
    ] {
        crate::harness::Case::new(cmd, &["db.db", cmd], "")
            .setup(&|s: &Scratch| s.db("db.db", OLD))
            .check();
    }
}

// ------------------------------------------------------------------------- a small fs

/// Stdout redirected by the shell to a file on a full file system: sqlite3 exits 0 and
/// says nothing; litesh reports it once and exits 1 (the file is the shell's, not litesh's).
#[test]
fn stdout_onto_a_full_file_system() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    s.db("big.db", BIG);
    let Some(fs) = small(&s) else { return };
    let out = fs.dir.join("out.txt");
    for args in [
        &["big.db", ".dump"][..],
        &["big.db", "SELECT hex(b) FROM t"],
    ] {
        for program in [Path::new(SQLITE3), &litesh()] {
            let mut a = vec!["-c", "exec \"$0\" \"$@\" > \"$OUT\""];
            let p = program.display().to_string();
            a.push(&p);
            a.extend(args);
            let mut c = fs.command(Path::new("sh"));
            c.args(&a).env("OUT", &out);
            let o = outcome(c.output().unwrap());
            if program == Path::new(SQLITE3) {
                assert_eq!(o.code, Some(0), "sqlite3 {args:?}");
                assert!(o.stderr.is_empty());
            } else {
                assert_eq!(text(&o.stderr), format!("{FULL}\n"), "{args:?}");
                assert_eq!(o.code, Some(1), "{args:?}");
            }
            clear(&fs);
        }
    }
}

/// `.output FILE` and `.once FILE` onto a file system that fills up: sqlite3 exits 0 and
/// leaves a partial file; litesh reports it, exits 1 and removes the incomplete file.
#[test]
fn output_and_once_files_on_a_full_file_system_leave_no_partial_file() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    s.db("big.db", BIG);
    let Some(fs) = small(&s) else { return };
    let f = fs.dir.join("o.txt");
    let f = f.to_str().unwrap();
    let dot_output = format!(".output {f}");
    let dot_once = format!(".once {f}");
    let piped_output = format!("{dot_output}\nSELECT hex(b) FROM t;\n.output\nSELECT 2;\n");
    let piped_once = format!("{dot_once}\nSELECT hex(b) FROM t;\nSELECT 2;\n");
    let cases: [(Vec<&str>, &str, &[u8]); 4] = [
        (vec!["big.db", &dot_output, ".dump"], "", b""),
        (vec!["big.db", &dot_once, "SELECT hex(b) FROM t"], "", b""),
        (vec!["big.db"], &piped_output, b"2\n"),
        (vec!["big.db"], &piped_once, b"2\n"),
    ];
    for (args, stdin, stdout) in cases {
        let want = run_ns(&fs, Path::new(SQLITE3), &args, stdin.as_bytes());
        assert_eq!(want.code, Some(0), "sqlite3 {args:?}");
        assert!(want.stderr.is_empty(), "sqlite3 {args:?}");
        assert_eq!(fs.names(), ["o.txt"], "sqlite3 leaves the partial file");
        clear(&fs);
        let got = run_ns(&fs, &litesh(), &args, stdin.as_bytes());
        assert_eq!(got.stdout, want.stdout, "{args:?}");
        assert_eq!(got.stdout, stdout, "{args:?}");
        assert_eq!(
            text(&got.stderr),
            format!("{FULL}: {f}: the incomplete file was removed\n"),
            "{args:?}"
        );
        assert_eq!(got.code, Some(1), "{args:?}");
        assert!(fs.names().is_empty(), "{args:?}: {:?}", fs.names());
    }
}

/// `.backup` and `.save` onto a file system that fills up, to a new file and over an old
/// database: sqlite3's words and exit code; litesh leaves no file, or the old database whole
/// with no journal (sqlite3 leaves a partial file and a journal: docs/compat.md).
#[test]
fn backup_and_save_on_a_full_file_system_leave_no_file_or_the_old_one() {
    let Some((s, fs)) = big_old_and_small() else {
        return;
    };
    let dest = fs.dir.join("b.db");
    let dest = dest.to_str().unwrap();
    for cmd in [".backup", ".save", ".backup --async"] {
        for over_old in [false, true] {
            let line = format!("{cmd} {dest}");
            let mut outcomes = Vec::new();
            for program in [Path::new(SQLITE3), &litesh()] {
                if over_old {
                    std::fs::copy(s.file("old.db"), fs.file("b.db")).unwrap();
                }
                outcomes.push(run_ns(&fs, program, &["big.db", &line], b""));
                if program != Path::new(SQLITE3) {
                    continue;
                }
                clear(&fs);
            }
            let (want, got) = (&outcomes[0], &outcomes[1]);
            assert_eq!(
                text(&got.stderr),
                text(&want.stderr),
                "{line} over {over_old}"
            );
            assert_eq!(text(&got.stderr), "Error: database or disk is full\n");
            assert_eq!(got.code, want.code, "{line}");
            if !over_old {
                assert!(fs.names().is_empty(), "{line}: {:?}", fs.names());
            } else if !cmd.contains("async") {
                // --async writes without a journal, as sqlite3's does: nothing to roll back.
                assert_eq!(fs.names(), ["b.db"], "{line}");
                assert_eq!(ns_query(&fs, "b.db", "PRAGMA integrity_check"), "ok");
                assert_eq!(ns_query(&fs, "b.db", "SELECT x FROM old"), "old content");
            }
            clear(&fs);
        }
    }
}

fn litesh_ns(fs: &SmallFs, db: &str, cmd: &str) -> Outcome {
    run_ns(fs, &litesh(), &[db, cmd], b"")
}

/// `.snapshot create` into a local repository on a file system that fills up: an error and
/// exit 1; the repository still verifies, lists only the complete snapshots, and the next
/// create succeeds once there is room again.
#[test]
fn snapshot_create_on_a_full_file_system_keeps_the_repository_valid() {
    let Some((_s, fs)) = big_old_and_small() else {
        return;
    };
    let repo = fs.dir.join("repo");
    let repo = repo.to_str().unwrap();
    let first = litesh_ns(&fs, "old.db", &format!(".snapshot create {repo}"));
    assert_eq!(first.code, Some(0), "{}", text(&first.stderr));
    let id = text(&first.stdout).trim().to_string();
    let o = litesh_ns(&fs, "big.db", &format!(".snapshot create {repo}"));
    let err = text(&o.stderr);
    assert_eq!(o.code, Some(1), "{err}");
    assert!(
        err.starts_with("Error: .snapshot: cannot write ")
            && err.contains("No space left on device"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let l = litesh_ns(&fs, ":memory:", &format!(".snapshot list {repo} --json"));
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&l.stdout).unwrap();
    assert_eq!(listed.len(), 1, "only the complete snapshot: {listed:?}");
    assert_eq!(listed[0]["id"], serde_json::json!(id));
    let v = litesh_ns(&fs, ":memory:", &format!(".snapshot verify {repo} --all"));
    assert_eq!(v.code, Some(0), "{}", text(&v.stderr));
    assert!(!fs.file("repo/locks/writer.json").exists(), "no lock left");
    // Room again: the next create succeeds, and both snapshots verify.
    fs.remount("remount,size=16m");
    let o = litesh_ns(&fs, "big.db", &format!(".snapshot create {repo}"));
    assert_eq!(o.code, Some(0), "{}", text(&o.stderr));
    let v = litesh_ns(&fs, ":memory:", &format!(".snapshot verify {repo} --all"));
    assert_eq!(v.code, Some(0), "{}", text(&v.stderr));
    assert_eq!(
        text(&v.stdout).matches(" ok").count(),
        2,
        "{}",
        text(&v.stdout)
    );
}

/// `.snapshot restore` to a target on a file system that fills up: an error and exit 1,
/// and no file (or the old database, whole) at the target, no temporary file beside it.
#[test]
fn snapshot_restore_onto_a_full_file_system_leaves_no_file_or_the_old_one() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    s.db("big.db", BIG);
    s.db("old.db", OLD);
    let repo = s.file("repo");
    let repo = repo.to_str().unwrap();
    let o = crate::harness::run_in(
        &litesh(),
        s.path(),
        &["big.db", &format!(".snapshot create {repo}")],
        b"",
    );
    assert_eq!(o.code, Some(0), "{}", text(&o.stderr));
    let Some(fs) = small(&s) else { return };
    let target = fs.dir.join("r.db");
    let target = target.to_str().unwrap();
    for over_old in [false, true] {
        if over_old {
            std::fs::copy(s.file("old.db"), fs.file("r.db")).unwrap();
        }
        let o = litesh_ns(
            &fs,
            ":memory:",
            &format!(".snapshot restore {repo} latest {target}"),
        );
        let err = text(&o.stderr);
        assert_eq!(o.code, Some(1), "{err}");
        assert_eq!(
            err,
            "Error: .snapshot: cannot write the restored database: No space left on device (os error 28)\n"
        );
        if over_old {
            assert_eq!(fs.names(), ["r.db"]);
            assert_eq!(ns_query(&fs, "r.db", "SELECT x FROM old"), "old content");
        } else {
            assert!(fs.names().is_empty(), "{:?}", fs.names());
        }
    }
}
