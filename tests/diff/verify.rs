//! `.verify` (litesh's own): database files good and damaged, `--against`, dumps made by
//! sqlite3 3.40.1, by litesh and by Python's `iterdump()`, damaged dumps (whose failing
//! line must be the one sqlite3 names when it restores them), and that nothing is touched.
//! Row counts are checked against what sqlite3 counts in the source database.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::harness::{litesh, require_sqlite3, run_in, show, Outcome, Scratch, SQLITE3};

/// A database with a bit of everything: rowid and WITHOUT ROWID tables, an AUTOINCREMENT
/// table, text with newlines, blobs, REALs, an index, a view, a (three-line) trigger and an
/// FTS5 table. Customer names are unique and in no index.
const SOURCE_SQL: &str = "
PRAGMA page_size=1024;
CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, note TEXT, score REAL);
CREATE TABLE kv(k TEXT PRIMARY KEY, v) WITHOUT ROWID;
CREATE TABLE events(id INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT, data BLOB);
CREATE TABLE plain(a, b);
CREATE INDEX plain_b ON plain(b);
CREATE VIEW names AS SELECT name FROM customers;
CREATE TRIGGER ev AFTER INSERT ON plain BEGIN
  INSERT INTO events(what) VALUES('plain ' || new.a);
END;
CREATE VIRTUAL TABLE docs USING fts5(body);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 200)
  INSERT INTO customers SELECT i, 'customer ' || printf('%04d', i), CASE WHEN i % 7 = 0 THEN 'two
lines' END, i / 8.0 FROM n;
INSERT INTO kv VALUES('a', 1), ('b', 2.5), ('c', 'three'), ('d', x'00ff'), ('e', NULL);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 40)
  INSERT INTO plain SELECT i, 'MARKER-' || printf('%04d', i) FROM n;
INSERT INTO events(what, data) VALUES('blob', randomblob(3000));
INSERT INTO docs VALUES('hello world'), ('the quick brown fox');
DELETE FROM plain WHERE a % 5 = 0;
";

/// Counts rows with sqlite3 itself.
fn sqlite3_count(db: &Path, table: &str) -> u64 {
    let out = Command::new(SQLITE3)
        .arg("-readonly")
        .arg(db)
        .arg(format!(
            "SELECT count(*) FROM \"{}\"",
            table.replace('"', "\"\"")
        ))
        .output()
        .expect("sqlite3");
    assert!(out.status.success(), "{}", show(&out.stderr));
    show(&out.stdout).trim().parse().expect("a count")
}

/// The tables of a database (with b-tree storage), listed by sqlite3.
fn sqlite3_tables(db: &Path) -> Vec<String> {
    let out = Command::new(SQLITE3)
        .arg("-readonly")
        .arg(db)
        .arg("SELECT name FROM sqlite_schema WHERE type='table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")
        .output()
        .expect("sqlite3");
    show(&out.stdout).lines().map(str::to_string).collect()
}

/// Runs sqlite3 with arguments and stdin in `dir`.
fn sqlite3(dir: &Path, args: &[&str], stdin: &[u8]) -> Outcome {
    run_in(Path::new(SQLITE3), dir, args, stdin)
}

/// Runs litesh with arguments in `dir`.
fn lite(dir: &Path, args: &[&str]) -> Outcome {
    run_in(&litesh(), dir, args, b"")
}

fn text(b: &[u8]) -> String {
    show(b)
}

/// Asserts a passing check whose per-table counts equal sqlite3's counts in `source`.
fn assert_ok_with_counts(o: &Outcome, source: &Path) {
    let out = text(&o.stdout);
    assert_eq!(
        o.code,
        Some(0),
        "stdout:\n{out}\nstderr:\n{}",
        text(&o.stderr)
    );
    assert!(o.stderr.is_empty(), "{}", text(&o.stderr));
    let mut total = 0;
    let tables = sqlite3_tables(source);
    assert!(tables.len() >= 4, "{tables:?}");
    for t in &tables {
        let n = sqlite3_count(source, t);
        total += n;
        let unit = if n == 1 { "row" } else { "rows" };
        let line = format!("table {t}: {n} {unit}\n");
        assert!(out.contains(&line), "missing {line:?} in:\n{out}");
    }
    assert_eq!(
        out.lines().filter(|l| l.starts_with("table ")).count(),
        tables.len(),
        "{out}"
    );
    assert!(out.contains("\nintegrity: ok\n"), "{out}");
    assert!(out.contains("\ncontent: blake3:"), "{out}");
    let last = out.lines().last().unwrap_or_default();
    assert!(last.starts_with("ok: "), "{out}");
    assert!(
        last.contains(&format!("({} tables, {total} rows", tables.len())),
        "{last}"
    );
}

fn assert_failed(o: &Outcome, file: &str, reason: &str) {
    let out = text(&o.stdout);
    let err = text(&o.stderr);
    assert_eq!(o.code, Some(1), "stdout:\n{out}\nstderr:\n{err}");
    let verdict = format!("FAILED: {file}: {reason}");
    assert!(
        out.lines().last().unwrap_or_default().starts_with(&verdict),
        "want {verdict:?} last in:\n{out}"
    );
    let msg = format!("Error: .verify: {file}: {reason}");
    assert!(err.starts_with(&msg), "want {msg:?} in stderr:\n{err}");
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".home")
        .collect();
    v.sort();
    v
}

fn source(s: &Scratch) {
    s.db("src.db", SOURCE_SQL);
}

/// The line sqlite3 names (`… near line N: …`) when it restores `dump` into a new database.
fn sqlite3_error_line(s: &Scratch, dump: &[u8]) -> usize {
    sqlite3_error(s, dump).0
}

/// The line and the message of the first error sqlite3 reports (`… near line N: MESSAGE`)
/// when it restores `dump` into a new database.
fn sqlite3_error(s: &Scratch, dump: &[u8]) -> (usize, String) {
    let _ = fs::remove_file(s.file("restored.db"));
    let o = sqlite3(s.path(), &["restored.db"], dump);
    assert_eq!(o.code, Some(1), "sqlite3 restored it cleanly");
    let err = text(&o.stderr);
    let at = err.find("near line ").expect("a line number") + "near line ".len();
    let digits: String = err[at..].chars().take_while(char::is_ascii_digit).collect();
    let message = err[at + digits.len()..]
        .trim_start_matches(": ")
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    let _ = fs::remove_file(s.file("restored.db"));
    (digits.parse().unwrap(), message)
}

fn dump_with_sqlite3(s: &Scratch) -> Vec<u8> {
    let o = sqlite3(s.path(), &["src.db", ".dump"], b"");
    assert_eq!(o.code, Some(0));
    o.stdout
}

// ---------------------------------------------------------------- database files

#[test]
fn good_database_file() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    source(&s);
    let before = fs::read(s.file("src.db")).unwrap();
    let listing = files_in(s.path());
    let o = lite(s.path(), &[":memory:", ".verify src.db"]);
    assert_ok_with_counts(&o, &s.file("src.db"));
    let out = text(&o.stdout);
    assert!(out.starts_with("verify: src.db (database)\n"), "{out}");
    assert!(out.contains("ok: src.db is a sound database ("), "{out}");
    // Read-only: the file is as it was and nothing was created beside it.
    assert_eq!(fs::read(s.file("src.db")).unwrap(), before);
    assert_eq!(files_in(s.path()), listing);
}

#[test]
fn good_database_as_json() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    source(&s);
    let o = lite(s.path(), &[":memory:", ".verify --json src.db"]);
    assert_eq!(o.code, Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.starts_with("{\"file\":\"src.db\",\"kind\":\"database\",\"ok\":true,"),
        "{out}"
    );
    let n = sqlite3_count(&s.file("src.db"), "customers");
    assert!(
        out.contains(&format!("{{\"name\":\"customers\",\"rows\":{n}}}")),
        "{out}"
    );
    assert!(
        out.contains("\"integrity\":{\"ok\":true,\"messages\":[]}"),
        "{out}"
    );
}

#[test]
fn database_truncated_to_half_fails() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    source(&s);
    let bytes = fs::read(s.file("src.db")).unwrap();
    s.write("half.db", &bytes[..bytes.len() / 2]);
    let o = lite(s.path(), &[":memory:", ".verify half.db"]);
    assert_failed(&o, "half.db", "integrity check failed: ");
    assert!(text(&o.stdout).contains("\nintegrity: FAILED\n"));
    // Also when the command comes from a script, or from -cmd.
    let o = run_in(
        &litesh(),
        s.path(),
        &[":memory:"],
        b".verify half.db\nSELECT 'after';\n",
    );
    assert_eq!(o.code, Some(1));
    assert!(text(&o.stdout).ends_with("after\n"), "{}", text(&o.stdout));
    // -cmd without -bail goes on (as for any command), but the exit code still says it.
    let o = lite(
        s.path(),
        &["-cmd", ".verify half.db", ":memory:", "SELECT 'yes'"],
    );
    assert_eq!(o.code, Some(1));
    assert!(text(&o.stdout).ends_with("yes\n"));
    let o = run_in(
        &litesh(),
        s.path(),
        &["-cmd", ".verify half.db", ":memory:"],
        b"SELECT 1;\n",
    );
    assert_eq!(o.code, Some(1));
    assert!(text(&o.stdout).ends_with("\n1\n"));
    let o = lite(
        s.path(),
        &[
            "-bail",
            "-cmd",
            ".verify half.db",
            ":memory:",
            "SELECT 'no'",
        ],
    );
    assert_eq!(o.code, Some(1));
    assert!(!text(&o.stdout).contains("no\n"));
}

/// The root page of table `t` in `db` (per sqlite3) and the page size.
fn root_page(db: &Path, t: &str) -> (usize, usize) {
    let out = Command::new(SQLITE3)
        .arg(db)
        .arg(format!(
            "SELECT rootpage FROM sqlite_schema WHERE name='{t}'; PRAGMA page_size;"
        ))
        .output()
        .unwrap();
    let v: Vec<usize> = text(&out.stdout)
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    (v[0], v[1])
}

/// A flipped byte in the header of a table's b-tree page breaks the page's structure: the
/// integrity check finds it.
#[test]
fn flipped_byte_in_a_page_header_fails_the_integrity_check() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    source(&s);
    let (root, size) = root_page(&s.file("src.db"), "customers");
    let mut bytes = fs::read(s.file("src.db")).unwrap();
    // Byte 3-4 of a b-tree page header: its number of cells.
    bytes[(root - 1) * size + 3] ^= 0x5a;
    s.write("flipped.db", &bytes);
    let o = lite(s.path(), &[":memory:", ".verify flipped.db"]);
    assert_failed(&o, "flipped.db", "integrity check failed: ");
}

/// A flipped byte inside a stored value leaves every page well-formed, so the integrity
/// check cannot see it (SQLite keeps no checksums); the content hash does, against the
/// database the file should equal.
#[test]
fn flipped_byte_in_a_value_is_caught_by_the_hash() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    source(&s);
    let mut bytes = fs::read(s.file("src.db")).unwrap();
    // In a column no index holds (an indexed value would disagree with its index entry).
    let at = bytes
        .windows(13)
        .position(|w| w == b"customer 0017")
        .expect("the name");
    bytes[at + 12] ^= 0x01; // customer 0017 -> customer 0016
    s.write("flipped.db", &bytes);
    // The integrity check passes…
    let o = lite(s.path(), &[":memory:", ".verify flipped.db"]);
    assert_eq!(o.code, Some(0), "{}", text(&o.stdout));
    // … and the comparison with the original fails, naming no count (they agree).
    let o = lite(s.path(), &["src.db", ".verify flipped.db --against"]);
    assert_failed(&o, "flipped.db", "content differs from main");
    let out = text(&o.stdout);
    assert!(out.contains("\nintegrity: ok\n"), "{out}");
    assert!(out.contains("\nagainst main: differs (blake3:"), "{out}");
    assert!(!out.contains("\n  table "), "{out}");
}

#[test]
fn against_matches_copies_with_another_layout() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    source(&s);
    // A backup made by sqlite3, and a VACUUMed copy with another page size.
    assert_eq!(
        sqlite3(s.path(), &["src.db", ".backup copy.db"], b"").code,
        Some(0)
    );
    assert_eq!(
        sqlite3(
            s.path(),
            &[
                "src.db",
                "PRAGMA page_size=4096",
                "VACUUM INTO 'vacuumed.db'"
            ],
            b""
        )
        .code,
        Some(0)
    );
    assert_ne!(
        fs::metadata(s.file("vacuumed.db")).unwrap().len(),
        fs::metadata(s.file("src.db")).unwrap().len()
    );
    for f in ["copy.db", "vacuumed.db"] {
        let o = lite(s.path(), &["src.db", &format!(".verify {f} --against")]);
        assert_ok_with_counts(&o, &s.file("src.db"));
        let out = text(&o.stdout);
        assert!(out.contains("\nagainst main: matches\n"), "{out}");
        assert!(out.contains(", same content as main)"), "{out}");
    }
    // An attached database by name.
    let o = run_in(
        &litesh(),
        s.path(),
        &[":memory:"],
        b"ATTACH 'src.db' AS orig;\n.verify copy.db --against orig\n",
    );
    assert_eq!(o.code, Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("\nagainst orig: matches\n"));
}

#[test]
fn against_mismatch_names_the_tables() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    source(&s);
    fs::copy(s.file("src.db"), s.file("copy.db")).unwrap();
    s.db(
        "copy.db",
        "DELETE FROM customers WHERE id > 190; CREATE TABLE extra(x);",
    );
    let o = lite(
        s.path(),
        &["src.db", ".verify copy.db --against main --json"],
    );
    assert_eq!(o.code, Some(1));
    let json = text(&o.stdout);
    assert!(json.contains("\"matches\":false"), "{json}");
    assert!(
        json.contains("{\"name\":\"customers\",\"file_rows\":190,\"db_rows\":200}"),
        "{json}"
    );
    let o = lite(s.path(), &["src.db", ".verify copy.db --against"]);
    assert_failed(&o, "copy.db", "content differs from main");
    let out = text(&o.stdout);
    assert!(
        out.contains("\n  table customers: 190 here, 200 in main\n"),
        "{out}"
    );
    assert!(
        out.contains("\n  table extra: 0 here, not in main\n"),
        "{out}"
    );
    assert!(!out.contains("\n  table kv"), "{out}");
}

#[test]
fn missing_and_non_database_files_fail() {
    let s = Scratch::new();
    s.write("noise.bin", b"\x1f\x8b\x08\x00\x00\x00\x00\x00binary");
    let o = lite(s.path(), &[":memory:", ".verify nosuch.db"]);
    assert_failed(&o, "nosuch.db", "cannot read: ");
    let o = lite(s.path(), &[":memory:", ".verify noise.bin"]);
    assert_failed(&o, "noise.bin", "cannot read: neither an SQLite database");
    let o = lite(s.path(), &[":memory:", ".verify ."]);
    assert_failed(&o, ".", "cannot read: is a directory");
    assert!(!s.file("nosuch.db").exists());
}

// ---------------------------------------------------------------- dumps

#[test]
fn sqlite3_dump_restores_cleanly_and_matches_its_source() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    source(&s);
    let dump = dump_with_sqlite3(&s);
    assert!(text(&dump).contains("PRAGMA writable_schema=ON;"));
    s.write("dump.sql", &dump);
    let o = lite(s.path(), &["src.db", ".verify dump.sql --against"]);
    assert_ok_with_counts(&o, &s.file("src.db"));
    let out = text(&o.stdout);
    assert!(
        out.starts_with("verify: dump.sql (SQL dump)\nstatements: "),
        "{out}"
    );
    assert!(out.contains(" run, 0 failed\n"), "{out}");
    assert!(out.contains("\nagainst main: matches\n"), "{out}");
    assert!(out.contains("ok: dump.sql restores cleanly ("), "{out}");
}

#[test]
fn sqlite3_dump_of_the_example_fixture() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    s.fixture("example.db");
    let o = sqlite3(s.path(), &["example.db", ".dump"], b"");
    s.write("example.sql", &o.stdout);
    let o = lite(s.path(), &["example.db", ".verify example.sql --against"]);
    assert_ok_with_counts(&o, &s.file("example.db"));
    assert!(text(&o.stdout).contains("\nagainst main: matches\n"));
}

#[test]
fn litesh_dump_restores_cleanly() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    source(&s);
    let o = lite(s.path(), &["src.db", ".dump"]);
    assert_eq!(o.code, Some(0));
    s.write("dump.sql", &o.stdout);
    let o = lite(s.path(), &["src.db", ".verify dump.sql --against"]);
    assert_ok_with_counts(&o, &s.file("src.db"));
    assert!(text(&o.stdout).contains("\nagainst main: matches\n"));
}

#[test]
fn python_iterdump_restores_cleanly() {
    if !require_sqlite3() {
        return;
    }
    let Ok(py) = Command::new("python3").arg("--version").output() else {
        eprintln!("python3 is missing: the iterdump case cannot run");
        return;
    };
    assert!(py.status.success());
    let s = Scratch::new();
    // iterdump() writes a virtual table's rows as INSERTs into it before its shadow tables
    // exist, which sqlite3 cannot restore (see the next test): no FTS table here.
    s.db(
        "py.db",
        &SOURCE_SQL.replace(
            "CREATE VIRTUAL TABLE docs USING fts5(body);",
            "CREATE TABLE docs(body);",
        ),
    );
    let o = Command::new("python3")
        .arg("-c")
        .arg(
            "import sqlite3, sys\n\
             c = sqlite3.connect(sys.argv[1])\n\
             with open(sys.argv[2], 'w') as f:\n    \
                 for line in c.iterdump():\n        f.write(line + '\\n')\n",
        )
        .arg(s.file("py.db"))
        .arg(s.file("py.sql"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = lite(s.path(), &["py.db", ".verify py.sql --against"]);
    assert_ok_with_counts(&o, &s.file("py.db"));
    assert!(text(&o.stdout).contains("\nagainst main: matches\n"));
}

#[test]
fn python_iterdump_of_a_virtual_table_fails_where_sqlite3_fails() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    s.db(
        "v.db",
        "CREATE VIRTUAL TABLE f USING fts5(body); INSERT INTO f VALUES('x');",
    );
    let o = Command::new("python3")
        .arg("-c")
        .arg("import sqlite3, sys\nfor l in sqlite3.connect(sys.argv[1]).iterdump(): print(l)")
        .arg(s.file("v.db"))
        .output();
    let Ok(o) = o else {
        return;
    };
    s.write("v.sql", &o.stdout);
    let n = sqlite3_error_line(&s, &o.stdout);
    let r = lite(s.path(), &[":memory:", ".verify v.sql"]);
    assert_failed(&r, "v.sql", &format!("line {n}: no such table: f"));
}

#[test]
fn dump_cut_in_the_middle_of_a_statement_fails_at_its_line() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    source(&s);
    let dump = dump_with_sqlite3(&s);
    // Cut in the middle of the second line of the three-line CREATE TRIGGER: the error is
    // at its first line.
    let t = text(&dump);
    let trigger = t.find("CREATE TRIGGER ev").expect("the trigger");
    let cut = trigger + t[trigger..].find("INSERT INTO events").unwrap() + 8;
    let truncated = &dump[..cut];
    s.write("cut.sql", truncated);
    let (want, message) = sqlite3_error(&s, truncated);
    assert_eq!(want, t[..trigger].matches('\n').count() + 1);
    let o = lite(s.path(), &[":memory:", ".verify cut.sql"]);
    // The same line and the same message as sqlite3's.
    assert_failed(&o, "cut.sql", &format!("line {want}: {message}"));
    let out = text(&o.stdout);
    assert!(
        out.contains(&format!("\nline {want}: {message}\n")),
        "{out}"
    );
    // The dump was inside BEGIN TRANSACTION, which a restore rolls back: nothing is left.
    assert!(
        out.contains("\ntransaction: the dump ends inside the transaction begun at line 2;"),
        "{out}"
    );
    assert!(!out.contains("\ntable "), "{out}");

    // Cut inside a one-line INSERT.
    let line_start = t.find("INSERT INTO kv VALUES(").unwrap();
    let truncated = &dump[..line_start + 25];
    s.write("cut2.sql", truncated);
    let (want, message) = sqlite3_error(&s, truncated);
    assert_eq!(want, t[..line_start].matches('\n').count() + 1);
    assert_eq!(message, "incomplete input");
    let o = lite(s.path(), &[":memory:", ".verify cut2.sql"]);
    assert_failed(&o, "cut2.sql", &format!("line {want}: incomplete input"));
}

#[test]
fn dump_cut_between_statements_fails_for_its_open_transaction() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    source(&s);
    let dump = dump_with_sqlite3(&s);
    let t = text(&dump);
    let at = t.find("INSERT INTO kv").unwrap();
    s.write("cut.sql", &dump[..at]);
    let o = lite(s.path(), &[":memory:", ".verify cut.sql"]);
    assert_failed(
        &o,
        "cut.sql",
        "the dump ends inside the transaction begun at line 2",
    );
    // sqlite3 agrees that nothing would be restored.
    let r = sqlite3(s.path(), &["restored.db"], &dump[..at]);
    assert_eq!(r.code, Some(0));
    let r = sqlite3(
        s.path(),
        &["restored.db", "SELECT count(*) FROM sqlite_schema"],
        b"",
    );
    assert_eq!(text(&r.stdout), "0\n");
}

#[test]
fn broken_statement_in_the_middle_is_named_by_its_first_line() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    source(&s);
    let dump = text(&dump_with_sqlite3(&s));
    // A two-line statement naming a missing table, after the 10th line.
    let mut lines: Vec<&str> = dump.lines().collect();
    lines.insert(10, "INSERT INTO nosuch");
    lines.insert(11, "  VALUES(1, 2);");
    let broken = lines.join("\n") + "\n";
    s.write("broken.sql", broken.as_bytes());
    assert_eq!(
        sqlite3_error(&s, broken.as_bytes()),
        (11, "no such table: nosuch".to_string())
    );
    let o = lite(s.path(), &[":memory:", ".verify broken.sql"]);
    assert_failed(&o, "broken.sql", "line 11: no such table: nosuch");
    let out = text(&o.stdout);
    assert!(out.contains(" run, 1 failed\n"), "{out}");
    // The rest was restored, as sqlite3 restores it.
    assert!(
        out.contains(&format!(
            "\ntable kv: {} rows\n",
            sqlite3_count(&s.file("src.db"), "kv")
        )),
        "{out}"
    );
    // A syntax error is reported the same way.
    lines[10] = "INSERT INTO kv VALUES(";
    let broken = lines.join("\n") + "\n";
    s.write("broken2.sql", broken.as_bytes());
    assert_eq!(
        sqlite3_error(&s, broken.as_bytes()),
        (11, "near \"VALUES\": syntax error".to_string())
    );
    let o = lite(s.path(), &[":memory:", ".verify broken2.sql"]);
    assert_failed(&o, "broken2.sql", "line 11: near \"VALUES\": syntax error");
}

#[test]
fn dump_with_attach_fails_and_creates_nothing() {
    let s = Scratch::new();
    s.write(
        "attach.sql",
        b"BEGIN TRANSACTION;\nCREATE TABLE t(a);\nATTACH 'x.db' AS x;\nCREATE TABLE x.t(a);\nVACUUM INTO 'y.db';\nCOMMIT;\n",
    );
    let o = lite(s.path(), &[":memory:", ".verify attach.sql"]);
    assert_failed(
        &o,
        "attach.sql",
        "line 3: not authorized (ATTACH is not allowed",
    );
    assert!(
        text(&o.stdout).contains(" run, 3 failed\n"),
        "{}",
        text(&o.stdout)
    );
    assert!(!s.file("x.db").exists());
    assert!(!s.file("y.db").exists());
    assert_eq!(files_in(s.path()), vec!["attach.sql".to_string()]);
}

#[test]
fn dump_with_file_functions_and_dot_commands_fails() {
    let s = Scratch::new();
    s.write(
        "funcs.sql",
        b".mode list\n.headers on\nCREATE TABLE t(a);\nSELECT writefile('w.txt', 'x');\n.output o.txt\n.shell touch s.txt\n",
    );
    let o = lite(s.path(), &[":memory:", ".verify funcs.sql"]);
    assert_failed(&o, "funcs.sql", "line 4: no such function: writefile");
    let out = text(&o.stdout);
    assert!(
        out.contains("statements: 2 run, 3 failed, 2 dot-commands skipped\n"),
        "{out}"
    );
    assert_eq!(files_in(s.path()), vec!["funcs.sql".to_string()]);
}

#[test]
fn the_shells_database_is_untouched() {
    if !require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    source(&s);
    s.write(
        "hostile.sql",
        b"DROP TABLE IF EXISTS customers;\nCREATE TABLE customers(x);\nINSERT INTO customers VALUES(1);\nCREATE TABLE kv(k);\nDELETE FROM kv;\nPRAGMA user_version=7;\n",
    );
    let before = fs::read(s.file("src.db")).unwrap();
    let listing = files_in(s.path());
    let o = run_in(
        &litesh(),
        s.path(),
        &["src.db"],
        b".verify hostile.sql\n.verify hostile.sql --against\nSELECT count(*) FROM customers;\nPRAGMA user_version;\n",
    );
    let out = text(&o.stdout);
    assert!(
        out.contains("ok: hostile.sql restores cleanly (2 tables, 1 row)\n"),
        "{out}"
    );
    assert!(out.ends_with("\n200\n0\n"), "{out}");
    // The second .verify differs from main: the exit code says so.
    assert_eq!(o.code, Some(1));
    assert_eq!(fs::read(s.file("src.db")).unwrap(), before);
    assert_eq!(files_in(s.path()), listing);
}

#[test]
fn empty_dump_restores_to_nothing() {
    let s = Scratch::new();
    s.write("empty.sql", b"-- nothing here\n");
    let o = lite(s.path(), &[":memory:", ".verify empty.sql"]);
    assert_eq!(o.code, Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).ends_with("ok: empty.sql restores cleanly (0 tables, 0 rows)\n"));
}

// ---------------------------------------------------------------- arguments

#[test]
fn no_arguments_is_claps_usage_error() {
    let s = Scratch::new();
    let o = lite(s.path(), &[":memory:", ".verify"]);
    assert_eq!(o.code, Some(1));
    assert!(o.stdout.is_empty());
    let err = text(&o.stderr);
    assert!(
        err.starts_with("error: the following required arguments were not provided:\n  <FILE>\n"),
        "{err}"
    );
    assert!(err.contains("\nUsage: .verify <FILE>"), "{err}");
    assert!(!err.contains('\x1b'), "{err:?}");
    // An unknown option, too.
    let o = lite(s.path(), &[":memory:", ".verify --bogus x"]);
    assert_eq!(o.code, Some(1));
    assert!(text(&o.stderr).starts_with("error: unexpected argument '--bogus'"));
}

#[test]
fn help_goes_to_the_output() {
    let s = Scratch::new();
    let o = run_in(
        &litesh(),
        s.path(),
        &[":memory:"],
        b".output help.txt\n.verify --help\n.output stdout\nSELECT 'next';\n",
    );
    assert_eq!(o.code, Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "next\n");
    let help = fs::read_to_string(s.file("help.txt")).unwrap();
    assert!(help.contains("Usage: .verify [OPTIONS] <FILE>"), "{help}");
    assert!(help.contains("--against [<DB>]"), "{help}");
    assert!(help.contains("--json"), "{help}");
}

#[test]
fn safe_mode_refuses() {
    let s = Scratch::new();
    s.write("d.sql", b"CREATE TABLE t(a);\n");
    let o = lite(s.path(), &["-safe", ":memory:", ".verify d.sql"]);
    assert_eq!(o.code, Some(1));
    assert!(text(&o.stderr).contains("cannot run .verify in safe mode"));
}

#[test]
fn only_the_exact_name_runs_it() {
    let s = Scratch::new();
    // ".ver" stays sqlite3's .version.
    let o = lite(s.path(), &[":memory:", ".ver"]);
    assert!(
        text(&o.stdout).starts_with("SQLite "),
        "{}",
        text(&o.stdout)
    );
    let o = lite(s.path(), &[":memory:", ".verif x"]);
    assert_eq!(o.code, Some(1));
    assert!(
        text(&o.stderr).contains("unknown command"),
        "{}",
        text(&o.stderr)
    );
}
