//! `.recover`: SQL that rebuilds what can still be read of a damaged database, written in
//! Rust over the pages of the input (SQLite's `sqlite3recover` extension is not in the
//! amalgamation litesh's library comes from, and 3.40.1's Debian build cannot run its own).
//!
//! The steps and the shape of the script follow the extension's description, so the
//! output reads like sqlite3's `.recover` where a build can run it:
//!
//! 1. The schema: every record reachable from page 1 (the `sqlite_schema` b-tree) is a
//!    schema row `(type, name, tbl_name, rootpage, sql)`.
//! 2. Tables (and UNIQUE indexes, which must exist before rows go in) are created first,
//!    `sqlite_sequence` before the others; a virtual table becomes an `INSERT INTO
//!    sqlite_schema` row. Each statement is run in a scratch database first and written
//!    only when it works there, which also gives each table's columns (`table_xinfo`,
//!    `index_xinfo` for WITHOUT ROWID tables).
//! 3. Each table's b-tree is walked from its root page, in key order, and every cell that
//!    parses becomes `INSERT OR IGNORE INTO 'table'(_rowid_, 'col', …) VALUES (…)`, listing
//!    only the columns the record holds values for. Pages are checked as they are read:
//!    a page of the wrong kind for the tree, a page met twice, and (in rowid tables) a row
//!    whose rowid lies outside the range its parent page gives it are not taken, so rows of
//!    one table never land in another and nothing is invented. `sqlite_sequence` comes
//!    last, after `DELETE FROM sqlite_sequence`.
//! 4. With a lost-and-found table (the shell's default is `lost_and_found`), the records
//!    of pages that no recovered tree reaches (and, unless `--ignore-freelist`, pages on
//!    the freelist) go into `lost_and_found(rootpgno, pgno, nfield, id, c0, c1, …)`, each
//!    page filed under the top of the chain of orphan pages that points to it.
//! 5. Views, triggers and other indexes last; then `PRAGMA writable_schema = off;
//!    COMMIT;`.
//!
//! Output streams statement by statement; only the schema and the set of pages seen are
//! kept in memory.

pub mod btree;
pub mod source;

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};

use rusqlite::Connection;

use crate::exec::raw;
use crate::format::{real, sql};
use btree::{Cell, Field, Page};
pub use source::PageSource;

/// What `.recover`'s options ask for.
#[derive(Debug, Clone)]
pub struct Options {
    /// The lost-and-found table's name; `None` for none.
    pub lost_and_found: Option<Vec<u8>>,
    /// Treat the freelist as damaged: its pages are searched for lost rows too (the
    /// default; `--ignore-freelist` turns it off).
    pub freelist_corrupt: bool,
    /// Keep rowids of tables without an INTEGER PRIMARY KEY (`--no-rowids` turns it off).
    pub rowids: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            lost_and_found: Some(b"lost_and_found".to_vec()),
            freelist_corrupt: true,
            rowids: true,
        }
    }
}

/// A row of the recovered schema (text already UTF-8).
#[derive(Debug, Clone)]
struct SchemaRow {
    kind: Option<Vec<u8>>,
    name: Option<Vec<u8>>,
    tbl_name: Option<Vec<u8>>,
    rootpage: i64,
    sql: Option<Vec<u8>>,
}

impl SchemaRow {
    fn is(&self, kind: &[u8]) -> bool {
        self.kind.as_deref() == Some(kind)
    }

    fn is_virtual(&self) -> bool {
        self.sql
            .as_deref()
            .is_some_and(|s| s.len() >= 14 && s[..14].eq_ignore_ascii_case(b"create virtual"))
    }

    fn is_unique_index(&self) -> bool {
        self.is(b"index")
            && self
                .sql
                .as_deref()
                .is_some_and(|s| s.to_ascii_lowercase().windows(6).any(|w| w == b"unique"))
    }
}

/// A column of a recovered table.
#[derive(Debug, Clone)]
struct Column {
    name: Vec<u8>,
    /// Its field in the records, if stored.
    field: Option<usize>,
    /// Written by INSERT (not a generated column).
    bind: bool,
    /// The INTEGER PRIMARY KEY: its value is the rowid.
    ipk: bool,
}

/// A recovered table whose rows are written.
#[derive(Debug, Clone)]
struct Table {
    name: Vec<u8>,
    root: u32,
    columns: Vec<Column>,
    /// A rowid table (else WITHOUT ROWID).
    intkey: bool,
    /// A rowid table without INTEGER PRIMARY KEY: `_rowid_` is written.
    rowid_column: bool,
}

/// Recovery state for one run.
struct Recovery<'a> {
    src: &'a mut dyn PageSource,
    out: &'a mut dyn Write,
    scratch: &'a Connection,
    opts: &'a Options,
    encoding: u32,
    /// Pages that more than one tree reaches (a damaged child pointer): they belong to no
    /// table for sure, so no table takes their rows.
    shared: HashSet<u32>,
}

/// Writes the recovery script (after its opening PRAGMAs, which the caller writes) for the
/// database `src` reads. `scratch` is an empty database (with `writable_schema` on) in
/// which each statement is tried first; `encoding` is the input's (1 UTF-8, 2 UTF-16le,
/// 3 UTF-16be).
pub fn run(
    src: &mut dyn PageSource,
    encoding: u32,
    scratch: &Connection,
    opts: &Options,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut r = Recovery {
        src,
        out,
        scratch,
        opts,
        encoding,
        shared: HashSet::new(),
    };
    let schema = r.read_schema();
    r.shared = r.shared_pages(&schema);
    let tables = r.write_schema1(&schema)?;
    r.write_data(&schema, &tables)?;
    if let Some(name) = &opts.lost_and_found {
        r.lost_and_found(&schema, name)?;
    }
    r.write_schema2(&schema)?;
    r.emit(b"PRAGMA writable_schema = off")?;
    r.emit(b"COMMIT")
}

impl<'a> Recovery<'a> {
    fn emit(&mut self, stmt: &[u8]) -> io::Result<()> {
        self.out.write_all(stmt)?;
        self.out.write_all(b";\n")
    }

    fn page(&mut self, pgno: u32) -> Option<Vec<u8>> {
        self.src.page(pgno)
    }

    /// The cells of a parsed page, overflow chains read from the source.
    fn cells(&mut self, page: &Page, data: &[u8]) -> Vec<Cell> {
        let geo = self.src.geometry();
        let src = &mut *self.src;
        page.cells(data, geo, &mut |n| src.page(n))
    }

    /// Text in the database's encoding, as UTF-8.
    fn utf8(&self, b: &[u8]) -> Vec<u8> {
        let units = |be: bool| {
            b.chunks_exact(2).map(move |c| {
                if be {
                    u16::from_be_bytes([c[0], c[1]])
                } else {
                    u16::from_le_bytes([c[0], c[1]])
                }
            })
        };
        match self.encoding {
            2 | 3 => char::decode_utf16(units(self.encoding == 3))
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect::<String>()
                .into_bytes(),
            _ => b.to_vec(),
        }
    }

    /// Walks the b-tree at `root` in key order, calling `leaf` with each page that holds
    /// records and the rowid range the tree gives it. `index` says which kind of tree it is;
    /// a page of the other kind, or met before, is skipped.
    fn walk(
        &mut self,
        root: u32,
        index: bool,
        seen: &mut HashSet<u32>,
        leaf: &mut Visit<'_, 'a>,
    ) -> io::Result<()> {
        // An explicit stack: (page, lower bound exclusive, upper bound inclusive).
        let mut stack = vec![(root, None::<i64>, None::<i64>)];
        while let Some((pgno, lo, hi)) = stack.pop() {
            if pgno == 0 || self.shared.contains(&pgno) || !seen.insert(pgno) {
                continue;
            }
            let Some(data) = self.page(pgno) else {
                continue;
            };
            let Some(page) = Page::parse(pgno, &data) else {
                continue;
            };
            if page.is_index() != index {
                continue;
            }
            if page.is_interior() && !index {
                // Children in key order; pushed in reverse so the first is visited first.
                let cells = self.cells(&page, &data);
                let mut ranges = Vec::with_capacity(cells.len() + 1);
                let mut prev = lo;
                for c in &cells {
                    if let (Some(child), Some(key)) = (c.child, c.rowid) {
                        ranges.push((child, prev, Some(key)));
                        prev = Some(key);
                    }
                }
                if let Some(r) = page.right_child {
                    ranges.push((r, prev, hi));
                }
                stack.extend(ranges.into_iter().rev());
            } else if page.is_interior() {
                // Index interior pages hold records too: left child, cell, …, right child.
                leaf(self, &page, &data, Bounds(lo, hi))?;
                let children = page.children(&data);
                stack.extend(children.into_iter().rev().map(|c| (c, None, None)));
            } else {
                leaf(self, &page, &data, Bounds(lo, hi))?;
            }
        }
        Ok(())
    }

    /// Step 1: the schema rows reachable from page 1.
    fn read_schema(&mut self) -> Vec<SchemaRow> {
        let mut rows = Vec::new();
        let mut seen = HashSet::new();
        let mut collect = |r: &mut Self, page: &Page, data: &[u8], b: Bounds| {
            for c in r.cells(page, data) {
                if !b.holds(c.rowid) {
                    continue;
                }
                let text = |i: usize| match c.fields.get(i) {
                    Some(Field::Text(t)) => Some(r.utf8(t)),
                    _ => None,
                };
                let rootpage = match c.fields.get(3) {
                    Some(Field::Int(n)) => *n,
                    _ => 0,
                };
                rows.push(SchemaRow {
                    kind: text(0),
                    name: text(1),
                    tbl_name: text(2),
                    rootpage,
                    sql: text(4),
                });
            }
            Ok(())
        };
        let _ = self.walk(1, false, &mut seen, &mut collect);
        rows
    }

    /// The child pages of page `p`, if it is an interior b-tree page.
    fn children(&mut self, p: u32) -> Vec<u32> {
        self.page(p)
            .and_then(|data| Page::parse(p, &data).map(|page| page.children(&data)))
            .unwrap_or_default()
    }

    /// The pages reached from more than one root (page 1 and the schema's root pages).
    fn shared_pages(&mut self, schema: &[SchemaRow]) -> HashSet<u32> {
        let mut owner: HashMap<u32, u32> = HashMap::new();
        let mut shared = HashSet::new();
        for root in roots(schema) {
            let mut seen = HashSet::new();
            let mut stack = vec![root];
            while let Some(p) = stack.pop() {
                if p == 0 || p > self.src.geometry().page_count || !seen.insert(p) {
                    continue;
                }
                if *owner.entry(p).or_insert(root) != root {
                    shared.insert(p);
                }
                stack.extend(self.children(p));
            }
        }
        shared
    }

    /// Runs one statement in the scratch database; true when it worked. A text holding
    /// more than one statement is refused.
    fn try_scratch(&self, stmt: &[u8]) -> bool {
        let Ok(p) = raw::prepare(self.scratch, stmt) else {
            return false;
        };
        if stmt[p.consumed..].iter().any(|b| !b.is_ascii_whitespace()) {
            return false;
        }
        let Some(mut s) = p.stmt else {
            return false;
        };
        while let Ok(true) = s.step() {}
        s.finalize() == 0
    }

    /// Step 2: tables and UNIQUE indexes; the tables whose rows can be written.
    fn write_schema1(&mut self, schema: &[SchemaRow]) -> io::Result<Vec<Table>> {
        let mut first: Vec<&SchemaRow> = schema
            .iter()
            .filter(|r| r.is(b"table") || r.is_unique_index())
            .collect();
        // Tables first, sqlite_sequence first of them; otherwise in schema order.
        first.sort_by_key(|r| {
            (
                !r.is(b"table"),
                r.name.as_deref() != Some(b"sqlite_sequence"),
            )
        });
        let mut tables = Vec::new();
        for row in first {
            let Some(text) = &row.sql else { continue };
            let virt = row.is(b"table") && row.is_virtual();
            let stmt = if virt {
                let mut s = b"INSERT INTO sqlite_schema VALUES('table', ".to_vec();
                push_q(&mut s, row.name.as_deref());
                s.extend_from_slice(b", ");
                push_q(&mut s, row.name.as_deref());
                s.extend_from_slice(b", 0, ");
                push_q(&mut s, Some(text));
                s.push(b')');
                s
            } else {
                text.clone()
            };
            if !self.try_scratch(&stmt) {
                continue;
            }
            self.emit(&stmt)?;
            if row.is(b"table") && !virt {
                if let Some(t) = self.table_info(row.rootpage) {
                    tables.push(t);
                }
            }
        }
        Ok(tables)
    }

    /// The columns of the table just created in the scratch database.
    fn table_info(&self, root: i64) -> Option<Table> {
        let name: Vec<u8> = self
            .scratch
            .query_row(
                "SELECT CAST(name AS BLOB) FROM sqlite_schema WHERE type='table' ORDER BY rowid DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .ok()?;
        let root = u32::try_from(root).ok().filter(|r| *r > 0)?;
        let name_text = String::from_utf8_lossy(&name).into_owned();
        let mut columns = Vec::new();
        let mut ipk: Option<usize> = None;
        let mut composite = false;
        {
            let mut st = self
                .scratch
                .prepare("SELECT CAST(name AS BLOB), type, pk, hidden FROM pragma_table_xinfo(?1)")
                .ok()?;
            let mut rows = st.query([&name_text]).ok()?;
            let mut field = 0;
            while let Ok(Some(r)) = rows.next() {
                let col: Vec<u8> = r.get(0).ok()?;
                let ty: String = r.get(1).unwrap_or_default();
                let pk: i64 = r.get(2).unwrap_or(0);
                let hidden: i64 = r.get(3).unwrap_or(0);
                if pk == 1 && ipk.is_none() && ty.eq_ignore_ascii_case("integer") {
                    ipk = Some(columns.len());
                }
                if pk > 1 {
                    composite = true;
                }
                // 2: a virtual generated column (not stored); 3: stored generated.
                let stored = hidden != 2;
                columns.push(Column {
                    name: col,
                    field: stored.then(|| {
                        field += 1;
                        field - 1
                    }),
                    bind: hidden != 2 && hidden != 3,
                    ipk: false,
                });
            }
        }
        let mut intkey = true;
        {
            let mut st = self
                .scratch
                .prepare("SELECT seqno, cid FROM pragma_index_xinfo(?1)")
                .ok()?;
            let mut rows = st.query([&name_text]).ok()?;
            while let Ok(Some(r)) = rows.next() {
                let seq: i64 = r.get(0).ok()?;
                let cid: i64 = r.get(1).ok()?;
                if let Some(c) = usize::try_from(cid).ok().and_then(|i| columns.get_mut(i)) {
                    c.field = usize::try_from(seq).ok();
                }
                intkey = false;
            }
        }
        let mut rowid_column = false;
        if intkey {
            match ipk {
                Some(i) if !composite => columns[i].ipk = true,
                _ => rowid_column = true,
            }
        }
        Some(Table {
            name,
            root,
            columns,
            intkey,
            rowid_column,
        })
    }

    /// Step 3: the rows of each table.
    fn write_data(&mut self, schema: &[SchemaRow], tables: &[Table]) -> io::Result<()> {
        let mut order: Vec<&SchemaRow> = schema
            .iter()
            .filter(|r| r.is(b"table") && !r.is_virtual())
            .collect();
        order.sort_by_key(|r| r.tbl_name.as_deref() == Some(b"sqlite_sequence"));
        // A root page that two schema entries name (or page 1, sqlite_schema's own) is
        // nobody's for sure: no table takes its rows.
        let mut claims: HashMap<i64, usize> = HashMap::new();
        for r in schema.iter().filter(|r| r.rootpage > 0) {
            *claims.entry(r.rootpage).or_default() += 1;
        }
        let mut done = HashSet::new();
        for row in order {
            let Some(t) = tables.iter().find(|t| i64::from(t.root) == row.rootpage) else {
                continue;
            };
            if t.root == 1 || claims.get(&row.rootpage) != Some(&1) || !done.insert(t.root) {
                continue;
            }
            if t.name.eq_ignore_ascii_case(b"sqlite_sequence") {
                self.emit(b"DELETE FROM sqlite_sequence")?;
            }
            let mut seen = HashSet::new();
            let mut write = |r: &mut Self, page: &Page, data: &[u8], b: Bounds| {
                for c in r.cells(page, data) {
                    if t.intkey && !b.holds(c.rowid) {
                        continue;
                    }
                    if let Some(stmt) = r.insert(t, &c) {
                        r.emit(&stmt)?;
                    }
                }
                Ok(())
            };
            self.walk(t.root, !t.intkey, &mut seen, &mut write)?;
        }
        Ok(())
    }

    /// `INSERT OR IGNORE INTO 'name'(_rowid_, 'a', …) VALUES (…)` for one cell.
    fn insert(&self, t: &Table, c: &Cell) -> Option<Vec<u8>> {
        let n = c.fields.len().min(t.columns.len());
        if n == 0 {
            return None;
        }
        let mut cols = b"INSERT OR IGNORE INTO ".to_vec();
        push_q(&mut cols, Some(&t.name));
        cols.push(b'(');
        let mut vals = Vec::new();
        let mut sep = "";
        if t.rowid_column {
            cols.extend_from_slice(b"_rowid_");
            match c.rowid.filter(|_| self.opts.rowids) {
                Some(r) => vals.extend_from_slice(r.to_string().as_bytes()),
                None => vals.extend_from_slice(b"NULL"),
            }
            sep = ", ";
        }
        for col in &t.columns {
            let Some(f) = col.field.filter(|f| *f < n) else {
                continue;
            };
            if !col.bind {
                continue;
            }
            cols.extend_from_slice(sep.as_bytes());
            push_q(&mut cols, Some(&col.name));
            vals.extend_from_slice(sep.as_bytes());
            if col.ipk {
                match c.rowid {
                    Some(r) => vals.extend_from_slice(r.to_string().as_bytes()),
                    None => vals.extend_from_slice(b"NULL"),
                }
            } else {
                self.push_value(&mut vals, &c.fields[f], true);
            }
            sep = ", ";
        }
        cols.extend_from_slice(b") VALUES (");
        cols.extend_from_slice(&vals);
        cols.push(b')');
        Some(cols)
    }

    /// A value as SQLite's `quote()` writes it (REALs with the shortest exact digits);
    /// with `crlf`, text holding line breaks wrapped as the extension's `escape_crlf()`
    /// does, so each statement stays on one line.
    fn push_value(&self, out: &mut Vec<u8>, f: &Field, crlf: bool) {
        match f {
            Field::Null => out.extend_from_slice(b"NULL"),
            Field::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
            Field::Real(r) if r.is_nan() => out.extend_from_slice(b"NULL"),
            Field::Real(r) => real::push_real_sql(out, *r),
            Field::Blob(b) => {
                out.extend_from_slice(b"X'");
                out.extend_from_slice(faster_hex::hex_string_upper(b).as_bytes());
                out.push(b'\'');
            }
            Field::Text(stored) => {
                let t = self.utf8(stored);
                if t.contains(&0) {
                    // The stored bytes, read back as text in the database's encoding
                    // (the script's first PRAGMA gives the new database that encoding).
                    sql::text_with_nul(out, stored);
                    return;
                }
                let mut q = Vec::with_capacity(t.len() + 2);
                sql::quoted_string(&mut q, &t);
                if crlf {
                    escape_crlf(out, &q);
                } else {
                    out.extend_from_slice(&q);
                }
            }
        }
    }

    /// Pages reachable from page 1 and every schema root, and (unless the freelist is
    /// taken as damaged) the freelist's pages.
    fn used_pages(&mut self, schema: &[SchemaRow]) -> Vec<bool> {
        let count = self.src.geometry().page_count as usize;
        let mut used = vec![false; count + 1];
        let mut stack = roots(schema);
        while let Some(p) = stack.pop() {
            let Some(slot) = used.get_mut(p as usize) else {
                continue;
            };
            if *slot {
                continue;
            }
            *slot = true;
            stack.extend(self.children(p));
        }
        // Pages two trees claim belong to neither: their rows go to lost-and-found.
        for p in &self.shared {
            if let Some(slot) = used.get_mut(*p as usize) {
                *slot = false;
            }
        }
        if !self.opts.freelist_corrupt {
            for p in self.freelist() {
                if let Some(slot) = used.get_mut(p as usize) {
                    *slot = true;
                }
            }
        }
        used
    }

    /// The freelist's trunk and leaf pages, as far as the chain can be followed.
    fn freelist(&mut self) -> Vec<u32> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let count = self.src.geometry().page_count;
        let mut trunk = self
            .page(1)
            .and_then(|p| btree::u32_at(&p, 32))
            .unwrap_or(0);
        while trunk > 0 && trunk <= count && seen.insert(trunk) {
            out.push(trunk);
            let Some(data) = self.page(trunk) else { break };
            let n = btree::u32_at(&data, 4).unwrap_or(0).min(16384) as usize;
            out.extend((0..n).filter_map(|i| btree::u32_at(&data, 8 + 4 * i)));
            trunk = btree::u32_at(&data, 0).unwrap_or(0);
        }
        out
    }

    /// Step 4: the records of pages no recovered tree reaches.
    fn lost_and_found(&mut self, schema: &[SchemaRow], name: &[u8]) -> io::Result<()> {
        let used = self.used_pages(schema);
        let count = self.src.geometry().page_count;
        // Each orphan page's parent among the orphans (the first page pointing to it),
        // and the widest record on any orphan page.
        let mut parent: HashMap<u32, Option<u32>> = HashMap::new();
        let mut max_fields = 0;
        for p in 1..=count {
            let Some(data) = self.page(p) else { continue };
            let Some(page) = Page::parse(p, &data) else {
                continue;
            };
            for c in page.children(&data) {
                if c >= 1 && c <= count && !used[c as usize] {
                    parent.entry(c).or_insert(Some(p));
                }
            }
            if !used[p as usize] {
                parent.entry(p).or_insert(None);
                for c in self.cells(&page, &data) {
                    max_fields = max_fields.max(c.fields.len());
                }
            }
        }
        if max_fields == 0 {
            return Ok(());
        }
        let Some(table) = self.create_lost_and_found(name, max_fields)? else {
            return Ok(());
        };
        for p in 1..=count {
            if used[p as usize] {
                continue;
            }
            let root = find_root(&parent, p);
            let Some(data) = self.page(p) else { continue };
            let Some(page) = Page::parse(p, &data) else {
                continue;
            };
            for c in self.cells(&page, &data) {
                if c.fields.is_empty() {
                    continue;
                }
                let mut s = b"INSERT INTO ".to_vec();
                s.extend_from_slice(&table);
                s.extend_from_slice(
                    format!(" VALUES({root}, {p}, {}, ", c.fields.len()).as_bytes(),
                );
                match c.rowid.filter(|_| page.kind == btree::TABLE_LEAF) {
                    Some(r) => s.extend_from_slice(r.to_string().as_bytes()),
                    None => s.extend_from_slice(b"NULL"),
                }
                for i in 0..max_fields {
                    s.extend_from_slice(b", ");
                    match c.fields.get(i) {
                        Some(f) => self.push_value(&mut s, f, false),
                        None => s.extend_from_slice(b"NULL"),
                    }
                }
                s.push(b')');
                self.emit(&s)?;
            }
        }
        Ok(())
    }

    /// Creates the lost-and-found table under `name`, or `name_0`, `name_1`, … when the
    /// name is taken; the name as written, or `None` when none was free.
    fn create_lost_and_found(&mut self, name: &[u8], fields: usize) -> io::Result<Option<Vec<u8>>> {
        for i in -1..1000 {
            let mut candidate = name.to_vec();
            if i >= 0 {
                candidate.extend_from_slice(format!("_{i}").as_bytes());
            }
            let taken = self
                .scratch
                .query_row(
                    "SELECT 1 FROM sqlite_schema WHERE name = CAST(?1 AS TEXT)",
                    [&candidate],
                    |_| Ok(()),
                )
                .is_ok();
            if taken {
                continue;
            }
            let mut ident = Vec::new();
            sql::ident(&mut ident, &candidate);
            let mut s = b"CREATE TABLE ".to_vec();
            s.extend_from_slice(&ident);
            s.extend_from_slice(b"(rootpgno INTEGER, pgno INTEGER, nfield INTEGER, id INTEGER");
            for f in 0..fields {
                s.extend_from_slice(format!(", c{f}").as_bytes());
            }
            s.push(b')');
            if !self.try_scratch(&s) {
                return Ok(None);
            }
            self.emit(&s)?;
            return Ok(Some(ident));
        }
        Ok(None)
    }

    /// Step 5: views, triggers and the indexes not made in step 2.
    fn write_schema2(&mut self, schema: &[SchemaRow]) -> io::Result<()> {
        for row in schema {
            let Some(kind) = &row.kind else { continue };
            if kind == b"table" || row.is_unique_index() {
                continue;
            }
            let Some(text) = &row.sql else { continue };
            if self.try_scratch(text) {
                self.emit(text)?;
            }
        }
        Ok(())
    }
}

/// The rowids a page of a table b-tree may hold, as its parents give them: above the first
/// (exclusive), up to the second (inclusive); `None` is no bound.
#[derive(Debug, Clone, Copy)]
struct Bounds(Option<i64>, Option<i64>);

impl Bounds {
    /// True when `rowid` is in range (a cell without a rowid always is).
    fn holds(self, rowid: Option<i64>) -> bool {
        match rowid {
            None => true,
            Some(r) => self.0.is_none_or(|l| r > l) && self.1.is_none_or(|h| r <= h),
        }
    }
}

/// What [`Recovery::walk`] calls for each page that holds records.
type Visit<'f, 'a> = dyn FnMut(&mut Recovery<'a>, &Page, &[u8], Bounds) -> io::Result<()> + 'f;

/// Page 1 and the schema's root pages that exactly one schema entry names (a root two
/// entries name is nobody's for sure: its tree's pages are left to lost-and-found).
fn roots(schema: &[SchemaRow]) -> Vec<u32> {
    let mut claims: HashMap<u32, usize> = HashMap::new();
    for r in schema {
        if let Some(p) = u32::try_from(r.rootpage).ok().filter(|p| *p > 1) {
            *claims.entry(p).or_default() += 1;
        }
    }
    let mut roots: Vec<u32> = std::iter::once(1)
        .chain(claims.into_iter().filter(|(_, n)| *n == 1).map(|(p, _)| p))
        .collect();
    roots.sort_unstable();
    roots
}

/// The top of the chain of orphan pages above `p` (a page without a parent among the
/// orphans), or `p` itself when the chain loops or leaves the orphans.
fn find_root(parent: &HashMap<u32, Option<u32>>, p: u32) -> u32 {
    let mut seen = HashSet::new();
    let mut cur = p;
    loop {
        match parent.get(&cur) {
            Some(None) => return cur,
            Some(Some(up)) if seen.insert(cur) => cur = *up,
            _ => return p,
        }
    }
}

/// SQLite's `%Q`: a quoted string, or NULL.
fn push_q(out: &mut Vec<u8>, s: Option<&[u8]>) {
    match s {
        Some(s) => sql::quoted_string(out, s),
        None => out.extend_from_slice(b"NULL"),
    }
}

/// A string that does not occur in `hay`: `a`, else `b`, else `(a0)`, `(a1)`, …
fn unused_marker(hay: &[u8], a: &str, b: &str) -> Vec<u8> {
    let has = |n: &[u8]| memchr::memmem::find(hay, n).is_some();
    if !has(a.as_bytes()) {
        return a.as_bytes().to_vec();
    }
    if !has(b.as_bytes()) {
        return b.as_bytes().to_vec();
    }
    (0u32..)
        .map(|i| format!("({a}{i})").into_bytes())
        .find(|m| !has(m))
        .unwrap_or_default()
}

/// The extension's `escape_crlf()`: a quoted text literal holding LF or CR becomes
/// `replace('…\n…','\n', char(10))` (and the same with `\r` and `char(13)`), with markers
/// the text does not contain.
fn escape_crlf(out: &mut Vec<u8>, quoted: &[u8]) {
    let lf = quoted
        .contains(&b'\n')
        .then(|| unused_marker(quoted, "\\n", "\\012"));
    let cr = quoted
        .contains(&b'\r')
        .then(|| unused_marker(quoted, "\\r", "\\015"));
    if lf.is_none() && cr.is_none() {
        out.extend_from_slice(quoted);
        return;
    }
    out.extend_from_slice(if lf.is_some() && cr.is_some() {
        b"replace(replace("
    } else {
        b"replace("
    });
    for &c in quoted {
        match (c, &lf, &cr) {
            (b'\n', Some(m), _) | (b'\r', _, Some(m)) => out.extend_from_slice(m),
            _ => out.push(c),
        }
    }
    if let Some(m) = &lf {
        out.extend_from_slice(b",'");
        out.extend_from_slice(m);
        out.extend_from_slice(b"', char(10))");
    }
    if let Some(m) = &cr {
        out.extend_from_slice(b",'");
        out.extend_from_slice(m);
        out.extend_from_slice(b"', char(13))");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_crlf_wraps_line_breaks() {
        let mut o = Vec::new();
        escape_crlf(&mut o, b"'a\nb'");
        assert_eq!(o, b"replace('a\\nb','\\n', char(10))");
        let mut o = Vec::new();
        escape_crlf(&mut o, b"'a\\nb\r\n'");
        assert_eq!(
            o,
            b"replace(replace('a\\nb\\r\\012','\\012', char(10)),'\\r', char(13))"
        );
        let mut o = Vec::new();
        escape_crlf(&mut o, b"'plain'");
        assert_eq!(o, b"'plain'");
    }

    #[test]
    fn rowid_ranges() {
        assert!(Bounds(Some(4), Some(5)).holds(Some(5)));
        assert!(!Bounds(Some(4), Some(5)).holds(Some(4)));
        assert!(!Bounds(None, Some(5)).holds(Some(6)));
        assert!(Bounds(Some(1), Some(2)).holds(None));
    }

    #[test]
    fn roots_of_orphan_chains() {
        let mut m = HashMap::new();
        m.insert(3, None);
        m.insert(4, Some(3));
        m.insert(5, Some(4));
        m.insert(6, Some(7));
        m.insert(7, Some(6));
        assert_eq!(find_root(&m, 5), 3);
        assert_eq!(find_root(&m, 3), 3);
        assert_eq!(find_root(&m, 6), 6, "a loop");
        assert_eq!(find_root(&m, 9), 9, "not an orphan");
    }
}
