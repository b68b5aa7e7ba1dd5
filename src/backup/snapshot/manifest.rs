//! The repository's small JSON records: the [`Config`] written once, one [`Manifest`] per
//! snapshot and one [`Drill`] record per restore test. Unknown fields are ignored, so later
//! versions may add some; `format` changes only when an old reader would misread a record.

use serde::{Deserialize, Serialize};

/// The repository format this code writes and reads.
pub const FORMAT: u32 = 1;

/// The most bytes one chunk may hold: far above what [`super::create`] writes (a chunk is
/// `max(1, CHUNK_BYTES / page_size)` pages, at most 256 KiB or one 64 KiB page), so that a
/// damaged or hostile record cannot make a restore allocate without bound.
pub const MAX_CHUNK_BYTES: u64 = 64 << 20;

/// The most bytes one chunk may take stored: its zstd frame is at most a little larger than
/// the chunk (zstd's compress bound, with room to spare).
pub const MAX_STORED_CHUNK: u64 = MAX_CHUNK_BYTES + (MAX_CHUNK_BYTES >> 7) + (1 << 17);

/// Key of the repository's config record.
pub const CONFIG_KEY: &str = "config.json";

/// `config.json`: written once, when the first snapshot is created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// Repository format (see [`FORMAT`]).
    pub format: u32,
    /// Always "litesh-snapshots", so a stray directory is not mistaken for a repository.
    pub kind: String,
}

impl Config {
    /// The config this version writes.
    pub fn current() -> Self {
        Config {
            format: FORMAT,
            kind: "litesh-snapshots".into(),
        }
    }
}

/// `snapshots/ID.json`: what one snapshot is. Written last, after every object it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Record format (see [`FORMAT`]).
    pub format: u32,
    /// The snapshot id (16 hex digits).
    pub id: String,
    /// When it was taken, RFC 3339 UTC (`2026-12-03T10:00:00Z`).
    pub time: String,
    /// The same instant in seconds since the Unix epoch.
    pub unix_time: i64,
    /// Its sub-second part (nanoseconds), to order snapshots taken within one second.
    #[serde(default)]
    pub nanos: u32,
    /// The tag given with `--tag`.
    #[serde(default)]
    pub tag: Option<String>,
    /// The schema that was copied (`main` unless `--schema`).
    pub schema: String,
    /// The database file it came from, as the shell named it (for people, not for restore).
    #[serde(default)]
    pub source: String,
    /// Bytes per page.
    pub page_size: u32,
    /// Number of pages.
    pub page_count: u32,
    /// `page_size × page_count`.
    pub db_size: u64,
    /// Pages per chunk (the last chunk may hold fewer).
    pub chunk_pages: u32,
    /// The chunks' ids (BLAKE3 of the uncompressed chunk, hex), in page order.
    pub chunks: Vec<String>,
    /// How many of the chunks were new to the repository.
    pub new_chunks: u64,
    /// Bytes this snapshot newly stored: the compressed size of its new chunks (the
    /// manifest itself not counted).
    pub added_bytes: u64,
    /// BLAKE3 over all pages in order (hex): what a restore must reproduce.
    pub image_hash: String,
    /// The packs holding the chunks (sorted, each once), so a verify can name a missing
    /// index. Empty in snapshots whose chunks are all legacy `objects/` files.
    #[serde(default)]
    pub packs: Vec<String>,
}

impl Manifest {
    /// Key of a snapshot's manifest.
    pub fn key(id: &str) -> String {
        format!("snapshots/{id}.json")
    }

    /// Parses a manifest, checking that it is one this version can restore: its chunks
    /// cover its pages, its page size is one SQLite can have, and no chunk is larger than
    /// [`MAX_CHUNK_BYTES`] (a restore allocates a chunk's size).
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let m: Manifest =
            serde_json::from_slice(bytes).map_err(|e| format!("unreadable manifest: {e}"))?;
        if m.format != FORMAT {
            return Err(format!("manifest format {} is not {FORMAT}", m.format));
        }
        let want = u64::from(m.page_count).div_ceil(u64::from(m.chunk_pages.max(1)));
        if m.chunk_pages == 0
            || !(m.page_size.is_power_of_two() && (512..=65536).contains(&m.page_size))
            || u64::from(m.chunk_pages) * u64::from(m.page_size) > MAX_CHUNK_BYTES
            || m.db_size != u64::from(m.page_size) * u64::from(m.page_count)
            || m.chunks.len() as u64 != want
            || !m.chunks.iter().all(|c| is_hex_id(c))
        {
            return Err(format!("manifest {} is inconsistent", m.id));
        }
        Ok(m)
    }

    /// The JSON text stored.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
        v.push(b'\n');
        v
    }

    /// The number of pages in chunk `i`.
    pub fn pages_in_chunk(&self, i: usize) -> u32 {
        let start = i as u64 * u64::from(self.chunk_pages);
        (u64::from(self.page_count) - start).min(u64::from(self.chunk_pages)) as u32
    }
}

/// `drills/ID.json`: the last restore test of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drill {
    /// When it ran, RFC 3339 UTC.
    pub time: String,
    /// Whether the restored database matched and passed `PRAGMA integrity_check`.
    pub ok: bool,
    /// What was wrong, if anything.
    #[serde(default)]
    pub problems: Vec<String>,
}

impl Drill {
    /// Key of a snapshot's drill record.
    pub fn key(id: &str) -> String {
        format!("drills/{id}.json")
    }

    /// The JSON text stored.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
        v.push(b'\n');
        v
    }
}

/// Key of a pack: `packs/<packid>` (the BLAKE3 hash of the pack's bytes, hex).
pub fn pack_key(pack: &str) -> String {
    format!("packs/{pack}")
}

/// Key of a pack's index: `index/<packid>.json`.
pub fn index_key(pack: &str) -> String {
    format!("index/{pack}.json")
}

/// The pack id a pack key names, if it is one.
pub fn pack_id(key: &str) -> Option<&str> {
    let id = key.strip_prefix("packs/")?;
    is_hex_id(id).then_some(id)
}

/// The pack id an index key names, if it is one.
pub fn index_pack_id(key: &str) -> Option<&str> {
    let id = key.strip_prefix("index/")?.strip_suffix(".json")?;
    is_hex_id(id).then_some(id)
}

/// Where one chunk sits in a pack: its zstd frame is `len` bytes at `offset`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// The chunk id (BLAKE3 of the uncompressed chunk, hex).
    pub id: String,
    /// Byte offset of the compressed chunk in the pack.
    pub offset: u64,
    /// Its compressed length.
    pub len: u64,
}

/// `index/<packid>.json`: the chunks one pack holds. Written after the pack is durable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackIndex {
    /// Record format (see [`FORMAT`]).
    pub format: u32,
    /// The pack id.
    pub pack: String,
    /// The pack's size in bytes.
    pub size: u64,
    /// Its chunks, in pack order.
    pub chunks: Vec<IndexEntry>,
}

impl PackIndex {
    /// Parses an index, checking that its entries lie inside the pack and that none is
    /// longer than [`MAX_STORED_CHUNK`] (a restore reads an entry into memory).
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let x: PackIndex =
            serde_json::from_slice(bytes).map_err(|e| format!("unreadable index: {e}"))?;
        if x.format != FORMAT {
            return Err(format!("index format {} is not {FORMAT}", x.format));
        }
        let ok = is_hex_id(&x.pack)
            && x.chunks.iter().all(|c| {
                is_hex_id(&c.id)
                    && c.len <= MAX_STORED_CHUNK
                    && c.offset.checked_add(c.len).is_some_and(|e| e <= x.size)
            });
        if !ok {
            return Err(format!("index of pack {} is inconsistent", x.pack));
        }
        Ok(x)
    }

    /// The JSON text stored (compact: an index lists about a hundred chunks).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec(self).unwrap_or_default();
        v.push(b'\n');
        v
    }
}

/// Key of a chunk stored on its own (repositories written before packs): `objects/ab/abcdef…`.
pub fn object_key(id: &str) -> String {
    format!("objects/{}/{id}", &id[..2.min(id.len())])
}

/// The chunk id an object key names, if it is one.
pub fn object_id(key: &str) -> Option<&str> {
    let id = key.strip_prefix("objects/")?.split_once('/')?.1;
    is_hex_id(id).then_some(id)
}

/// True for 64 lowercase hex digits.
pub fn is_hex_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// RFC 3339 UTC text for a Unix time.
pub fn format_time(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| unix.to_string())
}

/// A Unix time from seconds or RFC 3339 text.
pub fn parse_time(s: &str) -> Result<i64, String> {
    if let Ok(n) = s.trim().parse::<i64>() {
        return Ok(n);
    }
    chrono::DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.timestamp())
        .map_err(|e| format!("bad time {s:?}: {e}"))
}

/// Now, in seconds and nanoseconds since the Unix epoch.
pub fn now_precise() -> (i64, u32) {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| (d.as_secs() as i64, d.subsec_nanos()))
        .unwrap_or((0, 0))
}

/// Now, in seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A fresh snapshot id: 16 hex digits from the time, the process, the host and the image.
pub fn new_id(image_hash: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut h = blake3::Hasher::new();
    h.update(&nanos.to_le_bytes());
    h.update(&std::process::id().to_le_bytes());
    h.update(super::lock::hostname().as_bytes());
    h.update(image_hash.as_bytes());
    h.finalize().to_hex()[..16].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        Manifest {
            format: FORMAT,
            id: "0123456789abcdef".into(),
            time: format_time(1_700_000_000),
            unix_time: 1_700_000_000,
            nanos: 5,
            tag: Some("nightly".into()),
            schema: "main".into(),
            source: "db.sqlite".into(),
            page_size: 4096,
            page_count: 5,
            db_size: 5 * 4096,
            chunk_pages: 2,
            chunks: vec!["a".repeat(64), "b".repeat(64), "c".repeat(64)],
            new_chunks: 3,
            added_bytes: 100,
            image_hash: "d".repeat(64),
            packs: vec!["e".repeat(64)],
        }
    }

    #[test]
    fn manifest_round_trips_and_is_checked() {
        let m = sample();
        assert_eq!(m.time, "2023-11-14T22:13:20Z");
        assert_eq!(Manifest::parse(&m.to_bytes()).unwrap(), m);
        assert_eq!(m.pages_in_chunk(0), 2);
        assert_eq!(m.pages_in_chunk(2), 1);
        let mut bad = sample();
        bad.chunks.pop();
        assert!(Manifest::parse(&bad.to_bytes()).is_err());
        let mut bad = sample();
        bad.db_size += 1;
        assert!(Manifest::parse(&bad.to_bytes()).is_err());
        let mut bad = sample();
        bad.format = 2;
        assert!(Manifest::parse(&bad.to_bytes()).is_err());
        assert!(Manifest::parse(b"{not json").is_err());
        // Fields a later version adds are ignored.
        let mut v: serde_json::Value = serde_json::from_slice(&m.to_bytes()).unwrap();
        v["future"] = serde_json::json!(1);
        assert_eq!(Manifest::parse(v.to_string().as_bytes()).unwrap(), m);
    }

    #[test]
    fn pack_keys_and_index_checks() {
        let p = "ab".repeat(32);
        assert_eq!(pack_id(&pack_key(&p)), Some(p.as_str()));
        assert_eq!(index_pack_id(&index_key(&p)), Some(p.as_str()));
        assert_eq!(pack_id("packs/xyz"), None);
        assert_eq!(index_pack_id(&pack_key(&p)), None);
        let x = PackIndex {
            format: FORMAT,
            pack: p.clone(),
            size: 30,
            chunks: vec![
                IndexEntry {
                    id: "c".repeat(64),
                    offset: 0,
                    len: 10,
                },
                IndexEntry {
                    id: "d".repeat(64),
                    offset: 10,
                    len: 20,
                },
            ],
        };
        assert_eq!(PackIndex::parse(&x.to_bytes()).unwrap(), x);
        let mut bad = x.clone();
        bad.chunks[1].len = 21;
        assert!(PackIndex::parse(&bad.to_bytes()).is_err());
        assert!(PackIndex::parse(b"[]").is_err());
        // A manifest from before packs (no `packs` field) still parses.
        let m = sample();
        let mut v: serde_json::Value = serde_json::from_slice(&m.to_bytes()).unwrap();
        v.as_object_mut().unwrap().remove("packs");
        assert!(Manifest::parse(v.to_string().as_bytes())
            .unwrap()
            .packs
            .is_empty());
    }

    #[test]
    fn keys_and_times() {
        let id = "ab".repeat(32);
        assert_eq!(object_key(&id), format!("objects/ab/{id}"));
        assert_eq!(object_id(&object_key(&id)), Some(id.as_str()));
        assert_eq!(object_id("objects/ab/xyz"), None);
        assert_eq!(parse_time("2023-11-14T22:13:20Z").unwrap(), 1_700_000_000);
        assert_eq!(parse_time("1700000000").unwrap(), 1_700_000_000);
        assert!(parse_time("yesterday").is_err());
        let a = new_id(&id);
        assert_eq!(a.len(), 16);
        assert_ne!(a, new_id(&id));
    }
}
