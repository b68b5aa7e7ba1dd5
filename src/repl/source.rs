//! The terminal as a line source, read with rustyline.
//!
//! Each call reads one line at the prompt the shell asks for (`sqlite> ` or `   ...> `) and
//! hands it to the same splitter piped input goes through. A buffer of several lines (a
//! statement recalled from history, a paste, the editor's result) is handed over line by
//! line. When the shell has run a unit ([`LineSource::after_unit`]), the lines it came from
//! become ONE history entry, appended to the history file at once (mode 0600; see
//! [`super::history`] for the files it refuses and what it leaves out).
//!
//! Ctrl-C at the prompt drops what was typed of the statement (the shell resets its
//! splitter on the `Interrupted` error); Ctrl-D on an empty line is the end of input.
//! Ctrl-X Ctrl-E, and `.edit` alone on a line, open the statement (or, with nothing typed,
//! the last one in history) in `$VISUAL`/`$EDITOR` (else `vi`); what comes back is run.

use std::collections::VecDeque;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use rustyline::error::ReadlineError;
use rustyline::history::{FileHistory, History};
use rustyline::{
    Cmd, ConditionalEventHandler, Editor, Event, EventContext, EventHandler, KeyEvent, RepeatCount,
};

use super::config::{Config, EditMode};
use super::helper::{ReplHelper, Shared};
use super::highlight::Theme;
use super::schema::Schema;
use crate::input::LineSource;

/// The default history file, in the home directory (`$SQLITE_HISTORY` overrides it).
/// It is not sqlite3's `~/.sqlite_history`: entries here may span lines.
pub const HISTORY_FILE: &str = ".litesh_history";

/// The interactive terminal.
pub struct Repl {
    editor: Editor<ReplHelper, FileHistory>,
    shared: Arc<Shared>,
    /// Lines of a multi-line buffer not handed over yet.
    queued: VecDeque<String>,
    /// Lines of the current unit, for its history entry.
    typed: Vec<String>,
    history: Option<PathBuf>,
    history_failed: bool,
    /// What the schema snapshot was taken from (schema names and versions).
    schema_key: Option<super::schema::SchemaKey>,
}

/// Ctrl-X Ctrl-E: accept the line with the edit flag set.
struct EditKey(Arc<Shared>);

impl ConditionalEventHandler for EditKey {
    fn handle(&self, _: &Event, _: RepeatCount, _: bool, _: &EventContext<'_>) -> Option<Cmd> {
        self.0.edit_requested.store(true, Ordering::SeqCst);
        Some(Cmd::AcceptLine)
    }
}

/// The history file: `$SQLITE_HISTORY`, else [`HISTORY_FILE`] in the home directory.
pub fn history_path(home: Option<&std::path::Path>) -> Option<PathBuf> {
    match std::env::var_os("SQLITE_HISTORY") {
        Some(p) => Some(PathBuf::from(p)),
        None => home.map(|h| h.join(HISTORY_FILE)),
    }
}

impl Repl {
    /// Sets up the editor. `theme` is `None` when colour is off.
    pub fn new(
        config: &Config,
        theme: Option<Theme>,
        history: Option<PathBuf>,
    ) -> rustyline::Result<Self> {
        let rl_config = rustyline::Config::builder()
            .max_history_size(config.history_size.unwrap_or(10_000))?
            .history_ignore_dups(true)?
            .auto_add_history(false)
            .completion_type(rustyline::CompletionType::List)
            .edit_mode(match config.edit_mode {
                EditMode::Emacs => rustyline::EditMode::Emacs,
                EditMode::Vi => rustyline::EditMode::Vi,
            })
            // With stdout redirected, the editor works on /dev/tty, so that no prompt or
            // cursor movement lands in the output file.
            .behavior(if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                rustyline::Behavior::Stdio
            } else {
                rustyline::Behavior::PreferTerm
            })
            .color_mode(if theme.is_some() {
                rustyline::ColorMode::Enabled
            } else {
                rustyline::ColorMode::Disabled
            })
            .build();
        let shared = Arc::new(Shared::default());
        let mut editor = Editor::with_config(rl_config)?;
        editor.set_helper(Some(ReplHelper::new(shared.clone(), theme)));
        editor.bind_sequence(
            Event::KeySeq(vec![KeyEvent::ctrl('X'), KeyEvent::ctrl('E')]),
            EventHandler::Conditional(Box::new(EditKey(shared.clone()))),
        );
        let history = super::history::checked(history);
        if let Some(p) = &history {
            match editor.load_history(p) {
                Ok(()) => {}
                Err(ReadlineError::Io(e)) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => eprintln!("litesh: cannot read history {}: {e}", p.display()),
            }
        }
        Ok(Repl {
            editor,
            shared,
            queued: VecDeque::new(),
            typed: Vec::new(),
            history,
            history_failed: false,
            schema_key: None,
        })
    }

    fn set_pending(&self) {
        let mut p = self
            .shared
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        p.clear();
        for l in &self.typed {
            p.push_str(l);
            p.push('\n');
        }
    }

    /// Hands over the first line of `buf` and queues the rest.
    fn take(&mut self, buf: &str) -> Vec<u8> {
        let mut lines = buf.split('\n');
        let first = lines.next().unwrap_or_default().to_string();
        self.queued.extend(lines.map(str::to_string));
        self.typed.push(first.clone());
        first.into_bytes()
    }

    /// Opens `text` in the editor and queues what comes back. The shell is told to drop
    /// what it has of the statement (an `Interrupted` error) before the lines come.
    fn edit(&mut self, text: &str) -> io::Result<Option<Vec<u8>>> {
        self.typed.clear();
        self.queued.clear();
        match edit_in_editor(text) {
            Ok(new) => {
                let new = new.strip_suffix('\n').unwrap_or(&new);
                if !new.trim().is_empty() {
                    self.queued.extend(new.split('\n').map(str::to_string));
                }
            }
            Err(e) => eprintln!("Error: {e}"),
        }
        Err(io::Error::new(io::ErrorKind::Interrupted, "edited"))
    }

    fn last_history_entry(&self) -> String {
        let h = self.editor.history();
        if h.is_empty() {
            return String::new();
        }
        h.get(h.len() - 1, rustyline::history::SearchDirection::Reverse)
            .ok()
            .flatten()
            .map(|r| r.entry.into_owned())
            .unwrap_or_default()
    }

    fn save_entry(&mut self) {
        let entry = self.typed.join("\n");
        self.typed.clear();
        if entry.trim().is_empty() {
            return;
        }
        let entry = super::history::redact(&entry).into_owned();
        if !matches!(self.editor.add_history_entry(entry), Ok(true)) {
            return;
        }
        if let Some(p) = &self.history {
            if let Err(e) = self.editor.append_history(p) {
                if !self.history_failed {
                    eprintln!("litesh: cannot write history {}: {e}", p.display());
                    self.history_failed = true;
                }
            }
        }
    }

    fn refresh_schema(&mut self, conn: &rusqlite::Connection) {
        let key = super::schema::schema_key(conn);
        if key.is_some() && key == self.schema_key {
            return;
        }
        let snapshot = Schema::load(conn);
        *self.shared.schema.lock().unwrap_or_else(|e| e.into_inner()) = snapshot;
        self.schema_key = key;
    }
}

/// Writes `text` to a temporary `.sql` file, runs `$VISUAL` or `$EDITOR` (else `vi`) on it
/// through `sh -c`, and returns the file's new content.
pub fn edit_in_editor(text: &str) -> io::Result<String> {
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|e| !e.is_empty())
        .or_else(|| std::env::var("EDITOR").ok().filter(|e| !e.is_empty()))
        .unwrap_or_else(|| "vi".to_string());
    // A new owner-only file with a random name (O_EXCL): nobody else can read the
    // statement or slip a link in its place.
    let mut file = tempfile::Builder::new()
        .prefix("litesh-")
        .suffix(".sql")
        .tempfile()?;
    let mut body = text.to_string();
    if !body.is_empty() && !body.ends_with('\n') {
        body.push('\n');
    }
    io::Write::write_all(file.as_file_mut(), body.as_bytes())?;
    let status = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(file.path())
        .status()?;
    if !status.success() {
        return Err(io::Error::other(format!("{editor} exited with {status}")));
    }
    std::fs::read_to_string(file.path())
}

impl LineSource for Repl {
    fn next_line(&mut self, prompt: &[u8]) -> io::Result<Option<Vec<u8>>> {
        if let Some(l) = self.queued.pop_front() {
            self.typed.push(l.clone());
            return Ok(Some(l.into_bytes()));
        }
        self.set_pending();
        let prompt = String::from_utf8_lossy(prompt).into_owned();
        match self.editor.readline(&prompt) {
            Ok(buf) => {
                if self.shared.edit_requested.swap(false, Ordering::SeqCst) {
                    let mut text = self.typed.join("\n");
                    if !text.is_empty() {
                        text.push('\n');
                    }
                    text.push_str(&buf);
                    return self.edit(&text);
                }
                if self.typed.is_empty() && buf.trim() == ".edit" {
                    let last = self.last_history_entry();
                    return self.edit(&last);
                }
                Ok(Some(self.take(&buf)))
            }
            Err(ReadlineError::Interrupted) => {
                self.typed.clear();
                self.queued.clear();
                println!("^C");
                Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"))
            }
            Err(ReadlineError::Eof) => Ok(None),
            Err(ReadlineError::Io(e)) => Err(e),
            Err(e) => Err(io::Error::other(e)),
        }
    }

    fn is_interactive(&self) -> bool {
        true
    }

    fn after_unit(&mut self, conn: Option<&rusqlite::Connection>) {
        if !self.queued.is_empty() {
            // More of the same buffer follows: one history entry for the whole of it.
            return;
        }
        self.save_entry();
        if let Some(c) = conn {
            self.refresh_schema(c);
        }
    }
}
