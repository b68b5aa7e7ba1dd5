//! The pager: at the terminal, a result taller than the screen goes through it (`$PAGER`,
//! or the settings file's `pager_command`); a short one does not, nor does output sent
//! elsewhere (`.once`, `.output |pipe`), nor anything after `.pager off`.

use std::fs;
use std::time::Instant;

use super::{Session, Term, TIMEOUT};

const TALL: &str = "select value from generate_series(1,200);";

/// 1 to 200, one a line: the tall result, complete.
fn tall() -> String {
    (1..=200).map(|i| format!("{i}\n")).collect()
}

/// A pager script that counts its runs in `runs` and appends its input to `paged`.
fn pager(term: &Term, name: &str) -> String {
    let runs = super::sh_quote(&term.file_str(&format!("{name}.runs")));
    let paged = super::sh_quote(&term.file_str(&format!("{name}.paged")));
    term.script(
        &format!("{name}.sh"),
        &format!("echo ran >> {runs}\ncat >> {paged}"),
    )
}

/// How often the pager `name` ran.
fn runs(term: &Term, name: &str) -> usize {
    fs::read_to_string(term.file(&format!("{name}.runs")))
        .map(|s| s.lines().count())
        .unwrap_or(0)
}

/// What the pager `name` was given.
fn paged(term: &Term, name: &str) -> String {
    fs::read_to_string(term.file(&format!("{name}.paged"))).unwrap_or_default()
}

/// Waits until the file holds `want` (a writer at the end of a pipe may finish late).
fn wait_file(s: &Session, path: &std::path::Path, want: &str) {
    let start = Instant::now();
    loop {
        let got = fs::read_to_string(path).unwrap_or_default();
        if got == want {
            return;
        }
        assert!(
            start.elapsed() < TIMEOUT,
            "{} holds {:?}, not {:?}; the screen:\n{}",
            path.display(),
            got,
            want,
            s.screen()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Runs `sql`, waits for the next prompt; returns the screen.
fn step(s: &Session, sql: &str) -> String {
    s.run(sql);
    s.wait_prompt()
}

#[test]
fn pager_engages_only_for_tall_results_on_the_terminal() {
    let Some(mut term) = Term::new() else { return };
    let cmd = pager(&term, "env");
    term.set_env("PAGER", &cmd);
    let s = term.start("litesh");

    let screen = step(&s, TALL);
    assert_eq!(runs(&term, "env"), 1, "a tall result is paged:\n{screen}");
    assert_eq!(paged(&term, "env"), tall());
    assert!(!screen.lines().any(|l| l == "200"), "{screen}");

    let screen = step(&s, "select 'short' || 1;");
    assert!(screen.lines().any(|l| l == "short1"), "{screen}");
    assert_eq!(runs(&term, "env"), 1, "a short result is not paged");

    step(&s, ".once once.txt");
    step(&s, TALL);
    assert_eq!(fs::read_to_string(term.file("once.txt")).unwrap(), tall());
    assert_eq!(runs(&term, "env"), 1, ".once output is not paged");

    step(&s, ".output |cat > piped.txt");
    step(&s, TALL);
    step(&s, ".output");
    wait_file(&s, &term.file("piped.txt"), &tall());
    assert_eq!(runs(&term, "env"), 1, "output to a pipe is not paged");

    step(&s, ".pager off");
    let screen = step(&s, TALL);
    let rows: Vec<&str> = screen.lines().rev().take(3).collect();
    assert_eq!(rows, [super::PROMPT, "200", "199"], "{screen}");
    assert_eq!(runs(&term, "env"), 1, ".pager off");

    step(&s, ".pager on");
    step(&s, "select 'short' || 2;");
    assert_eq!(runs(&term, "env"), 2, ".pager on pages a short result too");
    assert_eq!(paged(&term, "env"), tall() + "short2\n");

    s.key("C-d");
    assert_eq!(s.wait_exit(), 0, "{}", s.screen());
}

#[test]
fn the_settings_files_pager_command_wins_over_pager() {
    let Some(mut term) = Term::new() else { return };
    let from_env = pager(&term, "env");
    let from_config = pager(&term, "config");
    term.set_env("PAGER", &from_env);
    fs::write(
        term.config_file(),
        format!("pager_command = {}\n", toml_string(&from_config)),
    )
    .unwrap();
    let s = term.start("litesh");
    step(&s, TALL);
    assert_eq!(runs(&term, "config"), 1, "{}", s.screen());
    assert_eq!(paged(&term, "config"), tall());
    assert_eq!(runs(&term, "env"), 0);
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Regression: quitting the pager before the end of a result counted as a failed statement,
/// so Ctrl-D later exited 1 although nothing failed.
#[test]
fn quitting_the_pager_early_is_not_an_error() {
    let Some(mut term) = Term::new() else { return };
    // A pager that reads one line and quits, as `q` in less does: the rest of a long result
    // meets a closed pipe.
    term.set_env("PAGER", "head -n 1 > /dev/null");
    let s = term.start("litesh");
    let screen = step(&s, "select value from generate_series(1,1000000);");
    assert!(!screen.contains("rror"), "{screen}");
    step(&s, "select 'still' || 1;");
    s.wait_line("still1");
    s.key("C-d");
    assert_eq!(s.wait_exit(), 0, "{}", s.screen());
}
