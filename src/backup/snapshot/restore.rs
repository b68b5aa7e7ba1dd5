//! `.snapshot restore` and `.snapshot verify`: rebuilding a database from its chunks.
//!
//! The chunk map is read from the repository's indexes ([`super::packs::ChunkMap`]); each
//! chunk is a range read of its pack (or, in repositories from before packs, its own
//! `objects/` file). Chunks are fetched and decompressed by worker threads (a few in flight)
//! and written in page order by the calling thread, which also recomputes the image hash.
//! Every chunk is checked against its id (BLAKE3 of the uncompressed bytes) and size; a
//! missing index or pack, and a corrupt, truncated or undecodable chunk, are named. A restore
//! writes a temporary file beside the target (`.NAME.litesh-PID.tmp`, as `.backup` does;
//! those of killed runs are removed), checks size and image hash, fsyncs it, renames it into
//! place and fsyncs the directory, so the target is either the old file or the complete,
//! checked new one. The temporary file is created new, never through a symbolic link, and
//! owner-only until it gets SQLite's usual database mode just before the rename (see
//! [`crate::backup::files`]). A verify is a
//! restore into a scratch file plus `PRAGMA integrity_check`, recorded as a drill.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::manifest::{format_time, index_key, now, object_key, pack_key, Drill, Manifest};
use super::packs::{ChunkMap, Loc};
use super::pipeline;
use super::repo::Repo;
use super::store::{sync_dir, write_sliced};

/// What a chunk fetch found: the bytes, or what is wrong with the stored object.
type Fetched = Result<Vec<u8>, String>;

fn fetch_chunk(
    repo: &Repo,
    map: &ChunkMap,
    m: &Manifest,
    i: usize,
    id: &str,
) -> Result<Fetched, String> {
    let want = m.pages_in_chunk(i) as usize * m.page_size as usize;
    let (packed, what) = match map.get(id) {
        None => return Ok(Err(format!("chunk {id} is in no index"))),
        Some(Loc::Object) => {
            let key = object_key(id);
            let Some(packed) = repo.store().get(&key)? else {
                return Ok(Err(format!("object {key} is missing")));
            };
            (packed, format!("object {key}"))
        }
        Some(Loc::Pack { pack, offset, len }) => {
            let key = pack_key(pack);
            let Some(packed) = repo.store().get_range(&key, *offset, *len)? else {
                return Ok(Err(format!("pack {key} is missing")));
            };
            let what = format!("chunk {id} in pack {key} (offset {offset})");
            if packed.len() as u64 != *len {
                return Ok(Err(format!("{what} is truncated")));
            }
            (packed, what)
        }
    };
    let data = match zstd::bulk::decompress(&packed, want) {
        Ok(d) => d,
        Err(e) => return Ok(Err(format!("{what} is undecodable ({e})"))),
    };
    if data.len() != want || blake3::hash(&data).to_hex().as_str() != id {
        return Ok(Err(format!("{what} is corrupt (hash mismatch)")));
    }
    Ok(Ok(data))
}

/// What is wrong with the indexes a snapshot needs, before any chunk is read. The packs
/// its manifest names matter only when some chunk is in no index (a prune may have moved
/// chunks into new packs since).
fn index_problems(map: &ChunkMap, m: &Manifest) -> Vec<String> {
    if m.chunks.iter().all(|c| map.get(c).is_some()) {
        return Vec::new();
    }
    let mut out: Vec<String> = m
        .packs
        .iter()
        .filter(|p| !map.indexed.contains(*p))
        .map(|p| format!("index {} is missing", index_key(p)))
        .collect();
    out.extend(
        map.bad
            .iter()
            .filter(|b| m.packs.iter().any(|p| b.contains(p.as_str())))
            .cloned(),
    );
    out
}

/// Adds a problem unless the same one was reported already (a missing pack is named once,
/// not once per chunk); chunks in no index are counted and reported once at the end.
fn note(problems: &mut Vec<String>, unindexed: &mut usize, p: String) {
    if p.ends_with("is in no index") {
        *unindexed += 1;
        if *unindexed > 3 {
            return;
        }
    }
    if !problems.contains(&p) {
        problems.push(p);
    }
}

/// Streams the snapshot's pages, in order, into `out`. Damaged objects are all named in the
/// error (the stream goes on checking after the first); a store failure stops at once.
fn rebuild(repo: &Repo, m: &Manifest, out: &mut dyn Write) -> Result<(), Vec<String>> {
    let map = ChunkMap::load(repo.store()).map_err(|e| vec![e])?;
    let map = &map;
    let mut problems = index_problems(map, m);
    let mut unindexed = 0usize;
    let mut image = blake3::Hasher::new();
    let mut written = 0u64;
    let mut next = 0usize;
    let workers = repo.store().parallelism();
    let r = pipeline::run(
        workers,
        workers * 2,
        || {
            let i = next;
            next += 1;
            Ok(m.chunks.get(i).map(|id| (i, id.as_str())))
        },
        |(i, id)| fetch_chunk(repo, map, m, i, id),
        |_, f: Fetched| {
            match f {
                Ok(data) if problems.is_empty() => {
                    image.update(&data);
                    written += data.len() as u64;
                    write_sliced(out, &data)
                        .map_err(|e| format!("cannot write the restored database: {e}"))?;
                }
                Ok(_) => {}
                Err(p) => note(&mut problems, &mut unindexed, p),
            }
            Ok(())
        },
    );
    if unindexed > 3 {
        problems.push(format!("{unindexed} chunks in all are in no index"));
    }
    if let Err(e) = r {
        problems.push(e);
        return Err(problems);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if written != m.db_size {
        return Err(vec![format!(
            "restored {written} bytes, the snapshot has {}",
            m.db_size
        )]);
    }
    if image.finalize().to_hex().as_str() != m.image_hash {
        return Err(vec![format!(
            "the restored image of snapshot {} does not match its image hash",
            m.id
        )]);
    }
    Ok(())
}

/// A file that is removed when dropped unless kept.
struct TempFile {
    path: PathBuf,
    keep: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Side files SQLite keeps next to a database; a restore must not land beside live ones.
fn side_files(target: &Path) -> Vec<PathBuf> {
    ["-wal", "-journal"]
        .iter()
        .map(|s| {
            let mut p = target.as_os_str().to_os_string();
            p.push(s);
            PathBuf::from(p)
        })
        .filter(|p| p.exists())
        .collect()
}

/// Restores snapshot `m` at `target`, replacing it only once the new file is complete and
/// checked.
pub fn restore(repo: &Repo, m: &Manifest, target: &Path) -> Result<(), String> {
    let side = side_files(target);
    if let Some(p) = side.first() {
        return Err(format!(
            "{} exists: the database there is in use or needs recovery; restore to another name",
            p.display()
        ));
    }
    if target.is_dir() {
        return Err(format!("{} is a directory", target.display()));
    }
    if target.file_name().is_none() {
        return Err(format!("{} is not a file name", target.display()));
    }
    let dir = match target.parent() {
        Some(p) if p != Path::new("") => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // What killed earlier restores (or copies) to this name left goes first.
    crate::backup::copy::remove_stale_temps(target);
    let tmp_name = crate::backup::copy::temp_name(target, std::process::id());
    let tmp = TempFile {
        path: tmp_name,
        keep: false,
    };
    let mut f = crate::backup::files::create_private(&tmp.path)
        .map_err(|e| format!("cannot create {}: {e}", tmp.path.display()))?;
    // Chunks are written as they come, in WRITE_SLICE pieces (no larger buffer: see there).
    rebuild(repo, m, &mut f).map_err(|p| p.join("\n"))?;
    f.sync_all()
        .map_err(|e| format!("cannot sync {}: {e}", tmp.path.display()))?;
    crate::backup::files::publish(&f)
        .map_err(|e| format!("cannot set the mode of {}: {e}", tmp.path.display()))?;
    drop(f);
    fs::rename(&tmp.path, target).map_err(|e| {
        format!(
            "cannot rename {} to {}: {e}",
            tmp.path.display(),
            target.display()
        )
    })?;
    let mut tmp = tmp;
    tmp.keep = true;
    sync_dir(&dir).map_err(|e| format!("cannot sync directory {}: {e}", dir.display()))
}

/// The result of one restore test.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The snapshot.
    pub id: String,
    /// What is wrong (empty: restored, matched its hash, passed the integrity check).
    pub problems: Vec<String>,
    /// Whether the drill record could not be written (the message), if so.
    pub record_error: Option<String>,
}

/// Restores `m` into a scratch file, checks it, and records the drill in the repository.
pub fn verify(repo: &Repo, m: &Manifest) -> Verified {
    let problems = match drill(repo, m) {
        Ok(()) => Vec::new(),
        Err(p) => p,
    };
    let rec = Drill {
        time: format_time(now()),
        ok: problems.is_empty(),
        problems: problems.clone(),
    };
    let record_error = repo
        .store()
        .put(&Drill::key(&m.id), &rec.to_bytes())
        .err()
        .map(|e| format!("cannot record the drill of {}: {e}", m.id));
    Verified {
        id: m.id.clone(),
        problems,
        record_error,
    }
}

fn drill(repo: &Repo, m: &Manifest) -> Result<(), Vec<String>> {
    let one = |e: String| vec![e];
    let dir = tempfile::Builder::new()
        .prefix("litesh-verify")
        .tempdir()
        .map_err(|e| one(format!("cannot make a scratch directory: {e}")))?;
    let path = dir.path().join("restored.db");
    {
        let f = File::create(&path).map_err(|e| one(format!("cannot create scratch file: {e}")))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
        rebuild(repo, m, &mut w)?;
        w.flush()
            .map_err(|e| one(format!("cannot write scratch file: {e}")))?;
    }
    let conn = rusqlite::Connection::open(&path)
        .map_err(|e| one(format!("the restored database does not open: {e}")))?;
    let mut stmt = conn
        .prepare("PRAGMA integrity_check")
        .map_err(|e| one(format!("integrity_check failed: {e}")))?;
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .and_then(|it| it.collect())
        .map_err(|e| one(format!("integrity_check failed: {e}")))?;
    if rows != ["ok"] {
        let mut p: Vec<String> = rows
            .into_iter()
            .take(10)
            .map(|r| format!("integrity_check: {r}"))
            .collect();
        p.insert(
            0,
            format!("snapshot {} restores to a damaged database", m.id),
        );
        return Err(p);
    }
    Ok(())
}
