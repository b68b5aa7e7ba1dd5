//! Ctrl-X Ctrl-E: the statement being typed goes to `$EDITOR` (run as
//! `sh -c '$EDITOR "$1"' sh FILE`), and what the editor leaves in the file is run.

use super::Term;

#[test]
fn ctrl_x_ctrl_e_runs_what_the_editor_wrote() {
    let Some(mut term) = Term::new() else { return };
    // The "editor" keeps a copy of what it was given, then replaces it.
    let seen = term.file_str("seen.sql");
    let editor = term.script(
        "editor.sh",
        &format!(
            "cp \"$1\" {}\nprintf 'select 90 +\\n 9;\\n' > \"$1\"",
            super::sh_quote(&seen)
        ),
    );
    term.set_env("EDITOR", &editor).unset_env("VISUAL");
    let s = term.start("litesh");
    s.run("select 1,");
    s.wait_cont();
    s.send("2");
    s.wait_for("   ...> 2");
    s.keys(&["C-x", "C-e"]);
    s.wait_line("99");
    let screen = s.wait_prompt();
    assert_eq!(
        std::fs::read_to_string(term.file("seen.sql")).unwrap(),
        "select 1,\n2\n",
        "the editor got the whole statement"
    );
    // Neither the statement typed (1, 2) nor a parse error of a mix of the two.
    assert!(
        !screen.contains("1|2") && !screen.contains("error"),
        "{screen}"
    );
    // A single line, on the first prompt.
    s.send("select 1");
    s.wait_until("the line typed", |sc| {
        super::last_row(sc) == "sqlite> select 1"
    });
    s.keys(&["C-x", "C-e"]);
    s.wait_lines("99", 2);
    s.wait_prompt();
    assert_eq!(
        std::fs::read_to_string(term.file("seen.sql")).unwrap(),
        "select 1\n"
    );
    s.key("C-d");
    assert_eq!(s.wait_exit(), 0, "{}", s.screen());
}

/// `.edit` alone on a line opens the last statement from history; what comes back runs, and
/// becomes the newest history entry.
#[test]
fn dot_edit_opens_the_last_statement() {
    let Some(mut term) = Term::new() else { return };
    let seen = term.file_str("seen.sql");
    let editor = term.script(
        "editor.sh",
        &format!(
            "cp \"$1\" {}\nprintf 'select 40 + 2;\\n' > \"$1\"",
            super::sh_quote(&seen)
        ),
    );
    term.set_env("EDITOR", &editor).unset_env("VISUAL");
    let s = term.start("litesh");
    s.run("select 7 * 6;");
    s.wait_line("42");
    s.wait_prompt();
    s.run(".edit");
    s.wait_lines("42", 2);
    s.wait_prompt();
    assert_eq!(
        std::fs::read_to_string(term.file("seen.sql")).unwrap(),
        "select 7 * 6;\n"
    );
    s.key("C-d");
    assert_eq!(s.wait_exit(), 0, "{}", s.screen());
    let history = std::fs::read_to_string(term.history_file()).unwrap_or_default();
    assert!(history.contains("select 40 + 2;"), "{history}");
}
