//! `sqlar_compress(X)` and `sqlar_uncompress(X, SZ)`, the functions of SQL archives (the
//! `sqlar` table that `.archive` fills), as sqlite3 3.40.1's shell registers them. Their
//! compressed form is the zlib format (two header bytes, raw deflate, an Adler-32 checksum)
//! that zlib's `compress()` writes at its default level; flate2 runs the same zlib, so the
//! bytes are the ones sqlite3 stores.
//!
//! * `sqlar_compress(X)`: for a blob, the compressed bytes when they are shorter than X,
//!   else X itself; any other value (text too) comes back unchanged.
//! * `sqlar_uncompress(X, SZ)`: SZ is read as a 32-bit integer (`sqlite3_value_int`). When it
//!   is 0 or the byte length of X, X comes back unchanged; otherwise X is inflated into at
//!   most SZ bytes and the result is what came out. A negative SZ, damaged data, or more than
//!   SZ bytes of output is the error `error in uncompress()` (so 3.40.1's archives, which
//!   store a symbolic link with `sz = -1`, cannot extract one: `.archive` fails there too).
//!
//! Both are `SQLITE_INNOCUOUS`. sqlite3 3.40.1 does not register them under `-safe`; neither
//! does litesh (see [`super::register`]).

use std::io::Write;

use flate2::write::ZlibEncoder;
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use rusqlite::functions::FunctionFlags;
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::value;
use crate::exec::raw::{self, FnOut};

/// zlib's `compress()`: the zlib format at `Z_DEFAULT_COMPRESSION`.
pub fn compress(data: &[u8]) -> Vec<u8> {
    let mut enc = ZlibEncoder::new(
        Vec::with_capacity(data.len() / 2 + 64),
        Compression::default(),
    );
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

/// What [`compress`] gives, when that is shorter than `data`; `None` as soon as it is clear
/// that it is not (so incompressible data never has a second full-size buffer beside it).
/// zlib's output does not depend on how the output buffer is cut, so the bytes are those of
/// one `compress()` call.
pub fn compress_if_smaller(data: &[u8]) -> Option<Vec<u8>> {
    let limit = data.len().checked_sub(1)?;
    let mut z = Compress::new(Compression::default(), true);
    let mut out = Vec::with_capacity(limit.min(data.len() / 2 + 64));
    loop {
        if out.len() == out.capacity() {
            if out.len() >= limit {
                return None;
            }
            let more = out.capacity().max(64).min(limit - out.len());
            out.reserve_exact(more);
        }
        let at = z.total_in() as usize;
        match z.compress_vec(&data[at..], &mut out, FlushCompress::Finish) {
            Ok(Status::StreamEnd) => return (out.len() < data.len()).then_some(out),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
}

/// zlib's `uncompress()` into a buffer of `limit` bytes: the output, or `None` when the data
/// is damaged, ends early, or inflates to more than `limit` bytes. Bytes after the end of the
/// compressed stream are ignored, as `uncompress()` ignores them.
pub fn uncompress(data: &[u8], limit: usize) -> Option<Vec<u8>> {
    let mut z = Decompress::new(true);
    // The output grows as it comes rather than trusting SZ for one allocation.
    let mut out: Vec<u8> = Vec::new();
    let mut written = 0;
    loop {
        if written == out.len() {
            if out.len() == limit {
                // The buffer is full: only a stream that ends right here fits.
                let mut probe = [0u8; 1];
                let at = z.total_in() as usize;
                let st = z.decompress(&data[at..], &mut probe, FlushDecompress::Finish);
                let ended = matches!(st, Ok(Status::StreamEnd));
                return (ended && z.total_out() as usize == written).then_some(out);
            }
            let grow = out.len().max(data.len().saturating_mul(2)).max(4096);
            out.resize(out.len() + grow.min(limit - out.len()), 0);
        }
        let (in_at, out_at) = (z.total_in() as usize, z.total_out() as usize);
        let status = z
            .decompress(&data[in_at..], &mut out[written..], FlushDecompress::Finish)
            .ok()?;
        written = z.total_out() as usize;
        if status == Status::StreamEnd {
            out.truncate(written);
            return Some(out);
        }
        if written == out_at && z.total_in() as usize == in_at {
            // No progress with room left: the input ended early.
            return None;
        }
    }
}

fn sqlar_compress(args: &[ValueRef<'_>]) -> Result<FnOut, String> {
    Ok(match args[0] {
        ValueRef::Blob(b) => compress_if_smaller(b).map_or(FnOut::Arg(0), FnOut::Blob),
        _ => FnOut::Arg(0),
    })
}

fn sqlar_uncompress(args: &[ValueRef<'_>]) -> Result<FnOut, String> {
    let sz = value::int(&args[1]);
    let data = value::blob(&args[0]).unwrap_or_default();
    if sz == 0 || i64::from(sz) == data.len() as i64 {
        return Ok(FnOut::Arg(0));
    }
    usize::try_from(sz)
        .ok()
        .and_then(|limit| uncompress(&data, limit))
        .map(FnOut::Blob)
        .ok_or_else(|| "error in uncompress()".to_string())
}

/// Registers `sqlar_compress` and `sqlar_uncompress` on `conn`. A value that comes back
/// unchanged keeps its type and bytes (text need not be UTF-8).
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS;
    raw::create_function(conn, c"sqlar_compress", 1, flags, sqlar_compress)?;
    raw::create_function(conn, c"sqlar_uncompress", 2, flags, sqlar_uncompress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compress_writes_zlibs_default_stream() {
        // What sqlite3 3.40.1 returns for sqlar_compress(zeroblob(100)).
        let hex: String = compress(&[0u8; 100])
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect();
        assert_eq!(hex, "789C6360A03D000000640001");
    }

    #[test]
    fn compress_if_smaller_gives_compress_bytes_or_nothing() {
        for data in [
            vec![0u8; 100],
            b"abcabcabcabcabcabcabcabc".repeat(50),
            vec![7u8; 70_000],
        ] {
            assert_eq!(compress_if_smaller(&data), Some(compress(&data)));
        }
        let mut x = 7u32;
        let noise: Vec<u8> = (0..5000)
            .map(|_| {
                x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (x >> 24) as u8
            })
            .collect();
        assert!(compress(&noise).len() >= noise.len());
        assert_eq!(compress_if_smaller(&noise), None);
        assert_eq!(compress_if_smaller(b""), None);
        assert_eq!(compress_if_smaller(b"a"), None);
    }

    #[test]
    fn uncompress_checks_the_size() {
        let packed = compress(&[7u8; 5000]);
        assert_eq!(uncompress(&packed, 5000).unwrap(), vec![7u8; 5000]);
        assert_eq!(uncompress(&packed, 9000).unwrap().len(), 5000);
        assert!(uncompress(&packed, 4999).is_none());
        assert!(uncompress(&packed[..packed.len() - 3], 5000).is_none());
        assert!(uncompress(b"not zlib", 10).is_none());
        assert!(uncompress(b"", 10).is_none());
        let mut trailing = packed.clone();
        trailing.extend_from_slice(b"junk");
        assert_eq!(uncompress(&trailing, 5000).unwrap().len(), 5000);
    }

    #[test]
    fn the_functions_round_trip_in_sql() {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        let q = |sql: &str| -> rusqlite::Result<String> {
            conn.query_row(sql, [], |r| r.get::<_, String>(0))
        };
        assert_eq!(
            q("SELECT hex(sqlar_uncompress(sqlar_compress(zeroblob(100)), 100))").unwrap(),
            "00".repeat(100)
        );
        assert_eq!(
            q("SELECT typeof(sqlar_compress('aaaaaaaaaaaaaaaa'))").unwrap(),
            "text"
        );
        assert_eq!(
            q("SELECT hex(sqlar_uncompress(x'0102', 0))").unwrap(),
            "0102"
        );
        assert_eq!(q("SELECT sqlar_uncompress('abc', 3)").unwrap(), "abc");
        // 2^32 + 100 is 100 as a 32-bit integer.
        assert_eq!(
            q("SELECT CAST(length(sqlar_uncompress(sqlar_compress(zeroblob(100)), 4294967396)) AS TEXT)")
                .unwrap(),
            "100"
        );
        for bad in [
            "SELECT sqlar_uncompress('f.txt', -1)",
            "SELECT sqlar_uncompress(sqlar_compress(zeroblob(100)), 99)",
            "SELECT sqlar_uncompress(NULL, 5)",
        ] {
            let e = q(bad).unwrap_err().to_string();
            assert!(e.contains("error in uncompress()"), "{bad}: {e}");
        }
    }
}
