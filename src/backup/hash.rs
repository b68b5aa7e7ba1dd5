//! A content hash of a database and its per-table row counts; the integrity check.
//!
//! [`content`] hashes the *logical* content of one schema of a connection, so that two
//! databases holding the same things hash the same whatever their page layout (page size,
//! VACUUMed or not, free pages, file format details such as the text encoding or the
//! journal mode in the header). What goes in, as one framed byte stream fed to BLAKE3:
//!
//! 1. a version tag, so the format can change without old hashes silently matching;
//! 2. every row of `sqlite_schema`: its `type`, `name`, `tbl_name` and `sql` (not
//!    `rootpage`, which is layout), sorted;
//! 3. for every table (`type = 'table'`, sorted by name, `sqlite_sequence` and
//!    `sqlite_stat1` included, virtual tables left out since their data live in their
//!    shadow tables, which are hashed as tables): its name, then each row's stored columns
//!    in a stable order, then the row count. Rowid tables are read in rowid order, WITHOUT
//!    ROWID tables in primary-key order. A hidden rowid is an ordering key only, not
//!    content: VACUUM may renumber it and `.dump` does not keep it. Generated columns are
//!    derived from the others and left out.
//!
//! Each value is written with its storage class: NULL, INTEGER (8 bytes), REAL (the 8 bytes
//! of its IEEE bits, so `0.0` and `-0.0` differ), TEXT and BLOB (length, then bytes). So
//! `1`, `1.0`, `'1'` and `x'31'` all hash differently, and so do NULL and `''`.
//!
//! Not content: the header fields `user_version` and `application_id` (no dump keeps them),
//! the page size, the freelist.
//!
//! Rows are streamed into the hasher as SQLite returns them; no table is ever held in
//! memory. All reads run in one read transaction (begun here when the connection has none,
//! else the caller's), so the hash is of one point in time.

use rusqlite::{ffi, Connection};

use crate::exec::raw::{self, Stmt, Value};

/// A table and its number of rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    /// The table's name (invalid UTF-8 shown with replacement characters).
    pub name: String,
    /// Its number of rows.
    pub rows: u64,
}

/// What [`content`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    /// Every table with b-tree storage (virtual tables left out), sorted by name.
    pub tables: Vec<TableCount>,
    /// The content hash, `blake3:` and 64 hex digits.
    pub hash: String,
}

/// Tag at the start of the hashed stream; bump it when the encoding changes.
const FORMAT: &[u8] = b"litesh content hash v1\0";

/// The logical content of schema `schema` ("main", "temp", an attached name…) of `conn`:
/// every schema object's type, name, tbl_name and sql (sorted), and every table's rows in
/// a stable order, each value encoded with its storage class (see the module docs).
///
/// Runs in one read transaction: its own when `conn` is in autocommit mode, the caller's
/// otherwise (then uncommitted changes of that transaction are seen). Streams: memory use
/// does not grow with the size of a table.
pub fn content(conn: &Connection, schema: &str) -> rusqlite::Result<Content> {
    known_schema(conn, schema)?;
    if !conn.is_autocommit() {
        return hash_schema(conn, schema);
    }
    conn.execute_batch("BEGIN")?;
    let r = hash_schema(conn, schema);
    // A read transaction: ending it cannot lose anything, and either way is fine.
    let end = conn.execute_batch(if r.is_ok() { "COMMIT" } else { "ROLLBACK" });
    match (r, end) {
        (Ok(c), Ok(())) => Ok(c),
        (Err(e), _) | (Ok(_), Err(e)) => Err(e),
    }
}

/// `PRAGMA schema.integrity_check`: `Ok(())` when it says "ok", else `Err` with its lines
/// (or the error that stopped it, such as "file is not a database").
pub fn integrity(conn: &Connection, schema: &str) -> Result<(), Vec<String>> {
    let mut sql = b"PRAGMA ".to_vec();
    push_ident(&mut sql, schema.as_bytes());
    sql.extend_from_slice(b".integrity_check");
    let mut lines = Vec::new();
    let r = (|| -> rusqlite::Result<()> {
        let mut st = prepare(conn, &sql)?;
        while step(&mut st)? {
            let line = st.text(0).unwrap_or(b"NULL");
            lines.push(String::from_utf8_lossy(line).into_owned());
        }
        Ok(())
    })();
    match r {
        Err(e) => {
            lines.push(error_text(&e));
            Err(lines)
        }
        Ok(()) if lines.len() == 1 && lines[0] == "ok" => Ok(()),
        Ok(()) if lines.is_empty() => Err(vec!["integrity_check returned nothing".into()]),
        Ok(()) => Err(lines),
    }
}

/// `Err("unknown database NAME")` unless `schema` names a database of `conn` (SQLite's
/// own error would name the table `NAME.sqlite_schema`).
fn known_schema(conn: &Connection, schema: &str) -> rusqlite::Result<()> {
    if schema.eq_ignore_ascii_case("temp") {
        return Ok(());
    }
    let mut st = prepare(conn, b"SELECT name FROM pragma_database_list")?;
    while step(&mut st)? {
        if let Value::Text(n) = st.value(0) {
            if n.eq_ignore_ascii_case(schema.as_bytes()) {
                return Ok(());
            }
        }
    }
    Err(failure(
        ffi::SQLITE_ERROR,
        format!("unknown database {schema}").into_bytes(),
    ))
}

/// The message of an SQLite error, without rusqlite's decoration when there is a message.
pub fn error_text(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(_, Some(m)) => m.clone(),
        other => other.to_string(),
    }
}

/// A BLAKE3 hasher with the framing helpers for the stream described in the module docs.
struct Stream(blake3::Hasher);

impl Stream {
    fn tag(&mut self, t: u8) {
        self.0.update(&[t]);
    }

    fn len(&mut self, n: u64) {
        self.0.update(&n.to_le_bytes());
    }

    fn value(&mut self, v: &Value<'_>) {
        match *v {
            Value::Null => self.tag(b'n'),
            Value::Integer(i) => {
                self.tag(b'i');
                self.0.update(&i.to_le_bytes());
            }
            Value::Real(r) => {
                self.tag(b'r');
                self.0.update(&r.to_bits().to_le_bytes());
            }
            Value::Text(t) => {
                self.tag(b't');
                self.len(t.len() as u64);
                self.0.update(t);
            }
            Value::Blob(b) => {
                self.tag(b'b');
                self.len(b.len() as u64);
                self.0.update(b);
            }
        }
    }

    fn text(&mut self, t: &[u8]) {
        self.value(&Value::Text(t));
    }
}

fn hash_schema(conn: &Connection, schema: &str) -> rusqlite::Result<Content> {
    let mut h = Stream(blake3::Hasher::new());
    h.0.update(FORMAT);
    let mut master = Vec::new();
    push_ident(&mut master, schema.as_bytes());
    master.extend_from_slice(b".sqlite_schema");

    // 1. The schema rows, sorted (`ORDER BY name` is byte order, so the tables noted on the
    // way come out sorted by name too). A schema is small next to the data.
    let mut sql = b"SELECT type, name, tbl_name, sql FROM ".to_vec();
    sql.extend_from_slice(&master);
    sql.extend_from_slice(b" ORDER BY name, type, tbl_name, sql");
    let mut tables = Vec::new();
    {
        let mut st = prepare(conn, &sql)?;
        while step(&mut st)? {
            h.tag(b'S');
            for i in 0..4 {
                h.value(&st.value(i));
            }
            let is_table = matches!(st.value(0), Value::Text(b"table"));
            let is_virtual = match st.value(3) {
                Value::Text(s) => is_create_virtual(s),
                _ => false,
            };
            if is_table && !is_virtual {
                if let Value::Text(n) = st.value(1) {
                    tables.push(n.to_vec());
                }
            }
        }
    }
    // 2. Every table's rows.
    let mut counts = Vec::with_capacity(tables.len());
    for t in &tables {
        let rows = hash_table(conn, schema, t, &mut h)?;
        counts.push(TableCount {
            name: String::from_utf8_lossy(t).into_owned(),
            rows,
        });
    }
    Ok(Content {
        tables: counts,
        hash: format!("blake3:{}", h.0.finalize().to_hex()),
    })
}

/// True when schema SQL text creates a virtual table.
fn is_create_virtual(sql: &[u8]) -> bool {
    let words: Vec<&[u8]> = sql
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .take(2)
        .collect();
    words.len() == 2
        && words[0].eq_ignore_ascii_case(b"create")
        && words[1].eq_ignore_ascii_case(b"virtual")
}

/// A column of a table as `pragma_table_xinfo` lists it.
struct Column {
    name: Vec<u8>,
    /// 0 for an ordinary column; 2 and 3 for generated ones.
    hidden: i64,
    /// Position in the primary key (1-based), 0 when not part of it.
    pk: i64,
}

fn columns(conn: &Connection, schema: &str, table: &[u8]) -> rusqlite::Result<Vec<Column>> {
    let mut st = prepare(
        conn,
        b"SELECT name, hidden, pk FROM pragma_table_xinfo(?1, ?2)",
    )?;
    st.bind_text(1, table);
    st.bind_text(2, schema.as_bytes());
    let mut cols = Vec::new();
    while step(&mut st)? {
        let name = match st.value(0) {
            Value::Text(t) => t.to_vec(),
            _ => Vec::new(),
        };
        let int = |v: Value<'_>| match v {
            Value::Integer(i) => i,
            _ => 0,
        };
        cols.push(Column {
            name,
            hidden: int(st.value(1)),
            pk: int(st.value(2)),
        });
    }
    Ok(cols)
}

fn without_rowid(conn: &Connection, schema: &str, table: &[u8]) -> rusqlite::Result<bool> {
    let mut st = prepare(
        conn,
        b"SELECT wr FROM pragma_table_list(?1) WHERE schema = ?2",
    )?;
    st.bind_text(1, table);
    st.bind_text(2, schema.as_bytes());
    let mut wr = false;
    while step(&mut st)? {
        wr |= matches!(st.value(0), Value::Integer(1));
    }
    Ok(wr)
}

/// Hashes one table's rows in key order; returns the number of rows.
fn hash_table(
    conn: &Connection,
    schema: &str,
    table: &[u8],
    h: &mut Stream,
) -> rusqlite::Result<u64> {
    let cols = columns(conn, schema, table)?;
    let stored: Vec<&Column> = cols.iter().filter(|c| c.hidden == 0).collect();
    h.tag(b'T');
    h.text(table);
    h.len(stored.len() as u64);
    for c in &stored {
        h.text(&c.name);
    }
    if stored.is_empty() {
        // Cannot happen for a table SQLite created; nothing to read.
        h.tag(b'E');
        h.len(0);
        return Ok(0);
    }

    let mut sql = b"SELECT ".to_vec();
    for (i, c) in stored.iter().enumerate() {
        if i > 0 {
            sql.push(b',');
        }
        push_ident(&mut sql, &c.name);
    }
    sql.extend_from_slice(b" FROM ");
    push_ident(&mut sql, schema.as_bytes());
    sql.push(b'.');
    push_ident(&mut sql, table);
    // NOT INDEXED: the table's own b-tree, never a covering index in another order.
    sql.extend_from_slice(b" NOT INDEXED");
    if without_rowid(conn, schema, table)? {
        let mut pk: Vec<&Column> = cols.iter().filter(|c| c.pk > 0).collect();
        pk.sort_by_key(|c| c.pk);
        for (i, c) in pk.iter().enumerate() {
            sql.extend_from_slice(if i == 0 { b" ORDER BY " } else { b"," });
            push_ident(&mut sql, &c.name);
        }
    } else {
        // The rowid under a name no column took; with all three taken, the plain scan of
        // the table's b-tree (NOT INDEXED) is rowid order.
        let taken = |alias: &str| {
            cols.iter()
                .any(|c| c.name.eq_ignore_ascii_case(alias.as_bytes()))
        };
        if let Some(alias) = ["rowid", "_rowid_", "oid"].into_iter().find(|a| !taken(a)) {
            sql.extend_from_slice(b" ORDER BY ");
            sql.extend_from_slice(alias.as_bytes());
        }
    }

    let mut st = prepare(conn, &sql)?;
    let n = st.column_count();
    let mut rows: u64 = 0;
    while step(&mut st)? {
        h.tag(b'R');
        for i in 0..n {
            h.value(&st.value(i));
        }
        rows += 1;
    }
    h.tag(b'E');
    h.len(rows);
    Ok(rows)
}

/// Appends `name` as a double-quoted SQL identifier.
fn push_ident(out: &mut Vec<u8>, name: &[u8]) {
    crate::format::sql::push_ident(out, name, Some(b'"'));
}

fn failure(code: i32, msg: Vec<u8>) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        ffi::Error::new(code),
        Some(String::from_utf8_lossy(&msg).into_owned()),
    )
}

fn prepare<'c>(conn: &'c Connection, sql: &[u8]) -> rusqlite::Result<Stmt<'c>> {
    match raw::prepare(conn, sql) {
        Ok(p) => p
            .stmt
            .ok_or_else(|| failure(ffi::SQLITE_MISUSE, b"empty statement".to_vec())),
        Err(e) => Err(failure(e.code, e.msg)),
    }
}

fn step(st: &mut Stmt<'_>) -> rusqlite::Result<bool> {
    st.step().map_err(|code| failure(code, st.errmsg()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(sql: &str) -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(sql).unwrap();
        c
    }

    fn hash(sql: &str) -> String {
        content(&db(sql), "main").unwrap().hash
    }

    const SAMPLE: &str = "
        CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c);
        CREATE INDEX tb ON t(b);
        CREATE TABLE u(x, y);
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 500)
          INSERT INTO t SELECT i, 'row ' || i, randomblob(i % 50) FROM n;
        INSERT INTO u SELECT b, c FROM t;
        DELETE FROM t WHERE a % 3 = 0;
        DELETE FROM u WHERE rowid % 4 = 0;
    ";

    #[test]
    fn counts_and_format() {
        let c = content(&db(SAMPLE), "main").unwrap();
        assert_eq!(
            c.tables,
            vec![
                TableCount {
                    name: "t".into(),
                    rows: 334
                },
                TableCount {
                    name: "u".into(),
                    rows: 375
                },
            ]
        );
        assert!(c.hash.starts_with("blake3:"));
        assert_eq!(c.hash.len(), 7 + 64);
    }

    #[test]
    fn same_content_other_layout_same_hash() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.db");
        let conn = Connection::open(&a).unwrap();
        conn.execute_batch(SAMPLE).unwrap();
        let before = content(&conn, "main").unwrap();
        // VACUUM renumbers the hidden rowids of `u` and drops the free pages.
        conn.execute_batch("VACUUM").unwrap();
        let after = content(&conn, "main").unwrap();
        assert_eq!(before, after);
        // Another page size (and a fresh file) through VACUUM INTO.
        let b = dir.path().join("b.db");
        conn.execute_batch(&format!(
            "PRAGMA page_size=1024; VACUUM INTO '{}'",
            b.display()
        ))
        .unwrap();
        let other = Connection::open(&b).unwrap();
        let ps: i64 = other
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap();
        let ps_a: i64 = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap();
        assert_ne!(ps, ps_a, "VACUUM INTO should have used another page size");
        assert_eq!(content(&other, "main").unwrap(), before);
        // And as an attached schema of another connection.
        let m = Connection::open_in_memory().unwrap();
        m.execute("ATTACH ?1 AS other", [b.to_str().unwrap()])
            .unwrap();
        assert_eq!(content(&m, "other").unwrap(), before);
    }

    #[test]
    fn text_encoding_is_layout_too() {
        let sql = "CREATE TABLE t(a TEXT); INSERT INTO t VALUES('Zoë 日本'), ('x');";
        let a = db(sql);
        let b = db("PRAGMA encoding='UTF-16be';");
        b.execute_batch(sql).unwrap();
        let enc: String = b.query_row("PRAGMA encoding", [], |r| r.get(0)).unwrap();
        assert_eq!(enc, "UTF-16be");
        assert_eq!(content(&a, "main").unwrap(), content(&b, "main").unwrap());
    }

    #[test]
    fn insertion_order_of_rowid_tables_is_rowid_order() {
        let a =
            hash("CREATE TABLE t(a INTEGER PRIMARY KEY, b); INSERT INTO t VALUES(2,'x'),(1,'y');");
        let b =
            hash("CREATE TABLE t(a INTEGER PRIMARY KEY, b); INSERT INTO t VALUES(1,'y'),(2,'x');");
        assert_eq!(a, b);
    }

    #[test]
    fn one_value_changes_the_hash() {
        let base = db(SAMPLE);
        let h0 = content(&base, "main").unwrap();
        base.execute_batch("UPDATE t SET b = 'row 8!' WHERE a = 8")
            .unwrap();
        let h1 = content(&base, "main").unwrap();
        assert_ne!(h0.hash, h1.hash);
        assert_eq!(h0.tables, h1.tables);
        base.execute_batch("UPDATE t SET b = 'row 8' WHERE a = 8")
            .unwrap();
        assert_eq!(content(&base, "main").unwrap(), h0);
    }

    #[test]
    fn storage_classes_hash_differently() {
        let values = [
            "1", "1.0", "'1'", "x'31'", "NULL", "''", "x''", "0", "-0.0", "0.0",
        ];
        let hashes: Vec<String> = values
            .iter()
            .map(|v| hash(&format!("CREATE TABLE t(v); INSERT INTO t VALUES({v});")))
            .collect();
        for i in 0..hashes.len() {
            for j in 0..i {
                assert_ne!(hashes[i], hashes[j], "{} vs {}", values[i], values[j]);
            }
        }
    }

    #[test]
    fn row_boundaries_are_framed() {
        // Two rows of one value each are not one row of two values, nor 'ab' one 'a','b'.
        assert_ne!(
            hash("CREATE TABLE t(a, b); INSERT INTO t VALUES('a', NULL), (NULL, 'b');"),
            hash("CREATE TABLE t(a, b); INSERT INTO t VALUES('a', 'b'), (NULL, NULL);")
        );
        assert_ne!(
            hash("CREATE TABLE t(a, b); INSERT INTO t VALUES('ab', '');"),
            hash("CREATE TABLE t(a, b); INSERT INTO t VALUES('a', 'b');")
        );
    }

    #[test]
    fn without_rowid_tables_in_key_order() {
        let a = db("CREATE TABLE w(k TEXT PRIMARY KEY, v) WITHOUT ROWID;
                    INSERT INTO w VALUES('b', 2), ('a', 1), ('c', 3);");
        let b = db("CREATE TABLE w(k TEXT PRIMARY KEY, v) WITHOUT ROWID;
                    INSERT INTO w VALUES('c', 3), ('a', 1), ('b', 2);");
        let ca = content(&a, "main").unwrap();
        assert_eq!(ca, content(&b, "main").unwrap());
        assert_eq!(ca.tables[0].rows, 3);
        b.execute_batch("UPDATE w SET v = 4 WHERE k = 'c'").unwrap();
        assert_ne!(ca.hash, content(&b, "main").unwrap().hash);
        // A composite, descending key.
        let c = db(
            "CREATE TABLE w(x, y, v, PRIMARY KEY(y DESC, x)) WITHOUT ROWID;
                    INSERT INTO w VALUES(1, 1, 'a'), (2, 1, 'b'), (1, 2, 'c');",
        );
        let d = db(
            "CREATE TABLE w(x, y, v, PRIMARY KEY(y DESC, x)) WITHOUT ROWID;
                    INSERT INTO w VALUES(1, 2, 'c'), (2, 1, 'b'), (1, 1, 'a');",
        );
        assert_eq!(content(&c, "main").unwrap(), content(&d, "main").unwrap());
    }

    #[test]
    fn schema_objects_change_the_hash() {
        let base = "CREATE TABLE t(a); INSERT INTO t VALUES(1);";
        let h = hash(base);
        assert_ne!(
            h,
            hash(&format!("{base} CREATE VIEW v AS SELECT a FROM t;"))
        );
        assert_ne!(h, hash(&format!("{base} CREATE INDEX ta ON t(a);")));
        assert_ne!(
            h,
            hash(&format!(
                "{base} CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;"
            ))
        );
        // An empty table is content too.
        assert_ne!(h, hash(&format!("{base} CREATE TABLE e(x);")));
    }

    #[test]
    fn hidden_rowid_is_not_content_but_integer_primary_key_is() {
        assert_eq!(
            hash("CREATE TABLE t(a); INSERT INTO t(rowid, a) VALUES(5, 'x');"),
            hash("CREATE TABLE t(a); INSERT INTO t(rowid, a) VALUES(9, 'x');")
        );
        assert_ne!(
            hash("CREATE TABLE t(id INTEGER PRIMARY KEY, a); INSERT INTO t VALUES(5, 'x');"),
            hash("CREATE TABLE t(id INTEGER PRIMARY KEY, a); INSERT INTO t VALUES(9, 'x');")
        );
    }

    #[test]
    fn odd_names_and_shadowed_rowid() {
        let sql = "CREATE TABLE \"we\"\"ird\"(rowid, _rowid_, oid, \"x y\");
                   INSERT INTO \"we\"\"ird\" VALUES(1, 2, 3, 4), (5, 6, 7, 8);";
        let c = content(&db(sql), "main").unwrap();
        assert_eq!(c.tables[0].name, "we\"ird");
        assert_eq!(c.tables[0].rows, 2);
    }

    #[test]
    fn virtual_tables_hash_their_sql_and_shadow_tables() {
        let sql = "CREATE VIRTUAL TABLE f USING fts5(body);
                   INSERT INTO f VALUES('hello world'), ('goodbye');";
        let conn = db(sql);
        let c = content(&conn, "main").unwrap();
        let names: Vec<&str> = c.tables.iter().map(|t| t.name.as_str()).collect();
        assert!(!names.contains(&"f"), "{names:?}");
        assert!(names.contains(&"f_data"), "{names:?}");
        conn.execute_batch("INSERT INTO f VALUES('more')").unwrap();
        assert_ne!(content(&conn, "main").unwrap().hash, c.hash);
    }

    #[test]
    fn generated_columns_are_left_out() {
        // Same stored data, the same generated column: same hash; its values are derived.
        let sql = "CREATE TABLE g(a, b AS (a * 2) STORED, c AS (a + 1));
                   INSERT INTO g(a) VALUES(1), (2);";
        let c = content(&db(sql), "main").unwrap();
        assert_eq!(c.tables[0].rows, 2);
        assert_eq!(c.hash, hash(sql));
    }

    #[test]
    fn temp_and_attached_schemas_and_errors() {
        let conn = db("CREATE TEMP TABLE tt(z); INSERT INTO tt VALUES(1), (2);");
        let t = content(&conn, "temp").unwrap();
        assert_eq!(t.tables[0].name, "tt");
        assert_eq!(t.tables[0].rows, 2);
        assert!(content(&conn, "main").unwrap().tables.is_empty());
        let e = content(&conn, "nosuch").unwrap_err();
        assert_eq!(error_text(&e), "unknown database nosuch");
        assert!(content(&conn, "MAIN").is_ok());
        // The failed attempt left no transaction behind.
        assert!(conn.is_autocommit());
    }

    #[test]
    fn inside_a_caller_transaction() {
        let conn = db(SAMPLE);
        let outside = content(&conn, "main").unwrap();
        assert!(conn.is_autocommit());
        conn.execute_batch("BEGIN").unwrap();
        assert_eq!(content(&conn, "main").unwrap(), outside);
        // The caller's transaction goes on, and its own changes are seen.
        assert!(!conn.is_autocommit());
        conn.execute_batch("INSERT INTO u VALUES(1, 2)").unwrap();
        let inside = content(&conn, "main").unwrap();
        assert_ne!(inside.hash, outside.hash);
        conn.execute_batch("ROLLBACK").unwrap();
        assert_eq!(content(&conn, "main").unwrap(), outside);
    }

    #[test]
    fn integrity_ok_and_errors() {
        let conn = db(SAMPLE);
        assert_eq!(integrity(&conn, "main"), Ok(()));
        let e = integrity(&conn, "nosuch").unwrap_err();
        assert!(e[0].contains("nosuch"), "{e:?}");
    }

    #[test]
    fn integrity_reports_a_damaged_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.db");
        {
            let c = Connection::open(&p).unwrap();
            c.execute_batch(
                "PRAGMA page_size=1024; CREATE TABLE t(a, b); CREATE INDEX ta ON t(a);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 300)
                   INSERT INTO t SELECT i, hex(randomblob(20)) FROM n;",
            )
            .unwrap();
        }
        // Cut the file in half.
        let bytes = std::fs::read(&p).unwrap();
        std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
        let c = Connection::open(&p).unwrap();
        let e = integrity(&c, "main").unwrap_err();
        assert!(!e.is_empty());
    }

    /// Streaming: hashing a table of ~64 MB must not raise the process's peak RSS by
    /// anything like the table's size. Measured in a child process (this test binary run
    /// again on [`streaming_child`]) so that other tests' memory does not count.
    #[cfg(target_os = "linux")]
    #[test]
    fn content_streams_tables() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.db");
        {
            let c = Connection::open(&p).unwrap();
            c.execute_batch(
                "CREATE TABLE big(id INTEGER PRIMARY KEY, b BLOB);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 6400)
                   INSERT INTO big SELECT i, randomblob(10000) FROM n;",
            )
            .unwrap();
        }
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "backup::hash::tests::streaming_child",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("LITESH_STREAMING_DB", &p)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let delta: u64 = text
            .lines()
            .find_map(|l| l.split("HWM_DELTA_KB=").nth(1))
            .unwrap_or_else(|| panic!("child said: {text}"))
            .trim()
            .parse()
            .unwrap();
        assert!(
            delta < 24 * 1024,
            "peak RSS grew by {delta} KiB hashing a 64 MB table"
        );
    }

    #[cfg(target_os = "linux")]
    fn peak_rss_kb() -> u64 {
        let s = std::fs::read_to_string("/proc/self/status").unwrap();
        s.lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }

    /// The child half of [`content_streams_tables`]; does nothing when run on its own.
    #[cfg(target_os = "linux")]
    #[test]
    #[ignore = "run by content_streams_tables in a child process"]
    fn streaming_child() {
        let Some(p) = std::env::var_os("LITESH_STREAMING_DB") else {
            return;
        };
        let c = Connection::open(p).unwrap();
        c.execute_batch("SELECT count(*) FROM sqlite_schema")
            .unwrap();
        let before = peak_rss_kb();
        let r = content(&c, "main").unwrap();
        assert_eq!(r.tables[0].rows, 6400);
        let after = peak_rss_kb();
        println!("\nHWM_DELTA_KB={}", after.saturating_sub(before));
    }
}
