//! File names for dot-command arguments, listed by rustyline's [`FilenameCompleter`].
//!
//! The completer is handed the already-decoded path inside double quotes, escaped so that it
//! reads back exactly, and its answers are decoded the same way: what comes back is the raw
//! path, which the caller then writes with sqlite3's own argument quoting. Paths starting
//! with `~` get nothing, since sqlite3 does not expand them, nor do `|command` arguments.

use std::path::MAIN_SEPARATOR;

use rustyline::completion::FilenameCompleter;

/// One file or directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// Its name (a directory's with a trailing separator).
    pub display: String,
    /// The whole path as typed plus the rest of the name, unescaped.
    pub raw: String,
    /// True for a directory.
    pub is_dir: bool,
}

/// The files and directories whose path starts with `prefix` (relative to the working
/// directory unless absolute), sorted by name.
pub(crate) fn paths(prefix: &str) -> Vec<Found> {
    if prefix.starts_with('~') || prefix.starts_with('|') {
        return Vec::new();
    }
    let mut line = String::with_capacity(prefix.len() + 8);
    line.push('"');
    for c in prefix.chars() {
        if matches!(c, '"' | '\\' | '$' | '`') {
            line.push('\\');
        }
        line.push(c);
    }
    let Ok((_, pairs)) = FilenameCompleter::new().complete_path_unsorted(&line, line.len()) else {
        return Vec::new();
    };
    let mut found: Vec<Found> = pairs
        .into_iter()
        .map(|p| {
            let raw = unescape(&p.replacement);
            let is_dir = raw.ends_with(MAIN_SEPARATOR);
            let mut display = p.display;
            if is_dir {
                display.push(MAIN_SEPARATOR);
            }
            Found {
                display,
                raw,
                is_dir,
            }
        })
        .collect();
    found.sort_by(|a, b| a.display.cmp(&b.display));
    found
}

/// Undoes rustyline's escaping inside double quotes: a backslash stands for the character
/// after it.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
                continue;
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_files_and_directories_with_raw_paths() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().to_str().unwrap().to_string();
        for f in ["alpha.db", "al \"q\" $x\\y`.db", "beta.db"] {
            std::fs::write(dir.path().join(f), b"").unwrap();
        }
        std::fs::create_dir(dir.path().join("alps")).unwrap();
        let got = paths(&format!("{base}/al"));
        let want = [
            ("al \"q\" $x\\y`.db", false),
            ("alpha.db", false),
            ("alps/", true),
        ];
        assert_eq!(got.len(), want.len(), "{got:?}");
        for (g, (name, is_dir)) in got.iter().zip(want) {
            assert_eq!(g.display, name);
            assert_eq!(g.raw, format!("{base}/{name}"));
            assert_eq!(g.is_dir, is_dir);
        }
        // The odd name is found again from a prefix holding its odd characters.
        let odd = paths(&format!("{base}/al \"q\" $x\\"));
        assert_eq!(odd.len(), 1);
        assert_eq!(odd[0].display, "al \"q\" $x\\y`.db");
    }

    #[test]
    fn no_completion_for_home_or_pipes_or_missing_directories() {
        assert!(paths("~/").is_empty());
        assert!(paths("|ls").is_empty());
        assert!(paths("/no/such/directory/x").is_empty());
    }
}
