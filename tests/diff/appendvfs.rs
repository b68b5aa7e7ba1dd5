//! The append VFS (`-append`, `.open --append`, `.backup --append`, `apndvfs` in `.vfslist`)
//! against sqlite3 3.40.1: the same outputs, and files either program can read and write.
//!
//! Appended files are compared byte for byte, except the four bytes of the database header
//! that name the library version which last wrote it (offset 96 of the database), which
//! differ between 3.40.1 and litesh's library by design. The cases of SQLite's own
//! `avfs.test` that run through the shell (4.1–4.3, in their form without `.archive`, and
//! 5.1–5.2 through a `vfs=apndvfs` URI) are here too.

use std::fs;
use std::path::Path;

use crate::harness::{litesh, require_sqlite3, run_in, show, Case, Outcome, Scratch, SQLITE3};

const TRAILER: &[u8] = b"Start-Of-SQLite3-";

/// `n` bytes that look like an executable: an ELF-like start, then pseudo-random bytes.
fn host_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut v = b"\x7fELF\x02\x01\x01\0".to_vec();
    while v.len() < n {
        // xorshift64
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.push((x >> 24) as u8);
    }
    v.truncate(n);
    v
}

/// The database offset a trailer names, if the file ends with one.
fn trailer_offset(bytes: &[u8]) -> Option<u64> {
    let t = bytes.get(bytes.len().checked_sub(25)?..)?;
    if !t.starts_with(TRAILER) {
        return None;
    }
    Some(u64::from_be_bytes(t[17..25].try_into().unwrap()))
}

/// The file's bytes with the header's library-version field (offset 96 of the database)
/// blanked, for files that both programs wrote.
fn masked(path: &Path) -> Vec<u8> {
    let mut b = fs::read(path).unwrap_or_default();
    let start = trailer_offset(&b).unwrap_or(0) as usize;
    if b.len() >= start + 100 && b[start..].starts_with(b"SQLite format 3\0") {
        b[start + 96..start + 100].fill(0);
    }
    b
}

fn run(program: &Path, dir: &Path, args: &[&str], stdin: &str) -> Outcome {
    run_in(program, dir, args, stdin.as_bytes())
}

fn sqlite3() -> &'static Path {
    Path::new(SQLITE3)
}

fn assert_ok(what: &str, o: &Outcome) {
    assert!(
        o.code == Some(0) && o.stderr.is_empty(),
        "{what}: exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.code,
        show(&o.stdout),
        show(&o.stderr)
    );
}

/// Both programs run `steps` (arguments, stdin) in order, each in its own directory set up
/// by `setup`; every step's outcome and then each named file (version field masked) must be
/// the same.
fn same_steps(name: &str, setup: &dyn Fn(&Scratch), steps: &[(&[&str], &str)], files: &[&str]) {
    if !require_sqlite3() {
        return;
    }
    let a = Scratch::new();
    let b = Scratch::new();
    setup(&a);
    setup(&b);
    for (i, (args, stdin)) in steps.iter().enumerate() {
        let want = run(sqlite3(), a.path(), args, stdin);
        let got = run(&litesh(), b.path(), args, stdin);
        assert!(
            want == got,
            "{name}, step {i} {args:?} {stdin:?}:\n--- sqlite3: exit {:?}\n{}\n{}\n--- litesh: exit {:?}\n{}\n{}",
            want.code,
            show(&want.stdout),
            show(&want.stderr),
            got.code,
            show(&got.stdout),
            show(&got.stderr)
        );
    }
    for f in files {
        let (x, y) = (masked(&a.file(f)), masked(&b.file(f)));
        assert!(
            x == y,
            "{name}: file {f} differs (sqlite3 {} bytes, trailer {:?}; litesh {} bytes, trailer {:?})",
            x.len(),
            trailer_offset(&x),
            y.len(),
            trailer_offset(&y)
        );
    }
}

fn text_host(s: &Scratch) {
    s.write(
        "host.txt",
        b"Just some text,\nand more text,\nending at 3 lines.\n",
    );
}

fn exe_host(s: &Scratch) {
    s.write("prog", &host_bytes(10_000, 7));
}

const FILL: &str = "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c BLOB);
INSERT INTO t(b, c) SELECT 'row ' || value, zeroblob(value % 300) FROM generate_series(1, 400);
CREATE INDEX tb ON t(b);
";

#[test]
fn vfslist_shows_apndvfs_after_the_library_vfses() {
    Case::new("vfslist", &[":memory:", ".vfslist"], "").check();
    // `-vfs` first: the append VFS wraps the VFS chosen as the default.
    Case::new(
        "vfslist memdb",
        &["-vfs", "memdb", ":memory:", ".vfslist"],
        "",
    )
    .check();
    Case::new(
        "vfslist dotfile",
        &["-vfs", "unix-dotfile", ":memory:", ".vfslist"],
        "",
    )
    .check();
}

#[test]
fn vfsinfo_and_vfsname_of_an_appended_database() {
    same_steps(
        "vfsinfo",
        &text_host,
        &[
            (
                &["-append", "host.txt"],
                "CREATE TABLE t(a);\n.vfsinfo\n.vfsname\n",
            ),
            (&["host.txt"], ".vfsname\n.vfsinfo\n"),
            (
                &[":memory:"],
                ".open --append host.txt\n.vfsname\n.vfsinfo main\n",
            ),
        ],
        &["host.txt"],
    );
}

#[test]
fn append_to_a_text_file_and_an_executable() {
    for (setup, file) in [
        (&text_host as &dyn Fn(&Scratch), "host.txt"),
        (&exe_host as &dyn Fn(&Scratch), "prog"),
    ] {
        same_steps(
            file,
            setup,
            &[
                (&["-append", file], FILL),
                (
                    &["-append", file],
                    "SELECT count(*), sum(length(c)) FROM t;\nPRAGMA integrity_check;\n",
                ),
                // Opened without -append, the file's trailer chooses the VFS.
                (&[file], "SELECT count(*) FROM t;\n.vfsname\n"),
                (
                    &[
                        file,
                        "DELETE FROM t WHERE a % 3 = 0",
                        "VACUUM",
                        "PRAGMA integrity_check",
                    ],
                    "",
                ),
                (&["-append", file, "SELECT count(*) FROM t"], ""),
                (&["-readonly", file], "SELECT count(*) FROM t;\n"),
            ],
            &[file],
        );
    }
}

#[test]
fn appended_files_cross_between_sqlite3_and_litesh() {
    if !require_sqlite3() {
        return;
    }
    for (writer, reader) in [
        (sqlite3().to_path_buf(), litesh()),
        (litesh(), sqlite3().to_path_buf()),
    ] {
        let s = Scratch::new();
        let host = host_bytes(5_000, 11);
        s.write("prog", &host);
        assert_ok(
            "create",
            &run(&writer, s.path(), &["-append", "prog"], FILL),
        );
        // The other program reads it, writes to it (growing it by many pages), and shrinks it.
        let o = run(
            &reader,
            s.path(),
            &["-append", "prog"],
            "SELECT count(*) FROM t;\nINSERT INTO t(b, c) SELECT 'more', randomblob(1500) FROM generate_series(1, 300);\nPRAGMA integrity_check;\n",
        );
        assert_ok("grow", &o);
        assert_eq!(
            show(&o.stdout),
            "400\nok\n",
            "{reader:?} read what {writer:?} wrote"
        );
        let grown = fs::metadata(s.file("prog")).unwrap().len();
        let o = run(
            &reader,
            s.path(),
            &["prog"],
            "DELETE FROM t WHERE b = 'more';\nVACUUM;\nPRAGMA integrity_check;\n",
        );
        assert_ok("shrink", &o);
        let shrunk = fs::metadata(s.file("prog")).unwrap().len();
        assert!(
            shrunk * 5 < grown,
            "VACUUM shrank the file: {grown} -> {shrunk}"
        );
        // And the first program still reads it whole.
        let o = run(
            &writer,
            s.path(),
            &["-append", "prog"],
            "PRAGMA integrity_check;\nSELECT count(*), sum(length(c)) FROM t;\n",
        );
        assert_ok("reread", &o);
        let blob_bytes: u32 = (1..=400).map(|v| v % 300).sum();
        assert_eq!(show(&o.stdout), format!("ok\n400|{blob_bytes}\n"));
        // The host file's bytes are untouched; the database sits at the next 4096 boundary.
        let bytes = fs::read(s.file("prog")).unwrap();
        assert_eq!(&bytes[..host.len()], &host[..], "host bytes changed");
        assert_eq!(trailer_offset(&bytes), Some(8192));
        assert!(bytes[host.len()..8192].iter().all(|b| *b == 0));
        assert_eq!((bytes.len() - 25) % 512, 0);
    }
}

#[test]
fn open_append_on_new_and_empty_files() {
    let empty = |s: &Scratch| s.write("empty.db", b"");
    same_steps(
        "open --append",
        &empty,
        &[
            (
                &[":memory:"],
                ".open --append empty.db\nCREATE TABLE x(y);\nINSERT INTO x VALUES(1);\n.vfsname\n.open --append new.db\nCREATE TABLE z(q);\n.vfsname\n.open -append new.db\nSELECT * FROM z;\n",
            ),
            (&["-append", "new2.db", "CREATE TABLE a(b)"], ""),
            (&["empty.db", "SELECT * FROM x"], ""),
            (&["new2.db", ".vfsname"], ""),
        ],
        &["empty.db", "new.db", "new2.db"],
    );
}

#[test]
fn append_on_a_plain_database_uses_it_as_it_is() {
    let plain = |s: &Scratch| s.db("plain.db", "CREATE TABLE p(x); INSERT INTO p VALUES(5);");
    same_steps(
        "plain",
        &plain,
        &[
            (
                &["-append", "plain.db"],
                "SELECT * FROM p;\n.vfsname\nINSERT INTO p VALUES(6);\n",
            ),
            (&["plain.db", "SELECT * FROM p"], ""),
            (
                &[":memory:"],
                ".open --append plain.db\nINSERT INTO p VALUES(7);\nSELECT count(*) FROM p;\n",
            ),
        ],
        &["plain.db"],
    );
}

#[test]
fn backup_append() {
    let setup = |s: &Scratch| {
        s.db(
            "src.db",
            "CREATE TABLE p(x); INSERT INTO p VALUES(5),('five');",
        );
        s.write("host", b"HOSTDATA");
        s.write("prog", &host_bytes(3000, 3));
        s.db("other.db", "CREATE TABLE o(y);");
    };
    same_steps(
        "backup --append",
        &setup,
        &[
            (&["src.db", ".backup --append host"], ""),
            (&["src.db", ".backup --append host"], ""),
            (&["src.db"], ".backup -append prog\n.backup main --append new.db\n.backup --append --async new2.db\n"),
            (&["src.db", ".backup --append other.db"], ""),
            (&["src.db", ".backup --append"], ""),
            (&["src.db", ".backup -ap x"], ""),
            (&["-append", "host", "SELECT * FROM p"], ""),
            (&["prog", "SELECT * FROM p"], ""),
            (&["other.db", "SELECT * FROM p"], ""),
            (&["new.db", ".vfsname"], ""),
            // From an appended database to a plain file: its pages, not the host's bytes.
            (&["prog", ".backup plain.db"], ""),
            (&["plain.db", "SELECT * FROM p", ".vfsname"], ""),
        ],
        &["host", "prog", "new.db", "new2.db", "other.db", "plain.db"],
    );
}

#[test]
fn backup_append_with_verify_checks_the_appended_copy() {
    let s = Scratch::new();
    if !require_sqlite3() {
        return;
    }
    s.db(
        "src.db",
        "CREATE TABLE p(x); INSERT INTO p VALUES(1),(2),(3);",
    );
    s.write("prog", &host_bytes(100, 5));
    let o = run(
        &litesh(),
        s.path(),
        &["src.db", ".backup --append --verify prog"],
        "",
    );
    assert_eq!(o.code, Some(0), "{}", show(&o.stderr));
    assert!(
        show(&o.stderr).starts_with("verify: ok: prog matches main"),
        "{}",
        show(&o.stderr)
    );
    let o = run(sqlite3(), s.path(), &["prog", "SELECT sum(x) FROM p"], "");
    assert_eq!(show(&o.stdout), "6\n");
    assert_eq!(
        trailer_offset(&fs::read(s.file("prog")).unwrap()),
        Some(4096)
    );
}

#[test]
fn readonly_and_append() {
    let setup = |s: &Scratch| {
        text_host(s);
        let o = run(
            sqlite3(),
            s.path(),
            &["-append", "host.txt"],
            "CREATE TABLE t(a); INSERT INTO t VALUES(1);",
        );
        assert_ok("setup", &o);
    };
    same_steps(
        "readonly",
        &setup,
        &[
            // The last of the two options wins, as in 3.40.1.
            (&["-readonly", "-append", "host.txt"], "SELECT * FROM t;\nINSERT INTO t VALUES(2);\n"),
            (&["-append", "-readonly", "host.txt"], "SELECT * FROM t;\n"),
            (&["-readonly", "host.txt"], "SELECT * FROM t;\n"),
            (&[":memory:"], ".open --append --readonly host.txt\nSELECT * FROM t;\n.open --readonly --append host.txt\nSELECT count(*) FROM t;\n"),
            (&[":memory:"], ".open 'file:host.txt?mode=ro&vfs=apndvfs'\nSELECT count(*) FROM t;\nINSERT INTO t VALUES(3);\n"),
        ],
        &["host.txt"],
    );
}

/// SQLite's avfs.test 4.1–4.3, in the form it takes for a shell without `.archive`.
#[test]
fn avfs_test_shell_cases() {
    let init = |s: &Scratch| {
        s.write(
            "sh_app1.sql",
            b"pragma page_size=512;\ncreate table sqlar (a);\n.tables\n.q\n",
        );
        s.write("text.adb", b"Some text.\n");
        s.write("empty.adb", b"");
        s.write(
            "sh_app2.sql",
            b"insert into sqlar values (1);\n.mode list\nselect count(*) from sqlar;\n.q\n",
        );
    };
    same_steps(
        "avfs 4.x",
        &init,
        &[
            (
                &["-append", "-batch", "-init", "sh_app1.sql", "text.adb"],
                "",
            ),
            (
                &["-append", "-batch", "-init", "sh_app1.sql", "empty.adb"],
                "",
            ),
            (
                &["-append", "-batch", "-init", "sh_app2.sql", "empty.adb"],
                "",
            ),
            (
                &[":memory:"],
                ".open 'file:empty.adb?mode=rw&vfs=apndvfs'\nSELECT count(*) FROM sqlar;\n",
            ),
        ],
        &["text.adb", "empty.adb"],
    );
}

/// SQLite's avfs.test 5.1–5.2: a trailer that promises less than one page is refused.
#[test]
fn too_small_appended_databases_are_refused() {
    let fakes = |s: &Scratch| {
        let mut a = b"SQLite format 3\0Start-Of-SQLite3-".to_vec();
        a.extend_from_slice(&0u64.to_be_bytes());
        s.write("fake1", &a);
        let mut b = b"Dog ate my homework.\nSQLite format 3\0Start-Of-SQLite3-".to_vec();
        b.extend_from_slice(&21u64.to_be_bytes());
        s.write("fake2", &b);
    };
    same_steps(
        "tiny",
        &fakes,
        &[
            (
                &[":memory:"],
                ".open 'file:fake1?mode=rw&vfs=apndvfs'\nSELECT 1;\n",
            ),
            (
                &[":memory:"],
                ".open 'file:fake2?mode=rw&vfs=apndvfs'\nSELECT 1;\n",
            ),
            (&["fake2", "SELECT count(*) FROM sqlite_schema"], ""),
            (
                &["-append", "fake1", "SELECT count(*) FROM sqlite_schema"],
                "",
            ),
        ],
        &["fake1", "fake2"],
    );
}

/// A trailer at the end of a file that does not hold a database where it points: opened
/// through the VFS as a new database (with leave to create) or refused.
#[test]
fn damaged_trailers() {
    let bad = |s: &Scratch| {
        let mut v = host_bytes(4096 + 512, 9);
        v.extend_from_slice(TRAILER);
        v.extend_from_slice(&4096u64.to_be_bytes());
        s.write("badhdr", &v);
        let mut w = host_bytes(1000, 9);
        w.extend_from_slice(TRAILER);
        w.extend_from_slice(&77u64.to_be_bytes());
        s.write("oddsize", &w);
    };
    same_steps(
        "damaged trailers",
        &bad,
        &[
            (&["badhdr", "SELECT count(*) FROM sqlite_schema"], ""),
            (&["-append", "oddsize", "CREATE TABLE t(a)"], ""),
            (
                &[":memory:"],
                ".open 'file:badhdr?mode=ro&vfs=apndvfs'\nSELECT 1 FROM sqlite_schema;\n",
            ),
        ],
        &["badhdr", "oddsize"],
    );
}

#[test]
fn snapshot_and_verify_of_an_appended_database() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    s.write("prog", &host_bytes(6000, 13));
    assert_ok(
        "create",
        &run(sqlite3(), s.path(), &["-append", "prog"], FILL),
    );
    let o = run(&litesh(), s.path(), &["prog", ".snapshot create repo"], "");
    assert_ok("snapshot", &o);
    let o = run(
        &litesh(),
        s.path(),
        &["prog", ".snapshot restore repo latest r.db"],
        "",
    );
    assert_eq!(o.code, Some(0), "{}", show(&o.stderr));
    let want = run(sqlite3(), s.path(), &["prog", ".dump"], "");
    let got = run(sqlite3(), s.path(), &["r.db", ".dump"], "");
    assert_eq!(
        show(&got.stdout),
        show(&want.stdout),
        "the restored copy holds the appended database"
    );
    let o = run(&litesh(), s.path(), &["prog", ".verify r.db --against"], "");
    assert_eq!(o.code, Some(0), "{}", show(&o.stderr));
}
