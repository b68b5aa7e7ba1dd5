//! `.trace` (and `.log`) to stdout while `.dump` runs, against sqlite3 3.40.1: the traced
//! statements of the dump come between the dump's own lines, in the order they ran (SQLite's
//! `shell4.test` case 2.3 is the first case here).

use crate::harness::{Case, Scratch};

fn rich(s: &Scratch) {
    s.db(
        "v.db",
        "CREATE TABLE t(a, b); INSERT INTO t VALUES(1, 'x'), (2, NULL);
         CREATE VIRTUAL TABLE f USING fts5(c); INSERT INTO f VALUES('hello');
         CREATE INDEX i ON t(b); CREATE VIEW vv AS SELECT 1;
         CREATE TABLE s(id INTEGER PRIMARY KEY AUTOINCREMENT, q); INSERT INTO s(q) VALUES(3);",
    );
}

#[test]
fn shell4_2_3_trace_stdout_then_dump() {
    Case::new(
        "shell4 2.3",
        &[":memory:"],
        "CREATE TABLE t1(x);\nINSERT INTO t1 VALUES(1);\n.trace stdout\n.dump\n",
    )
    .check();
    Case::new(
        "trace dump args",
        &[
            ":memory:",
            "CREATE TABLE t1(x); INSERT INTO t1 VALUES(1)",
            ".trace stdout",
            ".dump",
        ],
        "",
    )
    .check();
}

#[test]
fn trace_and_log_while_dumping_every_kind_of_object() {
    Case::new(
        "trace dump",
        &["v.db"],
        ".trace stdout\n.dump\n.dump --data-only t\n.dump --preserve-rowids s\n.trace --expanded stdout\n.dump --nosys\n.trace off\n.log stdout\n.dump t\n.log off\n.trace stderr\n.dump t\n.trace stdout\n.output out.sql\n.dump t\n.output\nSELECT 'end';\n",
    )
    .setup(&rich)
    .files(&["out.sql"])
    .check();
}
