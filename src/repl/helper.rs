//! The rustyline helper: completion ([`super::complete`]), highlighting
//! ([`super::highlight`]), the dimmed history hint and the Enter key's validation.
//!
//! Statement completeness is `split/`'s: the validator feeds the text to a [`Splitter`], the
//! same one the shell reads with. The REPL reads one line at a time (so sqlite3's `   ...> `
//! prompt shows), and a single line is always accepted; a buffer of several lines (a
//! statement recalled whole from history, a paste, or one that came back from the editor)
//! is accepted only when it ends outside a statement, so Enter inside it adds a line.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};

use super::complete;
use super::highlight::{self, Theme};
use super::schema::Schema;
use crate::split::Splitter;

/// State the line source and the editor's helper share.
#[derive(Default)]
pub struct Shared {
    /// The earlier lines of the statement being typed, each ending in `\n`.
    pub pending: Mutex<String>,
    /// The schema names are completed from.
    pub schema: Mutex<Schema>,
    /// Ctrl-X Ctrl-E was pressed: the line source opens the statement in the editor.
    pub edit_requested: AtomicBool,
}

/// The editor's helper.
pub struct ReplHelper {
    /// Shared with the line source.
    pub shared: Arc<Shared>,
    /// Colours; `None` when colour is off.
    pub theme: Option<Theme>,
    hinter: HistoryHinter,
    /// The next redraw is the final one (the line was accepted): no bracket match then.
    final_redraw: AtomicBool,
}

impl ReplHelper {
    /// A helper; `theme` is `None` when nothing may be coloured.
    pub fn new(shared: Arc<Shared>, theme: Option<Theme>) -> Self {
        ReplHelper {
            shared,
            theme,
            hinter: HistoryHinter::new(),
            final_redraw: AtomicBool::new(false),
        }
    }

    fn pending(&self) -> String {
        self.shared
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Whether `text`, read after `pending`, leaves the splitter outside a statement.
pub fn ends_outside_statement(pending: &str, text: &str) -> bool {
    let mut s = Splitter::new();
    for line in pending.lines().chain(text.split('\n')) {
        let _ = s.step(line.as_bytes());
    }
    !s.in_statement()
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let pending = self.pending();
        let text = format!("{pending}{line}");
        let schema = self.shared.schema.lock().unwrap_or_else(|e| e.into_inner());
        let (start, cands) = complete::complete(&text, pending.len() + pos, &schema);
        let start = start.saturating_sub(pending.len()).min(pos);
        let pairs = cands
            .into_iter()
            .map(|c| Pair {
                display: c.display,
                replacement: c.replacement,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<String> {
        self.theme.as_ref()?;
        // A hint from history only on a first line: later lines are not history entries.
        if !self.pending().is_empty() {
            return None;
        }
        self.hinter.hint(line, pos, ctx)
    }
}

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, pos: usize) -> Cow<'l, str> {
        match &self.theme {
            Some(t) => {
                // A line after the first of a statement is SQL, even when it starts with `.`.
                let pending = !self.pending().is_empty();
                let pos = if self.final_redraw.swap(false, Ordering::Relaxed) {
                    highlight::NO_CURSOR
                } else {
                    pos
                };
                Cow::Owned(highlight::highlight_with(line, pos, t, pending))
            }
            None => Cow::Borrowed(line),
        }
    }

    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        match &self.theme {
            Some(t) if !t.prompt.is_empty() => Cow::Owned(highlight::paint(prompt, &t.prompt)),
            _ => Cow::Borrowed(prompt),
        }
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        match &self.theme {
            Some(t) => Cow::Owned(highlight::paint(hint, &t.hint)),
            None => Cow::Borrowed(hint),
        }
    }

    fn highlight_char(&self, line: &str, pos: usize, kind: CmdKind) -> bool {
        self.theme.is_some() && (kind != CmdKind::MoveCursor || highlight::needs_redraw(line, pos))
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        let input = ctx.input();
        if !input.contains('\n') || self.shared.edit_requested.load(Ordering::SeqCst) {
            return Ok(ValidationResult::Valid(None));
        }
        if ends_outside_statement(&self.pending(), input) {
            Ok(ValidationResult::Valid(None))
        } else {
            Ok(ValidationResult::Incomplete)
        }
    }
}

impl Helper for ReplHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completeness_is_the_splitters() {
        assert!(ends_outside_statement("", "select 1;"));
        assert!(!ends_outside_statement("", "select 1"));
        assert!(!ends_outside_statement("", "select 1;\nselect 'a;"));
        assert!(ends_outside_statement("select\n", "1;"));
        assert!(!ends_outside_statement(
            "",
            "create trigger t after insert on x begin\nselect 1;"
        ));
        assert!(ends_outside_statement(
            "",
            "create trigger t after insert on x begin\nselect 1;\nend;"
        ));
        assert!(ends_outside_statement("", ".tables\n.schema"));
    }
}
