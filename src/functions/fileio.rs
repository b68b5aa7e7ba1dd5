//! `readfile(X)`, `writefile(X, DATA, MODE, MTIME)`, `lsmode(M)` and the `fsdir(PATH, DIR)`
//! table, as sqlite3 3.40.1's fileio extension.
//!
//! * `readfile(X)`: the file's bytes as a blob; NULL when it cannot be opened;
//!   `string or blob too big` beyond the length limit (a directory always is: 3.40.1 takes
//!   the end-of-file offset of a directory, which Linux reports as huge).
//! * `writefile(X, DATA)`: writes DATA (its bytes, or its text) and returns the count, NULL
//!   on failure; missing parent directories are created. With MODE: `(MODE & 0170000)` picks
//!   a regular file, a directory (`0040000`, DATA ignored) or a symbolic link to DATA
//!   (`0120000`); a regular file then gets `MODE & 0777` (a new directory keeps its mkdir
//!   mode, an existing one is chmod-ed when it differs). With MTIME (seconds) the
//!   modification time is set, following symbolic links. With three or four arguments a
//!   failure is an error `failed to write file: X` (`… create directory …`, `… create
//!   symlink …`). Fewer than two or more than four: `wrong number of arguments to function
//!   writefile()`.
//! * `lsmode(M)`: `ls -l` style `drwxr-xr-x`; `l`, `-`, `d` or `?` first.
//! * `fsdir(PATH)`: one row `(name, mode, mtime, data)` for PATH and, for a directory, one
//!   per entry below it, depth first, in directory order; `data` is the file content, the
//!   link text of a symbolic link, NULL for a directory. With DIR, PATH is taken relative
//!   to it and names are shown without the `DIR/` prefix.
//!
//! `readfile`, `writefile` and `fsdir` are direct-only (not usable from triggers or views),
//! and the shell's safe mode refuses `readfile` and `writefile` (its authorizer). It also
//! refuses `fsdir`, which 3.40.1's does not (its `data` column reads any file, as
//! `readfile()` would): the table asks the shell's [`SafeMode`] when a statement using it is
//! prepared (see docs/compat.md).

use std::ffi::{c_int, OsStr};
use std::fs;
use std::io::{self, Read};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::Path;

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::vtab::{self, Filters, IndexConstraintOp, IndexInfo, VTabConfig};
use rusqlite::{ffi, Connection};

use super::{code_error, sql_error, value};
use crate::exec::raw::{self, DbHandle, TableCursor, TableFunction};
use crate::shell::SafeMode;

const S_IFMT: u32 = 0o170000;
const S_IFLNK: u32 = 0o120000;
const S_IFREG: u32 = 0o100000;
const S_IFDIR: u32 = 0o040000;

fn path(bytes: &[u8]) -> &Path {
    Path::new(OsStr::from_bytes(bytes))
}

/// Reads a whole file: `Ok(None)` when it cannot be opened, `Err(code)` when it is larger
/// than `limit` (`SQLITE_TOOBIG`) or cannot be read (`SQLITE_IOERR`).
fn read_file(name: &[u8], limit: i64) -> Result<Option<Vec<u8>>, c_int> {
    if name.is_empty() {
        return Ok(None);
    }
    let Ok(mut f) = fs::File::open(path(name)) else {
        return Ok(None);
    };
    let size = match f.metadata() {
        Ok(m) if m.is_dir() => i64::MAX,
        Ok(m) => i64::try_from(m.len()).unwrap_or(i64::MAX),
        Err(_) => return Err(ffi::SQLITE_IOERR),
    };
    if size > limit {
        return Err(ffi::SQLITE_TOOBIG);
    }
    let mut data = Vec::with_capacity(size as usize);
    match f.by_ref().take(size as u64).read_to_end(&mut data) {
        Ok(n) if n as i64 == size => Ok(Some(data)),
        _ => Err(ffi::SQLITE_IOERR),
    }
}

fn length_limit(conn: &Connection) -> i64 {
    conn.limit(rusqlite::limits::Limit::SQLITE_LIMIT_LENGTH)
        .map(i64::from)
        .unwrap_or(1_000_000_000)
}

fn readfile(ctx: &Context<'_>) -> rusqlite::Result<Option<Vec<u8>>> {
    let Some(name) = value::c_text(&ctx.get_raw(0)) else {
        return Ok(None);
    };
    let conn = raw::function_connection(ctx)?;
    let limit = length_limit(&conn);
    read_file(&name, limit).map_err(code_error)
}

/// How one attempt at writing went.
enum Written {
    /// Done; the byte count for a regular file.
    Done(Option<i64>),
    /// A system call failed; `missing` when it said "no such file or directory".
    Failed { missing: bool },
    /// Writing the data or setting the mode failed (no retry).
    Broken,
}

fn failed(e: &io::Error) -> Written {
    Written::Failed {
        missing: e.kind() == io::ErrorKind::NotFound,
    }
}

fn write_once(name: &Path, data: &ValueRef<'_>, mode: u32, mtime: Option<i64>) -> Written {
    let mut result = None;
    match mode & S_IFMT {
        S_IFLNK => {
            let Some(target) = value::c_text(data) else {
                return Written::Failed { missing: false };
            };
            if let Err(e) = std::os::unix::fs::symlink(OsStr::from_bytes(&target), name) {
                return failed(&e);
            }
        }
        S_IFDIR => {
            if let Err(e) = fs::DirBuilder::new().mode(mode).create(name) {
                // An existing directory is fine once its permissions match.
                let ok = e.kind() == io::ErrorKind::AlreadyExists
                    && match fs::metadata(name) {
                        Ok(m) if m.is_dir() => {
                            m.mode() & 0o777 == mode & 0o777
                                || fs::set_permissions(
                                    name,
                                    fs::Permissions::from_mode(mode & 0o777),
                                )
                                .is_ok()
                        }
                        _ => false,
                    };
                if !ok {
                    return failed(&e);
                }
            }
        }
        _ => {
            let mut f = match fs::File::create(name) {
                Ok(f) => f,
                Err(e) => return failed(&e),
            };
            let bytes = value::blob(data).unwrap_or_default();
            let wrote = io::Write::write_all(&mut f, &bytes).is_ok();
            drop(f);
            let chmod_ok = mode == 0
                || fs::set_permissions(name, fs::Permissions::from_mode(mode & 0o777)).is_ok();
            if !wrote || !chmod_ok {
                return Written::Broken;
            }
            result = Some(bytes.len() as i64);
        }
    }
    if let Some(t) = mtime {
        use nix::sys::time::{TimeVal, TimeValLike};
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        if let Err(e) = nix::sys::stat::utimes(name, &TimeVal::seconds(now), &TimeVal::seconds(t)) {
            return Written::Failed {
                missing: e == nix::errno::Errno::ENOENT,
            };
        }
    }
    Written::Done(result)
}

/// Creates the missing directories on the way to `name` (each prefix ending before a `/`,
/// the leading `/` excepted); fails when one exists and is not a directory.
fn make_parents(name: &[u8]) -> bool {
    for (i, _) in name.iter().enumerate().skip(1).filter(|(_, &b)| b == b'/') {
        let prefix = path(&name[..i]);
        match fs::metadata(prefix) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return false,
            Err(_) => {
                if fs::DirBuilder::new().mode(0o777).create(prefix).is_err() {
                    return false;
                }
            }
        }
    }
    true
}

fn writefile(ctx: &Context<'_>) -> rusqlite::Result<Option<i64>> {
    let argc = ctx.len();
    if !(2..=4).contains(&argc) {
        return Err(sql_error(
            "wrong number of arguments to function writefile()",
        ));
    }
    let Some(name) = value::c_text(&ctx.get_raw(0)) else {
        return Ok(None);
    };
    let mode = if argc >= 3 {
        value::int(&ctx.get_raw(2)) as u32
    } else {
        0
    };
    let mtime = if argc == 4 {
        Some(value::int64(&ctx.get_raw(3))).filter(|t| *t >= 0)
    } else {
        None
    };
    let data = ctx.get_raw(1);
    let mut outcome = write_once(path(&name), &data, mode, mtime);
    if let Written::Failed { missing: true } = outcome {
        if make_parents(&name) {
            outcome = write_once(path(&name), &data, mode, mtime);
        }
    }
    match outcome {
        Written::Done(n) => Ok(n),
        _ if argc > 2 => {
            let what = match mode & S_IFMT {
                S_IFLNK => "create symlink",
                S_IFDIR => "create directory",
                _ => "write file",
            };
            Err(sql_error(format!(
                "failed to {what}: {}",
                String::from_utf8_lossy(&name)
            )))
        }
        _ => Ok(None),
    }
}

/// `lsmode(M)`.
pub fn lsmode(mode: i32) -> String {
    let mode = mode as u32;
    let mut s = String::with_capacity(10);
    s.push(match mode & S_IFMT {
        S_IFLNK => 'l',
        S_IFREG => '-',
        S_IFDIR => 'd',
        _ => '?',
    });
    for shift in [6, 3, 0] {
        let m = mode >> shift;
        s.push(if m & 4 != 0 { 'r' } else { '-' });
        s.push(if m & 2 != 0 { 'w' } else { '-' });
        s.push(if m & 1 != 0 { 'x' } else { '-' });
    }
    s
}

/// Column numbers of `fsdir`.
const COL_NAME: c_int = 0;
const COL_MODE: c_int = 1;
const COL_MTIME: c_int = 2;
const COL_DATA: c_int = 3;
const COL_PATH: c_int = 4;
const COL_DIR: c_int = 5;

/// The `fsdir` table.
pub struct Fsdir {
    db: std::rc::Rc<DbHandle>,
    safe: SafeMode,
}

/// One directory being listed.
struct Level {
    entries: fs::ReadDir,
    dir: Vec<u8>,
}

/// A walk over a file tree.
pub struct FsdirCursor {
    db: std::rc::Rc<DbHandle>,
    levels: Vec<Level>,
    /// Bytes of the base directory plus its `/`, cut from shown names.
    base_len: usize,
    /// The current entry; `None` at the end.
    current: Option<Vec<u8>>,
    mode: u32,
    mtime: i64,
    rowid: i64,
}

impl TableFunction for Fsdir {
    type Cursor = FsdirCursor;
    type Aux = SafeMode;
    const SCHEMA: &'static std::ffi::CStr =
        c"CREATE TABLE x(name,mode,mtime,data,path HIDDEN,dir HIDDEN)";
    const CONFIG: VTabConfig = VTabConfig::DirectOnly;

    fn connect(db: DbHandle, aux: Option<&SafeMode>) -> Self {
        Fsdir {
            db: std::rc::Rc::new(db),
            safe: aux.cloned().unwrap_or_default(),
        }
    }

    fn best_index(&self, info: &mut IndexInfo) -> rusqlite::Result<bool> {
        // Planned while the statement is prepared, as sqlite3's authorizer refuses
        // `readfile()`: safe mode stops the shell before anything of it runs.
        if self
            .safe
            .refuse(|| "cannot use the fsdir() table in safe mode".to_string())
        {
            return Err(sql_error("fsdir is not allowed in safe mode"));
        }
        let (mut path_at, mut dir_at) = (None, None);
        let (mut path_unusable, mut dir_unusable) = (false, false);
        for (i, c) in info.constraints().enumerate() {
            if c.operator() != IndexConstraintOp::SQLITE_INDEX_CONSTRAINT_EQ {
                continue;
            }
            let (at, unusable) = match c.column() {
                COL_PATH => (&mut path_at, &mut path_unusable),
                COL_DIR => (&mut dir_at, &mut dir_unusable),
                _ => continue,
            };
            if c.is_usable() {
                *at = Some(i);
                *unusable = false;
            } else if at.is_none() {
                *unusable = true;
            }
        }
        if path_unusable || dir_unusable {
            return Ok(false);
        }
        match path_at {
            None => {
                info.set_idx_num(0);
                info.set_estimated_rows(0x7fff_ffff);
            }
            Some(p) => {
                let mut usage = info.constraint_usage(p);
                usage.set_omit(true);
                usage.set_argv_index(1);
                if let Some(d) = dir_at {
                    let mut usage = info.constraint_usage(d);
                    usage.set_omit(true);
                    usage.set_argv_index(2);
                    info.set_idx_num(2);
                    info.set_estimated_cost(10.0);
                } else {
                    info.set_idx_num(1);
                    info.set_estimated_cost(100.0);
                }
            }
        }
        Ok(true)
    }

    fn open(&self) -> FsdirCursor {
        FsdirCursor {
            db: self.db.clone(),
            levels: Vec::new(),
            base_len: 0,
            current: None,
            mode: 0,
            mtime: 0,
            rowid: 1,
        }
    }
}

impl FsdirCursor {
    /// lstat()s the current entry.
    fn stat(&mut self, name: Vec<u8>) -> rusqlite::Result<()> {
        match fs::symlink_metadata(path(&name)) {
            Ok(m) => {
                self.mode = m.mode();
                self.mtime = m.mtime();
                self.current = Some(name);
                Ok(())
            }
            Err(_) => Err(sql_error(format!(
                "cannot stat file: {}",
                String::from_utf8_lossy(&name)
            ))),
        }
    }
}

impl TableCursor for FsdirCursor {
    fn filter(&mut self, idx_num: c_int, args: &Filters<'_>) -> rusqlite::Result<()> {
        self.levels.clear();
        self.current = None;
        self.base_len = 0;
        self.rowid = 1;
        if idx_num == 0 {
            return Err(sql_error("table function fsdir requires an argument"));
        }
        let args: Vec<ValueRef<'_>> = args.iter().collect();
        let Some(dir) = args.first().and_then(value::c_text) else {
            return Err(sql_error(
                "table function fsdir requires a non-NULL argument",
            ));
        };
        let base = args.get(1).and_then(value::c_text);
        let start = match base {
            Some(base) => {
                self.base_len = base.len() + 1;
                [&base[..], b"/", &dir[..]].concat()
            }
            None => dir.into_owned(),
        };
        self.stat(start)
    }

    fn next(&mut self) -> rusqlite::Result<()> {
        self.rowid += 1;
        if self.mode & S_IFMT == S_IFDIR {
            let dir = self.current.take().unwrap_or_default();
            match fs::read_dir(path(&dir)) {
                Ok(entries) => self.levels.push(Level { entries, dir }),
                Err(_) => return Err(sql_error("cannot read directory: ")),
            }
        }
        while let Some(level) = self.levels.last_mut() {
            match level.entries.next() {
                Some(Ok(entry)) => {
                    let name = [&level.dir[..], b"/", entry.file_name().as_bytes()].concat();
                    return self.stat(name);
                }
                Some(Err(_)) => continue,
                None => {
                    self.levels.pop();
                }
            }
        }
        self.current = None;
        Ok(())
    }

    fn eof(&self) -> bool {
        self.current.is_none()
    }

    fn column(&self, ctx: &mut vtab::Context, col: c_int) -> rusqlite::Result<()> {
        let name = self.current.as_deref().unwrap_or_default();
        match col {
            // Names and link targets are text with the bytes the file system has (UTF-8 or
            // not), as sqlite3 stores them.
            COL_NAME => ctx.set_result(ToSqlOutput::Borrowed(ValueRef::Text(
                name.get(self.base_len..).unwrap_or_default(),
            ))),
            COL_MODE => ctx.set_result(i64::from(self.mode)),
            COL_MTIME => ctx.set_result(self.mtime),
            COL_DATA => match self.mode & S_IFMT {
                S_IFDIR => ctx.set_result(rusqlite::types::Null),
                S_IFLNK => {
                    let target = fs::read_link(path(name))
                        .map(|t| t.into_os_string().into_vec())
                        .unwrap_or_default();
                    ctx.set_result(ToSqlOutput::Borrowed(ValueRef::Text(&target)))
                }
                // Regular files: column_owned.
                _ => ctx.set_result(rusqlite::types::Null),
            },
            COL_PATH | COL_DIR => ctx.set_result(rusqlite::types::Null),
            _ => ctx.set_result(rusqlite::types::Null),
        }
    }

    fn rowid(&self) -> rusqlite::Result<i64> {
        Ok(self.rowid)
    }

    /// A regular file's content goes to SQLite without a copy.
    fn column_owned(
        &self,
        col: c_int,
        _no_change: bool,
    ) -> Option<rusqlite::Result<Option<Vec<u8>>>> {
        if col != COL_DATA || matches!(self.mode & S_IFMT, S_IFDIR | S_IFLNK) {
            return None;
        }
        let name = self.current.as_deref().unwrap_or_default();
        Some(
            self.db
                .with(length_limit)
                .and_then(|limit| read_file(name, limit).map_err(code_error)),
        )
    }
}

/// Registers `readfile`, `writefile`, `lsmode` and `fsdir` (which refuses while `safe` is
/// on).
pub fn register(conn: &Connection, safe: &SafeMode) -> rusqlite::Result<()> {
    let direct = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY;
    conn.create_scalar_function("readfile", 1, direct, |ctx| readfile(ctx))?;
    conn.create_scalar_function("writefile", -1, direct, |ctx| writefile(ctx))?;
    conn.create_scalar_function("lsmode", 1, FunctionFlags::SQLITE_UTF8, |ctx| {
        Ok(lsmode(value::int(&ctx.get_raw(0))))
    })?;
    raw::register_table_function_with::<Fsdir>(conn, c"fsdir", safe.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lsmode_strings() {
        assert_eq!(lsmode(0o100644), "-rw-r--r--");
        assert_eq!(lsmode(0o40755), "drwxr-xr-x");
        assert_eq!(lsmode(0o120777), "lrwxrwxrwx");
        assert_eq!(lsmode(0), "?---------");
    }
}
