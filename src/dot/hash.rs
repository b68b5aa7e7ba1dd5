//! `.sha3sum ?OPTIONS? ?LIKE-PATTERN?`: a SHA3 hash of database content, as sqlite3
//! 3.40.1 computes it.
//!
//! 3.40.1 lists the tables that have b-tree storage (no views, no virtual tables), lower
//! cased and sorted without regard to case, writes one reading query per table (the
//! `sqlite_` tables it knows get queries of their own that leave out volatile columns or
//! fix an order) and hashes the stream of all their rows with `sha3_query()` in one
//! statement (`WITH [sha3sum$query](a,b) AS(VALUES(…)) SELECT lower(hex(sha3_query(…)))`),
//! which runs like any SQL input, so the hash is shown in the current output mode. With a
//! pattern each table gets its own hash and label. `--debug` prints that statement instead.
//!
//! Quirks kept: the default size is 224 bits (the help text says 256); `sqlite_schema` is
//! hashed with `--schema` or when the pattern starts with `sqlite_`; a table whose name
//! starts with `sqlite_` but that 3.40.1 has no query for (`sqlite_stat2`, …) is hashed with
//! the previous table's query; errors in the statement are silent.

use std::io::Write;

use super::pattern::like;
use super::schema::query;
use crate::exec::{self, ExecError};
use crate::render::cut_nul;
use crate::shell::{DotResult, Failure, Flow, Shell};

/// What the options asked for.
struct Request<'a> {
    pattern: Option<&'a [u8]>,
    with_schema: bool,
    bits: u32,
    debug: bool,
}

/// Parses the arguments; `Err` carries the result of a usage error, already reported.
fn parse<'a>(shell: &mut Shell, args: &'a [Vec<u8>]) -> Result<Request<'a>, Failure> {
    let mut r = Request {
        pattern: None,
        with_schema: false,
        bits: 224,
        debug: false,
    };
    for a in &args[1..] {
        if let Some(z) = a.strip_prefix(b"-") {
            let z = z.strip_prefix(b"-").unwrap_or(z);
            match z {
                b"schema" => r.with_schema = true,
                b"sha3-224" => r.bits = 224,
                b"sha3-256" => r.bits = 256,
                b"sha3-384" => r.bits = 384,
                b"sha3-512" => r.bits = 512,
                b"debug" => r.debug = true,
                _ => {
                    let mut m = b"Unknown option \"".to_vec();
                    m.extend_from_slice(a);
                    m.extend_from_slice(b"\" on \"");
                    m.extend_from_slice(&args[0]);
                    m.extend_from_slice(b"\"\n");
                    std::io::stderr().write_all(&m)?;
                    let word = String::from_utf8_lossy(&args[0]);
                    let (help, _) = super::help::show_help(Some(&word));
                    shell.out.write_all(help.as_bytes())?;
                    return Err(Failure::Code(1));
                }
            }
        } else if r.pattern.is_some() {
            return Err(Failure::msg("Usage: .sha3sum ?OPTIONS? ?LIKE-PATTERN?"));
        } else {
            r.pattern = Some(a);
            // A pattern that names sqlite_ tables brings sqlite_schema in.
            if a.len() >= 7 && a[..7].eq_ignore_ascii_case(b"sqlite_") {
                r.with_schema = true;
            }
        }
    }
    Ok(r)
}

/// The query that reads one table for the hash, or `None` for an `sqlite_` table 3.40.1
/// has no query for.
fn table_query(table: &[u8]) -> Option<Vec<u8>> {
    let fixed: &[u8] = match table {
        b"sqlite_schema" => b"SELECT type,name,tbl_name,sql FROM sqlite_schema ORDER BY name;",
        b"sqlite_sequence" => b"SELECT name,seq FROM sqlite_sequence ORDER BY name;",
        b"sqlite_stat1" => b"SELECT tbl,idx,stat FROM sqlite_stat1 ORDER BY tbl,idx;",
        b"sqlite_stat4" => b"SELECT * FROM sqlite_stat4 ORDER BY tbl, idx, rowid;\n",
        t if t.starts_with(b"sqlite_") => return None,
        t => {
            let mut q = b"SELECT * FROM ".to_vec();
            push_quoted(&mut q, t, b'"');
            q.extend_from_slice(b" NOT INDEXED;");
            return Some(q);
        }
    };
    Some(fixed.to_vec())
}

/// Appends `s` between `quote`s, doubling any `quote` inside.
fn push_quoted(buf: &mut Vec<u8>, s: &[u8], quote: u8) {
    buf.push(quote);
    for &c in s {
        buf.push(c);
        if c == quote {
            buf.push(quote);
        }
    }
    buf.push(quote);
}

/// The statement 3.40.1 runs (and `--debug` shows).
fn hash_sql(shell: &Shell, r: &Request<'_>) -> Vec<u8> {
    let conn = shell.db.conn.as_ref().expect("opened by the caller");
    let list: &[u8] = if r.with_schema {
        b"SELECT lower(name) FROM sqlite_schema WHERE type='table' AND coalesce(rootpage,0)>1 UNION ALL SELECT 'sqlite_schema' ORDER BY 1 collate nocase"
    } else {
        b"SELECT lower(name) FROM sqlite_schema WHERE type='table' AND coalesce(rootpage,0)>1 AND name NOT LIKE 'sqlite_%' ORDER BY 1 collate nocase"
    };
    // 3.40.1 reads the names until the first error and goes on with what it has.
    let rows = query(conn, list).unwrap_or_else(|e| e.rows);
    let mut sql = b"WITH [sha3sum$query](a,b) AS(".to_vec();
    let mut sep: &[u8] = b"VALUES(";
    let mut previous: Vec<u8> = Vec::new();
    for row in rows {
        let Some(table) = row.into_iter().next().flatten() else {
            continue;
        };
        let table = cut_nul(&table);
        if r.pattern.is_some_and(|p| !like(p, table)) {
            continue;
        }
        if let Some(q) = table_query(table) {
            previous = q;
        }
        sql.extend_from_slice(sep);
        push_quoted(&mut sql, &previous, b'\'');
        sql.push(b',');
        push_quoted(&mut sql, table, b'\'');
        sep = b"),(";
    }
    let tail = if r.pattern.is_some() {
        format!(
            ")) SELECT lower(hex(sha3_query(a,{}))) AS hash, b AS label   FROM [sha3sum$query]",
            r.bits
        )
    } else {
        format!(
            ")) SELECT lower(hex(sha3_query(group_concat(a,''),{}))) AS hash   FROM [sha3sum$query]",
            r.bits
        )
    };
    sql.extend_from_slice(tail.as_bytes());
    sql
}

/// `.sha3sum ?--schema? ?--sha3-N? ?--debug? ?LIKE-PATTERN?`
pub fn sha3sum(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    shell.ensure_open()?;
    let request = parse(shell, args)?;
    let sql = hash_sql(shell, &request);
    if request.debug {
        shell.out.write_all(&sql)?;
        shell.out.write_all(b"\n")?;
        return Ok(Flow::Continue);
    }
    let settings = &shell.settings;
    let hooks = exec::hooks::StmtHooks {
        eqp: settings.eqp,
        stats: settings.stats,
        scanstats: settings.scanstats,
        bind_parameters: true,
        progress: Some(&settings.progress),
        flush_each: settings.trace.to_stdout() || exec::hooks::log_to_stdout(),
    };
    let conn = shell.db.conn.as_ref().expect("opened above");
    // Like sqlite3, which gives shell_exec() nowhere to put a message, errors are silent.
    match exec::run_with(conn, &sql, &settings.render, &mut shell.out, &hooks) {
        Err(ExecError::Io(e)) => Err(Failure::Io(e)),
        Err(ExecError::Exit(c)) => Err(Failure::Exit(c)),
        _ => Ok(Flow::Continue),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_get_their_queries() {
        assert_eq!(
            table_query(b"t\"1").unwrap(),
            b"SELECT * FROM \"t\"\"1\" NOT INDEXED;"
        );
        assert_eq!(
            table_query(b"sqlite_sequence").unwrap(),
            b"SELECT name,seq FROM sqlite_sequence ORDER BY name;"
        );
        assert!(table_query(b"sqlite_stat2").is_none());
    }
}
