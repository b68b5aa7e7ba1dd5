//! Ctrl-C: during a query it interrupts the statement (`Runtime error: interrupted (9)`,
//! as sqlite3 says) and the shell goes on, with the database intact; at the prompt it
//! drops what was typed of a statement.

use std::time::{Duration, Instant};

use super::{Session, Term};
use crate::harness::require_sqlite3;

const ENDLESS: &str =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c;";

const INTERRUPTED: &str = "Runtime error: interrupted (9)";

/// Runs a statement that never ends and presses Ctrl-C once it runs. A Ctrl-C that comes
/// before the statement has started may find nothing to interrupt; then one more is sent
/// (two are allowed before the shell gives up: the third one exits).
fn interrupt(s: &Session, sql: &str) -> String {
    let seen = |screen: &str| screen.matches(INTERRUPTED).count();
    let before = seen(&s.wait_prompt());
    s.send(sql);
    s.enter_long_running();
    s.key("C-c");
    let start = Instant::now();
    loop {
        let screen = s.screen();
        if seen(&screen) > before {
            return screen;
        }
        if start.elapsed() > Duration::from_secs(3) {
            s.key("C-c");
            return s.wait_until("the interrupted message", |sc| seen(sc) > before);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `PRAGMA integrity_check` and the row count of `t`, read outside the terminal.
fn check_db(term: &Term) -> String {
    let out = term.sql("t.db", "PRAGMA integrity_check; SELECT count(*) FROM t;");
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// The session: the endless count, `select 42;`, an endless insert, then the row count.
fn session(term: &Term, program: &str) -> (String, i32) {
    let s = term.start(&format!("{program} t.db"));
    interrupt(&s, ENDLESS);
    s.run("select 42;");
    s.wait_line("42");
    interrupt(
        &s,
        "INSERT INTO t SELECT x FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL \
         SELECT x+1 FROM c) SELECT x FROM c);",
    );
    s.run("select count(*) || ' rows' from t;");
    s.wait_line("2 rows");
    s.wait_prompt();
    s.key("C-d");
    let code = s.wait_exit();
    (s.screen(), code)
}

#[test]
fn ctrl_c_interrupts_a_query_and_the_shell_goes_on() {
    let Some(term) = Term::new() else { return };
    term.db("t.db", "CREATE TABLE t(x); INSERT INTO t VALUES(1),(2);");
    let (screen, code) = session(&term, "litesh");
    assert_eq!(
        screen.matches(INTERRUPTED).count(),
        2,
        "one message for each interrupted statement:\n{screen}"
    );
    assert!(screen.lines().any(|l| l == "42"), "{screen}");
    // The interrupted statements are errors of the session.
    assert_eq!(code, 1, "{screen}");
    assert_eq!(check_db(&term), "ok\n2\n");

    // sqlite3, on a fresh copy of the database, in the same pane set-up.
    if !require_sqlite3() {
        return;
    }
    std::fs::remove_file(term.file("t.db")).unwrap();
    term.db("t.db", "CREATE TABLE t(x); INSERT INTO t VALUES(1),(2);");
    let (want, want_code) = session(&term, "sqlite3");
    let body = |s: &str| -> String {
        s.lines()
            .filter(|l| !l.starts_with("SQLite version "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body(&screen), body(&want));
    assert_eq!(code, want_code);
}

#[test]
fn ctrl_c_at_the_prompt_drops_a_half_typed_statement() {
    let Some(term) = Term::new() else { return };
    let s = term.start("litesh");
    s.run("select 1,");
    s.wait_cont();
    s.send("2");
    s.wait_for("   ...> 2");
    s.key("C-c");
    s.wait_line("^C");
    s.run("select 3;");
    s.wait_line("3");
    let screen = s.wait_prompt();
    let rows: Vec<&str> = screen.lines().rev().take(5).collect();
    assert_eq!(
        rows,
        [super::PROMPT, "3", "sqlite> select 3;", "^C", "   ...> 2"],
        "{screen}"
    );
    assert!(!screen.contains("error"), "{screen}");
    s.key("C-d");
    // Nothing failed: a dropped statement is not an error.
    assert_eq!(s.wait_exit(), 0);
}
