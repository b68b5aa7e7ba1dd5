//! Loading dump scripts: `litesh new.db < dump.sql` against `sqlite3 new.db < dump.sql`,
//! comparing stderr, exit code and the resulting database.

use crate::harness::{run_in, Case, Scratch, SQLITE3};
use std::path::Path;

/// The text `sqlite3 src.db .dump OPTS` writes for a database built from `sql`.
fn dump_of(sql: &str, dot: &str) -> Vec<u8> {
    let s = Scratch::new();
    s.db("src.db", sql);
    let out = run_in(Path::new(SQLITE3), s.path(), &["src.db", dot], b"");
    assert_eq!(out.code, Some(0), "{out:?}");
    out.stdout
}

/// Loads `script` into `new.db` with both programs.
fn load(name: &str, args: &[&str], script: &[u8]) {
    Case::new(name, args, "")
        .stdin_bytes(script)
        .dbs(&["new.db"])
        .check();
}

/// Loads `script` into a `new.db` that already holds `existing`.
fn load_into(name: &str, existing: &'static str, script: &[u8]) {
    let setup = move |s: &Scratch| s.db("new.db", existing);
    Case::new(name, &["new.db"], "")
        .stdin_bytes(script)
        .setup(&setup)
        .dbs(&["new.db"])
        .check();
}

const VARIED: &str = "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c REAL, d BLOB, e);\nINSERT INTO t VALUES(1,'x',1.5,x'00ff',NULL),(2,'multi'||char(10)||'line'||char(13),-0.25,x'',9223372036854775807),(3,'it''s',1e300,zeroblob(4),-9223372036854775808);\nCREATE TABLE w(k TEXT PRIMARY KEY, v ANY) STRICT, WITHOUT ROWID;\nINSERT INTO w VALUES('a',1),('b','two'),('c',3.5);\nCREATE INDEX tb ON t(b) WHERE b IS NOT NULL;\nCREATE VIEW tv AS SELECT a, b FROM t;\nCREATE TRIGGER tt AFTER DELETE ON t BEGIN INSERT INTO w VALUES(old.b, old.a); END;\n";

#[test]
fn load_dump_of_varied_database() {
    load("varied", &["new.db"], &dump_of(VARIED, ".dump"));
}

#[test]
fn load_dump_with_bail() {
    load(
        "varied bail",
        &["-bail", "new.db"],
        &dump_of(VARIED, ".dump"),
    );
}

#[test]
fn load_dump_with_autoincrement() {
    let sql = "CREATE TABLE a(id INTEGER PRIMARY KEY AUTOINCREMENT, v);\nINSERT INTO a(v) VALUES(1),(2),(3);\nDELETE FROM a WHERE id=3;\n";
    load("autoinc", &["new.db"], &dump_of(sql, ".dump"));
}

#[test]
fn load_dump_with_fts5() {
    let sql = "CREATE VIRTUAL TABLE f USING fts5(a, b);\nINSERT INTO f VALUES('hello world','x'),('more text','y');\n";
    load("fts5", &["new.db"], &dump_of(sql, ".dump"));
}

#[test]
fn load_dump_with_fts4() {
    let sql =
        "CREATE VIRTUAL TABLE f USING fts4(a);\nINSERT INTO f VALUES('hello world'),('more');\n";
    load("fts4", &["new.db"], &dump_of(sql, ".dump"));
}

#[test]
fn load_dump_with_rtree() {
    let sql = "CREATE VIRTUAL TABLE r USING rtree(id, x0, x1);\nINSERT INTO r VALUES(1, 0, 10),(2, -3.5, 4);\n";
    load("rtree", &["new.db"], &dump_of(sql, ".dump"));
}

#[test]
fn load_dump_of_analyzed_database() {
    let sql = "CREATE TABLE t(a);\nCREATE INDEX ta ON t(a);\nINSERT INTO t VALUES(1),(1),(2);\nANALYZE;\n";
    load("analyze", &["new.db"], &dump_of(sql, ".dump"));
}

#[test]
fn load_dump_with_generated_columns() {
    let sql =
        "CREATE TABLE g(a, b AS (a*2), c AS (a||'!') STORED);\nINSERT INTO g(a) VALUES(1),(2);\n";
    load("generated", &["new.db"], &dump_of(sql, ".dump"));
}

#[test]
fn load_dump_with_invalid_utf8_and_controls() {
    let sql = "CREATE TABLE v(x);\nINSERT INTO v VALUES(CAST(x'ff41' AS TEXT)),('a'||char(1,9,27)||'b'),('lit \\n'||char(10));\n";
    load("utf8", &["new.db"], &dump_of(sql, ".dump"));
}

#[test]
fn load_dump_with_reals() {
    let sql = "CREATE TABLE r(x);\nINSERT INTO r VALUES(0.1),(1.0/3),(1e308),(-1e-300),(1e999),(-1e999),(1e18),(2.5);\n";
    load("reals", &["new.db"], &dump_of(sql, ".dump"));
}

#[test]
fn load_preserve_rowids_dump() {
    let sql = "CREATE TABLE t(a);\nINSERT INTO t VALUES(1),(2),(3);\nDELETE FROM t WHERE a=2;\n";
    load(
        "preserve",
        &["new.db"],
        &dump_of(sql, ".dump --preserve-rowids"),
    );
}

#[test]
fn load_newlines_dump() {
    let sql = "CREATE TABLE t(a);\nINSERT INTO t VALUES('x'||char(10)||'y'||char(13)||'z');\n";
    load("newlines", &["new.db"], &dump_of(sql, ".dump --newlines"));
}

#[test]
fn load_data_only_dump_into_existing_schema() {
    let sql = "CREATE TABLE t(a, b);\nINSERT INTO t VALUES(1,2),(3,4);\n";
    load_into(
        "data only",
        "CREATE TABLE t(a, b);\n",
        &dump_of(sql, ".dump --data-only"),
    );
}

#[test]
fn load_dump_into_database_with_same_table() {
    let sql = "CREATE TABLE t(a);\nINSERT INTO t VALUES(1);\nCREATE TABLE u(b);\nINSERT INTO u VALUES(2);\n";
    load_into(
        "existing",
        "CREATE TABLE t(a);\nINSERT INTO t VALUES(99);\n",
        &dump_of(sql, ".dump"),
    );
}

#[test]
fn load_dump_into_database_with_same_table_bail() {
    let sql = "CREATE TABLE t(a);\nINSERT INTO t VALUES(1);\nCREATE TABLE u(b);\n";
    let setup = |s: &Scratch| s.db("new.db", "CREATE TABLE t(a);\nINSERT INTO t VALUES(99);\n");
    Case::new("existing bail", &["-bail", "new.db"], "")
        .stdin_bytes(&dump_of(sql, ".dump"))
        .setup(&setup)
        .dbs(&["new.db"])
        .check();
}

// ---------------------------------------------------------------- scripts that fail part-way

const SYNTAX_MID: &str = "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t(a);\nINSERT INTO t VALUES(1);\nINSERT INTO t VALUES(2;\nINSERT INTO t VALUES(3);\nCOMMIT;\n";

#[test]
fn syntax_error_mid_transaction_continues() {
    load("syntax mid", &["new.db"], SYNTAX_MID.as_bytes());
}

#[test]
fn syntax_error_mid_transaction_with_bail_rolls_back() {
    load(
        "syntax mid bail",
        &["-bail", "new.db"],
        SYNTAX_MID.as_bytes(),
    );
}

const CONSTRAINT_MID: &str = "BEGIN TRANSACTION;\nCREATE TABLE t(a PRIMARY KEY, b NOT NULL);\nINSERT INTO t VALUES(1,'x');\nINSERT INTO t VALUES(1,'dup');\nINSERT INTO t VALUES(2,NULL);\nINSERT INTO t VALUES(3,'z');\nCOMMIT;\n";

#[test]
fn constraint_violation_mid_transaction_continues() {
    load("constraint mid", &["new.db"], CONSTRAINT_MID.as_bytes());
}

#[test]
fn constraint_violation_mid_transaction_with_bail() {
    load(
        "constraint mid bail",
        &["-bail", "new.db"],
        CONSTRAINT_MID.as_bytes(),
    );
}

#[test]
fn missing_table_after_failed_create() {
    load(
        "failed create",
        &["new.db"],
        b"BEGIN;\nCREATE TABLE t(a,);\nINSERT INTO t VALUES(1);\nCREATE TABLE u(b);\nINSERT INTO u VALUES(2);\nCOMMIT;\n",
    );
}

#[test]
fn truncated_dump_without_commit_is_rolled_back() {
    load(
        "no commit",
        &["new.db"],
        b"PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t(a);\nINSERT INTO t VALUES(1);\n",
    );
}

#[test]
fn truncated_dump_mid_statement() {
    load(
        "mid statement",
        &["new.db"],
        b"BEGIN TRANSACTION;\nCREATE TABLE t(a);\nINSERT INTO t VALUES(1);\nCOMMIT;\nINSERT INTO t VALUES('unterminated",
    );
}

#[test]
fn dump_with_error_marker_rolls_back() {
    load(
        "rollback marker",
        &["new.db"],
        b"PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t(a);\nINSERT INTO t VALUES(1);\n/****** CORRUPTION ERROR *******/\nROLLBACK; -- due to errors\n",
    );
}

#[test]
fn commit_without_transaction_error() {
    load(
        "commit no txn",
        &["new.db"],
        b"CREATE TABLE t(a);\nCOMMIT;\nINSERT INTO t VALUES(1);\n",
    );
}

#[test]
fn runtime_error_outside_transaction_keeps_earlier_rows() {
    load(
        "autocommit",
        &["new.db"],
        b"CREATE TABLE t(a UNIQUE);\nINSERT INTO t VALUES(1);\nINSERT INTO t VALUES(1);\nINSERT INTO t VALUES(2);\n",
    );
}

#[test]
fn runtime_error_outside_transaction_with_bail() {
    load(
        "autocommit bail",
        &["-bail", "new.db"],
        b"CREATE TABLE t(a UNIQUE);\nINSERT INTO t VALUES(1);\nINSERT INTO t VALUES(1);\nINSERT INTO t VALUES(2);\n",
    );
}

#[test]
fn writable_schema_script_for_virtual_table() {
    load(
        "writable schema",
        &["new.db"],
        b"PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nPRAGMA writable_schema=ON;\nINSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','f','f',0,'CREATE VIRTUAL TABLE f USING fts5(x)');\nCREATE TABLE IF NOT EXISTS 'f_data'(id INTEGER PRIMARY KEY, block BLOB);\nINSERT INTO f_data VALUES(1,X'');\nINSERT INTO f_data VALUES(10,X'00000000000000');\nCREATE TABLE IF NOT EXISTS 'f_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;\nCREATE TABLE IF NOT EXISTS 'f_content'(id INTEGER PRIMARY KEY, c0);\nCREATE TABLE IF NOT EXISTS 'f_docsize'(id INTEGER PRIMARY KEY, sz BLOB);\nCREATE TABLE IF NOT EXISTS 'f_config'(k PRIMARY KEY, v) WITHOUT ROWID;\nINSERT INTO f_config VALUES('version',4);\nPRAGMA writable_schema=OFF;\nCOMMIT;\nINSERT INTO f VALUES('after load');\n",
    );
}

#[test]
fn load_into_readonly_database_fails() {
    let setup = |s: &Scratch| s.db("new.db", "CREATE TABLE t(a);\n");
    Case::new("readonly load", &["-readonly", "new.db"], "")
        .stdin_bytes(b"BEGIN;\nINSERT INTO t VALUES(1);\nCOMMIT;\n")
        .setup(&setup)
        .dbs(&["new.db"])
        .check();
}
