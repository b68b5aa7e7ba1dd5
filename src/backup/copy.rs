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
//!   The temporary name is predictable, so the file is created new, never through a
//!   symbolic link, and owner-only until it is whole ([`super::files`]); SQLite then opens
//!   that very file (`SQLITE_OPEN_NOFOLLOW`, no create). It gets SQLite's usual mode (0644
//!   less the umask) just before the rename, as sqlite3's `.backup` would have created it.
//! - **An existing database** is written in place through its own journal, as sqlite3 does
//!   (so a kill leaves the old content, rolled back on next open); a file that is not a
//!   database is refused with sqlite3's `file is not a database`. URIs (`file:…`) also go
//!   this way.
//! - **Progress** (pages done of total, rate) on stderr when stderr is a terminal.
//! - **Verify** (`--verify`): the copy is opened read-only, checked with `PRAGMA
//!   integrity_check`, and its content hash compared with the source's, taken in the same read
//!   transaction as the copy (so at the copy's point in time). For tests, `LITESH_FAULT=
//!   corrupt-copy` damages the copy just before it is verified.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::hash;

/// Pages copied per step of the backup engine (one progress update each).
const STEP_PAGES: i32 = 1024;

/// How to copy.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// `--async`: no journal and no fsync on the destination (sqlite3's option).
    pub is_async: bool,
    /// `--verify`: check the copy against the source afterwards.
    pub verify: bool,
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
    /// Writing, syncing or renaming the new file failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// `--verify` found the copy differs or is damaged.
    #[error("{0}")]
    Verify(String),
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

/// The temporary name for `dest`: `.NAME.litesh-PID.tmp` in the same directory.
fn temp_name(dest: &Path, pid: u32) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    dest.with_file_name(format!(".{name}.litesh-{pid}.tmp"))
}

/// Removes temporary files that killed earlier copies to `dest` left behind.
fn remove_stale_temps(dest: &Path) {
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

fn open_dest(path: &Path) -> Result<Connection, CopyError> {
    open_other(path, true).map_err(|_| CopyError::CannotOpen)
}

/// Opens the temporary file [`super::files::create_private`] made: read-write, never
/// created, never through a symbolic link.
fn open_temp(path: &Path) -> Result<Connection, CopyError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NOFOLLOW
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let c = Connection::open_with_flags(path, flags).map_err(|_| CopyError::CannotOpen)?;
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
        if self.ours {
            let _ = self.conn.execute_batch("COMMIT");
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
    let txn = ReadTxn::begin(src, schema)?;
    let pages = if plain_path(dest) && is_new(dest) {
        remove_stale_temps(dest);
        let tmp = temp_name(dest, std::process::id());
        let r = copy_new(src, schema, dest, &tmp, opts);
        if r.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        r?
    } else {
        let mut d = open_dest(dest)?;
        if opts.is_async {
            let _ = d.execute_batch("PRAGMA synchronous=OFF; PRAGMA journal_mode=OFF;");
        }
        run_engine(src, schema, &mut d)?
    };
    let verdict = if opts.verify {
        if std::env::var("LITESH_FAULT").is_ok_and(|f| f == "corrupt-copy") {
            damage(dest)?;
        }
        Some(verify_copy(src, schema, dest)?)
    } else {
        None
    };
    drop(txn);
    Ok(Report { pages, verdict })
}

fn copy_new(
    src: &Connection,
    schema: &str,
    dest: &Path,
    tmp: &Path,
    opts: Options,
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
    let mut d = open_temp(tmp)?;
    // The file is unreachable under its own name until it is whole: no journal needed.
    let _ = d.execute_batch("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;");
    let pages = run_engine(src, schema, &mut d)?;
    d.close().map_err(|(c, _)| engine_error(&c))?;
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
fn verify_copy(src: &Connection, schema: &str, dest: &Path) -> Result<String, CopyError> {
    let name = dest.display();
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI;
    let copy = Connection::open_with_flags(dest, flags)
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

    #[test]
    fn plain_paths_and_uris() {
        assert!(plain_path(Path::new("a.db")));
        assert!(!plain_path(Path::new("file:a.db?mode=rwc")));
        assert!(!plain_path(Path::new(":memory:")));
    }
}
