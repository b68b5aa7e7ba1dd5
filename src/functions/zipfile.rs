//! The `zipfile` virtual table, the `zipfile()` aggregate and `zipfile_cds()`, as sqlite3
//! 3.40.1's shell provides them (its `zipfile` extension), so that `.archive` on ZIP files,
//! `-zip`, and scripts that read or write ZIP archives with SQL behave the same.
//!
//! The table has the columns `name, mode, mtime, sz, rawdata, data, method` and a hidden
//! `z` (a cursor number, the argument of `zipfile_cds`). It is eponymous:
//! `SELECT … FROM zipfile('x.zip')` (or `zipfile(BLOB)` for an archive held in a value) reads
//! an archive, and `CREATE VIRTUAL TABLE t USING zipfile('x.zip')` makes a table that can
//! also be written. What 3.40.1 does, and so litesh:
//!
//! * Reading walks the central directory straight from the file, one record per row (the
//!   end record is looked for in the last 64 KiB; a file of 0 bytes is an empty archive).
//!   `mode` is the upper half of the external attributes, `mtime` the extended-timestamp
//!   field (0x5455) when there is one, else the MS-DOS time taken as UTC. `data` is inflated
//!   (raw deflate) for method 8, as stored for method 0, NULL for other methods; `rawdata`
//!   is the stored bytes. An entry of size 0 gives an empty blob, or NULL for a directory
//!   (a name ending in `/` or a directory mode). Errors keep 3.40.1's words: `cannot open
//!   file: X`, `cannot find end of central directory record`, `failed to read CDS at offset
//!   N`, `failed to read LFH at offset N`, `error in fread()`, `inflate() failed (N)`.
//! * Writing (INSERT, UPDATE, DELETE, REPLACE) happens in a transaction: at its start the
//!   central directory is read into memory; each new entry's local header and data are
//!   appended to the file at once (deflated at level 9 when that is smaller, or when
//!   `method` is 8; stored when it is 0); at commit (and at rollback, as 3.40.1 does) the
//!   whole central directory and end record are appended after them. Earlier bytes are never
//!   rewritten, so a deleted or replaced entry's bytes stay in the file as dead space. New
//!   entries are written as 3.40.1 writes them: version made by 0x031E (Unix), version
//!   needed 20, flag 0x800 (UTF-8 names), a 9-byte extended-timestamp field, `mode << 16`
//!   as external attributes, a directory's name ending in `/`. `sz` and `rawdata` must be
//!   NULL; `mode` is a number or an `ls -l` string (`-rw-r--r--`), default 0100644 for data
//!   and 040755 for a directory (NULL data); `mtime` defaults to now.
//!
//! The file format is written out here from the ZIP specification (APPNOTE) rather than with
//! the `zip` crate: the table must show the stored bytes and header fields as they are,
//! append to an archive in place as 3.40.1 does (a deleted entry's data stays, the
//! directory is rewritten at the end), write the same headers, and fail with 3.40.1's
//! messages on damaged files; the crate writes its own header layout and reads through its
//! own validation. The test suite uses the `zip` crate as an independent reader and writer
//! of what this module produces and reads. Compression is zlib's, through flate2.
//!
//! `zipfile_cds(z)` returns the JSON text 3.40.1 returns for the cursor's current central
//! directory record: the table overloads the function (`xFindFunction`), so `z` is looked
//! up among that table's own cursors; elsewhere it fails with `unable to use function
//! zipfile_cds in the requested context`.

use std::cell::RefCell;
use std::ffi::{c_int, CStr, OsStr};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt;
use std::rc::{Rc, Weak};

use flate2::{Compress, Compression, Crc, Decompress, FlushCompress, FlushDecompress, Status};
use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::types::{Null, ToSqlOutput, Value, ValueRef};
use rusqlite::vtab::{self, Filters, IndexConstraintOp, IndexInfo, VTabConfig};
use rusqlite::{ffi, Connection};

use super::{code_error, sql_error, value};
use crate::exec::raw::{self, DbHandle, OnConflict, TableCursor, WritableTable};

// ------------------------------------------------------------------------------------------
// The records of a ZIP file.

const SIG_CDS: u32 = 0x0201_4b50;
const SIG_LFH: u32 = 0x0403_4b50;
const SIG_EOCD: u32 = 0x0605_4b50;
const LFH_FIXED: usize = 30;
const CDS_FIXED: usize = 46;
/// How much of the end of a file is searched for the end record.
const TAIL_SIZE: u64 = 64 * 1024;
/// Version made by of new entries: Unix, specification 3.0.
const NEW_MADE_BY: u16 = (3 << 8) + 30;
/// Version needed to extract of new entries (directories and deflate).
const NEW_REQUIRED: u16 = 20;
/// General purpose flags of new entries: UTF-8 names.
const NEW_FLAGS: u16 = 0x800;
const EXTRA_TIMESTAMP: u16 = 0x5455;
const S_IFDIR: u32 = 0o040000;
const S_IFREG: u32 = 0o100000;
const S_IFLNK: u32 = 0o120000;

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// A central directory record (without its variable parts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cds {
    made_by: u16,
    extract: u16,
    flags: u16,
    method: u16,
    time: u16,
    date: u16,
    crc32: u32,
    sz_compressed: u32,
    sz_uncompressed: u32,
    n_file: u16,
    n_extra: u16,
    n_comment: u16,
    disk_start: u16,
    internal_attr: u16,
    external_attr: u32,
    offset: u32,
}

/// What a new entry's directory record is made of.
struct NewEntry {
    method: u16,
    unix_time: u32,
    crc32: u32,
    /// Bytes stored (compressed or not).
    stored: usize,
    /// Bytes of the uncompressed data.
    size: usize,
    mode: u32,
    /// Offset of the local header.
    offset: u64,
    name_len: usize,
}

impl Cds {
    /// The record of an entry written by litesh, with the fields 3.40.1 writes.
    fn new_entry(e: NewEntry) -> Cds {
        let (time, date) = unix_to_dos(e.unix_time);
        Cds {
            made_by: NEW_MADE_BY,
            extract: NEW_REQUIRED,
            flags: NEW_FLAGS,
            method: e.method,
            time,
            date,
            crc32: e.crc32,
            sz_compressed: e.stored as u32,
            sz_uncompressed: e.size as u32,
            external_attr: e.mode << 16,
            offset: e.offset as u32,
            n_file: e.name_len as u16,
            ..Cds::default()
        }
    }

    /// Decodes the fixed part (46 bytes); `None` without the record's signature.
    fn parse(b: &[u8]) -> Option<Cds> {
        (u32_at(b, 0) == SIG_CDS).then(|| Cds {
            made_by: u16_at(b, 4),
            extract: u16_at(b, 6),
            flags: u16_at(b, 8),
            method: u16_at(b, 10),
            time: u16_at(b, 12),
            date: u16_at(b, 14),
            crc32: u32_at(b, 16),
            sz_compressed: u32_at(b, 20),
            sz_uncompressed: u32_at(b, 24),
            n_file: u16_at(b, 28),
            n_extra: u16_at(b, 30),
            n_comment: u16_at(b, 32),
            disk_start: u16_at(b, 34),
            internal_attr: u16_at(b, 36),
            external_attr: u32_at(b, 38),
            offset: u32_at(b, 42),
        })
    }

    /// Appends the fixed part.
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&SIG_CDS.to_le_bytes());
        for v in [
            self.made_by,
            self.extract,
            self.flags,
            self.method,
            self.time,
            self.date,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [self.crc32, self.sz_compressed, self.sz_uncompressed] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [
            self.n_file,
            self.n_extra,
            self.n_comment,
            self.disk_start,
            self.internal_attr,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&self.external_attr.to_le_bytes());
        out.extend_from_slice(&self.offset.to_le_bytes());
    }

    /// The text `zipfile_cds()` returns.
    fn json(&self) -> String {
        format!(
            "{{\"version-made-by\" : {}, \"version-to-extract\" : {}, \"flags\" : {}, \
             \"compression\" : {}, \"time\" : {}, \"date\" : {}, \"crc32\" : {}, \
             \"compressed-size\" : {}, \"uncompressed-size\" : {}, \"file-name-length\" : {}, \
             \"extra-field-length\" : {}, \"file-comment-length\" : {}, \
             \"disk-number-start\" : {}, \"internal-attr\" : {}, \"external-attr\" : {}, \
             \"offset\" : {} }}",
            self.made_by,
            self.extract,
            self.flags,
            self.method,
            self.time,
            self.date,
            self.crc32,
            self.sz_compressed,
            self.sz_uncompressed,
            self.n_file,
            self.n_extra,
            self.n_comment,
            self.disk_start,
            self.internal_attr,
            self.external_attr,
            self.offset
        )
    }
}

/// The end of central directory record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Eocd {
    disk: u16,
    first_disk: u16,
    n_entry: u16,
    n_entry_total: u16,
    size: u32,
    offset: u32,
}

impl Eocd {
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&SIG_EOCD.to_le_bytes());
        for v in [self.disk, self.first_disk, self.n_entry, self.n_entry_total] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&self.size.to_le_bytes());
        out.extend_from_slice(&self.offset.to_le_bytes());
        // No archive comment.
        out.extend_from_slice(&0u16.to_le_bytes());
    }

    /// Searches `tail` (the last bytes of an archive) backwards for the end record; like
    /// 3.40.1 it needs 20 bytes from the signature on.
    fn find(tail: &[u8]) -> Option<Eocd> {
        let last = tail.len().checked_sub(20)?;
        let at = (0..=last)
            .rev()
            .find(|&i| tail[i..i + 4] == SIG_EOCD.to_le_bytes())?;
        let b = &tail[at + 4..];
        Some(Eocd {
            disk: u16_at(b, 0),
            first_disk: u16_at(b, 2),
            n_entry: u16_at(b, 4),
            n_entry_total: u16_at(b, 6),
            size: u32_at(b, 8),
            offset: u32_at(b, 12),
        })
    }
}

/// The modification time of an extended-timestamp extra field (0x5455 with bit 0 set), if
/// `extra` holds one.
fn scan_extra(extra: &[u8]) -> Option<u32> {
    let mut p = 0;
    while p + 4 <= extra.len() {
        let id = u16_at(extra, p);
        let n = usize::from(u16_at(extra, p + 2));
        p += 4;
        if id == EXTRA_TIMESTAMP && p + 5 <= extra.len() && extra[p] & 1 != 0 {
            return Some(u32_at(extra, p + 1));
        }
        p += n;
    }
    None
}

/// An MS-DOS date and time as seconds since 1970, taken as UTC (3.40.1's `zipfileMtime`,
/// through a Julian day number).
fn dos_to_unix(time: u16, date: u16) -> u32 {
    let mut y = 1980 + i32::from((date >> 9) & 0x7f);
    let mut m = i32::from((date >> 5) & 0x0f);
    let d = i32::from(date & 0x1f);
    let sec = i64::from(time & 0x1f) * 2;
    let min = i64::from((time >> 5) & 0x3f);
    let hr = i64::from((time >> 11) & 0x1f);
    if m <= 2 {
        y -= 1;
        m += 12;
    }
    let x1 = 36525 * (y + 4716) / 100;
    let x2 = 306001 * (m + 1) / 10000;
    let a = y / 100;
    let b = 2 - a + (a / 4);
    let jd_sec =
        ((f64::from(x1 + x2 + d + b) - 1524.5) * 86400.0) as i64 + hr * 3600 + min * 60 + sec;
    (jd_sec - 24_405_875i64 * 8640) as u32
}

/// Seconds since 1970 as an MS-DOS `(time, date)`, both 0 before 1980 (3.40.1's
/// `zipfileMtimeToDos`).
fn unix_to_dos(t: u32) -> (u16, u16) {
    let jd = 2_440_588i64 + i64::from(t / 86400);
    let a = ((jd as f64 - 1_867_216.25) / 36524.25) as i64;
    let a = jd + 1 + a - (a / 4);
    let b = a + 1524;
    let c = ((b as f64 - 122.1) / 365.25) as i64;
    let d = (36525 * (c & 32767)) / 100;
    let e = ((b - d) as f64 / 30.6001) as i64;
    let day = b - d - (30.6001 * e as f64) as i64;
    let mon = if e < 14 { e - 1 } else { e - 13 };
    let yr = if mon > 2 { c - 4716 } else { c - 4715 };
    let hr = i64::from((t % 86400) / 3600);
    let min = i64::from((t % 3600) / 60);
    let sec = i64::from(t % 60);
    if yr >= 1980 {
        let date = (day + (mon << 5) + ((yr - 1980) << 9)) as u16;
        let time = (sec / 2 + (min << 5) + (hr << 11)) as u16;
        (time, date)
    } else {
        (0, 0)
    }
}

/// Raw deflate at level 9, as 3.40.1 compresses ZIP entries.
fn deflate(data: &[u8]) -> Vec<u8> {
    let mut z = Compress::new(Compression::new(9), false);
    let mut out = Vec::with_capacity(data.len() / 2 + 64);
    loop {
        let at = z.total_in() as usize;
        if out.len() == out.capacity() {
            out.reserve(out.capacity().max(1024));
        }
        match z.compress_vec(&data[at..], &mut out, FlushCompress::Finish) {
            Ok(Status::StreamEnd) => return out,
            Ok(_) => {}
            // Deflating into memory cannot fail; an empty result is never used as data.
            Err(_) => return out,
        }
    }
}

/// Inflates raw deflate data into exactly `n_out` bytes, as 3.40.1 does with one call of
/// `inflate()`: anything but the end of the stream is `inflate() failed (CODE)` with zlib's
/// code (0 when the data ends early, -3 for damaged data, -5 when no progress was possible).
fn inflate(data: &[u8], n_out: usize) -> Result<Vec<u8>, String> {
    let mut z = Decompress::new(false);
    let mut out = vec![0u8; n_out];
    match z.decompress(data, &mut out, FlushDecompress::None) {
        Ok(Status::StreamEnd) => Ok(out),
        Ok(Status::Ok) => Err("inflate() failed (0)".into()),
        Ok(Status::BufError) => Err("inflate() failed (-5)".into()),
        Err(_) => Err("inflate() failed (-3)".into()),
    }
}

fn crc32(data: &[u8]) -> u32 {
    let mut c = Crc::new();
    c.update(data);
    c.sum()
}

/// 3.40.1's `zipfileComparePath`: equal when the same apart from one trailing `/` on either.
fn same_path(a: &[u8], b: &[u8]) -> bool {
    let trim = |s: &[u8]| -> usize {
        if s.last() == Some(&b'/') {
            s.len() - 1
        } else {
            s.len()
        }
    };
    a[..trim(a)] == b[..trim(b)]
}

/// Bytes up to the first NUL (what C code sees of a string).
fn c_string(b: &[u8]) -> &[u8] {
    b.iter().position(|&c| c == 0).map_or(b, |n| &b[..n])
}

/// A local file header followed by the name and the 9-byte timestamp field; sets the
/// record's extra length to 9.
fn lfh_bytes(cds: &mut Cds, name: &[u8], unix_time: u32, out: &mut Vec<u8>) {
    cds.n_extra = 9;
    out.extend_from_slice(&SIG_LFH.to_le_bytes());
    for v in [cds.extract, cds.flags, cds.method, cds.time, cds.date] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for v in [cds.crc32, cds.sz_compressed, cds.sz_uncompressed] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&cds.n_file.to_le_bytes());
    out.extend_from_slice(&cds.n_extra.to_le_bytes());
    put_name(name, cds.n_file, out);
    put_timestamp(unix_time, out);
}

fn put_name(name: &[u8], n_file: u16, out: &mut Vec<u8>) {
    let n = usize::from(n_file);
    out.extend_from_slice(&name[..n.min(name.len())]);
    out.resize(out.len() + n.saturating_sub(name.len()), 0);
}

fn put_timestamp(unix_time: u32, out: &mut Vec<u8>) {
    out.extend_from_slice(&EXTRA_TIMESTAMP.to_le_bytes());
    out.extend_from_slice(&5u16.to_le_bytes());
    out.push(1);
    out.extend_from_slice(&unix_time.to_le_bytes());
}

/// 3.40.1's `zipfileGetMode`: MODE as a number or an `ls -l` string; NULL is 0100644, or
/// 040755 for a directory. The mode must agree with whether there is data.
fn parse_mode(v: &ValueRef<'_>, is_dir: bool) -> rusqlite::Result<u32> {
    let mode = match value::c_text(v) {
        None => {
            if is_dir {
                S_IFDIR + 0o755
            } else {
                S_IFREG + 0o644
            }
        }
        Some(z) if z.first().is_some_and(u8::is_ascii_digit) => value::int(v) as u32,
        Some(z) => {
            let bad = || sql_error(format!("zipfile: parse error in mode: {}", lossy(&z)));
            if z.len() != 10 {
                return Err(bad());
            }
            let mut mode = match z[0] {
                b'-' => S_IFREG,
                b'd' => S_IFDIR,
                b'l' => S_IFLNK,
                _ => return Err(bad()),
            };
            for (i, (&c, &t)) in z.iter().zip(b"-rwxrwxrwx").enumerate().skip(1) {
                if c == t {
                    mode |= 1 << (9 - i);
                } else if c != b'-' {
                    return Err(bad());
                }
            }
            mode
        }
    };
    if (mode & S_IFDIR == 0) == is_dir {
        return Err(constraint("zipfile: mode does not match data"));
    }
    Ok(mode)
}

/// 3.40.1's `zipfileGetTime`: the value as a 32-bit unsigned number, or now for NULL.
fn get_time(v: Option<&ValueRef<'_>>) -> u32 {
    match v {
        None | Some(ValueRef::Null) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as u32)
            .unwrap_or(0),
        Some(v) => value::int64(v) as u32,
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn constraint(msg: impl Into<String>) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(ffi::Error::new(ffi::SQLITE_CONSTRAINT), Some(msg.into()))
}

fn fread_error() -> rusqlite::Error {
    sql_error("error in fread()")
}

// ------------------------------------------------------------------------------------------
// Entries and where they are read from.

/// One archive member as the table knows it.
#[derive(Debug, Clone)]
struct Entry {
    /// Identity within a table's list (3.40.1 compares entry pointers).
    id: u64,
    cds: Cds,
    /// The name as C code sees it (up to a NUL byte).
    name: Vec<u8>,
    unix_time: u32,
    /// The extra field and comment as read; `None` for entries written in this transaction.
    extra: Option<Vec<u8>>,
    /// Offset of the stored data.
    data_off: u64,
}

/// Where archive bytes come from.
enum Bytes<'a> {
    File(&'a File),
    Blob(&'a [u8]),
}

impl Bytes<'_> {
    /// `len` bytes at `off`; a short read is `error in fread()`.
    fn read(&self, off: u64, len: usize) -> rusqlite::Result<Vec<u8>> {
        match self {
            Bytes::File(f) => {
                // Never allocate for more than the file holds.
                let size = f.metadata().map(|m| m.len()).map_err(|_| fread_error())?;
                if off.checked_add(len as u64).is_none_or(|end| end > size) {
                    return Err(fread_error());
                }
                let mut buf = vec![0u8; len];
                f.read_exact_at(&mut buf, off).map_err(|_| fread_error())?;
                Ok(buf)
            }
            Bytes::Blob(b) => usize::try_from(off)
                .ok()
                .and_then(|o| b.get(o..o.checked_add(len)?))
                .map(<[u8]>::to_vec)
                .ok_or_else(fread_error),
        }
    }

    fn size(&self) -> rusqlite::Result<u64> {
        match self {
            Bytes::File(f) => f.metadata().map(|m| m.len()).map_err(|_| fread_error()),
            Bytes::Blob(b) => Ok(b.len() as u64),
        }
    }

    /// 3.40.1's `zipfileReadEOCD`. An empty file is an archive without entries; an empty
    /// blob is not.
    fn eocd(&self) -> rusqlite::Result<Eocd> {
        let size = self.size()?;
        if size == 0 && matches!(self, Bytes::File(_)) {
            return Ok(Eocd::default());
        }
        let n = size.min(TAIL_SIZE);
        let tail = self.read(size - n, n as usize)?;
        Eocd::find(&tail).ok_or_else(|| sql_error("cannot find end of central directory record"))
    }

    /// 3.40.1's `zipfileGetEntry`: the entry whose directory record is at `off`.
    fn entry(&self, off: u64, id: u64) -> rusqlite::Result<Entry> {
        let fixed = self.read(off, CDS_FIXED)?;
        let n_file = usize::from(u16_at(&fixed, 28));
        let n_more = usize::from(u16_at(&fixed, 30)) + usize::from(u16_at(&fixed, 32));
        let cds = Cds::parse(&fixed)
            .ok_or_else(|| sql_error(format!("failed to read CDS at offset {off}")))?;
        let rest = self.read(off + CDS_FIXED as u64, n_file + n_more)?;
        let name = c_string(&rest[..n_file]).to_vec();
        let extra = rest[n_file..].to_vec();
        let unix_time = scan_extra(&extra[..usize::from(cds.n_extra).min(extra.len())])
            .unwrap_or_else(|| dos_to_unix(cds.time, cds.date));
        let lfh = self.read(u64::from(cds.offset), LFH_FIXED)?;
        if u32_at(&lfh, 0) != SIG_LFH {
            return Err(sql_error(format!(
                "failed to read LFH at offset {}",
                cds.offset as i32
            )));
        }
        let data_off = u64::from(cds.offset)
            + LFH_FIXED as u64
            + u64::from(u16_at(&lfh, 26))
            + u64::from(u16_at(&lfh, 28));
        if let Bytes::Blob(_) = self {
            // 3.40.1 copies the data of an in-memory archive when it reads the entry.
            if cds.sz_compressed > 0 {
                self.read(data_off, cds.sz_compressed as usize)?;
            }
        }
        Ok(Entry {
            id,
            cds,
            name,
            unix_time,
            extra: Some(extra),
            data_off,
        })
    }

    /// 3.40.1's `zipfileLoadDirectory`: the entries the end record counts.
    fn directory(&self, next_id: &mut u64) -> rusqlite::Result<Vec<Entry>> {
        let eocd = self.eocd()?;
        let mut off = u64::from(eocd.offset);
        let mut list = Vec::new();
        for _ in 0..eocd.n_entry {
            *next_id += 1;
            let e = self.entry(off, *next_id)?;
            off += (CDS_FIXED
                + usize::from(e.cds.n_extra)
                + usize::from(e.cds.n_file)
                + usize::from(e.cds.n_comment)) as u64;
            list.push(e);
        }
        Ok(list)
    }
}

// ------------------------------------------------------------------------------------------
// The table.

/// A write transaction: the file, opened for appending, and the directory in memory.
struct Writer {
    file: File,
    entries: Vec<Entry>,
    /// The file's size (everything is appended).
    size: u64,
}

impl Writer {
    fn append(&mut self, bytes: &[u8]) -> rusqlite::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        self.file
            .write_all(bytes)
            .map_err(|_| sql_error("error in fwrite()"))?;
        self.size += bytes.len() as u64;
        Ok(())
    }
}

/// Where a cursor over the table's own list stands.
#[derive(Debug, Default)]
struct ListPos {
    current: Option<u64>,
    /// The next xNext stays where it is (the entry it stood on was replaced or deleted).
    noop: bool,
}

/// State shared by a table and its cursors.
#[derive(Default)]
struct Shared {
    writer: Option<Writer>,
    cursors: Vec<Weak<RefCell<ListPos>>>,
    /// Every open cursor's number and current record, for `zipfile_cds()`.
    published: Published,
    next_cursor_id: i64,
    next_entry_id: u64,
}

/// A `zipfile` table: the eponymous one, or one made with `CREATE VIRTUAL TABLE`.
pub struct ZipTable {
    /// The archive named when the table was created.
    file: Option<Vec<u8>>,
    db: Rc<DbHandle>,
    shared: Rc<RefCell<Shared>>,
}

/// 3.40.1's `zipfileDequote`.
fn dequote(z: &[u8]) -> Vec<u8> {
    let Some(&q) = z.first() else {
        return Vec::new();
    };
    if !matches!(q, b'"' | b'\'' | b'`' | b'[') {
        return z.to_vec();
    }
    let q = if q == b'[' { b']' } else { q };
    let mut out = Vec::new();
    let mut i = 1;
    while i < z.len() {
        let c = z[i];
        i += 1;
        if c == q {
            if z.get(i) != Some(&q) {
                break;
            }
            i += 1;
        }
        out.push(c);
    }
    out
}

impl ZipTable {
    fn name_of(file: &Option<Vec<u8>>) -> String {
        file.as_deref().map(lossy).unwrap_or_default()
    }

    /// Moves the cursors that stand on `gone` to the entry after it (3.40.1 does this before
    /// it unlinks a replaced or deleted entry).
    fn step_cursors_off(shared: &mut Shared, gone: &[u64]) {
        let entries = &shared.writer.as_ref().map(|w| &w.entries);
        shared.cursors.retain(|w| w.strong_count() > 0);
        for pos in shared.cursors.iter().filter_map(Weak::upgrade) {
            let mut pos = pos.borrow_mut();
            while let Some(cur) = pos.current.filter(|c| gone.contains(c)) {
                pos.current = entries.and_then(|list| {
                    let i = list.iter().position(|e| e.id == cur)?;
                    list.get(i + 1).map(|e| e.id)
                });
                pos.noop = true;
            }
        }
    }
}

impl WritableTable for ZipTable {
    type Cursor = ZipCursor;
    const SCHEMA: &'static CStr = c"CREATE TABLE y(name PRIMARY KEY,mode,mtime,sz,rawdata,data,method,z HIDDEN) WITHOUT ROWID;";
    const CONFIG: VTabConfig = VTabConfig::DirectOnly;

    fn connect(db: DbHandle, table_name: &[u8], args: &[&[u8]]) -> rusqlite::Result<Self> {
        if (!table_name.eq_ignore_ascii_case(b"zipfile") && args.is_empty()) || args.len() > 1 {
            return Err(sql_error("zipfile constructor requires one argument"));
        }
        Ok(ZipTable {
            file: args.first().map(|a| dequote(a)),
            db: Rc::new(db),
            shared: Rc::default(),
        })
    }

    fn best_index(&self, info: &mut IndexInfo) -> rusqlite::Result<bool> {
        let (mut idx, mut unusable) = (None, false);
        for (i, c) in info.constraints().enumerate() {
            if c.column() != 7 {
                continue;
            }
            if !c.is_usable() {
                unusable = true;
            } else if c.operator() == IndexConstraintOp::SQLITE_INDEX_CONSTRAINT_EQ {
                idx = Some(i);
            }
        }
        info.set_estimated_cost(1000.0);
        if let Some(i) = idx {
            let mut u = info.constraint_usage(i);
            u.set_argv_index(1);
            u.set_omit(true);
            info.set_idx_num(1);
        } else if unusable {
            return Ok(false);
        }
        Ok(true)
    }

    fn open(&mut self) -> ZipCursor {
        let id = {
            let mut sh = self.shared.borrow_mut();
            sh.next_cursor_id += 1;
            sh.next_cursor_id
        };
        let cds = Rc::new(RefCell::new(None));
        {
            let mut sh = self.shared.borrow_mut();
            sh.published.retain(|(_, w)| w.strong_count() > 0);
            sh.published.push((id, Rc::downgrade(&cds)));
        }
        ZipCursor {
            file: self.file.clone(),
            db: self.db.clone(),
            shared: self.shared.clone(),
            id,
            eof: false,
            source: Source::None,
            cds,
        }
    }

    fn begin(&mut self) -> rusqlite::Result<()> {
        let name = match &self.file {
            Some(f) if !f.is_empty() => f.clone(),
            _ => return Err(sql_error("zipfile: missing filename")),
        };
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(OsStr::from_bytes(&name))
            .map_err(|_| {
                sql_error(format!(
                    "zipfile: failed to open file {} for writing",
                    lossy(&name)
                ))
            })?;
        let mut sh = self.shared.borrow_mut();
        let mut next_id = sh.next_entry_id;
        let bytes = Bytes::File(&file);
        let size = bytes.size()?;
        let entries = bytes.directory(&mut next_id)?;
        sh.next_entry_id = next_id;
        sh.writer = Some(Writer {
            file,
            entries,
            size,
        });
        Ok(())
    }

    fn commit(&mut self) -> rusqlite::Result<()> {
        let Some(mut w) = self.shared.borrow_mut().writer.take() else {
            return Ok(());
        };
        let start = w.size;
        let mut dir = Vec::new();
        for e in &w.entries {
            let mut cds = e.cds;
            if e.extra.is_none() {
                cds.n_extra = 9;
            }
            cds.put(&mut dir);
            put_name(&e.name, cds.n_file, &mut dir);
            match &e.extra {
                Some(extra) => dir.extend_from_slice(extra),
                None => put_timestamp(e.unix_time, &mut dir),
            }
        }
        let _ = w.append(&dir);
        let mut end = Vec::with_capacity(22);
        Eocd {
            n_entry: w.entries.len() as u16,
            n_entry_total: w.entries.len() as u16,
            size: (w.size - start) as u32,
            offset: start as u32,
            ..Eocd::default()
        }
        .put(&mut end);
        w.append(&end)
    }

    fn rollback(&mut self) -> rusqlite::Result<()> {
        // 3.40.1 writes the directory out on rollback too.
        self.commit()
    }

    const OVERLOADS: Option<&'static CStr> = Some(c"zipfile_cds");

    /// `zipfile_cds(z)`: the current record of this table's cursor number `z` as JSON
    /// text; NULL when no open cursor has that number.
    fn overloaded(&self, args: &[ValueRef<'_>]) -> Result<Option<Vec<u8>>, String> {
        let Some(z) = args.first() else {
            return Ok(None);
        };
        let id = value::int64(z);
        let sh = self.shared.borrow();
        let slot = sh
            .published
            .iter()
            .find(|(i, _)| *i == id)
            .and_then(|(_, w)| w.upgrade());
        Ok(slot.and_then(|s| s.borrow().map(|cds| cds.json().into_bytes())))
    }

    fn update(&mut self, args: &[ValueRef<'_>], conflict: OnConflict) -> rusqlite::Result<()> {
        if self.shared.borrow().writer.is_none() {
            self.begin()?;
        }
        let mut guard = self.shared.borrow_mut();
        let sh = &mut *guard;
        let next_id = &mut sh.next_entry_id;
        let w = sh.writer.as_mut().expect("begun above");

        // A DELETE or UPDATE: the entry it replaces.
        let mut old = None;
        let mut renamed = false;
        if args[0] != ValueRef::Null {
            let del = value::c_text(&args[0]).unwrap_or_default();
            if let Some(upd) = args.get(1).and_then(value::c_text) {
                renamed = !same_path(&upd, &del);
            }
            old = w
                .entries
                .iter()
                .find(|e| same_path(&e.name, &del))
                .map(|e| e.id);
        }
        let mut old2 = None;
        if args.len() > 1 {
            let sz_given = args[5] != ValueRef::Null;
            let raw_given = args[6] != ValueRef::Null;
            if raw_given {
                return Err(constraint("rawdata must be NULL"));
            }
            if sz_given {
                return Err(constraint("sz must be NULL"));
            }
            let is_dir = args[7] == ValueRef::Null;
            let mut method = 0;
            let mut crc = 0;
            let mut sz = 0;
            let input = value::blob(&args[7]).unwrap_or_default();
            let mut packed = None;
            if !is_dir {
                let auto = args[8] == ValueRef::Null;
                method = value::int(&args[8]);
                sz = input.len();
                if method != 0 && method != 8 {
                    return Err(constraint(format!("unknown compression method: {method}")));
                }
                if auto || method != 0 {
                    let cmp = deflate(&input);
                    if method != 0 || cmp.len() < input.len() {
                        method = 8;
                        packed = Some(cmp);
                    }
                }
                crc = crc32(&input);
            }
            let mode = parse_mode(&args[3], is_dir)?;
            let mut path = value::c_text(&args[2]).unwrap_or_default().into_owned();
            let mtime = get_time(Some(&args[4]));
            if is_dir && path.last() != Some(&b'/') {
                path.push(b'/');
            }
            if old.is_none() || renamed {
                if let Some(p) = w.entries.iter().find(|e| same_path(&e.name, &path)) {
                    match conflict {
                        OnConflict::Ignore => return Ok(()),
                        OnConflict::Replace => old2 = Some(p.id),
                        OnConflict::Other => {
                            return Err(constraint(format!("duplicate name: \"{}\"", lossy(&path))))
                        }
                    }
                }
            }
            let data: &[u8] = packed
                .as_deref()
                .unwrap_or(if is_dir { &[] } else { &input });
            let mut cds = Cds::new_entry(NewEntry {
                method: method as u16,
                unix_time: mtime,
                crc32: crc,
                stored: data.len(),
                size: sz,
                mode,
                offset: w.size,
                name_len: path.len(),
            });
            let mut head = Vec::with_capacity(LFH_FIXED + path.len() + 9);
            lfh_bytes(&mut cds, &path, mtime, &mut head);
            let mut written = w.append(&head);
            let data_off = w.size;
            if written.is_ok() {
                written = w.append(data);
            }
            *next_id += 1;
            let entry = Entry {
                id: *next_id,
                cds,
                name: path,
                unix_time: mtime,
                extra: None,
                data_off,
            };
            match old.and_then(|o| w.entries.iter().position(|e| e.id == o)) {
                Some(i) => w.entries.insert(i, entry),
                None => w.entries.push(entry),
            }
            written?;
        }
        let gone: Vec<u64> = old.into_iter().chain(old2).collect();
        if !gone.is_empty() {
            Self::step_cursors_off(sh, &gone);
            if let Some(w) = sh.writer.as_mut() {
                w.entries.retain(|e| !gone.contains(&e.id));
            }
        }
        Ok(())
    }
}

// ------------------------------------------------------------------------------------------
// Cursors.

/// Where a cursor publishes its current directory record.
type CdsSlot = Rc<RefCell<Option<Cds>>>;

/// The open cursors by number, each with its [`CdsSlot`].
type Published = Vec<(i64, Weak<RefCell<Option<Cds>>>)>;

/// What a cursor walks.
enum Source {
    None,
    /// The directory of a file, read a record at a time.
    File {
        file: File,
        end: u64,
        next_off: u64,
        current: Option<Entry>,
    },
    /// An archive given as a blob, its directory read whole.
    Blob {
        blob: Vec<u8>,
        entries: Vec<Entry>,
        at: usize,
    },
    /// The table's own list, during a write transaction.
    List(Rc<RefCell<ListPos>>),
}

/// A cursor of a [`ZipTable`].
pub struct ZipCursor {
    file: Option<Vec<u8>>,
    db: Rc<DbHandle>,
    shared: Rc<RefCell<Shared>>,
    /// The number `z` shows.
    id: i64,
    eof: bool,
    source: Source,
    /// The current record, published for `zipfile_cds()`.
    cds: CdsSlot,
}

impl ZipCursor {
    /// Runs `f` on the current entry and the bytes it is stored in.
    fn with_current<R>(
        &self,
        f: impl FnOnce(&Entry, Bytes<'_>) -> rusqlite::Result<R>,
    ) -> rusqlite::Result<Option<R>> {
        match &self.source {
            Source::None => Ok(None),
            Source::File { file, current, .. } => match current {
                Some(e) => f(e, Bytes::File(file)).map(Some),
                None => Ok(None),
            },
            Source::Blob { blob, entries, at } => match entries.get(*at) {
                Some(e) => f(e, Bytes::Blob(blob)).map(Some),
                None => Ok(None),
            },
            Source::List(pos) => {
                let Some(cur) = pos.borrow().current else {
                    return Ok(None);
                };
                let sh = self.shared.borrow();
                let Some(w) = sh.writer.as_ref() else {
                    return Ok(None);
                };
                match w.entries.iter().find(|e| e.id == cur) {
                    Some(e) => f(e, Bytes::File(&w.file)).map(Some),
                    None => Ok(None),
                }
            }
        }
    }

    fn publish(&self) {
        let cds = self.with_current(|e, _| Ok(e.cds)).ok().flatten();
        *self.cds.borrow_mut() = if self.eof { None } else { cds };
    }

    fn advance(&mut self) -> rusqlite::Result<()> {
        match &mut self.source {
            Source::None => self.eof = true,
            Source::File {
                file,
                end,
                next_off,
                current,
            } => {
                *current = None;
                if *next_off >= *end {
                    self.eof = true;
                } else {
                    let e = Bytes::File(file).entry(*next_off, 0)?;
                    *next_off += (CDS_FIXED
                        + usize::from(e.cds.n_extra)
                        + usize::from(e.cds.n_file)
                        + usize::from(e.cds.n_comment)) as u64;
                    *current = Some(e);
                }
            }
            Source::Blob { entries, at, .. } => {
                *at += 1;
                if *at >= entries.len() {
                    self.eof = true;
                }
            }
            Source::List(pos) => {
                let mut pos = pos.borrow_mut();
                if !pos.noop {
                    let sh = self.shared.borrow();
                    pos.current = pos.current.and_then(|cur| {
                        let list = &sh.writer.as_ref()?.entries;
                        let i = list.iter().position(|e| e.id == cur)?;
                        list.get(i + 1).map(|e| e.id)
                    });
                }
                pos.noop = false;
                if pos.current.is_none() {
                    self.eof = true;
                }
            }
        }
        Ok(())
    }

    /// `rawdata` (4) and `data` (5): the stored bytes, or `data` inflated; NULL for a
    /// directory and for `data` of an unknown method.
    fn column_data(&self, col: c_int) -> rusqlite::Result<Option<Vec<u8>>> {
        let limit = self
            .db
            .with(|c| raw::limit(c, ffi::SQLITE_LIMIT_LENGTH))
            .unwrap_or(1_000_000_000);
        let got = self.with_current(|e, bytes| {
            let cds = &e.cds;
            if col == 5 && cds.method != 0 && cds.method != 8 {
                return Ok(None);
            }
            let sz = cds.sz_compressed as i32;
            let sz_final = cds.sz_uncompressed as i32;
            if sz_final > 0 {
                if sz.max(sz_final) > limit {
                    return Err(code_error(ffi::SQLITE_TOOBIG));
                }
                let stored = bytes.read(e.data_off, sz.max(0) as usize)?;
                if col == 5 && cds.method != 0 {
                    return inflate(&stored, sz_final as usize)
                        .map(Some)
                        .map_err(sql_error);
                }
                return Ok(Some(stored));
            }
            let mode = cds.external_attr >> 16;
            let slash = cds.n_file > 0 && e.name.get(usize::from(cds.n_file) - 1) == Some(&b'/');
            if mode & S_IFDIR == 0 && !slash {
                Ok(Some(Vec::new()))
            } else {
                Ok(None)
            }
        })?;
        Ok(got.flatten())
    }
}

impl TableCursor for ZipCursor {
    fn filter(&mut self, idx_num: c_int, args: &Filters<'_>) -> rusqlite::Result<()> {
        self.source = Source::None;
        self.eof = false;
        *self.cds.borrow_mut() = None;
        let writing = self.shared.borrow().writer.is_some();
        let mut name = self.file.clone();
        if name.is_none() {
            if idx_num == 0 {
                return Err(sql_error("zipfile() function requires an argument"));
            }
            let arg: ValueRef<'_> = args[0].get_raw();
            if let ValueRef::Blob(b) = arg {
                let blob = b.to_vec();
                let mut next_id = 0;
                let entries = Bytes::Blob(&blob).directory(&mut next_id)?;
                self.eof = entries.is_empty();
                self.source = Source::Blob {
                    blob,
                    entries,
                    at: 0,
                };
                self.publish();
                return Ok(());
            }
            name = value::c_text(&arg).map(|t| t.into_owned());
        }
        if writing {
            let pos = Rc::new(RefCell::new(ListPos::default()));
            {
                let mut sh = self.shared.borrow_mut();
                sh.cursors.retain(|w| w.strong_count() > 0);
                sh.cursors.push(Rc::downgrade(&pos));
                let first = sh.writer.as_ref().and_then(|w| w.entries.first());
                let mut p = pos.borrow_mut();
                p.current = first.map(|e| e.id);
                p.noop = true;
            }
            self.source = Source::List(pos);
            self.advance()?;
            self.publish();
            return Ok(());
        }
        let file = name
            .as_deref()
            .and_then(|n| File::open(OsStr::from_bytes(n)).ok())
            .ok_or_else(|| sql_error(format!("cannot open file: {}", Self::display(&name))))?;
        let eocd = Bytes::File(&file).eocd()?;
        let empty = eocd.n_entry == 0;
        self.source = Source::File {
            file,
            end: u64::from(eocd.offset) + u64::from(eocd.size),
            next_off: u64::from(eocd.offset),
            current: None,
        };
        if empty {
            self.eof = true;
        } else {
            self.advance()?;
        }
        self.publish();
        Ok(())
    }

    fn next(&mut self) -> rusqlite::Result<()> {
        let r = self.advance();
        self.publish();
        r
    }

    fn eof(&self) -> bool {
        self.eof
    }

    fn column(&self, ctx: &mut vtab::Context, col: c_int) -> rusqlite::Result<()> {
        match col {
            3 if ctx.no_change() => Ok(()),
            7 => ctx.set_result(self.id),
            0 => {
                // The name's bytes as stored, UTF-8 or not.
                let name = self.with_current(|e, _| Ok(e.name.clone()))?;
                match name {
                    Some(n) => ctx.set_result(ToSqlOutput::Borrowed(ValueRef::Text(&n))),
                    None => ctx.set_result(Null),
                }
            }
            _ => {
                let v = self.with_current(|e, _| {
                    Ok(match col {
                        1 => Value::Integer(i64::from((e.cds.external_attr >> 16) as i32)),
                        2 => Value::Integer(i64::from(e.unix_time)),
                        3 => Value::Integer(i64::from(e.cds.sz_uncompressed)),
                        _ => Value::Integer(i64::from(e.cds.method)),
                    })
                })?;
                ctx.set_result(v.unwrap_or(Value::Null))
            }
        }
    }

    fn rowid(&self) -> rusqlite::Result<i64> {
        Ok(0)
    }

    /// `rawdata` and `data` go to SQLite without a copy (`rawdata` not at all for an UPDATE
    /// that leaves it, as in 3.40.1).
    fn column_owned(
        &self,
        col: c_int,
        no_change: bool,
    ) -> Option<rusqlite::Result<Option<Vec<u8>>>> {
        match col {
            4 if no_change => Some(Ok(None)),
            4 | 5 => Some(self.column_data(col)),
            _ => None,
        }
    }
}

impl ZipCursor {
    fn display(name: &Option<Vec<u8>>) -> String {
        ZipTable::name_of(name)
    }
}

// ------------------------------------------------------------------------------------------
// zipfile().

/// The archive the `zipfile()` aggregate builds.
#[derive(Default)]
struct Building {
    n_entry: usize,
    body: Vec<u8>,
    dir: Vec<u8>,
}

struct ZipAggregate;

impl ZipAggregate {
    fn add(ctx: &Context<'_>, acc: &mut Building) -> rusqlite::Result<()> {
        let n = ctx.len();
        if n != 2 && n != 4 && n != 5 {
            return Err(sql_error("wrong number of arguments to function zipfile()"));
        }
        let name_v = ctx.get_raw(0);
        let (mode_v, mtime_v, data_v, method_v) = if n == 2 {
            (None, None, ctx.get_raw(1), None)
        } else {
            (
                Some(ctx.get_raw(1)),
                Some(ctx.get_raw(2)),
                ctx.get_raw(3),
                (n == 5).then(|| ctx.get_raw(4)),
            )
        };
        let Some(name_full) = value::text(&name_v) else {
            return Err(sql_error("first argument to zipfile() must be non-NULL"));
        };
        let mut method: i64 = -1;
        if let Some(m) = method_v.filter(|m| *m != ValueRef::Null) {
            method = value::int64(&m);
            if method != 0 && method != 8 {
                return Err(sql_error(format!(
                    "illegal method value: {}",
                    method as i32
                )));
            }
        }
        let is_dir = data_v == ValueRef::Null;
        let input = value::blob(&data_v).unwrap_or_default();
        let mut crc = 0;
        let mut packed = None;
        if is_dir {
            method = 0;
        } else {
            crc = crc32(&input);
            if method < 0 || method == 8 {
                let out = deflate(&input);
                if method == 8 || out.len() < input.len() {
                    packed = Some(out);
                    method = 8;
                } else {
                    method = 0;
                }
            }
        }
        let mode = parse_mode(&mode_v.unwrap_or(ValueRef::Null), is_dir)?;
        let unix_time = get_time(mtime_v.as_ref());
        let name: Vec<u8> = if !is_dir {
            if name_full.last() == Some(&b'/') {
                return Err(sql_error("non-directory name must not end with /"));
            }
            name_full.into_owned()
        } else if name_full.last() != Some(&b'/') {
            let mut n = c_string(&name_full).to_vec();
            n.push(b'/');
            n
        } else {
            let mut len = name_full.len();
            while len > 1 && name_full[len - 2] == b'/' {
                len -= 1;
            }
            name_full[..len].to_vec()
        };
        let data: &[u8] = packed
            .as_deref()
            .unwrap_or(if is_dir { &[] } else { &input });
        let mut cds = Cds::new_entry(NewEntry {
            method: method as u16,
            unix_time,
            crc32: crc,
            stored: data.len(),
            size: input.len(),
            mode,
            offset: acc.body.len() as u64,
            name_len: name.len(),
        });
        lfh_bytes(&mut cds, &name, unix_time, &mut acc.body);
        acc.body.extend_from_slice(data);
        cds.put(&mut acc.dir);
        put_name(&name, cds.n_file, &mut acc.dir);
        put_timestamp(unix_time, &mut acc.dir);
        acc.n_entry += 1;
        Ok(())
    }
}

impl Aggregate<Building, Option<Vec<u8>>> for ZipAggregate {
    fn init(&self, _ctx: &mut Context<'_>) -> rusqlite::Result<Building> {
        Ok(Building::default())
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut Building) -> rusqlite::Result<()> {
        Self::add(ctx, acc)
    }

    fn finalize(
        &self,
        _ctx: &mut Context<'_>,
        acc: Option<Building>,
    ) -> rusqlite::Result<Option<Vec<u8>>> {
        let Some(mut acc) = acc.filter(|a| a.n_entry > 0) else {
            return Ok(None);
        };
        let end = Eocd {
            n_entry: acc.n_entry as u16,
            n_entry_total: acc.n_entry as u16,
            size: acc.dir.len() as u32,
            offset: acc.body.len() as u32,
            ..Eocd::default()
        };
        let dir = std::mem::take(&mut acc.dir);
        acc.body.extend_from_slice(&dir);
        end.put(&mut acc.body);
        Ok(Some(acc.body))
    }
}

/// Registers the `zipfile` module (with `zipfile_cds()`, which it overloads) and the
/// `zipfile()` aggregate.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    raw::register_writable_table::<ZipTable>(conn, c"zipfile")?;
    conn.create_aggregate_function("zipfile", -1, FunctionFlags::SQLITE_UTF8, ZipAggregate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dos_times_convert_both_ways() {
        // 2026-12-06 08:36:57 UTC, as 3.40.1 wrote it into a CDS record (time 17564, date
        // 23942: the seconds are halved).
        let t = 1_796_546_217;
        assert_eq!(unix_to_dos(t), (17564, 23942));
        assert_eq!(dos_to_unix(17564, 23942), t - 1);
        assert_eq!(unix_to_dos(0), (0, 0));
        // Day 0 of month 0, computed as 3.40.1 computes it.
        assert_eq!(dos_to_unix(0, 0), 312_768_000);
    }

    #[test]
    fn end_record_is_found_from_the_back() {
        let mut z = b"junk".to_vec();
        let e = Eocd {
            n_entry: 2,
            n_entry_total: 2,
            size: 100,
            offset: 7,
            ..Eocd::default()
        };
        e.put(&mut z);
        assert_eq!(Eocd::find(&z), Some(e));
        assert_eq!(Eocd::find(&z[..z.len() - 3]), None);
        assert_eq!(Eocd::find(b""), None);
    }

    #[test]
    fn extra_timestamp_is_read_and_bounds_are_kept() {
        let mut x = vec![0x99, 0x99, 2, 0, 1, 2];
        put_timestamp(123_456, &mut x);
        assert_eq!(scan_extra(&x), Some(123_456));
        assert_eq!(scan_extra(&x[..x.len() - 1]), None);
        assert_eq!(scan_extra(&[0x55, 0x54, 0xff, 0xff]), None);
    }

    #[test]
    fn paths_compare_without_one_trailing_slash() {
        assert!(same_path(b"d/", b"d"));
        assert!(same_path(b"d", b"d/"));
        assert!(!same_path(b"d//", b"d"));
        assert!(!same_path(b"a", b"b"));
    }

    #[test]
    fn dequote_takes_sqls_quotes_off() {
        assert_eq!(dequote(b"'x.zip'"), b"x.zip");
        assert_eq!(dequote(b"[a b]"), b"a b");
        assert_eq!(dequote(b"\"a\"\"b\""), b"a\"b");
        assert_eq!(dequote(b"plain"), b"plain");
    }

    #[test]
    fn aggregate_archive_reads_back_through_the_table() {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        type Row = (String, i64, i64, i64, i64, Option<Vec<u8>>);
        let rows: Vec<Row> = conn
            .prepare(
                "SELECT name, mode, mtime, sz, method, data FROM zipfile((SELECT \
                 zipfile(n, m, t, d) FROM (SELECT 'a.txt' n, NULL m, 1000000000 t, \
                 zeroblob(500) d UNION ALL SELECT 'dir', NULL, 1000000001, NULL)))",
            )
            .unwrap()
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, "a.txt");
        assert_eq!(rows[0].1, 0o100644);
        assert_eq!(rows[0].2, 1_000_000_000);
        assert_eq!(rows[0].3, 500);
        assert_eq!(rows[0].4, 8);
        assert_eq!(rows[0].5.as_deref(), Some(&[0u8; 500][..]));
        assert_eq!(rows[1].0, "dir/");
        assert_eq!(rows[1].1, 0o40755);
        assert_eq!(rows[1].5, None);
    }

    #[test]
    fn damaged_archives_give_errors_not_panics() {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        let good: Vec<u8> = conn
            .query_row(
                "SELECT zipfile(n, NULL, 1600000000, d) FROM (SELECT 'a/' n, NULL d UNION ALL \
                 SELECT 'a/b.txt', 'some text some text some text' UNION ALL SELECT 'c', x'00ff')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let mut x = 12345u32;
        let mut next = || {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            x >> 8
        };
        let mut stmt = conn
            .prepare("SELECT name, mode, mtime, sz, rawdata, data, method, zipfile_cds(z) FROM zipfile(?)")
            .unwrap();
        for round in 0..3000 {
            let mut blob = good.clone();
            match round % 3 {
                0 => {
                    for _ in 0..1 + next() % 4 {
                        let at = next() as usize % blob.len();
                        blob[at] = next() as u8;
                    }
                }
                1 => blob.truncate(next() as usize % blob.len()),
                _ => {
                    let at = next() as usize % blob.len();
                    blob.drain(at..(at + 1 + next() as usize % 8).min(blob.len()));
                }
            }
            let mut rows = stmt.query([&blob]).unwrap();
            // Each row either reads or fails with a message; nothing panics.
            while let Ok(Some(row)) = rows.next() {
                for i in 0..8 {
                    let _ = row.get_ref(i);
                }
            }
        }
    }
}
