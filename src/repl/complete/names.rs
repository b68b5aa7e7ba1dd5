//! Matching what was typed against names, spelling names back as SQL, and collecting
//! candidates in order.

use std::collections::HashSet;

use super::lex::{is_id_byte, is_id_start};
use super::Candidate;
use crate::repl::keywords::is_keyword;

/// How the word being completed was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Opening {
    /// A bare word (or nothing typed yet).
    Bare,
    /// After this opening quote byte: `"`, `[` or a backquote.
    Quote(u8),
}

/// True when `name` starts with `prefix`, ASCII case-insensitively (SQLite's rule for
/// names). Compares bytes, so it never cuts a character.
pub(crate) fn has_prefix(name: &str, prefix: &str) -> bool {
    name.len() >= prefix.len()
        && name.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// True when `name` has the shape of a bare identifier: an ASCII letter, `_` or a non-ASCII
/// letter first, then letters, digits, `_` or `$` (non-ASCII letters and digits count).
pub(crate) fn is_ident_shaped(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let ok = |c: char, start: bool| {
        if c.is_ascii() {
            let b = c as u8;
            if start {
                is_id_start(b)
            } else {
                is_id_byte(b)
            }
        } else if start {
            c.is_alphabetic()
        } else {
            c.is_alphanumeric()
        }
    };
    ok(first, true) && chars.all(|c| ok(c, false))
}

/// True when `name` can be written without quotes: identifier-shaped and not a keyword
/// (except `temp`, which SQLite takes as a name everywhere and which `temp.t` spells).
pub(crate) fn is_plain(name: &str) -> bool {
    is_ident_shaped(name) && (!is_keyword(name) || name.eq_ignore_ascii_case("temp"))
}

/// `name` as a double-quoted SQL identifier, inner `"` doubled.
pub(crate) fn sql_quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// How to write `name` at a word opened by `opening`: bare when it can be, double-quoted
/// otherwise; after an opening quote, the rest of the name with that quote style's escaping
/// and the closing quote. `None` when it cannot be written there (a `]` inside `[...]`).
pub(crate) fn spell(name: &str, opening: Opening) -> Option<String> {
    match opening {
        Opening::Bare if is_plain(name) => Some(name.to_string()),
        Opening::Bare => Some(sql_quote(name)),
        Opening::Quote(b'[') if name.contains(']') => None,
        Opening::Quote(b'[') => Some(format!("{name}]")),
        Opening::Quote(q) => {
            let q = char::from(q);
            let doubled: String = [q, q].iter().collect();
            Some(format!("{}{q}", name.replace(q, &doubled)))
        }
    }
}

/// `word` completed from `typed` (a case-insensitive prefix of it), keeping what was typed
/// as it was and writing the rest in the case of the last letter typed (upper case when no
/// letter was typed). For keywords and function names, whose case does not matter.
pub(crate) fn typed_case(word: &str, typed: &str) -> String {
    let Some(rest) = word.get(typed.len()..) else {
        return word.to_string();
    };
    let lower = typed
        .chars()
        .rev()
        .find(char::is_ascii_alphabetic)
        .is_some_and(|c| c.is_ascii_lowercase());
    let rest = if lower {
        rest.to_ascii_lowercase()
    } else {
        rest.to_ascii_uppercase()
    };
    format!("{typed}{rest}")
}

/// Candidates gathered group by group: each group is sorted (case-insensitively by what is
/// displayed), groups keep the order they were added in (best first), and a replacement
/// already offered is not offered again.
#[derive(Default)]
pub(crate) struct Collector {
    seen: HashSet<String>,
    list: Vec<Candidate>,
}

impl Collector {
    /// Adds one group.
    pub fn group(&mut self, items: impl IntoIterator<Item = Candidate>) {
        let mut items: Vec<Candidate> = items.into_iter().collect();
        items.sort_by(|a, b| {
            a.display
                .to_lowercase()
                .cmp(&b.display.to_lowercase())
                .then_with(|| a.display.cmp(&b.display))
        });
        for c in items {
            if self.seen.insert(c.replacement.clone()) {
                self.list.push(c);
            }
        }
    }

    /// The candidates gathered.
    pub fn finish(self) -> Vec<Candidate> {
        self.list
    }
}

/// The names among `names` that `prefix` starts, spelled for `opening`, as one group.
pub(crate) fn matching<'a>(
    names: impl IntoIterator<Item = &'a str>,
    prefix: &str,
    opening: Opening,
    suffix: &str,
) -> Vec<Candidate> {
    names
        .into_iter()
        .filter(|n| has_prefix(n, prefix))
        .filter_map(|n| {
            spell(n, opening).map(|s| Candidate {
                display: format!("{n}{suffix}"),
                replacement: format!("{s}{suffix}"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_ignore_ascii_case_only() {
        assert!(has_prefix("Orders", "ord"));
        assert!(has_prefix("orders", "ORDERS"));
        assert!(has_prefix("x", ""));
        assert!(!has_prefix("ord", "orders"));
        assert!(has_prefix("été", "été"));
        assert!(!has_prefix("été", "ÉTÉ"));
    }

    #[test]
    fn plain_names_stay_bare_and_others_are_double_quoted() {
        assert!(is_plain("order_id"));
        assert!(is_plain("_x$1"));
        assert!(is_plain("café"));
        assert!(!is_plain("order"), "a keyword");
        assert!(is_plain("temp"));
        assert!(!is_plain("1st"));
        assert!(!is_plain("a b"));
        assert!(!is_plain(""));
        assert!(!is_plain("a-b"));
        assert_eq!(spell("orders", Opening::Bare).unwrap(), "orders");
        assert_eq!(
            spell("odd \"name\"", Opening::Bare).unwrap(),
            "\"odd \"\"name\"\"\""
        );
        assert_eq!(spell("Select", Opening::Bare).unwrap(), "\"Select\"");
    }

    #[test]
    fn after_an_opening_quote_the_rest_is_escaped_and_closed() {
        assert_eq!(spell("a\"b", Opening::Quote(b'"')).unwrap(), "a\"\"b\"");
        assert_eq!(spell("a`b", Opening::Quote(b'`')).unwrap(), "a``b`");
        assert_eq!(spell("a\"b", Opening::Quote(b'[')).unwrap(), "a\"b]");
        assert_eq!(spell("a]b", Opening::Quote(b'[')), None);
    }

    #[test]
    fn keyword_case_follows_the_typing() {
        assert_eq!(typed_case("SELECT", "sel"), "select");
        assert_eq!(typed_case("SELECT", "SEL"), "SELECT");
        assert_eq!(typed_case("SELECT", "Sel"), "Select");
        assert_eq!(typed_case("SELECT", "seL"), "seLECT");
        assert_eq!(typed_case("SELECT", ""), "SELECT");
        assert_eq!(typed_case("CURRENT_DATE", "current_"), "current_date");
        assert_eq!(typed_case("abs", "AB"), "ABS");
    }

    #[test]
    fn groups_are_sorted_deduplicated_and_kept_in_order() {
        let c = |s: &str| Candidate {
            display: s.to_string(),
            replacement: s.to_string(),
        };
        let mut out = Collector::default();
        out.group([c("b"), c("A"), c("a")]);
        out.group([c("a"), c("0")]);
        let got: Vec<String> = out.finish().into_iter().map(|c| c.display).collect();
        assert_eq!(got, ["A", "a", "b", "0"]);
    }
}
