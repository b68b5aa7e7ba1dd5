//! `.import` against sqlite3 3.40.1: options and their defaults from the output mode, the
//! CSV and ASCII readers (quotes, newlines, CRLF, BOM, ragged rows), creating a table from
//! the header row, inserting into an existing one, `|command` sources, usage and INSERT
//! errors, transactions and safe mode. Every case compares stdout, stderr, the exit code
//! and, where it matters, the resulting database.

use crate::harness::{Case, Scratch};

/// A script that imports `data` (written to `in.csv`) with `cmd`, then shows the table.
fn import_show(name: &str, data: &[u8], cmd: &str) {
    let setup = |s: &Scratch| s.write("in.csv", data);
    let script = format!("{cmd}\n.mode quote\nSELECT * FROM t;\nSELECT sql FROM sqlite_schema;\n");
    Case::new(name, &["x.db"], &script)
        .setup(&setup)
        .dbs(&["x.db"])
        .check();
}

fn csv(name: &str, data: &[u8]) {
    import_show(name, data, ".import --csv -v in.csv t");
}

/// An existing table `t(a,b,c)` in `x.db`, then `script`.
fn into_existing(name: &str, data: &[u8], script: &str) {
    let setup = |s: &Scratch| {
        s.write("in.csv", data);
        s.db("x.db", "CREATE TABLE t(a,b,c);");
    };
    let script = format!("{script}\n.mode quote\nSELECT * FROM t;\n");
    Case::new(name, &["x.db"], &script)
        .setup(&setup)
        .dbs(&["x.db"])
        .check();
}

// ---------------------------------------------------------------- creating the table

#[test]
fn header_row_names_the_columns() {
    csv("header", b"a,b,c\n1,2,3\n4,5,6\n");
}

#[test]
fn create_table_text_puts_four_columns_on_a_line() {
    csv("wide", b"a,b,c,d,e,f,g,h,i,j\n1,2,3,4,5,6,7,8,9,10\n");
}

#[test]
fn duplicate_and_empty_header_names_are_renamed() {
    csv("dupes", b"a,b,a,A,,b,\n1,2,3,4,5,6,7\n");
}

#[test]
fn renaming_that_clashes_adds_zeros() {
    csv("clash", b"a,a,a_1\n1,2,3\n");
}

#[test]
fn renaming_with_ten_columns_clashes_like_3_40_1() {
    csv("clash10", b"a,a,a_01,d,e,f,g,h,i,j\n1,2,3,4,5,6,7,8,9,10\n");
}

#[test]
fn header_names_with_quotes_and_spaces() {
    csv("quoted names", b"\"x \"\"y\"\"\",\" z \",w\"v\n1,2,3\n");
}

#[test]
fn header_only_creates_an_empty_table() {
    csv("header only", b"a,b\n");
    csv("header no newline", b"a,b");
}

#[test]
fn a_blank_header_line_makes_a_question_mark_column() {
    csv("blank header", b"\n1\n2,3\n");
}

#[test]
fn table_and_schema_names_are_quoted() {
    import_show(
        "odd table name",
        b"a\n1\n",
        ".import --csv in.csv \"t\"\nALTER TABLE t RENAME TO u;\n.import --csv in.csv \"my \"\"tab\"\"\"\nALTER TABLE \"my \"\"tab\"\"\" RENAME TO t;",
    );
}

// ---------------------------------------------------------------- existing tables

#[test]
fn an_existing_table_gets_every_row_including_the_first() {
    into_existing("existing", b"a,b,c\n1,2,3\n", ".import --csv in.csv t");
}

#[test]
fn short_and_long_rows_are_filled_or_cut() {
    into_existing(
        "ragged",
        b"1\n1,2\n1,2,3\n1,2,3,4\n1,2,3,4,5,6\n1,2,\n1,2,3,\n,\n",
        ".import --csv in.csv t",
    );
}

#[test]
fn empty_lines_are_rows_of_one_empty_field() {
    into_existing("empty lines", b"1,2,3\n\n\n4,5,6", ".import --csv in.csv t");
}

#[test]
fn a_trailing_separator_at_the_end_of_input() {
    into_existing("trailing sep eof", b"1,2,", ".import --csv in.csv t");
    into_existing("trailing sep eof 2", b"1,2,3,", ".import --csv in.csv t");
}

#[test]
fn skip_drops_rows() {
    into_existing(
        "skip",
        b"h1,h2,h3\n\"multi\nline\",x,y\n1,2,3\n",
        ".import --csv --skip 1 in.csv t",
    );
    into_existing("skip more", b"a\nb\n", ".import --csv --skip 5 in.csv t");
    into_existing(
        "skip negative",
        b"a\nb\n",
        ".import --csv -skip -3 in.csv t",
    );
    into_existing("skip words", b"a\nb\n", ".import --csv -skip abc in.csv t");
    import_show(
        "skip then header",
        b"junk,junk\na,b\n1,2\n",
        ".import --csv --skip 1 -v in.csv t",
    );
}

#[test]
fn a_view_cannot_be_imported_into() {
    let setup = |s: &Scratch| {
        s.write("in.csv", b"1,2\n");
        s.db(
            "x.db",
            "CREATE TABLE t(a,b); CREATE VIEW v AS SELECT * FROM t;",
        );
    };
    Case::new("view", &["x.db"], ".import --csv in.csv v\nSELECT 1;\n")
        .setup(&setup)
        .dbs(&["x.db"])
        .check();
}

#[test]
fn schema_option_targets_an_attached_database() {
    let setup = |s: &Scratch| s.write("in.csv", b"a,b\n1,2\n");
    Case::new(
        "schema",
        &["x.db"],
        "ATTACH 'aux.db' AS aux;\n.import --csv --schema aux in.csv t\nSELECT * FROM aux.t;\n.import --csv --schema aux in.csv t\nSELECT * FROM aux.t;\n.import --csv --schema nosuch in.csv t\n.import --csv -schema main in.csv t\nSELECT * FROM main.t;\n",
    )
    .setup(&setup)
    .dbs(&["x.db", "aux.db"])
    .check();
}

// ---------------------------------------------------------------- the CSV reader

#[test]
fn doubled_quotes_inside_quotes() {
    csv("doubled", b"a,b\n\"x\"\"y\",\"\"\"\"\n\"\",\"\"\"\"\"\"\n");
}

#[test]
fn a_quote_inside_an_unquoted_field_is_literal() {
    csv("mid quote", b"a,b\nx\"y,z\"\n");
}

#[test]
fn white_space_around_quotes() {
    csv("space before", b"a,b\n \"x\",y\n");
    csv("space after", b"a,b\n\"x\" ,y\n\"p\",q\n");
}

#[test]
fn a_lone_quote_inside_quotes_swallows_the_rest() {
    csv("unescaped", b"a,b\n\"x\"y,z\n1,2\n\"3\",\"4\"\n");
}

#[test]
fn unterminated_quotes_report_the_starting_line() {
    csv("unterminated", b"a,b\n1,2\n\"3\n4,5\n6\n");
    csv("unterminated header", b"\"a,b\n1,2\n");
    csv("lone quote", b"a\n\"");
}

#[test]
fn embedded_newlines_and_line_numbers() {
    csv("newlines", b"a,b,c\n\"1\n2\",x\n\"3\r\n4\",y,z,w\n5,6,7\n");
}

#[test]
fn crlf_line_endings() {
    csv(
        "crlf",
        b"a,b\r\n1,2\r\n\"3\",\"4\"\r\n5,\"6\r\n7\"\r\n8,9\r\r\n",
    );
}

#[test]
fn a_bare_cr_is_data() {
    csv("cr", b"a,b\r1,2\n3\r,4\r\n");
}

#[test]
fn the_byte_order_mark_is_skipped_at_the_start_only() {
    csv("bom", b"\xef\xbb\xbfa,b\n\xef\xbb\xbf1,2\n");
    csv("bom quoted", b"\xef\xbb\xbf\"a\",b\n1,2\n");
    csv("half bom", b"\xef\xbbx,b\n1,2\n");
    csv("bom only", b"\xef\xbb\xbf");
}

#[test]
fn nul_bytes_end_the_text_of_a_field() {
    csv("nul", b"a\x00z,b\n1\x002,3\n\x00,4\n");
}

#[test]
fn bytes_that_are_not_utf8_are_kept() {
    csv("latin1", b"caf\xe9,b\n\xff\xfe,\x80\n");
}

#[test]
fn a_table_name_that_is_not_utf8() {
    let setup = |s: &Scratch| s.write("in.csv", b"a,b\n1,2\n3\n");
    let mut script = b".import --csv in.csv t\xe9\n.import --csv in.csv t\xe9\n".to_vec();
    script.extend_from_slice(b".mode quote\nSELECT * FROM \"t\xe9\";\n");
    Case::new("latin1 table", &["x.db"], "")
        .stdin_bytes(&script)
        .setup(&setup)
        .dbs(&["x.db"])
        .check();
}

#[test]
fn empty_files() {
    csv("empty new", b"");
    into_existing("empty existing", b"", ".import --csv in.csv t");
}

// ---------------------------------------------------------------- separators and modes

#[test]
fn list_mode_uses_the_pipe() {
    import_show("list", b"a|b\n1|\"2|3\"\n", ".import -v in.csv t");
}

#[test]
fn csv_mode_reads_lf_and_keeps_lf_for_output_afterwards() {
    let setup = |s: &Scratch| s.write("in.csv", b"a,b\r\n1,2\r\n");
    Case::new(
        "csv mode",
        &["x.db"],
        "SELECT 'before', 1;\n.mode csv\nSELECT 'csv', 1;\n.import -v in.csv t\nSELECT * FROM t;\n",
    )
    .setup(&setup)
    .dbs(&["x.db"])
    .check();
}

#[test]
fn csv_option_keeps_the_output_separator() {
    let setup = |s: &Scratch| s.write("in.csv", b"a,b\n1,2\n");
    Case::new(
        "csv option",
        &["x.db"],
        ".mode csv\n.import --csv -v in.csv t\nSELECT * FROM t;\n",
    )
    .setup(&setup)
    .check();
}

#[test]
fn tabs_and_custom_separators() {
    import_show("tabs", b"a\tb\n1\t2\n", ".mode tabs\n.import -v in.csv t");
    import_show("semicolon", b"a;b\n1;2\n", ".separator ;\n.import in.csv t");
    import_show(
        "custom row",
        b"a,b;1,2;3,\"4;5\";",
        ".separator , ;\n.import -v in.csv t",
    );
    import_show(
        "tab row",
        b"a,b\t1,2\r\t",
        ".separator , \\t\n.import -v in.csv t",
    );
    import_show(
        "same both",
        b"a,b\n1,2\n",
        ".separator , ,\n.import -v in.csv t",
    );
    import_show(
        "quote sep",
        b"a\"b\n1\"2\n",
        ".separator \"\\\"\"\n.import -v in.csv t",
    );
}

#[test]
fn separators_that_import_refuses() {
    import_show("multi col", b"a\n", ".separator ::\n.import in.csv t");
    import_show(
        "multi row",
        b"a\n",
        ".separator , \"\\r\\n\"\n.import in.csv t",
    );
    import_show("empty col", b"a\n", ".separator \"\"\n.import in.csv t");
    import_show("empty row", b"a\n", ".separator , \"\"\n.import in.csv t");
    import_show(
        "utf8 col",
        "a\n".as_bytes(),
        ".separator é\n.import in.csv t",
    );
}

#[test]
fn a_high_byte_separator_never_matches() {
    import_show(
        "high sep",
        b"a\x80b\n1\x802\n",
        ".separator \"\\200\"\n.import -v in.csv t",
    );
}

#[test]
fn other_output_modes_use_their_separators() {
    for mode in [
        "column", "box", "line", "json", "quote", "tcl", "html", "insert",
    ] {
        import_show(
            mode,
            b"a|b,c\n1|2,3\n",
            &format!(".mode {mode}\n.import -v in.csv t\n.mode list"),
        );
    }
}

#[test]
fn ascii_mode_and_option() {
    let data = b"a\x1fb\x1e1\x1f2\x1e\x1e3\x1f\"4\r\n\"\x1e\x1f5\x1e6\x1f7\x1f8\x1e9";
    import_show(
        "ascii mode",
        data,
        ".mode ascii\n.import -v in.csv t\n.mode list",
    );
    import_show("ascii option", data, ".import --ascii -v in.csv t");
    import_show(
        "csv option in ascii mode",
        b"a,b\n1,2\n\n,3\n",
        ".mode ascii\n.import --csv -v in.csv t\n.mode list",
    );
    import_show("ascii empty", b"", ".import --ascii in.csv t");
    import_show(
        "ascii bom",
        b"\xef\xbb\xbfa\x1e1\x1e",
        ".import --ascii in.csv t",
    );
}

#[test]
fn ascii_mode_reinserts_the_previous_row_after_a_stray_separator() {
    let setup = |s: &Scratch| {
        s.write("in.txt", b"1\x1e\x1f2\x1e");
        s.db("x.db", "CREATE TABLE t(a);");
    };
    Case::new(
        "ascii stale",
        &["x.db"],
        ".mode ascii\n.import -v in.txt t\n.mode quote\nSELECT * FROM t;\n",
    )
    .setup(&setup)
    .dbs(&["x.db"])
    .check();
}

#[test]
fn verbose_twice_shows_separators_and_the_insert() {
    import_show("vv", b"a,b\n1,2\n", ".import --csv -v -v in.csv t");
    import_show("vv ascii", b"a\x1fb\x1e", ".import --ascii -v --v in.csv t");
}

// ---------------------------------------------------------------- sources

#[test]
fn a_missing_file_cannot_be_opened() {
    Case::new(
        "missing",
        &[":memory:"],
        ".import nosuch.csv t\nSELECT 1;\n",
    )
    .check();
    Case::new("missing arg", &[":memory:", ".import nosuch.csv t"], "").check();
}

#[test]
fn a_directory_reads_as_empty() {
    let setup = |s: &Scratch| s.write("d/f", b"");
    Case::new("dir", &[":memory:"], ".import d t\nSELECT 1;\n")
        .setup(&setup)
        .check();
}

#[test]
fn a_command_can_produce_the_input() {
    import_show(
        "pipe",
        b"",
        ".import --csv -v \"|printf 'a,a\\\\n1,2\\\\n3\\\\n'\" t",
    );
    import_show("pipe cat", b"a,b\n\"x\n", ".import --csv '|cat in.csv' t");
    import_show("pipe args", b"a,b\n1,2\n", ".import --csv |cat t");
    import_show("pipe empty", b"", ".import --csv '|true' t");
    import_show(
        "pipe stderr",
        b"",
        ".import --csv '|echo oops >&2; echo a' t",
    );
}

// ---------------------------------------------------------------- usage

#[test]
fn usage_errors_print_the_help_on_stdout() {
    for (i, args) in [
        "",
        "in.csv",
        "in.csv t extra",
        "--bogus in.csv t",
        "-bogus in.csv t",
        "--",
        "-",
        "in.csv t --schema",
        "in.csv t -skip",
        "-V in.csv t",
    ]
    .iter()
    .enumerate()
    {
        let script = format!(".import {args}\nSELECT {i};\n");
        Case::new(args, &[":memory:"], &script).check();
    }
}

#[test]
fn usage_error_as_an_argument_stops() {
    Case::new("usage arg", &[":memory:", ".import", "SELECT 1"], "").check();
}

#[test]
fn an_empty_file_name_cannot_be_opened() {
    Case::new("empty name", &[":memory:"], ".import \"\" t\n").check();
}

// ---------------------------------------------------------------- errors and transactions

#[test]
fn failed_inserts_are_reported_and_skipped() {
    let setup = |s: &Scratch| {
        s.write("mid.csv", b"1,a\n1,b\n2,c\n");
        s.write("last.csv", b"3,a\n4,b\n3,c\n");
        s.db("x.db", "CREATE TABLE t(a UNIQUE, b NOT NULL);");
    };
    Case::new(
        "insert errors",
        &["x.db"],
        ".import --csv -v mid.csv t\nSELECT 'after mid';\n.import --csv -v last.csv t\nSELECT * FROM t;\n",
    )
    .setup(&setup)
    .dbs(&["x.db"])
    .check();
}

#[test]
fn a_failing_last_insert_fails_the_command() {
    let setup = |s: &Scratch| {
        s.write("last.csv", b"3,a\n4,b\n3,c\n");
        s.write("mid.csv", b"3,a\n4,b\n5,c\n");
        s.db(
            "x.db",
            "CREATE TABLE t(a UNIQUE, b);INSERT INTO t VALUES(3,'x');",
        );
    };
    Case::new("last fails", &["x.db"], ".import --csv last.csv t\n")
        .setup(&setup)
        .dbs(&["x.db"])
        .check();
    Case::new("mid fails", &["x.db"], ".import --csv mid.csv t\n")
        .setup(&setup)
        .dbs(&["x.db"])
        .check();
    Case::new(
        "bail",
        &["-bail", "x.db"],
        ".import --csv last.csv t\nSELECT 'not reached';\n",
    )
    .setup(&setup)
    .check();
}

#[test]
fn a_failing_last_insert_as_an_argument_exits_with_its_code() {
    let setup = |s: &Scratch| {
        s.write("last.csv", b"3,a\n4,b\n3,c\n");
        s.db("x.db", "CREATE TABLE t(a UNIQUE, b);");
    };
    Case::new("last fails arg", &["x.db", ".import --csv last.csv t"], "")
        .setup(&setup)
        .dbs(&["x.db"])
        .check();
}

#[test]
fn filled_nulls_meet_not_null() {
    let setup = |s: &Scratch| {
        s.write("in.csv", b"1,2\n3\n");
        s.db("x.db", "CREATE TABLE t(a, b NOT NULL);");
    };
    Case::new("not null", &["x.db"], ".import --csv -v in.csv t\n")
        .setup(&setup)
        .dbs(&["x.db"])
        .check();
}

#[test]
fn the_import_is_one_transaction_or_joins_the_open_one() {
    let setup = |s: &Scratch| {
        s.write("in.csv", b"a,b\n1,2\n3,4\n");
        s.db("x.db", "CREATE TABLE log(n); CREATE TABLE u(a,b); CREATE TRIGGER tr AFTER INSERT ON u BEGIN INSERT INTO log VALUES((SELECT count(*) FROM u)); END;");
    };
    Case::new(
        "transactions",
        &["x.db"],
        "BEGIN;\n.import --csv in.csv t\n.import --csv in.csv u\nROLLBACK;\nSELECT count(*) FROM sqlite_schema WHERE name='t';\n.import --csv in.csv u\nSELECT * FROM log;\n",
    )
    .setup(&setup)
    .dbs(&["x.db"])
    .check();
}

#[test]
fn a_rollback_conflict_ends_the_transaction_early() {
    let setup = |s: &Scratch| {
        s.write("in.csv", b"1\n2\n1\n3\n");
        s.db("x.db", "CREATE TABLE t(a UNIQUE ON CONFLICT ROLLBACK);");
    };
    Case::new(
        "rollback conflict",
        &["x.db"],
        ".import --csv -v in.csv t\nSELECT * FROM t;\n",
    )
    .setup(&setup)
    .dbs(&["x.db"])
    .check();
}

#[test]
fn create_table_failure_is_reported() {
    let setup = |s: &Scratch| s.write("in.csv", b"a,b\n1,2\n");
    Case::new(
        "create fails",
        &["x.db"],
        ".import --csv in.csv sqlite_x\n.import --csv --schema temp in.csv sqlite_y\nSELECT 1;\n",
    )
    .setup(&setup)
    .dbs(&["x.db"])
    .check();
}

#[test]
fn safe_mode_blocks_import() {
    let setup = |s: &Scratch| s.write("in.csv", b"a\n1\n");
    Case::new(
        "safe",
        &["-safe", ":memory:"],
        "SELECT 1;\n.import in.csv t\nSELECT 2;\n",
    )
    .setup(&setup)
    .check();
    Case::new("safe arg", &["-safe", ":memory:", ".import in.csv t"], "")
        .setup(&setup)
        .check();
}

#[test]
fn import_as_a_command_line_argument() {
    let setup = |s: &Scratch| s.write("in.csv", b"a,b\n1,2\n");
    Case::new(
        "arg",
        &["x.db", ".import --csv -v in.csv t", "SELECT * FROM t"],
        "",
    )
    .setup(&setup)
    .dbs(&["x.db"])
    .check();
}

#[test]
fn verbose_output_follows_output_redirection() {
    let setup = |s: &Scratch| s.write("in.csv", b"a,b\n1,2\n");
    Case::new(
        "output file",
        &["x.db"],
        ".output o.txt\n.import --csv -v in.csv t\n.output\nSELECT 1;\n",
    )
    .setup(&setup)
    .files(&["o.txt"])
    .dbs(&["x.db"])
    .check();
}

// ---------------------------------------------------------------- many small inputs

/// A small deterministic generator (no dependency needed for a fixed sequence).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn random_inputs_read_like_sqlite3() {
    const ALPHABET: &[u8] = b"ab,,\"\"\n\n\r \x1f\x1e";
    let mut rng = Lcg(0x5eed);
    let mut script = String::new();
    let files: Vec<Vec<u8>> = (0..60)
        .map(|_| {
            let len = (rng.next() % 24) as usize;
            (0..len)
                .map(|_| ALPHABET[(rng.next() % ALPHABET.len() as u64) as usize])
                .collect()
        })
        .collect();
    for i in 0..files.len() {
        script.push_str(&format!(
            ".import --csv -v f{i} c{i}\n.import --ascii f{i} a{i}\nCREATE TABLE e{i}(x,y);\n.import --csv f{i} e{i}\n"
        ));
    }
    script.push_str(".mode quote\n");
    for i in 0..files.len() {
        script.push_str(&format!(
            "SELECT 'c{i}', * FROM c{i};\nSELECT 'a{i}', * FROM a{i};\nSELECT 'e{i}', * FROM e{i};\n"
        ));
    }
    let setup = move |s: &Scratch| {
        for (i, f) in files.iter().enumerate() {
            s.write(&format!("f{i}"), f);
        }
    };
    Case::new("random", &[":memory:"], &script)
        .setup(&setup)
        .check();
}
