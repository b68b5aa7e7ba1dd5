//! The remaining dot-commands of 3.40.1: `.auth`, `.imposter`, `.testctrl`, `.filectrl`,
//! `.session`, the usage errors and safe mode of `.archive`/`.ar` (its operations are in
//! `archive.rs`), and `.excel`, which litesh answers with a clear error after sqlite3's own
//! checks.
//!
//! Output that cannot be byte-identical (a random seed, a temporary file name) and the clear
//! errors are checked on litesh alone.

use crate::harness::{litesh, run_in, Case, Outcome, Scratch};

fn with_t(s: &Scratch) {
    s.db(
        "t.db",
        "CREATE TABLE t(a, b, c);\n\
         CREATE INDEX ta ON t(a, b DESC);\n\
         CREATE INDEX tx ON t(a+b);\n\
         INSERT INTO t VALUES(1,'x',3),(2,'y',4);\n\
         CREATE TABLE w(k TEXT PRIMARY KEY, v, z) WITHOUT ROWID;\n\
         INSERT INTO w VALUES('a',1,2);\n\
         CREATE TABLE w2(k1, k2, v, PRIMARY KEY(k2,k1)) WITHOUT ROWID;\n\
         CREATE TABLE u(x PRIMARY KEY, y);\n\
         CREATE TABLE nopk(z);\n",
    );
}

fn check(name: &str, args: &[&str], stdin: &str) {
    Case::new(name, args, stdin).check();
}

fn check_t(name: &str, args: &[&str], stdin: &str) {
    Case::new(name, args, stdin).setup(&with_t).check();
}

/// litesh alone, in a scratch directory prepared by `with_t`.
fn litesh_t(args: &[&str], stdin: &str) -> Outcome {
    let s = Scratch::new();
    with_t(&s);
    run_in(&litesh(), s.path(), args, stdin.as_bytes())
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

// ---------------------------------------------------------------- .auth

#[test]
fn auth_prints_every_request_in_order_with_the_rows() {
    check_t(
        "auth lines",
        &["t.db"],
        ".auth on\nselect a from t; select b from w;\ninsert into u values(1,2);\n\
         update u set y=3 where x=1;\ndelete from u;\npragma table_info(t);\n\
         select upper('a\tb\"'), 1;\nbegin; savepoint s1; release s1; commit;\n\
         with recursive c(x) as (select 1 union all select x+1 from c where x<2) select * from c;\n\
         create temp view v as select 1;\ndrop view v;\nattach ':memory:' as m;\ndetach m;\n\
         .auth off\nselect 1;\n",
    );
}

#[test]
fn auth_shows_raw_bytes_and_the_requests_before_an_error() {
    Case::new("auth bytes", &[], "")
        .stdin_bytes(
            b".auth on\ncreate table \"\xff\xfe\"(a);\nselect a from \"\xff\xfe\";\n\
              select nosuch from \"\xff\xfe\";\ninsert into nope values(1);\n\
              create index i on \"\xff\xfe\"(a);\nselect 1;\n",
        )
        .check();
}

#[test]
fn auth_usage_and_boolean_words() {
    check(
        "auth usage",
        &[],
        ".auth\n.auth a b\n.auth yes\nselect 1;\n.auth bogus\nselect 2;\n.auth 1\nselect 3;\n",
    );
}

#[test]
fn auth_lines_follow_redirected_output_and_end_at_open() {
    Case::new(
        "auth output",
        &[],
        ".auth on\n.output o.txt\nselect 4;\n.output\nselect 5;\n.open other.db\nselect 6;\n",
    )
    .files(&["o.txt"])
    .check();
}

#[test]
fn auth_in_safe_mode_keeps_the_safe_mode_authorizer() {
    check_t(
        "auth safe select",
        &["-safe", "t.db"],
        ".auth on\nselect a from t;\n.auth off\nselect 2;\n",
    );
    check_t(
        "auth safe attach",
        &["-safe", "t.db"],
        ".auth on\nselect a from t;\nattach 'x.db' as x;\nselect 2;\n",
    );
    check_t(
        "auth safe function",
        &["-safe", "t.db"],
        ".auth on\nselect readfile('t.db');\n",
    );
    check_t(
        "auth off safe",
        &["-safe", "t.db"],
        ".auth on\n.auth off\nattach 'x.db' as x;\n",
    );
}

// ---------------------------------------------------------------- .imposter

#[test]
fn imposter_tables_on_indexes_and_without_rowid_tables() {
    check_t(
        "imposter",
        &["t.db"],
        ".imposter ta it\nselect * from it;\n.imposter tx ix\nselect * from ix;\n\
         .imposter w iw\nselect * from iw;\n.imposter w2 iw2\nselect * from iw2;\n\
         .imposter off\nselect * from it;\n",
    );
}

#[test]
fn imposter_usage_and_errors() {
    check_t(
        "imposter errors",
        &["t.db"],
        ".imposter\n.imposter a\n.imposter a b c\n.imposter nosuch x\n.imposter t x\n\
         .imposter OFF\n.imposter ta it\n.imposter ta it\n",
    );
}

#[test]
fn imposter_writes_to_stdout_even_while_output_is_redirected() {
    Case::new(
        "imposter redirect",
        &["t.db"],
        ".output o.txt\n.imposter ta it\nselect 1;\n",
    )
    .setup(&with_t)
    .files(&["o.txt"])
    .check();
}

#[test]
fn imposter_works_in_safe_mode() {
    check_t("imposter safe", &["-safe", "t.db"], ".imposter ta it\n");
}

// ---------------------------------------------------------------- .testctrl

#[test]
fn testctrl_lists_its_controls() {
    check("testctrl help", &[], ".testctrl\n");
    check(
        "testctrl --help",
        &[],
        ".testctrl --help\n.testctrl -help\n",
    );
}

#[test]
fn testctrl_names_resolve_by_prefix() {
    check(
        "testctrl names",
        &[],
        ".testctrl bogus\n.testctrl p\n.testctrl \"\"\n.testctrl -\n.testctrl ---always 1\n\
         .testctrl --always yes\n.testctrl by\n",
    );
}

#[test]
fn testctrl_controls_and_their_usage_lines() {
    check(
        "testctrl controls",
        &[],
        ".testctrl byteorder\n.testctrl byteorder 1\n.testctrl always 1\n.testctrl always 0\n\
         .testctrl assert 1\n.testctrl extra_schema_checks 1\n.testctrl tune 1 2\n.testctrl tune\n\
         .testctrl optimizations\n.testctrl optimizations 0x0\n.testctrl prng_save\n\
         .testctrl prng_restore x\n.testctrl seek_count\n.testctrl sorter_mmap 0\n\
         .testctrl sorter\n.testctrl localtime_fault 0\n.testctrl never_corrupt 0\n\
         .testctrl imposter main 0 0\n.testctrl imposter\n.testctrl pending_byte\n",
    );
}

#[test]
fn testctrl_prng_seed_makes_random_repeatable() {
    check_t(
        "testctrl prng",
        &["t.db"],
        ".testctrl prng_seed 5\nselect random();\n.testctrl prng_seed 5 db\nselect random();\n\
         .testctrl prng_save\nselect random();\n.testctrl prng_restore\nselect random();\n",
    );
}

#[test]
fn testctrl_internal_functions_toggle() {
    check(
        "testctrl internal",
        &[],
        ".testctrl internal_functions\nselect expr_implies_expr(1,1);\n\
         .testctrl internal_functions\nselect expr_implies_expr(1,1);\n",
    );
}

#[test]
fn testctrl_random_seed_is_announced_on_stdout() {
    let o = litesh_t(&["t.db"], ".testctrl prng_seed random\n");
    let out = text(&o.stdout);
    let seed = out
        .strip_prefix("-- random seed: ")
        .and_then(|s| s.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("{out:?}"));
    assert!(seed.parse::<i32>().is_ok(), "{out:?}");
    assert_eq!(o.code, Some(0));
}

#[test]
fn testctrl_unsafe_controls_stop_safe_mode() {
    check(
        "testctrl safe",
        &["-safe"],
        ".testctrl byteorder\n.testctrl prng_seed 1\n.testctrl always 1\nselect 1;\n",
    );
    check("testctrl safe imposter", &["-safe"], ".testctrl imp\n");
    check(
        "testctrl nonce",
        &["-safe", "-nonce", "abc"],
        ".nonce abc\n.testctrl always 1\n.testctrl always 1\n",
    );
}

// ---------------------------------------------------------------- .filectrl

#[test]
fn filectrl_lists_and_resolves_its_controls() {
    check_t(
        "filectrl names",
        &["t.db"],
        ".filectrl\n.filectrl --help\n.filectrl bogus\n.filectrl p\n.filectrl ---size_limit\n\
         .filectrl --schema main\n.filectrl --schema\n.filectrl --schema main bogus\n",
    );
}

#[test]
fn filectrl_controls_on_a_file() {
    check_t(
        "filectrl file",
        &["t.db"],
        ".filectrl size_limit\n.filectrl size_limit 100000\n.filectrl size_limit 1 2\n\
         .filectrl chunk_size\n.filectrl chunk_size 4096\n.filectrl persist_wal\n\
         .filectrl persist_wal on\n.filectrl persist_wal\n.filectrl psow\n.filectrl psow off\n\
         .filectrl psow\n.filectrl has_moved\n.filectrl has_moved x\n.filectrl data_version\n\
         insert into u values(1,1);\n.filectrl data_version\n.filectrl reserve_bytes\n\
         .filectrl reserve_bytes 8\n.filectrl reserve_bytes\n.filectrl lock_timeout 10\n\
         .filectrl lock_timeout\n.filectrl --schema main data_version\n\
         .filectrl --schema temp size_limit\n.filectrl -schema main psow\n\
         .filectrl tempfilename x\n",
    );
}

#[test]
fn filectrl_controls_in_memory_and_in_safe_mode() {
    check(
        "filectrl memory",
        &["-safe"],
        ".filectrl has_moved\n.filectrl data_version\n.filectrl size_limit\n\
         .filectrl size_limit 10000\n.filectrl reserve_bytes\n.filectrl psow\n\
         .filectrl persist_wal\n",
    );
}

#[test]
fn filectrl_tempfilename_prints_a_name() {
    let o = litesh_t(&["t.db"], ".filectrl tempfilename\n");
    let out = text(&o.stdout);
    assert!(out.starts_with('/') && out.ends_with('\n'), "{out:?}");
    assert_eq!(o.code, Some(0));
}

// ---------------------------------------------------------------- .session

#[test]
fn session_changesets_and_patchsets_match() {
    Case::new(
        "session sets",
        &["t.db"],
        ".session open main s1\n.session open temp s2\n.session attach t\n.session s2 attach u\n\
         .session isempty\ninsert into t values(1,2,3);\ninsert into u values(3,4);\n\
         update t set b=5;\n.session isempty\n.session s2 isempty\n.session changeset c1.bin\n\
         .session patchset p1.bin\n.session open main s3\n.session s3 filter u* n*\n\
         insert into u values(7,8);\ninsert into w values('q',9,9);\ninsert into nopk values(1);\n\
         .session s3 changeset c3.bin\n.session s3 indirect 1\ndelete from w where k='q';\n\
         .session s3 changeset c4.bin\n.session s3 enable 0\ndelete from u where x=3;\n\
         .session s3 changeset c5.bin\n.session s2 close\n.session list\n",
    )
    .setup(&with_t)
    .files(&["c1.bin", "p1.bin", "c3.bin", "c4.bin", "c5.bin"])
    .check();
}

#[test]
fn session_flags_names_and_limits() {
    check_t(
        "session flags",
        &["t.db"],
        ".session list\n.session attach t\n.session enable\n.session open main s1\n\
         .session open main s1\n.session open temp s2\n.session list\n.session enable\n\
         .session s2 enable off\n.session s2 enable\n.session indirect\n.session indirect yes\n\
         .session enable bogus\n.session open a b\n.session open a c\n.session open a d\n\
         .session list\n.session s1 close\n.session list\n.session close x\n.session d filter u*\n\
         .session d attach nosuch\n.session changeset /nonexistent/dir/x\n.session list extra\n",
    );
}

#[test]
fn session_syntax_errors_show_its_help() {
    check_t(
        "session help",
        &["t.db"],
        ".session\n.session bogus\n.session open main\n.session open main \"\"\n\
         .session open main s1\n.session s1\n.session s1 changeset\n.session filter\n\
         .session isempty x\n.session enable a b\n",
    );
}

#[test]
fn sessions_belong_to_their_connection() {
    check_t(
        "session connections",
        &["t.db"],
        ".session open main s1\n.open t.db\n.session list\n.session open main again\n\
         .connection 1\n.session list\n.session open main other\n.connection 0\n.session list\n\
         .connection 1\n.session list\n",
    );
}

#[test]
fn session_files_are_refused_in_safe_mode() {
    check_t(
        "session safe",
        &["-safe", "t.db"],
        ".session open main s\n.session list\n.session enable\n.session changeset\n",
    );
    check_t(
        "session safe patchset",
        &["-safe", "t.db"],
        ".session open main s\n.session patchset x\n",
    );
}

// ---------------------------------------------------------------- .archive, .excel

#[test]
fn archive_usage_errors_match() {
    check(
        "archive usage",
        &[],
        ".ar\n.archive -x -t\n.ar --bogus\n.ar --e --ex\n.ar -f\n.ar tf\n.ar tq\n.ar --list\n\
         .ar --help\n.ar -h\n.ar --file\n.ar -ct\n.ar --\n.ar x -- y\n",
    );
}

#[test]
fn archive_is_refused_in_safe_mode() {
    check("archive safe", &["-safe"], ".ar -t\n");
    check("archive safe bare", &["-safe"], ".archive\n");
}

#[test]
fn excel_usage_errors_and_safe_mode() {
    check(
        "excel usage",
        &[],
        ".excel --bom x\n.excel -bom -e\n.excel --x\n.excel a b\n",
    );
    check("excel safe", &["-safe"], ".excel\n");
}

#[test]
fn excel_is_a_clear_error_and_ends_the_redirection() {
    let o = litesh_t(&[], ".output o.txt\n.excel\nselect 7;\n");
    assert!(text(&o.stderr).contains(".excel is not supported by litesh"));
    assert_eq!(text(&o.stdout), "7\n");
    assert_eq!(o.code, Some(1));
}
