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
    /// The `CREATE TABLE x(...)` statement declaring the columns.
    const SCHEMA: &'static std::ffi::CStr;
    /// `sqlite3_vtab_config` option set on connect (innocuous or direct-only).
    const CONFIG: rusqlite::vtab::VTabConfig;
    /// xConnect.
    fn connect(db: DbHandle) -> Self;
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
    type Aux = ();
    type Cursor = CursorShim<'vtab, T::Cursor>;

    fn connect(
        db: &mut rusqlite::vtab::VTabConnection,
        _aux: Option<&()>,
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
            table: T::connect(handle),
        };
        Ok((std::borrow::Cow::Borrowed(T::SCHEMA), shim))
    }

    fn best_index(&self, info: &mut rusqlite::vtab::IndexInfo) -> rusqlite::Result<bool> {
        self.table.best_index(info)
    }

    fn open(&'vtab mut self) -> rusqlite::Result<Self::Cursor> {
        Ok(CursorShim {
            base: ffi::sqlite3_vtab_cursor::default(),
            cursor: self.table.open(),
            _table: PhantomData,
        })
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

/// The module of a [`TableFunction`], a constant so that it can be borrowed for `'static`.
struct ModuleOf<T>(PhantomData<T>);

impl<T: TableFunction> ModuleOf<T> {
    const MODULE: rusqlite::vtab::Module<'static, TableShim<T>> =
        rusqlite::vtab::Module::eponymous_only_module();
}

/// Registers `T` as the eponymous-only module `name` (no `CREATE VIRTUAL TABLE`, as the
/// shell's extensions leave xCreate empty).
pub fn register_table_function<T: TableFunction>(
    conn: &Connection,
    name: &'static std::ffi::CStr,
) -> rusqlite::Result<()> {
    conn.create_module(name, &ModuleOf::<T>::MODULE, None)
}
