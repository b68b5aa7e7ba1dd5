//! `.dump`: byte-identical output (REALs compared by value), options, patterns, and
//! round trips through a fresh database.

use crate::harness::{run_in, Case, Scratch, SQLITE3};
use std::path::Path;

/// Dumps `d.db` built from `sql` with `.dump ARGS`, comparing stdout (reals by value).
fn dump(name: &str, sql: &str, dot: &str) {
    let setup = move |s: &Scratch| s.db("d.db", sql);
    Case::new(name, &["d.db", dot], "")
        .setup(&setup)
        .reals()
        .check();
}

// ---------------------------------------------------------------- table kinds

#[test]
fn dump_rowid_table() {
    dump(
        "rowid",
        "CREATE TABLE t(a INTEGER, b TEXT, c REAL, d BLOB, e);\nINSERT INTO t VALUES(1,'x',1.5,x'00ff',NULL),(2,'y',-2.25,x'',3);\n",
        ".dump",
    );
}

#[test]
fn dump_without_rowid_table() {
    dump(
        "without rowid",
        "CREATE TABLE w(k TEXT PRIMARY KEY, v) WITHOUT ROWID;\nINSERT INTO w VALUES('b',2),('a',1),('c',NULL);\n",
        ".dump",
    );
}

#[test]
fn dump_strict_table() {
    dump(
        "strict",
        "CREATE TABLE s(a INTEGER, b TEXT, c ANY) STRICT;\nINSERT INTO s VALUES(1,'t',2.5),(2,NULL,x'01');\n",
        ".dump",
    );
}

#[test]
fn dump_generated_columns() {
    dump(
        "generated",
        "CREATE TABLE g(a INT, b INT GENERATED ALWAYS AS (a*2) VIRTUAL, c TEXT AS (a || 'x') STORED, d);\nINSERT INTO g(a,d) VALUES(1,'p'),(2,'q');\n",
        ".dump",
    );
}

#[test]
fn dump_autoincrement_with_rows() {
    dump(
        "autoinc",
        "CREATE TABLE a(id INTEGER PRIMARY KEY AUTOINCREMENT, v);\nINSERT INTO a(v) VALUES('x'),('y');\nDELETE FROM a WHERE v='y';\n",
        ".dump",
    );
}

#[test]
fn dump_autoincrement_empty_sequence() {
    dump(
        "autoinc empty",
        "CREATE TABLE a(id INTEGER PRIMARY KEY AUTOINCREMENT, v);\nINSERT INTO a(v) VALUES('x');\nDELETE FROM sqlite_sequence;\nDELETE FROM a;\n",
        ".dump",
    );
}

#[test]
fn dump_two_autoincrement_tables() {
    dump(
        "autoinc two",
        "CREATE TABLE a(id INTEGER PRIMARY KEY AUTOINCREMENT, v);\nCREATE TABLE b(id INTEGER PRIMARY KEY AUTOINCREMENT, v);\nINSERT INTO b(v) VALUES(1),(2),(3);\nINSERT INTO a(v) VALUES(1);\n",
        ".dump",
    );
}

#[test]
fn dump_indexes_partial_and_expression() {
    dump(
        "indexes",
        "CREATE TABLE t(a, b, c);\nCREATE INDEX ta ON t(a);\nCREATE UNIQUE INDEX tb ON t(b DESC, c COLLATE NOCASE);\nCREATE INDEX tp ON t(c) WHERE c IS NOT NULL;\nCREATE INDEX te ON t(lower(b), a+1);\nINSERT INTO t VALUES(1,'B','c'),(2,'a',NULL);\n",
        ".dump",
    );
}

#[test]
fn dump_views() {
    dump(
        "views",
        "CREATE TABLE t(a);\nINSERT INTO t VALUES(1);\nCREATE VIEW v1 AS SELECT a*2 AS d FROM t;\nCREATE VIEW \"v 2\"(x) AS SELECT d FROM v1 WHERE d > 0;\n",
        ".dump",
    );
}

#[test]
fn dump_triggers() {
    dump(
        "triggers",
        "CREATE TABLE t(a);\nCREATE TABLE log(x, y);\nCREATE TRIGGER tr1 AFTER INSERT ON t BEGIN INSERT INTO log VALUES('ins', new.a); END;\nCREATE TRIGGER tr2 BEFORE DELETE ON t WHEN old.a > 5 BEGIN\n  INSERT INTO log VALUES('del;', old.a);\nEND;\nINSERT INTO t VALUES(1),(9);\n",
        ".dump",
    );
}

#[test]
fn dump_schema_order_mixed_objects() {
    dump(
        "order",
        "CREATE TABLE z(a);\nCREATE INDEX zi ON z(a);\nCREATE VIEW zv AS SELECT * FROM z;\nCREATE TABLE a(b);\nCREATE TRIGGER at AFTER INSERT ON a BEGIN SELECT 1; END;\nCREATE INDEX ai ON a(b);\nINSERT INTO z VALUES(1);\nINSERT INTO a VALUES(2);\n",
        ".dump",
    );
}

#[test]
fn dump_constraints_defaults_and_comments() {
    dump(
        "constraints",
        "CREATE TABLE p(id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'x' CHECK(length(name) < 10), -- a comment\n  ts DEFAULT CURRENT_TIMESTAMP, r REAL DEFAULT 1.5 /* block */, UNIQUE(name, ts));\nCREATE TABLE c(pid REFERENCES p(id) ON DELETE CASCADE, v);\nINSERT INTO p(id,name,ts) VALUES(1,'a','2020');\nINSERT INTO c VALUES(1,'v');\n",
        ".dump",
    );
}

// ---------------------------------------------------------------- virtual tables

#[test]
fn dump_fts5_table() {
    dump(
        "fts5",
        "CREATE VIRTUAL TABLE f USING fts5(title, body);\nINSERT INTO f VALUES('hello','world of text'),('second','row');\n",
        ".dump",
    );
}

#[test]
fn dump_fts4_table() {
    dump(
        "fts4",
        "CREATE VIRTUAL TABLE f USING fts4(content);\nINSERT INTO f VALUES('alpha beta'),('gamma');\n",
        ".dump",
    );
}

#[test]
fn dump_rtree_table() {
    dump(
        "rtree",
        "CREATE VIRTUAL TABLE r USING rtree(id, minx, maxx, miny, maxy);\nINSERT INTO r VALUES(1, 0, 1, 0, 1),(2, -5.5, 3, 2, 8);\n",
        ".dump",
    );
}

#[test]
fn dump_virtual_table_between_ordinary_tables() {
    dump(
        "vtab middle",
        "CREATE TABLE a(x);\nCREATE VIRTUAL TABLE f USING fts5(y);\nCREATE TABLE b(z);\nINSERT INTO a VALUES(1);\nINSERT INTO b VALUES(2);\nINSERT INTO f VALUES('w');\n",
        ".dump",
    );
}

// ---------------------------------------------------------------- identifiers

#[test]
fn dump_odd_identifiers() {
    dump(
        "identifiers",
        "CREATE TABLE \"a\"\"b\"(\"c\"\"d\", [e f]);\nCREATE TABLE 'sq''t'(x);\nCREATE TABLE \"select\"(\"order\", \"from\");\nCREATE TABLE \"ünï\"(\"ç\");\nCREATE TABLE \"1abc\"(\"2x\");\nCREATE TABLE \"with space\"(\"col space\");\nCREATE TABLE `back`(`q`);\nINSERT INTO \"a\"\"b\" VALUES(1,2);\nINSERT INTO \"select\" VALUES(3,4);\nINSERT INTO \"ünï\" VALUES('é');\nINSERT INTO \"1abc\" VALUES(5);\nINSERT INTO \"with space\" VALUES(6);\nINSERT INTO 'sq''t' VALUES(7);\nINSERT INTO back VALUES(8);\n",
        ".dump",
    );
}

#[test]
fn dump_keyword_named_table_with_index_and_trigger() {
    dump(
        "keyword objs",
        "CREATE TABLE \"table\"(\"index\");\nCREATE INDEX \"where\" ON \"table\"(\"index\");\nCREATE TRIGGER \"trigger\" AFTER INSERT ON \"table\" BEGIN SELECT 1; END;\nINSERT INTO \"table\" VALUES(1);\n",
        ".dump",
    );
}

// ---------------------------------------------------------------- values

#[test]
fn dump_every_storage_class() {
    dump(
        "storage classes",
        "CREATE TABLE v(x);\nINSERT INTO v VALUES(NULL),(0),(-1),(42),(3.25),('text'),(''),(x'cafe'),(x'');\n",
        ".dump",
    );
}

#[test]
fn dump_text_with_newlines_and_cr() {
    dump(
        "newlines",
        "CREATE TABLE v(x);\nINSERT INTO v VALUES('a'||char(10)||'b'),('c'||char(13)||'d'),('e'||char(13,10)||'f'),(char(10)),(char(10,10,13));\n",
        ".dump",
    );
}

#[test]
fn dump_text_with_tabs_controls_and_quotes() {
    dump(
        "controls",
        "CREATE TABLE v(x);\nINSERT INTO v VALUES('tab'||char(9)||'x'),('ctl'||char(1,2,27,127)),('it''s'),('\"dq\"'),('back\\slash');\n",
        ".dump",
    );
}

#[test]
fn dump_text_with_literal_backslash_n_changes_marker() {
    dump(
        "marker",
        "CREATE TABLE v(x);\nINSERT INTO v VALUES('lit \\n here'||char(10)||'x'),('both \\n \\r'||char(10,13)),('\\012'||char(10));\n",
        ".dump",
    );
}

#[test]
fn dump_invalid_utf8_text() {
    dump(
        "invalid utf8",
        "CREATE TABLE v(x);\nINSERT INTO v VALUES(CAST(x'ff41' AS TEXT)),(CAST(x'c328' AS TEXT)),(CAST(x'41e282' AS TEXT));\n",
        ".dump",
    );
}

#[test]
fn dump_blobs_empty_and_large() {
    dump(
        "blobs",
        "CREATE TABLE b(x);\nINSERT INTO b VALUES(x''),(zeroblob(3)),(x'ac'),(x'000102fdfeff');\nINSERT INTO b SELECT CAST(printf('%.*c', 5000, 'z') AS BLOB);\n",
        ".dump",
    );
}

#[test]
fn dump_nulls_everywhere() {
    dump(
        "nulls",
        "CREATE TABLE n(a, b, c);\nINSERT INTO n VALUES(NULL,NULL,NULL),(1,NULL,'x');\n",
        ".dump",
    );
}

#[test]
fn dump_integer_extremes() {
    dump(
        "int extremes",
        "CREATE TABLE i(x);\nINSERT INTO i VALUES(9223372036854775807),(-9223372036854775808),(0),(-1),(2147483648),(-2147483649),(281474976710656);\n",
        ".dump",
    );
}

#[test]
fn dump_real_extremes() {
    dump(
        "real extremes",
        "CREATE TABLE r(x);\nINSERT INTO r VALUES(1e308),(-1e308),(1.7976931348623157e308),(2.2250738585072014e-308),(4.9406564584124654e-324),(1e-310),(1e999),(-1e999),(-0.0),(0.0),(1e18),(9223372036854775808.0),(-9223372036854775808.0),(1e15),(1e16),(123456789012345678.0),(0.1),(1.0/3),(-2.5e-7),(100.0);\n",
        ".dump",
    );
}

#[test]
fn dump_real_in_integer_affinity_column() {
    dump(
        "affinity",
        "CREATE TABLE r(i INTEGER, n NUMERIC, t TEXT);\nINSERT INTO r VALUES(1.0, 2.0, 3.0),(1.5, '2.50', 4),(1e20, 1e20, 1e20);\n",
        ".dump",
    );
}

// ---------------------------------------------------------------- options

#[test]
fn dump_data_only() {
    dump(
        "data only",
        "CREATE TABLE t(a);\nCREATE INDEX ti ON t(a);\nCREATE VIEW v AS SELECT 1;\nINSERT INTO t VALUES(1),('x');\nCREATE TABLE u(b);\nINSERT INTO u VALUES(2);\n",
        ".dump --data-only",
    );
}

#[test]
fn dump_data_only_sqlite_sequence_without_delete() {
    dump(
        "data only seq",
        "CREATE TABLE t(a);\nINSERT INTO t VALUES(1),('x');\nCREATE TABLE a(id INTEGER PRIMARY KEY AUTOINCREMENT);\nINSERT INTO a VALUES(NULL);\n",
        ".dump --data-only",
    );
}

#[test]
fn dump_data_only_single_dash() {
    dump(
        "data only 1",
        "CREATE TABLE t(a);\nINSERT INTO t VALUES(1);\n",
        ".dump -data-only",
    );
}

#[test]
fn dump_newlines_option() {
    dump(
        "newlines opt",
        "CREATE TABLE v(x);\nINSERT INTO v VALUES('a'||char(10)||'b'),('c'||char(13)||'d');\n",
        ".dump --newlines",
    );
}

#[test]
fn dump_nosys_option() {
    dump(
        "nosys",
        "CREATE TABLE a(id INTEGER PRIMARY KEY AUTOINCREMENT, v);\nINSERT INTO a(v) VALUES(1);\nCREATE TABLE t(x);\nCREATE INDEX ti ON t(x);\nINSERT INTO t VALUES(1),(2);\nANALYZE;\n",
        ".dump --nosys",
    );
}

#[test]
fn dump_preserve_rowids_rowid_table() {
    dump(
        "preserve rowid",
        "CREATE TABLE t(a, b);\nINSERT INTO t VALUES(1,2),(3,4),(5,6);\nDELETE FROM t WHERE a=3;\nINSERT INTO t(rowid,a,b) VALUES(100,7,8);\n",
        ".dump --preserve-rowids",
    );
}

#[test]
fn dump_preserve_rowids_integer_primary_key() {
    dump(
        "preserve ipk",
        "CREATE TABLE t(id INTEGER PRIMARY KEY, v);\nINSERT INTO t VALUES(5,'a'),(10,'b');\n",
        ".dump --preserve-rowids",
    );
}

#[test]
fn dump_preserve_rowids_without_rowid() {
    dump(
        "preserve wr",
        "CREATE TABLE w(k PRIMARY KEY, v) WITHOUT ROWID;\nINSERT INTO w VALUES(2,'b'),(1,'a');\n",
        ".dump --preserve-rowids",
    );
}

#[test]
fn dump_preserve_rowids_column_named_rowid() {
    dump(
        "preserve rowid col",
        "CREATE TABLE t(rowid, a);\nINSERT INTO t VALUES('r1', 1),('r2', 2);\nCREATE TABLE u(rowid, _rowid_, oid, b);\nINSERT INTO u VALUES(1,2,3,4);\n",
        ".dump --preserve-rowids",
    );
}

#[test]
fn dump_all_options_together() {
    dump(
        "all options",
        "CREATE TABLE t(a);\nINSERT INTO t VALUES('x'||char(10)||'y');\n",
        ".dump --preserve-rowids --newlines --nosys --data-only",
    );
}

#[test]
fn dump_unknown_option() {
    dump("unknown option", "CREATE TABLE t(a);\n", ".dump --bogus");
}

// ---------------------------------------------------------------- patterns

const MANY: &str = "CREATE TABLE t1(a);\nCREATE TABLE t2(b);\nCREATE TABLE other(c);\nCREATE INDEX t1i ON t1(a);\nCREATE VIEW tv AS SELECT * FROM other;\nCREATE TRIGGER ot AFTER INSERT ON other BEGIN SELECT 1; END;\nINSERT INTO t1 VALUES(1);\nINSERT INTO t2 VALUES(2);\nINSERT INTO other VALUES(3);\nCREATE VIRTUAL TABLE ft USING fts5(x);\nINSERT INTO ft VALUES('hello');\n";

#[test]
fn dump_like_pattern() {
    dump("pattern t%", MANY, ".dump t%");
}

#[test]
fn dump_exact_table_name() {
    dump("pattern exact", MANY, ".dump other");
}

#[test]
fn dump_two_patterns() {
    dump("two patterns", MANY, ".dump t1 other");
}

#[test]
fn dump_pattern_is_case_insensitive() {
    dump("pattern case", MANY, ".dump T1");
}

#[test]
fn dump_pattern_matching_fts_table_dumps_shadow_tables() {
    dump("pattern fts", MANY, ".dump ft");
}

#[test]
fn dump_pattern_matching_nothing() {
    dump("pattern none", MANY, ".dump nosuch");
}

#[test]
fn dump_pattern_with_data_only() {
    dump("pattern data", MANY, ".dump --data-only t%");
}

#[test]
fn dump_pattern_underscore_wildcard() {
    dump("pattern _", MANY, ".dump t_");
}

// ---------------------------------------------------------------- special databases

#[test]
fn dump_analyzed_database() {
    dump(
        "analyze",
        "CREATE TABLE t(a, b);\nCREATE INDEX ta ON t(a);\nINSERT INTO t VALUES(1,2),(1,3),(2,4);\nANALYZE;\n",
        ".dump",
    );
}

#[test]
fn dump_empty_database_file() {
    dump("empty db", "", ".dump");
}

#[test]
fn dump_in_memory_database() {
    Case::new(
        "memory dump",
        &[],
        "CREATE TABLE m(x);\nINSERT INTO m VALUES(1.5),('a');\n.dump\n",
    )
    .reals()
    .check();
}

#[test]
fn dump_with_foreign_keys_enabled_still_writes_off() {
    Case::new(
        "fk pragma",
        &[],
        "PRAGMA foreign_keys=ON;\nCREATE TABLE p(id PRIMARY KEY);\nCREATE TABLE c(x REFERENCES p);\n.dump\n",
    )
    .check();
}

#[test]
fn dump_ignores_separator_nullvalue_and_headers() {
    let setup = |s: &Scratch| {
        s.db(
            "d.db",
            "CREATE TABLE t(a, b);\nINSERT INTO t VALUES(1, NULL);\n",
        )
    };
    Case::new(
        "dump settings",
        &["d.db"],
        ".headers on\n.separator ;\n.nullvalue N\n.dump\n",
    )
    .setup(&setup)
    .check();
}

#[test]
fn dump_to_output_file() {
    let setup = |s: &Scratch| {
        s.db(
            "d.db",
            "CREATE TABLE t(a);\nINSERT INTO t VALUES(0.5),('x');\n",
        )
    };
    Case::new(
        "dump output",
        &["d.db"],
        ".output dump.sql\n.dump\n.output\nSELECT 1;\n",
    )
    .setup(&setup)
    .files(&["dump.sql"])
    .reals()
    .check();
}

#[test]
fn dump_after_uncommitted_changes_in_transaction() {
    let setup = |s: &Scratch| s.db("d.db", "CREATE TABLE t(a);\nINSERT INTO t VALUES(1);\n");
    Case::new(
        "dump in txn",
        &["d.db"],
        "BEGIN;\nINSERT INTO t VALUES(2);\n.dump\nROLLBACK;\n",
    )
    .setup(&setup)
    .check();
}

#[test]
fn dump_of_non_database_file_stdout_matches() {
    if !crate::harness::require_sqlite3() {
        return;
    }
    let a = Scratch::new();
    let b = Scratch::new();
    for s in [&a, &b] {
        s.write("junk.db", &[b'x'; 4096]);
    }
    let want = run_in(Path::new(SQLITE3), a.path(), &["junk.db", ".dump"], b"");
    let got = run_in(
        &crate::harness::litesh(),
        b.path(),
        &["junk.db", ".dump"],
        b"",
    );
    assert_eq!(
        String::from_utf8_lossy(&want.stdout),
        String::from_utf8_lossy(&got.stdout)
    );
    // compat.md: litesh also reports the failure and exits non-zero.
    assert_ne!(got.code, Some(0), "{:?}", got);
    assert!(!got.stderr.is_empty());
}

// ---------------------------------------------------------------- round trips

/// Dumps `src.db` with each program, loads the dump into `back.db` with the same program,
/// and compares the reloaded databases.
fn round_trip(name: &str, sql: &str) {
    let setup = move |s: &Scratch| {
        s.db("src.db", sql);
        // The reload happens inside the case through `.once` + `.read`.
    };
    Case::new(
        name,
        &["src.db"],
        ".once dump.sql\n.dump\n.open back.db\n.read dump.sql\n",
    )
    .setup(&setup)
    .dbs(&["back.db"])
    .check();
}

#[test]
fn round_trip_values() {
    round_trip(
        "rt values",
        "CREATE TABLE v(x, y TEXT, z REAL);\nINSERT INTO v VALUES(1,'a'||char(10)||'b',0.1),(x'00ff',CAST(x'ff41' AS TEXT),1e999),(NULL,'',-0.0),(9223372036854775807,'q''t',2.2250738585072014e-308);\n",
    );
}

#[test]
fn round_trip_schema_objects() {
    round_trip(
        "rt schema",
        "CREATE TABLE a(id INTEGER PRIMARY KEY AUTOINCREMENT, v);\nINSERT INTO a(v) VALUES(1),(2);\nCREATE TABLE w(k PRIMARY KEY, v) WITHOUT ROWID;\nINSERT INTO w VALUES(1,2);\nCREATE INDEX ai ON a(v) WHERE v > 1;\nCREATE VIEW av AS SELECT v FROM a;\nCREATE TRIGGER at AFTER INSERT ON a BEGIN INSERT INTO w VALUES(new.id, new.v); END;\n",
    );
}

#[test]
fn round_trip_virtual_tables() {
    round_trip(
        "rt vtab",
        "CREATE VIRTUAL TABLE f USING fts5(x);\nINSERT INTO f VALUES('one two'),('three');\nCREATE VIRTUAL TABLE r USING rtree(id, a, b);\nINSERT INTO r VALUES(1, 2, 3);\nCREATE VIRTUAL TABLE f4 USING fts4(y);\nINSERT INTO f4 VALUES('four');\n",
    );
}

#[test]
fn round_trip_reals_bit_exact_in_litesh() {
    // 3.40.1 itself may change some tiny doubles by an ulp on reload (SQLITE3-NOTES.md);
    // litesh must reload its own dump bit-exactly.
    if !crate::harness::require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    s.db(
        "src.db",
        "CREATE TABLE r(x);\nINSERT INTO r VALUES(0.1),(1.0/3),(4.9406564584124654e-324),(2.2250738585072014e-308),(1e-310),(1.7976931348623157e308),(123456.789e-300),(3.141592653589793);\n",
    );
    let out = run_in(
        &crate::harness::litesh(),
        s.path(),
        &["src.db"],
        b".once dump.sql\n.dump\n.open back.db\n.read dump.sql\n",
    );
    assert_eq!(out.code, Some(0), "{out:?}");
    let q =
        "SELECT group_concat(hex(ieee754_to_blob(x)), ',') FROM (SELECT x FROM r ORDER BY rowid)";
    let a = run_in(Path::new(SQLITE3), s.path(), &["src.db", q], b"");
    let b = run_in(Path::new(SQLITE3), s.path(), &["back.db", q], b"");
    assert_eq!(
        String::from_utf8_lossy(&a.stdout),
        String::from_utf8_lossy(&b.stdout)
    );
    assert!(!a.stdout.is_empty());
}

#[test]
fn dump_text_with_nul_byte_loads_back_in_litesh() {
    // compat.md: litesh writes text holding NUL as CAST(X'..' AS TEXT) instead of cutting it.
    let s = Scratch::new();
    if !crate::harness::require_sqlite3() {
        return;
    }
    s.db(
        "src.db",
        "CREATE TABLE t(x);\nINSERT INTO t VALUES(CAST(x'610062' AS TEXT));\n",
    );
    let out = run_in(
        &crate::harness::litesh(),
        s.path(),
        &["src.db", ".dump"],
        b"",
    );
    assert_eq!(out.code, Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("X'610062'"), "{text}");
    let back = run_in(Path::new(SQLITE3), s.path(), &["back.db"], &out.stdout);
    assert_eq!(back.code, Some(0), "{back:?}");
    let q = run_in(
        Path::new(SQLITE3),
        s.path(),
        &["back.db", "SELECT typeof(x), hex(x) FROM t"],
        b"",
    );
    assert_eq!(q.stdout, b"text|610062\n");
}
