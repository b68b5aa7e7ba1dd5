//! `.verify FILE`: a restore test of a database file or an SQL dump, touching nothing.
//!
//! * A **database** (a file starting with `SQLite format 3\0`) is opened read-only
//!   ([`open_database`]); the report has its integrity check, per-table row counts and
//!   content hash ([`super::hash`]).
//! * Anything else that is text is an **SQL dump**. It is read line by line and replayed,
//!   unit by unit as the shell's [`Splitter`] cuts it (so line numbers are the ones
//!   sqlite3's `near line N` gives), into a scratch in-memory database ([`Scratch`]); the
//!   report has the first failing statement as `line N: message`, the per-table row
//!   counts, the integrity check and the content hash of what was restored.
//!
//! The scratch database is walled in: no ATTACH (the `SQLITE_LIMIT_ATTACHED` limit is 0
//! and the authorizer denies it; `VACUUM` and `VACUUM INTO` attach a database internally
//! and fail the same way), none of the shell's own SQL functions (`writefile()`,
//! `readfile()`, …) are registered, `load_extension()` and the two-argument
//! `fts3_tokenizer()` are denied, as are the PRAGMAs that change process-wide state
//! (`temp_store_directory`, `data_store_directory`, `soft_heap_limit`, `hard_heap_limit`)
//! or move temporary data to disk (`temp_store`). So replaying a dump creates and changes no
//! file.
//!
//! Dot-command lines in a dump: those that only change how output looks (`.mode`,
//! `.headers`, `.print`, …, see [`HARMLESS_DOT_COMMANDS`]) are skipped and counted; any
//! other (`.read`, `.open`, `.import`, `.output`, `.shell`, …) would read or write files or
//! change the database outside SQL, so it counts as a failed statement at its line.
//!
//! A dump that ends inside a transaction (cut short after `BEGIN`) fails: sqlite3 rolls
//! an unfinished transaction back when its input ends, so such a restore leaves nothing of
//! it. The scratch database is rolled back the same way before it is counted and hashed.
//! (A dump cut exactly between two statements with no transaction open cannot be told
//! from a complete one.)
//!
//! [`Report`] is what the checks found; it writes itself as text ([`Report::write_text`])
//! or JSON ([`Report::write_json`]). The module knows nothing of the shell.
//!
//! # The text report
//!
//! One item per line, in this order (lines in brackets only when they apply):
//!
//! ```text
//! verify: FILE (database|SQL dump|unknown)
//! [statements: N run, M failed[, K dot-commands skipped]]          dumps
//! [line N: MESSAGE]                                                the first failure
//! [transaction: the dump ends inside the transaction begun at line N; a restore rolls it back]
//! [interrupted: after line N]
//! table NAME: N rows                                               one per table, by name
//! integrity: ok | integrity: FAILED, then each message indented by two spaces
//! content: blake3:HEX | content: unreadable: MESSAGE
//! [against DB: matches | differs (blake3:HEX), then "  table NAME: N here, M in DB"
//!  (or "not here" / "not in DB") for each table whose count differs | unreadable: MESSAGE]
//! [error: MESSAGE]                                                 the check could not run
//! ok: FILE is a sound database (N tables, M rows[, same content as DB])
//! ok: FILE restores cleanly (N tables, M rows[, same content as DB])
//! FAILED: FILE: REASON
//! ```
//!
//! Control characters in names and messages are written as `\n`, `\t`, `\xNN`. The JSON
//! report (one object on one line) has the same facts under the keys `file`, `kind`, `ok`,
//! `verdict`, `error`, `replay`, `tables`, `table_count`, `rows`, `integrity`, `content`,
//! `content_error` and `against`.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{ffi, Connection, OpenFlags};

use super::hash::{self, Content, TableCount};
use crate::exec::raw;
use crate::input::read_line;
use crate::split::{Splitter, Unit};

/// The 16 bytes every SQLite database file starts with.
pub const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Dot-commands that only change how output looks (or print text): a dump may hold them
/// and still restore the same database. Full command names.
pub const HARMLESS_DOT_COMMANDS: &[&str] = &[
    "bail",
    "changes",
    "echo",
    "eqp",
    "explain",
    "headers",
    "mode",
    "nullvalue",
    "print",
    "prompt",
    "scanstats",
    "separator",
    "show",
    "stats",
    "timeout",
    "timer",
    "width",
];

/// What kind of file `.verify` was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An SQLite database file.
    Database,
    /// SQL text.
    Dump,
    /// Not known: the file could not be read, or holds neither.
    Unknown,
}

impl Kind {
    /// `database` or `dump`, as the JSON report spells it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Database => "database",
            Kind::Dump => "dump",
            Kind::Unknown => "unknown",
        }
    }
}

/// Says what `path` holds, from its first bytes: a database, SQL text, or (an error)
/// neither — binary data that is not a database, a directory, an unreadable file.
pub fn sniff(path: &Path) -> io::Result<Kind> {
    let mut f = open_file(path)?;
    sniff_reader(&mut f)
}

fn open_file(path: &Path) -> io::Result<File> {
    let f = File::open(path)?;
    if f.metadata()?.is_dir() {
        return Err(io::Error::other("is a directory"));
    }
    Ok(f)
}

fn sniff_reader(r: &mut dyn Read) -> io::Result<Kind> {
    let mut buf = [0u8; 8192];
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    let head = &buf[..n];
    if head.starts_with(MAGIC) {
        Ok(Kind::Database)
    } else if head.contains(&0) {
        Err(io::Error::other(
            "neither an SQLite database nor an SQL text dump (binary data)",
        ))
    } else {
        Ok(Kind::Dump)
    }
}

/// Opens a database file read-only, without URI processing (the path is taken as is).
/// Waits up to two seconds for a writer's lock.
///
/// SQLite needs the `-wal` and `-shm` files of a WAL-mode database and creates them when
/// they are missing, even for a read-only connection (and leaves them). [`verify_database`]
/// avoids that for a WAL-mode file that has neither (a quiescent database, or a copy such
/// as `.backup` makes of a WAL database); for a database in rollback-journal mode nothing
/// is created anyway.
pub fn open_database(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(2))?;
    Ok(conn)
}

/// Opens a database file with `immutable=1`: no locks, no `-wal`/`-shm`. Only right when
/// nothing writes the file meanwhile, which the caller must check afterwards.
fn open_immutable(path: &Path) -> rusqlite::Result<Connection> {
    open_uri(path, "immutable=1")
}

/// Opens a WAL-mode database whose `-shm` exists with `readonly_shm=1`: SQLite reads the
/// `-shm` without writing it (after a writer was killed it rebuilds the index in its own
/// memory rather than in the file), so neither side file changes.
fn open_readonly_shm(path: &Path) -> rusqlite::Result<Connection> {
    let conn = open_uri(path, "readonly_shm=1")?;
    conn.busy_timeout(Duration::from_secs(2))?;
    Ok(conn)
}

/// Opens `path` read-only as a `file:` URI with `mode=ro&PARAMS`.
fn open_uri(path: &Path, params: &str) -> rusqlite::Result<Connection> {
    let abs = std::fs::canonicalize(path).map_err(|e| {
        rusqlite::Error::SqliteFailure(ffi::Error::new(ffi::SQLITE_CANTOPEN), Some(e.to_string()))
    })?;
    let mut uri = String::from("file:");
    for &b in abs.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?mode=ro&");
    uri.push_str(params);
    Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
}

/// `path` with `suffix` appended to its name (`b.db` → `b.db-wal`).
fn side_file(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    s.into()
}

/// True when the header says WAL mode (file format version numbers 2 at offsets 18, 19).
fn wal_flagged(path: &Path) -> bool {
    let mut head = [0u8; 20];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && (head[18] == 2 || head[19] == 2)
}

/// What identifies one state of a file: device, inode, size, modification and change
/// times. Any write or replacement changes it.
fn file_stamp(path: &Path) -> Option<(u64, u64, u64, std::time::SystemTime, i64, i64)> {
    let m = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let (dev, ino, ctime, ctime_ns) = {
        use std::os::unix::fs::MetadataExt;
        (m.dev(), m.ino(), m.ctime(), m.ctime_nsec())
    };
    #[cfg(not(unix))]
    let (dev, ino, ctime, ctime_ns) = (0, 0, 0, 0);
    Some((dev, ino, m.len(), m.modified().ok()?, ctime, ctime_ns))
}

/// A statement of a dump that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementFailure {
    /// The line its unit starts on (sqlite3's `near line N`).
    pub line: usize,
    /// SQLite's error message (or why a dot-command line was refused).
    pub message: String,
}

/// What replaying a dump did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replay {
    /// Statements tried (those after a failure in the same unit are not: sqlite3 skips
    /// them too).
    pub statements: u64,
    /// Statements and dot-command lines that failed.
    pub failed: u64,
    /// The first of them.
    pub first_failure: Option<StatementFailure>,
    /// Harmless dot-command lines skipped.
    pub dot_commands_skipped: u64,
    /// The input ended inside a transaction begun by the unit starting on this line.
    pub open_transaction: Option<usize>,
    /// The replay was interrupted after this many lines.
    pub interrupted_at: Option<usize>,
    /// Lines read.
    pub lines: usize,
}

impl Replay {
    fn fail(&mut self, line: usize, message: String) {
        self.failed += 1;
        if self.first_failure.is_none() {
            self.first_failure = Some(StatementFailure { line, message });
        }
    }
}

/// Callbacks the replay needs from its caller.
pub struct Hooks<'a> {
    /// The full name of the dot-command a typed word selects (sqlite3's prefix rules), if
    /// any.
    pub command_name: &'a dyn Fn(&[u8]) -> Option<&'static str>,
    /// True once the user asked to stop (Ctrl-C); checked before each line.
    pub interrupted: &'a dyn Fn() -> bool,
}

fn exact_name(word: &[u8]) -> Option<&'static str> {
    HARMLESS_DOT_COMMANDS
        .iter()
        .copied()
        .find(|n| n.as_bytes() == word)
}

fn never() -> bool {
    false
}

impl Default for Hooks<'_> {
    /// Exact command names only, never interrupted.
    fn default() -> Self {
        Hooks {
            command_name: &exact_name,
            interrupted: &never,
        }
    }
}

/// The walled-in in-memory database a dump is replayed into (see the module docs).
pub struct Scratch {
    conn: Connection,
    /// Why the authorizer last refused something, to explain the error that follows.
    denied: Arc<Mutex<Option<String>>>,
}

/// PRAGMAs a dump may not set on the scratch database.
const DENIED_PRAGMAS: &[&str] = &[
    "temp_store",
    "temp_store_directory",
    "data_store_directory",
    "soft_heap_limit",
    "hard_heap_limit",
];

/// SQL functions a dump may not call on the scratch database.
const DENIED_FUNCTIONS: &[&str] = &["load_extension", "fts3_tokenizer"];

impl Scratch {
    /// A fresh, empty, walled-in in-memory database.
    pub fn new() -> rusqlite::Result<Self> {
        let conn = Connection::open_in_memory()?;
        raw::configure(&conn);
        conn.set_limit(rusqlite::limits::Limit::SQLITE_LIMIT_ATTACHED, 0)?;
        conn.execute_batch("PRAGMA temp_store=MEMORY")?;
        let denied: Arc<Mutex<Option<String>>> = Arc::default();
        let slot = denied.clone();
        raw::set_authorizer(
            &conn,
            Some(Box::new(move |req: &raw::AuthRequest<'_>| {
                let why = match req.action {
                    ffi::SQLITE_ATTACH => Some("ATTACH".to_string()),
                    ffi::SQLITE_PRAGMA => {
                        let name = req.args[0].unwrap_or_default();
                        let setting = req.args[1].is_some();
                        DENIED_PRAGMAS
                            .iter()
                            .find(|p| setting && p.as_bytes().eq_ignore_ascii_case(name))
                            .map(|p| format!("PRAGMA {p}"))
                    }
                    ffi::SQLITE_FUNCTION => {
                        let name = req.args[1].unwrap_or_default();
                        DENIED_FUNCTIONS
                            .iter()
                            .find(|f| f.as_bytes().eq_ignore_ascii_case(name))
                            .map(|f| format!("{f}()"))
                    }
                    _ => None,
                };
                match why {
                    Some(w) => {
                        *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(w);
                        false
                    }
                    None => true,
                }
            })),
        );
        Ok(Scratch { conn, denied })
    }

    /// The scratch connection (to count, hash and check what was restored, or to
    /// interrupt a replay).
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Replays the SQL text of `src` (read line by line) into the scratch database. Only a
    /// read error is an `Err`; failed statements are in the [`Replay`].
    pub fn replay(&self, src: &mut dyn BufRead, hooks: &Hooks<'_>) -> io::Result<Replay> {
        let mut r = Replay::default();
        let mut splitter = Splitter::new();
        let mut begun_at = None;
        loop {
            if (hooks.interrupted)() {
                r.interrupted_at = Some(r.lines);
                break;
            }
            let Some(line) = read_line(src)? else {
                break;
            };
            r.lines += 1;
            match splitter.push_line(&line) {
                Some(Unit::Sql { text, start_line }) => {
                    self.run_unit(&text, start_line, &mut r, &mut begun_at)
                }
                Some(Unit::Dot { line, line_no }) => self.dot_line(&line, line_no, &mut r, hooks),
                None => {}
            }
        }
        if r.interrupted_at.is_none() {
            if let Some(Unit::Sql { text, start_line }) = splitter.finish() {
                self.run_unit(&text, start_line, &mut r, &mut begun_at);
            }
        }
        if !self.conn.is_autocommit() {
            // What sqlite3 does at the end of its input: the transaction is rolled back.
            r.open_transaction = Some(begun_at.unwrap_or(0));
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        Ok(r)
    }

    fn dot_line(&self, line: &[u8], line_no: usize, r: &mut Replay, hooks: &Hooks<'_>) {
        let args = crate::split::parse_dot_args(line);
        let Some(word) = args.first() else {
            // A lone ".": sqlite3 ignores it.
            r.dot_commands_skipped += 1;
            return;
        };
        match (hooks.command_name)(word) {
            Some(name) if HARMLESS_DOT_COMMANDS.contains(&name) => r.dot_commands_skipped += 1,
            Some(name) => r.fail(
                line_no,
                format!(".{name}: not replayed (a dump checked by .verify may hold SQL and display settings only)"),
            ),
            None => r.fail(
                line_no,
                format!(
                    "unknown dot-command \".{}\"",
                    String::from_utf8_lossy(word)
                ),
            ),
        }
    }

    /// Runs one unit of SQL statement after statement, as sqlite3 does: the first error
    /// ends the unit.
    fn run_unit(&self, text: &[u8], line: usize, r: &mut Replay, begun_at: &mut Option<usize>) {
        let mut rest = text;
        while !rest.is_empty() {
            self.take_denied();
            let (prepared, consumed) = raw::prepare_with_tail(&self.conn, rest);
            let mut st = match prepared {
                Err(msg) => {
                    r.statements += 1;
                    r.fail(line, self.explain(msg));
                    return;
                }
                Ok(None) => {
                    if consumed == 0 {
                        return;
                    }
                    rest = &rest[consumed.min(rest.len())..];
                    continue;
                }
                Ok(Some(st)) => st,
            };
            r.statements += 1;
            let was_autocommit = self.conn.is_autocommit();
            let outcome = loop {
                match st.step() {
                    Ok(true) => continue,
                    Ok(false) => break Ok(()),
                    Err(_) => break Err(st.errmsg()),
                }
            };
            drop(st);
            if was_autocommit && !self.conn.is_autocommit() {
                *begun_at = Some(line);
            }
            if let Err(msg) = outcome {
                r.fail(line, self.explain(msg));
                return;
            }
            if consumed == 0 {
                return;
            }
            rest = &rest[consumed.min(rest.len())..];
        }
    }

    fn take_denied(&self) -> Option<String> {
        self.denied.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// An error message, with the reason when the wall around the scratch database caused
    /// it.
    fn explain(&self, msg: Vec<u8>) -> String {
        let mut m = String::from_utf8_lossy(&msg).into_owned();
        if let Some(what) = self.take_denied() {
            m.push_str(&format!(
                " ({what} is not allowed: .verify touches no file and no global setting)"
            ));
        } else if m.starts_with("too many attached databases") {
            m.push_str(
                " (ATTACH, VACUUM and VACUUM INTO are not allowed: .verify touches no file)",
            );
        }
        m
    }
}

/// How a file's content compares with a database of the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The schema name compared with ("main", an attached name…).
    pub db: String,
    /// Its content, or why it could not be read.
    pub other: Result<Content, String>,
}

/// A table whose row count differs between the file and the database compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountDiff {
    /// The table.
    pub name: String,
    /// Rows in the file (`None`: no such table there).
    pub file_rows: Option<u64>,
    /// Rows in the database (`None`: no such table there).
    pub db_rows: Option<u64>,
}

impl Comparison {
    /// True when both contents were read and hash the same.
    pub fn matches(&self, mine: Option<&Content>) -> bool {
        match (&self.other, mine) {
            (Ok(o), Some(m)) => o.hash == m.hash,
            _ => false,
        }
    }

    /// The tables whose counts differ (or that exist on one side only), by name.
    pub fn count_diffs(&self, mine: Option<&Content>) -> Vec<CountDiff> {
        let (Ok(other), Some(mine)) = (&self.other, mine) else {
            return Vec::new();
        };
        let find =
            |list: &[TableCount], name: &str| list.iter().find(|t| t.name == name).map(|t| t.rows);
        let mut names: Vec<&str> = mine
            .tables
            .iter()
            .chain(&other.tables)
            .map(|t| t.name.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
            .into_iter()
            .filter_map(|n| {
                let (f, d) = (find(&mine.tables, n), find(&other.tables, n));
                (f != d).then(|| CountDiff {
                    name: n.to_string(),
                    file_rows: f,
                    db_rows: d,
                })
            })
            .collect()
    }
}

/// Everything `.verify` found about one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The file as named.
    pub file: String,
    /// What it is.
    pub kind: Kind,
    /// What stopped the check early (the file could not be opened or read).
    pub error: Option<String>,
    /// For a dump: what the replay did.
    pub replay: Option<Replay>,
    /// The integrity check (`None` when it did not run).
    pub integrity: Option<Result<(), Vec<String>>>,
    /// The content: tables, counts and hash, or why it could not be read (`None` when it
    /// did not run).
    pub content: Option<Result<Content, String>>,
    /// `--against`: the comparison with a database of the shell.
    pub against: Option<Comparison>,
}

/// Checks an open database: its integrity and its content.
pub fn check_database(conn: &Connection, file: &str) -> Report {
    let mut r = Report::new(file, Kind::Database);
    r.fill(conn);
    r
}

/// Builds the report of a replayed dump from the scratch database.
pub fn check_replay(scratch: &Scratch, replay: Replay, file: &str) -> Report {
    let mut r = Report::new(file, Kind::Dump);
    r.replay = Some(replay);
    r.fill(scratch.conn());
    r
}

/// Replays the dump at `path` into a new [`Scratch`] and reports on it; `on_scratch` gets
/// the scratch connection before the replay starts (to make it interruptible).
pub fn verify_dump(
    path: &Path,
    file: &str,
    hooks: &Hooks<'_>,
    on_scratch: &mut dyn FnMut(&Connection),
) -> Report {
    let fail = |e: String| Report::failed(file, Kind::Dump, e);
    let scratch = match Scratch::new() {
        Ok(s) => s,
        Err(e) => return fail(format!("cannot create the scratch database: {e}")),
    };
    let mut f = match open_file(path) {
        Ok(f) => f,
        Err(e) => return fail(format!("cannot open: {e}")),
    };
    if let Err(e) = f.seek(SeekFrom::Start(0)) {
        return fail(format!("cannot read: {e}"));
    }
    on_scratch(scratch.conn());
    match scratch.replay(&mut BufReader::new(f), hooks) {
        Ok(replay) => check_replay(&scratch, replay, file),
        Err(e) => fail(format!("cannot read: {e}")),
    }
}

/// Opens the database at `path` read-only and reports on it; `on_open` gets the
/// connection first (to make the check interruptible). No file is created or changed:
///
/// - A WAL-mode file with neither `-wal` nor `-shm` beside it holds its whole content, and
///   an ordinary read-only connection would create both. It is first read with
///   `immutable=1` (no locks, no side files); if the file changed meanwhile or a `-wal`
///   appeared (a writer came along), that result is dropped and the check runs again as
///   below, so a live database is never judged from a lock-free read.
/// - With a `-shm` there (a live database, or one whose writer was killed), it is read with
///   `readonly_shm=1`, which never writes the `-shm`.
/// - A `-wal` without a `-shm` (a writer killed, the `-shm` removed since) is copied with
///   its `-wal` into a private scratch directory and checked there, since SQLite would
///   create the `-shm` to read it. Likewise a database with a `-journal` (a hot one, left by
///   a writer killed mid-transaction, which a read-only connection cannot roll back): the
///   copy is rolled back, as the next open of the file would, and checked. If a file
///   changed during the copy, the check runs the ordinary way.
/// - Anything else is opened read-only, which writes nothing.
pub fn verify_database(path: &Path, file: &str, on_open: &mut dyn FnMut(&Connection)) -> Report {
    let wal = side_file(path, "-wal");
    let shm = side_file(path, "-shm");
    let check =
        |conn: rusqlite::Result<Connection>, on_open: &mut dyn FnMut(&Connection)| match conn {
            Ok(conn) => {
                on_open(&conn);
                check_database(&conn, file)
            }
            Err(e) => Report::failed(
                file,
                Kind::Database,
                format!("cannot open: {}", hash::error_text(&e)),
            ),
        };
    if wal_flagged(path) {
        if !wal.exists() && !shm.exists() {
            if let Some(before) = file_stamp(path) {
                if let Ok(conn) = open_immutable(path) {
                    on_open(&conn);
                    let report = check_database(&conn, file);
                    drop(conn);
                    if file_stamp(path) == Some(before) && !wal.exists() {
                        return report;
                    }
                }
            }
        }
        if shm.exists() {
            return check(open_readonly_shm(path), on_open);
        }
        if wal.exists() {
            if let Some(report) = verify_a_copy(path, "-wal", file, on_open) {
                return report;
            }
        }
    }
    if std::fs::metadata(side_file(path, "-journal")).is_ok_and(|m| m.len() > 0) {
        if let Some(report) = verify_a_copy(path, "-journal", file, on_open) {
            return report;
        }
    }
    check(open_database(path), on_open)
}

/// Checks a copy of `path` and its side file (`-wal`, `-journal`) made in a private scratch
/// directory, where SQLite may write what it needs; `None` when no consistent copy could
/// be made (a file changed while it was copied).
fn verify_a_copy(
    path: &Path,
    suffix: &str,
    file: &str,
    on_open: &mut dyn FnMut(&Connection),
) -> Option<Report> {
    let side = side_file(path, suffix);
    let before = (file_stamp(path)?, file_stamp(&side)?);
    let dir = tempfile::Builder::new()
        .prefix("litesh-verify")
        .tempdir()
        .ok()?;
    let copy = dir.path().join("db");
    std::fs::copy(path, &copy).ok()?;
    std::fs::copy(&side, side_file(&copy, suffix)).ok()?;
    if (file_stamp(path)?, file_stamp(&side)?) != before {
        return None;
    }
    let conn = Connection::open_with_flags(
        &copy,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ok()?;
    on_open(&conn);
    Some(check_database(&conn, file))
}

impl Report {
    fn new(file: &str, kind: Kind) -> Self {
        Report {
            file: file.to_string(),
            kind,
            error: None,
            replay: None,
            integrity: None,
            content: None,
            against: None,
        }
    }

    /// A report of a check that could not start.
    pub fn failed(file: &str, kind: Kind, error: String) -> Self {
        let mut r = Report::new(file, kind);
        r.error = Some(error);
        r
    }

    fn fill(&mut self, conn: &Connection) {
        self.integrity = Some(hash::integrity(conn, "main"));
        self.content = Some(hash::content(conn, "main").map_err(|e| hash::error_text(&e)));
    }

    /// Records the comparison with schema `db` of the shell's database, given its content
    /// (or the error reading it).
    pub fn set_against(&mut self, db: &str, other: Result<Content, String>) {
        self.against = Some(Comparison {
            db: db.to_string(),
            other,
        });
    }

    fn content_ok(&self) -> Option<&Content> {
        self.content.as_ref().and_then(|c| c.as_ref().ok())
    }

    /// Why the check failed, or `None` when everything passed.
    pub fn problem(&self) -> Option<String> {
        if let Some(e) = &self.error {
            return Some(e.clone());
        }
        if let Some(r) = &self.replay {
            if let Some(n) = r.interrupted_at {
                return Some(format!("interrupted after line {n}"));
            }
            if let Some(f) = &r.first_failure {
                return Some(format!("line {}: {}", f.line, f.message));
            }
            if let Some(n) = r.open_transaction {
                return Some(format!(
                    "the dump ends inside the transaction begun at line {n} (a restore rolls it back)"
                ));
            }
        }
        match &self.integrity {
            Some(Err(lines)) => {
                return Some(format!(
                    "integrity check failed: {}",
                    lines.first().map_or("", String::as_str)
                ))
            }
            None => return Some("integrity check did not run".into()),
            Some(Ok(())) => {}
        }
        match &self.content {
            Some(Err(e)) => return Some(format!("content unreadable: {e}")),
            None => return Some("content not read".into()),
            Some(Ok(_)) => {}
        }
        if let Some(a) = &self.against {
            match &a.other {
                Err(e) => return Some(format!("cannot read {}: {e}", a.db)),
                Ok(_) if !a.matches(self.content_ok()) => {
                    return Some(format!("content differs from {}", a.db))
                }
                Ok(_) => {}
            }
        }
        None
    }

    /// True when everything passed.
    pub fn ok(&self) -> bool {
        self.problem().is_none()
    }

    fn totals(&self) -> (usize, u64) {
        self.content_ok().map_or((0, 0), |c| {
            (c.tables.len(), c.tables.iter().map(|t| t.rows).sum())
        })
    }

    /// The last line of the text report: `ok: …` or `FAILED: …`.
    pub fn verdict(&self) -> String {
        match self.problem() {
            Some(p) => format!("FAILED: {}: {p}", self.file),
            None => {
                let (n, rows) = self.totals();
                let what = match self.kind {
                    Kind::Database => "is a sound database",
                    Kind::Dump | Kind::Unknown => "restores cleanly",
                };
                let against = match &self.against {
                    Some(a) => format!(", same content as {}", a.db),
                    None => String::new(),
                };
                format!(
                    "ok: {} {what} ({n} {}, {rows} {}{against})",
                    self.file,
                    plural(n as u64, "table", "tables"),
                    plural(rows, "row", "rows"),
                )
            }
        }
    }

    /// The report as text lines (the format is in the module docs).
    pub fn write_text(&self, w: &mut dyn Write) -> io::Result<()> {
        let kind = match self.kind {
            Kind::Database => "database",
            Kind::Dump => "SQL dump",
            Kind::Unknown => "unknown",
        };
        writeln!(w, "verify: {} ({kind})", self.file)?;
        if let Some(r) = &self.replay {
            write!(w, "statements: {} run, {} failed", r.statements, r.failed)?;
            if r.dot_commands_skipped > 0 {
                write!(w, ", {} dot-commands skipped", r.dot_commands_skipped)?;
            }
            writeln!(w)?;
            if let Some(f) = &r.first_failure {
                writeln!(w, "line {}: {}", f.line, printable(&f.message))?;
            }
            if let Some(n) = r.open_transaction {
                writeln!(
                    w,
                    "transaction: the dump ends inside the transaction begun at line {n}; a restore rolls it back"
                )?;
            }
            if let Some(n) = r.interrupted_at {
                writeln!(w, "interrupted: after line {n}")?;
            }
        }
        if let Some(Ok(c)) = &self.content {
            for t in &c.tables {
                writeln!(
                    w,
                    "table {}: {} {}",
                    printable(&t.name),
                    t.rows,
                    plural(t.rows, "row", "rows")
                )?;
            }
        }
        match &self.integrity {
            Some(Ok(())) => writeln!(w, "integrity: ok")?,
            Some(Err(lines)) => {
                writeln!(w, "integrity: FAILED")?;
                for l in lines {
                    writeln!(w, "  {}", printable(l))?;
                }
            }
            None => {}
        }
        match &self.content {
            Some(Ok(c)) => writeln!(w, "content: {}", c.hash)?,
            Some(Err(e)) => writeln!(w, "content: unreadable: {}", printable(e))?,
            None => {}
        }
        if let Some(a) = &self.against {
            match &a.other {
                Err(e) => writeln!(w, "against {}: unreadable: {}", a.db, printable(e))?,
                Ok(_) if a.matches(self.content_ok()) => writeln!(w, "against {}: matches", a.db)?,
                Ok(o) => {
                    writeln!(w, "against {}: differs ({})", a.db, o.hash)?;
                    for d in a.count_diffs(self.content_ok()) {
                        let name = printable(&d.name);
                        match (d.file_rows, d.db_rows) {
                            (Some(f), Some(x)) => {
                                writeln!(w, "  table {name}: {f} here, {x} in {}", a.db)?
                            }
                            (Some(f), None) => {
                                writeln!(w, "  table {name}: {f} here, not in {}", a.db)?
                            }
                            (None, Some(x)) => {
                                writeln!(w, "  table {name}: not here, {x} in {}", a.db)?
                            }
                            (None, None) => {}
                        }
                    }
                }
            }
        }
        if let Some(e) = &self.error {
            writeln!(w, "error: {}", printable(e))?;
        }
        writeln!(w, "{}", printable(&self.verdict()))
    }

    /// The report as one JSON object on one line.
    pub fn write_json(&self, w: &mut dyn Write) -> io::Result<()> {
        let mut j = String::from("{");
        let field = |j: &mut String, name: &str, value: String| {
            if j.len() > 1 {
                j.push(',');
            }
            j.push_str(&json_str(name));
            j.push(':');
            j.push_str(&value);
        };
        let opt_str = |s: Option<&str>| s.map_or("null".to_string(), json_str);
        let opt_num = |n: Option<u64>| n.map_or("null".to_string(), |n| n.to_string());
        field(&mut j, "file", json_str(&self.file));
        field(&mut j, "kind", json_str(self.kind.name()));
        field(&mut j, "ok", self.ok().to_string());
        field(&mut j, "verdict", json_str(&self.verdict()));
        field(&mut j, "error", opt_str(self.error.as_deref()));
        let replay = self.replay.as_ref().map_or("null".to_string(), |r| {
            let ff = r.first_failure.as_ref().map_or("null".to_string(), |f| {
                format!(
                    "{{\"line\":{},\"message\":{}}}",
                    f.line,
                    json_str(&f.message)
                )
            });
            format!(
                "{{\"lines\":{},\"statements\":{},\"failed\":{},\"dot_commands_skipped\":{},\"first_failure\":{ff},\"open_transaction_line\":{},\"interrupted_after_line\":{}}}",
                r.lines,
                r.statements,
                r.failed,
                r.dot_commands_skipped,
                opt_num(r.open_transaction.map(|n| n as u64)),
                opt_num(r.interrupted_at.map(|n| n as u64)),
            )
        });
        field(&mut j, "replay", replay);
        let (ntables, nrows) = self.totals();
        let tables = self
            .content_ok()
            .map_or("null".to_string(), |c| json_tables(&c.tables));
        field(&mut j, "tables", tables);
        field(&mut j, "table_count", ntables.to_string());
        field(&mut j, "rows", nrows.to_string());
        let integrity = match &self.integrity {
            None => "null".to_string(),
            Some(Ok(())) => "{\"ok\":true,\"messages\":[]}".to_string(),
            Some(Err(lines)) => format!(
                "{{\"ok\":false,\"messages\":[{}]}}",
                lines
                    .iter()
                    .map(|l| json_str(l))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        };
        field(&mut j, "integrity", integrity);
        let (hash, content_error) = match &self.content {
            Some(Ok(c)) => (Some(c.hash.as_str()), None),
            Some(Err(e)) => (None, Some(e.as_str())),
            None => (None, None),
        };
        field(&mut j, "content", opt_str(hash));
        field(&mut j, "content_error", opt_str(content_error));
        let against = self.against.as_ref().map_or("null".to_string(), |a| {
            let (h, e) = match &a.other {
                Ok(o) => (Some(o.hash.as_str()), None),
                Err(e) => (None, Some(e.as_str())),
            };
            let diffs: Vec<String> = a
                .count_diffs(self.content_ok())
                .iter()
                .map(|d| {
                    format!(
                        "{{\"name\":{},\"file_rows\":{},\"db_rows\":{}}}",
                        json_str(&d.name),
                        opt_num(d.file_rows),
                        opt_num(d.db_rows)
                    )
                })
                .collect();
            format!(
                "{{\"db\":{},\"content\":{},\"error\":{},\"matches\":{},\"count_differences\":[{}]}}",
                json_str(&a.db),
                opt_str(h),
                opt_str(e),
                a.matches(self.content_ok()),
                diffs.join(",")
            )
        });
        field(&mut j, "against", against);
        j.push_str("}\n");
        w.write_all(j.as_bytes())
    }
}

fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// Text for one report line: control characters (a newline in a table name or an error
/// message) are shown as `\n`, `\t` or `\xNN`, so every item stays on its line.
fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

fn json_tables(tables: &[TableCount]) -> String {
    let items: Vec<String> = tables
        .iter()
        .map(|t| format!("{{\"name\":{},\"rows\":{}}}", json_str(&t.name), t.rows))
        .collect();
    format!("[{}]", items.join(","))
}

/// A JSON string literal.
fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replay(sql: &str) -> (Scratch, Replay) {
        let s = Scratch::new().unwrap();
        let r = s.replay(&mut sql.as_bytes(), &Hooks::default()).unwrap();
        (s, r)
    }

    fn report(sql: &str) -> Report {
        let (s, r) = replay(sql);
        check_replay(&s, r, "d.sql")
    }

    fn first(r: &Replay) -> (usize, &str) {
        let f = r.first_failure.as_ref().expect("a failure");
        (f.line, f.message.as_str())
    }

    #[test]
    fn a_clean_dump() {
        let rep = report(
            "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t(a, b);\n\
             INSERT INTO t VALUES(1,replace('x\\ny','\\n',char(10)));\nINSERT INTO t VALUES(2,\n'two');\n\
             CREATE VIEW v AS SELECT * FROM t;\nCOMMIT;\n",
        );
        assert!(rep.ok(), "{:?}", rep.problem());
        let r = rep.replay.as_ref().unwrap();
        assert_eq!((r.statements, r.failed, r.lines), (7, 0, 8));
        let c = rep.content_ok().unwrap();
        assert_eq!(
            c.tables,
            vec![TableCount {
                name: "t".into(),
                rows: 2
            }]
        );
        assert_eq!(
            rep.verdict(),
            "ok: d.sql restores cleanly (1 table, 2 rows)"
        );
    }

    #[test]
    fn failure_lines_are_unit_start_lines() {
        let (_, r) = replay(
            "CREATE TABLE t(a);\n\nINSERT INTO t\n  VALUES(1);\nINSERT INTO nosuch\n  VALUES(2);\nINSERT INTO t VALUES(3); INSERT INTO t VALUES(;\n",
        );
        assert_eq!(first(&r), (5, "no such table: nosuch"));
        assert_eq!(r.failed, 2);
        assert_eq!(r.statements, 5);
    }

    #[test]
    fn a_failing_statement_ends_its_unit_only() {
        let (s, r) = replay("CREATE TABLE t(a UNIQUE);\nINSERT INTO t VALUES(1); INSERT INTO t VALUES(1); INSERT INTO t VALUES(2);\nINSERT INTO t VALUES(3);\n");
        assert_eq!(first(&r).0, 2);
        assert!(first(&r).1.contains("UNIQUE"), "{r:?}");
        let n: i64 = s
            .conn()
            .query_row("SELECT count(*) FROM t", [], |x| x.get(0))
            .unwrap();
        assert_eq!(n, 2);
    }

    #[test]
    fn truncated_inside_a_statement() {
        let (_, r) = replay(
            "BEGIN;\nCREATE TABLE t(a);\nINSERT INTO t VALUES(1);\nINSERT INTO t VALUES('abc\n",
        );
        assert_eq!(first(&r).0, 4);
        assert_eq!(r.open_transaction, Some(1));
        let (_, r) = replay("CREATE TABLE t(a);\nINSERT INTO t VALUES(1,\n2");
        assert_eq!(first(&r), (2, "incomplete input"));
    }

    #[test]
    fn truncated_between_statements_inside_a_transaction() {
        let rep = report("PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t(a);\nINSERT INTO t VALUES(1);\n");
        let r = rep.replay.as_ref().unwrap();
        assert_eq!(r.first_failure, None);
        assert_eq!(r.open_transaction, Some(2));
        assert!(!rep.ok());
        // Rolled back, as a restore would be: nothing is left.
        assert!(rep.content_ok().unwrap().tables.is_empty());
        assert!(rep.problem().unwrap().contains("line 2"));
    }

    #[test]
    fn attach_and_vacuum_into_are_refused_and_create_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let x = dir.path().join("x.db");
        let y = dir.path().join("y.db");
        let (_, r) = replay(&format!(
            "CREATE TABLE t(a);\nATTACH '{}' AS x;\nVACUUM INTO '{}';\nVACUUM;\nSELECT writefile('{}', 'data');\n",
            x.display(),
            y.display(),
            y.display()
        ));
        assert_eq!(r.failed, 4, "{r:?}");
        assert_eq!(first(&r).0, 2);
        assert!(first(&r).1.contains("ATTACH is not allowed"), "{r:?}");
        assert!(!x.exists());
        assert!(!y.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn vacuum_into_alone_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let y = dir.path().join("y.db");
        let (_, r) = replay(&format!("VACUUM INTO '{}';\n", y.display()));
        assert_eq!(first(&r).0, 1);
        assert!(first(&r).1.contains("not allowed"), "{r:?}");
        assert!(!y.exists());
    }

    #[test]
    fn global_pragmas_and_dangerous_functions_are_refused() {
        let (_, r) = replay("PRAGMA soft_heap_limit=1;\nPRAGMA temp_store_directory='/tmp';\nSELECT fts3_tokenizer('simple', x'00');\nSELECT load_extension('x');\nPRAGMA soft_heap_limit;\n");
        assert_eq!(r.failed, 4, "{r:?}");
        assert!(
            first(&r)
                .1
                .contains("PRAGMA soft_heap_limit is not allowed"),
            "{r:?}"
        );
    }

    #[test]
    fn dot_commands() {
        let s = Scratch::new().unwrap();
        let names = |w: &[u8]| match w {
            b"h" => Some("headers"),
            b"read" => Some("read"),
            w => exact_name(w),
        };
        let hooks = Hooks {
            command_name: &names,
            ..Hooks::default()
        };
        let dump =
            ".mode insert t\n.h on\n.print hello\nCREATE TABLE t(a);\n.read other.sql\n.bogus\n";
        let r = s.replay(&mut dump.as_bytes(), &hooks).unwrap();
        assert_eq!(r.dot_commands_skipped, 3);
        assert_eq!(r.failed, 2);
        assert_eq!(first(&r).0, 5);
        assert!(first(&r).1.starts_with(".read: not replayed"), "{r:?}");
    }

    #[test]
    fn virtual_tables_through_writable_schema() {
        let rep = report(
            "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nPRAGMA writable_schema=ON;\n\
             INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','f','f',0,'CREATE VIRTUAL TABLE f USING fts5(body)');\n\
             CREATE TABLE IF NOT EXISTS 'f_data'(id INTEGER PRIMARY KEY, block BLOB);\n\
             INSERT INTO f_data VALUES(1,X'0101');\n\
             INSERT INTO f_data VALUES(10,X'000000000101010001010101');\n\
             INSERT INTO f_data VALUES(137438953473,X'0000000e063068656c6c6f01020204');\n\
             CREATE TABLE IF NOT EXISTS 'f_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;\n\
             INSERT INTO f_idx VALUES(1,X'',2);\n\
             CREATE TABLE IF NOT EXISTS 'f_content'(id INTEGER PRIMARY KEY, c0);\n\
             INSERT INTO f_content VALUES(1,'hello');\n\
             CREATE TABLE IF NOT EXISTS 'f_docsize'(id INTEGER PRIMARY KEY, sz BLOB);\n\
             INSERT INTO f_docsize VALUES(1,X'01');\n\
             CREATE TABLE IF NOT EXISTS 'f_config'(k PRIMARY KEY, v) WITHOUT ROWID;\n\
             INSERT INTO f_config VALUES('version',4);\n\
             PRAGMA writable_schema=OFF;\nCOMMIT;\n",
        );
        assert!(rep.ok(), "{:?}", rep.problem());
        // The same content as the database the dump came from.
        let src = Connection::open_in_memory().unwrap();
        src.execute_batch(
            "CREATE VIRTUAL TABLE f USING fts5(body); INSERT INTO f VALUES('hello');",
        )
        .unwrap();
        assert_eq!(
            rep.content_ok().unwrap(),
            &hash::content(&src, "main").unwrap()
        );
    }

    #[test]
    fn invalid_utf8_and_crlf_lines() {
        let s = Scratch::new().unwrap();
        let mut dump = b"CREATE TABLE t(a);\r\nINSERT INTO t VALUES('caf\xe9');\r\n".to_vec();
        dump.extend_from_slice(b"INSERT INTO t VALUES('x');\r\n");
        let r = s.replay(&mut &dump[..], &Hooks::default()).unwrap();
        assert_eq!(r.failed, 0, "{r:?}");
        let n: i64 = s
            .conn()
            .query_row(
                "SELECT count(*) FROM t WHERE a = CAST(x'636166e9' AS TEXT)",
                [],
                |x| x.get(0),
            )
            .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn interrupted_replay() {
        let s = Scratch::new().unwrap();
        let stop = || true;
        let hooks = Hooks {
            interrupted: &stop,
            ..Hooks::default()
        };
        let r = s.replay(&mut &b"CREATE TABLE t(a);\n"[..], &hooks).unwrap();
        assert_eq!(r.interrupted_at, Some(0));
        let rep = check_replay(&s, r, "d.sql");
        assert!(!rep.ok());
    }

    #[test]
    fn sniffing() {
        assert_eq!(
            sniff_reader(&mut &b"SQLite format 3\0rest"[..]).unwrap(),
            Kind::Database
        );
        assert_eq!(
            sniff_reader(&mut &b"CREATE TABLE t(a);\n"[..]).unwrap(),
            Kind::Dump
        );
        assert_eq!(sniff_reader(&mut &b""[..]).unwrap(), Kind::Dump);
        assert!(sniff_reader(&mut &b"\x1f\x8b\x08\0gzip"[..]).is_err());
        assert_eq!(
            sniff_reader(&mut &b"SQLite format 3"[..]).unwrap(),
            Kind::Dump
        );
    }

    #[test]
    fn comparison_and_json() {
        let mut rep =
            report("CREATE TABLE t(a);\nINSERT INTO t VALUES(1);\nCREATE TABLE \"q\"\"\n\"(x);\n");
        let other = Connection::open_in_memory().unwrap();
        other
            .execute_batch("CREATE TABLE t(a); INSERT INTO t VALUES(1), (2); CREATE TABLE u(b);")
            .unwrap();
        rep.set_against("main", Ok(hash::content(&other, "main").unwrap()));
        assert!(!rep.ok());
        let diffs = rep.against.as_ref().unwrap().count_diffs(rep.content_ok());
        assert_eq!(diffs.len(), 3, "{diffs:?}");
        let mut text = Vec::new();
        rep.write_text(&mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("against main: differs (blake3:"), "{text}");
        assert!(text.contains("  table t: 1 here, 2 in main\n"), "{text}");
        assert!(text.contains("  table u: not here, 0 in main\n"), "{text}");
        assert!(text.contains("table q\"\\n: 0 rows\n"), "{text}");
        assert!(
            text.ends_with("FAILED: d.sql: content differs from main\n"),
            "{text}"
        );
        let mut json = Vec::new();
        rep.write_json(&mut json).unwrap();
        let json = String::from_utf8(json).unwrap();
        assert!(
            json.starts_with("{\"file\":\"d.sql\",\"kind\":\"dump\",\"ok\":false,"),
            "{json}"
        );
        assert!(
            json.contains("{\"name\":\"q\\\"\\n\",\"rows\":0}"),
            "{json}"
        );
        assert!(json.contains("\"matches\":false"), "{json}");
        assert!(json.ends_with("}\n") && json.matches('\n').count() == 1);
    }

    #[test]
    fn wal_copies_are_read_without_side_files() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("live db.db");
        let conn = Connection::open(&live).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; CREATE TABLE t(a); INSERT INTO t VALUES(1), (2);",
        )
        .unwrap();
        // A live WAL database: read the ordinary way (its -wal and -shm exist already).
        let rep = verify_database(&live, "live", &mut |_| {});
        assert!(rep.ok(), "{:?}", rep.problem());
        assert_eq!(rep.content_ok().unwrap().tables[0].rows, 2);
        // A copy of it, WAL-flagged with no side files: none are created.
        let copy = dir.path().join("copy%20.db");
        {
            let mut dest = Connection::open(&copy).unwrap();
            let b = rusqlite::backup::Backup::new(&conn, &mut dest).unwrap();
            b.run_to_completion(100, Duration::ZERO, None).unwrap();
        }
        let _ = std::fs::remove_file(side_file(&copy, "-wal"));
        let _ = std::fs::remove_file(side_file(&copy, "-shm"));
        assert!(wal_flagged(&copy));
        let rep = verify_database(&copy, "copy", &mut |_| {});
        assert!(rep.ok(), "{:?}", rep.problem());
        assert_eq!(
            rep.content_ok().unwrap(),
            &hash::content(&conn, "main").unwrap()
        );
        assert!(!side_file(&copy, "-wal").exists());
        assert!(!side_file(&copy, "-shm").exists());

        // A writer that comes along during the lock-free read: that read is dropped and
        // the check is made again the ordinary way, which sees the new row.
        let mut opened = 0;
        let rep = verify_database(&copy, "copy", &mut |_| {
            opened += 1;
            if opened == 1 {
                let w = Connection::open(&copy).unwrap();
                w.execute_batch("INSERT INTO t VALUES(3)").unwrap();
            }
        });
        assert_eq!(opened, 2);
        assert!(rep.ok(), "{:?}", rep.problem());
        assert_eq!(rep.content_ok().unwrap().tables[0].rows, 3);
    }

    #[test]
    fn json_strings() {
        assert_eq!(json_str("a\"b\\c\n\u{1}é"), "\"a\\\"b\\\\c\\n\\u0001é\"");
    }
}
