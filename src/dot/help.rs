//! `.help`, generated from the registry: sqlite3 3.40.1's `showHelp()` over the help text
//! of every command, in the order sqlite3 lists them (alphabetical by help line).

use std::io::Write;

use super::REGISTRY;
use crate::shell::{DotResult, Flow, Shell};

/// All help lines, commands in help order, each command's detail lines after its first.
fn help_lines() -> Vec<&'static str> {
    let mut texts: Vec<&'static str> = REGISTRY.iter().filter_map(|c| c.help).collect();
    texts.sort_unstable();
    texts.iter().flat_map(|t| t.lines()).collect()
}

/// `str GLOB pat` / `str LIKE pat` exactly as SQLite evaluates them.
fn sql_match(op: &str, text: &str, pat: &str) -> bool {
    let Ok(c) = rusqlite::Connection::open_in_memory() else {
        return false;
    };
    c.query_row(&format!("SELECT ?1 {op} ?2"), [text, pat], |r| {
        r.get::<_, bool>(0)
    })
    .unwrap_or(false)
}

/// The text `.help PATTERN` prints, and how many commands matched.
pub fn show_help(pattern: Option<&str>) -> (String, usize) {
    let lines = help_lines();
    let mut out = String::new();
    let mut n = 0;
    let all = matches!(pattern, None | Some("-a") | Some("-all") | Some("--all"))
        || pattern.is_some_and(|p| p.starts_with('0'));
    if all {
        let every = pattern.is_some();
        for l in &lines {
            if l.starts_with('.') || every {
                out.push_str(l);
                out.push('\n');
                n += 1;
            }
        }
        return (out, n);
    }
    let pat = pattern.unwrap_or_default();
    // Commands for which the pattern is a prefix (a GLOB).
    let glob = format!(".{pat}*");
    let mut j = 0;
    for (i, l) in lines.iter().enumerate() {
        if sql_match("GLOB", l, &glob) {
            out.push_str(l);
            out.push('\n');
            j = i + 1;
            n += 1;
        }
    }
    if n > 0 {
        if n == 1 {
            // 3.40.1 stops one line short of the end of its table.
            while j + 1 < lines.len() && !lines[j].starts_with('.') {
                out.push_str(lines[j]);
                out.push('\n');
                j += 1;
            }
        }
        return (out, n);
    }
    // Commands whose text contains the pattern anywhere (a LIKE): their whole text.
    let like = format!("%{pat}%");
    let mut i = 0;
    let mut j = 0;
    while i < lines.len() {
        if lines[i].starts_with('.') {
            j = i;
        }
        if sql_match("LIKE", lines[i], &like) {
            out.push_str(lines[j]);
            out.push('\n');
            while j + 1 < lines.len() && !lines[j + 1].starts_with('.') {
                j += 1;
                out.push_str(lines[j]);
                out.push('\n');
            }
            i = j;
            n += 1;
        }
        i += 1;
    }
    (out, n)
}

/// `.help ?-all? ?PATTERN?`
pub fn help(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    let text = match args.get(1) {
        Some(p) => {
            let p = String::from_utf8_lossy(p);
            let (t, n) = show_help(Some(&p));
            if n == 0 {
                format!("Nothing matches '{p}'\n")
            } else {
                t
            }
        }
        None => show_help(None).0,
    };
    shell.out.write_all(text.as_bytes())?;
    Ok(Flow::Continue)
}
