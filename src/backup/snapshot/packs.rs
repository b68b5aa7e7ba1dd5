//! Pack files: how chunks are stored.
//!
//! The new chunks of one create are appended, each zstd-compressed on its own, to a pack of
//! about [`PACK_BYTES`] (`packs/<packid>`), and each pack gets an index
//! (`index/<packid>.json`, a [`PackIndex`]) listing every chunk's id, offset and length. A
//! few dozen large files instead of one small file per chunk: on ext4 most of a first
//! snapshot's system time used to go to allocating an inode per 256 KiB chunk.
//!
//! The pack id is the BLAKE3 hash of the pack's (chunk id, length) list, so a pack is named
//! by what it holds (the same chunks compressed the same way give the same bytes).
//!
//! Write order ([`PackWriter`]): every pack, made durable and visible ([`Store::sync`]);
//! then their indexes, synced again; then (the caller) the manifest. So an index never
//! names a pack that is not durable, and a snapshot never names a chunk no index lists. A
//! create killed in between leaves packs without an index, which nothing reads and prune
//! removes once they are old ([`super::prune`]).
//!
//! A reader builds the chunk → (pack, offset, length) [`ChunkMap`] from every index, and
//! also knows the chunks stored on their own as `objects/ab/<id>` by repositories written
//! before packs, so those keep restoring (and new snapshots reuse their chunks).

use std::collections::{BTreeMap, HashMap, HashSet};

use super::manifest::{
    index_key, index_pack_id, object_id, pack_key, IndexEntry, PackIndex, FORMAT,
};
use super::pipeline;
use super::store::{Store, StoreResult};

/// A pack is written once it holds this many compressed bytes (the last one of a create
/// may be smaller; one holds at most this plus one chunk).
pub const PACK_BYTES: usize = 24 * 1024 * 1024;

/// Where a chunk is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loc {
    /// In a pack: `len` compressed bytes at `offset`.
    Pack {
        /// The pack id.
        pack: String,
        /// Offset in the pack.
        offset: u64,
        /// Compressed length.
        len: u64,
    },
    /// On its own as `objects/ab/<id>` (repositories from before packs).
    Object,
}

/// Every stored chunk and where it is, from the repository's indexes and legacy objects.
#[derive(Debug, Default)]
pub struct ChunkMap {
    /// Chunk id → location.
    pub chunks: HashMap<String, Loc>,
    /// Pack id → its index, for every index that could be read.
    pub indexes: BTreeMap<String, PackIndex>,
    /// Packs that have an index key, readable or not.
    pub indexed: HashSet<String>,
    /// Indexes that could not be read or parsed (messages naming them).
    pub bad: Vec<String>,
    /// Legacy `objects/` keys.
    pub objects: Vec<String>,
}

impl ChunkMap {
    /// Reads every index (a few in flight) and lists the legacy objects.
    pub fn load(store: &dyn Store) -> StoreResult<ChunkMap> {
        let mut map = ChunkMap::default();
        let keys: Vec<(String, String)> = store
            .list("index/")?
            .into_iter()
            .filter_map(|k| index_pack_id(&k).map(|p| (k.clone(), p.to_string())))
            .collect();
        let mut it = keys.into_iter();
        let workers = store.parallelism();
        pipeline::run(
            workers,
            workers * 2,
            || Ok(it.next()),
            |(key, pack): (String, String)| -> StoreResult<_> {
                // None: deleted meanwhile (a prune).
                let parsed = store.get(&key)?.map(|b| {
                    PackIndex::parse(&b).and_then(|x| {
                        if x.pack == pack {
                            Ok(x)
                        } else {
                            Err(format!("it is the index of pack {}", x.pack))
                        }
                    })
                });
                Ok((key, pack, parsed))
            },
            |_, (key, pack, parsed)| {
                match parsed {
                    None => {}
                    Some(Ok(x)) => {
                        map.indexed.insert(pack.clone());
                        map.add(x);
                    }
                    Some(Err(e)) => {
                        map.indexed.insert(pack);
                        map.bad.push(format!("index {key} is unreadable ({e})"));
                    }
                }
                Ok(())
            },
        )?;
        for key in store.list("objects/")? {
            if let Some(id) = object_id(&key) {
                map.chunks.entry(id.to_string()).or_insert(Loc::Object);
                map.objects.push(key);
            }
        }
        Ok(map)
    }

    /// Adds one pack's chunks.
    pub fn add(&mut self, x: PackIndex) {
        for c in &x.chunks {
            self.chunks.insert(
                c.id.clone(),
                Loc::Pack {
                    pack: x.pack.clone(),
                    offset: c.offset,
                    len: c.len,
                },
            );
        }
        self.indexes.insert(x.pack.clone(), x);
    }

    /// Where chunk `id` is.
    pub fn get(&self, id: &str) -> Option<&Loc> {
        self.chunks.get(id)
    }

    /// The packs (sorted, each once) holding the given chunks.
    pub fn packs_of<'a>(&self, ids: impl IntoIterator<Item = &'a String>) -> Vec<String> {
        let mut set = std::collections::BTreeSet::new();
        for id in ids {
            if let Some(Loc::Pack { pack, .. }) = self.chunks.get(id) {
                set.insert(pack.clone());
            }
        }
        set.into_iter().collect()
    }
}

/// Collects compressed chunks into packs and writes them, then their indexes.
pub struct PackWriter<'a> {
    store: &'a dyn Store,
    buf: Vec<u8>,
    entries: Vec<IndexEntry>,
    written: Vec<PackIndex>,
    target: usize,
}

impl<'a> PackWriter<'a> {
    /// A writer of packs of about [`PACK_BYTES`].
    pub fn new(store: &'a dyn Store) -> Self {
        Self::with_target(store, PACK_BYTES)
    }

    /// A writer of packs of about `target` bytes (tests use small ones).
    pub fn with_target(store: &'a dyn Store, target: usize) -> Self {
        PackWriter {
            store,
            buf: Vec::new(),
            entries: Vec::new(),
            written: Vec::new(),
            target: target.max(1),
        }
    }

    /// Appends one compressed chunk; writes the pack when it is full.
    pub fn add(&mut self, id: &str, packed: &[u8]) -> StoreResult<()> {
        if self.buf.is_empty() {
            self.buf.reserve(self.target + packed.len());
        }
        self.entries.push(IndexEntry {
            id: id.to_string(),
            offset: self.buf.len() as u64,
            len: packed.len() as u64,
        });
        self.buf.extend_from_slice(packed);
        if self.buf.len() >= self.target {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes the pack being filled (not yet visible on a local store: see [`Store::sync`]).
    fn flush(&mut self) -> StoreResult<()> {
        if self.entries.is_empty() {
            return Ok(());
        }
        let mut h = blake3::Hasher::new();
        for e in &self.entries {
            h.update(e.id.as_bytes());
            h.update(&e.len.to_le_bytes());
        }
        let pack = h.finalize().to_hex().to_string();
        self.store.put_object(&pack_key(&pack), &self.buf)?;
        self.written.push(PackIndex {
            format: FORMAT,
            pack,
            size: self.buf.len() as u64,
            chunks: std::mem::take(&mut self.entries),
        });
        self.buf.clear();
        Ok(())
    }

    /// Writes the last pack, makes every pack durable, then writes and syncs the indexes.
    /// Returns the indexes written.
    pub fn finish(mut self) -> StoreResult<Vec<PackIndex>> {
        self.flush()?;
        self.buf = Vec::new();
        if self.written.is_empty() {
            return Ok(Vec::new());
        }
        // Packs first: an index must never name a pack that a crash could lose.
        self.store.sync()?;
        for x in &self.written {
            self.store.put_object(&index_key(&x.pack), &x.to_bytes())?;
        }
        self.store.sync()?;
        Ok(self.written)
    }
}

#[cfg(test)]
mod tests {
    use super::super::manifest::object_key;
    use super::super::store::LocalStore;
    use super::*;

    #[test]
    fn packs_indexes_and_the_chunk_map() {
        let d = tempfile::tempdir().unwrap();
        let s = LocalStore::new(d.path().join("repo"));
        let ids: Vec<String> = (0..5u8).map(|i| format!("{i:x}").repeat(64)).collect();
        let data: Vec<Vec<u8>> = (0..5u8).map(|i| vec![i; 10 + i as usize]).collect();
        let mut w = PackWriter::with_target(&s, 25);
        for (id, b) in ids.iter().zip(&data) {
            w.add(id, b).unwrap();
        }
        // Nothing indexed before finish.
        assert!(s.list("index/").unwrap().is_empty());
        let written = w.finish().unwrap();
        // 10+11+12 ≥ 25, then 13+14 ≥ 25: two packs.
        assert_eq!(written.len(), 2);
        assert_eq!(written[0].chunks.len(), 3);
        assert_eq!(written[0].size, 33);
        assert_eq!(s.list("packs/").unwrap().len(), 2);
        assert_eq!(s.list("index/").unwrap().len(), 2);
        // A legacy object is found too.
        let legacy = "f".repeat(64);
        s.put(&object_key(&legacy), b"old").unwrap();
        let map = ChunkMap::load(&s).unwrap();
        assert!(map.bad.is_empty());
        assert_eq!(map.indexes.len(), 2);
        assert_eq!(map.get(&legacy), Some(&Loc::Object));
        for (id, b) in ids.iter().zip(&data) {
            let Some(Loc::Pack { pack, offset, len }) = map.get(id) else {
                panic!("{id} not in a pack");
            };
            let got = s.get_range(&pack_key(pack), *offset, *len).unwrap();
            assert_eq!(got.as_deref(), Some(&b[..]));
        }
        assert_eq!(map.packs_of(&ids).len(), 2);
        assert_eq!(map.packs_of(&ids[..1]), vec![written[0].pack.clone()]);
        // A damaged index is reported, not fatal; its pack still counts as indexed.
        s.put(&index_key(&written[1].pack), b"{").unwrap();
        let map = ChunkMap::load(&s).unwrap();
        assert_eq!(map.bad.len(), 1);
        assert!(map.bad[0].contains(&written[1].pack), "{:?}", map.bad);
        assert!(map.indexed.contains(&written[1].pack));
        assert_eq!(map.get(&ids[4]), None);
        assert!(map.get(&ids[0]).is_some());
    }

    #[test]
    fn an_empty_writer_writes_nothing() {
        let d = tempfile::tempdir().unwrap();
        let s = LocalStore::new(d.path().join("repo"));
        assert!(PackWriter::new(&s).finish().unwrap().is_empty());
        assert!(s.list("").unwrap().is_empty());
    }
}
