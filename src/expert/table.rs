//! The advisor's view of the user's tables: the plan-only virtual table that records every
//! scan the planner considers (3.40.1's `expertBestIndex`), the copy of the schema made of
//! such tables in `dbv`, and the planning of the triggers that writes fire.

use std::ffi::CString;

use rusqlite::Connection;

use super::{
    exec, lock, q, query, Column, Constraint, Expert, ExpertError, Scan, SharedRef, Table,
    UNIQUE_TABLE_NAME,
};
use crate::exec::raw;

/// The operators whose constraints are recorded. 3.40.1 tests the operator code against
/// this as a bit mask, so some other operators (`!=`, `IS`, `IS NULL`, GLOB, LIMIT, …)
/// pass too and count as range constraints.
const OPMASK: u8 = 2 | 4 | 8 | 16 | 32;

/// One table of `dbv`.
pub(super) struct ExpertTable {
    shared: SharedRef,
    table: usize,
}

/// Undoes the `'…'` quoting of the module argument.
fn dequote(z: &[u8]) -> Vec<u8> {
    let inner = z
        .strip_prefix(b"'")
        .and_then(|z| z.strip_suffix(b"'"))
        .unwrap_or(z);
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        out.push(inner[i]);
        if inner[i] == b'\'' && inner.get(i + 1) == Some(&b'\'') {
            i += 1;
        }
        i += 1;
    }
    out
}

impl raw::PlanOnlyTable for ExpertTable {
    type Aux = SharedRef;

    fn connect(
        aux: Option<&SharedRef>,
        _table_name: &[u8],
        args: &[&[u8]],
    ) -> rusqlite::Result<(CString, Self)> {
        let (Some(shared), [arg]) = (aux, args) else {
            return Err(rusqlite::Error::ModuleError("internal error!".into()));
        };
        let schema = CString::new(dequote(arg))
            .map_err(|_| rusqlite::Error::ModuleError("internal error!".into()))?;
        // The table being created is the one added last (as in 3.40.1).
        let table = lock(shared).tables.len().saturating_sub(1);
        Ok((
            schema,
            ExpertTable {
                shared: shared.clone(),
                table,
            },
        ))
    }

    fn best_index(&self, info: &mut rusqlite::vtab::IndexInfo) -> rusqlite::Result<()> {
        let cons: Vec<(usize, i32, u8, bool)> = info
            .constraints()
            .enumerate()
            .map(|(i, c)| {
                (
                    i,
                    c.column(),
                    raw::constraint_op_code(c.operator()),
                    c.is_usable(),
                )
            })
            .collect();
        let orders: Vec<(i32, bool)> = info
            .order_bys()
            .map(|o| (o.column(), o.is_order_by_desc()))
            .collect();
        let mut shared = lock(&self.shared);
        let Some(table) = shared.tables.get(self.table).cloned() else {
            return Ok(());
        };
        let mut scan = Scan {
            table: self.table,
            eq: Vec::new(),
            range: Vec::new(),
            order: Vec::new(),
        };
        let mut n = 0;
        for (i, col, op, usable) in cons {
            let Ok(c) = usize::try_from(col) else {
                continue;
            };
            if !usable || table.cols.get(c).is_none_or(|c| c.pk) || op & OPMASK == 0 {
                continue;
            }
            let coll = info.collation(i)?.as_bytes().to_vec();
            let con = Constraint {
                coll,
                col: c,
                desc: false,
            };
            if op == 2 {
                scan.eq.insert(0, con);
            } else {
                scan.range.insert(0, con);
            }
            n += 1;
            info.constraint_usage(i).set_argv_index(n);
        }
        for (col, desc) in orders {
            let Some(c) = usize::try_from(col).ok().filter(|&c| c < table.cols.len()) else {
                continue;
            };
            scan.order.push(Constraint {
                coll: table.cols[c].coll.clone(),
                col: c,
                desc,
            });
            n += 1;
        }
        shared.scans.push(scan);
        drop(shared);
        info.set_estimated_cost(1_000_000.0 / f64::from(n + 1));
        Ok(())
    }
}

/// `idxGetTableInfo`: the columns of `name` in the user's main database. As in 3.40.1, the
/// `PRAGMA table_xinfo` runs twice (first to count the primary-key columns), which `.trace`
/// shows.
fn table_info(db: &Connection, name: &[u8]) -> Result<Table, ExpertError> {
    let mut sql = b"PRAGMA table_xinfo=".to_vec();
    sql.extend_from_slice(&q(name));
    let mut stmt = raw::prepare(db, &sql)
        .map_err(|e| ExpertError::msg(e.code, e.msg))?
        .stmt
        .ok_or_else(|| ExpertError::code(1))?;
    let mut n_pk = 0;
    while let Ok(true) = stmt.step() {
        if stmt.text(1).is_none() {
            return Err(ExpertError::code(1));
        }
        n_pk += usize::from(stmt.int(5) > 0);
    }
    stmt.reset();
    let mut cols = Vec::new();
    loop {
        match stmt.step() {
            Ok(true) => {}
            Ok(false) => break,
            Err(code) => return Err(ExpertError::code(code)),
        }
        let Some(cname) = stmt.text(1).map(<[u8]>::to_vec) else {
            continue;
        };
        let pk = stmt.int(5) == 1 && n_pk == 1;
        // A failed look-up leaves no message: 3.40.1 then says "out of memory".
        let coll = raw::column_collation(db, b"main", name, Some(&cname))
            .ok_or_else(|| ExpertError::code(1))?;
        cols.push(Column {
            name: cname,
            coll,
            pk,
        });
    }
    Ok(Table {
        name: name.to_vec(),
        cols,
    })
}

/// `idxCreateVtabSchema`: a plan-only table in dbv for every table of the main schema, and
/// the views with the triggers on them.
pub(super) fn create_vtab_schema(ex: &mut Expert, db: &Connection) -> Result<(), ExpertError> {
    raw::register_plan_only_module::<ExpertTable>(&ex.dbv, c"expert", ex.shared.clone())
        .map_err(|e| ExpertError::msg(1, e.to_string().into_bytes()))?;
    // (type, name, sql)
    type Object = (Vec<u8>, Vec<u8>, Option<Vec<u8>>);
    let mut objects: Vec<Object> = Vec::new();
    query(
        db,
        // 3.40.1's text, `%%` and all (it is not a printf format there; `.trace` shows it).
        b"SELECT type, name, sql, 1 FROM sqlite_schema \
          WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%%'  UNION ALL \
          SELECT type, name, sql, 2 FROM sqlite_schema \
          WHERE type = 'trigger'  AND tbl_name IN(SELECT name FROM sqlite_schema WHERE type = 'view') \
          ORDER BY 4, 1",
        |s| {
            objects.push((
                s.text(0).unwrap_or_default().to_vec(),
                s.text(1).unwrap_or_default().to_vec(),
                s.text(2).map(<[u8]>::to_vec),
            ));
            Ok(())
        },
    )?;
    for (kind, name, sql) in objects {
        if kind.first() == Some(&b'v') || kind.get(1) == Some(&b'r') {
            exec(&ex.dbv, &sql.unwrap_or_default())?;
            continue;
        }
        let t = table_info(db, &name)?;
        let mut inner = b"CREATE TABLE x(".to_vec();
        for (i, c) in t.cols.iter().enumerate() {
            if i > 0 {
                inner.extend_from_slice(b", ");
            }
            inner.extend_from_slice(&q(&c.name));
            inner.extend_from_slice(b" COLLATE ");
            inner.extend_from_slice(&c.coll);
        }
        inner.push(b')');
        let mut outer = b"CREATE VIRTUAL TABLE ".to_vec();
        outer.extend_from_slice(&q(&name));
        outer.extend_from_slice(b" USING expert(");
        outer.extend_from_slice(&q(&inner));
        outer.push(b')');
        lock(&ex.shared).tables.push(t);
        exec(&ex.dbv, &outer)?;
    }
    Ok(())
}

/// `idxProcessTriggers`: for every table written, plans the same write on a temporary copy
/// of the table that carries its triggers, so that the scans inside the triggers are seen.
/// Writes seen while doing so are processed in later rounds.
pub(super) fn process_triggers(ex: &mut Expert, db: &Connection) -> Result<(), ExpertError> {
    let mut done = 0;
    loop {
        let writes = lock(&ex.shared).writes.clone();
        if writes.len() == done {
            return Ok(());
        }
        for &(t, op) in writes[done..].iter().rev() {
            process_one_trigger(ex, db, t, op)?;
        }
        done = writes.len();
    }
}

fn process_one_trigger(ex: &Expert, db: &Connection, t: usize, op: i32) -> Result<(), ExpertError> {
    let table = lock(&ex.shared).tables[t].clone();
    let mut sql =
        b"SELECT 'CREATE TEMP' || substr(sql, 7) FROM sqlite_schema WHERE tbl_name = ".to_vec();
    sql.extend_from_slice(&q(&table.name));
    sql.extend_from_slice(b" AND type IN ('table', 'trigger') ORDER BY type;");
    let mut creates = Vec::new();
    query(db, &sql, |s| {
        if let Some(c) = s.text(0) {
            creates.push(c.to_vec());
        }
        Ok(())
    })?;
    for c in creates {
        exec(&ex.dbv, &c)?;
    }
    let mut rename = b"ALTER TABLE temp.".to_vec();
    rename.extend_from_slice(&q(&table.name));
    rename.extend_from_slice(b" RENAME TO ");
    rename.extend_from_slice(&q(UNIQUE_TABLE_NAME));
    exec(&ex.dbv, &rename)?;
    let unique = q(UNIQUE_TABLE_NAME);
    let mut write = Vec::new();
    match op {
        rusqlite::ffi::SQLITE_INSERT => {
            write.extend_from_slice(b"INSERT INTO ");
            write.extend_from_slice(&unique);
            write.extend_from_slice(b" VALUES(");
            for i in 0..table.cols.len() {
                write.extend_from_slice(if i == 0 { b"?" } else { b", ?" });
            }
            write.push(b')');
        }
        rusqlite::ffi::SQLITE_UPDATE => {
            write.extend_from_slice(b"UPDATE ");
            write.extend_from_slice(&unique);
            write.extend_from_slice(b" SET ");
            for (i, c) in table.cols.iter().enumerate() {
                if i > 0 {
                    write.extend_from_slice(b", ");
                }
                write.extend_from_slice(&q(&c.name));
                write.extend_from_slice(b"=?");
            }
        }
        _ => {
            write.extend_from_slice(b"DELETE FROM ");
            write.extend_from_slice(&unique);
        }
    }
    raw::prepare(&ex.dbv, &write).map_err(|e| ExpertError::msg(e.code, e.msg))?;
    let mut drop = b"DROP TABLE ".to_vec();
    drop.extend_from_slice(UNIQUE_TABLE_NAME);
    exec(&ex.dbv, &drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_argument_is_dequoted() {
        assert_eq!(
            dequote(b"'CREATE TABLE x(''a'' COLLATE BINARY)'"),
            b"CREATE TABLE x('a' COLLATE BINARY)".to_vec()
        );
    }
}
