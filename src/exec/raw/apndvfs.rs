//! The append VFS, `apndvfs`: an SQLite database stored at the end of another file (an
//! executable, a text file, anything), as sqlite3 3.40.1's shell registers it.
//!
//! This is a child of `exec/raw.rs` and shares its permission to use `unsafe`: it is a shim
//! registered with `sqlite3_vfs_register` over the VFS that is the default when it is
//! registered, so every method is a C callback. Nothing else in the crate touches it except
//! through [`register`] and the VFS name.
//!
//! The on-disk format is SQLite's `ext/misc/appendvfs.c` format, so files move freely
//! between litesh and sqlite3:
//!
//! ```text
//! +-------------+---------+----------+--------------------------------------+
//! | host file   | padding | database | "Start-Of-SQLite3-" + 8-byte offset  |
//! +-------------+---------+----------+--------------------------------------+
//!                         ^ page one (the offset, big-endian; a multiple of 512)
//! ```
//!
//! A new database starts at the host file's size rounded up to 4096 (0 for an empty or new
//! file). Opening a main database decides, in this order: a file that ends with a valid
//! trailer (its offset a multiple of 512 leaving room for at least one 512-byte page, the
//! file size 25 more than a multiple of 512, and an SQLite header at the offset) is an
//! appended database; a file whose size is a multiple of 512 and that starts with the SQLite
//! header is an ordinary database, and the shim steps aside (its file object becomes the
//! underlying VFS's own); anything else gets a new appended database when the open may
//! create, else `SQLITE_CANTOPEN`. Nothing is written until the first page is: the trailer
//! goes out before any write that reaches past it, and before a truncation. The whole file
//! stays below 1 GiB (`SQLITE_FULL` past that). Journals and temporary files are the
//! underlying VFS's own.

use std::ffi::{c_char, c_int, c_void};
use std::ptr;
use std::sync::OnceLock;

use rusqlite::ffi;

/// The VFS's name.
pub const NAME: &str = "apndvfs";

const MARK_PREFIX: &[u8; 17] = b"Start-Of-SQLite3-";
const MARK_SIZE: i64 = 25;
/// The whole file (host, database and trailer) stays below this.
const MAX_SIZE: i64 = 0x4000_0000;
/// New databases start at a multiple of this.
const ROUNDUP: i64 = 4096;
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The shim's part of an open file. The underlying VFS's file object follows it in the same
/// allocation (`szOsFile` is the underlying size plus this struct's).
#[repr(C)]
struct ApndFile {
    base: ffi::sqlite3_file,
    /// Offset of the database's first byte in the file.
    pg_one: i64,
    /// Offset of the trailer, or -1 while none has been written.
    mark: i64,
}

/// Registers `apndvfs` (not as the default) over the VFS that is the default now; later
/// calls do nothing. False when SQLite refused.
pub fn register() -> bool {
    static DONE: OnceLock<bool> = OnceLock::new();
    *DONE.get_or_init(|| {
        // SAFETY: vfs_find(NULL) initializes the library and returns the default VFS (or
        // NULL); the new VFS object is leaked, so it outlives every connection as SQLite
        // requires of a registered VFS.
        unsafe {
            let orig = ffi::sqlite3_vfs_find(ptr::null());
            if orig.is_null() {
                return false;
            }
            let vfs = Box::into_raw(Box::new(ffi::sqlite3_vfs {
                iVersion: (*orig).iVersion,
                szOsFile: (*orig).szOsFile + std::mem::size_of::<ApndFile>() as c_int,
                mxPathname: 1024,
                pNext: ptr::null_mut(),
                zName: c"apndvfs".as_ptr(),
                pAppData: orig.cast(),
                xOpen: Some(x_open),
                xDelete: Some(x_delete),
                xAccess: Some(x_access),
                xFullPathname: Some(x_full_pathname),
                xDlOpen: Some(x_dl_open),
                xDlError: Some(x_dl_error),
                xDlSym: Some(x_dl_sym),
                xDlClose: Some(x_dl_close),
                xRandomness: Some(x_randomness),
                xSleep: Some(x_sleep),
                xCurrentTime: Some(x_current_time),
                xGetLastError: Some(x_get_last_error),
                xCurrentTimeInt64: Some(x_current_time_int64),
                xSetSystemCall: Some(x_set_system_call),
                xGetSystemCall: Some(x_get_system_call),
                xNextSystemCall: Some(x_next_system_call),
            }));
            ffi::sqlite3_vfs_register(vfs, 0) == ffi::SQLITE_OK
        }
    })
}

static IO_METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 3,
    xClose: Some(x_close),
    xRead: Some(x_read),
    xWrite: Some(x_write),
    xTruncate: Some(x_truncate),
    xSync: Some(x_sync),
    xFileSize: Some(x_file_size),
    xLock: Some(x_lock),
    xUnlock: Some(x_unlock),
    xCheckReservedLock: Some(x_check_reserved_lock),
    xFileControl: Some(x_file_control),
    xSectorSize: Some(x_sector_size),
    xDeviceCharacteristics: Some(x_device_characteristics),
    xShmMap: Some(x_shm_map),
    xShmLock: Some(x_shm_lock),
    xShmBarrier: Some(x_shm_barrier),
    xShmUnmap: Some(x_shm_unmap),
    xFetch: Some(x_fetch),
    xUnfetch: Some(x_unfetch),
};

// ---------------------------------------------------------------------------------------
// Helpers. Every `unsafe fn` here takes pointers SQLite handed to a VFS callback: a file
// object this shim opened (with the underlying file right after the `ApndFile`), or the
// registered `apndvfs` object (whose `pAppData` is the underlying VFS).
// ---------------------------------------------------------------------------------------

/// The shim's state of an open file.
///
/// # Safety
/// `f` is a file object opened by [`x_open`] as an appended or new database.
unsafe fn state<'a>(f: *mut ffi::sqlite3_file) -> &'a mut ApndFile {
    // SAFETY: as the caller promised, `f` starts with an `ApndFile`.
    unsafe { &mut *f.cast::<ApndFile>() }
}

/// The underlying file object, right after the `ApndFile`.
///
/// # Safety
/// As for [`state`].
unsafe fn orig_file(f: *mut ffi::sqlite3_file) -> *mut ffi::sqlite3_file {
    // SAFETY: the allocation is `szOsFile` bytes: the ApndFile, then the underlying file.
    unsafe { f.cast::<ApndFile>().add(1).cast() }
}

/// The underlying file's methods.
///
/// # Safety
/// `f` is an open file object of the underlying VFS.
unsafe fn methods<'a>(f: *mut ffi::sqlite3_file) -> &'a ffi::sqlite3_io_methods {
    // SAFETY: an open file object has its methods set, and they are static.
    unsafe { &*(*f).pMethods }
}

/// The VFS under the shim.
///
/// # Safety
/// `v` is the registered `apndvfs` object.
unsafe fn orig_vfs<'a>(v: *mut ffi::sqlite3_vfs) -> (*mut ffi::sqlite3_vfs, &'a ffi::sqlite3_vfs) {
    // SAFETY: pAppData was set to the underlying VFS, which lives as long as the process.
    unsafe {
        let o: *mut ffi::sqlite3_vfs = (*v).pAppData.cast();
        (o, &*o)
    }
}

/// Reads `buf.len()` bytes at `offset` of an underlying file.
///
/// # Safety
/// `f` is an open file object of the underlying VFS.
unsafe fn read_at(f: *mut ffi::sqlite3_file, buf: &mut [u8], offset: i64) -> c_int {
    // SAFETY: the buffer is valid for its length.
    unsafe {
        match methods(f).xRead {
            Some(read) => read(f, buf.as_mut_ptr().cast(), buf.len() as c_int, offset),
            None => ffi::SQLITE_IOERR,
        }
    }
}

/// The database offset named by a valid trailer at the end of a file of `size` bytes, or
/// -1: the trailer must end the file at 25 bytes past a multiple of 512, and its offset be
/// a multiple of 512 that leaves at least one 512-byte page before the trailer.
///
/// # Safety
/// `f` is an open file object of the underlying VFS.
unsafe fn read_mark(size: i64, f: *mut ffi::sqlite3_file) -> i64 {
    if size & 0x1ff != MARK_SIZE {
        return -1;
    }
    let mut a = [0u8; MARK_SIZE as usize];
    // SAFETY: as the caller promised.
    if unsafe { read_at(f, &mut a, size - MARK_SIZE) } != ffi::SQLITE_OK || &a[..17] != MARK_PREFIX
    {
        return -1;
    }
    let mut offset = i64::from(a[17] & 0x7f);
    for b in &a[18..] {
        offset = (offset << 8) | i64::from(*b);
    }
    if offset > size - MARK_SIZE - 512 || offset & 0x1ff != 0 {
        return -1;
    }
    offset
}

/// True for a file that holds an appended database: a valid trailer and an SQLite header
/// where it points.
///
/// # Safety
/// `f` is an open file object of the underlying VFS.
unsafe fn is_appended_database(size: i64, f: *mut ffi::sqlite3_file) -> bool {
    // SAFETY: as the caller promised.
    let at = unsafe { read_mark(size, f) };
    if at < 0 {
        return false;
    }
    let mut hdr = [0u8; 16];
    // SAFETY: as the caller promised.
    let rc = unsafe { read_at(f, &mut hdr, at) };
    rc == ffi::SQLITE_OK && &hdr == SQLITE_HEADER && size >= 512 + MARK_SIZE
}

/// True for an ordinary database file: no appended database, a size that is a multiple of
/// 512, and the SQLite header at its start. (An empty file is not one: the shim appends a
/// new database to it, at offset 0.)
///
/// # Safety
/// `f` is an open file object of the underlying VFS.
unsafe fn is_ordinary_database(size: i64, f: *mut ffi::sqlite3_file) -> bool {
    // SAFETY: as the caller promised.
    unsafe {
        if is_appended_database(size, f) || size & 0x1ff != 0 {
            return false;
        }
        let mut hdr = [0u8; 16];
        read_at(f, &mut hdr, 0) == ffi::SQLITE_OK && &hdr == SQLITE_HEADER
    }
}

/// Writes the trailer for a database of `end` bytes (so at `pg_one + end`); `mark` follows
/// only when the write succeeded.
///
/// # Safety
/// `f` is a file object opened by [`x_open`] as an appended or new database.
unsafe fn write_mark(f: *mut ffi::sqlite3_file, end: i64) -> c_int {
    // SAFETY: as the caller promised.
    unsafe {
        let st = state(f);
        let base = orig_file(f);
        let mut a = [0u8; MARK_SIZE as usize];
        a[..17].copy_from_slice(MARK_PREFIX);
        a[17..].copy_from_slice(&st.pg_one.to_be_bytes());
        let at = end + st.pg_one;
        let rc = match methods(base).xWrite {
            Some(write) => write(base, a.as_ptr().cast(), MARK_SIZE as c_int, at),
            None => ffi::SQLITE_IOERR,
        };
        if rc == ffi::SQLITE_OK {
            st.mark = at;
        }
        rc
    }
}

// ---------------------------------------------------------------------------------------
// The file methods.
// ---------------------------------------------------------------------------------------

unsafe extern "C" fn x_close(f: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: SQLite closes a file this shim opened.
    unsafe {
        let base = orig_file(f);
        match methods(base).xClose {
            Some(close) => close(base),
            None => ffi::SQLITE_OK,
        }
    }
}

unsafe extern "C" fn x_read(
    f: *mut ffi::sqlite3_file,
    buf: *mut c_void,
    amt: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    // SAFETY: SQLite passes a file this shim opened and a buffer of `amt` bytes.
    unsafe {
        let at = state(f).pg_one + offset;
        let base = orig_file(f);
        match methods(base).xRead {
            Some(read) => read(base, buf, amt, at),
            None => ffi::SQLITE_IOERR_READ,
        }
    }
}

unsafe extern "C" fn x_write(
    f: *mut ffi::sqlite3_file,
    buf: *const c_void,
    amt: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    // SAFETY: SQLite passes a file this shim opened and a buffer of `amt` bytes.
    unsafe {
        let end = offset + i64::from(amt);
        let (pg_one, mark) = {
            let st = state(f);
            (st.pg_one, st.mark)
        };
        if end + pg_one >= MAX_SIZE - MARK_SIZE {
            return ffi::SQLITE_FULL;
        }
        // The trailer goes out first when there is none yet or this write reaches past it.
        if mark < 0 || pg_one + end > mark {
            let rc = write_mark(f, end);
            if rc != ffi::SQLITE_OK {
                return rc;
            }
        }
        let base = orig_file(f);
        match methods(base).xWrite {
            Some(write) => write(base, buf, amt, pg_one + offset),
            None => ffi::SQLITE_IOERR_WRITE,
        }
    }
}

unsafe extern "C" fn x_truncate(f: *mut ffi::sqlite3_file, size: ffi::sqlite3_int64) -> c_int {
    // SAFETY: SQLite passes a file this shim opened.
    unsafe {
        // The trailer moves first, so a failed truncation still leaves one.
        if write_mark(f, size) != ffi::SQLITE_OK {
            return ffi::SQLITE_IOERR;
        }
        let keep = state(f).mark + MARK_SIZE;
        let base = orig_file(f);
        match methods(base).xTruncate {
            Some(truncate) => truncate(base, keep),
            None => ffi::SQLITE_IOERR_TRUNCATE,
        }
    }
}

unsafe extern "C" fn x_sync(f: *mut ffi::sqlite3_file, flags: c_int) -> c_int {
    // SAFETY: SQLite passes a file this shim opened.
    unsafe {
        let base = orig_file(f);
        match methods(base).xSync {
            Some(sync) => sync(base, flags),
            None => ffi::SQLITE_OK,
        }
    }
}

unsafe extern "C" fn x_file_size(
    f: *mut ffi::sqlite3_file,
    size: *mut ffi::sqlite3_int64,
) -> c_int {
    // SAFETY: SQLite passes a file this shim opened and a place for the size.
    unsafe {
        let st = state(f);
        *size = if st.mark >= 0 { st.mark - st.pg_one } else { 0 };
    }
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_lock(f: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    // SAFETY: SQLite passes a file this shim opened.
    unsafe {
        let base = orig_file(f);
        match methods(base).xLock {
            Some(lock) => lock(base, level),
            None => ffi::SQLITE_OK,
        }
    }
}

unsafe extern "C" fn x_unlock(f: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    // SAFETY: SQLite passes a file this shim opened.
    unsafe {
        let base = orig_file(f);
        match methods(base).xUnlock {
            Some(unlock) => unlock(base, level),
            None => ffi::SQLITE_OK,
        }
    }
}

unsafe extern "C" fn x_check_reserved_lock(f: *mut ffi::sqlite3_file, out: *mut c_int) -> c_int {
    // SAFETY: SQLite passes a file this shim opened and a place for the answer.
    unsafe {
        let base = orig_file(f);
        match methods(base).xCheckReservedLock {
            Some(check) => check(base, out),
            None => {
                *out = 0;
                ffi::SQLITE_OK
            }
        }
    }
}

unsafe extern "C" fn x_file_control(
    f: *mut ffi::sqlite3_file,
    op: c_int,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: SQLite passes a file this shim opened and the argument `op` defines: an
    // `sqlite3_int64*` for SIZE_HINT, a `char**` for VFSNAME.
    unsafe {
        let pg_one = state(f).pg_one;
        let base = orig_file(f);
        if op == ffi::SQLITE_FCNTL_SIZE_HINT {
            *arg.cast::<i64>() += pg_one;
        }
        let rc = match methods(base).xFileControl {
            Some(control) => control(base, op, arg),
            None => ffi::SQLITE_NOTFOUND,
        };
        if rc == ffi::SQLITE_OK && op == ffi::SQLITE_FCNTL_VFSNAME {
            // `apnd(OFFSET)/` before the underlying name, in memory SQLite will free.
            let slot = arg.cast::<*mut c_char>();
            let old = *slot;
            let mut name = format!("apnd({pg_one})/").into_bytes();
            if !old.is_null() {
                name.extend_from_slice(std::ffi::CStr::from_ptr(old).to_bytes());
                ffi::sqlite3_free(old.cast());
            }
            let p: *mut u8 = ffi::sqlite3_malloc64(name.len() as u64 + 1).cast();
            if p.is_null() {
                *slot = ptr::null_mut();
                return ffi::SQLITE_NOMEM;
            }
            ptr::copy_nonoverlapping(name.as_ptr(), p, name.len());
            *p.add(name.len()) = 0;
            *slot = p.cast();
        }
        rc
    }
}

unsafe extern "C" fn x_sector_size(f: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: SQLite passes a file this shim opened.
    unsafe {
        let base = orig_file(f);
        match methods(base).xSectorSize {
            Some(sector) => sector(base),
            None => 4096,
        }
    }
}

unsafe extern "C" fn x_device_characteristics(f: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: SQLite passes a file this shim opened.
    unsafe {
        let base = orig_file(f);
        match methods(base).xDeviceCharacteristics {
            Some(dc) => dc(base),
            None => 0,
        }
    }
}

unsafe extern "C" fn x_shm_map(
    f: *mut ffi::sqlite3_file,
    region: c_int,
    size: c_int,
    extend: c_int,
    out: *mut *mut c_void,
) -> c_int {
    // SAFETY: SQLite passes a file this shim opened and a place for the mapping.
    unsafe {
        let base = orig_file(f);
        match methods(base) {
            m if m.iVersion >= 2 && m.xShmMap.is_some() => {
                m.xShmMap.expect("checked")(base, region, size, extend, out)
            }
            _ => ffi::SQLITE_IOERR_SHMMAP,
        }
    }
}

unsafe extern "C" fn x_shm_lock(
    f: *mut ffi::sqlite3_file,
    offset: c_int,
    n: c_int,
    flags: c_int,
) -> c_int {
    // SAFETY: SQLite passes a file this shim opened.
    unsafe {
        let base = orig_file(f);
        match methods(base) {
            m if m.iVersion >= 2 && m.xShmLock.is_some() => {
                m.xShmLock.expect("checked")(base, offset, n, flags)
            }
            _ => ffi::SQLITE_IOERR_SHMLOCK,
        }
    }
}

unsafe extern "C" fn x_shm_barrier(f: *mut ffi::sqlite3_file) {
    // SAFETY: SQLite passes a file this shim opened.
    unsafe {
        let base = orig_file(f);
        let m = methods(base);
        if m.iVersion >= 2 {
            if let Some(barrier) = m.xShmBarrier {
                barrier(base);
            }
        }
    }
}

unsafe extern "C" fn x_shm_unmap(f: *mut ffi::sqlite3_file, delete: c_int) -> c_int {
    // SAFETY: SQLite passes a file this shim opened.
    unsafe {
        let base = orig_file(f);
        match methods(base) {
            m if m.iVersion >= 2 && m.xShmUnmap.is_some() => {
                m.xShmUnmap.expect("checked")(base, delete)
            }
            _ => ffi::SQLITE_OK,
        }
    }
}

unsafe extern "C" fn x_fetch(
    f: *mut ffi::sqlite3_file,
    offset: ffi::sqlite3_int64,
    amt: c_int,
    out: *mut *mut c_void,
) -> c_int {
    // SAFETY: SQLite passes a file this shim opened and a place for the pointer.
    unsafe {
        let (pg_one, mark) = {
            let st = state(f);
            (st.pg_one, st.mark)
        };
        // Nothing can be mapped that is not written yet.
        if mark < 0 || offset + i64::from(amt) > mark {
            return ffi::SQLITE_IOERR;
        }
        let base = orig_file(f);
        match methods(base) {
            m if m.iVersion >= 3 && m.xFetch.is_some() => {
                m.xFetch.expect("checked")(base, offset + pg_one, amt, out)
            }
            _ => {
                *out = ptr::null_mut();
                ffi::SQLITE_OK
            }
        }
    }
}

unsafe extern "C" fn x_unfetch(
    f: *mut ffi::sqlite3_file,
    offset: ffi::sqlite3_int64,
    p: *mut c_void,
) -> c_int {
    // SAFETY: SQLite passes a file this shim opened.
    unsafe {
        let pg_one = state(f).pg_one;
        let base = orig_file(f);
        match methods(base) {
            m if m.iVersion >= 3 && m.xUnfetch.is_some() => {
                m.xUnfetch.expect("checked")(base, offset + pg_one, p)
            }
            _ => ffi::SQLITE_OK,
        }
    }
}

// ---------------------------------------------------------------------------------------
// The VFS methods: opening decides what the file is; the rest pass through.
// ---------------------------------------------------------------------------------------

unsafe extern "C" fn x_open(
    vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    f: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    // SAFETY: SQLite passes this VFS, a file object of `szOsFile` bytes and the flags; the
    // underlying VFS opens its own file object right after the `ApndFile`.
    unsafe {
        let (base_vfs, base_ref) = orig_vfs(vfs);
        let Some(open) = base_ref.xOpen else {
            return ffi::SQLITE_CANTOPEN;
        };
        if flags & ffi::SQLITE_OPEN_MAIN_DB == 0 {
            // Journals, temporary files: the underlying VFS's own, in the whole object.
            return open(base_vfs, name, f, flags, out_flags);
        }
        ptr::write(
            f.cast::<ApndFile>(),
            ApndFile {
                base: ffi::sqlite3_file {
                    pMethods: &IO_METHODS,
                },
                pg_one: 0,
                mark: -1,
            },
        );
        let base = orig_file(f);
        let mut rc = open(base_vfs, name, base, flags, out_flags);
        let mut size: i64 = 0;
        if rc == ffi::SQLITE_OK {
            rc = match methods(base).xFileSize {
                Some(file_size) => file_size(base, &mut size),
                None => ffi::SQLITE_IOERR_FSTAT,
            };
            if rc != ffi::SQLITE_OK {
                if let Some(close) = methods(base).xClose {
                    close(base);
                }
            }
        }
        if rc != ffi::SQLITE_OK {
            (*f).pMethods = ptr::null();
            return rc;
        }
        if is_ordinary_database(size, base) {
            // An ordinary database: the file object becomes the underlying one, so the
            // shim is out of the way entirely.
            ptr::copy(
                base.cast::<u8>(),
                f.cast::<u8>(),
                base_ref.szOsFile as usize,
            );
            return ffi::SQLITE_OK;
        }
        let at = read_mark(size, base);
        let st = state(f);
        if at >= 0 {
            st.pg_one = at;
            st.mark = size - MARK_SIZE;
            return ffi::SQLITE_OK;
        }
        if flags & ffi::SQLITE_OPEN_CREATE == 0 {
            if let Some(close) = methods(base).xClose {
                close(base);
            }
            (*f).pMethods = ptr::null();
            return ffi::SQLITE_CANTOPEN;
        }
        // A new database after the host file's bytes, on a 4096-byte boundary; the
        // trailer is written with the first page.
        st.pg_one = (size + ROUNDUP - 1) & !(ROUNDUP - 1);
        ffi::SQLITE_OK
    }
}

unsafe extern "C" fn x_delete(
    vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    sync_dir: c_int,
) -> c_int {
    // SAFETY: pass-through to the underlying VFS with its own object.
    unsafe {
        let (o, r) = orig_vfs(vfs);
        match r.xDelete {
            Some(x) => x(o, name, sync_dir),
            None => ffi::SQLITE_IOERR_DELETE,
        }
    }
}

unsafe extern "C" fn x_access(
    vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    flags: c_int,
    out: *mut c_int,
) -> c_int {
    // SAFETY: pass-through to the underlying VFS with its own object.
    unsafe {
        let (o, r) = orig_vfs(vfs);
        match r.xAccess {
            Some(x) => x(o, name, flags, out),
            None => ffi::SQLITE_IOERR_ACCESS,
        }
    }
}

unsafe extern "C" fn x_full_pathname(
    vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    n: c_int,
    out: *mut c_char,
) -> c_int {
    // SAFETY: pass-through to the underlying VFS with its own object.
    unsafe {
        let (o, r) = orig_vfs(vfs);
        match r.xFullPathname {
            Some(x) => x(o, name, n, out),
            None => ffi::SQLITE_CANTOPEN,
        }
    }
}

unsafe extern "C" fn x_dl_open(vfs: *mut ffi::sqlite3_vfs, name: *const c_char) -> *mut c_void {
    // SAFETY: pass-through to the underlying VFS with its own object.
    unsafe {
        let (o, r) = orig_vfs(vfs);
        match r.xDlOpen {
            Some(x) => x(o, name),
            None => ptr::null_mut(),
        }
    }
}

unsafe extern "C" fn x_dl_error(vfs: *mut ffi::sqlite3_vfs, n: c_int, msg: *mut c_char) {
    // SAFETY: pass-through to the underlying VFS with its own object.
    unsafe {
        let (o, r) = orig_vfs(vfs);
        if let Some(x) = r.xDlError {
            x(o, n, msg);
        }
    }
}

type DlSym = Option<unsafe extern "C" fn(*mut ffi::sqlite3_vfs, *mut c_void, *const c_char)>;

unsafe extern "C" fn x_dl_sym(
    vfs: *mut ffi::sqlite3_vfs,
    handle: *mut c_void,
    sym: *const c_char,
) -> DlSym {
    // SAFETY: pass-through to the underlying VFS with its own object.
    unsafe {
        let (o, r) = orig_vfs(vfs);
        match r.xDlSym {
            Some(x) => x(o, handle, sym),
            None => None,
        }
    }
}

unsafe extern "C" fn x_dl_close(vfs: *mut ffi::sqlite3_vfs, handle: *mut c_void) {
    // SAFETY: pass-through to the underlying VFS with its own object.
    unsafe {
        let (o, r) = orig_vfs(vfs);
        if let Some(x) = r.xDlClose {
            x(o, handle);
        }
    }
}

unsafe extern "C" fn x_randomness(vfs: *mut ffi::sqlite3_vfs, n: c_int, out: *mut c_char) -> c_int {
    // SAFETY: pass-through to the underlying VFS with its own object.
    unsafe {
        let (o, r) = orig_vfs(vfs);
        match r.xRandomness {
            Some(x) => x(o, n, out),
            None => 0,
        }
    }
}

unsafe extern "C" fn x_sleep(vfs: *mut ffi::sqlite3_vfs, micros: c_int) -> c_int {
    // SAFETY: pass-through to the underlying VFS with its own object.
    unsafe {
        let (o, r) = orig_vfs(vfs);
        match r.xSleep {
            Some(x) => x(o, micros),
            None => 0,
        }
    }
}

unsafe extern "C" fn x_current_time(vfs: *mut ffi::sqlite3_vfs, out: *mut f64) -> c_int {
    // SAFETY: pass-through to the underlying VFS with its own object.
    unsafe {
        let (o, r) = orig_vfs(vfs);
        match r.xCurrentTime {
            Some(x) => x(o, out),
            None => ffi::SQLITE_ERROR,
        }
    }
}

unsafe extern "C" fn x_get_last_error(
    vfs: *mut ffi::sqlite3_vfs,
    n: c_int,
    out: *mut c_char,
) -> c_int {
    // SAFETY: pass-through to the underlying VFS with its own object.
    unsafe {
        let (o, r) = orig_vfs(vfs);
        match r.xGetLastError {
            Some(x) => x(o, n, out),
            None => 0,
        }
    }
}

unsafe extern "C" fn x_current_time_int64(
    vfs: *mut ffi::sqlite3_vfs,
    out: *mut ffi::sqlite3_int64,
) -> c_int {
    // SAFETY: pass-through to the underlying VFS with its own object (SQLite calls this
    // only when the shim's iVersion, copied from that VFS, is 2 or more).
    unsafe {
        let (o, r) = orig_vfs(vfs);
        match r.xCurrentTimeInt64 {
            Some(x) if r.iVersion >= 2 => x(o, out),
            _ => ffi::SQLITE_ERROR,
        }
    }
}

unsafe extern "C" fn x_set_system_call(
    vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    call: ffi::sqlite3_syscall_ptr,
) -> c_int {
    // SAFETY: pass-through to the underlying VFS with its own object.
    unsafe {
        let (o, r) = orig_vfs(vfs);
        match r.xSetSystemCall {
            Some(x) if r.iVersion >= 3 => x(o, name, call),
            _ => ffi::SQLITE_NOTFOUND,
        }
    }
}

unsafe extern "C" fn x_get_system_call(
    vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
) -> ffi::sqlite3_syscall_ptr {
    // SAFETY: pass-through to the underlying VFS with its own object.
    unsafe {
        let (o, r) = orig_vfs(vfs);
        match r.xGetSystemCall {
            Some(x) if r.iVersion >= 3 => x(o, name),
            _ => None,
        }
    }
}

unsafe extern "C" fn x_next_system_call(
    vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
) -> *const c_char {
    // SAFETY: pass-through to the underlying VFS with its own object.
    unsafe {
        let (o, r) = orig_vfs(vfs);
        match r.xNextSystemCall {
            Some(x) if r.iVersion >= 3 => x(o, name),
            _ => ptr::null(),
        }
    }
}
