//! Colour: with `NO_COLOR` set (or `TERM=dumb`) nothing litesh writes to the terminal
//! carries a colour or an attribute — no SGR sequence (`ESC [ ... m`) at all, though the
//! line editor's cursor movements remain — while the same session without them is
//! coloured (so the check can fail).

use super::{sgr_sequences, show_escapes, Term};

/// Types SQL with keywords, strings, numbers and NULL, shows a table in `.mode pretty`,
/// makes an error; returns the bytes written to the terminal and the last screen.
fn session(term: &Term) -> (Vec<u8>, String) {
    let s = term.start_recorded("litesh");
    s.run("create table t(name text, n int);");
    s.run("insert into t values('it''s', 1), (NULL, 2.5), ('x', -3);");
    s.run(".mode pretty");
    s.run("select name, n, n * 2 as twice from t where n > -10;");
    s.wait_for("twice");
    s.run("selec 'oops' from t;");
    s.wait_for("syntax error");
    let screen = s.wait_prompt();
    s.key("C-d");
    assert_eq!(s.wait_exit(), 1, "{}", s.screen());
    (s.raw(), screen)
}

/// The pretty table and the error are on the screen, whatever the colours.
fn check_screen(screen: &str) {
    assert!(screen.contains("twice"), "{screen}");
    assert!(screen.contains("it's"), "{screen}");
    assert!(screen.contains("2.5"), "{screen}");
    assert!(
        screen.contains("Parse error: near \"selec\": syntax error"),
        "{screen}"
    );
}

#[test]
fn without_no_color_the_session_is_coloured() {
    let Some(term) = Term::new() else { return };
    let (raw, screen) = session(&term);
    check_screen(&screen);
    let sgr = sgr_sequences(&raw);
    // Not just a reset: real colours (the highlighter's, the table's, the error's).
    assert!(
        sgr.iter().any(|s| s != "\x1b[0m" && s != "\x1b[m"),
        "no colour in:\n{}",
        show_escapes(&raw)
    );
}

#[test]
fn no_color_means_no_colour_or_attribute_at_all() {
    let Some(mut term) = Term::new() else { return };
    term.set_env("NO_COLOR", "1");
    let (raw, screen) = session(&term);
    check_screen(&screen);
    let sgr = sgr_sequences(&raw);
    assert!(
        sgr.is_empty(),
        "SGR sequences {sgr:?} with NO_COLOR=1 in:\n{}",
        show_escapes(&raw)
    );
}

#[test]
fn an_empty_no_color_does_not_count() {
    let Some(mut term) = Term::new() else { return };
    term.set_env("NO_COLOR", "");
    let (raw, _) = session(&term);
    assert!(
        sgr_sequences(&raw).iter().any(|s| s != "\x1b[0m"),
        "{}",
        show_escapes(&raw)
    );
}

#[test]
fn term_dumb_means_no_colour_or_attribute_at_all() {
    let Some(mut term) = Term::new() else { return };
    term.set_env("TERM", "dumb");
    let (raw, screen) = session(&term);
    check_screen(&screen);
    let sgr = sgr_sequences(&raw);
    assert!(
        sgr.is_empty(),
        "SGR sequences {sgr:?} with TERM=dumb in:\n{}",
        show_escapes(&raw)
    );
}
