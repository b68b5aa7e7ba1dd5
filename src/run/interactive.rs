//! Start-up of the interactive shell: the settings file, what the terminal allows (colour,
//! width, pager), and the rustyline line source. None of it happens unless stdin is a
//! terminal and litesh is interactive, so pipelines stay byte-identical to sqlite3's.

use std::io::IsTerminal;

use crate::repl::highlight::Theme;
use crate::repl::{self, Config, Repl};
use crate::shell::{home_dir, PagerMode, Shell};

/// True when colours may be used on a stream that is a terminal: not turned off by
/// `NO_COLOR` (any non-empty value), `TERM=dumb` or `color = false` in the settings file.
pub fn colour_allowed(config: &Config) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    !no_color && !dumb && config.color != Some(false)
}

/// The theme from the settings file's `[colors]`; a bad entry is reported and skipped.
fn theme(config: &Config) -> Theme {
    let mut t = Theme::default();
    for (k, v) in &config.colors {
        if let Err(e) = t.set(k, v) {
            eprintln!("litesh: settings file: {e}");
        }
    }
    t
}

/// Whether the program a shell command starts with (its first word, after any `VAR=value`
/// words) is a path that exists or is found on `$PATH`.
fn program_exists(command: &str) -> bool {
    let Some(word) = command.split_whitespace().find(|w| !w.contains('=')) else {
        return false;
    };
    if word.contains('/') {
        return std::path::Path::new(word).is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(word).is_file()))
}

/// Reads the settings file and applies what must be set before `~/.sqliterc` runs (the
/// output mode and the pager), so that `~/.sqliterc` and the options still win.
pub fn configure(shell: &mut Shell) -> Config {
    let config = Config::load(repl::config::path(home_dir().as_deref()).as_deref());
    let stdout_tty = std::io::stdout().is_terminal();
    let colour = colour_allowed(&config) && stdout_tty;
    let t = theme(&config);
    shell.ui.stdout_tty = stdout_tty;
    if colour && std::io::stderr().is_terminal() {
        shell.ui.error_color = t.error.clone();
    }
    shell.ui.color = colour;
    let r = &mut shell.settings.render;
    r.null_style = t.null.clone();
    r.header_style = t.header.clone();
    shell.ui.pager_command = config
        .pager_command
        .clone()
        .or_else(|| std::env::var("PAGER").ok().filter(|p| !p.trim().is_empty()))
        .unwrap_or_else(|| "less -FRX".to_string());
    shell.settings.pager = match config.pager.as_deref() {
        Some("on") => PagerMode::On,
        Some("off") => PagerMode::Off,
        _ => PagerMode::Auto,
    };
    // A pager that is not there would swallow the results it was given.
    if shell.settings.pager != PagerMode::Off && !program_exists(&shell.ui.pager_command) {
        eprintln!(
            "litesh: pager \"{}\" not found; .pager is off",
            shell.ui.pager_command
        );
        shell.settings.pager = PagerMode::Off;
    }
    if let Some(mode) = &config.mode {
        let line = format!(".mode {mode}");
        shell.run_dot_line(line.as_bytes());
    }
    config
}

/// The line editor, or `None` when it cannot run (the caller falls back to plain lines).
pub fn editor(config: &Config) -> Option<Repl> {
    let colour = colour_allowed(config) && std::io::stdout().is_terminal();
    let t = colour.then(|| theme(config));
    match Repl::new(config, t, repl::history_path(home_dir().as_deref())) {
        Ok(r) => Some(r),
        Err(e) => {
            eprintln!("litesh: no line editor ({e}); reading plain lines");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_programs_are_looked_up() {
        assert!(program_exists("sh -c 'cat'"));
        assert!(program_exists("LESS=R /bin/sh"));
        assert!(!program_exists("no-such-pager-litesh -R"));
        assert!(!program_exists("/no/such/pager"));
        assert!(!program_exists("   "));
    }
}
