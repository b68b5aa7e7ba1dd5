//! `sha3(X, SIZE)` and `sha3_query(SQL, SIZE)`, as sqlite3 3.40.1's shathree extension.
//!
//! * `sha3(X)`: the SHA3-256 digest of X as a blob (`SIZE` 224, 256, 384 or 512 picks the
//!   variant). A blob is hashed as is, anything else as its text (a REAL as its 15-digit
//!   3.40.1 text); NULL gives NULL.
//! * `sha3_query(SQL)`: runs every statement of SQL (read-only ones only) and hashes this
//!   byte stream: for each statement `S<n>:<sql text>` (the text as prepared, from the end
//!   of the previous statement, leading white space and the `;` included), then for each row
//!   `R` followed by one item per column: `N` (NULL), `I` + 8 bytes big-endian (INTEGER),
//!   `F` + the 8 bytes of the IEEE double big-endian (REAL), `T<n>:<bytes>` (TEXT),
//!   `B<n>:<bytes>` (BLOB). Errors: `error SQL statement [<rest>]: <message>` (the rest of
//!   the SQL after where the parser stopped) and `non-query: [<sql>]`.
//!
//! A bad SIZE is checked first: `SHA3 size should be one of: 224 256 384 512`.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::Connection;
use sha3::{Digest, Sha3_224, Sha3_256, Sha3_384, Sha3_512};

use super::{pure, sql_error, value};
use crate::exec::raw::{self, Value};

/// A SHA3 hash of one of the four sizes.
enum Hasher {
    B224(Sha3_224),
    B256(Sha3_256),
    B384(Sha3_384),
    B512(Sha3_512),
}

impl Hasher {
    fn new(bits: i32) -> Hasher {
        match bits {
            224 => Hasher::B224(Sha3_224::new()),
            384 => Hasher::B384(Sha3_384::new()),
            512 => Hasher::B512(Sha3_512::new()),
            _ => Hasher::B256(Sha3_256::new()),
        }
    }

    fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::B224(h) => h.update(data),
            Hasher::B256(h) => h.update(data),
            Hasher::B384(h) => h.update(data),
            Hasher::B512(h) => h.update(data),
        }
    }

    fn finish(self) -> Vec<u8> {
        match self {
            Hasher::B224(h) => h.finalize().to_vec(),
            Hasher::B256(h) => h.finalize().to_vec(),
            Hasher::B384(h) => h.finalize().to_vec(),
            Hasher::B512(h) => h.finalize().to_vec(),
        }
    }
}

/// The digest size from the optional second argument.
fn size(ctx: &Context<'_>) -> rusqlite::Result<i32> {
    if ctx.len() < 2 {
        return Ok(256);
    }
    match value::int(&ctx.get_raw(1)) {
        n @ (224 | 256 | 384 | 512) => Ok(n),
        _ => Err(sql_error("SHA3 size should be one of: 224 256 384 512")),
    }
}

fn sha3(ctx: &Context<'_>) -> rusqlite::Result<Option<Vec<u8>>> {
    let bits = size(ctx)?;
    let Some(data) = value::blob(&ctx.get_raw(0)) else {
        return Ok(None);
    };
    let mut h = Hasher::new(bits);
    h.update(&data);
    Ok(Some(h.finish()))
}

fn sha3_query(ctx: &Context<'_>) -> rusqlite::Result<Option<Vec<u8>>> {
    let bits = size(ctx)?;
    let Some(sql) = value::c_text(&ctx.get_raw(0)) else {
        return Ok(None);
    };
    let conn = raw::function_connection(ctx)?;
    let mut h = Hasher::new(bits);
    let mut rest: &[u8] = &sql;
    while !rest.is_empty() {
        let (prepared, consumed) = raw::prepare_with_tail(&conn, rest);
        let tail = &rest[consumed..];
        let stmt = match prepared {
            Ok(stmt) => stmt,
            Err(msg) => {
                return Err(sql_error(format!(
                    "error SQL statement [{}]: {}",
                    String::from_utf8_lossy(tail),
                    String::from_utf8_lossy(&msg)
                )));
            }
        };
        rest = tail;
        let Some(mut stmt) = stmt else {
            continue;
        };
        if !stmt.readonly() {
            return Err(sql_error(format!(
                "non-query: [{}]",
                String::from_utf8_lossy(&stmt.sql())
            )));
        }
        let text = stmt.sql();
        h.update(format!("S{}:", text.len()).as_bytes());
        h.update(&text);
        let columns = stmt.column_count();
        while let Ok(true) = stmt.step() {
            h.update(b"R");
            for i in 0..columns {
                match stmt.value(i) {
                    Value::Null => h.update(b"N"),
                    Value::Integer(v) => {
                        h.update(b"I");
                        h.update(&v.to_be_bytes());
                    }
                    Value::Real(r) => {
                        h.update(b"F");
                        h.update(&r.to_bits().to_be_bytes());
                    }
                    Value::Text(t) => {
                        h.update(format!("T{}:", t.len()).as_bytes());
                        h.update(t);
                    }
                    Value::Blob(b) => {
                        h.update(format!("B{}:", b.len()).as_bytes());
                        h.update(b);
                    }
                }
            }
        }
    }
    Ok(Some(h.finish()))
}

/// Registers `sha3` (1 and 2 arguments) and `sha3_query` (1 and 2 arguments, direct-only).
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("sha3", 1, pure(), |ctx| sha3(ctx))?;
    conn.create_scalar_function("sha3", 2, pure(), |ctx| sha3(ctx))?;
    let direct = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY;
    conn.create_scalar_function("sha3_query", 1, direct, |ctx| sha3_query(ctx))?;
    conn.create_scalar_function("sha3_query", 2, direct, |ctx| sha3_query(ctx))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02X}")).collect()
    }

    #[test]
    fn known_digests() {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        let h: Vec<u8> = conn
            .query_row("SELECT sha3('abc')", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            hex(&h),
            "3A985DA74FE225B2045C172D6BD390BD855F086E3E9D525B46BFE24511431532"
        );
        let h: Vec<u8> = conn
            .query_row("SELECT sha3_query('SELECT 1; SELECT 2')", [], |r| r.get(0))
            .unwrap();
        // Observed from sqlite3 3.40.1.
        assert_eq!(
            hex(&h),
            "B36379D2E368153A1BCAA55BDA4F32983E6D9F8481ECA58CB3E84886758C771A"
        );
    }
}
