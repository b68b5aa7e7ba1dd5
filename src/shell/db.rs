//! The main database connection: opened lazily as sqlite3 opens it (`open_db`), with the
//! open options of the command line and `.open`.

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::exec::raw;

/// How the database file is opened (sqlite3's `openMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OpenMode {
    /// Read-write, created when missing.
    #[default]
    Normal,
    /// `-readonly`
    ReadOnly,
    /// `-deserialize`: the file is read into memory.
    Deserialize,
    /// `-append`: through the append VFS (`apndvfs`), which keeps the database at the end
    /// of another file.
    Append,
    /// `-zip`: a ZIP archive, seen as the table `zip` (a `zipfile` table) of an in-memory
    /// database.
    Zip,
    /// `.open --hexdb`: an in-memory database, then loaded from the text form that
    /// `input::hexdb` reads ([`Database::load_image`]).
    HexDb,
}

/// sqlite3's `deduceDatabaseType`: what an existing file looks like. A database header
/// means a database; a ZIP end record in the last 22 bytes a ZIP archive; the append VFS's
/// trailer an appended database; a missing (or empty) file named `*.zip` is a ZIP archive
/// when `zip_default` (the `-A` option). Anything else is opened as a database.
pub fn deduce_type(name: &OsStr, zip_default: bool) -> OpenMode {
    use std::io::{Seek, SeekFrom};
    let zip_name = || {
        zip_default
            && name.len() >= 4
            && name.as_encoded_bytes()[name.len() - 4..].eq_ignore_ascii_case(b".zip")
    };
    let Ok(mut f) = std::fs::File::open(name) else {
        return if zip_name() {
            OpenMode::Zip
        } else {
            OpenMode::Normal
        };
    };
    let mut head = [0u8; 16];
    if f.read_exact(&mut head).is_ok() && &head == b"SQLite format 3\0" {
        return OpenMode::Normal;
    }
    let mut tail = [0u8; 25];
    let tail_read = f.seek(SeekFrom::End(-25)).is_ok() && f.read_exact(&mut tail).is_ok();
    if tail_read && tail.starts_with(b"Start-Of-SQLite3-") {
        return OpenMode::Append;
    }
    let mut end = [0u8; 22];
    let end_read = f.seek(SeekFrom::End(-22)).is_ok() && f.read_exact(&mut end).is_ok();
    if end_read && end.starts_with(&[0x50, 0x4b, 0x05, 0x06]) {
        return OpenMode::Zip;
    }
    if !end_read && zip_name() {
        return OpenMode::Zip;
    }
    OpenMode::Normal
}

/// The main database and how to open it.
pub struct Database {
    /// File name as given; `None` for a temporary database (`.open` without a name).
    pub filename: Option<OsString>,
    /// The connection, once opened.
    pub conn: Option<Connection>,
    /// Open mode.
    pub mode: OpenMode,
    /// `-nofollow`
    pub nofollow: bool,
    /// `-vfs NAME`
    pub vfs: Option<OsString>,
    /// `-maxsize N` for deserialized databases.
    pub max_size: i64,
    /// `-mmap N`: the default memory-map size (sqlite3 sets it process-wide with
    /// `SQLITE_CONFIG_MMAP_SIZE`; litesh applies it to each connection it opens).
    pub mmap: Option<i64>,
    /// The shell's safe mode, for the SQL functions that ask it (`fsdir`).
    safe: super::SafeMode,
    /// Register the ZIP and SQL archive functions (`zipfile`, `sqlar_*`) on the connections
    /// opened; off under `-safe`, as in sqlite3 3.40.1.
    pub archives: bool,
    /// Where `shell_putsnl()` writes on the connections opened: the shell's pending output,
    /// which reaches the current output in order with the rows (sqlite3 writes to `p->out`).
    pub puts: Option<crate::exec::hooks::Progress>,
    /// 3.40.1 has run `sqlite3_deserialize` on main (`--deserialize`, `--hexdb`), whose
    /// file name its library then reports as `x` (`.databases`); the newer one reports `""`.
    pub deserialized: bool,
}

impl Database {
    /// A database not yet opened; no name means `:memory:` as in sqlite3. Its connections
    /// get SQL functions that consult `safe`.
    pub fn new(filename: Option<OsString>, safe: super::SafeMode) -> Self {
        Database {
            filename: Some(filename.unwrap_or_else(|| ":memory:".into())),
            conn: None,
            mode: OpenMode::Normal,
            nofollow: false,
            vfs: None,
            max_size: 0,
            mmap: None,
            safe,
            archives: true,
            puts: None,
            deserialized: false,
        }
    }

    /// The name shown in messages.
    pub fn display_name(&self) -> String {
        self.filename
            .as_deref()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// Opens the database now (sqlite3's `open_db`). On failure returns sqlite3's message
    /// `Error: unable to open database "NAME": MSG`.
    pub fn open(&mut self) -> Result<(), Vec<u8>> {
        self.open_with(false)
    }

    /// [`Database::open`]; `zip_default` as for [`deduce_type`] (sqlite3's
    /// `OPEN_DB_ZIPFILE`, given by `-A`). A name without options gets the type of what the
    /// file holds, and keeps it until the next `.open`.
    pub fn open_with(&mut self, zip_default: bool) -> Result<(), Vec<u8>> {
        let name: OsString = self.filename.clone().unwrap_or_default();
        // sqlite3's open_db(): a file opened without a mode option is looked at first: one
        // that ends with the append VFS's trailer is opened through that VFS, a ZIP file as
        // the table `zip`.
        if self.mode == OpenMode::Normal && !name.is_empty() {
            self.mode = deduce_type(&name, zip_default);
        }
        self.deserialized = self.mode == OpenMode::Deserialize;
        let result = match self.mode {
            OpenMode::Zip | OpenMode::HexDb => {
                Connection::open_in_memory().map_err(|e| open_error(&name, &e))
            }
            OpenMode::Deserialize => self.open_deserialized(&name),
            _ => self.open_file(&name),
        };
        let conn = result?;
        raw::configure(&conn);
        crate::functions::register(&conn, &self.safe, self.archives);
        if let Some(p) = &self.puts {
            crate::functions::shell::register_putsnl(&conn, p.clone());
        }
        raw::enable_load_extension(&conn);
        // sqlite3 waits for no lock unless `.timeout` says so.
        let _ = conn.busy_timeout(Duration::ZERO);
        if let Some(n) = self.mmap {
            let _ = conn.execute_batch(&format!("PRAGMA mmap_size={n}"));
        }
        if self.mode == OpenMode::Zip {
            // The archive is the table `zip`; sqlite3 ignores a failure here (no zipfile
            // module under -safe), and so does litesh.
            let mut sql = b"CREATE VIRTUAL TABLE zip USING zipfile(".to_vec();
            crate::format::sql::quoted_string(&mut sql, name.as_encoded_bytes());
            sql.extend_from_slice(b");");
            if let Ok(raw::Prepared {
                stmt: Some(mut st), ..
            }) = raw::prepare(&conn, &sql)
            {
                let _ = st.step();
            }
        }
        self.conn = Some(conn);
        Ok(())
    }

    fn open_file(&self, name: &OsStr) -> Result<Connection, Vec<u8>> {
        let mut flags = OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        flags |= if self.mode == OpenMode::ReadOnly {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
        };
        if self.nofollow {
            flags |= OpenFlags::SQLITE_OPEN_NOFOLLOW;
        }
        if self.mode == OpenMode::Append {
            raw::register_append_vfs();
            return Connection::open_with_flags_and_vfs(name, flags, raw::APPEND_VFS)
                .map_err(|e| open_error(name, &e));
        }
        // `-vfs NAME` made that VFS the process default at start-up, as sqlite3 does.
        Connection::open_with_flags(name, flags).map_err(|e| open_error(name, &e))
    }

    fn open_deserialized(&self, name: &OsStr) -> Result<Connection, Vec<u8>> {
        let mut conn = Connection::open_in_memory().map_err(|e| open_error(name, &e))?;
        // sqlite3 reads the whole file; a missing file gives an empty database.
        deserialize(
            &mut conn,
            &std::fs::read(name).unwrap_or_default(),
            self.max_size,
        )?;
        Ok(conn)
    }

    /// Replaces the open database's main schema by `image` (`.open --hexdb`), as sqlite3
    /// does with `sqlite3_deserialize`: the error is sqlite3's message.
    pub fn load_image(&mut self, image: &[u8]) -> Result<(), Vec<u8>> {
        let Some(conn) = self.conn.as_mut() else {
            return Ok(());
        };
        self.deserialized = true;
        deserialize(conn, image, self.max_size)
    }

    /// Closes the connection (if open), after making sure SIGINT no longer reaches it.
    pub fn close(&mut self) {
        if let Some(conn) = self.conn.take() {
            raw::withdraw_interrupt(&conn);
        }
    }
}

/// `sqlite3_deserialize` of `image` into `conn`'s main schema, then `-maxsize`, with
/// sqlite3's message on failure. An empty image (a missing or empty file) leaves the empty
/// database: 3.40.1 hands SQLite a NULL image, which the newer library refuses with
/// SQLITE_NOMEM.
fn deserialize(conn: &mut Connection, image: &[u8], max_size: i64) -> Result<(), Vec<u8>> {
    if image.is_empty() {
        return Ok(());
    }
    conn.deserialize_read_exact("main", image, image.len(), false)
        .map_err(|e| {
            format!("Error: sqlite3_deserialize() returns {}", err_code(&e)).into_bytes()
        })?;
    if max_size > 0 {
        raw::set_size_limit(conn, max_size);
    }
    Ok(())
}

fn err_code(e: &rusqlite::Error) -> i32 {
    match e {
        rusqlite::Error::SqliteFailure(f, _) => f.extended_code & 0xff,
        _ => 1,
    }
}

/// sqlite3's message for a failed open.
pub fn open_error(name: &OsStr, e: &rusqlite::Error) -> Vec<u8> {
    let msg = match e {
        rusqlite::Error::SqliteFailure(f, _) => {
            // rusqlite appends the path to the library's message; sqlite3 shows it alone.
            rusqlite::ffi::code_to_str(f.extended_code).to_string()
        }
        other => other.to_string(),
    };
    let mut out = b"Error: unable to open database \"".to_vec();
    out.extend_from_slice(name.as_encoded_bytes());
    out.extend_from_slice(b"\": ");
    out.extend_from_slice(msg.as_bytes());
    out
}
