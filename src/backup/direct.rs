//! `.backup` to a new file without SQLite's backup engine: the source's pages, as the copy's
//! read transaction sees them, written to the new file in large writes.
//!
//! The engine reads and writes one page at a time through two pagers (two system calls a
//! page). Here the pages come from one of two places, inside the read transaction that
//! `copy.rs` holds for the whole copy:
//!
//! - **The main file itself**, for an on-disk database in a rollback-journal mode (the
//!   `unix` VFS, normal locking): while the read transaction holds its SHARED lock no writer
//!   can take the EXCLUSIVE lock it needs to change the file, and a hot journal has already
//!   been rolled back when the transaction began, so the file's bytes are exactly the
//!   committed state the transaction sees. They are copied file to file by `std::io::copy`
//!   (`copy_file_range(2)`, no trip through user space, where the kernel allows it).
//! - **`sqlite_dbpage`** otherwise (WAL mode, where pages may sit in the WAL and a
//!   checkpointer may be writing the main file; temp and in-memory schemas; other VFSes):
//!   each page through the pager, as the engine reads them, but written in large slices.
//!
//! Page 1 gets the header fields the engine leaves in a fresh destination (see
//! [`patch_header`]), and the lock-byte page of databases over 1 GiB is left as the hole the
//! engine leaves, so the file is byte for byte what the engine writes; the unit tests hold
//! the two side by side for every kind of source. A WAL source gives a copy whose header says
//! WAL, as sqlite3's own `.backup` does.
//!
//! The source file's descriptor is a [`Source`] that the caller must drop only after the read
//! transaction has ended: closing *any* descriptor of a file drops every POSIX lock the process
//! holds on it, the transaction's SHARED lock included (SQLite's unix VFS keeps its own
//! descriptors open for that reason). Only normal locking mode qualifies, where SQLite holds no
//! lock once the transaction is over.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::PathBuf;

use rusqlite::Connection;

use super::pages::{self, ImageInfo, PageError};

/// Bytes moved per system call (and per progress update).
const CHUNK: u64 = 1 << 20;

/// SQLite's `PENDING_BYTE`: the page holding it is never used, and never written.
const PENDING_BYTE: u64 = 0x4000_0000;

/// A source the direct copy can read, found inside the read transaction by [`probe`].
#[derive(Debug)]
pub struct Source {
    info: ImageInfo,
    /// The main file when it can be read directly; `None`: through `sqlite_dbpage`.
    file: Option<File>,
}

impl Source {
    /// The image's page size and page count.
    pub fn info(&self) -> ImageInfo {
        self.info
    }

    /// True when the pages are read straight from the main file.
    pub fn is_file(&self) -> bool {
        self.file.is_some()
    }
}

/// `PRAGMA schema.name`'s value.
fn pragma<T: rusqlite::types::FromSql>(conn: &Connection, schema: &str, name: &str) -> Option<T> {
    let q = format!("PRAGMA {}.{name}", pages::quote_ident(schema));
    conn.query_row(&q, [], |r| r.get::<_, T>(0)).ok()
}

/// The file name SQLite has open for `schema` (empty for temp and in-memory databases).
fn file_name(conn: &Connection, schema: &str) -> Option<PathBuf> {
    let mut st = conn
        .prepare("SELECT name, file FROM pragma_database_list")
        .ok()?;
    let mut rows = st.query([]).ok()?;
    while let Ok(Some(r)) = rows.next() {
        let name: String = r.get(0).ok()?;
        if name.eq_ignore_ascii_case(schema) {
            let file: String = r.get(1).ok()?;
            return (!file.is_empty()).then(|| PathBuf::from(file));
        }
    }
    None
}

/// The main file of `schema` opened for reading, when reading it directly gives the read
/// transaction's state (see the module doc); `None` otherwise.
fn open_main_file(conn: &Connection, schema: &str, size: u64) -> Option<File> {
    let journal = pragma::<String>(conn, schema, "journal_mode")?;
    if journal.eq_ignore_ascii_case("wal")
        || !pragma::<String>(conn, schema, "locking_mode")?.eq_ignore_ascii_case("normal")
        || crate::exec::raw::vfs_name(conn, schema.as_bytes()).as_deref() != Some(b"unix")
    {
        return None;
    }
    let path = file_name(conn, schema)?;
    let file = File::open(&path).ok()?;
    // The file SQLite has open must be the one just opened: not renamed or replaced since.
    let mut moved = 1;
    let rc = crate::exec::raw::file_control_int(
        conn,
        Some(schema.as_bytes()),
        rusqlite::ffi::SQLITE_FCNTL_HAS_MOVED,
        &mut moved,
    );
    let ours = file.metadata().ok()?;
    let named = std::fs::metadata(&path).ok()?;
    let same = rc == rusqlite::ffi::SQLITE_OK
        && moved == 0
        && ours.dev() == named.dev()
        && ours.ino() == named.ino()
        && ours.is_file()
        && ours.len() >= size;
    same.then_some(file)
}

/// Inside the copy's read transaction (which must be the copy's own, begun in autocommit
/// mode): how `schema` can be copied directly, or `None` when the engine should do it (an
/// empty database, which the engine initialises; a schema that cannot be read).
pub fn probe(conn: &Connection, schema: &str) -> Option<Source> {
    let page_size = u32::try_from(pragma::<i64>(conn, schema, "page_size")?).ok()?;
    let page_count = u32::try_from(pragma::<i64>(conn, schema, "page_count")?).ok()?;
    if page_count == 0 || !page_size.is_power_of_two() || !(512..=65536).contains(&page_size) {
        return None;
    }
    let info = ImageInfo {
        page_size,
        page_count,
    };
    let file = open_main_file(conn, schema, info.db_size());
    Some(Source { info, file })
}

/// Sets the fields of page 1 that SQLite's backup engine leaves in a fresh destination: the
/// database size in pages (offset 28); the file change counter (24) and the
/// version-valid-for number (92) of the destination's first commit, 1; the schema cookie
/// (40), which the engine sets to the destination's old cookie (0) plus one; and the
/// library's version number (96), which every commit writes.
pub fn patch_header(page1: &mut [u8], page_count: u32) {
    let version = u32::try_from(rusqlite::version_number()).unwrap_or(0);
    for (off, v) in [(24, 1), (28, page_count), (40, 1), (92, 1), (96, version)] {
        page1[off..off + 4].copy_from_slice(&v.to_be_bytes());
    }
}

/// The byte ranges of the file after page 1 that hold data: all of it but the lock-byte
/// page, which the engine never writes (it stays a hole, read as zeros).
fn data_ranges(info: ImageInfo) -> Vec<(u64, u64)> {
    let ps = u64::from(info.page_size);
    let end = info.db_size();
    let lock_page = PENDING_BYTE / ps * ps;
    if lock_page >= ps && lock_page < end {
        vec![(ps, lock_page), (lock_page + ps, end)]
    } else {
        vec![(ps, end)]
    }
    .into_iter()
    .filter(|(a, b)| a < b)
    .collect()
}

/// Writes the image of `src` into `out`, a new empty file opened for writing (the caller
/// creates it, see `files.rs`, and syncs it). `done` is told how many pages are written so
/// far.
pub fn write(
    conn: &Connection,
    schema: &str,
    src: &Source,
    out: &File,
    done: &mut dyn FnMut(u64),
) -> Result<(), Error> {
    match &src.file {
        Some(f) => copy_file(conn, f, out, src.info, done)?,
        None => copy_pages(conn, schema, out, src.info, done)?,
    }
    // A hole at the end (the lock-byte page last) still counts in the size.
    if out.metadata()?.len() < src.info.db_size() {
        out.set_len(src.info.db_size())?;
    }
    Ok(())
}

/// Why a direct copy failed.
#[derive(Debug)]
pub enum Error {
    /// The new file cannot be created.
    CannotOpen,
    /// Reading or writing failed.
    Io(std::io::Error),
    /// SQLite failed while reading pages (an interrupt, an I/O error).
    Sqlite(String),
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

/// Copies the main file `src` (page 1 patched) into `out`. Stops with `interrupted` when
/// the connection is interrupted (Ctrl-C), as a statement would.
fn copy_file(
    conn: &Connection,
    src: &File,
    out: &File,
    info: ImageInfo,
    done: &mut dyn FnMut(u64),
) -> Result<(), Error> {
    let ps = u64::from(info.page_size);
    let mut page1 = vec![0u8; info.page_size as usize];
    src.read_exact_at(&mut page1, 0)?;
    patch_header(&mut page1, info.page_count);
    out.write_all_at(&page1, 0)?;
    let (mut r, mut w) = (src, out);
    for (start, end) in data_ranges(info) {
        r.seek(SeekFrom::Start(start))?;
        w.seek(SeekFrom::Start(start))?;
        let mut off = start;
        while off < end {
            if conn.is_interrupted() {
                return Err(Error::Sqlite("interrupted".into()));
            }
            // std copies file to file with copy_file_range(2) (no trip through user space)
            // where the kernel allows it, and with reads and writes where it does not.
            let n = std::io::copy(&mut r.take((end - off).min(CHUNK)), &mut w)?;
            if n == 0 {
                return Err(Error::Io(std::io::ErrorKind::UnexpectedEof.into()));
            }
            off += n;
            done(off / ps);
        }
    }
    Ok(())
}

fn copy_pages(
    conn: &Connection,
    schema: &str,
    out: &File,
    info: ImageInfo,
    done: &mut dyn FnMut(u64),
) -> Result<(), Error> {
    let ps = u64::from(info.page_size);
    let lock_pgno = u32::try_from(PENDING_BYTE / ps + 1).unwrap_or(u32::MAX);
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK as usize);
    // The file offset of buf[0].
    let mut at = 0u64;
    let flush = |buf: &mut Vec<u8>, at: &mut u64| -> std::io::Result<()> {
        out.write_all_at(buf, *at)?;
        *at += buf.len() as u64;
        buf.clear();
        Ok(())
    };
    let r = pages::read_image(
        conn,
        schema,
        |seen| {
            if seen == info {
                Ok(())
            } else {
                Err(std::io::Error::other("the page count changed"))
            }
        },
        |pgno, bytes| {
            if pgno == lock_pgno {
                // Left as a hole, as the engine leaves it.
                flush(&mut buf, &mut at)?;
                at += ps;
                return Ok(());
            }
            let start = buf.len();
            buf.extend_from_slice(bytes);
            if pgno == 1 {
                patch_header(&mut buf[start..], info.page_count);
            }
            if buf.len() as u64 >= CHUNK {
                flush(&mut buf, &mut at)?;
                done(u64::from(pgno));
            }
            Ok(())
        },
    );
    match r {
        Ok(_) => {
            flush(&mut buf, &mut at)?;
            done(u64::from(info.page_count));
            Ok(())
        }
        Err(PageError::Callback(e)) => Err(Error::Io(e)),
        Err(PageError::Sqlite(m)) => Err(Error::Sqlite(m)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_byte_page_is_skipped_only_when_the_file_reaches_it() {
        let small = ImageInfo {
            page_size: 4096,
            page_count: 10,
        };
        assert_eq!(data_ranges(small), vec![(4096, 40960)]);
        let big = ImageInfo {
            page_size: 65536,
            page_count: 16386,
        };
        let lock = 0x4000_0000;
        assert_eq!(
            data_ranges(big),
            vec![(65536, lock), (lock + 65536, 16386 * 65536)]
        );
        let one = ImageInfo {
            page_size: 512,
            page_count: 1,
        };
        assert!(data_ranges(one).is_empty());
    }
}
