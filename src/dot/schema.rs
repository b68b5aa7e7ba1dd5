//! Dot-commands that describe the database: `.tables`, `.indexes`/`.indices`, `.schema`,
//! `.fullschema`, `.databases` and `.dbinfo`, each mirroring its branch of sqlite3 3.40.1's
//! `do_meta_command()`.
//!
//! sqlite3 builds `.schema` from one query that calls its own SQL functions
//! (`shell_add_schema`, `shell_module_schema`); litesh runs a query of the same shape
//! without them and does their work in Rust afterwards (see `schema_text.rs`). The query
//! text `.schema --debug` prints is still 3.40.1's.

use std::io::Write;

use rusqlite::Connection;

use super::schema_text::{create_kinds, fake_schema_text, pretty, schema_line, with_schema};
use crate::exec::raw;
use crate::render::cut_nul;
use crate::shell::{DotResult, Failure, Flow, Shell};

/// One result row: each column as `sqlite3_column_text` gives it (`None` for NULL).
pub(super) type Row = Vec<Option<Vec<u8>>>;

/// A statement that failed: the rows it gave before, the message, and whether it failed
/// to prepare (rather than while stepping).
pub(super) struct QueryError {
    pub rows: Vec<Row>,
    pub msg: Vec<u8>,
    pub in_prepare: bool,
    /// Primary result code.
    pub code: i32,
}

/// Runs one statement and collects its rows, as `sqlite3_exec` would see them.
pub(super) fn query(conn: &Connection, sql: &[u8]) -> Result<Vec<Row>, QueryError> {
    let mut stmt = match raw::prepare(conn, sql) {
        Ok(raw::Prepared { stmt: Some(s), .. }) => s,
        Ok(_) => return Ok(Vec::new()),
        Err(e) => {
            return Err(QueryError {
                rows: Vec::new(),
                msg: e.msg,
                in_prepare: true,
                code: e.code,
            })
        }
    };
    let mut rows = Vec::new();
    loop {
        match stmt.step() {
            Ok(true) => rows.push(
                (0..stmt.column_count())
                    .map(|i| stmt.text(i).map(<[u8]>::to_vec))
                    .collect(),
            ),
            Ok(false) => return Ok(rows),
            Err(code) => {
                return Err(QueryError {
                    rows,
                    msg: stmt.errmsg(),
                    in_prepare: false,
                    code,
                })
            }
        }
    }
}

/// The rows of a query whose stepping errors sqlite3 ignores (it just stops reading);
/// only a failed prepare is an error.
fn rows_until_error(conn: &Connection, sql: &[u8]) -> Result<Vec<Row>, Failure> {
    match query(conn, sql) {
        Ok(rows) => Ok(rows),
        Err(e) if e.in_prepare => Err(error_msg("Error: ", &e.msg)),
        Err(e) => Ok(e.rows),
    }
}

/// Appends `s` as an SQL string literal (`'…'`, quotes doubled: sqlite3's `%Q`).
pub(super) fn push_literal(buf: &mut Vec<u8>, s: &[u8]) {
    crate::format::sql::push_ident(buf, s, Some(b'\''));
}

/// sqlite3's `optionMatch()`: `-NAME` or `--NAME`.
fn option_match(arg: &[u8], name: &str) -> bool {
    let Some(z) = arg.strip_prefix(b"-") else {
        return false;
    };
    z.strip_prefix(b"-").unwrap_or(z) == name.as_bytes()
}

fn error_msg(prefix: &str, msg: &[u8]) -> Failure {
    let mut m = prefix.as_bytes().to_vec();
    m.extend_from_slice(msg);
    Failure::Msg(m)
}

/// A schema name and its file name (`None` when NULL).
type NameAndFile = (Vec<u8>, Option<Vec<u8>>);

/// `PRAGMA database_list` as (schema name, file name) pairs, rows without a name left
/// out. Any error is sqlite3's `shellDatabaseError()`.
fn database_list(conn: &Connection) -> Result<Vec<NameAndFile>, Failure> {
    let rows = query(conn, b"PRAGMA database_list").map_err(|e| error_msg("Error: ", &e.msg))?;
    Ok(rows.into_iter().filter_map(name_and_file).collect())
}

fn name_and_file(mut r: Row) -> Option<NameAndFile> {
    let file = r.get_mut(2).and_then(Option::take);
    let name = r.get_mut(1).and_then(Option::take)?;
    Some((name, file))
}

/// `.tables ?PATTERN?` and `.indexes ?TABLE?` / `.indices ?TABLE?`: names matching a LIKE
/// pattern in every attached database, sorted, laid out in columns across 80 characters
/// (column-major, each name padded to the longest, two spaces between columns).
pub fn tables(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    let indexes = args[0].first() == Some(&b'i');
    shell.ensure_open()?;
    let conn = shell.db.conn.as_ref().expect("opened above");
    let dbs = database_list(conn)?;
    if indexes && args.len() > 2 {
        return Err(Failure::msg("Usage: .indexes ?LIKE-PATTERN?"));
    }
    let pattern: &[u8] = args.get(1).map_or(b"%", |a| a);
    let mut sql = Vec::new();
    for (name, _) in &dbs {
        if !sql.is_empty() {
            sql.extend_from_slice(b" UNION ALL ");
        }
        if name.eq_ignore_ascii_case(b"main") {
            sql.extend_from_slice(b"SELECT name FROM ");
        } else {
            sql.extend_from_slice(b"SELECT ");
            push_literal(&mut sql, name);
            sql.extend_from_slice(b"||'.'||name FROM ");
        }
        crate::format::sql::push_ident(&mut sql, name, Some(b'"'));
        sql.extend_from_slice(b".sqlite_schema ");
        if indexes {
            sql.extend_from_slice(b" WHERE type='index'   AND tbl_name LIKE ");
        } else {
            sql.extend_from_slice(
                b" WHERE type IN ('table','view')   AND name NOT LIKE 'sqlite_%'   AND name LIKE ",
            );
        }
        push_literal(&mut sql, pattern);
    }
    sql.extend_from_slice(b" ORDER BY 1");
    let names: Vec<Vec<u8>> = match query(conn, &sql) {
        Ok(rows) => rows
            .into_iter()
            .map(|r| cut_nul(r[0].as_deref().unwrap_or_default()).to_vec())
            .collect(),
        Err(e) => return Err(error_msg("Error: ", &e.msg)),
    };
    if names.is_empty() {
        return Ok(Flow::Continue);
    }
    let width = names.iter().map(Vec::len).max().unwrap_or(0);
    let columns = (80 / (width + 2)).max(1);
    let rows = names.len().div_ceil(columns);
    let mut out = Vec::new();
    for i in 0..rows {
        for (k, name) in names.iter().enumerate().skip(i).step_by(rows) {
            if k >= rows {
                out.extend_from_slice(b"  ");
            }
            out.extend_from_slice(name);
            out.resize(out.len() + (width - name.len()), b' ');
        }
        out.push(b'\n');
    }
    shell.out.write_all(&out)?;
    Ok(Flow::Continue)
}

/// The `/* schema.name(col,…) */` text of sqlite3's `shellFakeSchema()`: the columns of a
/// view, virtual table or table-valued function from `PRAGMA table_info`, or `None`
/// when it has none (or they cannot be read).
fn fake_schema(conn: &Connection, schema: Option<&[u8]>, name: &[u8]) -> Option<Vec<u8>> {
    let mut sql = b"PRAGMA ".to_vec();
    crate::format::sql::push_ident(&mut sql, schema.unwrap_or(b"main"), Some(b'"'));
    sql.extend_from_slice(b".table_info=");
    push_literal(&mut sql, name);
    sql.push(b';');
    let rows = query(conn, &sql).unwrap_or_else(|e| e.rows);
    if rows.is_empty() {
        return None;
    }
    let cols: Vec<Vec<u8>> = rows
        .into_iter()
        .map(|r| cut_nul(r.get(1).cloned().flatten().as_deref().unwrap_or_default()).to_vec())
        .collect();
    Some(fake_schema_text(schema, cut_nul(name), &cols))
}

/// sqlite3's `shell_add_schema(sql, schema, name)`: the statement naming its schema when it
/// is not `main`, and views and virtual tables followed by a comment listing their columns.
fn add_schema(
    conn: &Connection,
    sql: &[u8],
    schema: Option<&[u8]>,
    name: Option<&[u8]>,
) -> Vec<u8> {
    for (kind_len, is_v) in create_kinds(sql) {
        let mut z = schema.map(|s| with_schema(sql, kind_len, s));
        if let (Some(n), true) = (name, is_v) {
            if let Some(fake) = fake_schema(conn, schema, n) {
                let mut t = z.unwrap_or_else(|| sql.to_vec());
                t.extend_from_slice(b"\n/* ");
                t.extend_from_slice(&fake);
                t.extend_from_slice(b" */");
                z = Some(t);
            }
        }
        if let Some(z) = z {
            return z;
        }
    }
    sql.to_vec()
}

/// Writes one schema statement the way `.schema`'s callback does (`MODE_Semi`, or
/// `MODE_Pretty` for `--indent`).
fn emit(out: &mut Vec<u8>, sql: &[u8], indent: bool) {
    let sql = cut_nul(sql);
    if indent {
        pretty(out, sql);
    } else {
        schema_line(out, sql, b";\n");
    }
}

/// Whether the `.schema` pattern names one of the schema tables themselves, tested with
/// sqlite3_strlike()'s rules (`'sqlite_master' LIKE pattern ESCAPE '\'`), on a private
/// connection so that `PRAGMA case_sensitive_like` cannot change the answer.
fn names_schema_table(pattern: &[u8]) -> bool {
    let Ok(c) = Connection::open_in_memory() else {
        return false;
    };
    let mut sql = b"SELECT ".to_vec();
    for (i, t) in [
        "sqlite_master",
        "sqlite_schema",
        "sqlite_temp_master",
        "sqlite_temp_schema",
    ]
    .iter()
    .enumerate()
    {
        if i > 0 {
            sql.extend_from_slice(b" OR ");
        }
        push_literal(&mut sql, t.as_bytes());
        sql.extend_from_slice(b" LIKE ");
        push_literal(&mut sql, pattern);
        sql.extend_from_slice(b" ESCAPE '\\'");
    }
    matches!(query(&c, &sql).as_deref(), Ok([r]) if r[0].as_deref() == Some(&b"1"[..]))
}

/// The SQL 3.40.1 runs for `.schema`, as `.schema --debug` shows it.
fn debug_sql(dbs: &[Vec<u8>], name: Option<&[u8]>, nosys: bool) -> Vec<u8> {
    let mut s = b"SELECT sql FROM".to_vec();
    for (i, db) in dbs.iter().enumerate() {
        s.extend_from_slice(if i == 0 { b"(" } else { b" UNION ALL " });
        s.extend_from_slice(b"SELECT shell_add_schema(sql,");
        if db.eq_ignore_ascii_case(b"main") {
            s.extend_from_slice(b"NULL");
        } else {
            push_literal(&mut s, db);
        }
        s.extend_from_slice(b",name) AS sql, type, tbl_name, name, rowid,");
        s.extend_from_slice((i + 1).to_string().as_bytes());
        s.extend_from_slice(b" AS snum, ");
        push_literal(&mut s, db);
        s.extend_from_slice(b" AS sname FROM ");
        let q = crate::format::sql::needs_quote(db).then_some(b'"');
        crate::format::sql::push_ident(&mut s, db, q);
        s.extend_from_slice(b".sqlite_schema");
    }
    if name.is_some() {
        s.extend_from_slice(
            b" UNION ALL SELECT shell_module_schema(name), 'table', name, name, name, 9e+99, 'main' FROM pragma_module_list",
        );
    }
    s.extend_from_slice(b") WHERE ");
    push_filters(&mut s, name, nosys);
    s.extend_from_slice(b"sql IS NOT NULL ORDER BY snum, rowid");
    s
}

/// The pattern and `--nosys` conditions of `.schema`'s WHERE clause (each ending in
/// `AND `), as 3.40.1 writes them.
fn push_filters(s: &mut Vec<u8>, name: Option<&[u8]>, nosys: bool) {
    if let Some(name) = name {
        let glob = name.iter().any(|c| matches!(c, b'*' | b'?' | b'['));
        if name.contains(&b'.') {
            s.extend_from_slice(b"lower(printf('%s.%s',sname,tbl_name))");
        } else {
            s.extend_from_slice(b"lower(tbl_name)");
        }
        s.extend_from_slice(if glob { b" GLOB " } else { b" LIKE " });
        push_literal(s, name);
        if !glob {
            s.extend_from_slice(b" ESCAPE '\\' ");
        }
        s.extend_from_slice(b" AND ");
    }
    if nosys {
        s.extend_from_slice(b"name NOT LIKE 'sqlite_%%' AND ");
    }
}

/// The query litesh runs for `.schema`: 3.40.1's, with the raw `sql` and a `kind` column
/// (1 for the table-valued functions of `pragma_module_list`) in place of its SQL
/// functions.
fn exec_sql(dbs: &[Vec<u8>], name: Option<&[u8]>, nosys: bool) -> Vec<u8> {
    let mut s = b"SELECT sql, name, sname, kind FROM".to_vec();
    for (i, db) in dbs.iter().enumerate() {
        s.extend_from_slice(if i == 0 { b"(" } else { b" UNION ALL " });
        s.extend_from_slice(b"SELECT sql, type, tbl_name, name, rowid, ");
        s.extend_from_slice((i + 1).to_string().as_bytes());
        s.extend_from_slice(b" AS snum, ");
        push_literal(&mut s, db);
        s.extend_from_slice(b" AS sname, 0 AS kind FROM ");
        crate::format::sql::push_ident(&mut s, db, Some(b'"'));
        s.extend_from_slice(b".sqlite_schema");
    }
    if name.is_some() {
        s.extend_from_slice(
            b" UNION ALL SELECT NULL, 'table', name, name, name, 9e+99, 'main', 1 FROM pragma_module_list",
        );
    }
    s.extend_from_slice(b") WHERE ");
    push_filters(&mut s, name, nosys);
    s.extend_from_slice(b"(kind OR sql IS NOT NULL) ORDER BY snum, rowid");
    s
}

/// `.schema ?--indent? ?--nosys? ?PATTERN?`
pub fn schema(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    shell.ensure_open()?;
    let mut indent = false;
    let mut debug = false;
    let mut nosys = false;
    let mut name: Option<&[u8]> = None;
    for a in &args[1..] {
        if option_match(a, "indent") {
            indent = true;
        } else if option_match(a, "debug") {
            debug = true;
        } else if option_match(a, "nosys") {
            nosys = true;
        } else if a.first() == Some(&b'-') {
            let mut m = b"Unknown option: \"".to_vec();
            m.extend_from_slice(a);
            m.push(b'"');
            return Err(Failure::Msg(m));
        } else if name.is_none() {
            name = Some(a);
        } else {
            return Err(Failure::msg(
                "Usage: .schema ?--indent? ?--nosys? ?LIKE-PATTERN?",
            ));
        }
    }
    let conn = shell.db.conn.as_ref().expect("opened above");
    let mut out = Vec::new();
    if let Some(n) = name {
        if names_schema_table(n) {
            let mut sql = b"CREATE TABLE ".to_vec();
            sql.extend_from_slice(n);
            sql.extend_from_slice(
                b" (\n  type text,\n  name text,\n  tbl_name text,\n  rootpage integer,\n  sql text\n)",
            );
            emit(&mut out, &sql, indent);
        }
    }
    let dbs: Vec<Vec<u8>> = match rows_until_error(conn, b"SELECT name FROM pragma_database_list") {
        Ok(rows) => rows.into_iter().filter_map(|mut r| r[0].take()).collect(),
        Err(f) => {
            shell.out.write_all(&out)?;
            return Err(f);
        }
    };
    if debug {
        out.extend_from_slice(b"SQL: ");
        out.extend_from_slice(&debug_sql(&dbs, name, nosys));
        out.extend_from_slice(b";\n");
        shell.out.write_all(&out)?;
        return Ok(Flow::Continue);
    }
    if name.is_some() {
        // 3.40.1 registers json_each and json_tree when a connection opens; the newer
        // library only when they are first named. Name them so pragma_module_list agrees.
        for m in [&b"json_each"[..], b"json_tree"] {
            let mut sql = b"SELECT * FROM ".to_vec();
            sql.extend_from_slice(m);
            let _ = raw::prepare(conn, &sql);
        }
    }
    let (rows, err) = match query(conn, &exec_sql(&dbs, name, nosys)) {
        Ok(rows) => (rows, None),
        Err(e) => (e.rows, Some(e.msg)),
    };
    for r in rows {
        let [sql, obj, sname, kind] = &r[..] else {
            continue;
        };
        let obj = obj.as_deref();
        let text = if kind.as_deref() == Some(b"1") {
            match obj.and_then(|n| fake_schema(conn, None, n)) {
                Some(f) => [&b"/* "[..], &f, b" */"].concat(),
                None => continue,
            }
        } else {
            let Some(sql) = sql else { continue };
            let sname = sname.as_deref().unwrap_or_default();
            let schema = (!sname.eq_ignore_ascii_case(b"main")).then_some(sname);
            add_schema(conn, sql, schema, obj)
        };
        emit(&mut out, &text, indent);
    }
    shell.out.write_all(&out)?;
    match err {
        None => Ok(Flow::Continue),
        Some(msg) => Err(error_msg("Error: ", &msg)),
    }
}

/// `.fullschema ?--indent?`: every CREATE statement of main and temp except the `sqlite_`
/// objects, then the `sqlite_stat1`/`sqlite_stat4` rows as INSERTs between two
/// `ANALYZE sqlite_schema;` lines (or a comment saying there are none).
pub fn fullschema(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    let mut nargs = args.len();
    let mut indent = false;
    if nargs == 2 && option_match(&args[1], "indent") {
        indent = true;
        nargs = 1;
    }
    if nargs != 1 {
        return Err(Failure::msg("Usage: .fullschema ?--indent?"));
    }
    shell.ensure_open()?;
    let conn = shell.db.conn.as_ref().expect("opened above");
    let result = query(
        conn,
        b"SELECT sql FROM  (SELECT sql sql, type type, tbl_name tbl_name, name name, rowid x     FROM sqlite_schema UNION ALL   SELECT sql, type, tbl_name, name, rowid FROM sqlite_temp_schema) WHERE type!='meta' AND sql NOTNULL AND name NOT LIKE 'sqlite_%' ORDER BY x",
    );
    let (rows, failed) = match result {
        Ok(rows) => (rows, None),
        Err(e) => (e.rows, Some(e.code)),
    };
    let mut out = Vec::new();
    for r in &rows {
        if let Some(sql) = &r[0] {
            emit(&mut out, sql, indent);
        }
    }
    let has_stats = failed.is_none()
        && matches!(
            query(conn, b"SELECT rowid FROM sqlite_schema WHERE name GLOB 'sqlite_stat[134]'"),
            Ok(r) if !r.is_empty()
        );
    if !has_stats {
        out.extend_from_slice(b"/* No STAT tables available */\n");
        shell.out.write_all(&out)?;
        // sqlite3 returns the failed query's code without a message.
        return match failed {
            Some(code) => Err(Failure::Code(code)),
            None => Ok(Flow::Continue),
        };
    }
    out.extend_from_slice(b"ANALYZE sqlite_schema;\n");
    shell.out.write_all(&out)?;
    let mut opts = shell.settings.render.clone();
    opts.mode = crate::render::Mode::Insert;
    opts.show_header = false;
    for table in ["sqlite_stat1", "sqlite_stat4"] {
        opts.dest_table = table.as_bytes().to_vec();
        let sql = format!("SELECT * FROM {table}");
        // sqlite3 asks for no message here: a missing sqlite_stat4 is silent.
        if let Err(crate::exec::ExecError::Io(e)) =
            crate::exec::run(conn, sql.as_bytes(), &opts, &mut shell.out)
        {
            return Err(Failure::Io(e));
        }
    }
    shell.out.write_all(b"ANALYZE sqlite_schema;\n")?;
    Ok(Flow::Continue)
}

/// `.databases`: `NAME: FILE r/w` for each attached database (`""` for a temporary one,
/// `r/o` when read-only, and ` read-txn`/` write-txn` while a transaction holds it).
pub fn databases(shell: &mut Shell, _args: &[Vec<u8>]) -> DotResult {
    use rusqlite::TransactionState as T;
    shell.ensure_open()?;
    let conn = shell.db.conn.as_ref().expect("opened above");
    let rows = rows_until_error(conn, b"PRAGMA database_list")?;
    let mut out = Vec::new();
    for (name, file) in rows.into_iter().filter_map(name_and_file) {
        let Some(file) = file else { continue };
        let Ok(cname) = std::ffi::CString::new(name.clone()) else {
            continue;
        };
        let txn = conn.transaction_state(Some(cname.as_c_str()));
        let readonly = conn.is_readonly(cname.as_c_str()).unwrap_or(true);
        out.extend_from_slice(&name);
        out.extend_from_slice(b": ");
        let x = file.is_empty() && name == b"main" && shell.db.deserialized;
        out.extend_from_slice(match () {
            _ if x => b"x",
            _ if file.is_empty() => b"\"\"",
            _ => &file,
        });
        out.extend_from_slice(if readonly { b" r/o" } else { b" r/w" });
        out.extend_from_slice(match txn {
            Ok(T::None) => b"",
            Ok(T::Read) => b" read-txn",
            _ => b" write-txn",
        });
        out.push(b'\n');
    }
    shell.out.write_all(&out)?;
    Ok(Flow::Continue)
}

/// `.dbinfo ?DB?`: fields of the database header and counts from the schema.
///
/// sqlite3 reads the header through the `sqlite_dbpage` virtual table. Neither
/// 3.40.1's build nor litesh's library has it, so both report
/// `error: no such table: sqlite_dbpage`; the rest is here for a library that has it.
pub fn dbinfo(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    shell.ensure_open()?;
    let conn = shell.db.conn.as_ref().expect("opened above");
    let db: &[u8] = args.get(1).map_or(b"main", |a| a);
    let mut sql = b"SELECT data FROM sqlite_dbpage(".to_vec();
    push_literal(&mut sql, db);
    sql.extend_from_slice(b") WHERE pgno=1");
    let mut stmt = match raw::prepare(conn, &sql) {
        Err(e) => return Err(error_msg("error: ", &e.msg)),
        Ok(p) => p.stmt,
    };
    let header = match stmt.as_mut().map(|s| s.step()) {
        Some(Ok(true)) => match stmt.as_ref().map(|s| s.value(0)) {
            Some(raw::Value::Blob(b)) if b.len() > 100 => Some(b[..100].to_vec()),
            _ => None,
        },
        _ => None,
    };
    drop(stmt);
    let Some(h) = header else {
        return Err(Failure::msg("unable to read database header"));
    };
    let u16_at = |o: usize| (u32::from(h[o]) << 8) | u32::from(h[o + 1]);
    let u32_at = |o: usize| u32::from_be_bytes([h[o], h[o + 1], h[o + 2], h[o + 3]]);
    let mut out = String::new();
    let page_size = match u16_at(16) {
        1 => 65536,
        n => n,
    };
    out.push_str(&format!("{:<20} {}\n", "database page size:", page_size));
    out.push_str(&format!("{:<20} {}\n", "write format:", h[18]));
    out.push_str(&format!("{:<20} {}\n", "read format:", h[19]));
    out.push_str(&format!("{:<20} {}\n", "reserved bytes:", h[20]));
    const FIELDS: [(&str, usize); 12] = [
        ("file change counter:", 24),
        ("database page count:", 28),
        ("freelist page count:", 36),
        ("schema cookie:", 40),
        ("schema format:", 44),
        ("default cache size:", 48),
        ("autovacuum top root:", 52),
        ("incremental vacuum:", 64),
        ("text encoding:", 56),
        ("user version:", 60),
        ("application id:", 68),
        ("software version:", 96),
    ];
    for (label, off) in FIELDS {
        let v = u32_at(off);
        out.push_str(&format!("{label:<20} {v}"));
        if off == 56 {
            out.push_str(match v {
                1 => " (utf8)",
                2 => " (utf16le)",
                3 => " (utf16be)",
                _ => "",
            });
        }
        out.push('\n');
    }
    let mut table = Vec::new();
    if db == b"temp" {
        table.extend_from_slice(b"sqlite_temp_schema");
    } else {
        crate::format::sql::push_ident(&mut table, db, Some(b'"'));
        table.extend_from_slice(b".sqlite_schema");
    }
    let counts: [(&str, &[u8]); 5] = [
        (
            "number of tables:",
            b"SELECT count(*) FROM %s WHERE type='table'",
        ),
        (
            "number of indexes:",
            b"SELECT count(*) FROM %s WHERE type='index'",
        ),
        (
            "number of triggers:",
            b"SELECT count(*) FROM %s WHERE type='trigger'",
        ),
        (
            "number of views:",
            b"SELECT count(*) FROM %s WHERE type='view'",
        ),
        ("schema size:", b"SELECT total(length(sql)) FROM %s"),
    ];
    for (label, q) in counts {
        let at = q.windows(2).position(|w| w == b"%s").unwrap_or(q.len());
        let sql = [&q[..at], &table, &q[(at + 2).min(q.len())..]].concat();
        let v = match query(conn, &sql).ok().as_deref() {
            Some([r, ..]) => r[0]
                .as_deref()
                .and_then(|t| std::str::from_utf8(t).ok())
                .and_then(|t| t.parse::<f64>().ok())
                .map_or(0, |f| f as i32),
            _ => 0,
        };
        out.push_str(&format!("{label:<20} {v}\n"));
    }
    let mut version: u32 = 0;
    if let Ok(name) = std::ffi::CString::new(db.to_vec()) {
        let _ = conn.file_control(
            Some(name.as_c_str()),
            rusqlite::FileControl::DataVersion(&mut version),
        );
    }
    out.push_str(&format!("{:<20} {}\n", "data version", version));
    shell.out.write_all(out.as_bytes())?;
    Ok(Flow::Continue)
}
