//! The SQL functions, collations and table-valued functions that sqlite3 3.40.1's shell adds
//! to every database connection it opens (`open_db`), so that scripts calling them get the
//! same results and the same error messages from litesh.
//!
//! | module | what | sqlite3 source |
//! |---|---|---|
//! | [`series`] | `generate_series` | `ext/misc/series.c` |
//! | [`regexp`] | `regexp()`, `regexpi()`, the `REGEXP` operator | `ext/misc/regexp.c` |
//! | [`sha3`] | `sha3()`, `sha3_query()` | `ext/misc/shathree.c` |
//! | [`fileio`] | `readfile()`, `writefile()`, `lsmode()`, `fsdir` | `ext/misc/fileio.c` |
//! | [`decimal`] | `decimal*()`, `decimal_sum()`, the `decimal` collation | `ext/misc/decimal.c` |
//! | [`ieee754`] | `ieee754*()` | `ext/misc/ieee754.c` |
//! | [`uint`] | the `uint` collation | `ext/misc/uint.c` |
//! | [`completion`] | `completion` | `ext/misc/completion.c` |
//! | [`shell`] | `usleep()`, `shell_*()`, `edit()` | `src/shell.c.in` |
//! | [`round`] | `round()` with 3.40.1's rounding | `src/func.c` of the library |
//! | [`sqlar`] | `sqlar_compress()`, `sqlar_uncompress()` | `ext/misc/sqlar.c` |
//! | [`zipfile`] | the `zipfile` table, `zipfile()`, `zipfile_cds()` | `ext/misc/zipfile.c` |
//!
//! Everything is written from the observed behaviour of the 3.40.1 binary; where litesh
//! differs, the module doc of the function says so.

pub mod completion;
pub mod decimal;
pub mod fileio;
pub mod ieee754;
pub mod regexp;
pub mod round;
pub mod series;
pub mod sha3;
pub mod shell;
pub mod sqlar;
pub mod uint;
pub mod value;
pub mod zipfile;

use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;

/// One registration step.
type Register<'a> = dyn Fn(&Connection) -> rusqlite::Result<()> + 'a;

/// Registers everything on `conn`; `fsdir` refuses while `safe` is on. The ZIP and SQL
/// archive functions ([`zipfile`], [`sqlar`]) only when `archives`: sqlite3 3.40.1 leaves
/// them out of a connection opened under `-safe`. Like sqlite3, which ignores the return
/// codes of its extension initialisers, a registration that fails is skipped.
pub fn register(conn: &Connection, safe: &crate::shell::SafeMode, archives: bool) {
    let fileio = |c: &Connection| fileio::register(c, safe);
    let steps: [&Register<'_>; 10] = [
        &sha3::register,
        &uint::register,
        &decimal::register,
        &regexp::register,
        &ieee754::register,
        &|c| crate::exec::raw::register_table_function::<series::Series>(c, c"generate_series"),
        &fileio,
        &completion::register,
        &shell::register,
        &round::register,
    ];
    for step in steps {
        let _ = step(conn);
    }
    if archives {
        let _ = zipfile::register(conn);
        let _ = sqlar::register(conn);
    }
}

/// `SQLITE_UTF8 | SQLITE_INNOCUOUS | SQLITE_DETERMINISTIC`, the usual flags of these functions.
pub(crate) fn pure() -> FunctionFlags {
    FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_INNOCUOUS
        | FunctionFlags::SQLITE_DETERMINISTIC
}

/// An error with `msg` and the result code `SQLITE_ERROR` (what `sqlite3_result_error` and a
/// virtual table's `zErrMsg` give).
pub(crate) fn sql_error(msg: impl Into<String>) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
        Some(msg.into()),
    )
}

/// An error with only a result code (`sqlite3_result_error_code`): SQLite supplies the
/// message, e.g. `string or blob too big` for `SQLITE_TOOBIG`.
pub(crate) fn code_error(code: std::ffi::c_int) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None)
}

/// Bytes as an SQL text result. SQLite text from litesh's functions is UTF-8 unless an input
/// was not; such bytes are replaced by U+FFFD, as rusqlite can only return Rust strings.
pub(crate) fn text_result(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// An argument handed back unchanged (`sqlite3_result_value`).
pub(crate) fn same_value(v: &rusqlite::types::ValueRef<'_>) -> rusqlite::types::Value {
    use rusqlite::types::{Value, ValueRef};
    match *v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) => Value::Text(text_result(t.to_vec())),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}
