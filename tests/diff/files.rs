//! The files litesh creates on its own: who may read them, and that a symbolic link or a
//! file planted at their (predictable) names is never written through.
//!
//! - `.backup`/`.save` write `.NAME.litesh-PID.tmp` beside NAME: the finished copy has the
//!   mode sqlite3's `.backup` gives it (compared with sqlite3's under two umasks); a link
//!   planted at the temporary name (the child's pid is known once it is started, before it
//!   reads the command) is removed, not followed, and its target is untouched; a directory
//!   planted there makes the backup fail with a message naming it.
//! - `.snapshot restore` writes `.NAME.litesh-restore-PID`: the same planted link makes it
//!   fail clearly, the target of the link untouched; the restored file gets the same mode
//!   as a database sqlite3 creates.
//! - A local snapshot repository: every file 0600, every directory 0700, and a link planted
//!   in its `tmp/` at the next temporary name is never written through.
//! - `edit()` hands the editor a new, owner-only file with a random name, and removes it.
//! - `.verify` creates and changes nothing: not for a WAL database (with and without its
//!   `-wal` file), a database with a hot journal, or a dump that tries to attach, vacuum
//!   into or write files.
//!
//! The terminal's files (history, settings, the `.edit` file) are checked in
//! `tests/pty/files.rs`.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::harness::{self, listing, litesh, run_in, show, Scratch, SQLITE3};

/// The content planted links point to.
const PRECIOUS: &[u8] = b"precious\n";

fn source(s: &Scratch) {
    s.db(
        "t.db",
        "CREATE TABLE t(a, b); INSERT INTO t VALUES(1, 'one'), (2, randomblob(5000));",
    );
}

/// Starts litesh on `t.db` in `dir`, lets `plant` see its pid before it reads anything,
/// then feeds it `input`. Returns (stdout, stderr, exit code).
fn with_pid(dir: &Path, input: &str, plant: impl FnOnce(u32)) -> (String, String, Option<i32>) {
    let mut child = Command::new(litesh())
        .arg("t.db")
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start litesh");
    plant(child.id());
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (show(&out.stdout), show(&out.stderr), out.status.code())
}

fn mode(p: &Path) -> u32 {
    fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
}

/// Runs `program ARGS` in `dir` under `umask`, through `sh` (the umask is the child's).
fn under_umask(program: &Path, dir: &Path, umask: &str, args: &[&str]) -> std::process::Output {
    Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
        .arg(program)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", dir)
        .output()
        .expect("sh")
}

#[test]
fn a_backup_gets_the_mode_sqlite3_gives_it() {
    if !harness::require_sqlite3() {
        return;
    }
    for umask in ["022", "027", "077"] {
        let s = Scratch::new();
        source(&s);
        for (program, name) in [
            (Path::new(SQLITE3), "by-sqlite3.db"),
            (&litesh(), "by-litesh.db"),
        ] {
            let o = under_umask(
                program,
                s.path(),
                umask,
                &["t.db", &format!(".backup {name}")],
            );
            assert!(o.status.success(), "{}", show(&o.stderr));
        }
        let s3 = s.file("by-sqlite3.db");
        let ls = s.file("by-litesh.db");
        assert_eq!(mode(&ls), mode(&s3), "umask {umask}");
        // And a restored snapshot is created like a database sqlite3 makes.
        let o = under_umask(
            &litesh(),
            s.path(),
            umask,
            &[
                "t.db",
                ".snapshot create repo",
                ".snapshot restore repo latest restored.db",
            ],
        );
        assert!(o.status.success(), "{}", show(&o.stderr));
        assert_eq!(mode(&s.file("restored.db")), mode(&s3), "umask {umask}");
    }
}

#[test]
fn a_link_planted_at_the_backups_temporary_name_is_not_followed() {
    let s = Scratch::new();
    source(&s);
    s.write("victim", PRECIOUS);
    let (out, err, code) = with_pid(s.path(), ".backup b.db\nSELECT 'done';\n", |pid| {
        symlink(s.file("victim"), s.file(&format!(".b.db.litesh-{pid}.tmp"))).unwrap();
    });
    assert_eq!((out.as_str(), err.as_str(), code), ("done\n", "", Some(0)));
    assert_eq!(fs::read(s.file("victim")).unwrap(), PRECIOUS);
    assert_eq!(
        harness::db_content(&s.file("b.db")),
        harness::db_content(&s.file("t.db"))
    );
    let left: Vec<String> = listing(s.path())
        .into_iter()
        .filter(|f| f.contains("litesh-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_directory_planted_at_the_backups_temporary_name_fails_the_backup_clearly() {
    let s = Scratch::new();
    source(&s);
    let mut tmp = String::new();
    let (_, err, code) = with_pid(s.path(), ".backup b.db\n", |pid| {
        tmp = format!(".b.db.litesh-{pid}.tmp");
        fs::create_dir(s.file(&tmp)).unwrap();
        fs::write(s.file(&format!("{tmp}/inside")), PRECIOUS).unwrap();
    });
    assert_eq!(code, Some(1));
    assert!(
        err.starts_with(&format!("Error: cannot create {tmp}: File exists")),
        "{err}"
    );
    assert!(!s.file("b.db").exists());
    assert_eq!(
        fs::read(s.file(&format!("{tmp}/inside"))).unwrap(),
        PRECIOUS
    );
}

#[test]
fn a_link_planted_at_the_restores_temporary_name_fails_it_clearly() {
    let s = Scratch::new();
    source(&s);
    s.write("victim", PRECIOUS);
    let made = run_in(&litesh(), s.path(), &["t.db"], b".snapshot create repo\n");
    assert_eq!(made.code, Some(0), "{}", show(&made.stderr));
    let mut tmp = String::new();
    let (_, err, code) = with_pid(s.path(), ".snapshot restore repo latest r.db\n", |pid| {
        tmp = format!(".r.db.litesh-{pid}.tmp");
        symlink(s.file("victim"), s.file(&tmp)).unwrap();
    });
    assert_eq!(code, Some(1));
    assert!(
        err.contains(&format!("cannot create {tmp}: File exists")),
        "{err}"
    );
    assert_eq!(fs::read(s.file("victim")).unwrap(), PRECIOUS);
    assert!(!s.file("r.db").exists());
}

/// Every file under `dir` is 0600 and every directory 0700 (links are not expected).
fn assert_private(dir: &Path) {
    assert_eq!(mode(dir), 0o700, "{}", dir.display());
    for e in fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let t = e.file_type().unwrap();
        assert!(!t.is_symlink(), "{}", p.display());
        if t.is_dir() {
            assert_private(&p);
        } else {
            assert_eq!(mode(&p), 0o600, "{}", p.display());
        }
    }
}

#[test]
fn a_local_repository_is_readable_by_its_owner_only() {
    let s = Scratch::new();
    source(&s);
    let o = run_in(
        &litesh(),
        s.path(),
        &["t.db"],
        b".snapshot create repo\nINSERT INTO t VALUES(3, randomblob(70000));\n.snapshot create repo --tag two\n.snapshot verify repo --all\n.snapshot prune repo --keep-last 1\n",
    );
    assert_eq!(o.code, Some(0), "{}", show(&o.stderr));
    assert_private(&s.file("repo"));
}

#[test]
fn a_link_planted_in_the_repositorys_tmp_is_not_written_through() {
    let s = Scratch::new();
    source(&s);
    let made = run_in(&litesh(), s.path(), &["t.db"], b".snapshot create repo\n");
    assert_eq!(made.code, Some(0), "{}", show(&made.stderr));
    s.write("victim", PRECIOUS);
    let (out, err, code) = with_pid(
        s.path(),
        "INSERT INTO t VALUES(9, 'nine');\n.snapshot create repo\n",
        |pid| {
            for n in 0..8 {
                let p = s.file(&format!("repo/tmp/.tmp-{pid}-{n}"));
                symlink(s.file("victim"), p).unwrap();
            }
        },
    );
    assert_eq!(fs::read(s.file("victim")).unwrap(), PRECIOUS);
    // The first temporary name is taken: the snapshot fails, saying which file.
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(err.contains("File exists"), "{err}");
}

/// Runs `sql` (then `SELECT 'ready';`) in sqlite3 on `path` and kills it with SIGKILL
/// once it has answered, leaving whatever side files it had open.
fn killed_writer(path: &Path, sql: &str) {
    let mut w = Command::new(SQLITE3)
        .arg(path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = w.stdin.take().unwrap();
    stdin
        .write_all(format!("{sql}\nSELECT 'ready';\n").as_bytes())
        .unwrap();
    let mut line = String::new();
    let mut out = std::io::BufReader::new(w.stdout.take().unwrap());
    while !line.contains("ready") {
        line.clear();
        assert!(std::io::BufRead::read_line(&mut out, &mut line).unwrap() > 0);
    }
    w.kill().unwrap();
    w.wait().unwrap();
}

/// Name, size, inode and modification time of every file below `dir`.
fn stamps(dir: &Path) -> Vec<(String, u64, u64, i64, i64)> {
    listing(dir)
        .into_iter()
        .map(|f| {
            let m = fs::symlink_metadata(dir.join(&f)).unwrap();
            (f, m.len(), m.ino(), m.mtime(), m.mtime_nsec())
        })
        .collect()
}

#[test]
fn verify_creates_and_changes_nothing() {
    let s = Scratch::new();
    source(&s);
    s.db(
        "wal.db",
        "PRAGMA journal_mode=WAL; CREATE TABLE w(x); INSERT INTO w VALUES(1);",
    );
    s.db("plain.db", "CREATE TABLE p(x); INSERT INTO p VALUES(1);");
    s.write(
        "evil.sql",
        b"ATTACH 'attached.db' AS a;\nCREATE TABLE a.x(y);\nVACUUM INTO 'vacuumed.db';\n\
          SELECT writefile('written.txt', 'x');\n.output out.txt\n.shell touch shelled\n\
          PRAGMA temp_store_directory='.';\nCREATE TABLE z(q);\n",
    );
    // WAL databases whose last transaction is only in the -wal (the writer was killed),
    // with the -shm and without it; a database with a hot journal (killed mid-way).
    const WAL_WRITER: &str = "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; \
                              CREATE TABLE l(x); INSERT INTO l VALUES(1);";
    killed_writer(&s.file("live.db"), WAL_WRITER);
    assert!(s.file("live.db-wal").exists() && s.file("live.db-shm").exists());
    killed_writer(&s.file("noshm.db"), WAL_WRITER);
    fs::remove_file(s.file("noshm.db-shm")).unwrap();
    killed_writer(
        &s.file("hot.db"),
        "CREATE TABLE h(x); INSERT INTO h VALUES(randomblob(100)); PRAGMA cache_size=1; \
         BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<2000) \
         INSERT INTO h SELECT randomblob(500) FROM n;",
    );
    assert!(s.file("hot.db-journal").exists());
    let before = stamps(s.path());
    let contents: Vec<Vec<u8>> = listing(s.path())
        .iter()
        .filter(|f| !f.ends_with('/'))
        .map(|f| fs::read(s.file(f)).unwrap())
        .collect();
    let mut verdicts = Vec::new();
    for file in [
        "t.db", "wal.db", "plain.db", "live.db", "noshm.db", "hot.db", "evil.sql",
    ] {
        for extra in [&[][..], &["--json"], &["--against"]] {
            let mut line = format!(".verify {file}");
            for e in extra {
                line.push(' ');
                line.push_str(e);
            }
            let o = run_in(&litesh(), s.path(), &["-readonly", "t.db"], line.as_bytes());
            assert!(matches!(o.code, Some(0 | 1)), "{line}: {}", show(&o.stderr));
            if extra.is_empty() {
                verdicts.push(format!(
                    "{file}: {}",
                    show(&o.stdout).lines().last().unwrap_or("")
                ));
            }
        }
    }
    let after: Vec<_> = stamps(s.path())
        .into_iter()
        .filter(|(f, ..)| f != ".home/")
        .collect();
    let before: Vec<_> = before.into_iter().filter(|(f, ..)| f != ".home/").collect();
    assert_eq!(after, before);
    let now: Vec<Vec<u8>> = listing(s.path())
        .iter()
        .filter(|f| !f.ends_with('/'))
        .map(|f| fs::read(s.file(f)).unwrap())
        .collect();
    assert!(now == contents, "a file's bytes changed");
    // And the verdicts are right: the killed writers' last commits are read back, the hot
    // journal's transaction is rolled back (as the next open of the file would), the dump
    // fails.
    let want = [
        "t.db: ok: t.db is a sound database (1 table, 2 rows)",
        "wal.db: ok: wal.db is a sound database (1 table, 1 row)",
        "plain.db: ok: plain.db is a sound database (1 table, 1 row)",
        "live.db: ok: live.db is a sound database (1 table, 1 row)",
        "noshm.db: ok: noshm.db is a sound database (1 table, 1 row)",
    ];
    assert_eq!(&verdicts[..want.len()], want);
    assert_eq!(
        verdicts[5],
        "hot.db: ok: hot.db is a sound database (1 table, 1 row)"
    );
    assert!(verdicts[6].starts_with("evil.sql: FAILED"), "{verdicts:?}");
}

#[test]
fn the_edit_functions_file_is_private_and_removed() {
    let s = Scratch::new();
    source(&s);
    fs::create_dir(s.file("tmp")).unwrap();
    s.write(
        "ed.sh",
        b"#!/bin/sh\nstat -c '%a %n' \"$1\" >> seen\ncat \"$1\" >> seen\necho >> seen\nprintf 'edited' > \"$1\"\n",
    );
    fs::set_permissions(s.file("ed.sh"), fs::Permissions::from_mode(0o755)).unwrap();
    let tmp = s.file("tmp");
    let o = crate::harness::run_in_env(
        &litesh(),
        s.path(),
        &["t.db"],
        b"SELECT edit('secret one', './ed.sh');\nSELECT edit('secret two', './ed.sh');\n",
        &[("TMPDIR", tmp.to_str().unwrap())],
    );
    assert_eq!(show(&o.stdout), "edited\nedited\n", "{}", show(&o.stderr));
    let seen = fs::read_to_string(s.file("seen")).unwrap();
    let lines: Vec<&str> = seen.lines().collect();
    assert_eq!(lines.len(), 4, "{seen}");
    let prefix = format!("600 {}/etilqs_", tmp.display());
    assert!(
        lines[0].starts_with(&prefix) && lines[2].starts_with(&prefix),
        "{seen}"
    );
    assert_ne!(lines[0], lines[2], "a fresh name each time");
    assert_eq!((lines[1], lines[3]), ("secret one", "secret two"));
    assert_eq!(fs::read_dir(&tmp).unwrap().count(), 0, "left behind");
}
