//! `.expert`: the index advisor, as sqlite3 3.40.1's `sqlite3expert` extension does it.
//!
//! How it works (SQLite's own description of the algorithm, `ext/expert/README.md`):
//!
//! 1. Two private in-memory databases are opened. `dbm` gets a copy of the user's schema
//!    (tables, indexes, views, triggers; not virtual tables). `dbv` gets a plan-only virtual
//!    table for every table (and virtual table) of the user's main schema, with the same
//!    columns and collations, plus its views and the triggers on them.
//! 2. Each statement to analyse is prepared against `dbv`. While it plans, the planner asks
//!    each virtual table's xBestIndex about every scan it considers: the usable `=` and range
//!    constraints (with their collations) and the ORDER BY columns are recorded as a scan
//!    ([`table`]). An authorizer notes which tables are written, so that the triggers a
//!    write fires are planned too.
//! 3. For every scan, candidate indexes are made ([`candidates`]): the `=` columns, then
//!    either one range column or the ORDER BY columns. Each is created in `dbm` under a name
//!    hashed from its column list, unless an index there already serves the same columns.
//! 4. With `--sample N`, `sqlite_stat1` of `dbm` is filled from N% of each table's rows
//!    ([`stat1`]), so that the planner can order the candidates by selectivity.
//! 5. Each statement's `EXPLAIN QUERY PLAN` is run in `dbm`: the candidates it uses are the
//!    advice, and its plan lines are the plan shown.
//!
//! Everything here is written from that description and from observing sqlite3 3.40.1; the
//! bytes of the report, the index names and the error texts match its shell.

mod candidates;
mod stat1;
mod table;

use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::Connection;

use crate::exec::raw;
use crate::format::sql::{push_doubled, quoted_string};

/// SQLITE_BUSY_TIMEOUT: what 3.40.1's advisor reports (with no message) when it cannot
/// create a candidate index in its copy of the schema.
const BUSY_TIMEOUT: i32 = 517;

/// The name of the scratch table used while processing triggers and sampling rows.
const UNIQUE_TABLE_NAME: &[u8] = b"t592690916721053953805701627921227776";

/// A failed step of the analysis: the result code and, usually, a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpertError {
    /// The (possibly extended) result code.
    pub code: i32,
    /// The message, when 3.40.1 has one.
    pub msg: Option<Vec<u8>>,
}

impl ExpertError {
    fn msg(code: i32, msg: Vec<u8>) -> Self {
        ExpertError {
            code,
            msg: Some(msg),
        }
    }

    fn code(code: i32) -> Self {
        ExpertError { code, msg: None }
    }
}

/// One column of a user table (`PRAGMA table_xinfo`).
#[derive(Debug, Clone)]
struct Column {
    name: Vec<u8>,
    coll: Vec<u8>,
    /// The table's only PRIMARY KEY column: constraints on it are not recorded.
    pk: bool,
}

/// A user table as the advisor sees it.
#[derive(Debug, Clone)]
struct Table {
    name: Vec<u8>,
    cols: Vec<Column>,
}

/// One constraint or ORDER BY term on a column.
#[derive(Debug, Clone)]
struct Constraint {
    coll: Vec<u8>,
    col: usize,
    desc: bool,
}

/// What the planner asked of one scan of one table.
#[derive(Debug, Clone)]
struct Scan {
    table: usize,
    /// `=` constraints, most recently seen first (the C list order).
    eq: Vec<Constraint>,
    /// Range constraints, most recently seen first.
    range: Vec<Constraint>,
    /// ORDER BY terms, in order.
    order: Vec<Constraint>,
}

/// State shared with the virtual tables and the authorizer of `dbv`.
#[derive(Debug, Default)]
struct Shared {
    tables: Vec<Table>,
    scans: Vec<Scan>,
    /// (table, SQLITE_INSERT/UPDATE/DELETE), in the order first seen.
    writes: Vec<(usize, i32)>,
}

type SharedRef = Arc<Mutex<Shared>>;

fn lock(s: &SharedRef) -> MutexGuard<'_, Shared> {
    s.lock().unwrap_or_else(|e| e.into_inner())
}

/// A candidate index created in `dbm`.
#[derive(Debug, Clone)]
struct Candidate {
    name: Vec<u8>,
    sql: Vec<u8>,
    stat: Option<Vec<u8>>,
}

/// One analysed statement.
#[derive(Debug, Clone)]
struct Statement {
    sql: Vec<u8>,
    indexes: Option<Vec<u8>>,
    plan: Option<Vec<u8>>,
}

/// An analysis in progress (sqlite3's `sqlite3expert` object).
pub struct Expert {
    dbv: Connection,
    dbm: Connection,
    shared: SharedRef,
    statements: Vec<Statement>,
    candidates: Vec<Candidate>,
    sample: i32,
}

/// `sqlite3_exec`: runs every statement of `sql`, discarding rows.
fn exec(conn: &Connection, sql: &[u8]) -> Result<(), ExpertError> {
    let mut rest = sql;
    while !rest.is_empty() {
        let p = raw::prepare(conn, rest).map_err(|e| ExpertError::msg(e.code, e.msg))?;
        rest = &rest[p.consumed..];
        let Some(mut stmt) = p.stmt else {
            if p.consumed == 0 {
                break;
            }
            continue;
        };
        loop {
            match stmt.step() {
                Ok(true) => {}
                Ok(false) => break,
                Err(code) => return Err(ExpertError::msg(code, stmt.errmsg())),
            }
        }
    }
    Ok(())
}

/// Runs one query and hands each row to `f`.
fn query(
    conn: &Connection,
    sql: &[u8],
    mut f: impl FnMut(&raw::Stmt<'_>) -> Result<(), ExpertError>,
) -> Result<(), ExpertError> {
    let p = raw::prepare(conn, sql).map_err(|e| ExpertError::msg(e.code, e.msg))?;
    let Some(mut stmt) = p.stmt else {
        return Ok(());
    };
    loop {
        match stmt.step() {
            Ok(true) => f(&stmt)?,
            Ok(false) => return Ok(()),
            Err(code) => return Err(ExpertError::msg(code, stmt.errmsg())),
        }
    }
}

/// `%Q`: a quoted SQL string.
fn q(z: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(z.len() + 2);
    quoted_string(&mut b, z);
    b
}

/// `%w`: `"` doubled (for use inside double quotes).
fn w(z: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(z.len());
    push_doubled(&mut b, z, b'"');
    b
}

/// `sqlite3_stricmp` on optional strings (NULL equals only NULL).
fn stricmp_eq(a: Option<&[u8]>, b: Option<&[u8]>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        (None, None) => true,
        _ => false,
    }
}

/// The advisor's `idxIdentifierRequiresQuotes`: a keyword, or any byte outside
/// `[A-Za-z0-9_]` (a leading digit does not count).
fn requires_quotes(id: &[u8]) -> bool {
    raw::is_keyword(id) || !id.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

impl Expert {
    /// `sqlite3_expert_new`: copies the schema of `db`'s main database. The error message
    /// is what sqlite3 prints after `sqlite3_expert_new: ` (`None`: "out of memory").
    pub fn new(db: &Connection, sample: i32) -> Result<Expert, Option<Vec<u8>>> {
        let open = || Connection::open_in_memory().map_err(|e| Some(e.to_string().into_bytes()));
        let dbv = open()?;
        let dbm = open()?;
        let _ = dbm.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_TRIGGER_EQP,
            true,
        );
        let shared = SharedRef::default();
        let mut ex = Expert {
            dbv,
            dbm,
            shared,
            statements: Vec::new(),
            candidates: Vec::new(),
            sample: sample.clamp(0, 100),
        };
        // The whole schema, virtual tables aside, into dbm.
        let mut schema = Vec::new();
        query(
            db,
            b"SELECT sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL %'",
            |s| {
                schema.push(s.text(0).unwrap_or_default().to_vec());
                Ok(())
            },
        )
        .map_err(|e| e.msg)?;
        for sql in schema {
            exec(&ex.dbm, &sql).map_err(|e| e.msg)?;
        }
        table::create_vtab_schema(&mut ex, db).map_err(|e| e.msg)?;
        let shared = ex.shared.clone();
        raw::set_authorizer(
            &ex.dbv,
            Some(Box::new(move |r: &raw::AuthRequest<'_>| {
                note_write(&shared, r);
                true
            })),
        );
        Ok(ex)
    }

    /// `sqlite3_expert_sql`: adds every statement of `sql` to the analysis; an error is the
    /// message of the statement that did not prepare against the copy of the schema.
    pub fn add_sql(&mut self, sql: &[u8]) -> Result<(), ExpertError> {
        let mut rest = sql;
        while rest.first().is_some_and(|&c| c != 0) {
            let p = raw::prepare(&self.dbv, rest).map_err(|e| ExpertError::msg(e.code, e.msg))?;
            rest = &rest[p.consumed..];
            match p.stmt {
                Some(stmt) => self.statements.push(Statement {
                    sql: stmt.sql(),
                    indexes: None,
                    plan: None,
                }),
                None if p.consumed == 0 => break,
                None => {}
            }
        }
        Ok(())
    }

    /// `sqlite3_expert_analyze`: proposes the candidates, samples the data when asked, and
    /// finds which candidates each statement's plan uses. `db` is the user's connection.
    pub fn analyze(&mut self, db: &Connection) -> Result<(), ExpertError> {
        table::process_triggers(self, db)?;
        candidates::create_candidates(self)?;
        stat1::populate(self, db)?;
        self.find_indexes()
    }

    /// The `-- stat1:`-annotated list of every candidate (`EXPERT_REPORT_CANDIDATES`).
    fn candidates_report(&self) -> Option<Vec<u8>> {
        let mut out: Option<Vec<u8>> = None;
        for c in self.candidates.iter().rev() {
            let o = out.get_or_insert_with(Vec::new);
            o.extend_from_slice(&c.sql);
            o.push(b';');
            if let Some(s) = &c.stat {
                o.extend_from_slice(b" -- stat1: ");
                o.extend_from_slice(s);
            }
            o.push(b'\n');
        }
        out
    }

    /// Runs each statement's `EXPLAIN QUERY PLAN` in dbm (3.40.1's `idxFindIndexes`).
    fn find_indexes(&mut self) -> Result<(), ExpertError> {
        for i in (0..self.statements.len()).rev() {
            let mut sql = b"EXPLAIN QUERY PLAN ".to_vec();
            let text = &self.statements[i].sql;
            sql.extend_from_slice(text.split(|&c| c == 0).next().unwrap_or_default());
            let p = raw::prepare(&self.dbm, &sql).map_err(|e| ExpertError::msg(e.code, e.msg))?;
            let Some(mut stmt) = p.stmt else {
                continue;
            };
            let mut used: Vec<usize> = Vec::new();
            let mut plan: Option<Vec<u8>> = None;
            loop {
                match stmt.step() {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(code) => return Err(ExpertError::code(code)),
                }
                let Some(detail) = stmt.text(3) else { continue };
                if let Some(name) = index_named_in(detail) {
                    if let Some(c) = self.candidates.iter().position(|c| c.name == name) {
                        let sql = &self.candidates[c].sql;
                        if !used.iter().any(|&u| &self.candidates[u].sql == sql) {
                            used.push(c);
                        }
                    }
                }
                if detail.first() != Some(&b'-') {
                    let p = plan.get_or_insert_with(Vec::new);
                    p.extend_from_slice(detail);
                    p.push(b'\n');
                }
            }
            drop(stmt);
            let mut idx: Option<Vec<u8>> = None;
            for &u in used.iter().rev() {
                let o = idx.get_or_insert_with(Vec::new);
                o.extend_from_slice(&self.candidates[u].sql);
                o.extend_from_slice(b";\n");
            }
            let s = &mut self.statements[i];
            s.indexes = idx;
            s.plan = plan;
        }
        Ok(())
    }

    /// The report as sqlite3's shell prints it (`expertFinish`).
    pub fn report(&self, verbose: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if verbose {
            out.extend_from_slice(b"-- Candidates -----------------------------\n");
            match self.candidates_report() {
                Some(c) => out.extend_from_slice(&c),
                None => out.extend_from_slice(b"(null)"),
            }
            out.push(b'\n');
        }
        for (i, s) in self.statements.iter().enumerate() {
            if verbose {
                out.extend_from_slice(
                    format!("-- Query {} --------------------------------\n", i + 1).as_bytes(),
                );
                out.extend_from_slice(&s.sql);
                out.extend_from_slice(b"\n\n");
            }
            match &s.indexes {
                Some(x) => out.extend_from_slice(x),
                None => out.extend_from_slice(b"(no new indexes)\n"),
            }
            out.push(b'\n');
            match &s.plan {
                Some(x) => out.extend_from_slice(x),
                None => out.extend_from_slice(b"(null)"),
            }
            out.push(b'\n');
        }
        out
    }
}

/// The index name in one line of a plan: what follows the first ` USING INDEX ` or
/// ` USING COVERING INDEX `, up to ` (` or the end.
fn index_named_in(detail: &[u8]) -> Option<&[u8]> {
    let n = detail.len();
    for i in 0..n {
        let rest = &detail[i..];
        let start = if i + 13 < n && rest.starts_with(b" USING INDEX ") {
            i + 13
        } else if i + 22 < n && rest.starts_with(b" USING COVERING INDEX ") {
            i + 22
        } else {
            continue;
        };
        let z = &detail[start..];
        let mut len = 0;
        while len < z.len() && !(z[len] == b' ' && z.get(len + 1) == Some(&b'(')) {
            len += 1;
        }
        return Some(&z[..len]);
    }
    None
}

/// The authorizer of dbv: remembers each (table, write) pair of the main schema.
fn note_write(shared: &SharedRef, r: &raw::AuthRequest<'_>) {
    use rusqlite::ffi::{SQLITE_DELETE, SQLITE_INSERT, SQLITE_UPDATE};
    if ![SQLITE_INSERT, SQLITE_UPDATE, SQLITE_DELETE].contains(&r.action) {
        return;
    }
    if !stricmp_eq(r.args[2], Some(b"main")) {
        return;
    }
    let Some(name) = r.args[0] else { return };
    let mut s = lock(shared);
    let Some(t) = s
        .tables
        .iter()
        .rposition(|t| t.name.eq_ignore_ascii_case(name))
    else {
        return;
    };
    if !s.writes.iter().any(|&(wt, op)| wt == t && op == r.action) {
        s.writes.push((t, r.action));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_name_is_cut_at_the_constraint_list() {
        assert_eq!(
            index_named_in(b"SEARCH t USING INDEX t_idx_00012681 (b=? AND c>?)"),
            Some(&b"t_idx_00012681"[..])
        );
        assert_eq!(
            index_named_in(b"SCAN t USING COVERING INDEX t_idx_00000063"),
            Some(&b"t_idx_00000063"[..])
        );
        assert_eq!(index_named_in(b"SCAN t"), None);
    }

    #[test]
    fn identifiers_are_quoted_like_the_advisor_does() {
        assert!(!requires_quotes(b"abc_1"));
        assert!(!requires_quotes(b"1abc"));
        assert!(requires_quotes(b"a b"));
        assert!(requires_quotes(b"select"));
    }
}
