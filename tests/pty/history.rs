//! History: one entry per statement, kept across runs in `$SQLITE_HISTORY` (mode 0600),
//! recalled whole with Up and found again with Ctrl-R.

use std::os::unix::fs::PermissionsExt;

use super::Term;

#[test]
fn a_three_line_statement_comes_back_whole_in_the_next_run() {
    let Some(term) = Term::new() else { return };
    {
        let s = term.start("litesh");
        s.run("select 100");
        s.wait_cont();
        s.line("  + 20");
        s.wait_cont();
        s.line("  + 3;");
        s.wait_line("123");
        s.wait_prompt();
        s.key("C-d");
        assert_eq!(s.wait_exit(), 0);
    }
    let meta = std::fs::metadata(term.history_file()).expect("the history file was written");
    assert_eq!(
        meta.permissions().mode() & 0o777,
        0o600,
        "history file mode"
    );

    let s = term.start("litesh");
    s.wait_prompt();
    s.key("Up");
    // The three lines are back in the editor, as typed (whatever the editor shows at the
    // start of the later ones).
    let screen = s.wait_for("  + 3;");
    let rows: Vec<&str> = screen.lines().rev().take(3).collect();
    assert!(
        rows[0].ends_with("  + 3;")
            && rows[1].ends_with("  + 20")
            && rows[2] == "sqlite> select 100",
        "{screen}"
    );
    s.key("Enter");
    s.wait_line("123");
    let screen = s.wait_prompt();
    assert_eq!(
        screen.lines().filter(|l| *l == "123").count(),
        1,
        "{screen}"
    );
}

#[test]
fn ctrl_r_finds_an_earlier_statement_by_a_substring() {
    let Some(term) = Term::new() else { return };
    // The second session finds what the first one ran.
    {
        let s = term.start("litesh");
        s.run("select 'alpha' || 1;");
        s.wait_line("alpha1");
        s.run("select 'beta' || 2;");
        s.wait_line("beta2");
        s.wait_prompt();
        s.key("C-d");
        s.wait_exit();
    }
    let s = term.start("litesh");
    s.run("select 'gamma' || 3;");
    s.wait_line("gamma3");
    s.wait_prompt();
    s.key("C-r");
    s.send("lph");
    // Older than the other two entries, and from the run before.
    s.wait_for("(reverse-i-search)`lph': select 'alpha' || 1;");
    s.key("Enter");
    s.wait_line("alpha1");
    let screen = s.wait_prompt();
    let rows: Vec<&str> = screen.lines().rev().take(3).collect();
    assert_eq!(
        rows,
        [super::PROMPT, "alpha1", "sqlite> select 'alpha' || 1;"],
        "{screen}"
    );
}
