//! `--sample PERCENT`: `sqlite_stat1` rows for every index of the copy of the schema
//! (3.40.1's `idxPopulateStat1`), so that the planner ranks the candidates by how selective
//! their columns are.
//!
//! For each index, a query over the table's rows compares each key column with the same
//! column of the row before (a `rem(slot, value)` function returns the previous value of a
//! slot and keeps the new one); counting the rows where a prefix of the key changes gives
//! the average number of rows per distinct prefix. With 100% the query reads the user's
//! table itself; below, it reads a scratch table of the rows a `sample()` function picks:
//! a row is taken when the share taken so far is at most PERCENT, else with a chance of
//! about PERCENT in 100. The queries on the user's connection are 3.40.1's (`.trace` shows
//! them); `rem()` and `sample()` are removed from it afterwards.
//!
//! The rows are read one at a time; only the sampled rows are copied, into the advisor's
//! private in-memory database.

use rusqlite::functions::FunctionFlags;
use rusqlite::types::{ToSql, ToSqlOutput, ValueRef};
use rusqlite::Connection;
use std::sync::{Arc, Mutex};

use super::{exec, lock, q, query, w, Expert, ExpertError, UNIQUE_TABLE_NAME};
use crate::exec::raw;

/// The value a `rem()` slot keeps.
#[derive(Debug, Clone, Default)]
enum Slot {
    #[default]
    Null,
    Integer(i64),
    Real(f64),
    Text(Vec<u8>),
    Blob(Vec<u8>),
}

impl ToSql for Slot {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Slot::Null => ValueRef::Null,
            Slot::Integer(i) => ValueRef::Integer(*i),
            Slot::Real(r) => ValueRef::Real(*r),
            Slot::Text(t) => ValueRef::Text(t),
            Slot::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

/// Registers `rem(SLOT, VALUE)` on `conn`.
fn register_rem(conn: &Connection) -> rusqlite::Result<()> {
    let slots: Arc<Mutex<Vec<Slot>>> = Arc::default();
    conn.create_scalar_function("rem", 2, FunctionFlags::SQLITE_UTF8, move |ctx| {
        let i = usize::try_from(ctx.get::<i64>(0).unwrap_or(0)).unwrap_or(0);
        let new = match ctx.get_raw(1) {
            ValueRef::Null => Slot::Null,
            ValueRef::Integer(v) => Slot::Integer(v),
            ValueRef::Real(v) => Slot::Real(v),
            ValueRef::Text(t) => Slot::Text(t.to_vec()),
            ValueRef::Blob(b) => Slot::Blob(b.to_vec()),
        };
        let mut s = slots.lock().unwrap_or_else(|e| e.into_inner());
        if s.len() <= i {
            s.resize(i + 1, Slot::Null);
        }
        Ok(std::mem::replace(&mut s[i], new))
    })
}

/// Fills dbm's `sqlite_stat1` when a sample was asked for.
pub(super) fn populate(ex: &mut Expert, db: &Connection) -> Result<(), ExpertError> {
    if ex.sample == 0 {
        return Ok(());
    }
    exec(&ex.dbm, b"ANALYZE; PRAGMA writable_schema=1").map_err(|e| ExpertError::code(e.code))?;
    let on_user_db = ex.sample == 100;
    if on_user_db {
        register_rem(db)
    } else {
        register_rem(&ex.dbv)
    }
    .map_err(|e| ExpertError::msg(1, e.to_string().into_bytes()))?;
    let r = populate_all(ex, db);
    // 3.40.1 leaves the function registered (pointing at freed memory); litesh removes it.
    let _ = if on_user_db { db } else { &ex.dbv }.remove_function("rem", 2);
    let mut drop = b"DROP TABLE IF EXISTS temp.".to_vec();
    drop.extend_from_slice(UNIQUE_TABLE_NAME);
    if r.is_ok() && !on_user_db {
        exec(&ex.dbv, &drop)?;
    }
    let r = r.and_then(|()| {
        exec(&ex.dbm, b"ANALYZE sqlite_schema").map_err(|e| ExpertError::code(e.code))
    });
    let _ = exec(db, &drop);
    if !on_user_db {
        let _ = db.remove_function("sample", 0);
    }
    r
}

fn populate_all(ex: &mut Expert, db: &Connection) -> Result<(), ExpertError> {
    let mut all: Vec<(i64, Vec<u8>, Vec<u8>)> = Vec::new();
    query(
        &ex.dbm,
        b"SELECT s.rowid, s.name, l.name FROM   sqlite_schema AS s,   pragma_index_list(s.name) AS l WHERE s.type = 'table'",
        |s| {
            if let (Some(t), Some(i)) = (s.text(1), s.text(2)) {
                let rowid = match s.value(0) {
                    raw::Value::Integer(r) => r,
                    _ => 0,
                };
                all.push((rowid, t.to_vec(), i.to_vec()));
            }
            Ok(())
        },
    )?;
    let mut prev = None;
    for (rowid, tab, idx) in all {
        if ex.sample < 100 && prev != Some(rowid) {
            build_sample_table(ex, db, &tab)?;
        }
        populate_one(ex, db, &tab, &idx)?;
        prev = Some(rowid);
    }
    Ok(())
}

/// The scratch table of sampled rows of `tab`, in dbv.
fn build_sample_table(ex: &Expert, db: &Connection, tab: &[u8]) -> Result<(), ExpertError> {
    let mut drop = b"DROP TABLE IF EXISTS temp.".to_vec();
    drop.extend_from_slice(UNIQUE_TABLE_NAME);
    exec(&ex.dbv, &drop)?;
    let cols = {
        let s = lock(&ex.shared);
        match s
            .tables
            .iter()
            .rev()
            .find(|t| t.name.eq_ignore_ascii_case(tab))
        {
            Some(t) => t.cols.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
            None => return Err(ExpertError::code(1)),
        }
    };
    let mut create = b"CREATE TABLE temp.".to_vec();
    create.extend_from_slice(UNIQUE_TABLE_NAME);
    create.push(b'(');
    let mut insert = b"INSERT INTO temp.".to_vec();
    insert.extend_from_slice(UNIQUE_TABLE_NAME);
    insert.extend_from_slice(b" VALUES(");
    for (i, c) in cols.iter().enumerate() {
        if i > 0 {
            create.extend_from_slice(b", ");
            insert.extend_from_slice(b", ");
        }
        create.push(b'"');
        create.extend_from_slice(&w(c));
        create.push(b'"');
        insert.push(b'?');
    }
    create.push(b')');
    insert.push(b')');
    exec(&ex.dbv, &create)?;
    let mut ins = raw::prepare(&ex.dbv, &insert)
        .map_err(|e| ExpertError::msg(e.code, e.msg))?
        .stmt
        .ok_or_else(|| ExpertError::code(1))?;
    register_sample(db, ex.sample).map_err(|e| ExpertError::msg(1, e.to_string().into_bytes()))?;
    let mut select = b"SELECT * FROM main.".to_vec();
    select.extend_from_slice(&q(tab));
    select.extend_from_slice(b" WHERE sample()");
    query(db, &select, |s| {
        let n = s.column_count();
        for i in 0..cols.len() {
            if i < n {
                ins.bind_value(i + 1, &s.value(i));
            } else {
                ins.bind_null(i + 1);
            }
        }
        while let Ok(true) = ins.step() {}
        ins.reset();
        Ok(())
    })
}

/// Registers `sample()` on the user's connection, fresh for each table: true for the first
/// row, then whenever the share taken so far is at most `percent`%, else with a chance of
/// about `percent` in 100.
fn register_sample(db: &Connection, percent: i32) -> rusqlite::Result<()> {
    let target = f64::from(percent) / 100.0;
    let counts = Mutex::new((0.0f64, 0.0f64));
    db.create_scalar_function("sample", 0, FunctionFlags::SQLITE_UTF8, move |_| {
        let mut c = counts.lock().unwrap_or_else(|e| e.into_inner());
        let (n_row, n_ret) = *c;
        let take = n_row == 0.0
            || n_ret / n_row <= target
            || (raw::random_int() & 0xffff) % 100 <= percent;
        c.0 += 1.0;
        if take {
            c.1 += 1.0;
        }
        Ok(take)
    })
}

/// The `sqlite_stat1` row of one index.
fn populate_one(
    ex: &mut Expert,
    db: &Connection,
    tab: &[u8],
    idx: &[u8],
) -> Result<(), ExpertError> {
    // The key columns and their collations.
    let mut keys: Vec<(Option<Vec<u8>>, Vec<u8>)> = Vec::new();
    let mut sql = b"SELECT name, coll FROM pragma_index_xinfo(".to_vec();
    sql.extend_from_slice(&q(idx));
    sql.extend_from_slice(b") WHERE key");
    query(&ex.dbm, &sql, |s| {
        keys.push((
            s.text(0).map(<[u8]>::to_vec),
            s.text(1).unwrap_or_default().to_vec(),
        ));
        Ok(())
    })?;
    let mut cols = Vec::new();
    let mut order = Vec::new();
    for (i, (name, coll)) in keys.iter().enumerate() {
        if i > 0 {
            cols.extend_from_slice(b", ");
            order.extend_from_slice(b", ");
        }
        // 3.40.1 writes `%Q` of the column name, which is NULL for an expression.
        let n = name.as_deref().map_or_else(|| b"NULL".to_vec(), q);
        cols.extend_from_slice(b"x.");
        cols.extend_from_slice(&n);
        cols.extend_from_slice(format!(" IS rem({i}, x.").as_bytes());
        cols.extend_from_slice(&n);
        cols.extend_from_slice(b") COLLATE ");
        cols.extend_from_slice(coll);
        order.extend_from_slice((i + 1).to_string().as_bytes());
    }
    let n_col = keys.len();
    let mut query_sql = b"SELECT ".to_vec();
    query_sql.extend_from_slice(&cols);
    query_sql.extend_from_slice(b" FROM ");
    if ex.sample == 100 {
        query_sql.extend_from_slice(&q(tab));
    } else {
        query_sql.extend_from_slice(b"temp.");
        query_sql.extend_from_slice(UNIQUE_TABLE_NAME);
    }
    query_sql.extend_from_slice(b" x ORDER BY ");
    query_sql.extend_from_slice(&order);
    let rem_db = if ex.sample == 100 { db } else { &ex.dbv };
    let mut stmt = raw::prepare(rem_db, &query_sql)
        .map_err(|e| ExpertError::msg(e.code, e.msg))?
        .stmt
        .ok_or_else(|| ExpertError::code(1))?;
    match stmt.step() {
        Ok(true) => {}
        Ok(false) => return Ok(()),
        Err(code) => return Err(ExpertError::code(code)),
    }
    let mut stat = vec![1i64; n_col + 1];
    loop {
        match stmt.step() {
            Ok(true) => {}
            Ok(false) => break,
            Err(code) => return Err(ExpertError::code(code)),
        }
        stat[0] += 1;
        let first_change = (0..n_col).find(|&i| stmt.int(i) == 0).unwrap_or(n_col);
        for s in &mut stat[first_change + 1..] {
            *s += 1;
        }
    }
    drop(stmt);
    let s0 = stat[0];
    let mut text = s0.to_string();
    for s in &stat[1..] {
        text.push_str(&format!(" {}", (s0 + s / 2) / s));
    }
    let mut ins = raw::prepare(&ex.dbm, b"INSERT INTO sqlite_stat1 VALUES(?, ?, ?)")
        .map_err(|e| ExpertError::msg(e.code, e.msg))?
        .stmt
        .ok_or_else(|| ExpertError::code(1))?;
    ins.bind_text(1, tab);
    ins.bind_text(2, idx);
    ins.bind_text(3, text.as_bytes());
    if let Err(code) = ins.step() {
        return Err(ExpertError::code(code));
    }
    drop(ins);
    if let Some(c) = ex.candidates.iter_mut().find(|c| c.name == idx) {
        c.stat = Some(text.into_bytes());
    }
    Ok(())
}
