//! Context-aware completion (names from a schema snapshot, dot-commands, paths).
//!
//! [`complete`] reads only the statement typed so far and a [`Schema`] snapshot (and, for a
//! dot-command's file argument, a directory listing); it never touches the connection or
//! the terminal.
//!
//! A line is a dot-command when it starts with `.` and nothing is pending before it, judged
//! the way sqlite3's line loop judges it: earlier lines that are only white space and
//! comments, dot-commands, `#` lines, or SQL ended by `;` leave nothing pending. The `dot`
//! submodule then completes command names and arguments. Otherwise the text from where the
//! pending SQL began is SQL, and the `sql` submodule completes the statement after the last
//! `;` (its documentation lists the rules for each position). In short:
//!
//! * names that are not plain identifiers (keywords, spaces, quotes, a leading digit) are
//!   written double-quoted, `"` doubled; after an opening `"`, `[` or backquote the rest of
//!   the name is written for that quote and the quote is closed;
//! * keywords and function names keep what was typed and continue in its case;
//! * function names are offered where an expression may start, written `name(`;
//! * nothing is offered inside a string literal or comment;
//! * matching is by prefix, ASCII case-insensitively; an exact match is listed too.
//!
//! Candidates come best first: in groups by kind (for SQL columns, then table aliases,
//! then functions, then keywords), each group sorted, with no replacement twice.

mod dot;
mod files;
mod keywords;
mod lex;
mod names;
mod sql;
mod usage;

use lex::{lex, Kind};

use super::schema::Schema;

/// One completion: what the list shows and what replaces the word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// What to show in the list of candidates.
    pub display: String,
    /// The text that replaces the word, from the returned offset to the cursor.
    pub replacement: String,
}

/// Completes at byte offset `pos` of `text`. `text` is the statement typed so far: it may
/// hold earlier lines of a multi-line statement followed by '\n' and the current line.
/// Returns the byte offset where the replaced word starts and the candidates (sorted,
/// deduplicated, best first).
///
/// Text after `pos` is not looked at. A `pos` past the end or inside a character is moved
/// back to the nearest character boundary; the offset returned is always a character
/// boundary no greater than it.
pub fn complete(text: &str, pos: usize, schema: &Schema) -> (usize, Vec<Candidate>) {
    let mut pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    let head = &text[..pos];
    let line_start = head.rfind('\n').map_or(0, |i| i + 1);
    let line = &head[line_start..];
    let (base, (start, candidates)) = match pending_sql(&head[..line_start]) {
        None if line.starts_with('.') => (line_start, dot::complete_dot(line, schema)),
        None if line.starts_with('#') => return (pos, Vec::new()),
        None => (line_start, sql::complete_sql(line, schema)),
        Some(from) => (from, sql::complete_sql(&head[from..], schema)),
    };
    (base + start, candidates)
}

/// SQL waiting for its end while [`pending_sql`] reads lines.
struct Pending {
    /// Where it begins.
    from: usize,
    /// Where its last token so far begins: lexing goes on from there, since only the last
    /// token can still grow with more text.
    resume: usize,
    /// Whether the last significant token before `resume` is `;`, if there is one.
    ended: Option<bool>,
}

/// Where the SQL still waiting for its end begins in `prior` (whole lines, each ending in
/// `\n`), or `None` when nothing is pending: sqlite3 waits for more after SQL unless it is
/// only white space and comments or ends with `;` outside any string, quoted name or
/// comment. (A trigger body's inner `;` counts as an end here.)
fn pending_sql(prior: &str) -> Option<usize> {
    let mut pending: Option<Pending> = None;
    let mut at = 0;
    for line in prior.split_inclusive('\n') {
        let line_start = at;
        at += line.len();
        let p = match pending.as_mut() {
            Some(p) => p,
            None if line.starts_with('.') || line.starts_with('#') => continue,
            None => pending.insert(Pending {
                from: line_start,
                resume: line_start,
                ended: None,
            }),
        };
        let text = &prior[p.resume..at];
        let tokens = lex(text);
        let is_end = |t: &lex::Token| t.kind == Kind::Punct && t.text(text) == ";";
        let last_sig = |toks: &[lex::Token]| toks.iter().rev().find(|t| !t.is_trivia()).map(is_end);
        let Some((last, rest)) = tokens.split_last() else {
            continue;
        };
        let ended = last_sig(&tokens).or(p.ended);
        if !last.is_unterminated() && ended.is_none_or(|e| e) {
            pending = None;
        } else {
            p.ended = last_sig(rest).or(p.ended);
            p.resume += last.start;
        }
    }
    pending.map(|p| p.from)
}

#[cfg(test)]
mod tests;
