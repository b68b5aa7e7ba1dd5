//! `-readonly` and `-nofollow` against every command that could write the database or
//! open it through a symbolic link, differential against sqlite3 3.40.1: stdout, stderr,
//! the exit code, the names of the files left, and the database's content afterwards
//! (unchanged wherever sqlite3 leaves it unchanged).
//!
//! What sqlite3 allows stays allowed: `.save`/`.backup`/`.clone`/`VACUUM INTO` write other
//! files, temporary tables and `.parameter` live in the temp schema, and `.open FILE`
//! without `--readonly` opens FILE read-write again (the flag belongs to the first open).
//! litesh's own `.snapshot restore` refuses the database the shell has open, whatever the
//! flags (it would replace the file under the open connection).

use std::os::unix::fs::symlink;

use crate::harness::{self, litesh, run_in, show, Case, Scratch};

/// `t.db` with a table, an index and a trigger; `other.db`; a CSV file; a symbolic link
/// `link.db` → `t.db`, `d/l.db` → `../t.db`, and `dl` → `d` (a linked directory).
fn setup(s: &Scratch) {
    s.db(
        "t.db",
        "CREATE TABLE t(a PRIMARY KEY, b);
         INSERT INTO t VALUES(1,'one'),(2,'two');
         CREATE TABLE log(x);
         CREATE TRIGGER tl AFTER INSERT ON t BEGIN INSERT INTO log VALUES(new.a); END;",
    );
    s.db("other.db", "CREATE TABLE o(x); INSERT INTO o VALUES(42);");
    s.write("in.csv", b"x,y\n1,2\n");
    s.write("d/.keep", b"");
    symlink("t.db", s.file("link.db")).unwrap();
    symlink("../t.db", s.file("d/l.db")).unwrap();
    symlink("d", s.file("dl")).unwrap();
}

/// `input` then `SELECT 'after';` with `args`, both programs; t.db and other.db compared.
fn check(name: &str, args: &[&str], input: &str) {
    let stdin = format!("{input}\nSELECT 'after';\n");
    Case::new(name, args, &stdin)
        .setup(&setup)
        .listing()
        .dbs(&["t.db", "other.db"])
        .check();
}

/// Under `-readonly t.db`: what writes the database fails, the rest works, as in sqlite3.
const READONLY_CASES: &[&str] = &[
    "INSERT INTO t VALUES(3,'three');",
    "UPDATE t SET b = 'x';",
    "DELETE FROM t;",
    "CREATE TABLE n(x);",
    "DROP TABLE log;",
    "ALTER TABLE t ADD COLUMN c;",
    "CREATE INDEX ib ON t(b);",
    "PRAGMA user_version = 3;",
    "PRAGMA journal_mode = WAL;",
    "PRAGMA journal_mode = DELETE;",
    "VACUUM;",
    "REINDEX;",
    "ANALYZE;",
    "BEGIN IMMEDIATE;",
    "BEGIN; SELECT count(*) FROM t; COMMIT;",
    "SAVEPOINT s; INSERT INTO t VALUES(4,4); RELEASE s;",
    "CREATE TEMP TABLE tt(x); INSERT INTO tt VALUES(1); SELECT * FROM tt;",
    "VACUUM INTO 'v.db';",
    "SELECT writefile('w.txt', 'x');",
    "ATTACH 'other.db' AS o; INSERT INTO o.o VALUES(1);",
    "ATTACH 'file:t.db?mode=rw' AS w; INSERT INTO w.t VALUES(8,8);",
    "ATTACH 'file:other.db?mode=rwc' AS w; INSERT INTO w.o VALUES(8);",
    "ATTACH 'new.db' AS n; CREATE TABLE n.x(y);",
    ".import in.csv t",
    ".import --csv in.csv newt",
    ".import --csv --skip 1 in.csv log",
    ".restore other.db",
    ".restore main other.db",
    ".clone c.db",
    ".save s.db",
    ".backup b.db",
    ".backup main b.db",
    ".load ./no-such-extension",
    ".parameter set @a 1\n.parameter list",
    ".parameter init",
    ".session open main s\n.session attach t\nINSERT INTO t VALUES(9,9);",
    ".dbconfig defensive on",
    ".dbconfig reset_database on\nVACUUM;",
    ".filectrl reserve_bytes 8",
    ".filectrl persist_wal 1",
    ".filectrl size_limit 1",
    ".selftest --init",
    ".selftest",
    ".sha3sum",
    ".dump",
    ".imposter sqlite_autoindex_t_1 imp",
    ".lint fkey-indexes",
    ".testctrl imposter main 1 1",
    ".open --readonly t.db\nINSERT INTO t VALUES(5,5);",
    ".open t.db\nINSERT INTO t VALUES(6,6);",
    ".open other.db\nINSERT INTO o VALUES(7);",
    ".connection 1\n.open t.db\nINSERT INTO t VALUES(3,3);\n.connection 0\nINSERT INTO t VALUES(4,4);",
];

#[test]
fn readonly_holds_against_every_writing_command_as_in_sqlite3() {
    for (i, c) in READONLY_CASES.iter().enumerate() {
        check(&format!("readonly {i}: {c}"), &["-readonly", "t.db"], c);
    }
}

#[test]
fn readonly_with_sql_arguments_as_in_sqlite3() {
    for args in [
        &["-readonly", "t.db", "INSERT INTO t VALUES(3,3)"][..],
        &["-readonly", "t.db", ".import in.csv t"],
        &["-readonly", "t.db", ".restore other.db", "SELECT 1"],
        &[
            "-readonly",
            "-cmd",
            "PRAGMA user_version=9",
            "t.db",
            "SELECT 1",
        ],
        &["-readonly", "-bail", "t.db"],
    ] {
        check(&format!("{args:?}"), args, "DELETE FROM t;");
    }
}

/// Under `-nofollow DB`: a database reached through a symbolic link is refused.
const NOFOLLOW_CASES: &[&str] = &[
    "SELECT count(*) FROM t;",
    ".tables",
    ".open link.db\nSELECT count(*) FROM t;",
    ".open --nofollow link.db\nSELECT count(*) FROM t;",
    ".open --nofollow d/l.db\nSELECT count(*) FROM t;",
    ".open --nofollow dl/l.db\nSELECT count(*) FROM t;",
    ".open --nofollow t.db\nSELECT count(*) FROM t;",
    "ATTACH 'link.db' AS l; SELECT count(*) FROM l.t;",
    ".backup link.db",
    ".save link.db",
    ".restore link.db",
    ".clone link.db",
];

#[test]
fn nofollow_refuses_linked_databases_as_in_sqlite3() {
    for db in ["t.db", "link.db", "d/l.db", "dl/l.db", "dl/../t.db"] {
        for (i, c) in NOFOLLOW_CASES.iter().enumerate() {
            check(&format!("nofollow {db} {i}: {c}"), &["-nofollow", db], c);
        }
    }
    check(
        "nofollow readonly",
        &["-nofollow", "-readonly", "link.db"],
        "SELECT 1;",
    );
}

#[test]
fn snapshot_restore_never_replaces_the_open_database() {
    // Not even through a link or with the flags off: the file would be replaced under the
    // shell's connection.
    let s = Scratch::new();
    setup(&s);
    let created = run_in(&litesh(), s.path(), &["t.db"], b".snapshot create repo\n");
    assert_eq!(created.code, Some(0), "{created:?}");
    for (args, target) in [
        (&["-readonly", "t.db"][..], "t.db"),
        (&["t.db"], "t.db"),
        (&["t.db"], "link.db"),
        (&["link.db"], "t.db"),
        (&["-readonly", "t.db"], "d/l.db"),
    ] {
        let input = format!("INSERT INTO log VALUES(0);\n.snapshot restore repo latest {target}\n");
        let before = harness::db_content(&s.file("t.db"));
        let out = run_in(&litesh(), s.path(), args, input.as_bytes());
        assert_eq!(out.code, Some(1), "{args:?} {target}: {out:?}");
        assert!(
            show(&out.stderr).contains("is the database this shell has open"),
            "{args:?} {target}: {}",
            show(&out.stderr)
        );
        if args[0] == "-readonly" {
            assert_eq!(harness::db_content(&s.file("t.db")), before);
        }
    }
}
