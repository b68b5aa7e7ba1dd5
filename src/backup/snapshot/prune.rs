//! `.snapshot prune`: forget the snapshots no `--keep-*` rule keeps, then delete the
//! packs no remaining snapshot uses.
//!
//! Under the writer lock: manifests (and their drill records) go first, so no listed
//! snapshot ever names a deleted chunk; then every pack none of whose chunks a remaining
//! manifest names (its index first, then the pack), every legacy `objects/` chunk no
//! manifest names, and packs without an index (a killed create's) once they are older
//! than [`LEFTOVER_AGE`]. A pack that holds both used and unused chunks is repacked: its
//! used chunks are copied into new packs, which are made durable with their indexes before
//! the old index and pack are deleted, so no chunk a snapshot needs is ever unreachable (a
//! kill in between leaves a chunk in two packs, which is harmless, or an old pack without
//! an index, a leftover). So nothing no snapshot uses stays stored (restic's
//! `--max-unused 0`). The newest snapshot that passed its last drill is always kept (it is
//! passed to retention as protected).

use std::collections::HashSet;

use super::lock::Lock;
use super::manifest::{index_key, object_id, pack_id, pack_key, Drill, Manifest};
use super::packs::{ChunkMap, PackWriter};
use super::repo::Repo;
use crate::backup::retention;

/// Temporary files and packs without an index older than this are leftovers of a killed writer (seconds).
const LEFTOVER_AGE: u64 = 3600;

/// The policy, from the `--keep-*` options.
pub use retention::Policy;

/// One snapshot's fate.
#[derive(Debug, Clone)]
pub struct Fate {
    /// The snapshot.
    pub manifest: Manifest,
    /// Kept?
    pub keep: bool,
    /// Why it is kept.
    pub reasons: Vec<String>,
}

/// What prune did (or, dry, would do).
#[derive(Debug, Clone)]
pub struct Pruned {
    /// Every snapshot, newest first.
    pub fates: Vec<Fate>,
    /// Objects (packs, legacy chunk files) deleted (or that would be).
    pub objects_removed: usize,
    /// Objects still used.
    pub objects_kept: usize,
    /// Whether nothing was changed.
    pub dry_run: bool,
}

/// Applies `policy` to `repo`.
pub fn prune(
    repo: &Repo,
    policy: &Policy,
    dry_run: bool,
    notice: &mut dyn FnMut(&str),
) -> Result<Pruned, String> {
    repo.check()?;
    let lock = if dry_run {
        None
    } else {
        Some(Lock::acquire(repo.store(), "prune", notice)?)
    };
    let r = prune_locked(repo, policy, dry_run);
    if let Some(l) = lock {
        let released = l.release();
        let p = r?;
        released?;
        return Ok(p);
    }
    r
}

fn prune_locked(repo: &Repo, policy: &Policy, dry_run: bool) -> Result<Pruned, String> {
    let store = repo.store();
    let listed = repo.list()?;
    let protect: Vec<String> = listed
        .iter()
        .rev()
        .find(|l| l.drill.as_ref().is_some_and(|d| d.ok))
        .map(|l| vec![l.manifest.id.clone()])
        .unwrap_or_default();
    let items: Vec<retention::Item> = listed
        .iter()
        .map(|l| retention::Item {
            id: l.manifest.id.clone(),
            time: l.manifest.unix_time,
            nanos: l.manifest.nanos,
        })
        .collect();
    let decisions = retention::apply(policy, &items, &protect)?;
    let mut fates = Vec::new();
    for d in decisions {
        let Some(l) = listed.iter().find(|l| l.manifest.id == d.id) else {
            continue;
        };
        fates.push(Fate {
            manifest: l.manifest.clone(),
            keep: d.keep,
            reasons: d.reasons,
        });
    }
    fates.sort_by_key(|f| {
        std::cmp::Reverse((
            f.manifest.unix_time,
            f.manifest.nanos,
            f.manifest.id.clone(),
        ))
    });
    if fates.len() != listed.len() {
        return Err("retention did not decide on every snapshot".into());
    }
    let used: HashSet<&str> = fates
        .iter()
        .filter(|f| f.keep)
        .flat_map(|f| f.manifest.chunks.iter().map(String::as_str))
        .collect();
    if !dry_run {
        for f in fates.iter().filter(|f| !f.keep) {
            store.delete(&Manifest::key(&f.manifest.id))?;
            store.delete(&Drill::key(&f.manifest.id))?;
        }
        store.sync()?;
    }
    let mut removed = 0;
    let mut kept = 0;
    let map = ChunkMap::load(store)?;
    // Packs that hold chunks some kept snapshot uses and chunks none does: their used
    // chunks are copied into new packs (durable, with their indexes) before the old index
    // and pack go, so every chunk stays reachable at every moment.
    let mut repack = PackWriter::new(store);
    let mut mixed = Vec::new();
    for (pack, x) in &map.indexes {
        let in_use = x
            .chunks
            .iter()
            .filter(|c| used.contains(c.id.as_str()))
            .count();
        if in_use == x.chunks.len() {
            kept += 1;
            continue;
        }
        if in_use > 0 {
            if !dry_run {
                for c in x.chunks.iter().filter(|c| used.contains(c.id.as_str())) {
                    let bytes = store
                        .get_range(&pack_key(pack), c.offset, c.len)?
                        .ok_or_else(|| format!("pack {} is missing", pack_key(pack)))?;
                    repack.add(&c.id, &bytes)?;
                }
            }
            mixed.push(pack.clone());
            continue;
        }
        if !dry_run {
            // The index first: a pack nothing lists is only a leftover.
            store.delete(&index_key(pack))?;
            store.delete(&pack_key(pack))?;
        }
        removed += 1;
    }
    let rewritten = if dry_run { 0 } else { repack.finish()?.len() };
    for pack in &mixed {
        if !dry_run {
            store.delete(&index_key(pack))?;
            store.delete(&pack_key(pack))?;
        }
        removed += 1;
    }
    kept += rewritten;
    for key in store.list("packs/")? {
        if pack_id(&key).is_some_and(|p| map.indexed.contains(p)) {
            continue;
        }
        if store.age_secs(&key)?.is_some_and(|a| a >= LEFTOVER_AGE) {
            if !dry_run {
                store.delete(&key)?;
            }
            removed += 1;
        }
    }
    for key in store.list("objects/")? {
        match object_id(&key) {
            Some(id) if used.contains(id) => kept += 1,
            _ => {
                if !dry_run {
                    store.delete(&key)?;
                }
                removed += 1;
            }
        }
    }
    if !dry_run {
        // Drill records of snapshots that are gone.
        let ids: HashSet<&str> = fates
            .iter()
            .filter(|f| f.keep)
            .map(|f| f.manifest.id.as_str())
            .collect();
        for key in store.list("drills/")? {
            let id = key
                .strip_prefix("drills/")
                .and_then(|k| k.strip_suffix(".json"));
            if id.is_none_or(|id| !ids.contains(id)) {
                store.delete(&key)?;
            }
        }
        store.clean_leftovers(LEFTOVER_AGE)?;
        store.sync()?;
    }
    Ok(Pruned {
        fates,
        objects_removed: removed,
        objects_kept: kept,
        dry_run,
    })
}
