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
mod lex;
mod names;
mod sql;
mod usage;

use super::schema::Schema;
use crate::split::Splitter;

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

/// Where the SQL still waiting for its end begins in `prior` (whole lines, each ending in
/// `\n`), or `None` when nothing is pending. The shell's own [`Splitter`] decides, so
/// completion and the shell agree on where a statement ends (triggers included).
fn pending_sql(prior: &str) -> Option<usize> {
    let mut splitter = Splitter::new();
    let mut from = 0;
    let mut at = 0;
    for line in prior.split_inclusive('\n') {
        let was_pending = splitter.in_statement();
        let _ = splitter.step(line.strip_suffix('\n').unwrap_or(line).as_bytes());
        if !was_pending {
            from = at;
        }
        at += line.len();
    }
    splitter.in_statement().then_some(from)
}

#[cfg(test)]
mod tests;
