//! What a dot-command's `.help` text says about its arguments, read from the text itself so
//! that completion follows the help as it changes.
//!
//! Three things are read:
//!
//! * the synopsis, the first line up to its description: `.backup ?DB? FILE` gives two
//!   positional placeholders, the first optional; `on|off` gives literal values (lower-case
//!   words count as literals only in an alternation or in `[...]`, so `?op?` is not one);
//!   `?OPTIONS?`, `...` and option-like placeholders are left out;
//! * options anywhere in the text (`--wrap N`, `-v`, `--quiet|-q`), with the upper-case
//!   placeholder that follows one after a single space as the value it takes;
//! * sub-command and value words: the first word of an indented line when it is lower case
//!   and followed by its description (or by its own placeholder, as in `attach TABLE`).

/// One alternative of a synopsis placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Alt {
    /// A value written as is (`on`, `off`, `close`).
    Literal(String),
    /// An upper-case placeholder name (`FILE`, `DB`, `TABLE`).
    Name(String),
}

/// One positional placeholder of the synopsis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placeholder {
    pub alts: Vec<Alt>,
    pub optional: bool,
}

/// An option or word, with the placeholder of the value that follows it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub name: String,
    pub value: Option<String>,
}

/// What one help text says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Usage {
    pub positional: Vec<Placeholder>,
    pub options: Vec<Entry>,
    pub words: Vec<Entry>,
}

/// Reads a help text.
pub(crate) fn parse(help: &str) -> Usage {
    let mut lines = help.lines();
    let positional = lines.next().map(synopsis).unwrap_or_default();
    let mut options: Vec<Entry> = Vec::new();
    for line in help.lines() {
        for e in options_in(line) {
            match options.iter_mut().find(|o| o.name == e.name) {
                // A later mention may be the one that shows the value (`.mode`'s `--wrap`).
                Some(o) => o.value = o.value.take().or(e.value),
                None => options.push(e),
            }
        }
    }
    let words = lines.filter_map(word_of).collect();
    Usage {
        positional,
        options,
        words,
    }
}

/// True for an upper-case placeholder name.
fn is_caps(s: &str) -> bool {
    s.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// True for a lower-case word (`on`, `fkey-indexes`).
fn is_lower_word(s: &str) -> bool {
    s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The positional placeholders of a synopsis line.
fn synopsis(line: &str) -> Vec<Placeholder> {
    let body = line.split_once("  ").map_or(line, |(s, _)| s);
    let mut out = Vec::new();
    for token in body.split_whitespace().skip(1) {
        let optional = token.starts_with('?') || token.starts_with('[');
        let bare = token
            .trim_matches(|c| matches!(c, '?' | '[' | ']'))
            .trim_end_matches("...");
        if bare.is_empty() || bare.starts_with('-') || bare == "OPTIONS" {
            continue;
        }
        let parts: Vec<&str> = bare.split('|').filter(|p| !p.is_empty()).collect();
        let literal_ok = parts.len() > 1 || token.starts_with('[');
        let alts = parts
            .iter()
            .filter_map(|p| {
                if *p == "ON" || *p == "OFF" {
                    Some(Alt::Literal(p.to_ascii_lowercase()))
                } else if is_caps(p) {
                    Some(Alt::Name(p.to_string()))
                } else if literal_ok && is_lower_word(p) {
                    Some(Alt::Literal(p.to_string()))
                } else {
                    None
                }
            })
            .collect();
        out.push(Placeholder { alts, optional });
    }
    out
}

/// The options mentioned in one line, with their value placeholders.
fn options_in(line: &str) -> Vec<Entry> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts = b[i] == b'-'
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'-'))
            && {
                let k = if b.get(i + 1) == Some(&b'-') {
                    i + 2
                } else {
                    i + 1
                };
                b.get(k).is_some_and(u8::is_ascii_alphabetic)
            };
        if !starts {
            i += 1;
            continue;
        }
        let end = i
            + 1
            + b[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
                .count();
        let name = line.get(i..end).unwrap_or("").to_string();
        let value = line.get(end..).and_then(|rest| {
            let word = rest.strip_prefix(' ')?;
            let word = word.split([' ', ',']).next()?;
            is_caps(word).then(|| word.to_string())
        });
        out.push(Entry { name, value });
        i = end;
    }
    out
}

/// The sub-command or value word an indented help line describes, if it does.
fn word_of(line: &str) -> Option<Entry> {
    let body = line.trim_start_matches(' ');
    if line.len() - body.len() < 2 {
        return None;
    }
    let (word, rest) = body.split_once(' ').unwrap_or((body, ""));
    if !is_lower_word(word) {
        return None;
    }
    if rest.is_empty() || rest.starts_with(' ') {
        return Some(Entry {
            name: word.to_string(),
            value: None,
        });
    }
    let next = rest.split(' ').next().unwrap_or("");
    let value = next.trim_matches('?').trim_end_matches("...");
    (is_caps(value) && (next.starts_with('?') || is_caps(next.trim_end_matches("...")))).then(
        || Entry {
            name: word.to_string(),
            value: Some(value.to_string()),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dot::REGISTRY;

    fn help(name: &str) -> &'static str {
        REGISTRY
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| c.help)
            .unwrap_or_else(|| panic!("no help for .{name}"))
    }

    fn names(entries: &[Entry]) -> Vec<&str> {
        entries.iter().map(|e| e.name.as_str()).collect()
    }

    fn entry(name: &str, value: Option<&str>) -> Entry {
        Entry {
            name: name.to_string(),
            value: value.map(str::to_string),
        }
    }

    #[test]
    fn synopsis_placeholders_and_literals() {
        let lit = |s: &str| Alt::Literal(s.to_string());
        let name = |s: &str| Alt::Name(s.to_string());
        let u = parse(help("backup"));
        assert_eq!(
            u.positional,
            [
                Placeholder {
                    alts: vec![name("DB")],
                    optional: true
                },
                Placeholder {
                    alts: vec![name("FILE")],
                    optional: false
                },
            ]
        );
        assert_eq!(
            parse(help("headers")).positional[0].alts,
            [lit("on"), lit("off")]
        );
        assert_eq!(
            parse(help("auth")).positional[0].alts,
            [lit("on"), lit("off")]
        );
        assert_eq!(
            parse(help("explain")).positional[0].alts,
            [lit("on"), lit("off"), lit("auto")]
        );
        assert_eq!(
            parse(help("eqp")).positional[0].alts,
            [lit("on"), lit("off"), lit("full")]
        );
        assert_eq!(
            parse(help("log")).positional[0].alts,
            [name("FILE"), lit("off")]
        );
        assert_eq!(parse(help("connection")).positional[0].alts, [lit("close")]);
        // `?op?` is a placeholder, not the word "op".
        assert!(parse(help("dbconfig")).positional[0].alts.is_empty());
        // Options in the synopsis are not positional.
        assert_eq!(
            parse(help("open")).positional,
            [Placeholder {
                alts: vec![name("FILE")],
                optional: true
            }]
        );
        assert_eq!(parse(help("help")).positional.len(), 1);
    }

    #[test]
    fn options_and_the_values_they_take() {
        let u = parse(help("mode"));
        assert_eq!(
            u.options,
            [
                entry("--wrap", Some("N")),
                entry("--quote", None),
                entry("--wordwrap", Some("B")),
                entry("--ww", None),
                entry("--noquote", None),
            ]
        );
        let u = parse(help("import"));
        assert_eq!(
            names(&u.options),
            ["--ascii", "--csv", "--skip", "--schema", "-v"]
        );
        assert_eq!(u.options[3], entry("--schema", Some("S")));
        assert_eq!(
            names(&parse(help("progress")).options),
            ["--limit", "--once", "--quiet", "-q", "--reset"]
        );
        assert_eq!(names(&parse(help("once")).options), ["--bom", "-e", "-x"]);
        assert_eq!(names(&parse(help("help")).options), ["-all"]);
        assert_eq!(names(&parse(help("fullschema")).options), ["--indent"]);
        // `.sha3sum --schema` takes no value; `right-justify` is no option.
        assert_eq!(parse(help("sha3sum")).options[0], entry("--schema", None));
        assert!(parse(help("width")).options.is_empty());
        let ar = parse(help("archive"));
        assert!(ar.options.contains(&entry("--file", Some("FILE"))));
        assert!(ar.options.contains(&entry("-C", Some("DIR"))));
    }

    #[test]
    fn sub_command_words() {
        assert_eq!(
            names(&parse(help("mode")).words),
            [
                "ascii", "box", "csv", "column", "html", "insert", "json", "line", "list",
                "markdown", "qbox", "quote", "table", "tabs", "tcl"
            ]
        );
        assert_eq!(
            names(&parse(help("stats")).words),
            ["off", "on", "stmt", "vmstep"]
        );
        assert_eq!(
            names(&parse(help("trace")).words),
            ["stdout", "stderr", "off"]
        );
        assert_eq!(names(&parse(help("lint")).words), ["fkey-indexes"]);
        assert_eq!(names(&parse(help("eqp")).words), ["trigger"]);
        let p = parse(help("parameter"));
        assert_eq!(names(&p.words), ["clear", "init", "list", "set", "unset"]);
        assert_eq!(p.words[3], entry("set", Some("PARAMETER")));
        let s = parse(help("session"));
        assert!(s.words.contains(&entry("attach", Some("TABLE"))));
        assert!(s.words.contains(&entry("enable", Some("BOOLEAN"))));
        assert!(s.words.contains(&entry("open", Some("DB"))));
        assert!(s.words.contains(&entry("close", None)));
        // Prose continuation lines are not words.
        for cmd in ["import", "recover", "indexes", "archive", "dump", "read"] {
            assert!(parse(help(cmd)).words.is_empty(), ".{cmd}");
        }
    }
}
