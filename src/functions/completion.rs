//! The `completion(PREFIX, WHOLELINE)` table of sqlite3 3.40.1's completion extension: the
//! words that could complete PREFIX, for interactive line editing.
//!
//! Columns: `candidate`, and the hidden `prefix`, `wholeline` and `phase`. Without a
//! PREFIX (or with an empty one) the prefix is the run of ASCII letters, digits and `_` at
//! the end of WHOLELINE. Candidates, each kept when it starts with the prefix (ASCII case
//! ignored), come in 3.40.1's order: the SQL keywords of SQLite 3.40.1 in its internal
//! order (phase 1), the schema names of `PRAGMA database_list` (phase 7), the names in
//! every schema's `sqlite_schema` (phase 8, sorted, duplicates removed by the UNION), then
//! the column names of every table (phase 9). The keyword list is 3.40.1's own, not the
//! bundled library's, which knows a few more words and orders them differently.

use std::ffi::c_int;

use rusqlite::types::ValueRef;
use rusqlite::vtab::{self, Filters, IndexConstraintOp, IndexInfo, VTabConfig};
use rusqlite::Connection;

use super::{text_result, value};
use crate::exec::raw::{self, DbHandle, TableCursor, TableFunction};

/// `sqlite3_keyword_name(0..147)` of SQLite 3.40.1, in that order.
const KEYWORDS: [&str; 147] = [
    "REINDEX",
    "INDEXED",
    "INDEX",
    "DESC",
    "ESCAPE",
    "EACH",
    "CHECK",
    "KEY",
    "BEFORE",
    "FOREIGN",
    "FOR",
    "IGNORE",
    "REGEXP",
    "EXPLAIN",
    "INSTEAD",
    "ADD",
    "DATABASE",
    "AS",
    "SELECT",
    "TABLE",
    "LEFT",
    "THEN",
    "END",
    "DEFERRABLE",
    "ELSE",
    "EXCLUDE",
    "DELETE",
    "TEMPORARY",
    "TEMP",
    "OR",
    "ISNULL",
    "NULLS",
    "SAVEPOINT",
    "INTERSECT",
    "TIES",
    "NOTNULL",
    "NOT",
    "NO",
    "NULL",
    "LIKE",
    "EXCEPT",
    "TRANSACTION",
    "ACTION",
    "ON",
    "NATURAL",
    "ALTER",
    "RAISE",
    "EXCLUSIVE",
    "EXISTS",
    "CONSTRAINT",
    "INTO",
    "OFFSET",
    "OF",
    "SET",
    "TRIGGER",
    "RANGE",
    "GENERATED",
    "DETACH",
    "HAVING",
    "GLOB",
    "BEGIN",
    "INNER",
    "REFERENCES",
    "UNIQUE",
    "QUERY",
    "WITHOUT",
    "WITH",
    "OUTER",
    "RELEASE",
    "ATTACH",
    "BETWEEN",
    "NOTHING",
    "GROUPS",
    "GROUP",
    "CASCADE",
    "ASC",
    "DEFAULT",
    "CASE",
    "COLLATE",
    "CREATE",
    "CURRENT_DATE",
    "IMMEDIATE",
    "JOIN",
    "INSERT",
    "MATCH",
    "PLAN",
    "ANALYZE",
    "PRAGMA",
    "MATERIALIZED",
    "DEFERRED",
    "DISTINCT",
    "IS",
    "UPDATE",
    "VALUES",
    "VIRTUAL",
    "ALWAYS",
    "WHEN",
    "WHERE",
    "RECURSIVE",
    "ABORT",
    "AFTER",
    "RENAME",
    "AND",
    "DROP",
    "PARTITION",
    "AUTOINCREMENT",
    "TO",
    "IN",
    "CAST",
    "COLUMN",
    "COMMIT",
    "CONFLICT",
    "CROSS",
    "CURRENT_TIMESTAMP",
    "CURRENT_TIME",
    "CURRENT",
    "PRECEDING",
    "FAIL",
    "LAST",
    "FILTER",
    "REPLACE",
    "FIRST",
    "FOLLOWING",
    "FROM",
    "FULL",
    "LIMIT",
    "IF",
    "ORDER",
    "RESTRICT",
    "OTHERS",
    "OVER",
    "RETURNING",
    "RIGHT",
    "ROLLBACK",
    "ROWS",
    "ROW",
    "UNBOUNDED",
    "UNION",
    "USING",
    "VACUUM",
    "VIEW",
    "WINDOW",
    "DO",
    "BY",
    "INITIALLY",
    "ALL",
    "PRIMARY",
];

const PHASE_KEYWORDS: i64 = 1;
const PHASE_DATABASES: i64 = 7;
const PHASE_TABLES: i64 = 8;
const PHASE_COLUMNS: i64 = 9;
const PHASE_EOF: i64 = 11;

const COL_CANDIDATE: c_int = 0;
const COL_PREFIX: c_int = 1;
const COL_WHOLELINE: c_int = 2;
const COL_PHASE: c_int = 3;

/// The `completion` table.
pub struct Completion {
    db: std::rc::Rc<DbHandle>,
}

/// The candidates of one scan, computed when it starts.
pub struct CompletionCursor {
    db: std::rc::Rc<DbHandle>,
    prefix: Option<Vec<u8>>,
    line: Option<Vec<u8>>,
    rows: Vec<(Option<Vec<u8>>, i64)>,
    at: usize,
}

impl TableFunction for Completion {
    type Cursor = CompletionCursor;
    type Aux = ();
    const SCHEMA: &'static std::ffi::CStr = c"CREATE TABLE x(  candidate TEXT,  prefix TEXT HIDDEN,  wholeline TEXT HIDDEN,  phase INT HIDDEN)";
    const CONFIG: VTabConfig = VTabConfig::Innocuous;

    fn connect(db: DbHandle, _aux: Option<&()>) -> Self {
        Completion {
            db: std::rc::Rc::new(db),
        }
    }

    fn best_index(&self, info: &mut IndexInfo) -> rusqlite::Result<bool> {
        let (mut prefix_at, mut line_at) = (None, None);
        for (i, c) in info.constraints().enumerate() {
            if !c.is_usable() || c.operator() != IndexConstraintOp::SQLITE_INDEX_CONSTRAINT_EQ {
                continue;
            }
            match c.column() {
                COL_PREFIX => prefix_at = Some(i),
                COL_WHOLELINE => line_at = Some(i),
                _ => {}
            }
        }
        let mut plan = 0;
        let mut argc = 0;
        for (bit, at) in [(1, prefix_at), (2, line_at)] {
            if let Some(i) = at {
                plan |= bit;
                argc += 1;
                let mut usage = info.constraint_usage(i);
                usage.set_argv_index(argc);
                usage.set_omit(true);
            }
        }
        info.set_idx_num(plan);
        info.set_estimated_cost(f64::from(5000 - 1000 * argc));
        info.set_estimated_rows(i64::from(500 - 100 * argc));
        Ok(true)
    }

    fn open(&self) -> CompletionCursor {
        CompletionCursor {
            db: self.db.clone(),
            prefix: None,
            line: None,
            rows: Vec::new(),
            at: 0,
        }
    }
}

/// The first column of every row of `sql` (errors end the list quietly, as in 3.40.1).
fn column_values(conn: &Connection, sql: &str, col: usize) -> Vec<Option<Vec<u8>>> {
    let mut out = Vec::new();
    if let Ok(raw::Prepared {
        stmt: Some(mut stmt),
        ..
    }) = raw::prepare(conn, sql.as_bytes())
    {
        while let Ok(true) = stmt.step() {
            out.push(stmt.text(col).map(<[u8]>::to_vec));
        }
    }
    out
}

/// `"name"` with `"` doubled (printf's `%w` inside double quotes).
fn quote_id(name: &[u8]) -> String {
    format!("\"{}\"", String::from_utf8_lossy(name).replace('"', "\"\""))
}

/// `'name'` with `'` doubled (printf's `%Q`).
fn quote_str(name: &[u8]) -> String {
    format!("'{}'", String::from_utf8_lossy(name).replace('\'', "''"))
}

/// Every candidate with its phase, in 3.40.1's order, before prefix filtering.
fn candidates(conn: &Connection) -> Vec<(Option<Vec<u8>>, i64)> {
    let mut rows: Vec<(Option<Vec<u8>>, i64)> = KEYWORDS
        .iter()
        .map(|k| (Some(k.as_bytes().to_vec()), PHASE_KEYWORDS))
        .collect();
    let schemas: Vec<Vec<u8>> = column_values(conn, "PRAGMA database_list", 1)
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect();
    rows.extend(schemas.iter().map(|s| (Some(s.clone()), PHASE_DATABASES)));
    let tables: Vec<String> = schemas
        .iter()
        .map(|s| format!("SELECT name FROM {}.sqlite_schema", quote_id(s)))
        .collect();
    rows.extend(
        column_values(conn, &tables.join(" UNION "), 0)
            .into_iter()
            .map(|t| (t, PHASE_TABLES)),
    );
    let columns: Vec<String> = schemas
        .iter()
        .map(|s| {
            format!(
                "SELECT pti.name FROM {}.sqlite_schema AS sm JOIN pragma_table_info(sm.name,{}) AS pti WHERE sm.type='table'",
                quote_id(s),
                quote_str(s)
            )
        })
        .collect();
    rows.extend(
        column_values(conn, &columns.join(" UNION "), 0)
            .into_iter()
            .map(|c| (c, PHASE_COLUMNS)),
    );
    rows
}

/// A non-empty argument's text (up to a NUL byte), `None` for NULL or empty.
fn nonempty(v: Option<&ValueRef<'_>>) -> Option<Vec<u8>> {
    v.and_then(value::c_text)
        .filter(|t| !t.is_empty())
        .map(|t| t.into_owned())
}

impl TableCursor for CompletionCursor {
    fn filter(&mut self, idx_num: c_int, args: &Filters<'_>) -> rusqlite::Result<()> {
        let args: Vec<ValueRef<'_>> = args.iter().collect();
        let mut next = args.iter();
        self.prefix = if idx_num & 1 != 0 {
            nonempty(next.next())
        } else {
            None
        };
        self.line = if idx_num & 2 != 0 {
            nonempty(next.next())
        } else {
            None
        };
        if self.prefix.is_none() {
            if let Some(line) = &self.line {
                let word = line
                    .iter()
                    .rev()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
                if word > 0 {
                    self.prefix = Some(line[line.len() - word..].to_vec());
                }
            }
        }
        let prefix = self.prefix.clone().unwrap_or_default();
        self.rows = self
            .db
            .with(candidates)?
            .into_iter()
            .filter(|(word, _)| {
                let word = word.as_deref().unwrap_or_default();
                prefix.is_empty()
                    || (prefix.len() <= word.len()
                        && word[..prefix.len()].eq_ignore_ascii_case(&prefix))
            })
            .collect();
        self.at = 0;
        Ok(())
    }

    fn next(&mut self) -> rusqlite::Result<()> {
        self.at += 1;
        Ok(())
    }

    fn eof(&self) -> bool {
        self.at >= self.rows.len()
    }

    fn column(&self, ctx: &mut vtab::Context, col: c_int) -> rusqlite::Result<()> {
        let text = |b: &Option<Vec<u8>>| b.clone().map(text_result);
        match col {
            COL_CANDIDATE => ctx.set_result(self.rows.get(self.at).and_then(|r| text(&r.0))),
            COL_PREFIX => ctx.set_result(text(&self.prefix)),
            COL_WHOLELINE => ctx.set_result(text(&self.line)),
            COL_PHASE => ctx.set_result(self.rows.get(self.at).map_or(PHASE_EOF, |r| r.1)),
            _ => ctx.set_result(rusqlite::types::Null),
        }
    }

    fn rowid(&self) -> rusqlite::Result<i64> {
        Ok(self.at as i64 + 1)
    }
}

/// Registers the `completion` table.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    raw::register_table_function::<Completion>(conn, c"completion")
}
