//! Where a recovery reads pages from.
//!
//! - [`DbPage`]: through the library's `sqlite_dbpage` virtual table, inside the read
//!   transaction the shell opened on the input, so a WAL database is read as its last
//!   commit and the library's own page count applies (pages past the end of a truncated
//!   file read as zeros, which parse as nothing).
//! - [`RawFile`]: straight from the database file, for a file whose header the library
//!   refuses (`file is not a database`: a zeroed page size, magic string or format
//!   bytes). The page size is then the header's when it is a valid one, else the largest
//!   size at which a page of the file's first 256 KiB is a whole, consistent b-tree page
//!   ([`super::btree::is_whole_page`]); a file with no such page is not recovered.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, Statement};

use super::btree::{self, Geometry};

/// Reads pages of the database being recovered.
pub trait PageSource {
    /// Usable page size and page count.
    fn geometry(&self) -> Geometry;
    /// The usable bytes of page `pgno` (1-based), or `None` when it cannot be read.
    fn page(&mut self, pgno: u32) -> Option<Vec<u8>>;
}

/// Pages through `sqlite_dbpage`.
pub struct DbPage<'c> {
    stmt: Statement<'c>,
    geo: Geometry,
}

impl<'c> DbPage<'c> {
    /// Over schema `main` of `conn`, which has a read transaction open.
    pub fn new(conn: &'c Connection) -> rusqlite::Result<Self> {
        let page_size: i64 = conn.query_row("PRAGMA main.page_size", [], |r| r.get(0))?;
        let page_count: i64 = conn.query_row("PRAGMA main.page_count", [], |r| r.get(0))?;
        let mut stmt = conn.prepare("SELECT data FROM sqlite_dbpage('main') WHERE pgno = ?1")?;
        let first: Option<Vec<u8>> = stmt.query_row([1], |r| r.get(0)).optional()?;
        let reserve = first
            .as_deref()
            .and_then(|p| p.get(20))
            .copied()
            .unwrap_or(0);
        let usable = usize::try_from(page_size)
            .unwrap_or(0)
            .saturating_sub(reserve.into());
        Ok(DbPage {
            stmt,
            geo: Geometry {
                usable,
                page_count: u32::try_from(page_count).unwrap_or(0),
            },
        })
    }
}

impl PageSource for DbPage<'_> {
    fn geometry(&self) -> Geometry {
        self.geo
    }

    fn page(&mut self, pgno: u32) -> Option<Vec<u8>> {
        if pgno == 0 || pgno > self.geo.page_count {
            return None;
        }
        let mut p: Vec<u8> = self.stmt.query_row([pgno], |r| r.get(0)).ok()?;
        p.truncate(self.geo.usable);
        Some(p)
    }
}

/// The database header's settings, as a recovery reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// `PRAGMA encoding`: 1 UTF-8, 2 UTF-16le, 3 UTF-16be.
    pub encoding: u32,
    /// The page size in use.
    pub page_size: usize,
    /// `PRAGMA auto_vacuum`: 0 none, 1 full, 2 incremental.
    pub auto_vacuum: u32,
    /// `PRAGMA user_version`
    pub user_version: i32,
    /// `PRAGMA application_id`
    pub application_id: i32,
}

/// Pages read from the file itself.
pub struct RawFile {
    file: File,
    page_size: usize,
    geo: Geometry,
    /// What the header says, with a detected page size.
    pub header: Header,
}

impl RawFile {
    /// Opens `path` when a page size can be found for it; `None` otherwise.
    pub fn open(path: &Path) -> Option<RawFile> {
        let file = File::open(path).ok()?;
        let len = file.metadata().ok()?.len();
        let mut head = vec![0u8; 100];
        let got = file.read_at(&mut head, 0).ok()?;
        head.truncate(got);
        head.resize(100, 0);
        let reserve = usize::from(head[20]);
        let stated = match u16::from_be_bytes([head[16], head[17]]) {
            1 => 65536,
            n => usize::from(n),
        };
        let page_size = if stated.is_power_of_two() && (512..=65536).contains(&stated) {
            stated
        } else {
            detect_page_size(&file, len, reserve)?
        };
        let reserve = if reserve < page_size - 480 {
            reserve
        } else {
            0
        };
        let be = |i: usize| u32::from_be_bytes(head[i..i + 4].try_into().unwrap_or([0; 4]));
        let encoding = match be(56) {
            e @ 1..=3 => e,
            _ => 1,
        };
        let auto_vacuum = match (be(52), be(64)) {
            (0, _) => 0,
            (_, 0) => 1,
            _ => 2,
        };
        let page_count = u32::try_from(len / page_size as u64).unwrap_or(u32::MAX);
        Some(RawFile {
            file,
            page_size,
            geo: Geometry {
                usable: page_size - reserve,
                page_count,
            },
            header: Header {
                encoding,
                page_size,
                auto_vacuum,
                user_version: be(60) as i32,
                application_id: be(68) as i32,
            },
        })
    }
}

impl PageSource for RawFile {
    fn geometry(&self) -> Geometry {
        self.geo
    }

    fn page(&mut self, pgno: u32) -> Option<Vec<u8>> {
        if pgno == 0 || pgno > self.geo.page_count {
            return None;
        }
        let mut p = vec![0u8; self.page_size];
        let at = u64::from(pgno - 1) * self.page_size as u64;
        self.file.read_exact_at(&mut p, at).ok()?;
        p.truncate(self.geo.usable);
        Some(p)
    }
}

/// The largest page size (512 to 65536) at which some page in the file's first 256 KiB
/// (page 1 aside) is a whole b-tree page, trying `reserve` reserved bytes and none.
fn detect_page_size(file: &File, len: u64, reserve: usize) -> Option<usize> {
    const SPAN: usize = 4 * 65536;
    let mut buf = vec![0u8; SPAN.min(usize::try_from(len).unwrap_or(SPAN))];
    let got = file.read_at(&mut buf, 0).ok()?;
    buf.truncate(got);
    let mut best = None;
    for size in (9..=16).map(|s| 1usize << s) {
        let found = [reserve, 0].iter().any(|&r| {
            r < size
                && (size..buf.len())
                    .step_by(size)
                    .filter(|off| off + size <= buf.len())
                    .any(|off| btree::is_whole_page(&buf[off..off + size - r]))
        });
        if found {
            best = Some(size);
        }
    }
    best
}
