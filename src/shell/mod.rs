//! The shell's state: the database, settings, the output stack, and running one piece of SQL
//! ([`Shell::run_sql`]) with sqlite3's error and failure handling. The command loop that
//! feeds it lives in `run/`; the dot-commands in `dot/` work on this state.
//! The flow of control leaves only through [`Flow`].

pub mod conn;
pub mod db;
mod safe;
mod values;

use std::ffi::OsString;
use std::io::{self, Write};
use std::sync::atomic::AtomicUsize;

pub use db::{Database, OpenMode};
pub use safe::SafeMode;
pub use values::{home_dir, integer_value, integer_value_bytes};

use crate::exec::{self, ExecError};
use crate::input::LineSource;
use crate::output::{self, Output};
use crate::render::RenderOpts;

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
    pub connections: conn::Connections,
    /// `.auth on`: the authorizer reports every check (so the shell runs no SQL of its own).
    pub auth: bool,
    /// `.pager on|off|auto` (litesh's): paging of results at the interactive prompt.
    pub pager: PagerMode,
}

/// `.pager`: when results at the prompt go through the pager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PagerMode {
    /// Results taller than the screen.
    Auto,
    /// Every result.
    On,
    /// Never.
    Off,
}

/// What the terminal allows: set at start-up when litesh is a REPL on a terminal (stdin and
/// stdout both terminals); all off otherwise, so pipelines stay byte-identical to sqlite3.
#[derive(Debug, Clone, Default)]
pub struct Ui {
    /// stdout is the terminal: tables fit its width and results may be paged.
    pub stdout_tty: bool,
    /// Results may be coloured (stdout a terminal, colour not turned off).
    pub color: bool,
    /// The SGR colour of error messages on stderr; empty for none.
    pub error_color: String,
    /// The pager command (`sh -c`).
    pub pager_command: String,
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
            connections: conn::Connections::default(),
            auth: false,
            pager: PagerMode::Auto,
        }
    }
}

/// Number of SIGINTs seen (sqlite3's `seenInterrupt`).
pub static SEEN_INTERRUPT: AtomicUsize = AtomicUsize::new(0);

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
    /// Set once a write to the output failed (reported at exit).
    pub output_failed: bool,
    /// The output's generation whose failure was reported last: reported once each.
    reported_output: Option<u64>,
    /// Set when one of litesh's own checks (`.verify`) failed: the exit code is then 1 even
    /// if the shell went on (`-cmd` without `-bail`, later input that ran fine).
    pub check_failed: bool,
    /// `-safe`: the setting that persists.
    pub safe_persist: bool,
    /// Safe mode for the current command (`.nonce` lifts it for one command), shared with
    /// the safe-mode authorizer and `fsdir`, which record what they refuse in it.
    pub safe: SafeMode,
    /// `-nonce STRING`
    pub nonce: Option<Vec<u8>>,
    /// Set by `.nonce` so that safe mode stays off for the next command.
    pub safe_nonce_used: bool,
    /// The name given to `.testcase` (reported by `.check`).
    pub testcase_name: Vec<u8>,
    /// A source a dot-command opened (`.read`), for the command loop to run next.
    pub pending_source: Option<Box<dyn LineSource>>,
    /// Set by `.open --hexdb` without a file: the database's text form follows in the
    /// current input, which the command loop reads next ([`Shell::load_hexdb`]).
    pub pending_hexdb: bool,
    /// Set once `.open --hexdb` on the command line has read stdin, which sqlite3 then
    /// closes: the shell reads no more input from it.
    pub stdin_closed: bool,
    /// The interactive terminal's abilities (all off in batch use).
    pub ui: Ui,
    /// `.expert`: the advisor waiting for the next SQL, and whether `--verbose` was given.
    /// Any dot-command cancels it (sqlite3's `expertFinish(p, 1, 0)`).
    pub expert: Option<(Box<crate::expert::Expert>, bool)>,
}

/// Writes an error message and a newline to stderr (sqlite3 writes errors unbuffered), in
/// the terminal's error colour if there is one. Output held back for the pager goes first,
/// so the order stays.
pub fn report_message(out: &mut Output, ui: &Ui, m: &[u8]) {
    let _ = out.release_held();
    let mut e = io::stderr().lock();
    if ui.error_color.is_empty() {
        let _ = e.write_all(m);
    } else {
        let _ = write!(e, "\x1b[{}m", ui.error_color);
        let _ = e.write_all(m);
        let _ = e.write_all(b"\x1b[0m");
    }
    let _ = e.write_all(b"\n");
}

impl Shell {
    /// A shell with default settings and no database opened yet.
    pub fn new(argv0: String, filename: Option<OsString>) -> Self {
        let safe = SafeMode::default();
        let settings = Settings::default();
        let mut db = Database::new(filename, safe.clone());
        db.puts = Some(settings.progress.clone());
        Shell {
            argv0,
            db,
            settings,
            out: Output::new(),
            interactive: false,
            nesting: 0,
            lineno: 0,
            output_failed: false,
            reported_output: None,
            check_failed: false,
            safe_persist: false,
            safe,
            nonce: None,
            safe_nonce_used: false,
            testcase_name: Vec::new(),
            pending_source: None,
            pending_hexdb: false,
            stdin_closed: false,
            ui: Ui::default(),
            expert: None,
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

    /// sqlite3's `safeModeAuth`: in safe mode, ATTACH (and so `VACUUM INTO`) and a few
    /// functions stop the shell. The authorizer asks [`SafeMode`] each time, so a `.nonce`
    /// that lifted safe mode for the next command lets that command's SQL through.
    pub fn install_safe_authorizer(&mut self) {
        if !self.safe_persist {
            return;
        }
        let safe = self.safe.clone();
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
                let refused = match ctx.action {
                    AuthAction::Attach { .. } => {
                        safe.refuse(|| "cannot run ATTACH in safe mode".to_string())
                    }
                    AuthAction::Function { function_name } => PROHIBITED
                        .iter()
                        .find(|f| f.eq_ignore_ascii_case(function_name))
                        .is_some_and(|f| {
                            safe.refuse(|| format!("cannot use the {f}() function in safe mode"))
                        }),
                    _ => false,
                };
                if refused {
                    Authorization::Deny
                } else {
                    Authorization::Allow
                }
            }));
        }
    }

    /// sqlite3's `failIfSafeMode`: in safe mode, report `line N: MSG` and leave with 1.
    pub fn fail_if_safe(&mut self, msg: &str) -> Option<Flow> {
        if !self.safe.is_on() {
            return None;
        }
        let _ = self.out.flush();
        eprintln!("line {}: {msg}", self.lineno);
        Some(Flow::Exit(1))
    }

    /// A safe-mode refusal recorded while SQL ran (the authorizer, `fsdir`), if any.
    fn take_safe_violation(&mut self) -> Option<Flow> {
        let m = self.safe.take_refusal()?;
        self.fail_if_safe(&m)
    }

    /// Makes the current connection the one SIGINT interrupts (see
    /// [`exec::raw::publish_interrupt`]; [`Database::close`] withdraws it again).
    pub fn publish_interrupt(&self) {
        exec::raw::publish_interrupt(self.db.conn.as_ref());
    }

    /// `.open --hexdb`: reads the database's text form from `chunks` (see `input::hexdb`),
    /// loads it into the open in-memory database and reports what failed as sqlite3 does
    /// (the command itself does not fail, as in 3.40.1). `lineno` is the number of the
    /// line before the first chunk; `current_input` tells whether the chunks are the shell's
    /// current input (rather than a file); returns the line count sqlite3 leaves.
    pub fn load_hexdb(
        &mut self,
        chunks: &mut dyn FnMut() -> io::Result<Option<Vec<u8>>>,
        lineno: usize,
        current_input: bool,
    ) -> usize {
        use crate::input::hexdb::{self, HexError};
        let (image, line) = hexdb::read(chunks, lineno, current_input);
        let failure = match image {
            Ok(image) => self.db.load_image(&image).err(),
            Err(HexError::BadInput { line }) => {
                Some(format!("Error on line {line} of --hexdb input").into_bytes())
            }
            Err(HexError::OutOfMemory) => Some(b"Error: out of memory".to_vec()),
            Err(HexError::Io(e)) => Some(format!("Error: cannot read input: {e}").into_bytes()),
        };
        if let Some(m) = failure {
            self.report(&Failure::Msg(m));
        }
        line
    }

    /// Reports a failure on stderr (sqlite3 writes errors unbuffered).
    pub fn report(&mut self, f: &Failure) -> Flow {
        match f {
            Failure::Msg(m) => {
                report_message(&mut self.out, &self.ui, m);
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
            // A pager or a `.output |cmd` that stopped reading (see Output::reader_gone).
            let _ = self.out.reader_gone();
            return Flow::Continue;
        }
        // Once for each destination: every later write to the same place fails the same
        // way (a new `.output`/`.once` file is a new place).
        if self.reported_output != Some(self.out.generation) {
            eprintln!("Error: cannot write output: {e}");
            self.reported_output = Some(self.out.generation);
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
        let r = match self.expert.take() {
            // After `.expert`, the SQL is analysed instead of run (sqlite3's shell_exec).
            Some((mut ex, verbose)) => {
                let r = ex
                    .add_sql(sql)
                    .map_err(|e| (e.msg, 0))
                    .and_then(|()| ex.analyze(conn).map_err(|e| (e.msg, e.code)));
                // `.auth` lines of the advisor's own queries come first, as in sqlite3.
                let pending = self.settings.progress.take_pending();
                match self.out.write_all(&pending) {
                    Err(e) => Err(ExecError::Io(e)),
                    Ok(()) => match r {
                        Ok(()) => self
                            .out
                            .write_all(&ex.report(verbose))
                            .map_err(ExecError::Io),
                        Err((msg, code)) => Err(ExecError::Other { msg, code }),
                    },
                }
            }
            None => exec::run_with(conn, sql, &self.settings.render, &mut self.out, &hooks),
        };
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
    pub fn end_once(&mut self) {
        if self.out.once {
            if let Err(e) = self.out.reset() {
                self.io_failure(&e);
            }
        }
    }
}
