//! The one module that calls the SQLite C API directly.
//!
//! rusqlite's safe API takes SQL as `&str`, but sqlite3's shell works on bytes: a script may
//! hold invalid UTF-8 inside string literals (a `.dump` of such text writes it raw), and it
//! must load back byte for byte. The shell also needs things rusqlite does not expose:
//! `sqlite3_error_offset` for the caret under a parse error, the tail pointer of a prepare,
//! primary result codes, `SQLITE_DBCONFIG_FP_DIGITS`, `sqlite3_complete` and the
//! `SQLITE_FCNTL_SIZE_LIMIT` file control. rusqlite's virtual-table traits are `unsafe`, so
//! the table-valued functions and `.expert`'s plan-only tables are wrapped here in safe
//! traits. Everything unsafe stays here (and in its child module `apndvfs`, the append VFS
//! shim, whose methods are C callbacks), behind small safe types whose lifetimes tie a
//! statement to its connection.
#![allow(unsafe_code)]

mod apndvfs;

pub use apndvfs::{register as register_append_vfs, NAME as APPEND_VFS};

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
        // 3.40.1's build allows at most 127 function arguments (SQLITE_MAX_FUNCTION_ARG).
        ffi::sqlite3_limit(db, ffi::SQLITE_LIMIT_FUNCTION_ARG, 127);
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

// ---------------------------------------------------------------------------------------
// Wrappers for the settings and diagnostics dot-commands (`.dbconfig`, `.stats`, `.vfs*`,
// `.load`, `.log`, `.timer`, `.parameter`).
// ---------------------------------------------------------------------------------------

/// The boolean `sqlite3_db_config()` options sqlite3 3.40.1's `.dbconfig` knows, by name, in
/// its order. Only these ops may reach [`db_config_flag`]: each takes `(int, int*)`, which is
/// what makes the variadic call sound.
pub const DB_CONFIG_FLAGS: &[(&str, i32)] = &[
    ("defensive", ffi::SQLITE_DBCONFIG_DEFENSIVE),
    ("dqs_ddl", ffi::SQLITE_DBCONFIG_DQS_DDL),
    ("dqs_dml", ffi::SQLITE_DBCONFIG_DQS_DML),
    ("enable_fkey", ffi::SQLITE_DBCONFIG_ENABLE_FKEY),
    ("enable_qpsg", ffi::SQLITE_DBCONFIG_ENABLE_QPSG),
    ("enable_trigger", ffi::SQLITE_DBCONFIG_ENABLE_TRIGGER),
    ("enable_view", ffi::SQLITE_DBCONFIG_ENABLE_VIEW),
    ("fts3_tokenizer", ffi::SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER),
    (
        "legacy_alter_table",
        ffi::SQLITE_DBCONFIG_LEGACY_ALTER_TABLE,
    ),
    (
        "legacy_file_format",
        ffi::SQLITE_DBCONFIG_LEGACY_FILE_FORMAT,
    ),
    ("load_extension", ffi::SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION),
    ("no_ckpt_on_close", ffi::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE),
    ("reset_database", ffi::SQLITE_DBCONFIG_RESET_DATABASE),
    ("trigger_eqp", ffi::SQLITE_DBCONFIG_TRIGGER_EQP),
    ("trusted_schema", ffi::SQLITE_DBCONFIG_TRUSTED_SCHEMA),
    ("writable_schema", ffi::SQLITE_DBCONFIG_WRITABLE_SCHEMA),
];

/// `sqlite3_db_config(db, op, value, &out)` for a boolean option: `value` 1 sets it, 0
/// clears it, -1 leaves it; returns the setting afterwards. An `op` outside
/// [`DB_CONFIG_FLAGS`] is refused (returns `None`) rather than called with the wrong
/// argument types.
pub fn db_config_flag(conn: &Connection, op: i32, value: i32) -> Option<bool> {
    if !DB_CONFIG_FLAGS.iter().any(|&(_, o)| o == op) {
        return None;
    }
    let mut out: c_int = 0;
    // SAFETY: every op in DB_CONFIG_FLAGS takes exactly an int and an int* (checked above);
    // `out` outlives the call.
    let rc = unsafe { ffi::sqlite3_db_config(conn.handle(), op, value as c_int, &mut out) };
    (rc == ffi::SQLITE_OK).then_some(out != 0)
}

/// `sqlite3_status64(op, &cur, &highwater, reset)`: a process-wide memory statistic.
pub fn status64(op: i32, reset: bool) -> (i64, i64) {
    let (mut cur, mut hi): (i64, i64) = (-1, -1);
    // SAFETY: plain out-pointers to locals; an unknown op only returns an error code.
    unsafe {
        ffi::sqlite3_status64(op, &mut cur, &mut hi, c_int::from(reset));
    }
    (cur, hi)
}

/// `sqlite3_db_status(db, op, &cur, &highwater, reset)`: a per-connection statistic.
pub fn db_status(conn: &Connection, op: i32, reset: bool) -> (i32, i32) {
    let (mut cur, mut hi): (c_int, c_int) = (-1, -1);
    // SAFETY: valid handle; plain out-pointers to locals.
    unsafe {
        ffi::sqlite3_db_status(conn.handle(), op, &mut cur, &mut hi, c_int::from(reset));
    }
    (cur, hi)
}

/// `sqlite3_table_column_metadata(db, schema, table, column, …) == SQLITE_OK`: whether the
/// column exists (without the error being logged, as a failed prepare would be).
pub fn has_column(conn: &Connection, schema: &str, table: &str, column: &str) -> bool {
    let (Ok(s), Ok(t), Ok(c)) = (
        std::ffi::CString::new(schema),
        std::ffi::CString::new(table),
        std::ffi::CString::new(column),
    ) else {
        return false;
    };
    // SAFETY: NUL-terminated inputs; every optional out-pointer is null, which the API
    // allows.
    unsafe {
        ffi::sqlite3_table_column_metadata(
            conn.handle(),
            s.as_ptr(),
            t.as_ptr(),
            c.as_ptr(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
        ) == ffi::SQLITE_OK
    }
}

/// What `.vfsinfo` and `.vfslist` show of one `sqlite3_vfs` object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VfsInfo {
    /// `zName`
    pub name: Vec<u8>,
    /// `iVersion`
    pub version: i32,
    /// `szOsFile`
    pub sz_os_file: i32,
    /// `mxPathname`
    pub mx_pathname: i32,
    /// The object's address, to tell which one is in use.
    pub id: usize,
}

/// # Safety
/// `p` is null or points to a registered VFS object (they live as long as the process).
unsafe fn vfs_info(p: *const ffi::sqlite3_vfs) -> Option<VfsInfo> {
    if p.is_null() {
        return None;
    }
    // SAFETY: as the caller promised.
    let v = unsafe { &*p };
    Some(VfsInfo {
        // SAFETY: zName is NUL-terminated and static.
        name: unsafe { cstr_bytes(v.zName).to_vec() },
        version: v.iVersion,
        sz_os_file: v.szOsFile,
        mx_pathname: v.mxPathname,
        id: p as usize,
    })
}

/// Every registered VFS, the default first (`sqlite3_vfs_find(0)` and the `pNext` chain).
pub fn vfs_list() -> Vec<VfsInfo> {
    let mut out = Vec::new();
    // SAFETY: vfs_find(NULL) returns the default VFS; the chain is only read, and VFS
    // objects are never freed while litesh runs (it unregisters none).
    unsafe {
        let mut p = ffi::sqlite3_vfs_find(ptr::null());
        while let Some(info) = vfs_info(p) {
            out.push(info);
            p = (*p).pNext;
        }
    }
    out
}

fn schema_cstring(schema: &[u8]) -> Option<std::ffi::CString> {
    std::ffi::CString::new(schema.to_vec()).ok()
}

/// `SQLITE_FCNTL_VFS_POINTER` on a schema of the connection: the VFS its file uses.
pub fn vfs_of(conn: &Connection, schema: &[u8]) -> Option<VfsInfo> {
    let s = schema_cstring(schema)?;
    let mut p: *mut ffi::sqlite3_vfs = ptr::null_mut();
    // SAFETY: the file control writes one `sqlite3_vfs*` through the pointer we pass; the
    // VFS object it names lives as long as the process.
    unsafe {
        ffi::sqlite3_file_control(
            conn.handle(),
            s.as_ptr(),
            ffi::SQLITE_FCNTL_VFS_POINTER,
            (&mut p as *mut *mut ffi::sqlite3_vfs).cast(),
        );
        vfs_info(p)
    }
}

/// `SQLITE_FCNTL_VFSNAME` on a schema of the connection: the names of its VFS stack.
pub fn vfs_name(conn: &Connection, schema: &[u8]) -> Option<Vec<u8>> {
    let s = schema_cstring(schema)?;
    let mut z: *mut c_char = ptr::null_mut();
    // SAFETY: the file control stores a string from sqlite3_malloc (or leaves NULL); we copy
    // it and free it with sqlite3_free, as the API asks.
    unsafe {
        ffi::sqlite3_file_control(
            conn.handle(),
            s.as_ptr(),
            ffi::SQLITE_FCNTL_VFSNAME,
            (&mut z as *mut *mut c_char).cast(),
        );
        if z.is_null() {
            return None;
        }
        let name = cstr_bytes(z).to_vec();
        ffi::sqlite3_free(z.cast());
        Some(name)
    }
}

/// `sqlite3_load_extension(db, file, entry, &err)`: the library's message on failure.
pub fn load_extension(conn: &Connection, file: &[u8], entry: Option<&[u8]>) -> Result<(), Vec<u8>> {
    let cut = |b: &[u8]| {
        let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
        std::ffi::CString::new(&b[..end]).unwrap_or_default()
    };
    let f = cut(file);
    let e = entry.map(cut);
    let mut err: *mut c_char = ptr::null_mut();
    // SAFETY: NUL-terminated inputs; `err` receives a sqlite3_malloc'ed string (or NULL) that
    // we copy and free. Running the library's initialiser is what the user asked for, as
    // with sqlite3's `.load`; extension loading is enabled on every shell connection.
    unsafe {
        let rc = ffi::sqlite3_load_extension(
            conn.handle(),
            f.as_ptr(),
            e.as_ref().map_or(ptr::null(), |c| c.as_ptr()),
            &mut err,
        );
        if rc == ffi::SQLITE_OK {
            return Ok(());
        }
        let msg = cstr_bytes(err).to_vec();
        ffi::sqlite3_free(err.cast());
        Err(msg)
    }
}

/// The receiver of SQLite's error log (set once by [`install_log`]).
static LOG_RECEIVER: std::sync::OnceLock<fn(i32, &[u8])> = std::sync::OnceLock::new();

extern "C" fn log_trampoline(_arg: *mut std::ffi::c_void, code: c_int, msg: *const c_char) {
    if let Some(f) = LOG_RECEIVER.get() {
        // SAFETY: SQLite passes a NUL-terminated message valid for the call.
        let m = unsafe { cstr_bytes(msg) };
        // A panic must not unwind into C.
        let _ = std::panic::catch_unwind(|| f(code, m));
    }
}

/// `sqlite3_config(SQLITE_CONFIG_LOG, …)`: sends every message of SQLite's error log to
/// `receiver`. Like sqlite3's `main_init()`, this must run before the library initializes
/// (before the first connection opens); returns false when it is too late (or a receiver was
/// already installed).
pub fn install_log(receiver: fn(i32, &[u8])) -> bool {
    if LOG_RECEIVER.set(receiver).is_err() {
        return false;
    }
    type LogFn = extern "C" fn(*mut std::ffi::c_void, c_int, *const c_char);
    // SAFETY: SQLITE_CONFIG_LOG takes a function pointer of exactly this C signature and a
    // void* argument; the trampoline only reads the static receiver. sqlite3_config refuses
    // (SQLITE_MISUSE) once the library is initialized, which we report.
    let rc = unsafe {
        ffi::sqlite3_config(
            ffi::SQLITE_CONFIG_LOG,
            log_trampoline as LogFn,
            ptr::null_mut::<std::ffi::c_void>(),
        )
    };
    rc == ffi::SQLITE_OK
}

/// User and system CPU time used by this process so far, in seconds (`getrusage`), for
/// `.timer`. Zero where it is not available.
pub fn cpu_times() -> (f64, f64) {
    #[cfg(unix)]
    {
        use nix::libc;
        let mut ru = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        // SAFETY: getrusage fills the struct we pass; it was zeroed, so reading it is sound
        // even if the call failed.
        let ru = unsafe {
            libc::getrusage(libc::RUSAGE_SELF, ru.as_mut_ptr());
            ru.assume_init()
        };
        let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 0.000001;
        (secs(ru.ru_utime), secs(ru.ru_stime))
    }
    #[cfg(not(unix))]
    {
        (0.0, 0.0)
    }
}

impl Stmt<'_> {
    /// Binds text to parameter `i` (1-based); SQLite copies it.
    pub fn bind_text(&mut self, i: usize, text: &[u8]) {
        let n = c_int::try_from(text.len()).unwrap_or(c_int::MAX);
        // SAFETY: valid statement; SQLITE_TRANSIENT makes SQLite copy the bytes at once.
        unsafe {
            ffi::sqlite3_bind_text(
                self.ptr,
                i as c_int,
                text.as_ptr().cast(),
                n,
                ffi::SQLITE_TRANSIENT(),
            );
        }
    }

    /// Binds a value (of any storage class) to parameter `i` (1-based), as
    /// `sqlite3_bind_value` does with a column value; SQLite copies text and blobs.
    pub fn bind_value(&mut self, i: usize, v: &Value<'_>) {
        let ic = i as c_int;
        // SAFETY: valid statement; SQLITE_TRANSIENT makes SQLite copy text and blobs.
        unsafe {
            match *v {
                Value::Null => ffi::sqlite3_bind_null(self.ptr, ic),
                Value::Integer(n) => ffi::sqlite3_bind_int64(self.ptr, ic, n),
                Value::Real(r) => ffi::sqlite3_bind_double(self.ptr, ic, r),
                Value::Text(t) => {
                    self.bind_text(i, t);
                    ffi::SQLITE_OK
                }
                Value::Blob(b) => ffi::sqlite3_bind_blob(
                    self.ptr,
                    ic,
                    b.as_ptr().cast(),
                    c_int::try_from(b.len()).unwrap_or(c_int::MAX),
                    ffi::SQLITE_TRANSIENT(),
                ),
            };
        }
    }

    /// `sqlite3_stmt_status(stmt, op, reset)`.
    pub fn status(&self, op: i32, reset: bool) -> i32 {
        // SAFETY: valid statement; an unknown op returns 0.
        unsafe { ffi::sqlite3_stmt_status(self.ptr, op, c_int::from(reset)) }
    }

    /// `sqlite3_column_database_name`, `_table_name` and `_origin_name` of column `i`
    /// (`None` for expressions).
    pub fn column_origin(&self, i: usize) -> [Option<Vec<u8>>; 3] {
        let ic = i as c_int;
        let get = |p: *const c_char| {
            // SAFETY: NULL or a NUL-terminated string owned by the statement, copied at once.
            (!p.is_null()).then(|| unsafe { cstr_bytes(p) }.to_vec())
        };
        // SAFETY: valid statement; an out-of-range index returns NULL.
        unsafe {
            [
                get(ffi::sqlite3_column_database_name(self.ptr, ic)),
                get(ffi::sqlite3_column_table_name(self.ptr, ic)),
                get(ffi::sqlite3_column_origin_name(self.ptr, ic)),
            ]
        }
    }
}

// ------------------------------------------------------------------------------------------
// SQL functions and table-valued functions (src/functions/). rusqlite's virtual-table API is
// an `unsafe trait` (the implementing struct must start with the C base struct) and a
// function's connection handle is behind an `unsafe fn`; both are wrapped here so that the
// extensions themselves are written in safe Rust.

/// The connection a user-defined SQL function is running on (`sqlite3_context_db_handle`).
pub fn function_connection<'a>(
    ctx: &'a rusqlite::functions::Context<'_>,
) -> rusqlite::Result<rusqlite::functions::ConnectionRef<'a>> {
    // SAFETY: rusqlite marks this unsafe because the handle could leak to another thread.
    // The returned reference borrows the context, so it lives only during the function call,
    // on the connection's own thread; it never closes the handle.
    unsafe { ctx.get_connection() }
}

/// Prepares the first statement of `sql` and, unlike [`prepare`], also reports how many bytes
/// the library consumed when it fails (`sqlite3_prepare_v2`'s tail is set on errors too).
/// The error side holds `sqlite3_errmsg`.
pub fn prepare_with_tail<'c>(
    conn: &'c Connection,
    sql: &[u8],
) -> (Result<Option<Stmt<'c>>, Vec<u8>>, usize) {
    // SAFETY: as in `prepare`: explicit length, the tail points into `sql`.
    unsafe {
        let db = conn.handle();
        let mut stmt: *mut ffi::sqlite3_stmt = ptr::null_mut();
        let mut tail: *const c_char = ptr::null();
        let len = c_int::try_from(sql.len()).unwrap_or(c_int::MAX);
        let rc = ffi::sqlite3_prepare_v2(db, sql.as_ptr().cast(), len, &mut stmt, &mut tail);
        let consumed = if tail.is_null() {
            sql.len()
        } else {
            (tail as usize)
                .saturating_sub(sql.as_ptr() as usize)
                .min(sql.len())
        };
        if rc != ffi::SQLITE_OK {
            if !stmt.is_null() {
                ffi::sqlite3_finalize(stmt);
            }
            return (Err(cstr_bytes(ffi::sqlite3_errmsg(db)).to_vec()), consumed);
        }
        let stmt = (!stmt.is_null()).then_some(Stmt {
            ptr: stmt,
            db,
            _conn: PhantomData,
        });
        (Ok(stmt), consumed)
    }
}

impl Stmt<'_> {
    /// `sqlite3_stmt_readonly`: true when the statement does not write the database.
    pub fn readonly(&self) -> bool {
        // SAFETY: valid statement.
        unsafe { ffi::sqlite3_stmt_readonly(self.ptr) != 0 }
    }
}

/// The database connection of a table-valued function, kept for queries it runs itself
/// (the `completion` table reads the schema).
pub struct DbHandle(*mut ffi::sqlite3);

impl DbHandle {
    /// Runs `f` with a non-owning [`Connection`] on this handle.
    pub fn with<R>(&self, f: impl FnOnce(&Connection) -> R) -> rusqlite::Result<R> {
        // SAFETY: the handle belongs to the connection that owns the virtual table, which
        // outlives it; the borrowed Connection never closes the handle and is dropped before
        // this call returns, on the connection's thread.
        let conn = unsafe { Connection::from_handle(self.0) }?;
        Ok(f(&conn))
    }
}

/// An eponymous-only, read-only virtual table (a table-valued function) in safe Rust.
/// [`register_table_function`] turns it into a module.
pub trait TableFunction: Sized + 'static {
    /// The cursor type that walks the rows.
    type Cursor: TableCursor;
    /// What [`register_table_function_with`] hands to every table it connects (`()` for
    /// none).
    type Aux: Send + Sync + 'static;
    /// The `CREATE TABLE x(...)` statement declaring the columns.
    const SCHEMA: &'static std::ffi::CStr;
    /// `sqlite3_vtab_config` option set on connect (innocuous or direct-only).
    const CONFIG: rusqlite::vtab::VTabConfig;
    /// xConnect; `aux` is the value given at registration, if any.
    fn connect(db: DbHandle, aux: Option<&Self::Aux>) -> Self;
    /// xBestIndex: `Ok(false)` means the plan is unusable (`SQLITE_CONSTRAINT`).
    fn best_index(&self, info: &mut rusqlite::vtab::IndexInfo) -> rusqlite::Result<bool>;
    /// xOpen.
    fn open(&self) -> Self::Cursor;
}

/// The cursor of a [`TableFunction`]: the xFilter/xNext/xEof/xColumn/xRowid methods.
pub trait TableCursor: Sized {
    /// xFilter.
    fn filter(
        &mut self,
        idx_num: c_int,
        args: &rusqlite::vtab::Filters<'_>,
    ) -> rusqlite::Result<()>;
    /// xNext.
    fn next(&mut self) -> rusqlite::Result<()>;
    /// xEof.
    fn eof(&self) -> bool;
    /// xColumn.
    fn column(&self, ctx: &mut rusqlite::vtab::Context, col: c_int) -> rusqlite::Result<()>;
    /// xRowid.
    fn rowid(&self) -> rusqlite::Result<i64>;
    /// xColumn for a value worth not copying (a file's content): `Some` with the blob (or
    /// NULL, or nothing at all when `no_change` allows it) to hand to SQLite as it is,
    /// `None` to go through [`TableCursor::column`]. `no_change` is
    /// `sqlite3_vtab_nochange()`: an UPDATE that does not change the column asks.
    fn column_owned(
        &self,
        _col: c_int,
        _no_change: bool,
    ) -> Option<rusqlite::Result<Option<Vec<u8>>>> {
        None
    }
}

/// The C layout rusqlite needs for a virtual table: the base struct first.
#[repr(C)]
struct TableShim<T> {
    base: ffi::sqlite3_vtab,
    table: T,
}

/// The C layout rusqlite needs for a cursor: the base struct first.
#[repr(C)]
struct CursorShim<'vtab, C> {
    base: ffi::sqlite3_vtab_cursor,
    cursor: C,
    _table: PhantomData<&'vtab ()>,
}

// SAFETY: TableShim is #[repr(C)] with `sqlite3_vtab` as its first field.
unsafe impl<'vtab, T: TableFunction> rusqlite::vtab::VTab<'vtab> for TableShim<T> {
    type Aux = T::Aux;
    type Cursor = CursorShim<'vtab, T::Cursor>;

    fn connect(
        db: &mut rusqlite::vtab::VTabConnection,
        aux: Option<&T::Aux>,
        _module_name: &[u8],
        _database_name: &[u8],
        _table_name: &[u8],
        _args: &[&[u8]],
    ) -> rusqlite::Result<(std::borrow::Cow<'static, std::ffi::CStr>, Self)> {
        db.config(T::CONFIG)?;
        // SAFETY: the raw handle is only kept inside the table, which the connection owns.
        let handle = DbHandle(unsafe { db.handle() });
        let shim = TableShim {
            base: ffi::sqlite3_vtab::default(),
            table: T::connect(handle, aux),
        };
        Ok((std::borrow::Cow::Borrowed(T::SCHEMA), shim))
    }

    fn best_index(&self, info: &mut rusqlite::vtab::IndexInfo) -> rusqlite::Result<bool> {
        self.table.best_index(info)
    }

    fn open(&'vtab mut self) -> rusqlite::Result<Self::Cursor> {
        Ok(CursorShim::new(self.table.open()))
    }
}

impl<C> CursorShim<'_, C> {
    fn new(cursor: C) -> Self {
        CursorShim {
            base: ffi::sqlite3_vtab_cursor::default(),
            cursor,
            _table: PhantomData,
        }
    }
}

// SAFETY: CursorShim is #[repr(C)] with `sqlite3_vtab_cursor` as its first field.
unsafe impl<C: TableCursor> rusqlite::vtab::VTabCursor for CursorShim<'_, C> {
    fn filter(
        &mut self,
        idx_num: c_int,
        _idx_str: Option<&str>,
        args: &rusqlite::vtab::Filters<'_>,
    ) -> rusqlite::Result<()> {
        self.cursor.filter(idx_num, args)
    }

    fn next(&mut self) -> rusqlite::Result<()> {
        self.cursor.next()
    }

    fn eof(&self) -> bool {
        self.cursor.eof()
    }

    fn column(&self, ctx: &mut rusqlite::vtab::Context, col: c_int) -> rusqlite::Result<()> {
        self.cursor.column(ctx, col)
    }

    fn rowid(&self) -> rusqlite::Result<i64> {
        self.cursor.rowid()
    }
}

/// The module of a [`TableFunction`], a constant so that it can be borrowed for `'static`:
/// rusqlite's methods, with [`column_owned`] in front of its xColumn.
struct ModuleOf<T>(PhantomData<T>);

/// The type of `xColumn`.
type XColumn = Option<
    unsafe extern "C" fn(*mut ffi::sqlite3_vtab_cursor, *mut ffi::sqlite3_context, c_int) -> c_int,
>;

impl<T: TableFunction> ModuleOf<T> {
    /// rusqlite's module as it is.
    const ORIGINAL: ffi::sqlite3_module = {
        let module: rusqlite::vtab::Module<'static, TableShim<T>> =
            rusqlite::vtab::Module::eponymous_only_module();
        // SAFETY: rusqlite's `Module` is `#[repr(transparent)]` over `sqlite3_module`.
        unsafe { std::mem::transmute(module) }
    };
    const MODULE: ffi::sqlite3_module = {
        let mut m = Self::ORIGINAL;
        m.xColumn = Some(column_owned::<Self>);
        m
    };
}

/// A module whose cursors are [`CursorShim`]s, and its xColumn before [`column_owned`].
trait Columns {
    type Cursor: TableCursor;
    const ORIGINAL_COLUMN: XColumn;
}

impl<T: TableFunction> Columns for ModuleOf<T> {
    type Cursor = T::Cursor;
    const ORIGINAL_COLUMN: XColumn = Self::ORIGINAL.xColumn;
}

/// xColumn: [`TableCursor::column_owned`] when it has the value, else rusqlite's xColumn.
unsafe extern "C" fn column_owned<M: Columns>(
    cur: *mut ffi::sqlite3_vtab_cursor,
    ctx: *mut ffi::sqlite3_context,
    col: c_int,
) -> c_int {
    // SAFETY: SQLite calls this with a cursor of this module, a `CursorShim` (base struct
    // first), and the column's context.
    unsafe {
        let shim = &*(cur as *const CursorShim<'_, M::Cursor>);
        let no_change = ffi::sqlite3_vtab_nochange(ctx) != 0;
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            shim.cursor.column_owned(col, no_change)
        }));
        match out {
            Ok(None) => match M::ORIGINAL_COLUMN {
                Some(f) => f(cur, ctx, col),
                None => ffi::SQLITE_ERROR,
            },
            Ok(Some(Ok(Some(v)))) => {
                result_owned_blob(ctx, v);
                ffi::SQLITE_OK
            }
            Ok(Some(Ok(None))) => ffi::SQLITE_OK,
            Ok(Some(Err(e))) => set_vtab_error((*cur).pVtab, &e),
            Err(_) => ffi::SQLITE_ERROR,
        }
    }
}

/// Puts an error's message into the table's `zErrMsg` (as rusqlite does for its methods) and
/// returns its result code.
///
/// # Safety
/// `vtab` is the table of the call being answered.
unsafe fn set_vtab_error(vtab: *mut ffi::sqlite3_vtab, e: &rusqlite::Error) -> c_int {
    let (code, msg) = match e {
        rusqlite::Error::SqliteFailure(f, m) => (f.extended_code, m.clone()),
        other => (ffi::SQLITE_ERROR, Some(other.to_string())),
    };
    if let Some(m) = msg {
        let m = std::ffi::CString::new(m.replace('\0', " ")).unwrap_or_default();
        // SAFETY: the message is allocated with SQLite's allocator, which frees it.
        unsafe {
            ffi::sqlite3_free((*vtab).zErrMsg.cast());
            (*vtab).zErrMsg = ffi::sqlite3_mprintf(c"%s".as_ptr(), m.as_ptr());
        }
    }
    code
}

/// Blobs handed to SQLite without a copy, by data pointer: their lengths, which their
/// destructor (given the pointer alone) needs to free them.
static OWNED_BLOBS: std::sync::Mutex<Option<std::collections::HashMap<usize, usize>>> =
    std::sync::Mutex::new(None);

unsafe extern "C" fn drop_owned_blob(p: *mut std::ffi::c_void) {
    let len = OWNED_BLOBS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_mut()
        .and_then(|m| m.remove(&(p as usize)));
    if let Some(len) = len {
        // SAFETY: `p` and `len` are those of the boxed slice `result_owned_blob` leaked.
        drop(unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(p as *mut u8, len)) });
    }
}

/// Makes `v` the result of `ctx` without copying it: SQLite frees it when done.
///
/// # Safety
/// `ctx` is the context of the call being answered.
unsafe fn result_owned_blob(ctx: *mut ffi::sqlite3_context, v: Vec<u8>) {
    if v.is_empty() {
        // SAFETY: as the caller promised.
        unsafe { ffi::sqlite3_result_zeroblob(ctx, 0) };
        return;
    }
    let b = v.into_boxed_slice();
    let len = b.len();
    let p = Box::into_raw(b) as *mut u8;
    OWNED_BLOBS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert_with(Default::default)
        .insert(p as usize, len);
    // SAFETY: `p` points to `len` bytes that stay valid until SQLite calls the destructor
    // (also at once, when the blob is too big).
    unsafe { ffi::sqlite3_result_blob64(ctx, p.cast(), len as u64, Some(drop_owned_blob)) };
}

unsafe extern "C" fn drop_aux<A>(p: *mut std::ffi::c_void) {
    // SAFETY: `p` is the `Box<A>` `register_module` leaked, handed back once by SQLite.
    drop(unsafe { Box::from_raw(p as *mut A) });
}

/// `sqlite3_create_module_v2` with `module` and, as client data, `aux` boxed (rusqlite's
/// methods read it as `*mut A`).
fn register_module<A>(
    conn: &Connection,
    name: &CStr,
    module: &'static ffi::sqlite3_module,
    aux: Option<A>,
) -> rusqlite::Result<()> {
    let (p, free): (*mut std::ffi::c_void, ffi::sqlite3_destructor_type) = match aux {
        Some(a) => (Box::into_raw(Box::new(a)).cast(), Some(drop_aux::<A>)),
        None => (ptr::null_mut(), None),
    };
    // SAFETY: a valid handle and name; SQLite owns `p` from here and frees it with `free`
    // (also when the call fails).
    let rc =
        unsafe { ffi::sqlite3_create_module_v2(conn.handle(), name.as_ptr(), module, p, free) };
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(rusqlite::Error::SqliteFailure(ffi::Error::new(rc), None))
    }
}

/// Registers `T` as the eponymous-only module `name` (no `CREATE VIRTUAL TABLE`, as the
/// shell's extensions leave xCreate empty).
pub fn register_table_function<T: TableFunction>(
    conn: &Connection,
    name: &'static std::ffi::CStr,
) -> rusqlite::Result<()> {
    register_module::<T::Aux>(conn, name, &ModuleOf::<T>::MODULE, None)
}

/// [`register_table_function`] with a value every connected table gets (see
/// [`TableFunction::Aux`]).
pub fn register_table_function_with<T: TableFunction>(
    conn: &Connection,
    name: &'static std::ffi::CStr,
    aux: T::Aux,
) -> rusqlite::Result<()> {
    register_module(conn, name, &ModuleOf::<T>::MODULE, Some(aux))
}

// ------------------------------------------------------------------------------------------
// Schema look-ups for `.lint` and `.selftest` (src/dot/lint.rs, src/dot/selftest.rs).

/// `sqlite3_table_column_metadata(db, schema, table, column, …)`: the collating sequence of
/// the column (`BINARY` for the rowid or when none was declared), or `None` when the table
/// or column does not exist. With no column it only asks whether the table exists (and
/// then answers `BINARY`, as the API does).
pub fn column_collation(
    conn: &Connection,
    schema: &[u8],
    table: &[u8],
    column: Option<&[u8]>,
) -> Option<Vec<u8>> {
    let s = std::ffi::CString::new(schema).ok()?;
    let t = std::ffi::CString::new(table).ok()?;
    let c = match column {
        Some(c) => Some(std::ffi::CString::new(c).ok()?),
        None => None,
    };
    let mut coll: *const c_char = ptr::null();
    // SAFETY: NUL-terminated inputs that outlive the call; a null column is allowed (a
    // table-only query); the collation out-pointer receives a string owned by the schema,
    // copied before anything else runs on the connection; the other out-pointers are null.
    unsafe {
        let rc = ffi::sqlite3_table_column_metadata(
            conn.handle(),
            s.as_ptr(),
            t.as_ptr(),
            c.as_ref().map_or(ptr::null(), |c| c.as_ptr()),
            ptr::null_mut(),
            &mut coll,
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
        );
        (rc == ffi::SQLITE_OK).then(|| cstr_bytes(coll).to_vec())
    }
}

impl Stmt<'_> {
    /// `sqlite3_column_int`: column `i` of the current row converted to a 32-bit integer
    /// as SQLite converts it (text by its leading digits, a 64-bit value truncated).
    pub fn int(&self, i: usize) -> i32 {
        // SAFETY: valid statement with a current row; an out-of-range index gives 0.
        unsafe { ffi::sqlite3_column_int(self.ptr, i as c_int) }
    }
}

// ------------------------------------------------------------------------------------------
// `.auth`, `.imposter`, `.testctrl`, `.filectrl` and `.session` (src/dot/auth.rs,
// src/dot/testing.rs, src/dot/session.rs).
//
// Callback state that SQLite keeps a pointer to is owned by the connection itself, through
// `sqlite3_set_clientdata` with a destructor: it lives exactly as long as the connection (as
// the shell's per-connection state does in sqlite3), and nothing dangles when `.open`
// replaces the connection.

/// One request to an authorizer: the action code (`SQLITE_INSERT`, …) and the callback's
/// four string arguments (NULL → `None`), as the bytes SQLite passes.
pub struct AuthRequest<'a> {
    /// The action code.
    pub action: i32,
    /// The third to sixth arguments of the C callback.
    pub args: [Option<&'a [u8]>; 4],
}

/// An authorizer: returns true to allow the action, false to deny it (`SQLITE_DENY`).
pub type Authorizer = Box<dyn FnMut(&AuthRequest<'_>) -> bool + Send>;

const AUTH_CLIENTDATA: &CStr = c"litesh.authorizer";

unsafe extern "C" fn auth_trampoline(
    p: *mut std::ffi::c_void,
    action: c_int,
    a1: *const c_char,
    a2: *const c_char,
    a3: *const c_char,
    a4: *const c_char,
) -> c_int {
    let get = |s: *const c_char| {
        // SAFETY: SQLite passes NULL or NUL-terminated strings valid during the call.
        (!s.is_null()).then(|| unsafe { cstr_bytes(s) })
    };
    let req = AuthRequest {
        action,
        args: [get(a1), get(a2), get(a3), get(a4)],
    };
    // SAFETY: `p` is the `Box<Authorizer>` registered by `set_authorizer`, kept alive by the
    // connection's client data until it is replaced; SQLite calls the authorizer on the
    // connection's thread, one call at a time.
    let f = unsafe { &mut *p.cast::<Authorizer>() };
    // A panic must not unwind into C: deny instead.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&req))) {
        Ok(true) => ffi::SQLITE_OK,
        _ => ffi::SQLITE_DENY,
    }
}

unsafe extern "C" fn drop_authorizer(p: *mut std::ffi::c_void) {
    // SAFETY: `p` came from `Box::into_raw` in `set_authorizer`; SQLite calls this once.
    drop(unsafe { Box::from_raw(p.cast::<Authorizer>()) });
}

/// `sqlite3_set_authorizer` with a callback that sees the raw bytes of every argument
/// (rusqlite's authorizer needs UTF-8). `None` removes any authorizer. The callback replaces
/// whatever authorizer was set before, rusqlite's included.
pub fn set_authorizer(conn: &Connection, f: Option<Authorizer>) {
    // SAFETY: the handle is valid for the connection's lifetime.
    let db = unsafe { conn.handle() };
    // SAFETY: the new callback state is registered with SQLite before the client data that
    // owns it replaces (and frees) the previous state, so SQLite never holds a dangling
    // pointer; the client data frees the box when the connection closes.
    unsafe {
        match f {
            Some(f) => {
                let p = Box::into_raw(Box::new(f)).cast::<std::ffi::c_void>();
                ffi::sqlite3_set_authorizer(db, Some(auth_trampoline), p);
                ffi::sqlite3_set_clientdata(db, AUTH_CLIENTDATA.as_ptr(), p, Some(drop_authorizer));
            }
            None => {
                ffi::sqlite3_set_authorizer(db, None, ptr::null_mut());
                ffi::sqlite3_set_clientdata(db, AUTH_CLIENTDATA.as_ptr(), ptr::null_mut(), None);
            }
        }
    }
}

/// `sqlite3_test_control(SQLITE_TESTCTRL_IMPOSTER, db, schema, on, tnum)`: while `on` is 1,
/// the next `CREATE TABLE` on the connection only enters the in-memory schema, as a table
/// whose b-tree is page `tnum`; `on` 0 ends that (and with `tnum` > 0 reloads the schema).
/// Returns the result code.
pub fn test_imposter(conn: &Connection, schema: &[u8], on: i32, tnum: i32) -> i32 {
    let Some(s) = schema_cstring(schema) else {
        return ffi::SQLITE_ERROR;
    };
    // SAFETY: this op reads exactly (sqlite3*, const char*, int, int); the schema name is
    // NUL-terminated and outlives the call.
    unsafe {
        ffi::sqlite3_test_control(
            ffi::SQLITE_TESTCTRL_IMPOSTER,
            conn.handle(),
            s.as_ptr(),
            on as c_int,
            tnum as c_int,
        )
    }
}

/// The `sqlite3_test_control()` operations `.testctrl` runs, each with the argument types
/// that op reads (the variadic call is sound only with exactly those).
#[derive(Debug, Clone, Copy)]
pub enum TestCtrl<'a> {
    /// `SQLITE_TESTCTRL_ALWAYS, int`
    Always(i32),
    /// `SQLITE_TESTCTRL_ASSERT, int`
    Assert(i32),
    /// `SQLITE_TESTCTRL_BYTEORDER`
    ByteOrder,
    /// `SQLITE_TESTCTRL_IMPOSTER, db, schema, int, int`
    Imposter(&'a [u8], i32, i32),
    /// `SQLITE_TESTCTRL_INTERNAL_FUNCTIONS, db`
    InternalFunctions,
    /// `SQLITE_TESTCTRL_LOCALTIME_FAULT, int` (0 or 1: no function pointer follows)
    LocaltimeFault(bool),
    /// `SQLITE_TESTCTRL_NEVER_CORRUPT, int`
    NeverCorrupt(i32),
    /// `SQLITE_TESTCTRL_OPTIMIZATIONS, db, unsigned`
    Optimizations(u32),
    /// `SQLITE_TESTCTRL_PENDING_BYTE, unsigned`
    PendingByte(u32),
    /// `SQLITE_TESTCTRL_PRNG_RESTORE`
    PrngRestore,
    /// `SQLITE_TESTCTRL_PRNG_SAVE`
    PrngSave,
    /// `SQLITE_TESTCTRL_PRNG_SEED, int, db-or-NULL` (true: this connection, its schema
    /// loaded first)
    PrngSeed(i32, bool),
    /// `SQLITE_TESTCTRL_SORTER_MMAP, db, int`
    SorterMmap(i32),
}

/// Runs one [`TestCtrl`] on the connection; returns what `sqlite3_test_control` returns.
pub fn test_control(conn: &Connection, op: TestCtrl<'_>) -> i32 {
    // SAFETY: the handle is valid for the connection's lifetime.
    let db = unsafe { conn.handle() };
    // SAFETY: every arm passes exactly the arguments its op reads (see `TestCtrl`): ints,
    // unsigned ints, the connection handle, NULL, or a NUL-terminated string that outlives
    // the call.
    unsafe {
        match op {
            TestCtrl::Always(x) => ffi::sqlite3_test_control(ffi::SQLITE_TESTCTRL_ALWAYS, x),
            TestCtrl::Assert(x) => ffi::sqlite3_test_control(ffi::SQLITE_TESTCTRL_ASSERT, x),
            TestCtrl::ByteOrder => ffi::sqlite3_test_control(ffi::SQLITE_TESTCTRL_BYTEORDER),
            TestCtrl::Imposter(schema, on, tnum) => test_imposter(conn, schema, on, tnum),
            TestCtrl::InternalFunctions => {
                ffi::sqlite3_test_control(ffi::SQLITE_TESTCTRL_INTERNAL_FUNCTIONS, db)
            }
            TestCtrl::LocaltimeFault(on) => {
                ffi::sqlite3_test_control(ffi::SQLITE_TESTCTRL_LOCALTIME_FAULT, c_int::from(on))
            }
            TestCtrl::NeverCorrupt(x) => {
                ffi::sqlite3_test_control(ffi::SQLITE_TESTCTRL_NEVER_CORRUPT, x)
            }
            TestCtrl::Optimizations(mask) => ffi::sqlite3_test_control(
                ffi::SQLITE_TESTCTRL_OPTIMIZATIONS,
                db,
                mask as std::ffi::c_uint,
            ),
            TestCtrl::PendingByte(v) => {
                ffi::sqlite3_test_control(ffi::SQLITE_TESTCTRL_PENDING_BYTE, v as std::ffi::c_uint)
            }
            TestCtrl::PrngRestore => ffi::sqlite3_test_control(ffi::SQLITE_TESTCTRL_PRNG_RESTORE),
            TestCtrl::PrngSave => ffi::sqlite3_test_control(ffi::SQLITE_TESTCTRL_PRNG_SAVE),
            TestCtrl::PrngSeed(seed, with_db) => {
                let target = if with_db {
                    // The op reads the schema cookie: the schema must be loaded.
                    load_schema(conn);
                    db
                } else {
                    ptr::null_mut()
                };
                ffi::sqlite3_test_control(ffi::SQLITE_TESTCTRL_PRNG_SEED, seed, target)
            }
            TestCtrl::SorterMmap(n) => {
                ffi::sqlite3_test_control(ffi::SQLITE_TESTCTRL_SORTER_MMAP, db, n)
            }
        }
    }
}

/// `SQLITE_TESTCTRL_SEEK_COUNT`: the seek counter of the main database (0 unless the library
/// was built with SQLITE_DEBUG), and the result code.
pub fn test_seek_count(conn: &Connection) -> (i32, u64) {
    let mut n: u64 = 0;
    // SAFETY: the op reads (sqlite3*, sqlite3_uint64*); `n` outlives the call.
    let rc = unsafe {
        ffi::sqlite3_test_control(
            ffi::SQLITE_TESTCTRL_SEEK_COUNT,
            conn.handle(),
            &mut n as *mut u64,
        )
    };
    (rc, n)
}

/// Makes the connection read its schema (what sqlite3 does with
/// `sqlite3_table_column_metadata(db, 0, "x", 0, …)`); errors are ignored.
pub fn load_schema(conn: &Connection) {
    // SAFETY: NUL-terminated table name; every optional pointer is null, which the API
    // allows.
    unsafe {
        ffi::sqlite3_table_column_metadata(
            conn.handle(),
            ptr::null(),
            c"x".as_ptr(),
            ptr::null(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
        );
    }
}

/// `sqlite3_randomness` for one int.
pub fn random_int() -> i32 {
    let mut x: c_int = 0;
    // SAFETY: writes exactly size_of::<c_int>() bytes into `x`.
    unsafe {
        ffi::sqlite3_randomness(
            std::mem::size_of::<c_int>() as c_int,
            (&mut x as *mut c_int).cast(),
        )
    };
    x
}

/// The `sqlite3_file_control()` operations that take a pointer to one `int` (read and/or
/// written), as `.filectrl` uses them. Only these reach [`file_control_int`].
pub const FCNTL_INT_OPS: &[i32] = &[
    ffi::SQLITE_FCNTL_CHUNK_SIZE,
    ffi::SQLITE_FCNTL_DATA_VERSION,
    ffi::SQLITE_FCNTL_HAS_MOVED,
    ffi::SQLITE_FCNTL_LOCK_TIMEOUT,
    ffi::SQLITE_FCNTL_PERSIST_WAL,
    ffi::SQLITE_FCNTL_POWERSAFE_OVERWRITE,
    ffi::SQLITE_FCNTL_RESERVE_BYTES,
];

fn schema_ptr(schema: Option<&std::ffi::CString>) -> *const c_char {
    schema.map_or(ptr::null(), |s| s.as_ptr())
}

/// `sqlite3_file_control(db, schema, op, &value)` for an op of [`FCNTL_INT_OPS`]
/// (`schema` `None` is "main"). Returns the result code; `value` holds what the op left
/// there. Other ops are refused with `SQLITE_MISUSE`.
pub fn file_control_int(conn: &Connection, schema: Option<&[u8]>, op: i32, value: &mut i32) -> i32 {
    if !FCNTL_INT_OPS.contains(&op) {
        return ffi::SQLITE_MISUSE;
    }
    let s = match schema.map(schema_cstring) {
        Some(None) => return ffi::SQLITE_ERROR,
        Some(Some(s)) => Some(s),
        None => None,
    };
    let mut v: c_int = *value;
    // SAFETY: each op of FCNTL_INT_OPS reads and/or writes one int through the pointer
    // (DATA_VERSION an unsigned int of the same size); `v` outlives the call.
    let rc = unsafe {
        ffi::sqlite3_file_control(
            conn.handle(),
            schema_ptr(s.as_ref()),
            op,
            (&mut v as *mut c_int).cast(),
        )
    };
    *value = v;
    rc
}

/// `SQLITE_FCNTL_SIZE_LIMIT` with a value to set (or -1 to query); returns the result code
/// and the limit in force afterwards.
pub fn file_control_size_limit(conn: &Connection, schema: Option<&[u8]>, limit: i64) -> (i32, i64) {
    let s = match schema.map(schema_cstring) {
        Some(None) => return (ffi::SQLITE_ERROR, limit),
        Some(Some(s)) => Some(s),
        None => None,
    };
    let mut v: i64 = limit;
    // SAFETY: the op reads and writes one sqlite3_int64 through the pointer.
    let rc = unsafe {
        ffi::sqlite3_file_control(
            conn.handle(),
            schema_ptr(s.as_ref()),
            ffi::SQLITE_FCNTL_SIZE_LIMIT,
            (&mut v as *mut i64).cast(),
        )
    };
    (rc, v)
}

/// `SQLITE_FCNTL_TEMPFILENAME`: a name the VFS would use for a temporary file, if any.
pub fn file_control_tempfilename(conn: &Connection, schema: Option<&[u8]>) -> Option<Vec<u8>> {
    let s = match schema.map(schema_cstring) {
        Some(None) => return None,
        Some(Some(s)) => Some(s),
        None => None,
    };
    let mut z: *mut c_char = ptr::null_mut();
    // SAFETY: the op stores a string from sqlite3_malloc (or nothing) through the pointer;
    // we copy it and free it with sqlite3_free.
    unsafe {
        ffi::sqlite3_file_control(
            conn.handle(),
            schema_ptr(s.as_ref()),
            ffi::SQLITE_FCNTL_TEMPFILENAME,
            (&mut z as *mut *mut c_char).cast(),
        );
        if z.is_null() {
            return None;
        }
        let name = cstr_bytes(z).to_vec();
        ffi::sqlite3_free(z.cast());
        Some(name)
    }
}

/// One open session (`sqlite3session_*`) with its name and its table-filter patterns.
struct SessionSlot {
    name: Vec<u8>,
    session: *mut ffi::sqlite3_session,
    /// The GLOBs of rejected tables; SQLite holds a pointer to this box as the filter's
    /// context, so it is replaced (never changed in place) and dropped after the session.
    filters: Box<SessionFilters>,
}

/// The GLOB patterns of the tables a session leaves out.
#[derive(Default)]
struct SessionFilters(Vec<std::ffi::CString>);

impl Drop for SessionSlot {
    fn drop(&mut self) {
        // SAFETY: the session was created by sqlite3session_create and is deleted once,
        // here, before its filter box (fields drop after this body); the connection it
        // belongs to is still open (client data is destroyed before the connection closes).
        unsafe { ffi::sqlite3session_delete(self.session) };
    }
}

/// The sessions of one connection, in sqlite3's order (index 0 is the one in focus).
#[derive(Default)]
struct SessionSet {
    slots: Vec<SessionSlot>,
}

const SESSION_CLIENTDATA: &CStr = c"litesh.sessions";

unsafe extern "C" fn drop_sessions(p: *mut std::ffi::c_void) {
    // SAFETY: `p` came from `Box::into_raw` in `with_sessions`; SQLite calls this once.
    drop(unsafe { Box::from_raw(p.cast::<SessionSet>()) });
}

unsafe extern "C" fn session_filter(p: *mut std::ffi::c_void, table: *const c_char) -> c_int {
    // SAFETY: `p` is the filter box of a live session slot (see `SessionSlot::filters`);
    // `table` is NUL-terminated.
    let filters = unsafe { &*p.cast::<SessionFilters>() };
    for g in &filters.0 {
        // SAFETY: both strings are NUL-terminated.
        if unsafe { ffi::sqlite3_strglob(g.as_ptr(), table) } == 0 {
            return 0;
        }
    }
    1
}

/// Runs `f` on the connection's session set, created on first use.
///
/// # Safety
/// `f` must not reach the set again: it must call none of the `session_*` functions, so
/// that the `&mut` it gets is the only reference to the set. (The session module may run
/// SQL of its own, as `sqlite3session_changeset` does; no callback the shell installs
/// reaches the set.)
unsafe fn with_sessions<R>(conn: &Connection, f: impl FnOnce(&mut SessionSet) -> R) -> R {
    // SAFETY: the client data under this name is only ever a Box<SessionSet> set here; it
    // lives until the connection closes, which cannot happen while `conn` is borrowed.
    unsafe {
        let db = conn.handle();
        let mut p =
            ffi::sqlite3_get_clientdata(db, SESSION_CLIENTDATA.as_ptr()).cast::<SessionSet>();
        if p.is_null() {
            p = Box::into_raw(Box::<SessionSet>::default());
            ffi::sqlite3_set_clientdata(
                db,
                SESSION_CLIENTDATA.as_ptr(),
                p.cast(),
                Some(drop_sessions),
            );
        }
        f(&mut *p)
    }
}

/// The names of the connection's open sessions, in order.
pub fn session_names(conn: &Connection) -> Vec<Vec<u8>> {
    // SAFETY: the closure only reads the names.
    unsafe {
        with_sessions(conn, |set| {
            set.slots.iter().map(|s| s.name.clone()).collect()
        })
    }
}

/// `sqlite3session_create(db, schema)` for a new session called `name`, appended to the
/// list, with the shell's table filter (no patterns yet). The error is the result code.
pub fn session_open(conn: &Connection, schema: &[u8], name: &[u8]) -> Result<(), i32> {
    let s = schema_cstring(schema).ok_or(ffi::SQLITE_ERROR)?;
    let mut session: *mut ffi::sqlite3_session = ptr::null_mut();
    // SAFETY: NUL-terminated schema; the session pointer is written on success.
    let rc = unsafe { ffi::sqlite3session_create(conn.handle(), s.as_ptr(), &mut session) };
    if rc != ffi::SQLITE_OK {
        return Err(rc);
    }
    let filters: Box<SessionFilters> = Box::default();
    // SAFETY: the filter context is the box's heap address, stable until the slot (which
    // deletes the session first) is dropped.
    unsafe {
        ffi::sqlite3session_table_filter(
            session,
            Some(session_filter),
            (&*filters as *const SessionFilters).cast_mut().cast(),
        );
    }
    let slot = SessionSlot {
        name: name.to_vec(),
        session,
        filters,
    };
    // SAFETY: the closure only stores the new slot.
    unsafe { with_sessions(conn, |set| set.slots.push(slot)) };
    Ok(())
}

/// Closes session `i`; the last session takes its place (as in sqlite3).
pub fn session_close(conn: &Connection, i: usize) {
    // SAFETY: the closure only removes the slot, which is dropped (deleting the session)
    // after the closure returns.
    let gone = unsafe {
        with_sessions(conn, |set| {
            (i < set.slots.len()).then(|| set.slots.swap_remove(i))
        })
    };
    drop(gone);
}

fn with_session<R>(
    conn: &Connection,
    i: usize,
    f: impl FnOnce(&mut SessionSlot) -> R,
) -> Option<R> {
    // SAFETY: `f` is one of the short bodies below, which call only the library's session
    // API on one session, never another `session_*` function of this module.
    unsafe { with_sessions(conn, |set| set.slots.get_mut(i).map(f)) }
}

/// `sqlite3session_attach(session i, table)`; the result code.
pub fn session_attach(conn: &Connection, i: usize, table: &[u8]) -> i32 {
    let Some(t) = schema_cstring(table) else {
        return ffi::SQLITE_ERROR;
    };
    // SAFETY: live session, NUL-terminated table name.
    with_session(conn, i, |s| unsafe {
        ffi::sqlite3session_attach(s.session, t.as_ptr())
    })
    .unwrap_or(ffi::SQLITE_MISUSE)
}

/// `sqlite3session_changeset` (or `_patchset` when `patch`): the result code and the bytes
/// (`None` when the library returned no buffer at all, which differs from an empty one).
pub fn session_changes(conn: &Connection, i: usize, patch: bool) -> (i32, Option<Vec<u8>>) {
    with_session(conn, i, |s| {
        let mut n: c_int = 0;
        let mut p: *mut std::ffi::c_void = ptr::null_mut();
        // SAFETY: live session; the buffer comes from sqlite3_malloc, is copied, then freed.
        unsafe {
            let rc = if patch {
                ffi::sqlite3session_patchset(s.session, &mut n, &mut p)
            } else {
                ffi::sqlite3session_changeset(s.session, &mut n, &mut p)
            };
            let bytes =
                (!p.is_null()).then(|| raw_slice(p.cast::<u8>(), n.max(0) as usize).to_vec());
            ffi::sqlite3_free(p);
            (rc, bytes)
        }
    })
    .unwrap_or((ffi::SQLITE_MISUSE, None))
}

/// `sqlite3session_enable(session i, v)` (-1 queries); the flag afterwards.
pub fn session_enable(conn: &Connection, i: usize, v: i32) -> i32 {
    // SAFETY: live session.
    with_session(conn, i, |s| unsafe {
        ffi::sqlite3session_enable(s.session, v)
    })
    .unwrap_or(0)
}

/// `sqlite3session_indirect(session i, v)` (-1 queries); the flag afterwards.
pub fn session_indirect(conn: &Connection, i: usize, v: i32) -> i32 {
    // SAFETY: live session.
    with_session(conn, i, |s| unsafe {
        ffi::sqlite3session_indirect(s.session, v)
    })
    .unwrap_or(0)
}

/// `sqlite3session_isempty(session i)`.
pub fn session_isempty(conn: &Connection, i: usize) -> i32 {
    // SAFETY: live session.
    with_session(conn, i, |s| unsafe {
        ffi::sqlite3session_isempty(s.session)
    })
    .unwrap_or(1)
}

/// Replaces the GLOB patterns of tables session `i` leaves out (a NUL byte ends a
/// pattern, as in C).
pub fn session_set_filters(conn: &Connection, i: usize, patterns: &[Vec<u8>]) {
    let list: Vec<std::ffi::CString> = patterns
        .iter()
        .map(|p| {
            let end = p.iter().position(|&c| c == 0).unwrap_or(p.len());
            std::ffi::CString::new(&p[..end]).unwrap_or_default()
        })
        .collect();
    with_session(conn, i, |s| {
        let new = Box::new(SessionFilters(list));
        // SAFETY: the session now points at the new box before the old one is dropped; no
        // statement runs meanwhile (this is called from a dot-command).
        unsafe {
            ffi::sqlite3session_table_filter(
                s.session,
                Some(session_filter),
                (&*new as *const SessionFilters).cast_mut().cast(),
            );
        }
        s.filters = new;
    });
}

// ------------------------------------------------------------------------------------------
// SIGINT, as sqlite3's `interrupt_handler()`: a plain signal handler, so that the shell needs
// no thread of its own. It may only do async-signal-safe work: count the signal, call
// `sqlite3_interrupt` on the connection published here, and `_exit(1)` at the third one.
//
// The published pointer must never outlive its connection: it is withdrawn before the
// connection closes ([`withdraw_interrupt`], or the close hook of
// [`publish_interrupt_until_close`]), and withdrawing waits for any handler that may already
// hold the old pointer (a handler can run on another thread, e.g. a tokio worker of `.snapshot`
// on S3, while the main thread closes).

/// The connection SIGINT interrupts; null for none.
static INTERRUPT_TARGET: std::sync::atomic::AtomicPtr<ffi::sqlite3> =
    std::sync::atomic::AtomicPtr::new(ptr::null_mut());
/// Handlers running at this moment.
static IN_HANDLER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// The shell's count of SIGINTs (sqlite3's `seenInterrupt`), set once at installation.
static SIGINT_COUNT: std::sync::OnceLock<&'static std::sync::atomic::AtomicUsize> =
    std::sync::OnceLock::new();

extern "C" fn on_sigint(_signal: c_int) {
    use std::sync::atomic::Ordering::SeqCst;
    // Counted before the target is read, so that a withdrawal either sees this handler or
    // has already cleared the target (both sides are sequentially consistent).
    IN_HANDLER.fetch_add(1, SeqCst);
    let seen = SIGINT_COUNT.get().map_or(1, |c| c.fetch_add(1, SeqCst) + 1);
    let db = INTERRUPT_TARGET.load(SeqCst);
    if !db.is_null() {
        // SAFETY: a published handle stays valid until it is withdrawn, and withdrawing
        // waits until IN_HANDLER is back to zero. sqlite3_interrupt only sets a flag.
        unsafe { ffi::sqlite3_interrupt(db) };
    }
    IN_HANDLER.fetch_sub(1, SeqCst);
    if seen > 2 {
        // SAFETY: _exit is async-signal-safe and never returns.
        unsafe { nix::libc::_exit(1) };
    }
}

/// Waits until no SIGINT handler may still hold a withdrawn pointer.
fn wait_for_handlers() {
    while IN_HANDLER.load(std::sync::atomic::Ordering::SeqCst) != 0 {
        std::thread::yield_now();
    }
}

/// Installs the SIGINT handler (`sigaction`, restarting interrupted reads as sqlite3's
/// `signal()` does); each signal adds one to `count`. Returns false if it could not be
/// installed.
pub fn install_sigint_handler(count: &'static std::sync::atomic::AtomicUsize) -> bool {
    use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
    let _ = SIGINT_COUNT.set(count);
    let action = SigAction::new(
        SigHandler::Handler(on_sigint),
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    // SAFETY: the handler only touches atomics, calls sqlite3_interrupt (which sets a flag)
    // and _exit, all async-signal-safe.
    unsafe { sigaction(Signal::SIGINT, &action) }.is_ok()
}

/// Makes `conn` the connection SIGINT interrupts (`None`: no connection). The caller
/// withdraws it ([`withdraw_interrupt`]) before that connection closes.
pub fn publish_interrupt(conn: Option<&Connection>) {
    // SAFETY: only the handle's address is taken.
    let db = conn.map_or(ptr::null_mut(), |c| unsafe { c.handle() });
    INTERRUPT_TARGET.store(db, std::sync::atomic::Ordering::SeqCst);
    wait_for_handlers();
}

/// Stops SIGINT from reaching `conn` (if it is the published connection): call before the
/// connection closes.
pub fn withdraw_interrupt(conn: &Connection) {
    // SAFETY: only the handle's address is taken.
    withdraw_handle(unsafe { conn.handle() });
}

fn withdraw_handle(db: *mut ffi::sqlite3) {
    use std::sync::atomic::Ordering::SeqCst;
    let _ = INTERRUPT_TARGET.compare_exchange(db, ptr::null_mut(), SeqCst, SeqCst);
    wait_for_handlers();
}

/// Makes `conn` the connection SIGINT interrupts until it closes: a close hook
/// (`SQLITE_TRACE_CLOSE`) withdraws it as the close begins. For connections the shell does
/// not close itself (the scratch databases of `.verify`); the hook takes the connection's
/// trace callback, so it is not for a connection that `.trace` may use.
pub fn publish_interrupt_until_close(conn: &Connection) {
    unsafe extern "C" fn on_close(
        _mask: std::ffi::c_uint,
        _ctx: *mut std::ffi::c_void,
        p: *mut std::ffi::c_void,
        _x: *mut std::ffi::c_void,
    ) -> c_int {
        withdraw_handle(p.cast());
        0
    }
    // SAFETY: valid handle; the callback takes no context and runs while the handle is
    // still valid (at the start of sqlite3_close).
    unsafe {
        let db = conn.handle();
        ffi::sqlite3_trace_v2(
            db,
            ffi::SQLITE_TRACE_CLOSE as std::ffi::c_uint,
            Some(on_close),
            ptr::null_mut(),
        );
        INTERRUPT_TARGET.store(db, std::sync::atomic::Ordering::SeqCst);
    }
    wait_for_handlers();
}

// ------------------------------------------------------------------------------------------
// Running one prepared statement many times with borrowed values (the dump INSERTs of a
// restore, see run/bulk.rs).

/// A value to bind, borrowed for the duration of one [`Stmt::run_with`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bind<'a> {
    /// NULL
    Null,
    /// A 64-bit integer.
    Integer(i64),
    /// A double.
    Real(f64),
    /// Text bytes (not necessarily valid UTF-8).
    Text(&'a [u8]),
    /// A blob.
    Blob(&'a [u8]),
}

impl Stmt<'_> {
    /// Binds `values` to parameters 1…n, steps the statement to its end and resets it.
    /// `Err((code, message))` gives the primary result code and `sqlite3_errmsg` of a failed
    /// step.
    ///
    /// The values are bound without a copy (`SQLITE_STATIC`): they are borrowed for `'v`,
    /// which outlasts this call; SQLite reads them only while it runs, and the bindings are
    /// cleared before it returns, so the statement keeps no pointer into them.
    pub fn run_with<'v>(
        &mut self,
        values: impl IntoIterator<Item = Bind<'v>>,
    ) -> Result<(), (i32, Vec<u8>)> {
        // SAFETY: valid statement; every pointer bound below stays valid until
        // sqlite3_clear_bindings at the end of this call, and SQLite reads bound values only
        // inside sqlite3_step. Lengths are passed explicitly (no NUL terminator needed); an
        // empty slice's pointer is non-null, so empty text and blobs stay empty, not NULL.
        unsafe {
            for (i, v) in values.into_iter().enumerate() {
                let ic = (i + 1) as c_int;
                let len = |b: &[u8]| c_int::try_from(b.len()).unwrap_or(c_int::MAX);
                match v {
                    Bind::Null => ffi::sqlite3_bind_null(self.ptr, ic),
                    Bind::Integer(n) => ffi::sqlite3_bind_int64(self.ptr, ic, n),
                    Bind::Real(r) => ffi::sqlite3_bind_double(self.ptr, ic, r),
                    Bind::Text(t) => ffi::sqlite3_bind_text(
                        self.ptr,
                        ic,
                        t.as_ptr().cast(),
                        len(t),
                        ffi::SQLITE_STATIC(),
                    ),
                    Bind::Blob(b) => ffi::sqlite3_bind_blob(
                        self.ptr,
                        ic,
                        b.as_ptr().cast(),
                        len(b),
                        ffi::SQLITE_STATIC(),
                    ),
                };
            }
            let mut rc = ffi::sqlite3_step(self.ptr);
            while rc == ffi::SQLITE_ROW {
                rc = ffi::sqlite3_step(self.ptr);
            }
            let r = if rc == ffi::SQLITE_DONE {
                Ok(())
            } else {
                Err((rc & 0xff, cstr_bytes(ffi::sqlite3_errmsg(self.db)).to_vec()))
            };
            ffi::sqlite3_reset(self.ptr);
            ffi::sqlite3_clear_bindings(self.ptr);
            r
        }
    }

    /// `sqlite3_expired`: true when the statement could not be prepared again after a schema
    /// change (its last step failed for that reason, before it did anything).
    pub fn expired(&self) -> bool {
        // SAFETY: valid statement.
        unsafe { ffi::sqlite3_expired(self.ptr) != 0 }
    }
}

/// `sqlite3_limit(db, id, -1)`: the current value of a run-time limit.
pub fn limit(conn: &Connection, id: c_int) -> i32 {
    // SAFETY: valid handle; -1 only reads the limit.
    unsafe { ffi::sqlite3_limit(conn.handle(), id, -1) }
}

// ------------------------------------------------------------------------------------------
// `.expert` (src/expert/): virtual tables that are planned but never scanned. The index
// advisor declares one per table of the user's schema to watch what the planner asks of
// each scan (constraints, ORDER BY); writes are accepted and ignored, so that INSERT,
// UPDATE and DELETE statements prepare (and their triggers are planned too).

/// A writable virtual table that only takes part in planning: every scan of it is empty and
/// every write does nothing. [`register_plan_only_module`] turns it into a module.
pub trait PlanOnlyTable: Sized + 'static {
    /// The client data given to the module.
    type Aux: Send + Sync + 'static;
    /// xCreate and xConnect: the `CREATE TABLE x(...)` statement that declares the columns,
    /// and the table. `args` are the module arguments as written.
    fn connect(
        aux: Option<&Self::Aux>,
        table_name: &[u8],
        args: &[&[u8]],
    ) -> rusqlite::Result<(std::ffi::CString, Self)>;
    /// xBestIndex.
    fn best_index(&self, info: &mut rusqlite::vtab::IndexInfo) -> rusqlite::Result<()>;
}

/// The C layout rusqlite needs for a plan-only table: the base struct first.
#[repr(C)]
struct PlanShim<T> {
    base: ffi::sqlite3_vtab,
    table: T,
}

/// A cursor that is always at its end.
#[repr(C)]
struct EmptyCursor {
    base: ffi::sqlite3_vtab_cursor,
}

// SAFETY: PlanShim is #[repr(C)] with `sqlite3_vtab` as its first field.
unsafe impl<T: PlanOnlyTable> rusqlite::vtab::VTab<'_> for PlanShim<T> {
    type Aux = T::Aux;
    type Cursor = EmptyCursor;

    fn connect(
        _db: &mut rusqlite::vtab::VTabConnection,
        aux: Option<&T::Aux>,
        _module_name: &[u8],
        _database_name: &[u8],
        table_name: &[u8],
        args: &[&[u8]],
    ) -> rusqlite::Result<(std::borrow::Cow<'static, std::ffi::CStr>, Self)> {
        let (schema, table) = T::connect(aux, table_name, args)?;
        let shim = PlanShim {
            base: ffi::sqlite3_vtab::default(),
            table,
        };
        Ok((std::borrow::Cow::Owned(schema), shim))
    }

    fn best_index(&self, info: &mut rusqlite::vtab::IndexInfo) -> rusqlite::Result<bool> {
        self.table.best_index(info).map(|()| true)
    }

    fn open(&mut self) -> rusqlite::Result<EmptyCursor> {
        Ok(EmptyCursor {
            base: ffi::sqlite3_vtab_cursor::default(),
        })
    }
}

impl<T: PlanOnlyTable> rusqlite::vtab::CreateVTab<'_> for PlanShim<T> {
    const KIND: rusqlite::vtab::VTabKind = rusqlite::vtab::VTabKind::Default;
}

impl<T: PlanOnlyTable> rusqlite::vtab::UpdateVTab<'_> for PlanShim<T> {
    fn delete(&mut self, _arg: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<()> {
        Ok(())
    }

    fn insert(&mut self, _args: &rusqlite::vtab::Inserts<'_>) -> rusqlite::Result<i64> {
        Ok(0)
    }

    fn update(&mut self, _args: &rusqlite::vtab::Updates<'_>) -> rusqlite::Result<()> {
        Ok(())
    }
}

// SAFETY: EmptyCursor is #[repr(C)] with `sqlite3_vtab_cursor` as its first field.
unsafe impl rusqlite::vtab::VTabCursor for EmptyCursor {
    fn filter(
        &mut self,
        _idx_num: c_int,
        _idx_str: Option<&str>,
        _args: &rusqlite::vtab::Filters<'_>,
    ) -> rusqlite::Result<()> {
        Ok(())
    }

    fn next(&mut self) -> rusqlite::Result<()> {
        Ok(())
    }

    fn eof(&self) -> bool {
        true
    }

    fn column(&self, _ctx: &mut rusqlite::vtab::Context, _col: c_int) -> rusqlite::Result<()> {
        Ok(())
    }

    fn rowid(&self) -> rusqlite::Result<i64> {
        Ok(0)
    }
}

/// The module of a [`PlanOnlyTable`], a constant so that it can be borrowed for `'static`.
struct PlanModuleOf<T>(PhantomData<T>);

impl<T: PlanOnlyTable> PlanModuleOf<T> {
    const MODULE: rusqlite::vtab::Module<'static, PlanShim<T>> =
        rusqlite::vtab::Module::update_module();
}

/// Registers `T` as the module `name` of `conn` (for `CREATE VIRTUAL TABLE … USING name`).
pub fn register_plan_only_module<T: PlanOnlyTable>(
    conn: &Connection,
    name: &'static CStr,
    aux: T::Aux,
) -> rusqlite::Result<()> {
    conn.create_module(name, &PlanModuleOf::<T>::MODULE, Some(aux))
}

/// The raw operator code of a virtual-table constraint (`SQLITE_INDEX_CONSTRAINT_EQ` = 2,
/// …), as the C API hands it over.
pub fn constraint_op_code(op: rusqlite::vtab::IndexConstraintOp) -> u8 {
    use rusqlite::vtab::IndexConstraintOp as Op;
    match op {
        Op::SQLITE_INDEX_CONSTRAINT_EQ => 2,
        Op::SQLITE_INDEX_CONSTRAINT_GT => 4,
        Op::SQLITE_INDEX_CONSTRAINT_LE => 8,
        Op::SQLITE_INDEX_CONSTRAINT_LT => 16,
        Op::SQLITE_INDEX_CONSTRAINT_GE => 32,
        Op::SQLITE_INDEX_CONSTRAINT_MATCH => 64,
        Op::SQLITE_INDEX_CONSTRAINT_LIKE => 65,
        Op::SQLITE_INDEX_CONSTRAINT_GLOB => 66,
        Op::SQLITE_INDEX_CONSTRAINT_REGEXP => 67,
        Op::SQLITE_INDEX_CONSTRAINT_NE => 68,
        Op::SQLITE_INDEX_CONSTRAINT_ISNOT => 69,
        Op::SQLITE_INDEX_CONSTRAINT_ISNOTNULL => 70,
        Op::SQLITE_INDEX_CONSTRAINT_ISNULL => 71,
        Op::SQLITE_INDEX_CONSTRAINT_IS => 72,
        Op::SQLITE_INDEX_CONSTRAINT_LIMIT => 73,
        Op::SQLITE_INDEX_CONSTRAINT_OFFSET => 74,
        Op::SQLITE_INDEX_CONSTRAINT_FUNCTION(v) => v,
    }
}

// ------------------------------------------------------------------------------------------
// A writable virtual table with transactions (the `zipfile` table of src/functions/zipfile.rs).

/// What `sqlite3_vtab_on_conflict` says about the statement that is writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnConflict {
    /// `OR IGNORE`
    Ignore,
    /// `OR REPLACE` (also `REPLACE INTO`)
    Replace,
    /// `ABORT`, `FAIL` or `ROLLBACK`
    Other,
}

/// An eponymous virtual table that can also be created with `CREATE VIRTUAL TABLE`, can be
/// written, and takes part in transactions, in safe Rust. [`register_writable_table`] turns
/// it into a module.
pub trait WritableTable: Sized + 'static {
    /// The cursor type that walks the rows.
    type Cursor: TableCursor;
    /// The `CREATE TABLE x(...)` statement declaring the columns.
    const SCHEMA: &'static CStr;
    /// `sqlite3_vtab_config` option set on connect.
    const CONFIG: rusqlite::vtab::VTabConfig;
    /// xCreate and xConnect: `table_name` is the table's name (the module's for the
    /// eponymous table), `args` the module arguments as written.
    fn connect(db: DbHandle, table_name: &[u8], args: &[&[u8]]) -> rusqlite::Result<Self>;
    /// xBestIndex: `Ok(false)` means the plan is unusable (`SQLITE_CONSTRAINT`).
    fn best_index(&self, info: &mut rusqlite::vtab::IndexInfo) -> rusqlite::Result<bool>;
    /// xOpen.
    fn open(&mut self) -> Self::Cursor;
    /// xUpdate with its whole argument array (one value for a DELETE; otherwise the old
    /// key, the new key and one value per column), and the statement's conflict mode.
    fn update(
        &mut self,
        args: &[rusqlite::types::ValueRef<'_>],
        conflict: OnConflict,
    ) -> rusqlite::Result<()>;
    /// xBegin.
    fn begin(&mut self) -> rusqlite::Result<()>;
    /// xCommit.
    fn commit(&mut self) -> rusqlite::Result<()>;
    /// xRollback.
    fn rollback(&mut self) -> rusqlite::Result<()>;
    /// The function this table overloads through `xFindFunction` (used when a column of
    /// the table is its first argument), if any.
    const OVERLOADS: Option<&'static CStr> = None;
    /// That function: its text result (`None` for NULL), or an error message.
    fn overloaded(
        &self,
        _args: &[rusqlite::types::ValueRef<'_>],
    ) -> Result<Option<Vec<u8>>, String> {
        Ok(None)
    }
}

/// The C layout rusqlite needs for a writable table: the base struct first.
#[repr(C)]
struct WritableShim<T> {
    base: ffi::sqlite3_vtab,
    db: *mut ffi::sqlite3,
    table: T,
}

impl<T: WritableTable> WritableShim<T> {
    fn conflict(&self) -> OnConflict {
        // SAFETY: the handle of the connection that owns this table, used during one of its
        // xUpdate calls, as the API requires.
        match unsafe { ffi::sqlite3_vtab_on_conflict(self.db) } {
            ffi::SQLITE_IGNORE => OnConflict::Ignore,
            ffi::SQLITE_REPLACE => OnConflict::Replace,
            _ => OnConflict::Other,
        }
    }

    fn update_with(&mut self, args: Vec<rusqlite::types::ValueRef<'_>>) -> rusqlite::Result<()> {
        let conflict = self.conflict();
        self.table.update(&args, conflict)
    }
}

// SAFETY: WritableShim is #[repr(C)] with `sqlite3_vtab` as its first field.
unsafe impl<'vtab, T: WritableTable> rusqlite::vtab::VTab<'vtab> for WritableShim<T> {
    type Aux = ();
    type Cursor = CursorShim<'vtab, T::Cursor>;

    fn connect(
        db: &mut rusqlite::vtab::VTabConnection,
        _aux: Option<&()>,
        _module_name: &[u8],
        _database_name: &[u8],
        table_name: &[u8],
        args: &[&[u8]],
    ) -> rusqlite::Result<(std::borrow::Cow<'static, CStr>, Self)> {
        // SAFETY: the raw handle is only kept inside the table, which the connection owns.
        let raw = unsafe { db.handle() };
        let table = T::connect(DbHandle(raw), table_name, args)?;
        db.config(T::CONFIG)?;
        let shim = WritableShim {
            base: ffi::sqlite3_vtab::default(),
            db: raw,
            table,
        };
        Ok((std::borrow::Cow::Borrowed(T::SCHEMA), shim))
    }

    fn best_index(&self, info: &mut rusqlite::vtab::IndexInfo) -> rusqlite::Result<bool> {
        self.table.best_index(info)
    }

    fn open(&'vtab mut self) -> rusqlite::Result<Self::Cursor> {
        Ok(CursorShim::new(self.table.open()))
    }
}

impl<T: WritableTable> rusqlite::vtab::CreateVTab<'_> for WritableShim<T> {
    const KIND: rusqlite::vtab::VTabKind = rusqlite::vtab::VTabKind::Eponymous;
}

impl<T: WritableTable> rusqlite::vtab::UpdateVTab<'_> for WritableShim<T> {
    fn delete(&mut self, arg: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<()> {
        self.update_with(vec![arg])
    }

    fn insert(&mut self, args: &rusqlite::vtab::Inserts<'_>) -> rusqlite::Result<i64> {
        let values = args.iter().collect();
        self.update_with(values).map(|()| 0)
    }

    fn update(&mut self, args: &rusqlite::vtab::Updates<'_>) -> rusqlite::Result<()> {
        let values = args.iter().collect();
        self.update_with(values)
    }
}

impl<T: WritableTable> rusqlite::vtab::TransactionVTab<'_> for WritableShim<T> {
    fn begin(&mut self) -> rusqlite::Result<()> {
        self.table.begin()
    }

    fn commit(&mut self) -> rusqlite::Result<()> {
        self.table.commit()
    }

    fn rollback(&mut self) -> rusqlite::Result<()> {
        self.table.rollback()
    }
}

/// The module of a [`WritableTable`], a constant so that it can be borrowed for `'static`:
/// rusqlite's methods, plus `xFindFunction`, which rusqlite does not offer.
struct WritableModuleOf<T>(PhantomData<T>);

impl<T: WritableTable> WritableModuleOf<T> {
    const MODULE: ffi::sqlite3_module = {
        let module: rusqlite::vtab::Module<'static, WritableShim<T>> =
            rusqlite::vtab::Module::update_module_with_tx().without_sync();
        // SAFETY: rusqlite's `Module` is `#[repr(transparent)]` over `sqlite3_module`.
        let mut raw: ffi::sqlite3_module = unsafe { std::mem::transmute(module) };
        raw.xFindFunction = Some(find_function::<T>);
        raw.xColumn = Some(column_owned::<Self>);
        raw
    };
    /// rusqlite's xColumn.
    const ORIGINAL_XCOLUMN: XColumn = {
        let module: rusqlite::vtab::Module<'static, WritableShim<T>> =
            rusqlite::vtab::Module::update_module_with_tx().without_sync();
        // SAFETY: as above.
        let raw: ffi::sqlite3_module = unsafe { std::mem::transmute(module) };
        raw.xColumn
    };
}

impl<T: WritableTable> Columns for WritableModuleOf<T> {
    type Cursor = T::Cursor;
    const ORIGINAL_COLUMN: XColumn = Self::ORIGINAL_XCOLUMN;
}

/// `xFindFunction`: [`WritableTable::OVERLOADS`], bound to this table.
unsafe extern "C" fn find_function<T: WritableTable>(
    vtab: *mut ffi::sqlite3_vtab,
    _n_arg: c_int,
    name: *const c_char,
    px_func: *mut Option<
        unsafe extern "C" fn(*mut ffi::sqlite3_context, c_int, *mut *mut ffi::sqlite3_value),
    >,
    pp_arg: *mut *mut std::ffi::c_void,
) -> c_int {
    let Some(f) = T::OVERLOADS else {
        return 0;
    };
    // SAFETY: SQLite passes a NUL-terminated name and valid out-pointers.
    unsafe {
        if !CStr::from_ptr(name)
            .to_bytes()
            .eq_ignore_ascii_case(f.to_bytes())
        {
            return 0;
        }
        *px_func = Some(call_overloaded::<T>);
        *pp_arg = vtab.cast();
    }
    1
}

/// The overloaded function: its user data is the table it was found on.
unsafe extern "C" fn call_overloaded<T: WritableTable>(
    ctx: *mut ffi::sqlite3_context,
    argc: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: the user data is the `WritableShim<T>` `find_function` handed over, which lives
    // as long as the statement that calls the function; `argv` holds `argc` values.
    unsafe {
        let shim = &*(ffi::sqlite3_user_data(ctx) as *const WritableShim<T>);
        let raw: &[*mut ffi::sqlite3_value] = if argc > 0 {
            std::slice::from_raw_parts(argv, argc as usize)
        } else {
            &[]
        };
        let args: Vec<rusqlite::types::ValueRef<'_>> = raw.iter().map(|&v| value_ref(v)).collect();
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            shim.table.overloaded(&args)
        }));
        match out {
            Ok(Ok(Some(text))) => ffi::sqlite3_result_text64(
                ctx,
                text.as_ptr().cast(),
                text.len() as u64,
                ffi::SQLITE_TRANSIENT(),
                ffi::SQLITE_UTF8 as u8,
            ),
            Ok(Ok(None)) => {}
            Ok(Err(msg)) => ffi::sqlite3_result_error(
                ctx,
                msg.as_ptr().cast(),
                c_int::try_from(msg.len()).unwrap_or(c_int::MAX),
            ),
            Err(_) => ffi::sqlite3_result_error(ctx, c"internal error in a function".as_ptr(), -1),
        }
    }
}

/// Registers `T` as the module `name` of `conn`: eponymous (usable as a table-valued
/// function) and for `CREATE VIRTUAL TABLE … USING name(…)`. Its overloaded function, if it
/// has one, is declared too (`sqlite3_overload_function`: used anywhere else it fails with
/// `unable to use function NAME in the requested context`).
pub fn register_writable_table<T: WritableTable>(
    conn: &Connection,
    name: &'static CStr,
) -> rusqlite::Result<()> {
    register_module::<()>(conn, name, &WritableModuleOf::<T>::MODULE, None)?;
    let Some(f) = T::OVERLOADS else {
        return Ok(());
    };
    // SAFETY: a valid connection handle and a NUL-terminated name.
    let rc = unsafe { ffi::sqlite3_overload_function(conn.handle(), f.as_ptr(), -1) };
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(rusqlite::Error::SqliteFailure(ffi::Error::new(rc), None))
    }
}

// ------------------------------------------------------------------------------------------
// Scalar functions that hand a value back as it came (rusqlite's functions can only return
// text that is valid UTF-8, and copy an argument to return it).

/// What a function registered with [`create_function`] returns.
pub enum FnOut {
    /// Argument `i` unchanged, type and bytes (`sqlite3_result_value`): text that is not
    /// UTF-8 stays as it is.
    Arg(usize),
    /// A blob, handed to SQLite without a copy.
    Blob(Vec<u8>),
}

/// The body of a function registered with [`create_function`]: the arguments, then the
/// result or an error message (`sqlite3_result_error`).
type FnBody = Box<dyn Fn(&[rusqlite::types::ValueRef<'_>]) -> Result<FnOut, String> + Send>;

/// A `sqlite3_value` as a [`rusqlite::types::ValueRef`].
///
/// # Safety
/// `v` is a protected value valid for `'a`.
unsafe fn value_ref<'a>(v: *mut ffi::sqlite3_value) -> rusqlite::types::ValueRef<'a> {
    use rusqlite::types::ValueRef;
    // SAFETY: as the caller promised; the pointers returned stay valid while the value is
    // not converted again, and are read with the byte count SQLite gives.
    unsafe {
        match ffi::sqlite3_value_type(v) {
            ffi::SQLITE_NULL => ValueRef::Null,
            ffi::SQLITE_INTEGER => ValueRef::Integer(ffi::sqlite3_value_int64(v)),
            ffi::SQLITE_FLOAT => ValueRef::Real(ffi::sqlite3_value_double(v)),
            ffi::SQLITE_TEXT => {
                let p = ffi::sqlite3_value_text(v);
                let n = ffi::sqlite3_value_bytes(v).max(0) as usize;
                ValueRef::Text(raw_slice(p, n))
            }
            _ => {
                let p = ffi::sqlite3_value_blob(v) as *const u8;
                let n = ffi::sqlite3_value_bytes(v).max(0) as usize;
                ValueRef::Blob(raw_slice(p, n))
            }
        }
    }
}

unsafe extern "C" fn call_function(
    ctx: *mut ffi::sqlite3_context,
    argc: c_int,
    argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: the user data is the `FnBody` boxed by `create_function`, alive until its
    // destructor runs; `argv` holds `argc` protected values for the duration of the call.
    unsafe {
        let body = &*(ffi::sqlite3_user_data(ctx) as *const FnBody);
        let raw: &[*mut ffi::sqlite3_value] = if argc > 0 {
            std::slice::from_raw_parts(argv, argc as usize)
        } else {
            &[]
        };
        let args: Vec<rusqlite::types::ValueRef<'_>> = raw.iter().map(|&v| value_ref(v)).collect();
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(&args)));
        match out {
            Ok(Ok(FnOut::Arg(i))) => match raw.get(i) {
                Some(&v) => ffi::sqlite3_result_value(ctx, v),
                None => ffi::sqlite3_result_null(ctx),
            },
            Ok(Ok(FnOut::Blob(b))) => result_owned_blob(ctx, b),
            Ok(Err(msg)) => ffi::sqlite3_result_error(
                ctx,
                msg.as_ptr().cast(),
                c_int::try_from(msg.len()).unwrap_or(c_int::MAX),
            ),
            Err(_) => ffi::sqlite3_result_error(ctx, c"internal error in a function".as_ptr(), -1),
        }
    }
}

unsafe extern "C" fn drop_function(p: *mut std::ffi::c_void) {
    // SAFETY: `p` is the pointer `create_function` leaked, handed back once by SQLite.
    drop(unsafe { Box::from_raw(p as *mut FnBody) });
}

/// Registers the scalar function `name` with `n_arg` arguments (-1 for any) on `conn`.
pub fn create_function(
    conn: &Connection,
    name: &CStr,
    n_arg: c_int,
    flags: rusqlite::functions::FunctionFlags,
    body: impl Fn(&[rusqlite::types::ValueRef<'_>]) -> Result<FnOut, String> + Send + 'static,
) -> rusqlite::Result<()> {
    let boxed: Box<FnBody> = Box::new(Box::new(body));
    let p = Box::into_raw(boxed);
    // SAFETY: a valid connection handle and NUL-terminated name; SQLite owns `p` from here
    // and calls `drop_function` once, also when the registration fails.
    let rc = unsafe {
        ffi::sqlite3_create_function_v2(
            conn.handle(),
            name.as_ptr(),
            n_arg,
            flags.bits(),
            p.cast(),
            Some(call_function),
            None,
            None,
            Some(drop_function),
        )
    };
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(rusqlite::Error::SqliteFailure(ffi::Error::new(rc), None))
    }
}
