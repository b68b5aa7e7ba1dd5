//! Dot-command completion: command names, then each command's options and arguments.
//!
//! Arguments are cut the way sqlite3 cuts them (see [`crate::split::dotargs`]): by white
//! space, with `'...'` taken literally and `"..."` and bare words having backslash escapes
//! resolved. What an argument may be comes from the command's `.help` text (read by
//! [`super::usage`]) plus a few values the help does not spell out ([`extra_kinds`]): the
//! word after an option or sub-command that takes a value is that value (`--schema S`,
//! `attach TABLE`); otherwise the argument's position among the non-option arguments picks
//! the synopsis placeholder (an optional one lets the next one in too), and the first
//! position also gets the sub-command words. Options are offered once `-` is typed.
//!
//! Candidates are written back with sqlite3's quoting: bare when they can be, otherwise in
//! `'...'` (or `"..."` with backslash escapes when they hold a `'`); inside a quote the user
//! opened, escaped for it and closed (a directory is left open, to go on typing).

use super::files::paths;
use super::names::{has_prefix, Collector};
use super::usage::{parse, Alt, Usage};
use super::Candidate;
use crate::dot::{resolve, REGISTRY};
use crate::exec::is_space;
use crate::repl::schema::Schema;
use crate::split::dotargs::resolve_backslashes;

/// What an argument may be.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ArgKind {
    /// This literal value.
    Lit(String),
    /// One of the command's sub-command words.
    Words,
    /// A file or directory.
    File,
    /// A directory.
    Dir,
    /// An attached schema name.
    Schema,
    /// A table or view name.
    Table,
    /// A dot-command name.
    Command,
    /// An `SQLITE_LIMIT_*` name as `.limit` spells it.
    Limit,
}

/// `.limit`'s names for the run-time limits.
const LIMITS: &[&str] = &[
    "length",
    "sql_length",
    "column",
    "expr_depth",
    "compound_select",
    "vdbe_op",
    "function_arg",
    "attached",
    "like_pattern_length",
    "variable_number",
    "trigger_depth",
    "worker_threads",
];

/// One argument of the line: its span and quoting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Arg {
    start: usize,
    content: usize,
    end: usize,
    quote: Option<u8>,
    closed: bool,
}

/// Cuts a dot-command line (starting with `.`) into argument spans, by sqlite3's rules.
fn split(line: &[u8]) -> Vec<Arg> {
    let mut args = Vec::new();
    let mut h = 1;
    while h < line.len() {
        while h < line.len() && is_space(line[h]) {
            h += 1;
        }
        if h >= line.len() {
            break;
        }
        let start = h;
        let q = line[h];
        if q == b'\'' || q == b'"' {
            h += 1;
            while h < line.len() && line[h] != q {
                if q == b'"' && line[h] == b'\\' && h + 1 < line.len() {
                    h += 1;
                }
                h += 1;
            }
            let closed = h < line.len();
            let end = if closed { h + 1 } else { h };
            args.push(Arg {
                start,
                content: start + 1,
                end,
                quote: Some(q),
                closed,
            });
            h = end;
        } else {
            while h < line.len() && !is_space(line[h]) {
                h += 1;
            }
            args.push(Arg {
                start,
                content: start,
                end: h,
                quote: None,
                closed: false,
            });
        }
    }
    args
}

/// What an argument stands for.
fn decode(line: &str, a: &Arg) -> String {
    let content_end = if a.closed { a.end - 1 } else { a.end };
    let raw = line.get(a.content..content_end).unwrap_or("");
    if a.quote == Some(b'\'') {
        raw.to_string()
    } else {
        String::from_utf8_lossy(&resolve_backslashes(raw.as_bytes())).into_owned()
    }
}

/// `value` written as an argument in the quoting `quote` the user opened (if any), closed
/// when `close`. `None` when it cannot be written there.
fn encode(value: &str, quote: Option<u8>, close: bool) -> Option<String> {
    let double = |v: &str| {
        let mut s = String::new();
        for c in v.chars() {
            match c {
                '"' | '\\' => {
                    s.push('\\');
                    s.push(c);
                }
                c if c.is_ascii_control() => s.push_str(&format!("\\{:03o}", c as u32)),
                c => s.push(c),
            }
        }
        s
    };
    let closing = |q: char| if close { q.to_string() } else { String::new() };
    match quote {
        Some(b'\'') if value.contains('\'') => None,
        Some(b'\'') => Some(format!("{value}{}", closing('\''))),
        Some(_) => Some(format!("{}{}", double(value), closing('"'))),
        None => {
            let bare = !value.is_empty()
                && !value.starts_with(['\'', '"'])
                && !value.bytes().any(|b| is_space(b) || b == b'\\');
            if bare {
                Some(value.to_string())
            } else if !value.contains('\'') && !value.chars().any(char::is_control) {
                Some(format!("'{value}{}", closing('\'')))
            } else {
                Some(format!("\"{}{}", double(value), closing('"')))
            }
        }
    }
}

/// The kinds a synopsis placeholder name (or literal) allows for command `cmd`.
fn alt_kinds(cmd: &str, alt: &Alt) -> Vec<ArgKind> {
    let name = match alt {
        Alt::Literal(l) => return vec![ArgKind::Lit(l.clone())],
        Alt::Name(n) => n.as_str(),
    };
    match name {
        "FILE" | "NEWDB" | "ARCHIVE" => vec![ArgKind::File],
        "DIRECTORY" | "DIR" => vec![ArgKind::Dir],
        "DB" | "AUX" | "SCHEMA" | "S" => vec![ArgKind::Schema],
        "PATTERN" if cmd == "help" => vec![ArgKind::Command],
        "TABLE" | "OBJECTS" | "PATTERN" => vec![ArgKind::Table],
        "MODE" | "CMD" | "ARG" => vec![ArgKind::Words],
        "LIMIT" => vec![ArgKind::Limit],
        "B" | "BOOLEAN" => vec![ArgKind::Lit("on".into()), ArgKind::Lit("off".into())],
        _ => Vec::new(),
    }
}

/// Values the help texts do not give in a form [`super::usage`] reads, by command and
/// position among the non-option arguments.
fn extra_kinds(cmd: &str, position: usize) -> Vec<ArgKind> {
    let lits = |l: &[&str]| l.iter().map(|s| ArgKind::Lit(s.to_string())).collect();
    match (cmd, position) {
        ("mode", 0) => lits(&["pretty"]),
        ("log", 0) => lits(&["stdout", "stderr"]),
        ("pager", 0) => lits(&["on", "off", "auto"]),
        ("trace", _) => vec![ArgKind::File],
        ("sha3sum", _) => vec![ArgKind::Table],
        _ => Vec::new(),
    }
}

/// The placeholder of the value a sub-command word takes.
fn word_value<'u>(cmd: &str, usage: &'u Usage, word: &str) -> Option<&'u str> {
    if cmd == "mode" && word == "insert" {
        return Some("TABLE");
    }
    usage
        .words
        .iter()
        .find(|w| w.name == word)
        .and_then(|w| w.value.as_deref())
}

/// What the argument after `before` (the decoded arguments after the command name) may be.
fn arg_kinds(cmd: &str, usage: &Usage, before: &[String]) -> Vec<ArgKind> {
    let option = |a: &str| usage.options.iter().find(|o| o.name == a);
    if let Some(prev) = before.last() {
        let value = option(prev)
            .and_then(|o| o.value.as_deref())
            .or_else(|| word_value(cmd, usage, prev));
        if let Some(v) = value {
            return alt_kinds(cmd, &Alt::Name(v.to_string()));
        }
    }
    let mut position = 0;
    let mut skip = false;
    for a in before {
        if std::mem::take(&mut skip) {
            continue;
        }
        if a.starts_with('-') {
            skip = option(a).is_some_and(|o| o.value.is_some());
        } else {
            position += 1;
        }
    }
    let mut kinds = Vec::new();
    if position == 0 {
        kinds.push(ArgKind::Words);
    }
    let placeholders = &usage.positional;
    let here = placeholders.get(position).or_else(|| {
        // Past the synopsis, table patterns repeat (`.dump t1 t2`).
        placeholders.last().filter(|p| {
            p.alts
                .iter()
                .any(|a| alt_kinds(cmd, a).contains(&ArgKind::Table))
        })
    });
    if let Some(p) = here {
        kinds.extend(p.alts.iter().flat_map(|a| alt_kinds(cmd, a)));
        if p.optional {
            if let Some(next) = placeholders.get(position + 1) {
                kinds.extend(next.alts.iter().flat_map(|a| alt_kinds(cmd, a)));
            }
        }
    }
    kinds.extend(extra_kinds(cmd, position));
    kinds
}

/// Hidden aliases and the visible command whose help describes them.
const ALIASES: &[(&str, &str)] = &[("indices", "indexes")];

/// The help text that describes command `name`.
fn help_of(name: &str) -> Option<&'static str> {
    let name = ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, target)| target);
    REGISTRY
        .iter()
        .find(|c| c.name == name)
        .and_then(|c| c.help)
}

/// The visible dot-command names.
fn command_names() -> impl Iterator<Item = &'static str> {
    REGISTRY.iter().filter(|c| c.help.is_some()).map(|c| c.name)
}

/// Completes the dot-command line `line` (which starts with `.`) at its end.
pub(super) fn complete_dot(line: &str, schema: &Schema) -> (usize, Vec<Candidate>) {
    let end = line.len();
    if line.as_bytes().contains(&0) {
        return (end, Vec::new());
    }
    let args = split(line.as_bytes());
    let (index, cur) = match args.last() {
        Some(a) if a.end == end && a.closed => return (end, Vec::new()),
        Some(a) if a.end == end => (args.len() - 1, *a),
        _ => (
            args.len(),
            Arg {
                start: end,
                content: end,
                end,
                quote: None,
                closed: false,
            },
        ),
    };
    let prefix = decode(line, &cur);
    let start = if cur.quote.is_some() {
        cur.content
    } else {
        cur.start
    };
    let mut out = Collector::default();
    let offer = |values: &mut dyn Iterator<Item = String>| -> Vec<Candidate> {
        values
            .filter(|v| has_prefix(v, &prefix))
            .filter_map(|v| {
                encode(&v, cur.quote, true).map(|r| Candidate {
                    display: v,
                    replacement: r,
                })
            })
            .collect()
    };
    if index == 0 {
        if cur.quote.is_none() {
            out.group(offer(&mut command_names().map(String::from)));
        }
        return (start, out.finish());
    }
    let word = decode(line, &args[0]);
    let cmd = resolve(word.as_bytes()).map_or(word.as_str(), |c| c.name);
    let usage = help_of(cmd).map(parse).unwrap_or_default();
    if prefix.starts_with('-') && cur.quote.is_none() {
        out.group(offer(&mut usage.options.iter().map(|o| o.name.clone())));
        return (start, out.finish());
    }
    let before: Vec<String> = args[1..index].iter().map(|a| decode(line, a)).collect();
    let kinds = arg_kinds(cmd, &usage, &before);
    let has = |k: &ArgKind| kinds.contains(k);
    let mut values: Vec<String> = kinds
        .iter()
        .filter_map(|k| match k {
            ArgKind::Lit(l) => Some(l.clone()),
            _ => None,
        })
        .collect();
    if has(&ArgKind::Words) {
        values.extend(usage.words.iter().map(|w| w.name.clone()));
    }
    if has(&ArgKind::Limit) {
        values.extend(LIMITS.iter().map(|s| s.to_string()));
    }
    if has(&ArgKind::Command) {
        values.extend(command_names().map(String::from));
    }
    out.group(offer(&mut values.into_iter()));
    if has(&ArgKind::Schema) {
        out.group(offer(&mut schema.schemas.iter().cloned()));
    }
    if has(&ArgKind::Table) {
        out.group(offer(&mut schema.tables.iter().map(|t| t.name.clone())));
    }
    if has(&ArgKind::File) || has(&ArgKind::Dir) {
        let dirs_only = !has(&ArgKind::File);
        out.group(
            paths(&prefix)
                .into_iter()
                .filter(|f| f.is_dir || !dirs_only)
                .filter_map(|f| {
                    encode(&f.raw, cur.quote, !f.is_dir).map(|r| Candidate {
                        display: f.display,
                        replacement: r,
                    })
                }),
        );
    }
    (start, out.finish())
}

#[cfg(test)]
mod tests;
