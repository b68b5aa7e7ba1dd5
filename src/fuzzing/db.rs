//! The fuzz targets that need a database: the dump-INSERT recogniser against SQLite's
//! parser, the ZIP reader behind `zipfile`, `.recover`'s page walker, and the `.dump` →
//! restore round trip. See the parent module for the properties.

use std::ffi::OsString;
use std::path::PathBuf;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::Connection;

use super::Src;
use crate::exec::raw::{self, Value};
use crate::import::quote_ident;
use crate::input::Reader;
use crate::shell::Shell;
use crate::split::dump_insert::DumpInsert;

/// A stored value, owned, with REALs by their bits.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Owned {
    Null,
    Int(i64),
    Real(u64),
    Text(Vec<u8>),
    Blob(Vec<u8>),
}

impl From<Value<'_>> for Owned {
    fn from(v: Value<'_>) -> Self {
        match v {
            Value::Null => Owned::Null,
            Value::Integer(i) => Owned::Int(i),
            Value::Real(r) => Owned::Real(r.to_bits()),
            Value::Text(t) => Owned::Text(t.to_vec()),
            Value::Blob(b) => Owned::Blob(b.to_vec()),
        }
    }
}

/// A failed statement: result code, message, and whether it failed to prepare.
type Failed = (i32, Vec<u8>, bool);

/// Runs every statement of `sql`, collecting the rows of the last one that has rows.
fn query(conn: &Connection, sql: &[u8]) -> Result<Vec<Vec<Owned>>, Failed> {
    let mut rest = sql;
    let mut rows = Vec::new();
    while !rest.is_empty() {
        let p = raw::prepare(conn, rest).map_err(|e| (e.code, e.msg, true))?;
        rest = &rest[p.consumed..];
        let Some(mut stmt) = p.stmt else {
            break;
        };
        let mut these = Vec::new();
        loop {
            match stmt.step() {
                Ok(true) => these.push(
                    (0..stmt.column_count())
                        .map(|i| Owned::from(stmt.value(i)))
                        .collect(),
                ),
                Ok(false) => break,
                Err(code) => return Err((code, stmt.errmsg(), false)),
            }
        }
        if !these.is_empty() {
            rows = these;
        }
    }
    Ok(rows)
}

/// A shell on a fresh in-memory database that has read `script` as piped input would be
/// read; fails when any statement of it failed.
fn load(script: &[u8], what: &str) -> Shell {
    let mut shell = Shell::new("litesh".into(), Some(OsString::from(":memory:")));
    let (_, failed) = shell.process_input(&mut Reader(script));
    assert!(
        !failed,
        "{what} does not load:\n{}",
        String::from_utf8_lossy(script)
    );
    shell
}

/// A scratch file name of this process for `what`.
fn scratch(what: &str) -> PathBuf {
    std::env::temp_dir().join(format!("litesh-fuzz-{what}-{}", std::process::id()))
}

/// The dump-INSERT recogniser against SQLite's parser (see the module doc).
pub fn dump_insert(data: &[u8]) {
    // A line as the restore reads it: no newline, no NUL.
    if data.contains(&b'\n') || data.contains(&0) {
        return;
    }
    let mut p = DumpInsert::new();
    if !p.parse(data) {
        return;
    }
    let table = p.table(data).to_vec();
    let n = p.slots().len();
    assert_eq!(p.values(data).len(), n);
    let conn = Connection::open_in_memory().expect("an in-memory database");
    let mut create = b"CREATE TABLE ".to_vec();
    create.extend_from_slice(&table);
    create.push(b'(');
    for i in 0..n {
        if i > 0 {
            create.push(b',');
        }
        create.extend_from_slice(format!("c{i}").as_bytes());
    }
    create.push(b')');
    if query(&conn, &create).is_err() {
        return; // e.g. a keyword as a bare name: both ways fail then
    }
    let mut select = b"SELECT * FROM ".to_vec();
    select.extend_from_slice(&table);
    let mut delete = b"DELETE FROM ".to_vec();
    delete.extend_from_slice(&table);
    let parsed = query(&conn, data).and_then(|_| query(&conn, &select));
    query(&conn, &delete).expect("emptying the table");
    let Some(bound) = crate::run::bulk::run_single(&conn, data) else {
        // Left to the parser: the same as the parsed run by construction.
        return;
    };
    let bound = bound
        .map_err(|(c, m)| (c, m, false))
        .and_then(|_| query(&conn, &select));
    match (&parsed, &bound) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "the cached statement stored other values"),
        (Err(a), Err(b)) => assert_eq!(a, b, "the cached statement failed otherwise"),
        _ => panic!("parser: {parsed:?}, cached statement: {bound:?}"),
    }
}

/// Any bytes as a ZIP archive through the `zipfile` table (see the module doc).
pub fn zipfile(data: &[u8]) {
    let conn = Connection::open_in_memory().expect("an in-memory database");
    // An entry may declare up to 4 GiB of inflated data from a few bytes, which the table
    // returns whole, as 3.40.1 does, up to the library's length limit (1 GB by default);
    // the checks below copy it several times. A lower limit keeps a run within libFuzzer's
    // memory limit: such entries become `string or blob too big`, the limit's own error.
    // Found by this target (an 800 MB entry in a 400-byte archive).
    let _ = conn.set_limit(rusqlite::limits::Limit::SQLITE_LIMIT_LENGTH, 1 << 24);
    crate::functions::zipfile::register(&conn).expect("registering zipfile");
    let mut stmt = conn
        .prepare(
            "SELECT name, mode, mtime, sz, rawdata, data, method, zipfile_cds(z) \
             FROM zipfile(?)",
        )
        .expect("preparing");
    let mut rows = stmt.query([data]).expect("binding");
    let mut entries = Vec::new();
    let mut whole = true;
    loop {
        let row = match rows.next() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(_) => {
                whole = false;
                break;
            }
        };
        let got: rusqlite::Result<_> = (|| {
            let name: Vec<u8> = match row.get_ref(0)? {
                ValueRef::Text(t) | ValueRef::Blob(t) => t.to_vec(),
                _ => Vec::new(),
            };
            let mode: i64 = row.get(1)?;
            let mtime: i64 = row.get(2)?;
            let sz: i64 = row.get(3)?;
            let rawdata: Option<Vec<u8>> = row.get(4)?;
            let data: Option<Vec<u8>> = row.get(5)?;
            let method: i64 = row.get(6)?;
            let _cds: Option<String> = row.get(7)?;
            Ok((name, mode, mtime, sz, rawdata, data, method))
        })();
        let Ok((name, mode, mtime, sz, rawdata, data, method)) = got else {
            whole = false;
            continue;
        };
        if method == 0 && rawdata.is_some() {
            assert_eq!(data, rawdata, "a stored entry's data is not its bytes");
        }
        // (A size beyond 2^31 reads as an empty entry, as 3.40.1's int arithmetic has it.)
        if let (Some(d), 8, 1..=0x7fff_ffff) = (&data, method, sz) {
            assert_eq!(d.len() as i64, sz, "inflated data is not its declared size");
        }
        entries.push((name, mode, mtime, data));
    }
    drop(rows);
    if !whole || entries.is_empty() {
        return;
    }
    // The archive read whole: zipfile() writes its entries again, and they read back.
    let rebuilt: rusqlite::Result<Option<Vec<u8>>> = conn.query_row(
        "SELECT zipfile(name, mode, mtime, data) FROM zipfile(?)",
        [data],
        |r| r.get(0),
    );
    let Ok(Some(again)) = rebuilt else {
        return; // modes or names zipfile() refuses to write
    };
    let mut stmt = conn
        .prepare("SELECT name, data FROM zipfile(?)")
        .expect("preparing");
    let back: Vec<(Vec<u8>, Option<Vec<u8>>)> = stmt
        .query_map([&again], |r| {
            let name = match r.get_ref(0)? {
                ValueRef::Text(t) | ValueRef::Blob(t) => t.to_vec(),
                _ => Vec::new(),
            };
            Ok((name, r.get(1)?))
        })
        .expect("querying")
        .collect::<rusqlite::Result<_>>()
        .expect("a rebuilt archive reads");
    assert_eq!(
        back.len(),
        entries.len(),
        "entries lost in the rebuilt archive"
    );
    for ((n1, _, _, d1), (n2, d2)) in entries.iter().zip(&back) {
        let trim = |n: &[u8]| {
            let end = n.iter().rposition(|&b| b != b'/').map_or(0, |i| i + 1);
            n[..end].to_vec()
        };
        assert_eq!(trim(n1), trim(n2), "a name changed in the rebuilt archive");
        if d1.as_ref().is_some_and(|d| !d.is_empty()) {
            assert_eq!(d1, d2, "data changed in the rebuilt archive");
        }
    }
}

/// Any bytes as a database file through `.recover` (see the module doc).
pub fn recover(data: &[u8]) {
    let path = scratch("recover.db");
    let side = |s: &str| {
        let mut p = path.clone().into_os_string();
        p.push(s);
        PathBuf::from(p)
    };
    for s in ["-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(side(s));
    }
    std::fs::write(&path, data).expect("writing the scratch database");
    let mut script = Vec::new();
    let outcome = {
        let mut shell = Shell::new("litesh".into(), Some(path.clone().into_os_string()));
        match shell.conn() {
            Ok(conn) => crate::dot::recover::script(conn, &mut script),
            Err(_) => return,
        }
    };
    if outcome.is_err() {
        return; // reported as `sql error: …`, which the shell prints
    }
    let mut shell = load(&script, "the recovery script");
    let conn = shell.conn().expect("the database is open");
    let check = query(conn, b"PRAGMA integrity_check").expect("integrity_check runs");
    assert_eq!(
        check,
        vec![vec![Owned::Text(b"ok".to_vec())]],
        "recovered database damaged"
    );
}

/// Names that have broken dumps somewhere.
const ODD_NAMES: &[&[u8]] = &[
    b"t",
    b"odd \"name\"",
    b"select",
    b"[x]",
    b"a'b",
    b"caf\xc3\xa9",
    b"sp ace",
    b"",
    b"t\nn",
    b"x\xff\xfe",
    b"`q`",
    b"--c",
    b"/*",
];

/// Declared column types.
const TYPES: &[&str] = &[
    "", "INTEGER", "REAL", "TEXT", "BLOB", "NUMERIC", "INT", "x y(1)",
];

/// Types a STRICT table accepts.
const STRICT_TYPES: &[&str] = &["INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"];

const SPECIAL_INTS: &[i64] = &[0, 1, -1, i64::MIN, i64::MAX, 9_007_199_254_740_993];

const SPECIAL_REALS: &[f64] = &[
    0.0,
    -0.0,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::MIN_POSITIVE,
    5e-324,
    -5e-324,
    f64::MAX,
    f64::MIN,
    0.1,
    1e15,
    1e16,
    123_456_789_012_345_680.0,
    9_223_372_036_854_775_808.0,
    -9_223_372_036_854_775_808.0,
    2.225_073_858_507_201e-308,
    1.5,
    100.0,
];

const SPECIAL_TEXTS: &[&[u8]] = &[
    b"12",
    b" 1e5",
    b"0x10",
    b"-0",
    b"\r\n",
    b"'",
    b"a\0b",
    b"\\n",
    b"\xff",
    b"char(10)",
    b"1.0",
    b"9223372036854775808",
];

/// A name from the input: an odd one, or bytes (no NUL).
fn name(src: &mut Src<'_>) -> Vec<u8> {
    let pick = src.byte();
    if pick < 200 {
        ODD_NAMES[usize::from(pick) % ODD_NAMES.len()].to_vec()
    } else {
        src.bytes(8).iter().map(|&b| b.max(1)).collect()
    }
}

/// A value of any storage class from the input.
fn value(src: &mut Src<'_>) -> Owned {
    match src.below(9) {
        0 => Owned::Null,
        1 => Owned::Int(SPECIAL_INTS[src.below(SPECIAL_INTS.len())]),
        2 => Owned::Int(src.u64() as i64),
        3 => Owned::Real(SPECIAL_REALS[src.below(SPECIAL_REALS.len())].to_bits()),
        4 => Owned::Real(src.u64()),
        5 => Owned::Text(SPECIAL_TEXTS[src.below(SPECIAL_TEXTS.len())].to_vec()),
        6 | 7 => Owned::Text(src.bytes(24).to_vec()),
        _ => Owned::Blob(src.bytes(24).to_vec()),
    }
}

fn sql_of(conn: &Connection, sql: &[u8]) -> Result<Vec<Vec<Owned>>, Failed> {
    query(conn, sql)
}

/// The schema rows (without root pages) and every table's rows, sorted.
fn content(conn: &Connection) -> Vec<(Vec<Owned>, Vec<Vec<Owned>>)> {
    let schema = sql_of(
        conn,
        b"SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name",
    )
    .expect("reading the schema");
    schema
        .into_iter()
        .map(|row| {
            let mut rows = Vec::new();
            if let (Owned::Text(kind), Owned::Text(name)) = (&row[0], &row[1]) {
                if kind == b"table" {
                    let mut select = b"SELECT * FROM ".to_vec();
                    select.extend_from_slice(&quote_ident(name));
                    rows = sql_of(conn, &select).expect("reading a table");
                    rows.sort();
                }
            }
            (row, rows)
        })
        .collect()
}

/// `text` as it comes back from lines read like sqlite3 reads them: one CR before each LF
/// dropped.
fn without_cr_before_lf(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for &b in text {
        if b == b'\n' && out.last() == Some(&b'\r') {
            out.pop();
        }
        out.push(b);
    }
    out
}

/// The `.dump` → restore round trip (see the module doc).
pub fn roundtrip(data: &[u8]) {
    let mut src = Src::new(data);
    let mut shell = Shell::new("litesh".into(), Some(OsString::from(":memory:")));
    let conn = shell.conn().expect("an in-memory database");
    let table = name(&mut src);
    let kind = src.below(5);
    let ncols = 1 + src.below(4);
    let mut create = b"CREATE TABLE ".to_vec();
    create.extend_from_slice(&quote_ident(&table));
    create.push(b'(');
    let mut columns = Vec::new();
    for i in 0..ncols {
        let mut c = name(&mut src);
        c.extend_from_slice(format!("{i}").as_bytes());
        let ty = if kind == 2 {
            STRICT_TYPES[src.below(STRICT_TYPES.len())]
        } else {
            TYPES[src.below(TYPES.len())]
        };
        if i > 0 {
            create.push(b',');
        }
        create.extend_from_slice(&quote_ident(&c));
        create.push(b' ');
        create.extend_from_slice(ty.as_bytes());
        if i == 0 && kind == 1 {
            create.extend_from_slice(b" INTEGER PRIMARY KEY");
            if src.byte() & 1 == 1 {
                create.extend_from_slice(b" AUTOINCREMENT");
            }
        }
        columns.push(c);
    }
    if kind == 3 {
        create.extend_from_slice(b", PRIMARY KEY(");
        create.extend_from_slice(&quote_ident(&columns[0]));
        create.push(b')');
    }
    create.push(b')');
    match kind {
        2 => create.extend_from_slice(b" STRICT"),
        3 => create.extend_from_slice(b" WITHOUT ROWID"),
        _ => {}
    }
    if query(conn, &create).is_err() {
        return; // a name SQLite refuses (sqlite_…), a type STRICT refuses
    }
    if src.byte() < 64 {
        let mut index = b"CREATE INDEX ".to_vec();
        index.extend_from_slice(&quote_ident(&[&table[..], b"_i"].concat()));
        index.extend_from_slice(b" ON ");
        index.extend_from_slice(&quote_ident(&table));
        index.push(b'(');
        index.extend_from_slice(&quote_ident(&columns[ncols - 1]));
        index.push(b')');
        let _ = query(conn, &index);
    }
    let mut insert = b"INSERT INTO ".to_vec();
    insert.extend_from_slice(&quote_ident(&table));
    insert.extend_from_slice(b" VALUES(");
    insert.extend_from_slice(&vec![b"?"[..].to_vec(); ncols].join(&b","[..]));
    insert.push(b')');
    let insert = String::from_utf8_lossy(&insert).into_owned();
    if insert.contains('\u{fffd}') {
        // rusqlite prepares UTF-8 only: such a name is still dumped, but has no rows.
    } else if let Ok(mut stmt) = conn.prepare(&insert) {
        for _ in 0..src.below(7) {
            let row: Vec<Owned> = (0..ncols).map(|_| value(&mut src)).collect();
            let params = row.iter().map(|v| match v {
                Owned::Null => ToSqlOutput::Borrowed(ValueRef::Null),
                Owned::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
                Owned::Real(r) => ToSqlOutput::Borrowed(ValueRef::Real(f64::from_bits(*r))),
                Owned::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t)),
                Owned::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            });
            let _ = stmt.execute(rusqlite::params_from_iter(params));
        }
    }
    let mut dump = Vec::new();
    let report = crate::dump::dump(conn, &crate::dump::DumpOptions::default(), &mut dump)
        .expect("dumping to memory");
    assert!(report.errors.is_empty(), "dump errors: {:?}", report.errors);
    let mut want = content(conn);
    // What the dump format does, as sqlite3's: `.dump` writes -0.0 as 0.0; it ends an index
    // whose SQL holds `--` with `\n;`, which SQLite keeps in the restored SQL; and schema
    // text (names, SQL) goes out raw, so a CR before a LF in it is lost when the script is
    // read back, as sqlite3 reads lines (values are safe: `.dump` writes CR as char(13)).
    for (schema, rows) in &mut want {
        for v in schema.iter_mut() {
            if let Owned::Text(t) = v {
                *t = without_cr_before_lf(t);
            }
        }
        if let [Owned::Text(kind), _, _, Owned::Text(sql)] = &mut schema[..] {
            if kind == b"index" && sql.windows(2).any(|w| w == b"--") {
                sql.push(b'\n');
            }
        }
        for v in rows.iter_mut().flatten() {
            if *v == Owned::Real((-0.0f64).to_bits()) {
                *v = Owned::Real(0);
            }
        }
        rows.sort();
    }
    let mut restored = load(&dump, "the dump");
    let got = content(restored.conn().expect("open"));
    assert_eq!(
        got,
        want,
        "the round trip changed the content; dump:\n{}",
        String::from_utf8_lossy(&dump)
    );
}
