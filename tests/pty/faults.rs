//! Output faults at the prompt (issue 9): `.once` and `.output` into a full device
//! (`/dev/full`) while typing at a terminal. Each failed destination is reported in one line
//! (not again for each later write to it), the shell
//! goes on (the next result shows on the screen), and leaving with Ctrl-D gives exit code 1,
//! as after any failure in the session.

use super::Term;

#[test]
fn a_full_device_at_the_prompt_is_reported_and_the_session_goes_on() {
    let Some(term) = Term::new() else { return };
    term.db(
        "t.db",
        "CREATE TABLE t(x); INSERT INTO t VALUES(1), (2), (3);",
    );
    let s = term.start("litesh t.db");
    s.wait_prompt();
    s.run(".once /dev/full");
    s.wait_prompt();
    s.run("SELECT x FROM t;");
    s.wait_line("Error: cannot write output: No space left on device (os error 28)");
    s.wait_prompt();
    s.run("SELECT 40 + 2;");
    s.wait_line("42");
    s.wait_prompt();
    s.run(".output /dev/full");
    s.wait_prompt();
    s.run("SELECT x FROM t;");
    s.wait_prompt();
    s.run("SELECT x + 1 FROM t;");
    s.wait_prompt();
    s.run(".output stdout");
    s.wait_prompt();
    s.run("SELECT 'back';");
    s.wait_line("back");
    s.wait_prompt();
    s.key("C-d");
    assert_eq!(s.wait_exit(), 1, "{}", s.screen());
    let screen = s.screen();
    // Reported once for each of the two redirections.
    assert_eq!(
        screen.matches("No space left on device").count(),
        2,
        "{screen}"
    );
}
