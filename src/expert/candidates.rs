//! Candidate indexes from the recorded scans (3.40.1's `idxCreateCandidates`): for each
//! scan, one index on its `=` columns plus each range column in turn, and one on its `=`
//! columns plus its ORDER BY terms. An index is created in `dbm` (and becomes a candidate)
//! unless an index there already starts with the same columns and collations.
//!
//! Its name is the table's name, `_idx_` and eight hex digits of a hash of the column list
//! as written in the `CREATE INDEX` (`h += (h << 3) + byte`, bytes as C's signed `char`);
//! when the name is taken, the hash goes on over the list again, up to 50 times.

use super::{
    exec, q, query, requires_quotes, stricmp_eq, w, Candidate, Constraint, Expert, ExpertError,
    Table, BUSY_TIMEOUT,
};

/// Creates the candidates of every scan, the most recent scan first.
pub(super) fn create_candidates(ex: &mut Expert) -> Result<(), ExpertError> {
    let (scans, tables) = {
        let s = super::lock(&ex.shared);
        (s.scans.clone(), s.tables.clone())
    };
    for scan in scans.iter().rev() {
        let table = &tables[scan.table];
        from_where(ex, table, &scan.eq, &scan.range, None)?;
        if !scan.order.is_empty() {
            from_where(ex, table, &scan.eq, &scan.range, Some(&scan.order))?;
        }
    }
    Ok(())
}

/// `idxCreateFromWhere`.
fn from_where(
    ex: &mut Expert,
    table: &Table,
    eq: &[Constraint],
    range: &[Constraint],
    tail: Option<&[Constraint]>,
) -> Result<(), ExpertError> {
    let tail_list = tail.unwrap_or_default();
    // The `=` columns, each once, none that the tail names; linked newest first.
    let mut p1: Vec<Constraint> = Vec::new();
    for con in eq {
        if !p1.iter().any(|c| c.col == con.col) && !tail_list.iter().any(|c| c.col == con.col) {
            p1.insert(0, con.clone());
        }
    }
    from_cons(ex, table, &p1, tail_list)?;
    if tail.is_none() {
        for con in range {
            if !p1.iter().any(|c| c.col == con.col) {
                from_cons(ex, table, &p1, std::slice::from_ref(con))?;
            }
        }
    }
    Ok(())
}

/// One column of the index definition: its name (quoted when needed), a COLLATE clause
/// when the constraint's collation is not the column's, and DESC.
fn col_defn(out: &mut Vec<u8>, table: &Table, con: &Constraint) {
    let col = &table.cols[con.col];
    if !out.is_empty() {
        out.extend_from_slice(b", ");
    }
    if requires_quotes(&col.name) {
        out.extend_from_slice(&q(&col.name));
    } else {
        out.extend_from_slice(&col.name);
    }
    if !col.coll.eq_ignore_ascii_case(&con.coll) {
        out.extend_from_slice(b" COLLATE ");
        if requires_quotes(&con.coll) {
            out.extend_from_slice(&q(&con.coll));
        } else {
            out.extend_from_slice(&con.coll);
        }
    }
    if con.desc {
        out.extend_from_slice(b" DESC");
    }
}

/// One more round of the name hash over `cols`.
pub(super) fn hash_round(mut h: u32, cols: &[u8]) -> u32 {
    for &c in cols {
        // C's `char` is signed here: bytes from 0x80 up add a negative value.
        let v = i32::from(c as i8) as u32;
        h = h.wrapping_add((h << 3).wrapping_add(v));
    }
    h
}

/// `idxCreateFromCons`: creates the index on `eq` then `tail` unless dbm has a compatible one.
fn from_cons(
    ex: &mut Expert,
    table: &Table,
    eq: &[Constraint],
    tail: &[Constraint],
) -> Result<(), ExpertError> {
    if eq.is_empty() && tail.is_empty() {
        return Ok(());
    }
    if find_compatible(ex, table, eq, tail)? {
        return Ok(());
    }
    let mut cols = Vec::new();
    for con in eq.iter().chain(tail) {
        col_defn(&mut cols, table, con);
    }
    let quote_table = requires_quotes(&table.name);
    let mut h = 0u32;
    let mut name = Vec::new();
    let mut found = false;
    for _ in 0..50 {
        h = hash_round(h, &cols);
        name = table.name.clone();
        name.extend_from_slice(format!("_idx_{h:08x}").as_bytes());
        let mut sql = b"SELECT count(*) FROM sqlite_schema WHERE name=".to_vec();
        sql.extend_from_slice(&q(&name));
        sql.extend_from_slice(b" AND type in ('index','table','view')");
        let mut taken = false;
        query(&ex.dbm, &sql, |s| {
            taken = s.text(0).is_some_and(|t| t != b"0");
            Ok(())
        })?;
        if !taken {
            found = true;
            break;
        }
    }
    if !found {
        return Err(ExpertError::code(BUSY_TIMEOUT));
    }
    let mut sql = b"CREATE INDEX ".to_vec();
    if quote_table {
        sql.push(b'"');
        sql.extend_from_slice(&w(&name));
        sql.extend_from_slice(b"\" ON \"");
        sql.extend_from_slice(&w(&table.name));
        sql.push(b'"');
    } else {
        sql.extend_from_slice(&name);
        sql.extend_from_slice(b" ON ");
        sql.extend_from_slice(&table.name);
    }
    sql.push(b'(');
    sql.extend_from_slice(&cols);
    sql.push(b')');
    if exec(&ex.dbm, &sql).is_err() {
        return Err(ExpertError::code(BUSY_TIMEOUT));
    }
    ex.candidates.push(Candidate {
        name,
        sql,
        stat: None,
    });
    Ok(())
}

/// `idxFindCompatible`: whether an index of dbm on the table has the `=` columns (in any
/// order) first, then the tail's columns in order, with the same collations.
fn find_compatible(
    ex: &Expert,
    table: &Table,
    eq: &[Constraint],
    tail: &[Constraint],
) -> Result<bool, ExpertError> {
    let mut sql = b"PRAGMA index_list=".to_vec();
    sql.extend_from_slice(&q(&table.name));
    let mut indexes = Vec::new();
    query(&ex.dbm, &sql, |s| {
        if let Some(n) = s.text(1) {
            indexes.push(n.to_vec());
        }
        Ok(())
    })
    .map_err(|e| ExpertError::code(e.code))?;
    for idx in indexes {
        let mut sql = b"PRAGMA index_xInfo=".to_vec();
        sql.extend_from_slice(&q(&idx));
        let mut rows: Vec<(i32, i32, Option<Vec<u8>>)> = Vec::new();
        query(&ex.dbm, &sql, |s| {
            rows.push((s.int(0), s.int(1), s.text(4).map(<[u8]>::to_vec)));
            Ok(())
        })
        .map_err(|e| ExpertError::code(e.code))?;
        let mut flags = vec![false; eq.len()];
        let mut t = tail.iter();
        let mut matched = true;
        for (seq, cid, coll) in rows {
            if usize::try_from(seq).is_ok_and(|s| s < eq.len()) {
                let hit = eq.iter().enumerate().position(|(k, c)| {
                    !flags[k]
                        && i32::try_from(c.col) == Ok(cid)
                        && stricmp_eq(Some(&c.coll), coll.as_deref())
                });
                match hit {
                    Some(k) => flags[k] = true,
                    None => {
                        matched = false;
                        break;
                    }
                }
            } else if let Some(c) = t.next() {
                if i32::try_from(c.col) != Ok(cid) || !stricmp_eq(Some(&c.coll), coll.as_deref()) {
                    matched = false;
                    break;
                }
            }
        }
        if matched {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::hash_round;

    #[test]
    fn the_name_hash_matches_3_40_1() {
        // `CREATE INDEX t_idx_00012681 ON t(b, c);` from sqlite3 3.40.1.
        assert_eq!(hash_round(0, b"b, c"), 0x0001_2681);
        // A taken name goes on hashing: t_idx_00000061 → t_idx_000003ca.
        assert_eq!(hash_round(hash_round(0, b"a"), b"a"), 0x3ca);
    }
}
