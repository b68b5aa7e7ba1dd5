//! The commands litesh hands to `sh`: `.output |CMD`, `.once |CMD`, `.shell`/`.system`,
//! `.read |CMD` and `.import |CMD` run exactly what sqlite3 3.40.1 runs (its way of joining
//! the arguments, quoting those with a space in `"…"`, included), and what flows through
//! the pipe is data: values holding `$(…)`, backticks, `;`, `|`, quotes, control characters
//! and invalid UTF-8 arrive as the same bytes and run nothing. Each case compares stdout,
//! stderr, the exit code and the files left (so a `touch pwned` that ran would show).

use crate::harness::{Case, Scratch};

/// A database whose values would run commands if anything interpreted them.
fn setup(s: &Scratch) {
    s.db(
        "t.db",
        "CREATE TABLE t(a, b);
         INSERT INTO t VALUES('$(touch pwned1)', '`touch pwned2`');
         INSERT INTO t VALUES('x; touch pwned3 | touch pwned4 && touch pwned5', '\"'' $HOME \\');
         INSERT INTO t VALUES(char(27) || '[31m' || char(7) || char(13), x'00ff80fe0a27');
         INSERT INTO t VALUES(CAST(x'c3286162' AS TEXT), '%s %n %x');",
    );
}

fn check(name: &str, input: &str) {
    Case::new(name, &["t.db"], input)
        .setup(&setup)
        .listing()
        .check();
}

const CASES: &[&str] = &[
    ".output |cat\nSELECT * FROM t;\n.output\nSELECT 'back';",
    ".once |cat\nSELECT a, b FROM t;\nSELECT 'back';",
    ".once '|cat -v'\nSELECT * FROM t;",
    ".once '|od -c'\nSELECT b FROM t;",
    ".mode insert\n.once |cat\nSELECT * FROM t;",
    ".once |cat\n.dump",
    ".mode quote\n.output '|cat > out.txt'\nSELECT * FROM t;\n.output\n.shell cat out.txt",
    ".output '|sh -c \"cat; echo done\"'\nSELECT a FROM t;\n.output",
    ".output '|printf \"%s|\" x; cat'\nSELECT 1;\n.output",
    // Nothing written to it: sqlite3 would die of SIGPIPE writing to a command that is
    // gone (litesh drops the redirection instead: docs/compat.md).
    ".output '|no_such_command_litesh'\n.output",
    ".shell no_such_command_litesh",
    ".read '|no_such_command_litesh'",
    ".import '|no_such_command_litesh' t4",
    ".once '|exit 3'\nCREATE TABLE q(x);",
    ".print '$(touch pwned6)' '`touch pwned7`'",
    ".shell echo 'a  b' \"c  d\" e\\f '$LANG' plain",
    ".shell echo 'has space $(echo expanded)' '$(echo also)'",
    ".system printf '[%s]' 'a b' c \"d'e\"",
    ".shell exit 3",
    ".shell false\nSELECT 'after';",
    ".system",
    ".shell",
    ".shell echo one; echo two",
    ".read '|echo SELECT 42;'",
    ".read '|printf \"SELECT %s;\\n\" \"$(echo 7)\"'",
    ".import '|printf \"1,2\\n\"' t2\nSELECT * FROM t2;",
    ".import --csv '|cat nothing-here.csv' t3",
];

#[test]
fn piped_and_shell_commands_run_as_in_sqlite3() {
    for (i, c) in CASES.iter().enumerate() {
        check(&format!("command {i}: {c}"), &format!("{c}\n"));
    }
}

#[test]
fn values_reach_a_pipe_as_bytes_in_every_mode() {
    for mode in [
        "list", "csv", "quote", "line", "json", "html", "tcl", "tabs", "ascii", "insert",
        "markdown", "box", "column", "table",
    ] {
        check(
            &format!("mode {mode}"),
            &format!(".mode {mode}\n.headers on\n.once |cat\nSELECT * FROM t;\n"),
        );
    }
}
