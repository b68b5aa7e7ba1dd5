//! `.snapshot create`: a consistent page image, cut into chunks, stored content-addressed.
//!
//! The pages are read on the calling thread inside one read transaction
//! ([`crate::backup::pages`]), grouped into chunks of [`CHUNK_BYTES`] (a run of whole
//! pages; chunk boundaries sit at fixed page numbers, so a page changed in place changes one
//! chunk and every other chunk keeps its id), and handed to worker threads that hash each
//! chunk with BLAKE3 and, when the repository does not have it yet, compress it with zstd.
//! The new chunks are appended, in page order, to packs ([`super::packs`]). The image hash
//! (BLAKE3 over every page in order) is computed on the reading thread. Packs first, then
//! their indexes, each durable before the next step; the manifest is written last, with
//! put-if-absent, so a snapshot is never listed before everything it names is stored and
//! durable.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use rusqlite::Connection;

use super::lock::Lock;
use super::manifest::{self, format_time, Manifest, FORMAT};
use super::packs::{ChunkMap, PackWriter};
use super::pipeline;
use super::repo::Repo;
use crate::backup::pages::{self, ImageInfo, PageError};

/// Target chunk size: chunks are `max(1, CHUNK_BYTES / page_size)` pages.
///
/// Measured on a 276 MB database (4 KiB pages, release build, ext4, page cache warm, one
/// file per object): a first snapshot takes 3.3 s with 64 KiB chunks (about 1 ms of system
/// time per object file), 0.87 s with 256 KiB and 0.73 s with 1 MiB, against 0.5–1.0 s for
/// `sqlite3 .backup`. Smaller chunks store less after scattered changes (on a 96 MiB
/// database, a 310-row scattered update stored 17 MiB with 64 KiB chunks, 65 MiB with
/// 256 KiB), and every commit changes page 1, whose chunk is new in every snapshot. 256 KiB
/// keeps a first snapshot within 2× of `.backup` and a 1%-contiguous change near 1%.
pub const CHUNK_BYTES: usize = 256 * 1024;

/// zstd level for new chunks: level 1 is several times faster than the default 3 on page
/// data and loses only a few percent of size; each worker compresses its own chunk, so the
/// parallelism comes from the workers, not from zstd's own threads.
pub const ZSTD_LEVEL: i32 = 1;

/// How long create waits for a lock on the database (ms).
const BUSY_MS: i64 = 30_000;

/// Set by tests only: the time (Unix seconds or RFC 3339) recorded for a new snapshot, so
/// retention can be tested with snapshots spread over days and years.
pub const TIME_ENV: &str = "LITESH_SNAPSHOT_TIME";

/// What to snapshot.
#[derive(Debug, Clone)]
pub struct CreateOptions {
    /// The schema (`main`).
    pub schema: String,
    /// A tag to record.
    pub tag: Option<String>,
    /// The database file, for the manifest (informational).
    pub source: String,
}

/// The pages per chunk for a page size.
pub fn chunk_pages(page_size: u32) -> u32 {
    (CHUNK_BYTES as u32 / page_size.max(1)).max(1)
}

/// The snapshot's time: [`TIME_ENV`] when set (tests), else now.
fn snapshot_time() -> Result<(i64, u32), String> {
    match std::env::var(TIME_ENV) {
        Ok(s) if !s.is_empty() => manifest::parse_time(&s)
            .map(|t| (t, 0))
            .map_err(|e| format!("{TIME_ENV}: {e}")),
        _ => Ok(manifest::now_precise()),
    }
}

/// One chunk's outcome: its id and, when it is new, its compressed bytes.
struct Stored {
    id: String,
    packed: Option<Vec<u8>>,
}

/// Creates a snapshot of `opts.schema` of `conn` in `repo` and returns its manifest.
/// `notice` gets messages for the user (a broken stale lock).
pub fn create(
    repo: &Repo,
    conn: &Connection,
    opts: &CreateOptions,
    notice: &mut dyn FnMut(&str),
) -> Result<Manifest, String> {
    let time = snapshot_time()?;
    if !conn.is_autocommit() {
        // Inside a transaction the pages would include changes that may be rolled back.
        return Err("cannot snapshot inside a transaction: COMMIT or ROLLBACK first".into());
    }
    repo.init()?;
    let mut lock = Lock::acquire(repo.store(), "create", notice)?;
    // A writer may hold the database for a moment (a rollback-journal commit): wait for it
    // rather than fail, as a backup tool should; the shell's own setting comes back after.
    let saved: i64 = conn
        .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
        .unwrap_or(0);
    if saved < BUSY_MS {
        let _ = conn.execute_batch(&format!("PRAGMA busy_timeout={BUSY_MS}"));
    }
    let r = create_locked(repo, conn, opts, time, &mut lock);
    if saved < BUSY_MS {
        let _ = conn.execute_batch(&format!("PRAGMA busy_timeout={saved}"));
    }
    let released = lock.release();
    let m = r?;
    released?;
    Ok(m)
}

fn create_locked(
    repo: &Repo,
    conn: &Connection,
    opts: &CreateOptions,
    (time, nanos): (i64, u32),
    lock: &mut Lock<'_>,
) -> Result<Manifest, String> {
    let store = repo.store();
    // What the repository has: read once from the indexes (the lock keeps prune away
    // meanwhile); chunks stored by this run join the set as they are claimed.
    let mut map = ChunkMap::load(store)?;
    let known: HashSet<String> = map.chunks.keys().cloned().collect();
    let known = Mutex::new(known);
    let added = AtomicU64::new(0);
    let mut writer = PackWriter::new(store);

    let mut image = blake3::Hasher::new();
    let mut chunks: Vec<String> = Vec::new();
    let mut new_chunks = 0u64;
    let mut info_seen: Option<ImageInfo> = None;
    let mut lock_err: Option<String> = None;

    // `read_image` drives (it holds the statement on this thread), so full chunks go
    // through a bounded channel to a thread that runs the pipeline.
    let workers = repo.store().parallelism();
    let window = workers * 2;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(window);
    let result = std::thread::scope(|scope| {
        let known = &known;
        let added = &added;
        let chunks = &mut chunks;
        let new_chunks = &mut new_chunks;
        let writer = &mut writer;
        let pipe = scope.spawn(move || {
            pipeline::run(
                workers,
                window,
                || Ok(rx.recv().ok()),
                |data: Vec<u8>| store_chunk(known, added, &data),
                |_, s: Stored| {
                    if let Some(packed) = &s.packed {
                        *new_chunks += 1;
                        writer.add(&s.id, packed)?;
                    }
                    chunks.push(s.id);
                    Ok(())
                },
            )
        });
        let mut buf: Vec<u8> = Vec::new();
        let mut per_chunk = 0usize;
        let read = pages::read_image(
            conn,
            &opts.schema,
            |info| {
                info_seen = Some(info);
                Ok(())
            },
            |_, page| {
                if per_chunk == 0 {
                    per_chunk = chunk_pages(page.len() as u32) as usize * page.len();
                    buf.reserve(per_chunk);
                }
                image.update(page);
                buf.extend_from_slice(page);
                if buf.len() >= per_chunk {
                    let full = std::mem::replace(&mut buf, Vec::with_capacity(per_chunk));
                    // The pipeline ended early (a store failure): stop reading.
                    tx.send(full).map_err(|_| String::new())?;
                    if let Err(e) = lock.refresh_if_due() {
                        lock_err = Some(e);
                        return Err(String::new());
                    }
                }
                Ok(())
            },
        );
        let read = match read {
            Ok(info) => {
                if !buf.is_empty() {
                    let _ = tx.send(std::mem::take(&mut buf));
                }
                Ok(info)
            }
            Err(PageError::Sqlite(e)) => Err(format!("cannot read the database: {e}")),
            Err(PageError::Callback(_)) => Err(String::new()),
        };
        drop(tx);
        let piped = pipe
            .join()
            .unwrap_or_else(|_| Err("a snapshot worker failed".to_string()));
        match (read, piped) {
            (_, Err(e)) => Err(e),
            (Err(e), Ok(())) if e.is_empty() => {
                Err(lock_err.take().unwrap_or_else(|| "snapshot stopped".into()))
            }
            (Err(e), Ok(())) => Err(e),
            (Ok(info), Ok(())) => Ok(info),
        }
    });
    let info = result?;
    debug_assert_eq!(Some(info), info_seen);
    let per = chunk_pages(info.page_size);
    let want = u64::from(info.page_count).div_ceil(u64::from(per));
    if chunks.len() as u64 != want {
        return Err(format!(
            "internal error: {} chunks for {} pages",
            chunks.len(),
            info.page_count
        ));
    }
    // Every pack, then every index, durable before the manifest that names them exists.
    for x in writer.finish()? {
        map.add(x);
    }
    store.sync()?;
    let packs = map.packs_of(&chunks);
    let image_hash = image.finalize().to_hex().to_string();
    let m = Manifest {
        format: FORMAT,
        id: manifest::new_id(&image_hash),
        time: format_time(time),
        unix_time: time,
        nanos,
        tag: opts.tag.clone(),
        schema: opts.schema.clone(),
        source: opts.source.clone(),
        page_size: info.page_size,
        page_count: info.page_count,
        db_size: info.db_size(),
        chunk_pages: per,
        chunks,
        new_chunks,
        added_bytes: added.load(Ordering::Relaxed),
        image_hash,
        packs,
    };
    if !store.put_if_absent(&Manifest::key(&m.id), &m.to_bytes())? {
        return Err(format!("snapshot id {} exists already; try again", m.id));
    }
    Ok(m)
}

/// Hashes a chunk and, unless the repository has it, compresses it for the pack writer.
fn store_chunk(
    known: &Mutex<HashSet<String>>,
    added: &AtomicU64,
    data: &[u8],
) -> Result<Stored, String> {
    let id = blake3::hash(data).to_hex().to_string();
    let claimed = known
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id.clone());
    if !claimed {
        return Ok(Stored { id, packed: None });
    }
    let packed = zstd::bulk::compress(data, ZSTD_LEVEL).map_err(|e| format!("zstd: {e}"))?;
    added.fetch_add(packed.len() as u64, Ordering::Relaxed);
    Ok(Stored {
        id,
        packed: Some(packed),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_whole_pages_near_the_target() {
        assert_eq!(chunk_pages(4096), 64);
        assert_eq!(chunk_pages(512), 512);
        assert_eq!(chunk_pages(65536), 4);
    }
}
