//! The banner, the prompts, multi-line statements and the exit code Ctrl-D (or `.exit N`)
//! leaves, each also run through /usr/bin/sqlite3 in the same pane set-up and compared
//! screen for screen (the banner's version line aside).

use super::{Session, Term, CONT_PROMPT, PROMPT};
use crate::harness::require_sqlite3;

/// The screen with the banner's version line made the same for every SQLite version.
fn normalise_version(screen: &str) -> String {
    screen
        .lines()
        .map(|l| {
            if l.starts_with("SQLite version ") {
                "SQLite version <version>"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const BANNER: &str = "SQLite version <version>\nEnter \".help\" for usage hints.";
const IN_MEMORY: &str = "Connected to a transient in-memory database.\n\
                         Use \".open FILENAME\" to reopen on a persistent database.";

/// Starts `program args` and returns the screen once the prompt shows.
fn first_screen(term: &Term, program: &str, args: &str) -> String {
    let s = term.start(&format!("{program} {args}"));
    normalise_version(&s.wait_prompt())
}

#[test]
fn banner_and_in_memory_notice_without_a_file() {
    let Some(term) = Term::new() else { return };
    let got = first_screen(&term, "litesh", "");
    assert_eq!(got, format!("{BANNER}\n{IN_MEMORY}\n{PROMPT}"));
    if require_sqlite3() {
        assert_eq!(got, first_screen(&term, "sqlite3", ""));
    }
}

#[test]
fn banner_without_the_notice_when_a_file_is_named() {
    let Some(term) = Term::new() else { return };
    term.db("test.db", "CREATE TABLE t(x);");
    let got = first_screen(&term, "litesh", "test.db");
    assert_eq!(got, format!("{BANNER}\n{PROMPT}"));
    // A file that does not exist yet is named too: still no notice.
    assert_eq!(
        first_screen(&term, "litesh", "new.db"),
        format!("{BANNER}\n{PROMPT}")
    );
    if require_sqlite3() {
        assert_eq!(got, first_screen(&term, "sqlite3", "test.db"));
    }
}

/// `select 1 +` Enter `2;` Enter: the continuation prompt, then the sum.
fn multi_line(s: &Session) -> String {
    s.run("select 1 +");
    s.wait_cont();
    s.line("2;");
    s.wait_line("3");
    normalise_version(&s.wait_prompt())
}

#[test]
fn a_statement_over_two_lines_gets_the_continuation_prompt() {
    let Some(term) = Term::new() else { return };
    let got = multi_line(&term.start("litesh"));
    let tail: Vec<&str> = got.lines().rev().take(4).collect();
    assert_eq!(
        tail,
        [
            PROMPT,
            "3",
            &format!("{CONT_PROMPT} 2;"),
            "sqlite> select 1 +"
        ],
        "{got}"
    );
    if require_sqlite3() {
        assert_eq!(got, multi_line(&term.start("sqlite3")));
    }
}

/// Runs `lines` at the prompt, then Ctrl-D; returns the screen and the exit code.
fn session_exit(term: &Term, program: &str, lines: &[&str]) -> (String, i32) {
    let s = term.start(program);
    for l in lines {
        s.run(l);
    }
    s.wait_prompt();
    s.key("C-d");
    let code = s.wait_exit();
    (normalise_version(&s.screen()), code)
}

#[test]
fn ctrl_d_after_a_clean_session_exits_0() {
    let Some(term) = Term::new() else { return };
    let (screen, code) = session_exit(&term, "litesh", &["select 'fine' || 1;"]);
    assert!(screen.lines().any(|l| l == "fine1"), "{screen}");
    assert_eq!(code, 0, "{screen}");
    if require_sqlite3() {
        let (want, want_code) = session_exit(&term, "sqlite3", &["select 'fine' || 1;"]);
        assert_eq!(code, want_code);
        assert_eq!(screen, want);
    }
}

#[test]
fn ctrl_d_after_an_error_exits_1() {
    let Some(term) = Term::new() else { return };
    let lines = ["selec;", "select 'after' || 1;"];
    let (screen, code) = session_exit(&term, "litesh", &lines);
    assert!(
        screen.contains("Parse error: near \"selec\": syntax error"),
        "{screen}"
    );
    assert!(screen.lines().any(|l| l == "after1"), "{screen}");
    assert_eq!(code, 1, "{screen}");
    if require_sqlite3() {
        let (want, want_code) = session_exit(&term, "sqlite3", &lines);
        assert_eq!(code, want_code);
        assert_eq!(screen, want);
    }
}

#[test]
fn ctrl_d_on_a_continuation_line_runs_what_was_typed_then_exits() {
    let Some(term) = Term::new() else { return };
    let go = |program: &str| {
        let s = term.start(program);
        s.run("select 'pending' ||");
        s.wait_cont();
        s.line(" 7");
        s.wait_cont();
        s.key("C-d");
        let code = s.wait_exit();
        (normalise_version(&s.screen()), code)
    };
    let (screen, code) = go("litesh");
    assert!(screen.lines().any(|l| l == "pending7"), "{screen}");
    assert_eq!(code, 0, "{screen}");
    if require_sqlite3() {
        assert_eq!((screen, code), go("sqlite3"));
    }
}

#[test]
fn dot_exit_sets_the_exit_code() {
    let Some(term) = Term::new() else { return };
    let go = |program: &str| {
        let s = term.start(program);
        s.run(".exit 3");
        let code = s.wait_exit();
        (normalise_version(&s.screen()), code)
    };
    let (screen, code) = go("litesh");
    assert_eq!(code, 3, "{screen}");
    if require_sqlite3() {
        assert_eq!((screen, code), go("sqlite3"));
    }
}

#[test]
fn a_failed_dot_command_or_runtime_error_also_makes_ctrl_d_exit_1() {
    let Some(term) = Term::new() else { return };
    let cases: [&[&str]; 3] = [
        &[".nosuch", "select 'after' || 1;"],
        &["select abs(-9223372036854775808);"],
        &[
            "create table t(x primary key);",
            "insert into t values(1);",
            "insert into t values(1);",
        ],
    ];
    for lines in cases {
        let (screen, code) = session_exit(&term, "litesh", lines);
        assert_eq!(code, 1, "{lines:?}:\n{screen}");
        if require_sqlite3() {
            assert_eq!(
                (screen, code),
                session_exit(&term, "sqlite3", lines),
                "{lines:?}"
            );
        }
    }
}

/// A settings file that does not parse is named in one line, and the shell starts with the
/// defaults; a good one sets the mode at the prompt.
#[test]
fn a_bad_settings_file_is_reported_and_the_shell_starts() {
    let Some(term) = Term::new() else { return };
    std::fs::write(term.config_file(), "mode = \"pretty\"\nmoed = 1\n").unwrap();
    let s = term.start("litesh");
    let screen = s.wait_prompt();
    assert!(screen.contains("litesh: ignoring"), "{screen}");
    assert!(screen.contains("moed"), "{screen}");
    s.run("select 5;");
    s.wait_line("5");
    // Ctrl-D only once the prompt is back (before, the terminal may take it).
    s.wait_prompt();
    s.key("C-d");
    assert_eq!(s.wait_exit(), 0, "{}", s.screen());

    std::fs::write(term.config_file(), "mode = \"pretty\"\n").unwrap();
    let s = term.start("litesh");
    s.wait_prompt();
    s.run("select 5 as five;");
    s.wait_for("(1 row)");
    s.key("C-d");
    assert_eq!(s.wait_exit(), 0, "{}", s.screen());
}
