//! The shell: state (database, settings, output), the input loop and start-up.
//!
//! [`Shell::process_input`] mirrors sqlite3 3.40.1's `process_input()`: lines come from a
//! [`LineSource`], the splitter turns them into SQL or dot-command units, SQL goes to the
//! executor and dot-commands to the registry. Errors are counted per source; with `-bail`
//! the first one stops it. The flow of control leaves only through [`Flow`].

mod db;
mod start;

use std::ffi::OsString;
use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

pub use db::{Database, OpenMode};
pub use start::{integer_value_bytes, main};

use crate::exec::{self, ExecError};
use crate::input::LineSource;
use crate::output::{self, Output};
use crate::render::RenderOpts;
use crate::split::{Splitter, Step, Unit};

/// How a command or a source ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Go on.
    Continue,
    /// `.quit`, `.exit` or `.exit 0`: stop reading the current source.
    Stop,
    /// `.exit N` with N ≠ 0, or a broken output pipe: leave the program now with this code.
    Exit(i32),
}

/// A failed dot-command or statement.
#[derive(Debug)]
pub enum Failure {
    /// A message for stderr (without the final newline).
    Msg(Vec<u8>),
    /// Already reported.
    Reported,
    /// Writing output failed.
    Io(io::Error),
    /// Already reported, and the program must end with this code (sqlite3 calls exit()).
    Exit(i32),
    /// Already reported; the command's result code (what sqlite3 exits with when the
    /// command was a command-line argument).
    Code(i32),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}

impl Failure {
    /// A failure with a message.
    pub fn msg(s: impl AsRef<[u8]>) -> Self {
        Failure::Msg(s.as_ref().to_vec())
    }
}

/// What a dot-command returns.
pub type DotResult = Result<Flow, Failure>;

/// Shell settings that commands change.
#[derive(Debug, Clone)]
pub struct Settings {
    /// What the renderers need.
    pub render: RenderOpts,
    /// `.echo on`
    pub echo: bool,
    /// `.bail on` / `-bail`
    pub bail: bool,
    /// `.changes on`
    pub count_changes: bool,
    /// `-backslash`: C escapes in SQL read from input are resolved before it runs.
    pub backslash: bool,
    /// Main prompt.
    pub prompt: Vec<u8>,
    /// Continuation prompt.
    pub cont_prompt: Vec<u8>,
    /// `.eqp`: the automatic query plan before each statement.
    pub eqp: exec::hooks::Eqp,
    /// The mode `.explain on` saved, for `.explain off|auto` (sqlite3's `normalMode`).
    pub normal_mode: crate::render::Mode,
    /// `.timer on`: a `Run Time:` line after each SQL input line.
    pub timer: bool,
    /// `.stats`: the report after each statement.
    pub stats: exec::hooks::StatsMode,
    /// `.scanstats on` (shows nothing: 3.40.1's build has no scan status).
    pub scanstats: bool,
    /// `.trace`: destination and text kind, shared with the trace callbacks.
    pub trace: exec::hooks::Trace,
    /// `.progress`: counters and options, shared with the progress handlers.
    pub progress: exec::hooks::Progress,
    /// `.connection`: the connections that are not the active one.
    pub connections: crate::dot::conn::Connections,
}

impl Default for Settings {
    fn default() -> Self {
        // As in sqlite3's main_init(): SQLite accepts its log receiver (for `.log`) only
        // before it initializes, and the settings are made before any connection opens.
        exec::hooks::init_log();
        Settings {
            render: RenderOpts::default(),
            echo: false,
            bail: false,
            count_changes: false,
            backslash: false,
            prompt: b"sqlite> ".to_vec(),
            cont_prompt: b"   ...> ".to_vec(),
            eqp: exec::hooks::Eqp::Off,
            normal_mode: crate::render::Mode::List,
            timer: false,
            stats: exec::hooks::StatsMode::Off,
            scanstats: false,
            trace: exec::hooks::Trace::default(),
            progress: exec::hooks::Progress::default(),
            connections: crate::dot::conn::Connections::default(),
        }
    }
}

/// Number of SIGINTs seen (sqlite3's `seenInterrupt`).
pub static SEEN_INTERRUPT: AtomicUsize = AtomicUsize::new(0);

/// The interrupt handle of the open connection, for the SIGINT handler.
pub type InterruptSlot = Arc<Mutex<Option<rusqlite::InterruptHandle>>>;

/// sqlite3's `MAX_INPUT_NESTING`.
pub const MAX_INPUT_NESTING: usize = 25;

/// The whole shell state (sqlite3's `ShellState`).
pub struct Shell {
    /// Program name for messages.
    pub argv0: String,
    /// The main database connection (opened lazily).
    pub db: Database,
    /// Settings.
    pub settings: Settings,
    /// Output stack.
    pub out: Output,
    /// sqlite3's `stdin_is_interactive`.
    pub interactive: bool,
    /// Depth of nested input sources.
    pub nesting: usize,
    /// Line number in the current source.
    pub lineno: usize,
    /// Where the SIGINT handler finds the connection to interrupt.
    pub interrupt: InterruptSlot,
    /// Set once a write to the output failed (reported at exit).
    pub output_failed: bool,
    /// `-safe`: the setting that persists.
    pub safe_persist: bool,
    /// Safe mode for the current command (`.nonce` lifts it for one command).
    pub safe: bool,
    /// `-nonce STRING`
    pub nonce: Option<Vec<u8>>,
    /// Set by `.nonce` so that safe mode stays off for the next command.
    pub safe_nonce_used: bool,
    /// The name given to `.testcase` (reported by `.check`).
    pub testcase_name: Vec<u8>,
    /// What the safe-mode authorizer refused, for [`Shell::run_sql`] to act on.
    pub safe_violation: Arc<Mutex<Option<String>>>,
}

impl Shell {
    /// A shell with default settings and no database opened yet.
    pub fn new(argv0: String, filename: Option<OsString>) -> Self {
        Shell {
            argv0,
            db: Database::new(filename),
            settings: Settings::default(),
            out: Output::new(),
            interactive: false,
            nesting: 0,
            lineno: 0,
            interrupt: Arc::new(Mutex::new(None)),
            output_failed: false,
            safe_persist: false,
            safe: false,
            nonce: None,
            safe_nonce_used: false,
            testcase_name: Vec::new(),
            safe_violation: Arc::new(Mutex::new(None)),
        }
    }

    /// The open connection, opening the database first if needed (sqlite3's `open_db`).
    /// An open failure at this point ends the program as in sqlite3.
    pub fn conn(&mut self) -> Result<&rusqlite::Connection, Failure> {
        self.ensure_open()?;
        Ok(self.db.conn.as_ref().expect("opened above"))
    }

    /// Opens the database if it is not open yet.
    pub fn ensure_open(&mut self) -> Result<(), Failure> {
        if self.db.conn.is_none() {
            if let Err(msg) = self.db.open() {
                let _ = self.out.flush();
                eprintln!("{}", String::from_utf8_lossy(&msg));
                return Err(Failure::Exit(1));
            }
            self.publish_interrupt();
            self.install_safe_authorizer();
        }
        Ok(())
    }

    /// sqlite3's `safeModeAuth`: in safe mode, ATTACH and a few functions stop the shell.
    pub fn install_safe_authorizer(&mut self) {
        if !self.safe_persist {
            return;
        }
        let slot = self.safe_violation.clone();
        if let Some(conn) = self.db.conn.as_mut() {
            let _ = conn.authorizer(Some(move |ctx: rusqlite::hooks::AuthContext<'_>| {
                use rusqlite::hooks::{AuthAction, Authorization};
                const PROHIBITED: &[&str] = &[
                    "edit",
                    "fts3_tokenizer",
                    "load_extension",
                    "readfile",
                    "writefile",
                    "zipfile",
                    "zipfile_cds",
                ];
                let msg = match ctx.action {
                    AuthAction::Attach { .. } => Some("cannot run ATTACH in safe mode".to_string()),
                    AuthAction::Function { function_name } => PROHIBITED
                        .iter()
                        .find(|f| f.eq_ignore_ascii_case(function_name))
                        .map(|f| format!("cannot use the {f}() function in safe mode")),
                    _ => None,
                };
                match msg {
                    Some(m) => {
                        let mut g = slot.lock().unwrap_or_else(|e| e.into_inner());
                        g.get_or_insert(m);
                        Authorization::Deny
                    }
                    None => Authorization::Allow,
                }
            }));
        }
    }

    /// sqlite3's `failIfSafeMode`: in safe mode, report `line N: MSG` and leave with 1.
    pub fn fail_if_safe(&mut self, msg: &str) -> Option<Flow> {
        if !self.safe {
            return None;
        }
        let _ = self.out.flush();
        eprintln!("line {}: {msg}", self.lineno);
        Some(Flow::Exit(1))
    }

    /// A safe-mode violation caught by the authorizer, if any.
    fn take_safe_violation(&mut self) -> Option<Flow> {
        let m = self
            .safe_violation
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()?;
        self.fail_if_safe(&m)
    }

    /// Makes the current connection the one SIGINT interrupts.
    pub fn publish_interrupt(&self) {
        let h = self.db.conn.as_ref().map(|c| c.get_interrupt_handle());
        *self.interrupt.lock().unwrap_or_else(|e| e.into_inner()) = h;
    }

    /// Reports a failure on stderr (sqlite3 writes errors unbuffered).
    pub fn report(&mut self, f: &Failure) -> Flow {
        match f {
            Failure::Msg(m) => {
                let mut e = io::stderr().lock();
                let _ = e.write_all(m);
                let _ = e.write_all(b"\n");
                Flow::Continue
            }
            Failure::Reported | Failure::Code(_) => Flow::Continue,
            Failure::Exit(c) => Flow::Exit(*c),
            Failure::Io(e) => self.io_failure(e),
        }
    }

    /// A failed write: a broken stdout pipe ends the program quietly; anything else is
    /// reported (sqlite3 would be silent) and makes the exit code non-zero.
    pub fn io_failure(&mut self, e: &io::Error) -> Flow {
        if output::is_broken_pipe(e) {
            if self.out.is_stdout() {
                return Flow::Exit(0);
            }
            // A `.output |cmd` whose command stopped reading: drop the redirection.
            let _ = self.out.reset();
            return Flow::Continue;
        }
        if !self.output_failed {
            // Once is enough: every later write to the same place fails the same way.
            eprintln!("Error: cannot write output: {e}");
        }
        self.output_failed = true;
        Flow::Continue
    }

    /// Runs one piece of SQL, rendering its rows to the current output, with what sqlite3's
    /// `shell_exec()` does around each statement (`.eqp`, parameters, `.stats`; see
    /// [`exec::run_with`]).
    ///
    /// SQL read from an input source (nesting > 0: a line of stdin, a script, `.read`) is
    /// also what sqlite3's `runOneSqlLine()` runs: `.progress --reset` restarts its count
    /// and `.timer on` prints `Run Time: …` to stdout afterwards. SQL given as a command-line
    /// argument or with `-cmd` is neither, as in sqlite3. (A dot-command that runs SQL the
    /// way sqlite3's `shell_exec()` would should call [`exec::run_with`] itself: this is the
    /// path of SQL input.)
    pub fn run_sql(&mut self, sql: &[u8]) -> Result<(), ExecError> {
        match self.ensure_open() {
            Ok(()) => {}
            Err(Failure::Io(e)) => return Err(ExecError::Io(e)),
            Err(Failure::Exit(c)) => return Err(ExecError::Exit(c)),
            Err(_) => return Err(ExecError::Exit(1)),
        }
        let input_line = self.nesting > 0;
        if input_line {
            self.settings.progress.start_line();
        }
        let timer = (input_line && self.settings.timer).then(exec::hooks::RunTimer::start);
        let hooks = exec::hooks::StmtHooks {
            eqp: self.settings.eqp,
            stats: self.settings.stats,
            scanstats: self.settings.scanstats,
            bind_parameters: true,
            progress: Some(&self.settings.progress),
            flush_each: self.settings.trace.to_stdout() || exec::hooks::log_to_stdout(),
        };
        let conn = self.db.conn.as_ref().expect("opened above");
        let r = exec::run_with(conn, sql, &self.settings.render, &mut self.out, &hooks);
        let seen = self.settings.render.columnar_seen.take();
        if seen > self.settings.render.col_widths.len() {
            self.settings.render.col_widths.resize(seen, 0);
        }
        if let Some(t) = timer {
            let line = t.report();
            let w = if self.out.is_stdout() {
                self.out.write_all(&line)
            } else {
                let mut o = io::stdout().lock();
                o.write_all(&line).and_then(|()| o.flush())
            };
            if let Err(e) = w {
                return Err(ExecError::Io(e));
            }
        }
        if r.is_err() {
            if let Some(Flow::Exit(c)) = self.take_safe_violation() {
                return Err(ExecError::Exit(c));
            }
        }
        r
    }

    /// Ends a `.once` redirection after the command it applied to.
    fn end_once(&mut self) {
        if self.out.once {
            if let Err(e) = self.out.reset() {
                self.io_failure(&e);
            }
        }
    }

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
                if let Flow::Exit(c) = self.io_failure(&e) {
                    return Err(Flow::Exit(c));
                }
                true
            }
            Err(ExecError::Exit(c)) => return Err(Flow::Exit(c)),
            Err(e) => {
                let (kind, text) = match &e {
                    ExecError::Prepare { text, .. } => ("Parse error", text),
                    ExecError::Step { text, .. } => ("Runtime error", text),
                    ExecError::Io(_) | ExecError::Exit(_) => unreachable!(),
                };
                let prefix = if from_terminal {
                    format!("{kind}:")
                } else {
                    format!("{kind} near line {start_line}:")
                };
                let mut msg = prefix.into_bytes();
                msg.push(b' ');
                msg.extend_from_slice(text);
                self.report(&Failure::Msg(msg));
                true
            }
        };
        self.end_once();
        self.safe = self.safe_persist;
        Ok(failed)
    }

    /// Runs a dot-command line; returns the flow and, when it failed, its result code.
    pub fn run_dot_line(&mut self, line: &[u8]) -> (Flow, Option<i32>) {
        let r = crate::dot::dispatch(self, line);
        let out = match r {
            Ok(f) => (f, None),
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
            self.safe = self.safe_persist;
        }
        out
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
        while errors == 0 || !self.settings.bail || interactive {
            if let Err(e) = self.out.flush() {
                if let Flow::Exit(c) = self.io_failure(&e) {
                    return (Flow::Exit(c), errors > 0);
                }
            }
            let prompt = if splitter.in_statement() {
                self.settings.cont_prompt.clone()
            } else {
                self.settings.prompt.clone()
            };
            let line = match src.next_line(&prompt) {
                Ok(Some(l)) => l,
                Ok(None) => {
                    if interactive {
                        println!();
                    }
                    break;
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
            self.lineno += 1;
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
            match self.run_unit(unit, interactive) {
                Ok(true) => errors += 1,
                Ok(false) => {}
                Err(Flow::Stop) => return (Flow::Continue, errors > 0),
                Err(f) => return (f, errors > 0),
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
