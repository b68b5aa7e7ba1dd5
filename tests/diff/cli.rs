//! The command line: options, FILENAME, SQL and dot-command arguments, exit codes.

use crate::harness::{Case, Scratch};
use std::process::Command;

fn with_t(s: &Scratch) {
    s.db(
        "t.db",
        "CREATE TABLE t(a, b);\nINSERT INTO t VALUES(1,'one'),(2,NULL),(3,'three');\n",
    );
}

fn check(name: &str, args: &[&str], stdin: &str) {
    Case::new(name, args, stdin).check();
}

fn check_t(name: &str, args: &[&str], stdin: &str) {
    Case::new(name, args, stdin).setup(&with_t).check();
}

// ---------------------------------------------------------------- FILENAME and SQL args

#[test]
fn no_filename_reads_stdin_into_memory_db() {
    check(
        "no filename",
        &[],
        "CREATE TABLE x(a);\nINSERT INTO x VALUES(5);\nSELECT * FROM x;\n",
    );
}

#[test]
fn memory_filename_with_sql_argument() {
    check("memory sql", &[":memory:", "SELECT 1+1"], "");
}

#[test]
fn sql_argument_ignores_stdin() {
    check(
        "sql ignores stdin",
        &[":memory:", "SELECT 1"],
        "SELECT 2;\n",
    );
}

#[test]
fn several_sql_args_run_in_order() {
    check_t(
        "sql args in order",
        &[
            "t.db",
            "INSERT INTO t VALUES(4,'four')",
            "SELECT count(*) FROM t",
            "SELECT max(a) FROM t",
        ],
        "",
    );
}

#[test]
fn sql_args_stop_at_first_prepare_error_with_code_1() {
    check(
        "prepare error",
        &[":memory:", "SELECT 1", "SELEC 2", "SELECT 3"],
        "",
    );
}

#[test]
fn sql_args_stop_at_first_failure_with_code_19() {
    check(
        "constraint",
        &[
            "t.db",
            "CREATE TABLE u(a UNIQUE)",
            "INSERT INTO u VALUES(1),(1)",
            "SELECT 3",
        ],
        "",
    );
}

#[test]
fn sql_arg_step_error_exits_with_sqlite_code_18() {
    check(
        "toobig",
        &[":memory:", "SELECT randomblob(2000000000)", "SELECT 2"],
        "",
    );
}

#[test]
fn sql_arg_readonly_write_exits_with_code_8() {
    check_t(
        "readonly write",
        &["-readonly", "t.db", "INSERT INTO t VALUES(9,9)", "SELECT 1"],
        "",
    );
}

#[test]
fn sql_arg_with_several_statements() {
    check(
        "multi stmt arg",
        &[":memory:", "SELECT 1; SELECT 2; SELECT 3"],
        "",
    );
}

#[test]
fn sql_arg_error_in_second_statement_of_arg() {
    check(
        "multi stmt arg error",
        &[":memory:", "SELECT 1; SELECT nosuchcol; SELECT 3"],
        "",
    );
}

#[test]
fn sql_arg_runtime_error_midway_keeps_earlier_rows() {
    check(
        "runtime midway",
        &[
            ":memory:",
            "SELECT 1 UNION ALL SELECT abs(-9223372036854775807-1)",
        ],
        "",
    );
}

#[test]
fn dot_command_as_argument() {
    check("dot arg", &[":memory:", ".print hello world"], "");
}

#[test]
fn dot_commands_and_sql_args_mixed() {
    check_t(
        "mixed",
        &[
            "t.db",
            ".headers on",
            "SELECT * FROM t",
            ".separator ,",
            "SELECT 2 AS x, 3 AS y",
        ],
        "",
    );
}

#[test]
fn failing_dot_command_argument_stops_with_code_1() {
    check(
        "bad dot arg",
        &[":memory:", "SELECT 1", ".bogus", "SELECT 2"],
        "",
    );
}

#[test]
fn dot_command_argument_with_wrong_usage_stops() {
    check("dot usage arg", &[":memory:", ".separator", "SELECT 2"], "");
}

#[test]
fn second_filename_is_treated_as_sql() {
    check("second filename", &[":memory:", "other.db"], "");
}

#[test]
fn empty_sql_argument_is_a_no_op() {
    check("empty sql arg", &[":memory:", "", "SELECT 2"], "");
}

#[test]
fn empty_filename_is_a_temporary_db() {
    check("empty filename", &["", "SELECT 3"], "");
}

#[test]
fn dot_print_only_does_not_create_database_file() {
    Case::new("no open", &["lazy.db", ".print x"], "")
        .files(&["lazy.db"])
        .check();
}

#[test]
fn nonexistent_filename_creates_empty_file() {
    Case::new("typo db", &["typo.db", "SELECT 1"], "")
        .files(&["typo.db"])
        .check();
}

#[test]
fn sql_arg_creates_database_file() {
    Case::new(
        "create db",
        &[
            "new.db",
            "CREATE TABLE n(x); INSERT INTO n VALUES(1),(2.5),('s'),(x'00');",
        ],
        "",
    )
    .dbs(&["new.db"])
    .check();
}

// ---------------------------------------------------------------- option spelling and placement

#[test]
fn options_with_two_dashes() {
    check_t(
        "two dashes",
        &["--header", "--separator", ",", "t.db", "SELECT * FROM t"],
        "",
    );
}

#[test]
fn options_after_filename() {
    check_t(
        "after filename",
        &["t.db", "-header", "SELECT * FROM t"],
        "",
    );
}

#[test]
fn options_between_sql_args() {
    check_t(
        "between sql",
        &["t.db", "SELECT a FROM t", "-header", "SELECT b FROM t"],
        "",
    );
}

#[test]
fn unknown_option() {
    check("unknown", &["-bogus", ":memory:", "SELECT 1"], "");
}

#[test]
fn unknown_option_with_two_dashes() {
    check("unknown2", &["--bogus"], "");
}

#[test]
fn double_dash_alone_is_unknown() {
    check("dash dash", &["--", ":memory:", "SELECT 1"], "");
}

#[test]
fn single_dash_alone() {
    check("single dash", &["-", "SELECT 1"], "");
}

#[test]
fn missing_value_for_separator() {
    check("missing sep", &[":memory:", "-separator"], "");
}

#[test]
fn missing_value_for_cmd() {
    check("missing cmd", &["-cmd"], "");
}

#[test]
fn missing_value_for_init() {
    check("missing init", &["-init"], "");
}

#[test]
fn missing_value_for_nullvalue() {
    check("missing nullvalue", &["-nullvalue"], "");
}

#[test]
fn missing_value_for_newline() {
    check("missing newline", &["-newline"], "");
}

#[test]
fn help_prints_usage_and_exits_1() {
    check("help", &["-help"], "");
}

#[test]
fn help_with_two_dashes() {
    check("help2", &["--help"], "");
}

#[test]
fn version_exits_0_with_version_text() {
    let out = Command::new(env!("CARGO_BIN_EXE_litesh"))
        .arg("-version")
        .output()
        .expect("run litesh");
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.starts_with(b"3."), "{:?}", out.stdout);
    assert!(out.stderr.is_empty());
}

// ---------------------------------------------------------------- -cmd and -init

#[test]
fn cmd_runs_before_stdin() {
    check(
        "cmd before stdin",
        &["-cmd", ".print first", ":memory:"],
        "SELECT 2;\n",
    );
}

#[test]
fn cmd_runs_before_sql_args() {
    check(
        "cmd before args",
        &[
            ":memory:",
            "-cmd",
            "CREATE TABLE c(x)",
            "INSERT INTO c VALUES(1)",
            "SELECT * FROM c",
        ],
        "",
    );
}

#[test]
fn several_cmds_run_in_order() {
    check(
        "cmds in order",
        &[
            "-cmd",
            ".print one",
            "-cmd",
            ".print two",
            ":memory:",
            ".print three",
        ],
        "",
    );
}

#[test]
fn cmd_then_mode_option_later_wins() {
    check(
        "cmd then list",
        &[
            "-cmd",
            ".separator ;",
            "-separator",
            ",",
            ":memory:",
            "SELECT 1, 2",
        ],
        "",
    );
}

#[test]
fn mode_option_then_cmd_later_wins() {
    check(
        "list then cmd",
        &[
            "-separator",
            ",",
            "-cmd",
            ".separator ;",
            ":memory:",
            "SELECT 1, 2",
        ],
        "",
    );
}

#[test]
fn cmd_separator_then_list_option_keeps_separator() {
    check(
        "cmd separator then list",
        &[
            "-cmd",
            ".separator ;",
            "-list",
            ":memory:",
            "SELECT 1, 'a b'",
        ],
        "",
    );
}

#[test]
fn cmd_mode_then_list_option() {
    check(
        "cmd mode csv then list",
        &["-cmd", ".mode csv", "-list", ":memory:", "SELECT 1, 'a b'"],
        "",
    );
}

#[test]
fn csv_then_list_flag_keeps_comma_separator() {
    check(
        "csv then list",
        &["-csv", "-list", ":memory:", "SELECT 1, 2"],
        "",
    );
}

#[test]
fn cmd_sql_error_without_bail_exits_0() {
    check(
        "cmd error",
        &["-cmd", "SELEC 1", ":memory:", "SELECT 2"],
        "",
    );
}

#[test]
fn cmd_sql_error_without_bail_continues_with_stdin() {
    check(
        "cmd error stdin",
        &["-cmd", "SELEC 1", ":memory:"],
        "SELECT 2;\n",
    );
}

#[test]
fn cmd_sql_error_with_bail_exits() {
    check(
        "cmd error bail",
        &["-bail", "-cmd", "SELEC 1", ":memory:", "SELECT 2"],
        "",
    );
}

#[test]
fn cmd_runtime_error_with_bail_exits() {
    check(
        "cmd runtime bail",
        &["-bail", "-cmd", "SELECT randomblob(2000000000)", ":memory:"],
        "SELECT 2;\n",
    );
}

#[test]
fn cmd_bad_dot_command_without_bail() {
    check(
        "cmd bad dot",
        &["-cmd", ".bogus", ":memory:"],
        "SELECT 2;\n",
    );
}

#[test]
fn cmd_bad_dot_command_with_bail() {
    check(
        "cmd bad dot bail",
        &["-bail", "-cmd", ".bogus", ":memory:"],
        "SELECT 2;\n",
    );
}

#[test]
fn init_file_runs_before_sql() {
    let setup = |s: &Scratch| s.write("init.sql", b".headers on\nCREATE TABLE i(z);\n");
    Case::new(
        "init",
        &[
            "-init",
            "init.sql",
            ":memory:",
            "INSERT INTO i VALUES(7)",
            "SELECT * FROM i",
        ],
        "",
    )
    .setup(&setup)
    .check();
}

#[test]
fn init_file_runs_before_cmd() {
    let setup = |s: &Scratch| s.write("init.sql", b".print from-init\n");
    Case::new(
        "init before cmd",
        &[
            "-cmd",
            ".print from-cmd",
            "-init",
            "init.sql",
            ":memory:",
            ".print arg",
        ],
        "",
    )
    .setup(&setup)
    .check();
}

#[test]
fn init_file_with_error_continues() {
    let setup = |s: &Scratch| s.write("init.sql", b"SELEC 1;\nSELECT 'after';\n");
    Case::new(
        "init error",
        &["-init", "init.sql", ":memory:", "SELECT 2"],
        "",
    )
    .setup(&setup)
    .check();
}

#[test]
fn missing_init_file_message_and_exit_0() {
    check(
        "missing init file",
        &["-init", "nofile.sql", ":memory:", "SELECT 1"],
        "",
    );
}

#[test]
fn missing_init_file_then_stdin() {
    check(
        "missing init stdin",
        &["-init", "nofile.sql"],
        "SELECT 1;\n",
    );
}

// ---------------------------------------------------------------- flags

#[test]
fn bail_stops_piped_input_at_first_error() {
    check(
        "bail",
        &["-bail", ":memory:"],
        "SELECT 1;\nSELEC 2;\nSELECT 3;\n",
    );
}

#[test]
fn bail_with_two_dashes() {
    check("bail2", &["--bail"], "SELECT 1;\nSELECT x;\nSELECT 3;\n");
}

#[test]
fn without_bail_piped_errors_exit_1() {
    check("no bail", &[":memory:"], "SELECT 1;\nSELEC 2;\nSELECT 3;\n");
}

#[test]
fn batch_flag_reads_stdin() {
    check("batch", &["-batch", ":memory:"], "SELECT 1;\nSELECT 2;\n");
}

#[test]
fn echo_flag_with_sql_args() {
    check(
        "echo args",
        &["-echo", ":memory:", "SELECT 1", ".print x"],
        "",
    );
}

#[test]
fn echo_flag_with_stdin() {
    check(
        "echo stdin",
        &["-echo"],
        "SELECT 1;\n.print hi\nSELECT\n 2;\n",
    );
}

#[test]
fn interactive_flag_with_sql_args_just_runs_them() {
    check(
        "interactive args",
        &["-interactive", ":memory:", "SELECT 1"],
        "",
    );
}

#[test]
fn header_flag() {
    check_t("header", &["-header", "t.db", "SELECT * FROM t"], "");
}

#[test]
fn noheader_after_header() {
    check_t(
        "noheader",
        &["-header", "-noheader", "t.db", "SELECT * FROM t"],
        "",
    );
}

#[test]
fn header_on_empty_result_prints_nothing() {
    check_t(
        "header empty",
        &["-header", "t.db", "SELECT * FROM t WHERE 0"],
        "",
    );
}

#[test]
fn separator_option() {
    check_t(
        "separator",
        &["-separator", "::", "t.db", "SELECT * FROM t"],
        "",
    );
}

#[test]
fn separator_option_with_backslash_escape() {
    check_t(
        "separator tab",
        &["-separator", "\\t", "t.db", "SELECT * FROM t"],
        "",
    );
}

#[test]
fn newline_option() {
    check_t("newline", &["-newline", "~", "t.db", "SELECT * FROM t"], "");
}

#[test]
fn newline_option_with_escape() {
    check_t(
        "newline escape",
        &["-newline", "\\r\\n", "t.db", "SELECT * FROM t"],
        "",
    );
}

#[test]
fn nullvalue_option() {
    check_t(
        "nullvalue",
        &["-nullvalue", "<NULL>", "t.db", "SELECT * FROM t"],
        "",
    );
}

#[test]
fn nullvalue_option_in_header_not_used() {
    check(
        "nullvalue header",
        &[
            "-header",
            "-nullvalue",
            "N",
            ":memory:",
            "SELECT NULL AS a, 1 AS b",
        ],
        "",
    );
}

#[test]
fn list_flag_after_tabs() {
    check_t(
        "tabs then list",
        &["-tabs", "-list", "t.db", "SELECT * FROM t"],
        "",
    );
}

#[test]
fn tabs_flag_renders_tab_separated() {
    check_t("tabs", &["-tabs", "t.db", "SELECT * FROM t"], "");
}

#[test]
fn tabs_flag_with_header() {
    check_t(
        "tabs header",
        &["-tabs", "-header", "t.db", "SELECT * FROM t"],
        "",
    );
}

#[test]
fn list_flag_resets_separator_to_pipe() {
    check_t(
        "list reset",
        &["-separator", ",", "-list", "t.db", "SELECT * FROM t"],
        "",
    );
}

#[test]
fn separator_after_list_is_kept() {
    check_t(
        "list then sep",
        &["-list", "-separator", ",", "t.db", "SELECT * FROM t"],
        "",
    );
}

macro_rules! mode_flag_selects_mode {
    ($name:ident, $accepted:ident, $flag:expr) => {
        #[test]
        fn $accepted() {
            check(
                stringify!($accepted),
                &[$flag, ":memory:", "CREATE TABLE m(x)", "SELECT 1 WHERE 0"],
                "",
            );
        }

        #[test]
        fn $name() {
            check(stringify!($name), &[$flag, ":memory:", ".mode"], "");
        }
    };
}

mode_flag_selects_mode!(csv_flag_selects_csv_mode, csv_flag_is_accepted, "-csv");
mode_flag_selects_mode!(json_flag_selects_json_mode, json_flag_is_accepted, "-json");
mode_flag_selects_mode!(line_flag_selects_line_mode, line_flag_is_accepted, "-line");
mode_flag_selects_mode!(box_flag_selects_box_mode, box_flag_is_accepted, "-box");
mode_flag_selects_mode!(
    column_flag_selects_column_mode,
    column_flag_is_accepted,
    "-column"
);
mode_flag_selects_mode!(
    table_flag_selects_table_mode,
    table_flag_is_accepted,
    "-table"
);
mode_flag_selects_mode!(
    markdown_flag_selects_markdown_mode,
    markdown_flag_is_accepted,
    "-markdown"
);
mode_flag_selects_mode!(html_flag_selects_html_mode, html_flag_is_accepted, "-html");
mode_flag_selects_mode!(
    quote_flag_selects_quote_mode,
    quote_flag_is_accepted,
    "-quote"
);
mode_flag_selects_mode!(
    ascii_flag_selects_ascii_mode,
    ascii_flag_is_accepted,
    "-ascii"
);
mode_flag_selects_mode!(tabs_flag_selects_tabs_mode, tabs_flag_is_accepted, "-tabs");
mode_flag_selects_mode!(list_flag_selects_list_mode, list_flag_is_accepted, "-list");

#[test]
fn csv_flag_renders_csv() {
    check_t(
        "csv render",
        &["-csv", "-header", "t.db", "SELECT * FROM t"],
        "",
    );
}

#[test]
fn line_flag_renders_line() {
    check_t("line render", &["-line", "t.db", "SELECT * FROM t"], "");
}

#[test]
fn box_flag_renders_box() {
    check_t("box render", &["-box", "t.db", "SELECT * FROM t"], "");
}

#[test]
fn readonly_blocks_piped_write() {
    check_t(
        "readonly piped",
        &["-readonly", "t.db"],
        "INSERT INTO t VALUES(4,4);\nSELECT count(*) FROM t;\n",
    );
}

#[test]
fn readonly_allows_reads() {
    check_t(
        "readonly read",
        &["-readonly", "t.db", "SELECT sum(a) FROM t"],
        "",
    );
}

#[test]
fn safe_mode_blocks_read() {
    let setup = |s: &Scratch| s.write("x.sql", b"SELECT 1;\n");
    Case::new("safe read", &["-safe", ":memory:", ".read x.sql"], "")
        .setup(&setup)
        .check();
}

#[test]
fn safe_mode_blocks_attach() {
    check(
        "safe attach",
        &["-safe", ":memory:"],
        "ATTACH 'x.db' AS x;\nSELECT 1;\n",
    );
}

#[test]
fn nofollow_refuses_symlink() {
    let setup = |s: &Scratch| {
        with_t(s);
        std::os::unix::fs::symlink("t.db", s.file("l.db")).unwrap();
    };
    Case::new(
        "nofollow",
        &["-nofollow", "l.db", "SELECT count(*) FROM t"],
        "",
    )
    .setup(&setup)
    .check();
}

#[test]
fn symlink_followed_without_nofollow() {
    let setup = |s: &Scratch| {
        with_t(s);
        std::os::unix::fs::symlink("t.db", s.file("l.db")).unwrap();
    };
    Case::new("follow", &["l.db", "SELECT count(*) FROM t"], "")
        .setup(&setup)
        .check();
}

#[test]
fn deserialize_reads_database() {
    check_t(
        "deserialize",
        &["-deserialize", "t.db", "SELECT * FROM t"],
        "",
    );
}

#[test]
fn deserialize_writes_do_not_touch_file() {
    Case::new(
        "deserialize write",
        &[
            "-deserialize",
            "t.db",
            "DELETE FROM t",
            "SELECT count(*) FROM t",
        ],
        "",
    )
    .setup(&with_t)
    .dbs(&["t.db"])
    .check();
}

#[test]
fn deserialize_with_maxsize() {
    check_t(
        "maxsize",
        &[
            "-deserialize",
            "-maxsize",
            "100000",
            "t.db",
            "SELECT count(*) FROM t",
        ],
        "",
    );
}

#[test]
fn missing_value_for_maxsize() {
    check("maxsize missing", &["-maxsize"], "");
}

#[test]
fn mmap_option() {
    check_t(
        "mmap",
        &["-mmap", "1048576", "t.db", "SELECT count(*) FROM t"],
        "",
    );
}

#[test]
fn vfs_option_known() {
    check_t(
        "vfs",
        &["-vfs", "unix-none", "t.db", "SELECT count(*) FROM t"],
        "",
    );
}

#[test]
fn vfs_option_unknown() {
    check(
        "vfs unknown",
        &["-vfs", "bogus", ":memory:", "SELECT 1"],
        "",
    );
}

#[test]
#[ignore = "compat (docs/compat.md): `Error: in prepare, no such column: nosuch (17)` in sqlite3 (schema not yet loaded); litesh omits ` (17)`"]
fn sql_arg_prepare_error_before_schema_load_has_code_17() {
    check_t("schema 17 arg", &["t.db", "SELECT nosuch"], "");
}
