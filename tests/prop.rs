//! Property test: `.dump` round trip on random databases.
//!
//! Each case is a random schema (1–4 tables: rowid tables, WITHOUT ROWID tables, INTEGER
//! PRIMARY KEY with and without AUTOINCREMENT, STRICT tables; declared types TEXT, INTEGER,
//! REAL, BLOB, NUMERIC, none and a few odd ones; identifiers with quotes, spaces, brackets,
//! keywords, newlines, unicode and the empty name, written with every quoting style SQLite
//! accepts; sometimes an index and/or a view) filled with 0–20 random rows per table holding
//! every storage class: NULL; integers including `i64::MIN`/`i64::MAX`; REALs from arbitrary
//! f64 bit patterns (subnormals, -0.0, ±∞); text with quotes, LF, CR, tabs, control
//! characters, NUL, unicode, literal `\n` sequences, numeric-looking text and INVALID UTF-8;
//! blobs.
//!
//! 1. The original database is built by the real `/usr/bin/sqlite3` from a script that
//!    writes every value exactly: REALs as `ieee754_from_blob(x'…')` (±∞ as `±1e999`), text
//!    as `CAST(x'…' AS TEXT)`, blobs as `x'…'`. Column affinity then applies as usual (text
//!    `'12'` in an INTEGER column becomes 12) — the same for every program, so that is fine.
//! 2. litesh dumps it (`litesh orig.db .dump`). The dump must also equal sqlite3's own dump
//!    of the same file (REAL literals compared by value, see `harness::same_modulo_reals`),
//!    except when some text holds a NUL byte: sqlite3 cuts such text at the NUL, while litesh
//!    deliberately writes `CAST(X'…' AS TEXT)` (docs/compat.md) — there both restored
//!    databases must still hold every byte.
//! 3. The dump is loaded into a fresh database once by sqlite3 and once by litesh (stdin).
//! 4. All three databases are compared LOGICALLY: the schema rows (type, name, tbl_name,
//!    sql) and, for every table, the multiset of rows with `typeof()` and exact values
//!    (REALs by their bits via `hex(ieee754_to_blob(x))`, text and blobs by `hex()`).
//!
//! The litesh-restored database must be BIT-EXACT. The sqlite3-restored one is compared with
//! a documented tolerance for known limitations of the SQLite 3.40.1 *library* (see
//! /work/shared/SQLITE3-NOTES.md): it reads back some REAL literals of a dump one ulp off, and tiny subnormals (the smallest, 4.94e-324, in particular) as another
//! subnormal or 0.0. So there a REAL may differ by at most one ulp, and a REAL below 1e-307
//! in magnitude may come back as any REAL below 1e-307 (including 0.0).
//!
//! Inherent to the dump format (and to sqlite3's byte-for-byte identical output), not
//! tolerated differences but facts the generator or the expectations respect:
//! - `.dump` writes a REAL -0.0 as `0.0`, so -0.0 is expected back as +0.0 everywhere;
//! - `.dump` ends an index whose SQL contains `--` with `\n;`, and SQLite keeps that
//!   newline in the restored `sql` (see `expected_after_dump`);
//! - rowids of rowid tables without an INTEGER PRIMARY KEY are not in the dump, so rows are
//!   compared as multisets;
//! - STRICT columns only get values of a class they accept (a type error is not ignorable);
//! - PRIMARY KEY values (other than rowid aliases) never include tiny subnormals (3.40.1
//!   could read one back as 0.0 and collide with a real 0.0 key).
//!
//! The content is read here rather than with `harness::db_content`, which goes through
//! `quote()` and lossy UTF-8 (invalid UTF-8 text would compare equal) and splits rows on
//! newlines; here every value is hex-encoded and kept typed, so the 3.40.1 tolerance can be
//! applied per value.
//!
//! `LITESH_PROP_CASES=N` raises the number of cases (default 48).

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};

use crate::harness::{self, litesh, run_in, same_modulo_reals, show, Outcome, SQLITE3};

// ---------------------------------------------------------------------------------------
// The random database

#[derive(Clone, Debug)]
enum Val {
    Null,
    Int(i64),
    /// The bits of a non-NaN f64.
    Real(u64),
    Text(Vec<u8>),
    Blob(Vec<u8>),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Quote {
    Bare,
    Double,
    Bracket,
    Backtick,
    Single,
}

#[derive(Clone, Debug)]
struct Ident {
    name: String,
    quote: Quote,
}

#[derive(Clone, Debug)]
enum Kind {
    /// A rowid table, with a PRIMARY KEY on these columns (none when empty), which is then
    /// an automatic index with a NULL `sql`.
    Rowid { pk: Vec<usize> },
    /// Column `col` is `INTEGER PRIMARY KEY` (a rowid alias).
    Ipk { col: usize, autoinc: bool },
    /// `WITHOUT ROWID` with this primary key (column indices, in order).
    WithoutRowid { pk: Vec<usize> },
}

#[derive(Clone, Debug)]
struct Table {
    name: Ident,
    cols: Vec<(Ident, &'static str)>,
    kind: Kind,
    strict: bool,
    rows: Vec<Vec<Val>>,
    /// An index on these columns (descending flag for each).
    index: Option<(Ident, Vec<(usize, bool)>)>,
    view: Option<Ident>,
    /// Create the index before inserting the rows.
    index_first: bool,
}

#[derive(Clone, Debug)]
struct Db {
    tables: Vec<Table>,
}

const TYPES: &[&str] = &[
    "TEXT",
    "INTEGER",
    "REAL",
    "BLOB",
    "",
    "NUMERIC",
    "int",
    "VARCHAR(20)",
    "DOUBLE PRECISION",
    "BOOLEAN",
    "Float",
];
const STRICT_TYPES: &[&str] = &["TEXT", "INTEGER", "INT", "REAL", "BLOB", "ANY"];

/// Odd identifiers. Uniqueness (SQLite compares identifiers with ASCII case folding) is
/// restored afterwards by `dedupe`.
const ODD_NAMES: &[&str] = &[
    "select",
    "from",
    "order",
    "table",
    "primary",
    "key",
    "NULL",
    "rowid",
    "oid",
    "_rowid_",
    "Ta ble",
    "trailing ",
    " lead",
    "q\"uote",
    "a'b",
    "it's \"both\"",
    "br]ack",
    "[x]",
    "`bt`",
    "bt`in",
    "ünïcödé",
    "日本語",
    "emoji😀",
    "dot.name",
    "semi;colon",
    "dash-x",
    "1digit",
    "tab\tname",
    "new\nline",
    "cr\rname",
    "",
    "%s%d",
    "back\\slash",
    "--comment",
    "/*c*/",
    "CREATE TABLE x",
    "replace",
    "char(10)",
];

fn ident_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[A-Za-z][A-Za-z0-9_]{0,5}[0-9]",
        2 => proptest::sample::select(ODD_NAMES).prop_map(str::to_string),
    ]
}

fn quote_style() -> impl Strategy<Value = Quote> {
    prop_oneof![
        Just(Quote::Bare),
        Just(Quote::Double),
        Just(Quote::Bracket),
        Just(Quote::Backtick),
        Just(Quote::Single),
    ]
}

fn ident() -> impl Strategy<Value = Ident> {
    (ident_name(), quote_style()).prop_map(|(name, quote)| Ident { name, quote })
}

fn is_plain(name: &str) -> bool {
    // Plain names from the regex above end in a digit, so they are never keywords.
    let b = name.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphabetic()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        && b[b.len() - 1].is_ascii_digit()
}

/// The identifier as written in a CREATE statement, in its chosen quoting style (falling
/// back to double quotes when the style cannot spell the name).
fn q(id: &Ident) -> String {
    let n = &id.name;
    match id.quote {
        Quote::Bare if is_plain(n) => n.clone(),
        Quote::Bracket if !n.contains(']') => format!("[{n}]"),
        Quote::Backtick => format!("`{}`", n.replace('`', "``")),
        Quote::Single => format!("'{}'", n.replace('\'', "''")),
        _ => dq(n),
    }
}

/// Double-quoted (for references inside expressions, where '…' would be a string).
fn dq(n: &str) -> String {
    format!("\"{}\"", n.replace('"', "\"\""))
}

fn real_bits() -> impl Strategy<Value = u64> {
    prop_oneof![
        // Arbitrary bit patterns (NaN is not storable: SQLite turns it into NULL).
        4 => any::<u64>().prop_filter("NaN", |b| !f64::from_bits(*b).is_nan()),
        // Subnormals.
        1 => (any::<bool>(), 1u64..(1u64 << 52)).prop_map(|(s, m)| m | if s { 1 << 63 } else { 0 }),
        2 => proptest::sample::select(vec![
            0.0f64.to_bits(),
            (-0.0f64).to_bits(),
            1u64, // the smallest subnormal
            (1u64 << 52) - 1,
            f64::MIN_POSITIVE.to_bits(),
            f64::MAX.to_bits(),
            f64::MIN.to_bits(),
            f64::INFINITY.to_bits(),
            f64::NEG_INFINITY.to_bits(),
            f64::EPSILON.to_bits(),
            0.1f64.to_bits(),
            (-2.5f64).to_bits(),
            3.0f64.to_bits(),
            1e15f64.to_bits(),
            1e16f64.to_bits(),
            123456789012345680.0f64.to_bits(),
            9223372036854775808.0f64.to_bits(),
            (-9223372036854775808.0f64).to_bits(),
            9007199254740993.0f64.to_bits(),
            (1.0f64 / 3.0).to_bits(),
            1e300f64.to_bits(),
            1e-300f64.to_bits(),
        ]),
        // Ordinary decimal-looking values.
        2 => (-1_000_000i64..1_000_000, 0u32..6)
            .prop_map(|(m, e)| (m as f64 / 10f64.powi(e as i32)).to_bits()),
    ]
}

fn int_val() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => -1000i64..1000,
        2 => any::<i64>(),
        1 => proptest::sample::select(vec![
            i64::MIN,
            i64::MAX,
            i64::MIN + 1,
            i64::MAX - 1,
            0,
            -1,
            1 << 53,
            (1 << 53) + 1,
            4294967296,
            -2147483649,
        ]),
    ]
}

/// Text pieces; with `nul`, a NUL byte now and then.
fn text_piece(nul: bool) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => "[ -~]{0,8}".prop_map(String::into_bytes),
        2 => proptest::sample::select(vec![
            "'", "''", "\"", "\n", "\r", "\r\n", "\n\r", "\t", "\\n", "\\r", "\\", "\\\\n",
            "é", "ü", "日本", "😀", "\u{200b}", "\u{feff}", "\u{7f}", "\u{80}", "\u{ffff}",
            "char(10)", "replace(", "',char(13))", "X'00'", "NULL", ";", "--", "/*", "*/",
            "12", "-3", " 42 ", "1e5", "3.0", "0x10", "1e999", "-0.0", "9223372036854775808",
            ".dump", "\nCOMMIT;\n",
        ])
        .prop_map(|s: &str| s.as_bytes().to_vec()),
        // Control characters.
        2 => proptest::collection::vec(1u8..0x20, 1..4),
        // NUL (it turns off the comparison with sqlite3's dump text, see `round_trip`).
        1 => Just(if nul { vec![0u8] } else { vec![1u8] }),
        // Invalid UTF-8: stray continuation bytes, truncated sequences, overlongs, 0xFE/0xFF.
        1 => proptest::collection::vec(0x80u8..=0xff, 1..4),
        1 => proptest::sample::select(vec![
            &[0xc3u8][..], &[0xe6, 0x97][..], &[0xf0, 0x9f, 0x98][..], &[0xc0, 0x80][..],
            &[0xed, 0xa0, 0x80][..], &[0xff, 0xfe][..], &[0xf4, 0x90, 0x80, 0x80][..],
        ])
        .prop_map(|s: &[u8]| s.to_vec()),
    ]
}

fn text_val(nul: bool) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(text_piece(nul), 0..5).prop_map(|v| v.concat())
}

fn blob_val() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => Just(vec![]),
        4 => proptest::collection::vec(any::<u8>(), 0..40),
    ]
}

fn any_val(nul: bool) -> BoxedStrategy<Val> {
    prop_oneof![
        1 => Just(Val::Null),
        2 => int_val().prop_map(Val::Int),
        3 => real_bits().prop_map(Val::Real),
        3 => text_val(nul).prop_map(Val::Text),
        2 => blob_val().prop_map(Val::Blob),
    ]
    .boxed()
}

/// True for a REAL the 3.40.1 library may not read back from its dump text (see the top).
fn tiny(bits: u64) -> bool {
    let v = f64::from_bits(bits);
    v != 0.0 && v.abs() < 1e-307
}

/// Values a column accepts without an error that `INSERT OR IGNORE` could not skip.
fn val_for(strict: bool, decl: &str, col_kind: ColKind) -> BoxedStrategy<Val> {
    match col_kind {
        ColKind::RowidAlias { autoinc } => {
            // Anything but an integer is a datatype mismatch. After i64::MAX an
            // AUTOINCREMENT table cannot pick a new rowid (SQLITE_FULL), so stay 100 below
            // it there (a table has at most 20 rows).
            let max = if autoinc { i64::MAX - 100 } else { i64::MAX };
            return prop_oneof![
                1 => Just(Val::Null),
                4 => (-30i64..30).prop_map(Val::Int),
                1 => proptest::sample::select(vec![i64::MIN, max, 1 << 40]).prop_map(Val::Int),
            ]
            .boxed();
        }
        ColKind::Key => {
            return val_for(strict, decl, ColKind::Plain)
                .prop_map(|v| match v {
                    Val::Real(b) if tiny(b) => Val::Null,
                    v => v,
                })
                .boxed();
        }
        ColKind::Plain => {}
    }
    // KNOWN LITESH BUG (reported, not fixed yet): the SQLite library litesh bundles (3.54)
    // converts text with a NUL byte whose part before the NUL looks numeric ('12\0x') to a
    // number in a column with INTEGER, REAL or NUMERIC affinity; 3.40.1 keeps it as text.
    // So litesh's restore of `CAST(X'313200' AS TEXT)` into an INT column gives 12, not the
    // original text. NUL text therefore only goes into columns without numeric affinity,
    // unless LITESH_PROP_NUL_NUMERIC=1.
    let nul =
        !numeric_affinity(decl) || std::env::var("LITESH_PROP_NUL_NUMERIC").is_ok_and(|v| v == "1");
    if !strict {
        return any_val(nul);
    }
    match decl {
        "INTEGER" | "INT" => {
            prop_oneof![1 => Just(Val::Null), 4 => int_val().prop_map(Val::Int)].boxed()
        }
        "REAL" => prop_oneof![
            1 => Just(Val::Null),
            4 => real_bits().prop_map(Val::Real),
            1 => int_val().prop_map(Val::Int),
        ]
        .boxed(),
        "TEXT" => prop_oneof![
            1 => Just(Val::Null),
            4 => text_val(nul).prop_map(Val::Text),
            1 => int_val().prop_map(Val::Int),
        ]
        .boxed(),
        "BLOB" => prop_oneof![1 => Just(Val::Null), 4 => blob_val().prop_map(Val::Blob)].boxed(),
        _ => any_val(true), // ANY: no affinity
    }
}

/// SQLite's affinity rules (https://sqlite.org/datatype3.html#determination_of_column_affinity):
/// true for INTEGER, REAL and NUMERIC affinity.
fn numeric_affinity(decl: &str) -> bool {
    let d = decl.to_ascii_uppercase();
    if d.contains("INT") {
        return true;
    }
    if ["CHAR", "CLOB", "TEXT"].iter().any(|k| d.contains(k)) {
        return false;
    }
    if d.contains("BLOB") || d.is_empty() {
        return false;
    }
    true
}

#[derive(Clone, Copy, Debug)]
enum ColKind {
    Plain,
    /// Part of a PRIMARY KEY that is not a rowid alias.
    Key,
    RowidAlias {
        autoinc: bool,
    },
}

fn table() -> impl Strategy<Value = Table> {
    use proptest::sample::Index;
    (
        ident(),
        proptest::collection::vec((ident(), 0..TYPES.len(), 0..STRICT_TYPES.len()), 1..=5),
        // 0: rowid table, 1: rowid table with a non-rowid PRIMARY KEY, 2: INTEGER PRIMARY
        // KEY, 3: WITHOUT ROWID.
        0u8..4,
        any::<bool>(),
        proptest::bool::weighted(0.3),
        (any::<Index>(), 1usize..=2),
        proptest::option::weighted(
            0.3,
            (
                ident(),
                proptest::collection::vec((any::<Index>(), any::<bool>()), 1..=2),
            ),
        ),
        proptest::option::weighted(0.25, ident()),
        any::<bool>(),
        0usize..=20,
    )
        .prop_flat_map(
            |(
                name,
                cols,
                kind,
                autoinc,
                strict,
                (pk_at, pk_len),
                index,
                view,
                index_first,
                nrows,
            )| {
                let n = cols.len();
                let mut cols: Vec<(Ident, &'static str)> = cols
                    .into_iter()
                    .map(|(id, t, st)| (id, if strict { STRICT_TYPES[st] } else { TYPES[t] }))
                    .collect();
                let first = pk_at.index(n);
                let pk: Vec<usize> = (0..pk_len.min(n)).map(|k| (first + k) % n).collect();
                let kind = match kind {
                    0 => Kind::Rowid { pk: vec![] },
                    1 => Kind::Rowid { pk },
                    2 => {
                        cols[first].1 = "INTEGER";
                        Kind::Ipk {
                            col: first,
                            autoinc,
                        }
                    }
                    _ => Kind::WithoutRowid { pk },
                };
                let row: Vec<BoxedStrategy<Val>> = (0..n)
                    .map(|c| {
                        let ck = match &kind {
                            Kind::Ipk { col, autoinc } if *col == c => {
                                ColKind::RowidAlias { autoinc: *autoinc }
                            }
                            // `PRIMARY KEY(c)` on a column declared INTEGER is a rowid alias too.
                            Kind::Rowid { pk } if pk == &[c] && cols[c].1 == "INTEGER" => {
                                ColKind::RowidAlias { autoinc: false }
                            }
                            Kind::Rowid { pk } | Kind::WithoutRowid { pk } if pk.contains(&c) => {
                                ColKind::Key
                            }
                            _ => ColKind::Plain,
                        };
                        val_for(strict, cols[c].1, ck)
                    })
                    .collect();
                let index = index.map(|(id, on)| {
                    let mut on: Vec<(usize, bool)> =
                        on.into_iter().map(|(i, d)| (i.index(n), d)).collect();
                    on.dedup_by_key(|x| x.0);
                    (id, on)
                });
                (
                    Just((name, cols, kind, strict, index, view, index_first)),
                    proptest::collection::vec(row, nrows..=nrows),
                )
            },
        )
        .prop_map(
            |((name, cols, kind, strict, index, view, index_first), rows)| Table {
                name,
                cols,
                kind,
                strict,
                rows,
                index,
                view,
                index_first,
            },
        )
}

fn db() -> impl Strategy<Value = Db> {
    proptest::collection::vec(table(), 1..=4).prop_map(|tables| {
        let mut db = Db { tables };
        dedupe(&mut db);
        db
    })
}

/// Makes schema names unique (ASCII case folding, as SQLite compares them), column names
/// unique within their table, and keeps clear of the reserved `sqlite_` prefix.
fn dedupe(db: &mut Db) {
    fn fix(id: &mut Ident, seen: &mut Vec<String>) {
        if id.name.to_ascii_lowercase().starts_with("sqlite_") {
            id.name.insert(0, 'x');
        }
        let mut k = 0;
        let base = id.name.clone();
        while seen.contains(&id.name.to_ascii_lowercase()) {
            k += 1;
            id.name = format!("{base}_{k}");
        }
        seen.push(id.name.to_ascii_lowercase());
    }
    let mut schema = Vec::new();
    for t in &mut db.tables {
        fix(&mut t.name, &mut schema);
        let mut cols = Vec::new();
        for (c, _) in &mut t.cols {
            fix(c, &mut cols);
        }
    }
    for t in &mut db.tables {
        if let Some((i, _)) = &mut t.index {
            fix(i, &mut schema);
        }
        if let Some(v) = &mut t.view {
            fix(v, &mut schema);
        }
    }
}

// ---------------------------------------------------------------------------------------
// The script that builds it

fn hex(b: &[u8]) -> String {
    b.iter().map(|c| format!("{c:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

fn literal(v: &Val) -> String {
    match v {
        Val::Null => "NULL".into(),
        Val::Int(i) => i.to_string(),
        Val::Real(b) => {
            let f = f64::from_bits(*b);
            if f == f64::INFINITY {
                "1e999".into()
            } else if f == f64::NEG_INFINITY {
                "-1e999".into()
            } else {
                format!("ieee754_from_blob(x'{}')", hex(&b.to_be_bytes()))
            }
        }
        Val::Text(t) => format!("CAST(x'{}' AS TEXT)", hex(t)),
        Val::Blob(b) => format!("x'{}'", hex(b)),
    }
}

fn script(db: &Db) -> String {
    let mut s = String::new();
    for t in &db.tables {
        let mut defs: Vec<String> = t
            .cols
            .iter()
            .enumerate()
            .map(|(i, (id, decl))| {
                let mut d = q(id);
                if !decl.is_empty() {
                    d.push(' ');
                    d.push_str(decl);
                }
                if let Kind::Ipk { col, autoinc } = t.kind {
                    if col == i {
                        d.push_str(" PRIMARY KEY");
                        if autoinc {
                            d.push_str(" AUTOINCREMENT");
                        }
                    }
                }
                d
            })
            .collect();
        match &t.kind {
            Kind::Rowid { pk } | Kind::WithoutRowid { pk } if !pk.is_empty() => {
                let names: Vec<String> = pk.iter().map(|&c| dq(&t.cols[c].0.name)).collect();
                defs.push(format!("PRIMARY KEY({})", names.join(", ")));
            }
            _ => {}
        }
        let mut opts = Vec::new();
        if matches!(t.kind, Kind::WithoutRowid { .. }) {
            opts.push("WITHOUT ROWID");
        }
        if t.strict {
            opts.push("STRICT");
        }
        s.push_str(&format!(
            "CREATE TABLE {}({}){};\n",
            q(&t.name),
            defs.join(", "),
            if opts.is_empty() {
                String::new()
            } else {
                format!(" {}", opts.join(", "))
            }
        ));
        let index = t.index.as_ref().map(|(id, on)| {
            let on: Vec<String> = on
                .iter()
                .map(|&(c, desc)| {
                    format!(
                        "{}{}",
                        dq(&t.cols[c].0.name),
                        if desc { " DESC" } else { "" }
                    )
                })
                .collect();
            format!(
                "CREATE INDEX {} ON {}({});\n",
                q(id),
                dq(&t.name.name),
                on.join(", ")
            )
        });
        if t.index_first {
            s.push_str(index.as_deref().unwrap_or(""));
        }
        for r in &t.rows {
            let vals: Vec<String> = r.iter().map(literal).collect();
            s.push_str(&format!(
                "INSERT OR IGNORE INTO {} VALUES({});\n",
                dq(&t.name.name),
                vals.join(",")
            ));
        }
        if !t.index_first {
            s.push_str(index.as_deref().unwrap_or(""));
        }
    }
    for t in &db.tables {
        if let Some(v) = &t.view {
            s.push_str(&format!(
                "CREATE VIEW {} AS SELECT * FROM {};\n",
                q(v),
                dq(&t.name.name)
            ));
        }
    }
    s
}

// ---------------------------------------------------------------------------------------
// Reading a database back (through sqlite3, everything hex-encoded)

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Cell {
    Null,
    Int(i64),
    Real(u64),
    Text(Vec<u8>),
    Blob(Vec<u8>),
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Null => write!(f, "NULL"),
            Cell::Int(i) => write!(f, "{i}"),
            Cell::Real(b) => write!(f, "real:{:e}[{b:016x}]", f64::from_bits(*b)),
            Cell::Text(t) => write!(f, "text:{:?}", String::from_utf8_lossy(t)),
            Cell::Blob(b) => write!(f, "X'{}'", hex(b)),
        }
    }
}

#[derive(Debug, PartialEq)]
struct Content {
    /// (type, name, tbl_name, sql), sorted.
    schema: Vec<(String, String, String, Option<String>)>,
    /// Table name → rows, sorted.
    tables: Vec<(String, Vec<Vec<Cell>>)>,
}

fn sqlite3_script(dir: &Path, db: &str, sql: &str) -> Result<String, String> {
    let out = run_in(Path::new(SQLITE3), dir, &["-readonly", db], sql.as_bytes());
    if out.code != Some(0) || !out.stderr.is_empty() {
        return Err(format!(
            "reading {db} failed ({:?}): {}\nSQL:\n{sql}",
            out.code,
            show(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("non-ASCII output reading {db}: {e}"))
}

fn read_content(dir: &Path, db: &str) -> Result<Content, String> {
    let s = |h: &str| String::from_utf8_lossy(&unhex(h)).into_owned();
    let out = sqlite3_script(
        dir,
        db,
        "SELECT 'S,'||hex(type)||','||hex(name)||','||hex(tbl_name)||','||CASE WHEN sql IS NULL THEN 'N' ELSE hex(sql) END \
           FROM sqlite_schema;\n\
         SELECT 'C,'||hex(m.name)||','||hex(p.name) FROM sqlite_schema m, pragma_table_info(m.name) p \
           WHERE m.type='table' ORDER BY m.name, p.cid;\n",
    )?;
    let mut schema = Vec::new();
    let mut tables: Vec<(String, Vec<String>)> = Vec::new();
    for line in out.lines() {
        let f: Vec<&str> = line.split(',').collect();
        match f[0] {
            "S" => schema.push((
                s(f[1]),
                s(f[2]),
                s(f[3]),
                if f[4] == "N" { None } else { Some(s(f[4])) },
            )),
            "C" => {
                let (t, c) = (s(f[1]), s(f[2]));
                match tables.last_mut() {
                    Some((name, cols)) if *name == t => cols.push(c),
                    _ => tables.push((t, vec![c])),
                }
            }
            _ => return Err(format!("unexpected line {line:?}")),
        }
    }
    schema.sort();
    let mut sql = String::new();
    for (t, cols) in &tables {
        let cells: Vec<String> = cols
            .iter()
            .map(|c| {
                let c = dq(c);
                format!(
                    "typeof({c})||':'||CASE typeof({c}) WHEN 'real' THEN hex(ieee754_to_blob({c})) \
                     WHEN 'integer' THEN {c} ELSE hex({c}) END"
                )
            })
            .collect();
        sql.push_str(&format!(
            "SELECT 'T';\nSELECT 'R,'||{} FROM {};\n",
            cells.join("||','||"),
            dq(t)
        ));
    }
    let out = if sql.is_empty() {
        String::new()
    } else {
        sqlite3_script(dir, db, &sql)?
    };
    let mut rows_by_table: Vec<Vec<Vec<Cell>>> = Vec::new();
    for line in out.lines() {
        if line == "T" {
            rows_by_table.push(Vec::new());
            continue;
        }
        let row = line
            .strip_prefix("R,")
            .ok_or_else(|| format!("unexpected line {line:?}"))?
            .split(',')
            .map(|cell| {
                let (ty, v) = cell.split_once(':').expect("type:value");
                match ty {
                    "null" => Cell::Null,
                    "integer" => Cell::Int(v.parse().expect("integer")),
                    "real" => Cell::Real(u64::from_str_radix(v, 16).expect("real bits")),
                    "text" => Cell::Text(unhex(v)),
                    "blob" => Cell::Blob(unhex(v)),
                    _ => panic!("typeof {ty}"),
                }
            })
            .collect();
        rows_by_table.last_mut().expect("table").push(row);
    }
    if rows_by_table.len() != tables.len() {
        return Err(format!(
            "{db}: read {} of {} tables",
            rows_by_table.len(),
            tables.len()
        ));
    }
    let mut tables: Vec<(String, Vec<Vec<Cell>>)> = tables
        .into_iter()
        .map(|(t, _)| t)
        .zip(rows_by_table)
        .map(|(t, mut rows)| {
            rows.sort();
            (t, rows)
        })
        .collect();
    tables.sort();
    Ok(Content { schema, tables })
}

/// What a restored database should hold, given the original: the dump format (sqlite3's,
/// which litesh copies byte for byte) writes `-0.0` as `0.0`, and ends an index, view or
/// trigger whose SQL contains `--` with `\n;` instead of `;` (in case the `--` starts a
/// comment); SQLite keeps that newline in the `sql` of a restored index (not of a view or
/// trigger).
fn expected_after_dump(mut c: Content) -> Content {
    for (_, rows) in &mut c.tables {
        for r in rows.iter_mut() {
            for v in r.iter_mut() {
                if *v == Cell::Real((-0.0f64).to_bits()) {
                    *v = Cell::Real(0);
                }
            }
        }
        rows.sort();
    }
    for (ty, _, _, sql) in &mut c.schema {
        if let Some(sql) = sql {
            if ty == "index" && sql.contains("--") {
                sql.push('\n');
            }
        }
    }
    c
}

/// The tolerance for what the 3.40.1 library reads back (see the top of this file).
fn close_enough(want: &Cell, got: &Cell) -> bool {
    match (want, got) {
        (Cell::Real(a), Cell::Real(b)) => {
            let (x, y) = (f64::from_bits(*a), f64::from_bits(*b));
            a == b
                || (x.is_sign_negative() == y.is_sign_negative() && a.abs_diff(*b) <= 1)
                || (x.abs() < 1e-307 && y.abs() < 1e-307)
        }
        _ => want == got,
    }
}

fn show_rows(rows: &[Vec<Cell>]) -> String {
    rows.iter()
        .map(|r| {
            let cells: Vec<String> = r.iter().map(|c| c.to_string()).collect();
            format!("  ({})\n", cells.join(", "))
        })
        .collect()
}

/// Differences between `want` and `got`; with `tolerant`, REALs as allowed for 3.40.1.
fn compare(want: &Content, got: &Content, tolerant: bool) -> Vec<String> {
    let mut problems = Vec::new();
    if want.schema != got.schema {
        problems.push(format!(
            "schema differs:\nwant {:#?}\ngot  {:#?}",
            want.schema, got.schema
        ));
    }
    let names = |c: &Content| c.tables.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>();
    if names(want) != names(got) {
        problems.push(format!(
            "tables differ: want {:?}, got {:?}",
            names(want),
            names(got)
        ));
        return problems;
    }
    for ((t, w), (_, g)) in want.tables.iter().zip(&got.tables) {
        let same = if tolerant {
            // Greedy multiset matching (at most 20 rows).
            let mut used = vec![false; g.len()];
            w.len() == g.len()
                && w.iter().all(|wr| {
                    let hit = (0..g.len()).find(|&k| {
                        !used[k]
                            && wr.len() == g[k].len()
                            && wr.iter().zip(&g[k]).all(|(a, b)| close_enough(a, b))
                    });
                    if let Some(k) = hit {
                        used[k] = true;
                    }
                    hit.is_some()
                })
        } else {
            w == g
        };
        if !same {
            problems.push(format!(
                "rows of table {t:?} differ\nwant:\n{}got:\n{}",
                show_rows(w),
                show_rows(g)
            ));
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------
// The property

fn expect_ok(what: &str, out: &Outcome) -> Result<(), String> {
    if out.code == Some(0) && out.stderr.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{what}: exit {:?}, stderr:\n{}",
            out.code,
            show(&out.stderr)
        ))
    }
}

fn has_nul_text(db: &Db) -> bool {
    db.tables.iter().any(|t| {
        t.rows
            .iter()
            .flatten()
            .any(|v| matches!(v, Val::Text(b) if b.contains(&0)))
    })
}

fn round_trip(db: &Db) -> Result<(), String> {
    let scratch = harness::Scratch::new();
    let dir = scratch.path();
    let sql = script(db);
    expect_ok(
        "building the database with sqlite3",
        &run_in(Path::new(SQLITE3), dir, &["orig.db"], sql.as_bytes()),
    )?;

    let dump = run_in(&litesh(), dir, &["orig.db", ".dump"], b"");
    expect_ok("litesh .dump", &dump)?;
    let reference = run_in(Path::new(SQLITE3), dir, &["orig.db", ".dump"], b"");
    expect_ok("sqlite3 .dump", &reference)?;
    let mut problems = Vec::new();
    // A text holding NUL is a deliberate difference (docs/compat.md): sqlite3 cuts it at the
    // NUL, litesh writes `CAST(X'…' AS TEXT)`. Both restores must then keep every byte.
    if !has_nul_text(db) && !same_modulo_reals(&reference.stdout, &dump.stdout) {
        problems.push(format!(
            "litesh's dump differs from sqlite3's\n--- sqlite3:\n{}\n--- litesh:\n{}",
            show(&reference.stdout),
            show(&dump.stdout)
        ));
    }

    expect_ok(
        "sqlite3 restoring the litesh dump",
        &run_in(Path::new(SQLITE3), dir, &["by_sqlite3.db"], &dump.stdout),
    )?;
    expect_ok(
        "litesh restoring its dump",
        &run_in(&litesh(), dir, &["by_litesh.db"], &dump.stdout),
    )?;

    let orig = expected_after_dump(read_content(dir, "orig.db")?);
    let by_sqlite3 = read_content(dir, "by_sqlite3.db")?;
    let by_litesh = read_content(dir, "by_litesh.db")?;
    for p in compare(&orig, &by_litesh, false) {
        problems.push(format!("litesh-restored database (must be bit-exact): {p}"));
    }
    for p in compare(&orig, &by_sqlite3, true) {
        problems.push(format!("sqlite3-restored database (1-ulp tolerance): {p}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\n=== build script:\n{sql}=== litesh dump:\n{}",
            problems.join("\n"),
            show(&dump.stdout)
        ))
    }
}

#[test]
fn dump_restore_round_trip() {
    if !harness::require_sqlite3() {
        return;
    }
    let cases = std::env::var("LITESH_PROP_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48);
    let config = Config {
        cases,
        max_shrink_iters: 400,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    match runner.run(&db(), |db| round_trip(&db).map_err(TestCaseError::fail)) {
        Ok(()) => {}
        Err(TestError::Fail(why, db)) => {
            panic!("dump round trip failed (minimal case after shrinking):\n{why}\n{db:?}")
        }
        Err(e) => panic!("{e}"),
    }
}

/// The reader itself: every storage class, exact bits, odd names, NULL `sql`.
#[test]
fn content_reader_sees_exact_values() {
    if !harness::require_sqlite3() {
        return;
    }
    let s = harness::Scratch::new();
    s.db(
        "x.db",
        "CREATE TABLE \"a,b\"(\"c:d\" PRIMARY KEY, e);\n\
         INSERT INTO \"a,b\" VALUES(NULL, -9223372036854775808), (ieee754_from_blob(x'8000000000000001'), 1e999),\n\
           (CAST(x'ff0a0d27' AS TEXT), x''), (x'00ff', CAST(x'' AS TEXT));",
    );
    let c = read_content(s.path(), "x.db").unwrap();
    assert_eq!(
        c.schema,
        vec![
            (
                "index".into(),
                "sqlite_autoindex_a,b_1".into(),
                "a,b".into(),
                None
            ),
            (
                "table".into(),
                "a,b".into(),
                "a,b".into(),
                Some("CREATE TABLE \"a,b\"(\"c:d\" PRIMARY KEY, e)".into())
            ),
        ]
    );
    let mut rows = vec![
        vec![Cell::Null, Cell::Int(i64::MIN)],
        vec![
            Cell::Real(0x8000000000000001),
            Cell::Real(f64::INFINITY.to_bits()),
        ],
        vec![
            Cell::Text(vec![0xff, b'\n', b'\r', b'\'']),
            Cell::Blob(vec![]),
        ],
        vec![Cell::Blob(vec![0, 0xff]), Cell::Text(vec![])],
    ];
    rows.sort();
    assert_eq!(c.tables, vec![("a,b".to_string(), rows)]);
    // The tolerance: one ulp, or both tiny.
    assert!(close_enough(
        &Cell::Real(1.5f64.to_bits()),
        &Cell::Real(1.5f64.to_bits() + 1)
    ));
    assert!(!close_enough(
        &Cell::Real(1.5f64.to_bits()),
        &Cell::Real(1.5f64.to_bits() + 2)
    ));
    assert!(close_enough(&Cell::Real(1), &Cell::Real(0)));
    assert!(!close_enough(&Cell::Real(1.0f64.to_bits()), &Cell::Int(1)));
}
