//! `.backup`/`.save`: a consistent point-in-time copy that is never left half-written.
//!
//! - **Consistent under load.** The copy runs inside one read transaction on the source
//!   connection, so SQLite's backup engine never sees the source change under it: it does not
//!   restart when another process commits (in WAL mode the writers go on; in rollback-journal
//!   mode they wait for the shared lock, through their busy handlers, and litesh's `.timeout`
//!   lets it wait for theirs). The copy is the one committed state the transaction saw.
//! - **Atomic for a new file.** A destination that does not exist yet (or is empty) is written
//!   as `.NAME.litesh-PID.tmp` beside it, without a journal, then synced, renamed over NAME,
//!   and the directory synced: a crash or `kill -9` leaves either no NAME or the whole copy,
//!   never a partial file or a hot journal. Temporary files of killed earlier runs are removed.
//!   The pages of a new file are copied by `direct.rs` in large writes (the bytes the engine
//!   would write, in a fraction of the time); the engine copies an empty source and anything
//!   asked for inside the connection's own transaction.
//!   The temporary name is predictable, so the file is created new, never through a
//!   symbolic link, and owner-only until it is whole ([`super::files`]); the direct copy
//!   writes into that very file and SQLite's engine opens it (`SQLITE_OPEN_NOFOLLOW`, no
//!   create). It gets SQLite's usual mode (0644 less the umask) just before the rename, as
//!   sqlite3's `.backup` would have created it.
//! - **An existing database** is written in place through its own journal, as sqlite3 does
//!   (so a kill leaves the old content, rolled back on next open, and a copy that fails, on
//!   a full disk say, rolls it back at once); a file that is not a
//!   database is refused with sqlite3's `file is not a database`. URIs (`file:…`) also go
//!   this way.
//! - **`--append`** writes through the append VFS: into an existing file in place (its own
//!   bytes stay before the database), a new or empty one as above but never directly.
//! - **Progress** (pages done of total, rate) on stderr when stderr is a terminal.
//! - **Verify** (`--verify`): the copy is opened read-only, checked with `PRAGMA
//!   integrity_check`, and its content hash compared with the source's, taken in the same read
//!   transaction as the copy (so at the copy's point in time). For tests, `LITESH_FAULT=
//!   corrupt-copy` damages the copy just before it is verified.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::{direct, hash};

/// Pages copied per step of the backup engine (one progress update each).
const STEP_PAGES: i32 = 1024;

/// How to copy.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// `--async`: no journal and no fsync on the destination (sqlite3's option).
    pub is_async: bool,
    /// `--verify`: check the copy against the source afterwards.
    pub verify: bool,
    /// `--append`: write the copy through the append VFS, at the end of FILE's own bytes
    /// (sqlite3's option).
    pub append: bool,
}

/// Why a copy failed; the text is sqlite3's wording where it has one.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// The destination cannot be opened or created (`Error: cannot open "NAME"`).
    #[error("cannot open")]
    CannotOpen,
    /// The engine failed: its message (`file is not a database`, `database is locked`, …).
    #[error("{0}")]
    Engine(String),
    /// Writing, syncing or renaming the new file failed: SQLite's words for it
    /// (`database or disk is full`, `disk I/O error`).
    #[error("{}", io_words(.0))]
    Io(#[from] std::io::Error),
    /// `--verify` found the copy differs or is damaged.
    #[error("{0}")]
    Verify(String),
}

/// SQLite's message for a failed write: `database or disk is full` when the disk is full
/// (`SQLITE_FULL`), else `disk I/O error`; litesh's own message for an error it made itself
/// (no system error behind it, e.g. `cannot create NAME: File exists`).
fn io_words(e: &std::io::Error) -> String {
    use nix::errno::Errno;
    match e.raw_os_error() {
        Some(c) if c == Errno::ENOSPC as i32 || c == Errno::EDQUOT as i32 => {
            "database or disk is full".to_string()
        }
        Some(_) => "disk I/O error".to_string(),
        None => e.to_string(),
    }
}

impl From<direct::Error> for CopyError {
    fn from(e: direct::Error) -> Self {
        match e {
            direct::Error::CannotOpen => CopyError::CannotOpen,
            direct::Error::Io(e) => CopyError::Io(e),
            direct::Error::Sqlite(m) => CopyError::Engine(m),
        }
    }
}

/// What a successful copy did.
#[derive(Debug, Clone)]
pub struct Report {
    /// Pages copied.
    pub pages: u64,
    /// The verdict line of `--verify`, when asked for.
    pub verdict: Option<String>,
}

/// True for a plain file name (not a URI, not `:memory:`), which can be written atomically.
fn plain_path(dest: &Path) -> bool {
    let s = dest.as_os_str().as_encoded_bytes();
    !s.starts_with(b"file:") && s != b":memory:" && !s.is_empty()
}

/// True when `dest` holds nothing yet: no file, or an empty one (SQLite's empty database).
fn is_new(dest: &Path) -> bool {
    match std::fs::metadata(dest) {
        Ok(m) => m.is_file() && m.len() == 0,
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

/// The temporary name for `dest`: `.NAME.litesh-PID.tmp` in the same directory (also
/// used by `.snapshot restore`).
pub fn temp_name(dest: &Path, pid: u32) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    dest.with_file_name(format!(".{name}.litesh-{pid}.tmp"))
}

/// Removes temporary files that killed earlier copies (or restores) to `dest` left behind.
pub fn remove_stale_temps(dest: &Path) {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let prefix = format!(".{name}.litesh-");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for e in entries.flatten() {
        let f = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = f.strip_prefix(&prefix).and_then(|r| r.strip_suffix(".tmp")) else {
            continue;
        };
        let alive = pid
            .parse::<i32>()
            .is_ok_and(|p| nix::sys::signal::kill(nix::unistd::Pid::from_raw(p), None).is_ok());
        if !alive {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Opens (creating it when `create`) another database file the way sqlite3's `.backup`
/// and `.restore` do: read-write, URIs allowed, the shell's engine settings, no busy wait.
pub fn open_other(path: &Path, create: bool) -> rusqlite::Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let c = Connection::open_with_flags(path, flags)?;
    crate::exec::raw::configure(&c);
    let _ = c.busy_timeout(std::time::Duration::ZERO);
    Ok(c)
}

/// After a failed copy into an existing database (a full disk in the middle of the commit),
/// the journal SQLite left beside it is hot: the file holds some new pages. Reading the
/// database once rolls the journal back now, so that the old content is whole again on disk
/// rather than only for the next program that opens it. The rollback writes pages inside
/// the file's former size and truncates it, so it needs no new space.
fn roll_back(dest: &Path) {
    if let Ok(c) = open_other(dest, false) {
        let _ = c.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()));
    }
}

fn open_dest(path: &Path, append: bool) -> Result<Connection, CopyError> {
    if !append {
        return open_other(path, true).map_err(|_| CopyError::CannotOpen);
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let c = open_with_vfs(path, flags, true).map_err(|_| CopyError::CannotOpen)?;
    crate::exec::raw::configure(&c);
    let _ = c.busy_timeout(std::time::Duration::ZERO);
    Ok(c)
}

/// Opens `path` with `flags`, through the append VFS when `append`.
fn open_with_vfs(path: &Path, flags: OpenFlags, append: bool) -> rusqlite::Result<Connection> {
    if append {
        crate::exec::raw::register_append_vfs();
        Connection::open_with_flags_and_vfs(path, flags, crate::exec::raw::APPEND_VFS)
    } else {
        Connection::open_with_flags(path, flags)
    }
}

/// Opens the temporary file [`super::files::create_private`] made: read-write, never
/// created, never through a symbolic link.
fn open_temp(path: &Path, append: bool) -> Result<Connection, CopyError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NOFOLLOW
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    // The append VFS writes into an empty file only with leave to create (SQLite's
    // "create" here means the database, not the file, which exists already).
    let flags = if append {
        flags | OpenFlags::SQLITE_OPEN_CREATE
    } else {
        flags
    };
    let c = open_with_vfs(path, flags, append).map_err(|_| CopyError::CannotOpen)?;
    crate::exec::raw::configure(&c);
    let _ = c.busy_timeout(std::time::Duration::ZERO);
    Ok(c)
}

fn engine_error(c: &Connection) -> CopyError {
    CopyError::Engine(String::from_utf8_lossy(&crate::exec::raw::errmsg(c)).into_owned())
}

/// A read transaction on the source for the time of the copy, unless the connection is in
/// a transaction of its own already (then the copy sees what that transaction sees).
struct ReadTxn<'c> {
    conn: &'c Connection,
    ours: bool,
}

impl<'c> ReadTxn<'c> {
    fn begin(conn: &'c Connection, schema: &str) -> Result<Self, CopyError> {
        if !conn.is_autocommit() {
            return Ok(ReadTxn { conn, ours: false });
        }
        conn.execute_batch("BEGIN")
            .map_err(|e| CopyError::Engine(e.to_string()))?;
        let q = format!(
            "SELECT count(*) FROM \"{}\".sqlite_schema",
            schema.replace('"', "\"\"")
        );
        if conn.query_row(&q, [], |_| Ok(())).is_err() {
            // No such schema, or it cannot be read: the engine reports it in sqlite3's words.
            let _ = conn.execute_batch("ROLLBACK");
            return Ok(ReadTxn { conn, ours: false });
        }
        Ok(ReadTxn { conn, ours: true })
    }
}

impl Drop for ReadTxn<'_> {
    fn drop(&mut self) {
        // A read transaction: COMMIT only ends it. If it fails, ROLLBACK still must, so that
        // no lock outlives the copy (and the direct copy's source file, closed after this).
        if self.ours && self.conn.execute_batch("COMMIT").is_err() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// Shows progress on stderr when it is a terminal.
fn progress_bar(total: u64) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} pages  {per_sec}  {eta} left")
    {
        bar.set_style(style);
    }
    bar
}

/// Runs the backup engine from `schema` of `src` into `dest` to the end.
fn run_engine(src: &Connection, schema: &str, dest: &mut Connection) -> Result<u64, CopyError> {
    let outcome = match Backup::new_with_names(src, schema, &mut *dest, "main") {
        Ok(b) => step_to_end(&b),
        Err(_) => None,
    };
    outcome.ok_or_else(|| engine_error(dest))
}

/// Steps the engine to the end, with progress; the page count, or `None` on failure.
fn step_to_end(b: &Backup<'_, '_>) -> Option<u64> {
    let mut bar: Option<indicatif::ProgressBar> = None;
    loop {
        let r = b.step(STEP_PAGES);
        let p = b.progress();
        let total = u64::try_from(p.pagecount).unwrap_or(0);
        let done = total.saturating_sub(u64::try_from(p.remaining).unwrap_or(0));
        bar.get_or_insert_with(|| progress_bar(total))
            .set_position(done);
        match r {
            Ok(StepResult::More) => continue,
            Ok(StepResult::Done) => {
                if let Some(b) = bar {
                    b.finish_and_clear();
                }
                return Some(total);
            }
            Ok(_) | Err(_) => {
                if let Some(b) = bar {
                    b.abandon();
                }
                return None;
            }
        }
    }
}

fn sync_dir(path: &Path) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::File::open(dir)?.sync_all()
}

/// Copies `schema` of `src` to `dest` (see the module doc).
pub fn copy(
    src: &Connection,
    schema: &str,
    dest: &Path,
    opts: Options,
) -> Result<Report, CopyError> {
    // Declared before the transaction so that it is dropped after it ends: closing the
    // source file's descriptor while the transaction's lock is held would drop that lock.
    let direct_source: Option<direct::Source>;
    let txn = ReadTxn::begin(src, schema)?;
    let pages = if plain_path(dest) && is_new(dest) {
        remove_stale_temps(dest);
        let tmp = temp_name(dest, std::process::id());
        // The pages are copied directly only inside the copy's own read transaction; in the
        // connection's own transaction the engine decides (and refuses a write transaction
        // with sqlite3's error).
        direct_source = if txn.ours && !opts.append {
            direct::probe(src, schema)
        } else {
            None
        };
        let r = copy_new(src, schema, dest, &tmp, opts, direct_source.as_ref());
        if r.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        r?
    } else {
        let mut d = open_dest(dest, opts.append)?;
        if opts.is_async {
            let _ = d.execute_batch("PRAGMA synchronous=OFF; PRAGMA journal_mode=OFF;");
        }
        match run_engine(src, schema, &mut d) {
            Ok(pages) => pages,
            Err(e) => {
                drop(d);
                roll_back(dest);
                return Err(e);
            }
        }
    };
    let verdict = if opts.verify {
        if std::env::var("LITESH_FAULT").is_ok_and(|f| f == "corrupt-copy") {
            damage(dest)?;
        }
        Some(verify_copy(src, schema, dest, opts.append)?)
    } else {
        None
    };
    drop(txn);
    Ok(Report { pages, verdict })
}

/// Writes the copy under `tmp`, directly from `direct` when given, else with the engine;
/// then syncs it (unless `--async`), renames it to `dest` and syncs the directory.
fn copy_new(
    src: &Connection,
    schema: &str,
    dest: &Path,
    tmp: &Path,
    opts: Options,
    direct: Option<&direct::Source>,
) -> Result<u64, CopyError> {
    // Only a leftover of an earlier process with this pid can be at this name (or a link
    // someone planted, which this removes, not its target).
    let _ = std::fs::remove_file(tmp);
    let file = match super::files::create_private(tmp) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let what = format!("cannot create {}: {e}", tmp.display());
            return Err(std::io::Error::new(e.kind(), what).into());
        }
        Err(_) => return Err(CopyError::CannotOpen),
    };
    let pages = match direct {
        Some(d) => {
            let total = u64::from(d.info().page_count);
            let bar = progress_bar(total);
            direct::write(src, schema, d, &file, &mut |n| bar.set_position(n))
                .inspect_err(|_| bar.abandon())?;
            bar.finish_and_clear();
            total
        }
        None => {
            let mut d = open_temp(tmp, opts.append)?;
            // The file is unreachable under its own name until it is whole: no journal needed.
            let _ = d.execute_batch("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;");
            let pages = run_engine(src, schema, &mut d)?;
            d.close().map_err(|(c, _)| engine_error(&c))?;
            pages
        }
    };
    if !opts.is_async {
        file.sync_all()?;
    }
    super::files::publish(&file)?;
    drop(file);
    std::fs::rename(tmp, dest)?;
    if !opts.is_async {
        sync_dir(dest)?;
    }
    Ok(pages)
}

/// The fault hook for tests (`LITESH_FAULT=corrupt-copy`): overwrites 512 bytes in the
/// middle of the copy, as a bad disk would, before `--verify` reads it.
fn damage(dest: &Path) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new().write(true).open(dest)?;
    let len = f.metadata()?.len();
    f.seek(SeekFrom::Start(len / 2))?;
    f.write_all(&[0x55; 512])?;
    f.sync_all()
}

/// `--verify`: the copy's integrity and content hash against the source's, whose read
/// transaction is still open (the copy's point in time). Returns the verdict line.
fn verify_copy(
    src: &Connection,
    schema: &str,
    dest: &Path,
    append: bool,
) -> Result<String, CopyError> {
    let name = dest.display();
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI;
    let copy = open_with_vfs(dest, flags, append)
        .map_err(|e| CopyError::Verify(format!("verify: FAILED: cannot open {name}: {e}")))?;
    if let Err(problems) = hash::integrity(&copy, "main") {
        // One line: the first problem itself, not the "*** in database main ***" header.
        let first = problems
            .iter()
            .flat_map(|p| p.lines())
            .find(|l| !l.trim().is_empty() && !l.starts_with("***"))
            .unwrap_or("damaged")
            .to_string();
        return Err(CopyError::Verify(format!(
            "verify: FAILED: {name}: integrity check: {first}"
        )));
    }
    let theirs = hash::content(&copy, "main")
        .map_err(|e| CopyError::Verify(format!("verify: FAILED: {name}: {e}")))?;
    let ours = hash::content(src, schema)
        .map_err(|e| CopyError::Verify(format!("verify: FAILED: source {schema}: {e}")))?;
    if ours.hash != theirs.hash {
        return Err(CopyError::Verify(format!(
            "verify: FAILED: {name} differs from {schema} ({} against {})",
            theirs.hash, ours.hash
        )));
    }
    let rows: u64 = theirs.tables.iter().map(|t| t.rows).sum();
    Ok(format!(
        "verify: ok: {name} matches {schema} ({} tables, {rows} rows, integrity ok, {})",
        theirs.tables.len(),
        theirs.hash
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(dir: &Path) -> Connection {
        let c = Connection::open(dir.join("src.db")).unwrap();
        c.execute_batch(
            "CREATE TABLE t(a INTEGER PRIMARY KEY, b);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<3000)
             INSERT INTO t(b) SELECT randomblob(200) FROM n;",
        )
        .unwrap();
        c
    }

    #[test]
    fn a_new_destination_appears_whole_and_no_temp_stays() {
        let dir = tempfile::tempdir().unwrap();
        let c = source(dir.path());
        let dest = dir.path().join("copy.db");
        let r = copy(&c, "main", &dest, Options::default()).unwrap();
        assert!(r.pages > 10);
        let d = Connection::open(&dest).unwrap();
        let n: i64 = d
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 3000);
        let stray: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains("litesh-"))
            .collect();
        assert!(stray.is_empty(), "{stray:?}");
        assert!(!dir.path().join("copy.db-journal").exists());
    }

    #[test]
    fn temps_of_dead_processes_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("x.db");
        // pid 0x7fff_fffe is not a running process here.
        let dead = temp_name(&dest, 0x7fff_fffe);
        let live = temp_name(&dest, std::process::id());
        std::fs::write(&dead, b"partial").unwrap();
        std::fs::write(&live, b"busy").unwrap();
        remove_stale_temps(&dest);
        assert!(!dead.exists());
        assert!(live.exists());
    }

    #[test]
    fn a_missing_directory_cannot_be_opened() {
        let dir = tempfile::tempdir().unwrap();
        let c = source(dir.path());
        let dest = dir.path().join("no/such/dir/copy.db");
        assert!(matches!(
            copy(&c, "main", &dest, Options::default()),
            Err(CopyError::CannotOpen)
        ));
    }

    /// The copy the backup engine writes to a new file (the way `copy` did before the
    /// direct path), for comparison.
    fn engine_copy(c: &Connection, schema: &str, dest: &Path) -> Vec<u8> {
        let tmp = dest.with_extension("tmp");
        copy_new(c, schema, dest, &tmp, Options::default(), None).unwrap();
        std::fs::read(dest).unwrap()
    }

    /// Copies `schema` of `c` with `copy` (the direct path) and with the engine, asserts the
    /// two files are the same bytes, and returns whether the main file was read directly.
    fn same_as_engine(c: &Connection, schema: &str, dir: &Path, name: &str) -> bool {
        let ours = dir.join(format!("{name}.direct.db"));
        let theirs = dir.join(format!("{name}.engine.db"));
        let is_file = {
            c.execute_batch("BEGIN").unwrap();
            c.query_row(
                &format!("SELECT count(*) FROM \"{schema}\".sqlite_schema"),
                [],
                |_| Ok(()),
            )
            .unwrap();
            let s = direct::probe(c, schema).expect("a direct copy applies");
            c.execute_batch("COMMIT").unwrap();
            s.is_file()
        };
        let r = copy(c, schema, &ours, Options::default()).unwrap();
        let a = std::fs::read(&ours).unwrap();
        let b = engine_copy(c, schema, &theirs);
        assert_eq!(a.len(), b.len(), "{name}: sizes differ");
        assert_eq!(a.len() as u64 % r.pages, 0, "{name}: {} pages", r.pages);
        let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).take(10).collect();
        assert!(
            diff.is_empty(),
            "{name}: bytes differ at {diff:?}: {:?} against the engine's {:?}",
            diff.iter().map(|&i| a[i]).collect::<Vec<_>>(),
            diff.iter().map(|&i| b[i]).collect::<Vec<_>>()
        );
        let d = Connection::open(&ours).unwrap();
        let ok: String = d
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok", "{name}");
        is_file
    }

    const FILL: &str = "CREATE TABLE t(a INTEGER PRIMARY KEY, b, c);
         CREATE INDEX tc ON t(c);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<2000)
         INSERT INTO t SELECT i, randomblob(i % 700), 'x' || i FROM n;
         DELETE FROM t WHERE a % 5 = 0;";

    #[test]
    fn a_direct_copy_is_the_bytes_the_engine_writes_for_every_kind_of_source() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for journal in ["delete", "truncate", "persist", "memory"] {
            let c = Connection::open(d.join(format!("{journal}.db"))).unwrap();
            c.execute_batch(&format!("PRAGMA journal_mode={journal}; {FILL}"))
                .unwrap();
            assert!(
                same_as_engine(&c, "main", d, journal),
                "{journal}: read directly"
            );
        }
        for ps in [512, 65536] {
            let c = Connection::open(d.join(format!("ps{ps}.db"))).unwrap();
            c.execute_batch(&format!("PRAGMA page_size={ps}; {FILL}"))
                .unwrap();
            assert!(same_as_engine(&c, "main", d, &format!("ps{ps}")));
        }
        for av in ["full", "incremental"] {
            let c = Connection::open(d.join(format!("av{av}.db"))).unwrap();
            c.execute_batch(&format!("PRAGMA auto_vacuum={av}; {FILL}"))
                .unwrap();
            assert!(same_as_engine(&c, "main", d, &format!("av{av}")));
        }
        // WAL mode, with the newest pages still in the WAL: through sqlite_dbpage.
        let c = Connection::open(d.join("wal.db")).unwrap();
        c.execute_batch(&format!(
            "PRAGMA journal_mode=wal; PRAGMA wal_autocheckpoint=0; {FILL}"
        ))
        .unwrap();
        assert!(std::fs::metadata(d.join("wal.db-wal")).unwrap().len() > 0);
        assert!(!same_as_engine(&c, "main", d, "wal"));
        // Exclusive locking mode keeps its lock after the transaction: not read directly.
        let c = Connection::open(d.join("excl.db")).unwrap();
        c.execute_batch(&format!("PRAGMA locking_mode=exclusive; {FILL}"))
            .unwrap();
        assert!(!same_as_engine(&c, "main", d, "excl"));
        // In-memory, temp and attached schemas.
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(FILL).unwrap();
        c.execute_batch(&format!(
            "CREATE TEMP TABLE tt(x); INSERT INTO tt SELECT b FROM t;
             ATTACH '{}' AS aux; CREATE TABLE aux.o(x); INSERT INTO aux.o SELECT b FROM t;
             ATTACH ':memory:' AS mem; CREATE TABLE mem.o(x); INSERT INTO mem.o SELECT b FROM t;",
            d.join("aux.db").display()
        ))
        .unwrap();
        assert!(!same_as_engine(&c, "main", d, "in-memory"));
        assert!(!same_as_engine(&c, "temp", d, "temp"));
        assert!(same_as_engine(&c, "aux", d, "aux"));
        assert!(same_as_engine(&c, "AUX", d, "aux-upper"));
        assert!(!same_as_engine(&c, "mem", d, "mem"));
    }

    #[test]
    fn a_source_file_renamed_away_is_not_read_directly() {
        let dir = tempfile::tempdir().unwrap();
        let c = Connection::open(dir.path().join("a.db")).unwrap();
        c.execute_batch(FILL).unwrap();
        // Another database now has the name SQLite opened.
        std::fs::rename(dir.path().join("a.db"), dir.path().join("moved.db")).unwrap();
        let other = Connection::open(dir.path().join("a.db")).unwrap();
        other
            .execute_batch("CREATE TABLE other(x); INSERT INTO other VALUES(1);")
            .unwrap();
        drop(other);
        assert!(!same_as_engine(&c, "main", dir.path(), "moved"));
        let d = Connection::open(dir.path().join("moved.direct.db")).unwrap();
        let n: i64 = d
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1600);
    }

    #[test]
    fn an_interrupt_stops_a_direct_copy() {
        let dir = tempfile::tempdir().unwrap();
        let c = Connection::open(dir.path().join("src.db")).unwrap();
        c.execute_batch(FILL).unwrap();
        c.execute_batch("BEGIN; SELECT count(*) FROM sqlite_schema;")
            .unwrap();
        let s = direct::probe(&c, "main").unwrap();
        assert!(s.is_file());
        // Ctrl-C arrives while no statement runs: the flag stays until the next one.
        c.get_interrupt_handle().interrupt();
        let tmp = dir.path().join("x.tmp");
        let f = super::super::files::create_private(&tmp).unwrap();
        let r = direct::write(&c, "main", &s, &f, &mut |_| {});
        drop(f);
        assert!(matches!(r, Err(direct::Error::Sqlite(ref m)) if m == "interrupted"));
        c.execute_batch("COMMIT").unwrap();
        drop(s);
        let _ = std::fs::remove_file(&tmp);
        // The next copy runs (its statements clear the flag).
        let dest = dir.path().join("copy.db");
        copy(&c, "main", &dest, Options::default()).unwrap();
        assert!(dest.exists());
    }

    #[test]
    fn an_empty_source_is_left_to_the_engine() {
        let dir = tempfile::tempdir().unwrap();
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch("BEGIN; SELECT count(*) FROM sqlite_schema;")
            .unwrap();
        assert!(direct::probe(&c, "main").is_none());
        c.execute_batch("COMMIT").unwrap();
        let dest = dir.path().join("e.db");
        copy(&c, "main", &dest, Options::default()).unwrap();
        let b = engine_copy(&c, "main", &dir.path().join("e2.db"));
        assert_eq!(std::fs::read(&dest).unwrap(), b);
    }

    #[test]
    fn plain_paths_and_uris() {
        assert!(plain_path(Path::new("a.db")));
        assert!(!plain_path(Path::new("file:a.db?mode=rwc")));
        assert!(!plain_path(Path::new(":memory:")));
    }
}
