//! Piped input: statement splitting, errors with line numbers, and the everyday
//! dot-commands of the pipeline (`.read`, `.print`, `.output`, `.separator`, ...).

use crate::harness::{Case, Scratch};

fn check(name: &str, stdin: &str) {
    Case::new(name, &[], stdin).check();
}

fn check_bytes(name: &str, stdin: &[u8]) {
    Case::new(name, &[], "").stdin_bytes(stdin).check();
}

fn with_t(s: &Scratch) {
    s.db(
        "t.db",
        "CREATE TABLE t(a, b);\nINSERT INTO t VALUES(1,'one'),(2,NULL),(3,'three');\n",
    );
}

fn check_t(name: &str, stdin: &str) {
    Case::new(name, &["t.db"], stdin).setup(&with_t).check();
}

// ---------------------------------------------------------------- splitting statements

#[test]
fn multi_line_statement() {
    check("multi line", "SELECT\n  1,\n  2\n;\n");
}

#[test]
fn several_statements_on_one_line() {
    check("several per line", "SELECT 1; SELECT 2;SELECT 3;\n");
}

#[test]
fn statement_ending_mid_line_then_another_starting() {
    check("mid line", "SELECT 1; SELECT\n2;\n");
}

#[test]
fn string_spanning_lines() {
    check("string lines", "SELECT 'a\nb;\nc';\n");
}

#[test]
fn quoted_identifier_spanning_lines() {
    check("ident lines", "SELECT 1 AS \"x\ny;\";\n");
}

#[test]
fn block_comment_spanning_lines() {
    check("block comment", "SELECT 1 /* a;\n b; */ + 1;\n");
}

#[test]
fn line_comment_with_semicolon() {
    check("line comment", "SELECT 1 -- not the end;\n + 2;\n");
}

#[test]
fn comment_only_lines_between_statements() {
    check("comment lines", "-- hello\nSELECT 1;\n/* x */\nSELECT 2;\n");
}

#[test]
fn trigger_with_begin_end() {
    check(
        "trigger",
        "CREATE TABLE t(a);\nCREATE TABLE log(x);\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  INSERT INTO log VALUES(new.a);\n  INSERT INTO log VALUES(new.a*2);\nEND;\nINSERT INTO t VALUES(5);\nSELECT * FROM log;\n",
    );
}

#[test]
fn trigger_with_semicolons_in_strings() {
    check(
        "trigger strings",
        "CREATE TABLE t(a);\nCREATE TABLE log(x);\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO log VALUES('a;b'); INSERT INTO log VALUES('END;'); END;\nINSERT INTO t VALUES(1);\nSELECT * FROM log;\n",
    );
}

#[test]
fn hash_lines_are_ignored() {
    check("hash", "# a comment\nSELECT 1;\n#another\n");
}

#[test]
fn hash_line_inside_statement_is_sql() {
    check("hash in sql", "SELECT 1\n# oops\n;\nSELECT 2;\n");
}

#[test]
fn dot_line_inside_string_is_sql() {
    check("dot in string", "SELECT 'a\n.print no\nb';\n");
}

#[test]
fn dot_line_inside_statement_is_sql() {
    check("dot in stmt", "SELECT 1\n.print no\n;\nSELECT 2;\n");
}

#[test]
fn indented_dot_command() {
    check("indented dot", "   .print yes\n");
}

#[test]
fn crlf_line_endings() {
    check(
        "crlf",
        "SELECT 1;\r\nSELECT\r\n 2;\r\n.print hi\r\nSELECT 'a\r\nb';\r\n",
    );
}

#[test]
fn crlf_dot_command_argument() {
    check("crlf dot", ".separator ,\r\nSELECT 1, 2;\r\n");
}

#[test]
fn blank_and_whitespace_lines() {
    check("blank", "\n\n   \nSELECT 1;\n\t\n\nSELECT 2;\n\n");
}

#[test]
fn trailing_statement_without_semicolon_at_eof() {
    check("no semi eof", "SELECT 1;\nSELECT 2");
}

#[test]
fn trailing_statement_without_newline() {
    check("no newline", "SELECT 1;");
}

#[test]
fn trailing_unterminated_string_at_eof() {
    check("unterminated string", "SELECT 1;\nSELECT 'abc");
}

#[test]
fn trailing_incomplete_trigger_at_eof() {
    check(
        "incomplete trigger",
        "CREATE TABLE t(a);\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1;\n",
    );
}

#[test]
fn trailing_open_comment_at_eof() {
    check("open comment", "SELECT 1; /* never closed\n");
}

#[test]
fn go_terminator() {
    check("go", "SELECT 1\ngo\nSELECT 2\nGO\n");
}

#[test]
fn slash_terminator() {
    check("slash", "SELECT 1\n/\nSELECT 2\n  /  \n");
}

#[test]
fn go_inside_statement_text_is_not_terminator() {
    check("go word", "SELECT 1 AS go\n;\n");
}

#[test]
fn lone_semicolons() {
    check("semis", ";\n;;\nSELECT 1;;\n");
}

// ---------------------------------------------------------------- errors

#[test]
fn parse_error_line_number_with_context() {
    check(
        "parse ctx",
        "SELECT 1;\nSELECT 1 +\n  2 +\n  nosuchcol;\nSELECT 3;\n",
    );
}

#[test]
fn parse_error_without_offset() {
    check("no such table", "SELECT 1;\n\nSELECT * FROM nosuch;\n");
}

#[test]
fn syntax_error_message() {
    check("syntax", "SELEC 1;\nSELECT 2;\n");
}

#[test]
fn parse_error_on_long_line_caret() {
    let long = format!("SELECT 1 AS {} , nosuchcol;\n", "abcdefghij".repeat(10));
    check("long caret", &long);
}

#[test]
fn parse_error_far_into_long_line() {
    let long = format!("SELECT {} nosuchcol;\n", "1 + ".repeat(40));
    check("long caret 2", &long);
}

#[test]
fn parse_error_in_second_statement_on_line() {
    check("second on line", "SELECT 1; SELECT nosuchcol; SELECT 3;\n");
}

#[test]
fn runtime_error_line_number() {
    check(
        "runtime",
        "CREATE TABLE u(a UNIQUE);\nINSERT INTO u VALUES(1);\n\nINSERT INTO u VALUES(1);\nSELECT count(*) FROM u;\n",
    );
}

#[test]
fn runtime_error_in_multi_line_statement() {
    check(
        "runtime multi",
        "CREATE TABLE u(a NOT NULL);\nINSERT INTO u\n VALUES\n (NULL);\n",
    );
}

#[test]
fn runtime_error_after_some_rows() {
    check(
        "runtime rows",
        "SELECT 1 UNION ALL SELECT abs(-9223372036854775807-1);\nSELECT 2;\n",
    );
}

#[test]
fn errors_make_exit_code_1_and_continue() {
    check("exit 1", "SELECT nosuch;\nSELECT 2;\n");
}

#[test]
fn bail_option_stops_at_runtime_error() {
    Case::new(
        "bail runtime",
        &["-bail"],
        "CREATE TABLE u(a UNIQUE);\nINSERT INTO u VALUES(1);\nINSERT INTO u VALUES(1);\nSELECT 'after';\n",
    )
    .check();
}

#[test]
fn dot_bail_on_stops() {
    check("dot bail", ".bail on\nSELECT 1;\nSELEC 2;\nSELECT 3;\n");
}

#[test]
fn dot_bail_off_continues() {
    check("dot bail off", ".bail on\n.bail off\nSELEC 2;\nSELECT 3;\n");
}

#[test]
fn dot_bail_usage_error() {
    check("bail usage", ".bail\nSELECT 1;\n");
}

#[test]
fn bail_stops_at_failing_dot_command() {
    check("bail dot", ".bail on\n.bogus\nSELECT 1;\n");
}

#[test]
fn unknown_dot_command() {
    check("unknown dot", ".bogus arg\nSELECT 1;\n");
}

#[test]
fn lone_dot_line() {
    check("lone dot", ".\nSELECT 1;\n");
}

// ---------------------------------------------------------------- .echo

#[test]
fn echo_on_transcript() {
    check(
        "echo",
        ".echo on\nSELECT 1;\nSELECT\n  2;\n-- comment\n\n.print hi\nSELECT 3; SELECT 4;\n.echo off\nSELECT 5;\n",
    );
}

#[test]
fn echo_on_with_error() {
    check("echo err", ".echo on\nSELEC 1;\nSELECT 2;\n");
}

// ---------------------------------------------------------------- .read

fn read_files(s: &Scratch) {
    s.write("a.sql", b"SELECT 'a1';\n.read b.sql\nSELECT 'a2';\n");
    s.write("b.sql", b"SELECT 'b1';\nSELEC 'bad';\nSELECT 'b2';\n");
    s.write("exit.sql", b"SELECT 'before';\n.exit 3\nSELECT 'after';\n");
    s.write("quit.sql", b"SELECT 'before';\n.quit\nSELECT 'after';\n");
    s.write("self.sql", b"SELECT 'self';\n.read self.sql\n");
    s.write(
        "rt.sql",
        b"CREATE TABLE u(a UNIQUE);\nINSERT INTO u VALUES(1);\nINSERT INTO u VALUES(1);\n",
    );
    s.write("noend.sql", b"SELECT 'x'");
}

fn check_read(name: &str, stdin: &str) {
    Case::new(name, &[], stdin).setup(&read_files).check();
}

#[test]
fn read_nested_files_with_error_inside() {
    check_read("read nested", ".read a.sql\nSELECT 'main';\n");
}

#[test]
fn read_missing_file() {
    check_read("read missing", ".read nofile.sql\nSELECT 'main';\n");
}

#[test]
fn read_without_argument() {
    check_read("read noarg", ".read\nSELECT 'main';\n");
}

#[test]
fn read_with_two_arguments() {
    check_read("read two", ".read a.sql b.sql\nSELECT 'main';\n");
}

#[test]
fn read_file_with_exit_code() {
    check_read("read exit", ".read exit.sql\nSELECT 'main';\n");
}

#[test]
fn read_file_with_quit() {
    check_read("read quit", ".read quit.sql\nSELECT 'main';\n");
}

#[test]
fn read_runtime_error_line_number() {
    check_read("read runtime", ".read rt.sql\nSELECT 'main';\n");
}

#[test]
fn read_file_without_final_semicolon() {
    check_read("read noend", ".read noend.sql\nSELECT 'main';\n");
}

#[test]
fn read_from_pipe() {
    check_read("read pipe", ".read '|echo select 1;'\nSELECT 'main';\n");
}

#[test]
fn read_nesting_limit() {
    check_read("read self", ".read self.sql\nSELECT 'main';\n");
}

#[test]
fn read_with_bail_stops_everything() {
    Case::new("read bail", &["-bail"], ".read a.sql\nSELECT 'main';\n")
        .setup(&read_files)
        .check();
}

#[test]
fn read_abbreviation() {
    check_read("read abbrev", ".rea a.sql\n");
}

#[test]
fn read_as_argument() {
    Case::new(
        "read arg",
        &[":memory:", ".read a.sql", "SELECT 'after'"],
        "",
    )
    .setup(&read_files)
    .check();
}

// ---------------------------------------------------------------- .print

#[test]
fn print_words_joined_by_space() {
    check("print", ".print a   b c\n");
}

#[test]
fn print_quoting_and_escapes() {
    check(
        "print quoting",
        ".print 'single \\t quoted' \"double \\t quoted\" bare\\tword \"x\\\"y\" \\101\n",
    );
}

#[test]
fn print_without_arguments() {
    check("print empty", ".print\n.print ''\n");
}

#[test]
fn print_unterminated_quote() {
    check("print unterm", ".print \"abc\n.print 'x\n");
}

// ---------------------------------------------------------------- settings

#[test]
fn headers_on_and_off() {
    check_t(
        "headers",
        ".headers on\nSELECT * FROM t;\n.headers off\nSELECT * FROM t;\n",
    );
}

#[test]
fn headers_with_yes_and_numbers() {
    check_t(
        "headers yes",
        ".headers yes\nSELECT a FROM t LIMIT 1;\n.headers 0\nSELECT a FROM t LIMIT 1;\n.headers 2\nSELECT a FROM t LIMIT 1;\n",
    );
}

#[test]
fn headers_not_a_boolean() {
    check_t(
        "headers bogus",
        ".headers maybe\nSELECT a FROM t LIMIT 1;\n",
    );
}

#[test]
fn headers_usage() {
    check_t("headers usage", ".headers\nSELECT 1;\n");
}

#[test]
fn headers_show_expression_names() {
    check(
        ".headers expr",
        ".headers on\nSELECT 1+1, 'x' AS \"a b\", count(*) FROM (SELECT 1);\n",
    );
}

#[test]
fn nullvalue_setting() {
    check_t(
        "nullvalue",
        ".nullvalue NULL\nSELECT * FROM t;\n.nullvalue ''\nSELECT * FROM t;\n",
    );
}

#[test]
fn nullvalue_usage() {
    check(
        "nullvalue usage",
        ".nullvalue\n.nullvalue a b\nSELECT NULL;\n",
    );
}

#[test]
fn separator_column_and_row() {
    check_t("sep two", ".separator , ;\nSELECT * FROM t;\n");
}

#[test]
fn separator_with_escapes() {
    check_t("sep esc", ".separator \\t \\r\\n\nSELECT * FROM t;\n");
}

#[test]
fn separator_usage_error() {
    check_t("sep usage", ".separator\nSELECT * FROM t;\n");
}

#[test]
fn separator_three_args_usage_error() {
    check_t("sep three", ".separator a b c\nSELECT * FROM t;\n");
}

#[test]
fn separator_longer_than_19_bytes_truncated() {
    check_t(
        "sep long",
        ".separator 0123456789abcdefghijKLMNOP\nSELECT * FROM t;\n",
    );
}

#[test]
fn separator_empty() {
    check_t("sep empty", ".separator ''\nSELECT * FROM t;\n");
}

#[test]
fn changes_on() {
    check(
        "changes",
        ".changes on\nCREATE TABLE c(x);\nINSERT INTO c VALUES(1),(2),(3);\nUPDATE c SET x=x+1;\nSELECT 1;\nDELETE FROM c WHERE x>2;\n.changes off\nINSERT INTO c VALUES(9);\n",
    );
}

#[test]
fn changes_usage() {
    check("changes usage", ".changes\nSELECT 1;\n");
}

#[test]
fn timeout_setting() {
    check_t(
        ".timeout",
        ".timeout 100\nSELECT count(*) FROM t;\n.timeout\n",
    );
}

#[test]
fn timeout_non_numeric() {
    check_t("timeout text", ".timeout abc\nSELECT count(*) FROM t;\n");
}

// ---------------------------------------------------------------- .output / .once

#[test]
fn output_to_file_and_back() {
    Case::new(
        "output file",
        &["t.db"],
        ".output out.txt\nSELECT * FROM t;\n.print printed\n.output\nSELECT 'stdout';\n",
    )
    .setup(&with_t)
    .files(&["out.txt"])
    .check();
}

#[test]
fn output_file_is_truncated_then_appended_by_statements() {
    let setup = |s: &Scratch| {
        with_t(s);
        s.write("out.txt", b"old contents that must vanish\n");
    };
    Case::new(
        "output truncate",
        &["t.db"],
        ".output out.txt\nSELECT 1;\nSELECT 2;\n.output stdout\nSELECT 3;\n",
    )
    .setup(&setup)
    .files(&["out.txt"])
    .check();
}

#[test]
fn once_to_file_only_next_statement() {
    Case::new(
        "once",
        &["t.db"],
        ".once once.txt\nSELECT a FROM t;\nSELECT 'stdout';\n",
    )
    .setup(&with_t)
    .files(&["once.txt"])
    .check();
}

#[test]
fn output_to_pipe() {
    Case::new(
        "output pipe",
        &["t.db"],
        ".output |cat\nSELECT * FROM t;\n.output\nSELECT 'back';\n",
    )
    .setup(&with_t)
    .check();
}

#[test]
fn output_to_pipe_with_tr() {
    check_t(
        "output tr",
        ".output '|tr a-z A-Z'\nSELECT b FROM t;\n.output\n",
    );
}

#[test]
fn output_to_unwritable_path() {
    check_t("output bad", ".output nodir/out.txt\nSELECT 1;\n");
}

#[test]
fn output_with_two_files_is_error() {
    check_t("output two", ".output a.txt b.txt\nSELECT 1;\n");
}

#[test]
fn error_messages_still_go_to_stderr_with_output_file() {
    Case::new(
        "output err",
        &[],
        ".output out.txt\nSELECT 1;\nSELECT nosuch;\nSELECT 2;\n",
    )
    .files(&["out.txt"])
    .check();
}

#[test]
#[ignore = "compat (docs/compat.md): prepare error before the schema is loaded: sqlite3 appends ` (17)` to the message, litesh does not"]
fn prepare_error_before_schema_load_has_code_17() {
    check_t("schema 17", "SELECT nosuch;\nSELECT 1;\n");
}

#[test]
fn prepare_error_after_schema_load_has_no_code() {
    check_t("schema loaded", "SELECT count(*) FROM t;\nSELECT nosuch;\n");
}

#[test]
fn syntax_error_before_schema_load_has_no_code() {
    check_t("syntax first", "SELEC 1;\nSELECT 1;\n");
}

// ---------------------------------------------------------------- abbreviations and exit

#[test]
fn abbreviation_h_is_headers() {
    check_t("h on", ".h on\nSELECT a FROM t LIMIT 1;\n");
}

#[test]
fn abbreviation_he_and_head() {
    check_t(
        "he head",
        ".he on\nSELECT a FROM t LIMIT 1;\n.head off\nSELECT a FROM t LIMIT 1;\n",
    );
}

#[test]
fn abbreviation_sep() {
    check_t("sep", ".sep ,\nSELECT * FROM t;\n");
}

#[test]
fn abbreviation_nu() {
    check_t("nu", ".nu X\nSELECT * FROM t;\n");
}

#[test]
fn abbreviation_pr() {
    check("pr", ".pr hi\n");
}

#[test]
fn abbreviation_ec() {
    check("ec", ".ec on\nSELECT 1;\n");
}

#[test]
fn abbreviation_q() {
    check("q", "SELECT 1;\n.q\nSELECT 2;\n");
}

#[test]
fn abbreviation_ex() {
    check("ex", "SELECT 1;\n.ex\nSELECT 2;\n");
}

#[test]
fn abbreviation_r_is_recover() {
    Case::new("r", &[], ".r a.sql\n").setup(&read_files).check();
}

#[test]
fn exit_with_code() {
    check("exit 5", "SELECT 1;\n.exit 5\nSELECT 2;\n");
}

#[test]
fn exit_with_zero_after_error() {
    check("exit 0 after error", "SELEC 1;\n.exit 0\n");
}

#[test]
fn exit_without_code_after_error() {
    check("exit after error", "SELEC 1;\n.exit\n");
}

#[test]
fn exit_with_non_numeric_code() {
    check("exit abc", ".exit abc\n");
}

#[test]
fn exit_with_large_code() {
    check("exit 300", ".exit 300\n");
}

#[test]
fn quit_with_argument_is_error() {
    check("quit arg", ".quit 3\nSELECT 2;\n");
}

// ---------------------------------------------------------------- bytes

#[test]
fn invalid_utf8_in_string_round_trips() {
    check_bytes(
        "invalid utf8",
        b"SELECT 'a\xff\xfeb', length('\xff'), hex('\xc3\x28');\n",
    );
}

#[test]
fn invalid_utf8_stored_and_selected() {
    check_bytes(
        "invalid utf8 table",
        b"CREATE TABLE x(v);\nINSERT INTO x VALUES('\x80\x81');\nSELECT v, hex(v) FROM x;\n",
    );
}

#[test]
fn invalid_utf8_in_print() {
    check_bytes("invalid utf8 print", b".print \xff\xfe\n");
}

#[test]
fn nul_byte_in_input_line() {
    check_bytes("nul", b"SELECT 1;\nSELECT 'a\x00b';\nSELECT 2;\n");
}

#[test]
fn nul_byte_after_statement() {
    check_bytes("nul after", b"SELECT 1;\x00 SELECT 9;\nSELECT 2;\n");
}

#[test]
fn utf8_bom_at_start() {
    check_bytes("bom", b"\xef\xbb\xbfSELECT 1;\n");
}

#[test]
fn control_characters_in_output_are_raw() {
    check("control", "SELECT char(1,2,9,27) || 'x';\n");
}

#[test]
fn echo_goes_to_the_current_output() {
    Case::new(
        "echo redirected",
        &[],
        ".echo on\n.output out.txt\nselect 1;\n-- note\n.print x\n.output\nselect 2;\n",
    )
    .files(&["out.txt"])
    .check();
}
