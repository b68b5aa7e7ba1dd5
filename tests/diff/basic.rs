//! A first handful of everyday cases: SQL as an argument, piped SQL, errors.

use crate::harness::{Case, Scratch};

#[test]
fn select_as_argument() {
    Case::new(
        "select",
        &[":memory:", "SELECT 1, 'a', NULL, 1.0/3, x'41'"],
        "",
    )
    .check();
}

#[test]
fn piped_statements_and_errors() {
    Case::new(
        "piped",
        &[],
        "create table t(a unique);\ninsert into t values(1);\ninsert into t values(1);\nselec 1;\n.bogus\n.h on\nselect 1 as x;\n",
    )
    .check();
}

#[test]
fn dump_of_the_example_fixture() {
    let setup = |s: &Scratch| s.fixture("example.db");
    Case::new("dump example", &["example.db", ".dump"], "")
        .setup(&setup)
        .reals()
        .check();
}
