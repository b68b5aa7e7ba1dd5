//! Pipelines stay sqlite3's: a script through pipes gives the same bytes with and without
//! `-batch`, and the same as sqlite3; with stdin piped and stdout a terminal, the terminal
//! gets exactly what sqlite3 gives it (no colour, no escape at all); and nothing written
//! to a pipe ever holds an escape byte, even with a terminal around, nor when the line
//! editor runs at the terminal while stdout is piped.

use super::{show_escapes, Term};
use crate::harness::{litesh, require_sqlite3, run_in, show, Case, Scratch};

const SCRIPT: &str = "\
create table t(a integer, b text, c real);
insert into t values(1,'one',1.5),(2,'two',NULL),(NULL,'it''s',-0.25);
select * from t;
.headers on
.mode box
select * from t;
.mode table
select a, b from t order by a;
selec oops;
.mode column
select b, c from t order by b;
.mode list
.tables
select count(*) from t;
";

#[test]
fn a_piped_script_is_the_same_with_and_without_batch_and_as_sqlite3() {
    Case::new("piped script", &["a.db"], SCRIPT).check();
    Case::new("piped script, -batch", &["-batch", "a.db"], SCRIPT).check();

    let a = Scratch::new();
    let b = Scratch::new();
    let plain = run_in(&litesh(), a.path(), &["a.db"], SCRIPT.as_bytes());
    let batch = run_in(&litesh(), b.path(), &["-batch", "a.db"], SCRIPT.as_bytes());
    assert_eq!(plain, batch);
    // The script did run: its tables, its error and its exit code.
    assert!(show(&plain.stdout).contains("│ it's │"), "{plain:?}");
    assert!(
        show(&plain.stderr).contains("Parse error near line 9"),
        "{plain:?}"
    );
    assert_eq!(plain.code, Some(1));
    for bytes in [&plain.stdout, &plain.stderr] {
        assert!(!bytes.contains(&0x1b), "{}", show_escapes(bytes));
    }
}

/// `cat script.sql | PROGRAM DB` in a pane: the whole screen and every byte written to it.
fn piped_to_a_terminal(term: &Term, program: &str, db: &str) -> (String, Vec<u8>) {
    let s = term.start_recorded(&format!("cat script.sql | {program} {db}"));
    let code = s.wait_exit();
    assert_eq!(code, 1, "{}", s.all());
    (s.all(), s.raw())
}

#[test]
fn stdin_piped_stdout_a_terminal_shows_what_sqlite3_shows() {
    if !require_sqlite3() {
        return;
    }
    let Some(term) = Term::new() else { return };
    term.write("script.sql", SCRIPT);
    let (got, got_raw) = piped_to_a_terminal(&term, "litesh", "a.db");
    let (want, want_raw) = piped_to_a_terminal(&term, "sqlite3", "b.db");
    assert!(
        !got_raw.contains(&0x1b),
        "an escape byte reached the terminal:\n{}",
        show_escapes(&got_raw)
    );
    // With stdin piped there is no banner, so there is nothing to normalise.
    assert!(!got.contains("SQLite version"), "{got}");
    assert_eq!(got, want);
    assert_eq!(show(&got_raw), show(&want_raw));
}

#[test]
fn no_escape_byte_reaches_a_pipe_with_a_terminal_around() {
    let Some(term) = Term::new() else { return };
    term.write("script.sql", SCRIPT);
    // stdout through od into a file; stderr stays on the terminal.
    let s = term.start_recorded("litesh c.db < script.sql | od -An -tx1 -v > od.txt");
    s.wait_exit();
    let od = std::fs::read_to_string(term.file("od.txt")).unwrap();
    let bytes: Vec<u8> = od
        .split_whitespace()
        .map(|h| u8::from_str_radix(h, 16).expect("od output"))
        .collect();
    assert!(
        show(&bytes).contains("│ it's │"),
        "the script ran: {}",
        show(&bytes)
    );
    assert!(!bytes.contains(&0x1b), "{}", show_escapes(&bytes));
    // What went to the terminal (the error message) is plain too.
    let raw = s.raw();
    assert!(
        show(&raw).contains("Parse error near line 9"),
        "{}",
        show(&raw)
    );
    assert!(!raw.contains(&0x1b), "{}", show_escapes(&raw));
    assert!(term.file("c.db").exists());
}

#[test]
fn typing_at_the_terminal_with_stdout_piped_puts_no_escape_in_the_pipe() {
    let Some(term) = Term::new() else { return };
    let s = term.start("litesh | cat > out.bin");
    s.run("select 'it''s', 1;");
    s.run(".mode pretty");
    s.run("select 'x' as a, null as b;");
    s.run("selec;");
    s.wait_for("syntax error");
    s.wait_prompt();
    s.key("C-d");
    s.wait_exit();
    let out = std::fs::read(term.file("out.bin")).unwrap();
    assert!(show(&out).contains("it's|1\n"), "{}", show_escapes(&out));
    assert!(show(&out).contains("(1 row)"), "{}", show_escapes(&out));
    assert!(!out.contains(&0x1b), "{}", show_escapes(&out));
}
