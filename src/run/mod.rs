//! The command loop: reads a [`LineSource`], splits it into units and runs them — SQL through
//! the shell's executor, dot-commands through the registry (sqlite3 3.40.1's
//! `process_input()`), and start-up ([`start`]: sqlite3's `main()`).
//!
//! This is the one module that knows both the shell's state (`shell/`) and the dot-command
//! registry (`dot/`): the registry works on the state, and a command that opens a new source
//! (`.read`) leaves it in [`Shell::pending_source`] for the loop here to run.

pub(crate) mod bulk;
mod interactive;
mod start;

use std::io::{self, Write};
use std::sync::atomic::Ordering;

pub use start::main;

use crate::exec::{self, ExecError};
use crate::input::{hexdb, LineSource};
use crate::shell::{Failure, Flow, Shell, MAX_INPUT_NESTING, SEEN_INTERRUPT};
use crate::split::{Splitter, Step, Unit};

impl Shell {
    /// Runs an SQL unit read from a source (sqlite3's `runOneSqlLine`): returns whether it
    /// failed. Errors go to stderr with sqlite3's prefixes and line numbers.
    fn run_sql_unit(
        &mut self,
        sql: &[u8],
        start_line: usize,
        from_terminal: bool,
    ) -> Result<bool, Flow> {
        let resolved;
        let sql = if self.settings.backslash {
            resolved = crate::split::dotargs::resolve_backslashes(sql);
            &resolved[..]
        } else {
            sql
        };
        let r = self.run_sql(sql);
        let failed = match r {
            Ok(()) => {
                if self.settings.count_changes {
                    let (c, t) = self.db.conn.as_ref().map_or((0, 0), |c| {
                        (exec::raw::changes(c), exec::raw::total_changes(c))
                    });
                    let line = format!("changes: {c}   total_changes: {t}\n");
                    if let Err(e) = self.out.write_all(line.as_bytes()) {
                        if let Flow::Exit(c) = self.io_failure(&e) {
                            return Err(Flow::Exit(c));
                        }
                    }
                }
                false
            }
            Err(ExecError::Io(e)) => {
                let reader_quit = self.out.reader_quit(&e);
                if let Flow::Exit(c) = self.io_failure(&e) {
                    return Err(Flow::Exit(c));
                }
                !reader_quit
            }
            Err(ExecError::Exit(c)) => return Err(Flow::Exit(c)),
            Err(e) => {
                let (kind, text) = match e {
                    ExecError::Prepare { text, .. } => ("Parse error", text),
                    ExecError::Step { text, .. } => ("Runtime error", text),
                    ExecError::Other { msg: Some(m), .. } => ("Error", m),
                    // sqlite3 shows the connection's last error message then.
                    ExecError::Other { msg: None, .. } => (
                        "Error",
                        self.db
                            .conn
                            .as_ref()
                            .map(exec::raw::errmsg)
                            .unwrap_or_default(),
                    ),
                    ExecError::Io(_) | ExecError::Exit(_) => unreachable!(),
                };
                let prefix = if from_terminal {
                    format!("{kind}:")
                } else {
                    format!("{kind} near line {start_line}:")
                };
                let mut msg = prefix.into_bytes();
                msg.push(b' ');
                msg.extend_from_slice(&text);
                self.report(&Failure::Msg(msg));
                true
            }
        };
        self.end_once();
        self.safe.set(self.safe_persist);
        Ok(failed)
    }

    /// Runs a dot-command line; returns the flow and, when it failed, its result code.
    pub fn run_dot_line(&mut self, line: &[u8]) -> (Flow, Option<i32>) {
        // A dot-command cancels a pending `.expert` (sqlite3's do_meta_command).
        self.expert = None;
        let mut r = crate::dot::dispatch(self, line);
        if let Some(mut src) = self.pending_source.take() {
            r = r.and_then(|_| self.run_nested(&mut *src));
        }
        // SQL the command ran itself (`.selftest`, `.parameter set`, …) that safe mode
        // refused: sqlite3 leaves at that point, whatever the command would have said.
        if let Some(m) = self.safe.take_refusal() {
            if let Some(f) = self.fail_if_safe(&m) {
                return (f, Some(1));
            }
        }
        let out = match r {
            Ok(f) => (f, None),
            Err(Failure::Io(e)) if self.out.reader_quit(&e) => (self.io_failure(&e), None),
            Err(f) => {
                let code = match f {
                    Failure::Code(c) => c,
                    _ => 1,
                };
                (self.report(&f), Some(code))
            }
        };
        if !line_is_output_redirect(line) {
            self.end_once();
        }
        if self.safe_nonce_used {
            self.safe_nonce_used = false;
        } else {
            self.safe.set(self.safe_persist);
        }
        out
    }

    /// Runs the source a dot-command opened (`.read`), keeping the line count of the
    /// current one. Its errors were reported as they happened; they make the command fail.
    fn run_nested(&mut self, src: &mut dyn LineSource) -> crate::shell::DotResult {
        let saved_line = self.lineno;
        let r = self.process_input(src);
        self.lineno = saved_line;
        match r {
            (Flow::Exit(c), _) => Ok(Flow::Exit(c)),
            (_, true) => Err(Failure::Reported),
            (_, false) => Ok(Flow::Continue),
        }
    }

    /// Reads and runs a whole source (sqlite3's `process_input`). Returns the flow and
    /// whether any error happened.
    pub fn process_input(&mut self, src: &mut dyn LineSource) -> (Flow, bool) {
        if self.nesting == MAX_INPUT_NESTING {
            eprintln!(
                "Input nesting limit ({MAX_INPUT_NESTING}) reached at line {}. Check recursion.",
                self.lineno
            );
            return (Flow::Continue, true);
        }
        self.nesting += 1;
        let r = self.process_lines(src);
        self.nesting -= 1;
        r
    }

    fn process_lines(&mut self, src: &mut dyn LineSource) -> (Flow, bool) {
        let mut errors = 0usize;
        let mut splitter = Splitter::new();
        let interactive = src.is_interactive();
        self.lineno = 0;
        let mut idle_told = false;
        let mut handback: Option<Vec<u8>> = None;
        while errors == 0 || !self.settings.bail || interactive {
            if let Err(e) = self.out.flush() {
                if let Flow::Exit(c) = self.io_failure(&e) {
                    return (Flow::Exit(c), errors > 0);
                }
            }
            if !splitter.in_statement() && !idle_told {
                // The source's own queries (the schema snapshot) are not `.progress` steps.
                self.settings.progress.suspend(true);
                src.after_unit(self.quiet_conn());
                self.settings.progress.suspend(false);
                idle_told = true;
            }
            let handed_back = handback.take();
            let fresh = handed_back.is_none();
            let next = match handed_back {
                Some(l) => Ok(Some(l)),
                None if splitter.in_statement() => src.next_line(&self.settings.cont_prompt),
                None => src.next_line(&self.settings.prompt),
            };
            let line = match next {
                Ok(Some(l)) => l,
                Ok(None) => {
                    if interactive {
                        println!();
                    }
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    // Ctrl-C at the prompt: what was typed of the statement is dropped.
                    splitter.reset();
                    SEEN_INTERRUPT.store(0, Ordering::SeqCst);
                    continue;
                }
                Err(e) => {
                    eprintln!("Error: cannot read input: {e}");
                    errors += 1;
                    break;
                }
            };
            if SEEN_INTERRUPT.load(Ordering::SeqCst) > 0 {
                if !interactive {
                    break;
                }
                SEEN_INTERRUPT.store(0, Ordering::SeqCst);
            }
            // A dump's INSERTs run through cached statements (run/bulk.rs); a line they
            // hand back comes round again and goes the normal way.
            if fresh
                && !interactive
                && !splitter.in_statement()
                && crate::split::dump_insert::may_be(&line)
                && self.bulk_inserts_allowed()
            {
                match self.run_dump_inserts(src, &mut splitter, line, &mut errors) {
                    bulk::Bulk::Handback(l) => handback = Some(l),
                    bulk::Bulk::Eof | bulk::Bulk::Interrupted => break,
                    bulk::Bulk::ReadError(e) => {
                        eprintln!("Error: cannot read input: {e}");
                        errors += 1;
                        break;
                    }
                    bulk::Bulk::Stopped => {}
                }
                idle_told = false;
                continue;
            }
            self.lineno += 1;
            idle_told = false;
            let unit = match splitter.step(&line) {
                Step::Unit(u) => u,
                Step::Swallowed(text) => {
                    if self.settings.echo {
                        self.echo(&text);
                    }
                    continue;
                }
                Step::Pending => continue,
            };
            let r = if interactive && self.ui.stdout_tty {
                self.run_unit_at_terminal(unit)
            } else {
                self.run_unit(unit, interactive)
            };
            if self.pending_hexdb {
                // `.open --hexdb`: the database's text form follows in this input.
                self.pending_hexdb = false;
                let base = splitter.line_no();
                let mut chunks = hexdb::line_chunks(|| src.next_line(b""));
                let taken = self.load_hexdb(&mut chunks, base, true) - base;
                splitter.count_lines(taken);
                self.lineno += taken;
            }
            match r {
                Ok(true) => errors += 1,
                Ok(false) => {}
                Err(f) => {
                    src.after_unit(None);
                    return match f {
                        Flow::Stop => (Flow::Continue, errors > 0),
                        f => (f, errors > 0),
                    };
                }
            }
        }
        if let Some(unit) = splitter.finish() {
            match self.run_unit(unit, interactive) {
                Ok(true) => errors += 1,
                Ok(false) => {}
                Err(Flow::Stop) => {}
                Err(f) => return (f, errors > 0),
            }
        }
        (Flow::Continue, errors > 0)
    }

    /// The connection, when the shell may run SQL of its own on it without anything
    /// showing (no `.trace`, no `.auth`).
    fn quiet_conn(&self) -> Option<&rusqlite::Connection> {
        if self.settings.trace.is_on() || self.settings.auth {
            return None;
        }
        self.db.conn.as_ref()
    }

    /// Runs a unit typed at the terminal: tables fit its width, and a result taller than
    /// the screen goes through the pager (see `output/pager.rs`).
    fn run_unit_at_terminal(&mut self, unit: Unit) -> Result<bool, Flow> {
        let size = terminal_size::terminal_size_of(io::stdout());
        // Only what goes to the terminal itself is fitted and coloured: `.once`, `.output`
        // and pipes get the whole text, plain.
        let to_terminal = self.out.is_stdout();
        let r = &mut self.settings.render;
        r.term_width = size.filter(|_| to_terminal).map(|(w, _)| w.0);
        r.color = self.ui.color && to_terminal;
        let limit = match self.settings.pager {
            crate::shell::PagerMode::Off => None,
            crate::shell::PagerMode::On => Some(0),
            // The prompt's line stays on the screen with the result.
            crate::shell::PagerMode::Auto => size.map(|(_, h)| usize::from(h.0).saturating_sub(1)),
        };
        if let Some(limit) = limit {
            if let Err(e) = self.out.start_paging(&self.ui.pager_command, limit) {
                self.io_failure(&e);
            }
        }
        let r = self.run_unit(unit, true);
        if let Err(e) = self.out.end_paging() {
            self.io_failure(&e);
        }
        r
    }

    /// Runs one unit; `Ok(failed)` or `Err(flow)` when the source must stop.
    fn run_unit(&mut self, unit: Unit, interactive: bool) -> Result<bool, Flow> {
        match unit {
            Unit::Sql { text, start_line } => {
                if self.settings.echo {
                    self.echo(&text);
                }
                self.run_sql_unit(&text, start_line, interactive)
            }
            Unit::Dot { line, .. } => {
                if self.settings.echo {
                    self.echo(&line);
                }
                match self.run_dot_line(&line) {
                    (Flow::Continue, failed) => Ok(failed.is_some()),
                    (f, _) => Err(f),
                }
            }
        }
    }

    /// `.echo on`: the input is written to stdout before it runs.
    fn echo(&mut self, text: &[u8]) {
        // sqlite3's echo_group_input() writes to the current output (p->out).
        let mut line = text.to_vec();
        line.push(b'\n');
        if let Err(e) = self.out.write_all(&line) {
            self.io_failure(&e);
        }
    }
}

/// True for `.output`/`.once` lines, which set up a redirection rather than use one.
fn line_is_output_redirect(line: &[u8]) -> bool {
    let args = crate::split::dotargs::parse_dot_args(line);
    match args.first() {
        Some(a) => crate::dot::resolves_to(a, "once") || crate::dot::resolves_to(a, "output"),
        None => false,
    }
}
