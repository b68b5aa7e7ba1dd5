//! A consistent image of a database's pages, read through `sqlite_dbpage`.
//!
//! [`read_image`] streams `(pgno, bytes)` for every page of one schema inside a single read
//! transaction, so the pages belong to one committed state of the database even while other
//! processes commit (in WAL mode the transaction holds its snapshot; in rollback-journal
//! mode its shared lock keeps writers from committing until it ends). When the connection
//! is in autocommit mode the transaction is opened here (`BEGIN`) and closed afterwards;
//! inside the caller's own transaction the pages are that transaction's view.
//!
//! Nothing is buffered beyond one page: the callback sees each page as SQLite returns it.

use rusqlite::Connection;

/// The shape of an image: what the header says and what the pages came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageInfo {
    /// Bytes per page.
    pub page_size: u32,
    /// Number of pages.
    pub page_count: u32,
}

impl ImageInfo {
    /// The size of the database in bytes.
    pub fn db_size(&self) -> u64 {
        u64::from(self.page_size) * u64::from(self.page_count)
    }
}

/// Why reading the image stopped.
#[derive(Debug)]
pub enum PageError<E> {
    /// SQLite failed (no such schema, an interrupt, I/O).
    Sqlite(String),
    /// The callback stopped the read with its own error.
    Callback(E),
}

/// `s` as an SQL identifier in double quotes.
pub(super) fn quote_ident(s: &str) -> String {
    let mut b = Vec::new();
    crate::format::sql::push_ident(&mut b, s.as_bytes(), Some(b'"'));
    String::from_utf8_lossy(&b).into_owned()
}

fn quote_literal(s: &str) -> String {
    let mut b = Vec::new();
    crate::format::sql::quoted_string(&mut b, s.as_bytes());
    String::from_utf8_lossy(&b).into_owned()
}

/// Reads every page of `schema` in order inside one read transaction. `start` is called once
/// with the image's shape before the first page; `page` for each page, in page order. Returns
/// the shape. The transaction this opens is always closed again, also after an error.
pub fn read_image<E>(
    conn: &Connection,
    schema: &str,
    start: impl FnOnce(ImageInfo) -> Result<(), E>,
    page: impl FnMut(u32, &[u8]) -> Result<(), E>,
) -> Result<ImageInfo, PageError<E>> {
    let began = conn.is_autocommit();
    if began {
        conn.execute_batch("BEGIN")
            .map_err(|e| PageError::Sqlite(e.to_string()))?;
    }
    let r = read_in_transaction(conn, schema, start, page);
    if began {
        // A read transaction: COMMIT only ends it. If it fails, ROLLBACK still must.
        if conn.execute_batch("COMMIT").is_err() {
            let _ = conn.execute_batch("ROLLBACK");
        }
    }
    r
}

fn read_in_transaction<E>(
    conn: &Connection,
    schema: &str,
    start: impl FnOnce(ImageInfo) -> Result<(), E>,
    mut page: impl FnMut(u32, &[u8]) -> Result<(), E>,
) -> Result<ImageInfo, PageError<E>> {
    let sq = |e: rusqlite::Error| PageError::Sqlite(e.to_string());
    let q = quote_ident(schema);
    // The first read starts the transaction's snapshot; both numbers come from it.
    let page_size: i64 = conn
        .query_row(&format!("PRAGMA {q}.page_size"), [], |r| r.get(0))
        .map_err(sq)?;
    let page_count: i64 = conn
        .query_row(&format!("PRAGMA {q}.page_count"), [], |r| r.get(0))
        .map_err(sq)?;
    let info = ImageInfo {
        page_size: u32::try_from(page_size)
            .map_err(|_| PageError::Sqlite(format!("bad page size {page_size}")))?,
        page_count: u32::try_from(page_count)
            .map_err(|_| PageError::Sqlite(format!("bad page count {page_count}")))?,
    };
    start(info).map_err(PageError::Callback)?;
    let mut stmt = conn
        .prepare(&format!(
            "SELECT pgno, data FROM sqlite_dbpage({}) ORDER BY pgno",
            quote_literal(schema)
        ))
        .map_err(sq)?;
    let mut rows = stmt.query([]).map_err(sq)?;
    let mut expect: u32 = 1;
    while let Some(row) = rows.next().map_err(sq)? {
        let pgno: i64 = row.get(0).map_err(sq)?;
        let data = row.get_ref(1).map_err(sq)?;
        let bytes = data
            .as_blob()
            .map_err(|e| PageError::Sqlite(e.to_string()))?;
        if pgno != i64::from(expect) {
            return Err(PageError::Sqlite(format!(
                "sqlite_dbpage returned page {pgno} where page {expect} was expected"
            )));
        }
        if bytes.len() != info.page_size as usize {
            return Err(PageError::Sqlite(format!(
                "page {pgno} has {} bytes, not the page size {}",
                bytes.len(),
                info.page_size
            )));
        }
        page(expect, bytes).map_err(PageError::Callback)?;
        expect += 1;
    }
    if expect - 1 != info.page_count {
        return Err(PageError::Sqlite(format!(
            "sqlite_dbpage returned {} pages, the header says {}",
            expect - 1,
            info.page_count
        )));
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_page_in_order_and_ends_its_transaction() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t(x); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c \
             WHERE i<20) INSERT INTO t SELECT randomblob(3000) FROM c;",
        )
        .unwrap();
        let mut seen = Vec::new();
        let mut shape = None;
        let info = read_image::<()>(
            &conn,
            "main",
            |i| {
                shape = Some(i);
                Ok(())
            },
            |n, b| {
                seen.push((n, b.len()));
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(shape, Some(info));
        assert!(info.page_count > 10);
        assert_eq!(seen.len() as u32, info.page_count);
        assert!(seen
            .iter()
            .enumerate()
            .all(|(i, &(n, l))| n == i as u32 + 1 && l == info.page_size as usize));
        assert!(conn.is_autocommit());
    }

    #[test]
    fn a_callback_error_stops_the_read_and_no_schema_is_an_error() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t(x)").unwrap();
        let r = read_image(&conn, "main", |_| Ok(()), |_, _| Err("stop"));
        assert!(matches!(r, Err(PageError::Callback("stop"))));
        assert!(conn.is_autocommit());
        let r = read_image::<()>(&conn, "nosuch", |_| Ok(()), |_, _| Ok(()));
        assert!(matches!(r, Err(PageError::Sqlite(_))));
        assert!(conn.is_autocommit());
    }
}
