//! Loading dump scripts: `litesh new.db < dump.sql` against `sqlite3 new.db < dump.sql`,
//! comparing stderr, exit code and the resulting database.

use crate::harness::{litesh, run_in, Case, Scratch, SQLITE3};
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

// ------------------------------------------ dump INSERTs through cached statements (run/bulk.rs)

/// The values sqlite3 3.40.1 and the library read the same way, in every form a dump
/// writes them.
const LITERALS: &str = "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE v(a, b INTEGER, c REAL, d TEXT, e BLOB, f NUMERIC);\nINSERT INTO v VALUES(1,2,3,4,5,6);\nINSERT INTO v VALUES(9223372036854775807,-9223372036854775808,9223372036854775808,-9223372036854775809,123456789012345678901234,-0);\nINSERT INTO v VALUES(1.0e+20,-1.0e+20,1e999,-1e999,-0.0,0.5);\nINSERT INTO v VALUES(100.0,'100.0','12','12',' 12 ','1e3');\nINSERT INTO v VALUES('it''s','a;b','''','',NULL,X'');\nINSERT INTO v VALUES(X'00ff',X'ABCD','x',replace('a\\nb','\\n',char(10)),replace('c\\rd','\\r',char(13)),replace(replace('e\\r\\nf','\\r',char(13)),'\\n',char(10)));\nINSERT INTO v VALUES('é東京',replace('\\\\n','\\n',char(10)),'\"q\"',1.5,2.25,-7);\nSELECT changes(), last_insert_rowid(), total_changes();\nCOMMIT;\nSELECT typeof(a),typeof(b),typeof(c),typeof(d),typeof(e),typeof(f), quote(a), quote(b), quote(d), CASE typeof(e) WHEN 'real' THEN hex(ieee754_to_blob(e)) ELSE quote(e) END FROM v;\n";

#[test]
fn dump_inserts_store_every_literal_form() {
    load("literal forms", &["new.db"], LITERALS.as_bytes());
}

#[test]
fn dump_inserts_into_odd_table_names() {
    load(
        "odd names",
        &["new.db"],
        b"BEGIN;\nCREATE TABLE \"odd \"\"name\"\" t\"(a);\nCREATE TABLE \"\xc3\xa9t\xc3\xa9\"(a, b);\nCREATE TABLE \"values\"(a);\nCREATE TABLE _x1(a);\nINSERT INTO \"odd \"\"name\"\" t\" VALUES(1);\nINSERT INTO \"odd \"\"name\"\" t\" VALUES('two');\nINSERT INTO \"\xc3\xa9t\xc3\xa9\" VALUES(1,2);\nINSERT INTO \"values\" VALUES(3);\nINSERT INTO _x1 VALUES(4);\nINSERT INTO \"odd \"\"name\"\" t\" VALUES(5);\nINSERT INTO \"ODD \"\"NAME\"\" T\" VALUES(6);\nCOMMIT;\nSELECT * FROM \"odd \"\"name\"\" t\";\n",
    );
}

/// Errors the parser reports (with its context lines) and errors of running statements,
/// part-way through a run of INSERTs.
const FAILURES: &str = "BEGIN TRANSACTION;\nCREATE TABLE t(a INTEGER PRIMARY KEY, b NOT NULL, c UNIQUE, CHECK (length(c) < 5));\nINSERT INTO t VALUES(1,'x','a');\nINSERT INTO t VALUES(1,'dup','b');\nINSERT INTO t VALUES(2,NULL,'c');\nINSERT INTO t VALUES(3,'y','a');\nINSERT INTO t VALUES(4,'z','toolong');\nINSERT INTO t VALUES(5,'w');\nINSERT INTO t VALUES(6,'v','d','extra');\nINSERT INTO nosuch VALUES(1);\nINSERT INTO t VALUES(1.5,'u','e');\nINSERT INTO t VALUES('seven','u','e');\nINSERT INTO t VALUES(8,'ok','f');\nINSERT INTO t VALUES(9,'ok','g'\n);\nINSERT INTO t VALUES(10,'ok','h');\nCOMMIT;\nSELECT * FROM t;\n";

#[test]
fn dump_insert_failures_are_reported_as_sqlite3_does() {
    load("insert failures", &["new.db"], FAILURES.as_bytes());
}

#[test]
fn dump_insert_failures_with_bail() {
    load(
        "insert failures bail",
        &["-bail", "new.db"],
        FAILURES.as_bytes(),
    );
}

#[test]
fn dump_insert_failure_with_bail_outside_a_transaction() {
    load(
        "insert failure bail autocommit",
        &["-bail", "new.db"],
        b"CREATE TABLE t(a UNIQUE);\nINSERT INTO t VALUES(1);\nINSERT INTO t VALUES(2);\nINSERT INTO t VALUES(1);\nINSERT INTO t VALUES(3);\n",
    );
}

#[test]
fn dump_inserts_after_the_table_changes() {
    load(
        "table recreated",
        &["new.db"],
        b"CREATE TABLE t(a, b);\nINSERT INTO t VALUES(1,2);\nINSERT INTO t VALUES(3,4);\nDROP TABLE t;\nCREATE TABLE t(a, b, c);\nINSERT INTO t VALUES(5,6);\nINSERT INTO t VALUES(5,6,7);\nALTER TABLE t ADD COLUMN d;\nINSERT INTO t VALUES(8,9,10);\nINSERT INTO t VALUES(8,9,10,11);\nALTER TABLE t RENAME TO u;\nINSERT INTO t VALUES(1,2,3,4);\nINSERT INTO u VALUES(1,2,3,4);\nSELECT * FROM u;\n",
    );
}

#[test]
fn dump_inserts_with_constraints_that_roll_back_or_fail() {
    load(
        "conflict clauses",
        &["new.db"],
        b"CREATE TABLE r(a UNIQUE ON CONFLICT ROLLBACK);\nCREATE TABLE f(a UNIQUE ON CONFLICT FAIL);\nCREATE TABLE i(a UNIQUE ON CONFLICT IGNORE);\nCREATE TABLE log(x);\nCREATE TRIGGER fl BEFORE INSERT ON f BEGIN INSERT INTO log VALUES(new.a); END;\nBEGIN;\nINSERT INTO i VALUES(1);\nINSERT INTO i VALUES(1);\nINSERT INTO f VALUES(1);\nINSERT INTO f VALUES(1);\nINSERT INTO r VALUES(1);\nINSERT INTO r VALUES(1);\nINSERT INTO r VALUES(2);\nCOMMIT;\nSELECT * FROM log;\nSELECT * FROM r;\nSELECT * FROM i;\nSELECT changes(), total_changes();\n",
    );
}

#[test]
fn dump_inserts_through_views_strict_tables_and_foreign_keys() {
    load(
        "views strict fk",
        &["new.db"],
        b"PRAGMA foreign_keys=ON;\nCREATE TABLE p(id INTEGER PRIMARY KEY);\nCREATE TABLE c(pid REFERENCES p(id));\nCREATE TABLE s(a INTEGER, b TEXT) STRICT;\nCREATE TABLE base(x, y);\nCREATE VIEW vw AS SELECT x, y FROM base;\nCREATE TRIGGER vi INSTEAD OF INSERT ON vw BEGIN INSERT INTO base VALUES(new.x * 2, typeof(new.y)); END;\nINSERT INTO p VALUES(1);\nINSERT INTO c VALUES(1);\nINSERT INTO c VALUES(2);\nINSERT INTO s VALUES(1,'a');\nINSERT INTO s VALUES('x','b');\nINSERT INTO s VALUES(2,3);\nINSERT INTO s VALUES(2.0,'c');\nINSERT INTO vw VALUES(21,1.5);\nINSERT INTO vw VALUES(-1,X'00');\nSELECT * FROM base;\nSELECT * FROM s;\nSELECT changes(), last_insert_rowid();\n",
    );
}

#[test]
fn dump_read_with_dot_read() {
    let dump = dump_of(VARIED, ".dump");
    let setup = move |s: &Scratch| s.write("dump.sql", &dump);
    Case::new(
        "dot read",
        &["new.db"],
        ".read dump.sql\nSELECT count(*) FROM t;\n",
    )
    .setup(&setup)
    .dbs(&["new.db"])
    .check();
    let failing = |s: &Scratch| s.write("dump.sql", FAILURES.as_bytes());
    Case::new(
        "dot read failures",
        &["new.db"],
        "SELECT 1;\n.read dump.sql\nSELECT 2;\n",
    )
    .setup(&failing)
    .dbs(&["new.db"])
    .check();
}

#[test]
fn dump_inserts_with_settings_that_observe_statements() {
    // With these on, every INSERT goes through the parser, as in sqlite3.
    let inserts = "CREATE TABLE t(a UNIQUE);\nINSERT INTO t VALUES(1);\nINSERT INTO t VALUES(2);\nINSERT INTO t VALUES(2);\n";
    for setting in [
        ".changes on",
        ".echo on",
        ".trace stdout",
        ".parameter set :x 1",
        ".eqp on",
        ".auth on",
        ".scanstats on",
    ] {
        let script = format!("{setting}\n{inserts}SELECT * FROM t;\n");
        Case::new(setting, &["new.db"], &script)
            .dbs(&["new.db"])
            .check();
    }
}

#[test]
fn dump_inserts_consume_a_pending_once() {
    Case::new(
        "once",
        &["new.db"],
        ".once out.txt\nCREATE TABLE t(a);\nINSERT INTO t VALUES(1);\n.once out2.txt\nINSERT INTO t VALUES(2);\nSELECT * FROM t;\n",
    )
    .files(&["out.txt", "out2.txt"])
    .dbs(&["new.db"])
    .check();
}

#[test]
fn dump_inserts_under_log_show_their_own_sql() {
    // The error log quotes the statement: with `.log` on, INSERTs go through the parser and
    // the log shows the line's own text (the log's wording is the library's, docs/compat.md).
    let s = Scratch::new();
    let o = run_in(
        &litesh(),
        s.path(),
        &[],
        b"CREATE TABLE t(a UNIQUE);\n.log stdout\nINSERT INTO t VALUES(1);\nINSERT INTO t VALUES(1);\n",
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("[INSERT INTO t VALUES(1);]"), "{out}");
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "Runtime error near line 4: UNIQUE constraint failed: t.a (19)\n"
    );
}
