//! The one module that calls the SQLite C API directly.
//!
//! rusqlite's safe API takes SQL as `&str`, but sqlite3's shell works on bytes: a script may
//! hold invalid UTF-8 inside string literals (a `.dump` of such text writes it raw), and it
//! must load back byte for byte. The shell also needs things rusqlite does not expose:
//! `sqlite3_error_offset` for the caret under a parse error, the tail pointer of a prepare,
//! primary result codes, `SQLITE_DBCONFIG_FP_DIGITS`, `sqlite3_complete` and the
//! `SQLITE_FCNTL_SIZE_LIMIT` file control. Everything unsafe stays here, behind small safe
//! types whose lifetimes tie a statement to its connection.
#![allow(unsafe_code)]

use std::ffi::{c_char, c_int, CStr};
use std::marker::PhantomData;
use std::ptr;

use rusqlite::ffi;
use rusqlite::Connection;

/// SQLite's fundamental datatypes, as `sqlite3_column_type` reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// SQLITE_INTEGER
    Integer,
    /// SQLITE_FLOAT
    Float,
    /// SQLITE_TEXT
    Text,
    /// SQLITE_BLOB
    Blob,
    /// SQLITE_NULL
    Null,
}

/// One column value borrowed from the current row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// NULL
    Null,
    /// A 64-bit integer.
    Integer(i64),
    /// An IEEE double.
    Real(f64),
    /// Text bytes as stored (not necessarily valid UTF-8).
    Text(&'a [u8]),
    /// A blob.
    Blob(&'a [u8]),
}

/// A failed `sqlite3_prepare_v2`.
#[derive(Debug, Clone)]
pub struct PrepareError {
    /// Primary result code.
    pub code: i32,
    /// `sqlite3_errmsg`.
    pub msg: Vec<u8>,
    /// `sqlite3_error_offset`, or -1.
    pub offset: i32,
}

/// Extra per-connection setup every connection of the shell gets.
pub fn configure(conn: &Connection) {
    // SAFETY: the handle is valid for the connection's lifetime; the calls take plain ints.
    unsafe {
        let db = conn.handle();
        // sqlite3 reports primary result codes (19, not 2067).
        ffi::sqlite3_extended_result_codes(db, 0);
        // sqlite3 3.40.1's library turned REALs into text with 15 significant digits.
        let mut out: c_int = 0;
        ffi::sqlite3_db_config(
            db,
            1023, /* SQLITE_DBCONFIG_FP_DIGITS */
            15 as c_int,
            &mut out,
        );
    }
}

/// `SQLITE_FCNTL_SIZE_LIMIT` on the main database (used by `-maxsize` with `-deserialize`).
pub fn set_size_limit(conn: &Connection, limit: i64) {
    let mut v: i64 = limit;
    // SAFETY: the file control takes a pointer to an sqlite3_int64 that outlives the call.
    unsafe {
        ffi::sqlite3_file_control(
            conn.handle(),
            c"main".as_ptr(),
            ffi::SQLITE_FCNTL_SIZE_LIMIT,
            (&mut v as *mut i64).cast(),
        );
    }
}

/// `sqlite3_complete` on bytes (a NUL byte ends the text, as in C).
pub fn complete(sql: &[u8]) -> bool {
    let mut buf = Vec::with_capacity(sql.len() + 1);
    buf.extend_from_slice(sql);
    buf.push(0);
    // SAFETY: buf is NUL-terminated.
    unsafe { ffi::sqlite3_complete(buf.as_ptr().cast()) != 0 }
}

/// `sqlite3_errmsg` of a connection.
pub fn errmsg(conn: &Connection) -> Vec<u8> {
    // SAFETY: errmsg returns a NUL-terminated string owned by the connection.
    unsafe { cstr_bytes(ffi::sqlite3_errmsg(conn.handle())).to_vec() }
}

/// `sqlite3_changes64`.
pub fn changes(conn: &Connection) -> i64 {
    // SAFETY: valid handle.
    unsafe { ffi::sqlite3_changes64(conn.handle()) }
}

/// `sqlite3_total_changes64`.
pub fn total_changes(conn: &Connection) -> i64 {
    // SAFETY: valid handle.
    unsafe { ffi::sqlite3_total_changes64(conn.handle()) }
}

/// `sqlite3_get_autocommit`: true outside a transaction.
pub fn autocommit(conn: &Connection) -> bool {
    // SAFETY: valid handle.
    unsafe { ffi::sqlite3_get_autocommit(conn.handle()) != 0 }
}

/// `sqlite3_libversion()` and `sqlite3_sourceid()`.
pub fn version() -> (String, String) {
    // SAFETY: both return static NUL-terminated strings.
    unsafe {
        (
            String::from_utf8_lossy(cstr_bytes(ffi::sqlite3_libversion())).into_owned(),
            String::from_utf8_lossy(cstr_bytes(ffi::sqlite3_sourceid())).into_owned(),
        )
    }
}

/// # Safety
/// `p` is null or points to a NUL-terminated string that outlives the returned slice.
unsafe fn cstr_bytes<'a>(p: *const c_char) -> &'a [u8] {
    if p.is_null() {
        &[]
    } else {
        // SAFETY: as the caller promised.
        unsafe { CStr::from_ptr(p).to_bytes() }
    }
}

/// A prepared statement borrowed from its connection.
pub struct Stmt<'c> {
    ptr: *mut ffi::sqlite3_stmt,
    db: *mut ffi::sqlite3,
    _conn: PhantomData<&'c Connection>,
}

/// Outcome of one `prepare` call on a piece of SQL text.
pub struct Prepared<'c> {
    /// The statement, or `None` when the text held only white space or comments.
    pub stmt: Option<Stmt<'c>>,
    /// Bytes of the input consumed (the start of the tail).
    pub consumed: usize,
}

/// Prepares the first statement of `sql` (bytes, may be invalid UTF-8).
pub fn prepare<'c>(conn: &'c Connection, sql: &[u8]) -> Result<Prepared<'c>, PrepareError> {
    // SAFETY: the SQL is passed with an explicit length and never read past it; the tail
    // pointer points into that buffer.
    unsafe {
        let db = conn.handle();
        let mut stmt: *mut ffi::sqlite3_stmt = ptr::null_mut();
        let mut tail: *const c_char = ptr::null();
        let len = c_int::try_from(sql.len()).unwrap_or(c_int::MAX);
        let rc = ffi::sqlite3_prepare_v2(db, sql.as_ptr().cast(), len, &mut stmt, &mut tail);
        if rc != ffi::SQLITE_OK {
            if !stmt.is_null() {
                ffi::sqlite3_finalize(stmt);
            }
            return Err(PrepareError {
                code: rc & 0xff,
                msg: cstr_bytes(ffi::sqlite3_errmsg(db)).to_vec(),
                offset: ffi::sqlite3_error_offset(db),
            });
        }
        let consumed = if tail.is_null() {
            sql.len()
        } else {
            (tail as usize)
                .saturating_sub(sql.as_ptr() as usize)
                .min(sql.len())
        };
        Ok(Prepared {
            stmt: (!stmt.is_null()).then_some(Stmt {
                ptr: stmt,
                db,
                _conn: PhantomData,
            }),
            consumed,
        })
    }
}

impl Stmt<'_> {
    /// Runs one step: `Ok(true)` for a row, `Ok(false)` when done, `Err(code)` on error
    /// (primary code; the message is in [`Stmt::errmsg`]).
    pub fn step(&mut self) -> Result<bool, i32> {
        // SAFETY: valid statement.
        let rc = unsafe { ffi::sqlite3_step(self.ptr) };
        match rc {
            ffi::SQLITE_ROW => Ok(true),
            ffi::SQLITE_DONE => Ok(false),
            e => Err(e & 0xff),
        }
    }

    /// Resets the statement so it can be stepped again.
    pub fn reset(&mut self) -> i32 {
        // SAFETY: valid statement.
        unsafe { ffi::sqlite3_reset(self.ptr) & 0xff }
    }

    /// The connection's current error message.
    pub fn errmsg(&self) -> Vec<u8> {
        // SAFETY: valid handle, string copied at once.
        unsafe { cstr_bytes(ffi::sqlite3_errmsg(self.db)).to_vec() }
    }

    /// Number of result columns.
    pub fn column_count(&self) -> usize {
        // SAFETY: valid statement.
        unsafe { ffi::sqlite3_column_count(self.ptr).max(0) as usize }
    }

    /// Name of result column `i`.
    pub fn column_name(&self, i: usize) -> Vec<u8> {
        // SAFETY: valid statement and index < column_count (else NULL, mapped to empty).
        unsafe { cstr_bytes(ffi::sqlite3_column_name(self.ptr, i as c_int)).to_vec() }
    }

    /// Declared type of result column `i` (`None` for expressions).
    pub fn column_decltype(&self, i: usize) -> Option<Vec<u8>> {
        // SAFETY: as above.
        unsafe {
            let p = ffi::sqlite3_column_decltype(self.ptr, i as c_int);
            (!p.is_null()).then(|| cstr_bytes(p).to_vec())
        }
    }

    /// Storage class of column `i` in the current row.
    pub fn column_type(&self, i: usize) -> ColType {
        // SAFETY: valid statement with a current row.
        match unsafe { ffi::sqlite3_column_type(self.ptr, i as c_int) } {
            ffi::SQLITE_INTEGER => ColType::Integer,
            ffi::SQLITE_FLOAT => ColType::Float,
            ffi::SQLITE_TEXT => ColType::Text,
            ffi::SQLITE_BLOB => ColType::Blob,
            _ => ColType::Null,
        }
    }

    /// Value of column `i` in the current row, in its own storage class.
    pub fn value(&self, i: usize) -> Value<'_> {
        let ic = i as c_int;
        // SAFETY: valid statement with a current row; the returned slices stay valid until
        // the next step/reset/finalize, which need `&mut self` and so end this borrow.
        unsafe {
            match self.column_type(i) {
                ColType::Null => Value::Null,
                ColType::Integer => Value::Integer(ffi::sqlite3_column_int64(self.ptr, ic)),
                ColType::Float => Value::Real(ffi::sqlite3_column_double(self.ptr, ic)),
                ColType::Text => {
                    let p = ffi::sqlite3_column_text(self.ptr, ic);
                    let n = ffi::sqlite3_column_bytes(self.ptr, ic).max(0) as usize;
                    Value::Text(raw_slice(p, n))
                }
                ColType::Blob => {
                    let p = ffi::sqlite3_column_blob(self.ptr, ic) as *const u8;
                    let n = ffi::sqlite3_column_bytes(self.ptr, ic).max(0) as usize;
                    Value::Blob(raw_slice(p, n))
                }
            }
        }
    }

    /// Column `i` converted to text the way `sqlite3_column_text` converts it (NULL → None).
    pub fn text(&self, i: usize) -> Option<&[u8]> {
        let ic = i as c_int;
        // SAFETY: as in `value`.
        unsafe {
            let p = ffi::sqlite3_column_text(self.ptr, ic);
            if p.is_null() {
                return None;
            }
            let n = ffi::sqlite3_column_bytes(self.ptr, ic).max(0) as usize;
            Some(raw_slice(p, n))
        }
    }

    /// The SQL text of the statement as prepared.
    pub fn sql(&self) -> Vec<u8> {
        // SAFETY: valid statement.
        unsafe { cstr_bytes(ffi::sqlite3_sql(self.ptr)).to_vec() }
    }

    /// `sqlite3_stmt_isexplain`: 0, 1 (EXPLAIN) or 2 (EXPLAIN QUERY PLAN).
    pub fn is_explain(&self) -> i32 {
        // SAFETY: valid statement.
        unsafe { ffi::sqlite3_stmt_isexplain(self.ptr) }
    }

    /// Number of host parameters.
    pub fn parameter_count(&self) -> usize {
        // SAFETY: valid statement.
        unsafe { ffi::sqlite3_bind_parameter_count(self.ptr).max(0) as usize }
    }

    /// Name of host parameter `i` (1-based), if it has one.
    pub fn parameter_name(&self, i: usize) -> Option<Vec<u8>> {
        // SAFETY: valid statement.
        unsafe {
            let p = ffi::sqlite3_bind_parameter_name(self.ptr, i as c_int);
            (!p.is_null()).then(|| cstr_bytes(p).to_vec())
        }
    }

    /// Binds NULL to parameter `i` (1-based).
    pub fn bind_null(&mut self, i: usize) {
        // SAFETY: valid statement.
        unsafe {
            ffi::sqlite3_bind_null(self.ptr, i as c_int);
        }
    }

    /// Finalizes the statement, returning the primary result code of the last step.
    pub fn finalize(mut self) -> i32 {
        let p = std::mem::replace(&mut self.ptr, ptr::null_mut());
        // SAFETY: valid statement, finalized once (Drop sees the null).
        unsafe { ffi::sqlite3_finalize(p) & 0xff }
    }
}

impl Drop for Stmt<'_> {
    fn drop(&mut self) {
        if !self.ptr.is_null() {
            // SAFETY: valid statement, finalized once.
            unsafe {
                ffi::sqlite3_finalize(self.ptr);
            }
        }
    }
}

/// # Safety
/// `p` is null or points to `n` readable bytes that outlive `'a`.
unsafe fn raw_slice<'a>(p: *const u8, n: usize) -> &'a [u8] {
    if p.is_null() || n == 0 {
        &[]
    } else {
        // SAFETY: as the caller promised.
        unsafe { std::slice::from_raw_parts(p, n) }
    }
}

/// `sqlite3_keyword_check`: true when `name` is an SQL keyword.
pub fn is_keyword(name: &[u8]) -> bool {
    let n = c_int::try_from(name.len()).unwrap_or(c_int::MAX);
    // SAFETY: reads exactly `n` bytes of `name`.
    unsafe { ffi::sqlite3_keyword_check(name.as_ptr().cast(), n) != 0 }
}

/// `sqlite3_vfs_find` + `sqlite3_vfs_register(vfs, 1)`: makes the named VFS the default
/// (sqlite3's `-vfs NAME`). False when there is no such VFS.
pub fn make_default_vfs(name: &[u8]) -> bool {
    let Ok(c) = std::ffi::CString::new(name.to_vec()) else {
        return false;
    };
    // SAFETY: c is NUL-terminated; a found VFS object lives as long as the process.
    unsafe {
        let vfs = ffi::sqlite3_vfs_find(c.as_ptr());
        if vfs.is_null() {
            return false;
        }
        ffi::sqlite3_vfs_register(vfs, 1) == ffi::SQLITE_OK
    }
}

/// `sqlite3_enable_load_extension(db, 1)`, as sqlite3's shell does on every connection.
pub fn enable_load_extension(conn: &Connection) {
    // SAFETY: valid handle; enabling only allows the `load_extension` SQL function and
    // `.load`, as in sqlite3 (safe mode blocks them through the authorizer).
    unsafe {
        ffi::sqlite3_enable_load_extension(conn.handle(), 1);
    }
}
