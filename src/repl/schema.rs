//! A snapshot of the live schema for completion.
//!
//! The interactive shell takes one after DDL, `.open` and `ATTACH`, and the completer reads
//! names from it without touching the connection again. Loading never fails: whatever part
//! of the catalogue cannot be read (a view over a dropped table, a virtual table whose module
//! is missing, an introspection pragma left out of the build) is simply left out.
//!
//! Everything here only reads: a fixed set of catalogue queries (the schema tables and the
//! `database_list`, `table_xinfo`, `function_list` and `schema_version` pragmas), each
//! checked with `sqlite3_stmt_readonly` before it runs ([`read_only`]); a statement that
//! would write is not run. Nothing of a view or a virtual table is evaluated: their columns
//! come from `table_xinfo`, which only prepares the view. The unit tests watch every
//! request through an authorizer.

use rusqlite::Connection;

/// A snapshot of the live schema, taken after DDL, .open and ATTACH.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// Attached schema names in `PRAGMA database_list` order (`main` first).
    pub schemas: Vec<String>,
    /// Every table and view of every attached schema.
    pub tables: Vec<Table>,
    /// Distinct SQL function names, sorted.
    pub functions: Vec<String>,
}

/// One table or view.
#[derive(Debug, Clone)]
pub struct Table {
    /// The schema it lives in (`main`, `temp`, or an attached name).
    pub schema: String,
    /// Its name, as stored in the schema table.
    pub name: String,
    /// True for a view.
    pub is_view: bool,
    /// Its columns in declaration order, hidden and generated ones included.
    pub columns: Vec<String>,
}

impl Schema {
    /// Reads every attached schema's tables/views (and their columns, with `pragma_table_xinfo`),
    /// the attached schema names (`PRAGMA database_list`), and function names
    /// (`PRAGMA function_list`). Never fails: on any error returns what it could.
    pub fn load(conn: &Connection) -> Schema {
        let schemas = strings(
            conn,
            "SELECT name FROM pragma_database_list ORDER BY seq",
            &[],
        );
        let mut tables = Vec::new();
        for schema in &schemas {
            let sql = format!(
                "SELECT name, type = 'view' FROM {}.sqlite_schema \
                 WHERE type IN ('table', 'view') ORDER BY name",
                quote(schema)
            );
            for (name, is_view) in objects(conn, &sql) {
                let columns = strings(
                    conn,
                    "SELECT name FROM pragma_table_xinfo(?1, ?2) ORDER BY cid",
                    &[&name, schema],
                );
                tables.push(Table {
                    schema: schema.clone(),
                    name,
                    is_view,
                    columns,
                });
            }
        }
        let functions = strings(
            conn,
            "SELECT DISTINCT name FROM pragma_function_list ORDER BY name",
            &[],
        );
        Schema {
            schemas,
            tables,
            functions,
        }
    }

    /// The tables and views of `schema` (matched ASCII case-insensitively, as SQLite does).
    pub fn tables_in<'a>(&'a self, schema: &'a str) -> impl Iterator<Item = &'a Table> + 'a {
        self.tables
            .iter()
            .filter(move |t| t.schema.eq_ignore_ascii_case(schema))
    }
}

/// `name` as a double-quoted SQL identifier.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `sql` prepared, if it prepares and only reads (`sqlite3_stmt_readonly`).
fn read_only<'c>(conn: &'c Connection, sql: &str) -> Option<rusqlite::Statement<'c>> {
    conn.prepare(sql).ok().filter(|s| s.readonly())
}

/// What identifies the schema a snapshot was taken of: each attached schema's name, file
/// and `schema_version`.
pub type SchemaKey = Vec<(String, String, i64)>;

/// The [`SchemaKey`] now: the snapshot is taken again when it changes (DDL, ATTACH/DETACH,
/// `.open`, another process's DDL).
pub fn schema_key(conn: &Connection) -> Option<SchemaKey> {
    let mut stmt = read_only(conn, "SELECT name, file FROM pragma_database_list")?;
    let dbs: Vec<(String, String)> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            ))
        })
        .ok()?
        .collect::<Result<_, _>>()
        .ok()?;
    let mut key = Vec::with_capacity(dbs.len());
    for (name, file) in dbs {
        let q = format!("PRAGMA {}.schema_version", quote(&name));
        let v: i64 = read_only(conn, &q)?.query_row([], |r| r.get(0)).ok()?;
        key.push((name, file, v));
    }
    Some(key)
}

/// The first column of every row of `sql`, as text; rows that are not text are skipped.
fn strings(conn: &Connection, sql: &str, params: &[&dyn rusqlite::ToSql]) -> Vec<String> {
    let Some(mut stmt) = read_only(conn, sql) else {
        return Vec::new();
    };
    let Ok(rows) = stmt.query_map(params, |row| row.get::<_, String>(0)) else {
        return Vec::new();
    };
    rows.map_while(Result::ok).collect()
}

/// `(name, is_view)` rows of a schema-table query.
fn objects(conn: &Connection, sql: &str) -> Vec<(String, bool)> {
    let Some(mut stmt) = read_only(conn, sql) else {
        return Vec::new();
    };
    let Ok(rows) = stmt.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get(1)?))) else {
        return Vec::new();
    };
    rows.map_while(Result::ok).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE orders(order_id INTEGER PRIMARY KEY, customer_id, total);
             CREATE TABLE \"odd \"\"name\"\"\"(\"a b\", c);
             CREATE VIEW big AS SELECT order_id, total FROM orders WHERE total > 100;
             CREATE TABLE gen(x, y AS (x * 2));
             ATTACH ':memory:' AS aux;
             CREATE TABLE aux.items(item_id, label);
             CREATE TEMP TABLE scratch(s);",
        )
        .unwrap();
        conn
    }

    fn find<'a>(s: &'a Schema, schema: &str, name: &str) -> &'a Table {
        s.tables
            .iter()
            .find(|t| t.schema == schema && t.name == name)
            .unwrap_or_else(|| panic!("{schema}.{name} missing from {:?}", s.tables))
    }

    #[test]
    fn loads_schemas_tables_views_and_columns() {
        let s = Schema::load(&sample());
        assert_eq!(s.schemas, ["main", "temp", "aux"]);
        let orders = find(&s, "main", "orders");
        assert!(!orders.is_view);
        assert_eq!(orders.columns, ["order_id", "customer_id", "total"]);
        let big = find(&s, "main", "big");
        assert!(big.is_view);
        assert_eq!(big.columns, ["order_id", "total"]);
        assert_eq!(find(&s, "main", "odd \"name\"").columns, ["a b", "c"]);
        // Generated columns are only listed by the xinfo pragma.
        assert_eq!(find(&s, "main", "gen").columns, ["x", "y"]);
        assert_eq!(find(&s, "aux", "items").columns, ["item_id", "label"]);
        assert_eq!(find(&s, "temp", "scratch").columns, ["s"]);
        assert_eq!(s.tables_in("AUX").count(), 1);
    }

    #[test]
    fn loads_function_names_once_each() {
        let s = Schema::load(&sample());
        for f in ["abs", "count", "substr", "json_extract"] {
            assert!(s.functions.iter().any(|n| n == f), "{f} missing");
        }
        let mut sorted = s.functions.clone();
        sorted.dedup();
        assert_eq!(
            sorted.len(),
            s.functions.len(),
            "duplicates in the function list"
        );
    }

    #[test]
    fn a_broken_view_keeps_its_name_and_the_rest_loads() {
        let conn = sample();
        conn.execute_batch(
            "CREATE TABLE gone(a); CREATE VIEW stale AS SELECT a FROM gone; DROP TABLE gone;",
        )
        .unwrap();
        let s = Schema::load(&conn);
        let stale = find(&s, "main", "stale");
        assert!(stale.is_view);
        assert!(stale.columns.is_empty());
        assert_eq!(find(&s, "main", "orders").columns.len(), 3);
    }

    /// Every authorization request made while `f` runs on `conn`.
    fn requests(conn: &mut Connection, f: impl FnOnce(&Connection)) -> Vec<String> {
        use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
        use std::sync::{Arc, Mutex};
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let _ = conn.authorizer(Some(move |ctx: AuthContext<'_>| {
            let line = match ctx.action {
                AuthAction::Select => "SELECT".to_string(),
                AuthAction::Read { table_name, .. } => format!("READ {table_name}"),
                AuthAction::Function { function_name } => format!("FUNCTION {function_name}"),
                AuthAction::Pragma {
                    pragma_name,
                    pragma_value: None,
                } => format!("PRAGMA {pragma_name}"),
                // An argument, not a new value: the table whose columns are listed.
                AuthAction::Pragma {
                    pragma_name: "table_xinfo",
                    pragma_value: Some(_),
                } => "PRAGMA table_xinfo".to_string(),
                other => format!("WRITE? {other:?}"),
            };
            log.lock().unwrap().push(line);
            Authorization::Allow
        }));
        f(conn);
        let _ = conn.authorizer(None::<fn(AuthContext<'_>) -> Authorization>);
        let v = seen.lock().unwrap().clone();
        v
    }

    #[test]
    fn loading_only_reads() {
        let mut conn = sample();
        conn.execute_batch(
            "CREATE VIRTUAL TABLE docs USING fts5(body);
             CREATE TABLE log(x);
             CREATE TRIGGER t AFTER INSERT ON orders BEGIN INSERT INTO log VALUES(1); END;
             CREATE VIEW counted AS SELECT count(*) AS n, abs(-1) AS a FROM orders;",
        )
        .unwrap();
        let before = conn.total_changes();
        let seen = requests(&mut conn, |conn| {
            let s = Schema::load(conn);
            assert!(s.tables.iter().any(|t| t.name == "docs"));
            assert!(schema_key(conn).is_some());
        });
        assert!(seen.iter().any(|r| r.starts_with("PRAGMA ")), "{seen:?}");
        let writes: Vec<&String> = seen
            .iter()
            .filter(|r| {
                !(r.as_str() == "SELECT"
                    || r.starts_with("READ ")
                    || r.starts_with("FUNCTION ")
                    || [
                        "PRAGMA database_list",
                        "PRAGMA table_xinfo",
                        "PRAGMA function_list",
                        "PRAGMA schema_version",
                    ]
                    .contains(&r.as_str()))
            })
            .collect();
        assert!(writes.is_empty(), "{writes:?}");
        assert_eq!(conn.total_changes(), before);
    }

    #[test]
    fn a_statement_that_would_write_is_not_run() {
        let conn = sample();
        assert!(read_only(&conn, "SELECT 1").is_some());
        assert!(read_only(&conn, "PRAGMA schema_version").is_some());
        for w in [
            "PRAGMA schema_version = 99",
            "PRAGMA user_version = 1",
            "DELETE FROM orders",
            "CREATE TABLE x(y)",
        ] {
            assert!(read_only(&conn, w).is_none(), "{w}");
        }
        assert!(strings(&conn, "PRAGMA user_version = 7", &[]).is_empty());
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 0);
    }

    #[test]
    fn an_empty_database_gives_main_and_the_functions() {
        let conn = Connection::open_in_memory().unwrap();
        let s = Schema::load(&conn);
        assert_eq!(s.schemas, ["main"]);
        assert!(s.tables.is_empty());
        assert!(!s.functions.is_empty());
    }
}
