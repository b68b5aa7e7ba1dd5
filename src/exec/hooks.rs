//! What the executor does around each statement besides running it, and the state the shell
//! shares with SQLite's callbacks for it.
//!
//! sqlite3 3.40.1 keeps these in its `ShellState` and reads them in `shell_exec()`:
//! `autoEQP` ([`Eqp`]), `statsOn` ([`StatsMode`]), the progress counters of `.progress`
//! ([`Progress`], read by `progress_handler()`), the trace destination of `.trace`
//! ([`Trace`], read by `sql_trace_callback()`) and the error log of `.log` (`pLog`, read by
//! `shellLog()`, here [`set_log`]). The callbacks run inside SQLite calls, so their state
//! lives behind `Arc<Mutex<…>>` handles that the settings and the callbacks both hold.
//!
//! Output that sqlite3 sends to `p->out` from a callback (`.progress`) is kept in a pending
//! buffer and moved into the shell's output by the executor right after the SQLite call
//! that produced it, so it lands in order with the rows. Output sqlite3 sends to the real
//! stdout (`.trace stdout`, `.log stdout`) is written directly; the executor flushes the
//! shell's buffered output before each SQLite call while such a stream is on, which keeps
//! the order sqlite3's single `stdout` buffer gives.

use std::fs::File;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use rusqlite::trace::TraceEvent;

use super::raw;

/// `.eqp` (sqlite3's `AUTOEQP_off/on/trigger/full`): what is shown before each statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Eqp {
    /// Nothing.
    #[default]
    Off,
    /// The EXPLAIN QUERY PLAN tree.
    On,
    /// The tree, with the plans of triggers (`SQLITE_DBCONFIG_TRIGGER_EQP`).
    Trigger,
    /// The tree, then the EXPLAIN listing.
    Full,
}

impl Eqp {
    /// The word `.show` prints (sqlite3's `azBool[autoEQP&3]`).
    pub fn name(self) -> &'static str {
        match self {
            Eqp::Off => "off",
            Eqp::On => "on",
            Eqp::Trigger => "trigger",
            Eqp::Full => "full",
        }
    }
}

/// `.stats` (sqlite3's `statsOn`): what is shown after each statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatsMode {
    /// Nothing.
    #[default]
    Off,
    /// Memory, connection and statement statistics.
    On,
    /// As `On`, preceded by the statement's columns.
    Stmt,
    /// Only the virtual machine step count.
    VmStep,
}

impl StatsMode {
    /// The word `.show` prints.
    pub fn name(self) -> &'static str {
        match self {
            StatsMode::Off => "off",
            StatsMode::On => "on",
            StatsMode::Stmt => "stmt",
            StatsMode::VmStep => "vmstep",
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Where a diagnostic stream goes: sqlite3's `output_file_open()` targets.
#[derive(Debug)]
pub enum Sink {
    /// The process's stdout (not the shell's redirected output).
    Stdout,
    /// stderr
    Stderr,
    /// A file, truncated when opened.
    File(File),
}

impl Sink {
    /// sqlite3's `output_file_open()`: `stdout`, `stderr`, `off` (→ `None`) or a file name.
    /// A file that cannot be created is reported on stderr (`Error: cannot open "NAME"`) and
    /// gives `None`, as in sqlite3.
    pub fn open(name: &[u8]) -> Option<Sink> {
        match name {
            b"stdout" => Some(Sink::Stdout),
            b"stderr" => Some(Sink::Stderr),
            b"off" => None,
            _ => match File::create(crate::exec::os_path(name)) {
                Ok(f) => Some(Sink::File(f)),
                Err(_) => {
                    let mut e = io::stderr().lock();
                    let _ = e.write_all(b"Error: cannot open \"");
                    let _ = e.write_all(name);
                    let _ = e.write_all(b"\"\n");
                    None
                }
            },
        }
    }

    /// Writes (and flushes) a message; failures are ignored, as sqlite3 ignores them.
    pub fn write(&mut self, bytes: &[u8]) {
        let _ = match self {
            Sink::Stdout => {
                let mut o = io::stdout().lock();
                o.write_all(bytes).and_then(|()| o.flush())
            }
            Sink::Stderr => io::stderr().lock().write_all(bytes),
            Sink::File(f) => f.write_all(bytes),
        };
    }

    /// True for the process's stdout.
    pub fn is_stdout(&self) -> bool {
        matches!(self, Sink::Stdout)
    }
}

// ---------------------------------------------------------------------------------------
// .log
// ---------------------------------------------------------------------------------------

/// The `.log` destination. SQLite's error log is one per process, so its receiver is too.
static LOG: Mutex<Option<Sink>> = Mutex::new(None);

/// sqlite3's `shellLog()`: `(CODE) MESSAGE`, flushed at once.
fn on_log(code: i32, msg: &[u8]) {
    if let Some(sink) = lock(&LOG).as_mut() {
        let mut line = format!("({code}) ").into_bytes();
        line.extend_from_slice(msg);
        line.push(b'\n');
        sink.write(&line);
    }
}

/// Registers the receiver of SQLite's error log, as sqlite3's `main_init()` does with
/// `sqlite3_config(SQLITE_CONFIG_LOG, shellLog, …)`. SQLite accepts that only before it
/// initializes, so this must run before the first connection opens; it runs once (later
/// calls do nothing) and says whether the receiver is in place.
pub fn init_log() -> bool {
    static INSTALLED: OnceLock<bool> = OnceLock::new();
    *INSTALLED.get_or_init(|| crate::exec::raw::install_log(on_log))
}

/// `.log FILE|off`: where the error log goes from now on (the previous file is closed).
pub fn set_log(sink: Option<Sink>) {
    *lock(&LOG) = sink;
}

/// True while `.log` sends the error log anywhere.
pub fn log_is_on() -> bool {
    lock(&LOG).is_some()
}

/// True while the error log goes to stdout.
pub fn log_to_stdout() -> bool {
    lock(&LOG).as_ref().is_some_and(Sink::is_stdout)
}

// ---------------------------------------------------------------------------------------
// .trace
// ---------------------------------------------------------------------------------------

/// How `.trace` shows a statement (sqlite3's `eTraceType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TraceText {
    /// `sqlite3_sql()`: the SQL as given.
    #[default]
    Plain,
    /// `sqlite3_expanded_sql()`: with the bound parameter values.
    Expanded,
}

#[derive(Debug, Default)]
struct TraceState {
    sink: Option<Sink>,
    text: TraceText,
}

/// The `.trace` settings (sqlite3's `traceOut` and `eTraceType`), shared with the trace
/// callback of every connection it was installed on.
#[derive(Debug, Clone, Default)]
pub struct Trace(Arc<Mutex<TraceState>>);

impl Trace {
    /// Sets how statements are shown.
    pub fn set_text(&self, text: TraceText) {
        lock(&self.0).text = text;
    }

    /// Replaces the destination (closing a previous file).
    pub fn set_sink(&self, sink: Option<Sink>) {
        lock(&self.0).sink = sink;
    }

    /// True when there is a destination.
    pub fn is_on(&self) -> bool {
        lock(&self.0).sink.is_some()
    }

    /// True while the trace goes to stdout.
    pub fn to_stdout(&self) -> bool {
        lock(&self.0).sink.as_ref().is_some_and(Sink::is_stdout)
    }

    /// The callback for `sqlite3_trace_v2` (sqlite3's `sql_trace_callback()`): the SQL of the
    /// statement with its trailing `;`s replaced by one `;`, plus ` -- N ns` for a profile
    /// event; a trigger's `-- TRIGGER name` comment as it comes; and `-- closing database
    /// connection` when the connection closes.
    pub fn callback(&self) -> impl FnMut(TraceEvent<'_>) + Send + 'static {
        let shared = self.0.clone();
        move |ev| {
            let mut st = lock(&shared);
            let text = st.text;
            let Some(sink) = st.sink.as_mut() else {
                return;
            };
            let pick = |s: &rusqlite::trace::StmtRef<'_>| -> Option<Vec<u8>> {
                match text {
                    TraceText::Expanded => s.expanded_sql().map(String::into_bytes),
                    TraceText::Plain => Some(s.sql().into_owned().into_bytes()),
                }
            };
            let (sql, ns) = match ev {
                TraceEvent::Close(_) => {
                    sink.write(b"-- closing database connection\n");
                    return;
                }
                TraceEvent::Stmt(_, x) if x.starts_with('-') => (Some(x.as_bytes().to_vec()), None),
                TraceEvent::Stmt(s, _) => (pick(&s), None),
                TraceEvent::Row(s) => (pick(&s), None),
                TraceEvent::Profile(s, d) => (pick(&s), Some(d.as_nanos())),
                _ => return,
            };
            let Some(mut sql) = sql else {
                return;
            };
            while sql.last() == Some(&b';') {
                sql.pop();
            }
            sql.push(b';');
            if let Some(ns) = ns {
                sql.extend_from_slice(format!(" -- {ns} ns").as_bytes());
            }
            sql.push(b'\n');
            sink.write(&sql);
        }
    }
}

// ---------------------------------------------------------------------------------------
// .progress
// ---------------------------------------------------------------------------------------

#[derive(Debug, Default)]
struct ProgressState {
    /// `nProgress`: callbacks so far.
    count: u32,
    /// `mxProgress`: interrupt at this count (0: never).
    limit: u32,
    /// `--quiet`: no line per callback.
    quiet: bool,
    /// `--reset`: the count restarts for each input line and after each interrupt.
    reset: bool,
    /// `--once`: the limit is dropped after it fired.
    once: bool,
    /// Text for the shell's output, not yet written.
    pending: Vec<u8>,
    /// While SQL is being prepared: the handler neither counts nor interrupts.
    suspended: bool,
    /// A handler was installed on a connection (`.progress N` with N > 0).
    installed: bool,
}

/// The `.progress` counters (sqlite3's `nProgress`, `mxProgress`, `flgProgress`), shared with
/// the progress handler.
#[derive(Debug, Clone, Default)]
pub struct Progress(Arc<Mutex<ProgressState>>, Arc<AtomicBool>);

impl Progress {
    /// `.progress … --limit N --quiet --reset --once`: new options, count back to 0.
    pub fn configure(&self, limit: u32, quiet: bool, reset: bool, once: bool) {
        let mut st = lock(&self.0);
        st.count = 0;
        st.limit = limit;
        st.quiet = quiet;
        st.reset = reset;
        st.once = once;
    }

    /// Notes that the handler was installed on a connection (true) or disabled (false).
    pub fn set_installed(&self, on: bool) {
        lock(&self.0).installed = on;
    }

    /// True once the handler was installed on a connection and not disabled again.
    pub fn is_installed(&self) -> bool {
        lock(&self.0).installed
    }

    /// Called before each line of SQL input (sqlite3's `runOneSqlLine()`): `--reset`
    /// restarts the count.
    pub fn start_line(&self) {
        let mut st = lock(&self.0);
        if st.reset {
            st.count = 0;
        }
    }

    /// Turns the handler off (or on again) while SQL is prepared. The embedded library calls
    /// the progress handler while it parses too; sqlite3 3.40.1's library only while
    /// statements run, and counts and limits are that library's.
    pub fn suspend(&self, on: bool) {
        lock(&self.0).suspended = on;
    }

    /// Queues output of another callback that sqlite3 writes to `p->out` (`.auth`), so that
    /// it reaches the shell's output with the progress lines, in order with the rows.
    pub fn push_output(&self, bytes: &[u8]) {
        lock(&self.0).pending.extend_from_slice(bytes);
        self.1.store(true, Ordering::SeqCst);
    }

    /// Output the handler produced since the last call. (The second field says whether
    /// there is any, so that the executor's call after every step takes no lock when there
    /// is nothing.)
    pub fn take_pending(&self) -> Vec<u8> {
        if !self.1.swap(false, Ordering::SeqCst) {
            return Vec::new();
        }
        std::mem::take(&mut lock(&self.0).pending)
    }

    /// The handler for `sqlite3_progress_handler` (sqlite3's `progress_handler()`): true
    /// interrupts the statement.
    pub fn handler(&self) -> impl FnMut() -> bool + Send + 'static {
        let shared = self.0.clone();
        let has_pending = self.1.clone();
        move || {
            let mut st = lock(&shared);
            if st.suspended {
                return false;
            }
            st.count = st.count.wrapping_add(1);
            if st.limit > 0 && st.count >= st.limit {
                let line = format!("Progress limit reached ({})\n", st.count);
                st.pending.extend_from_slice(line.as_bytes());
                has_pending.store(true, Ordering::SeqCst);
                if st.reset {
                    st.count = 0;
                }
                if st.once {
                    st.limit = 0;
                }
                return true;
            }
            if !st.quiet {
                let line = format!("Progress {}\n", st.count);
                st.pending.extend_from_slice(line.as_bytes());
                has_pending.store(true, Ordering::SeqCst);
            }
            false
        }
    }
}

/// `.timer on`: sqlite3's `beginTimer()`/`endTimer()` around one line of SQL input.
#[derive(Debug, Clone, Copy)]
pub struct RunTimer {
    wall: std::time::Instant,
    user: f64,
    sys: f64,
}

impl RunTimer {
    /// Notes the wall-clock and CPU times now.
    pub fn start() -> Self {
        let (user, sys) = crate::exec::raw::cpu_times();
        RunTimer {
            wall: std::time::Instant::now(),
            user,
            sys,
        }
    }

    /// The `Run Time: real R user U sys S` line (wall time in whole milliseconds shown with
    /// three decimals, CPU times with six), as sqlite3 prints it.
    pub fn report(&self) -> Vec<u8> {
        let ms = self.wall.elapsed().as_millis() as f64;
        let (user, sys) = crate::exec::raw::cpu_times();
        format!(
            "Run Time: real {:.3} user {:.6} sys {:.6}\n",
            ms * 0.001,
            user - self.user,
            sys - self.sys
        )
        .into_bytes()
    }
}

/// What the shell asks of the executor for each statement (the `ShellState` fields
/// sqlite3's `shell_exec()` reads).
#[derive(Default)]
pub struct StmtHooks<'a> {
    /// `.eqp`
    pub eqp: Eqp,
    /// `.stats`
    pub stats: StatsMode,
    /// `.scanstats on`: nothing to show, as in sqlite3 3.40.1's build (see [`crate::exec`]).
    pub scanstats: bool,
    /// Bind parameters from `temp.sqlite_parameters` (sqlite3's `bind_prepared_stmt()`).
    pub bind_parameters: bool,
    /// The `.progress` handler's pending output, moved to the output after each call.
    pub progress: Option<&'a Progress>,
    /// Flush the output before each SQLite call (a trace or the log writes to stdout).
    pub flush_each: bool,
}

impl StmtHooks<'_> {
    /// Before a call into SQLite that may write to stdout from a callback.
    pub(crate) fn before(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.flush_each {
            out.flush()?;
        }
        Ok(())
    }

    /// After a call into SQLite: what the progress handler wrote goes to the output now.
    pub(crate) fn after(&self, out: &mut dyn Write) -> io::Result<()> {
        if let Some(p) = self.progress {
            let pending = p.take_pending();
            if !pending.is_empty() {
                out.write_all(&pending)?;
            }
        }
        Ok(())
    }

    /// Prepares the first statement of `sql` with the progress handler held off (see
    /// [`Progress::suspend`]), with [`StmtHooks::before`] and [`StmtHooks::after`] around.
    pub(crate) fn prepare<'c>(
        &self,
        conn: &'c rusqlite::Connection,
        sql: &[u8],
        out: &mut dyn Write,
    ) -> io::Result<Result<raw::Prepared<'c>, raw::PrepareError>> {
        self.before(out)?;
        if let Some(p) = self.progress {
            p.suspend(true);
        }
        let r = raw::prepare(conn, sql);
        if let Some(p) = self.progress {
            p.suspend(false);
        }
        self.after(out)?;
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_counts_and_stops_at_the_limit() {
        let p = Progress::default();
        p.configure(3, false, false, false);
        let mut h = p.handler();
        assert!(!h());
        assert!(!h());
        assert!(h());
        assert_eq!(
            String::from_utf8(p.take_pending()).unwrap(),
            "Progress 1\nProgress 2\nProgress limit reached (3)\n"
        );
        // Without --reset the count goes on, and every later call interrupts.
        assert!(h());
        assert_eq!(p.take_pending(), b"Progress limit reached (4)\n");
    }

    #[test]
    fn progress_reset_and_once() {
        let p = Progress::default();
        p.configure(2, true, true, true);
        let mut h = p.handler();
        assert!(!h());
        assert!(h());
        // --once dropped the limit; --quiet shows nothing else.
        assert!(!h());
        assert!(!h());
        assert_eq!(p.take_pending(), b"Progress limit reached (2)\n");
    }

    #[test]
    fn timer_line_has_sqlite3_layout() {
        let line = String::from_utf8(RunTimer::start().report()).unwrap();
        let rest = line.strip_prefix("Run Time: real ").unwrap();
        let parts: Vec<&str> = rest.trim_end_matches('\n').split(' ').collect();
        assert_eq!(parts.len(), 5, "{line}");
        assert_eq!((parts[1], parts[3]), ("user", "sys"), "{line}");
        assert_eq!(parts[0].split('.').nth(1).unwrap().len(), 3, "{line}");
        assert_eq!(parts[2].split('.').nth(1).unwrap().len(), 6, "{line}");
        assert_eq!(parts[4].split('.').nth(1).unwrap().len(), 6, "{line}");
    }

    #[test]
    fn names_follow_show() {
        assert_eq!(Eqp::Trigger.name(), "trigger");
        assert_eq!(StatsMode::VmStep.name(), "vmstep");
        assert!(Eqp::Full >= Eqp::Trigger);
    }
}
