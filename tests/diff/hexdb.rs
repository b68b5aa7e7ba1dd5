//! `.open --hexdb`: a database given in the text form of SQLite's `dbtotxt` tool, from the
//! lines that follow in the input or from a file, against sqlite3 3.40.1 — the same
//! results, messages, line numbers in later errors, and files left behind.

use crate::harness::{require_sqlite3, Case, Scratch};

/// The text form of `bytes` as `dbtotxt` writes it: pages that hold anything, and in them
/// the 16-byte lines that are not all zero.
fn to_hex(bytes: &[u8], page_size: usize, name: &str) -> String {
    let mut out = format!(
        "| size {} pagesize {page_size} filename {name}\n",
        bytes.len()
    );
    for (p, page) in bytes.chunks(page_size).enumerate() {
        if page.iter().all(|&b| b == 0) {
            continue;
        }
        out += &format!("| page {} offset {}\n", p + 1, p * page_size);
        for (i, line) in page.chunks(16).enumerate() {
            if line.iter().all(|&b| b == 0) {
                continue;
            }
            let hex: Vec<String> = line.iter().map(|b| format!("{b:02x}")).collect();
            let text: String = line
                .iter()
                .map(|&b| {
                    if (32..127).contains(&b) {
                        b as char
                    } else {
                        '.'
                    }
                })
                .collect();
            out += &format!("| {:5}: {}   {text}\n", i * 16, hex.join(" "));
        }
    }
    out += &format!("| end {name}\n");
    out
}

/// The text form of a small database built by sqlite3 (page size 512, so it has several
/// pages: two tables, an index, text, a blob, a REAL and a NULL).
fn sample_hex() -> String {
    let s = Scratch::new();
    s.db(
        "x.db",
        "PRAGMA page_size=512;
         CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c);
         INSERT INTO t VALUES(1, 'one', x'00ff10'), (2, 'it''s', 2.5), (3, NULL, -7);
         INSERT INTO t SELECT a + 3, printf('%.300c', 'x'), a FROM t;
         CREATE INDEX tb ON t(b);
         CREATE TABLE u(x); INSERT INTO u VALUES('u');",
    );
    let bytes = std::fs::read(s.file("x.db")).expect("the sample database");
    to_hex(&bytes, 512, "x.db")
}

const QUERIES: &str = "SELECT a, b, quote(c) FROM t ORDER BY a;\n\
                       SELECT * FROM u;\n\
                       PRAGMA integrity_check;\n\
                       .databases\n";

#[test]
fn from_the_input_that_follows() {
    if !require_sqlite3() {
        return;
    }
    let hex = sample_hex();
    let stdin =
        format!(".open --hexdb\n{hex}{QUERIES}INSERT INTO u VALUES(2);\n.dump u\nSELECT nosuch;\n");
    Case::new("hexdb stdin", &[], &stdin).check();
    // The same from a `.read` file, with an error afterwards naming its line.
    let setup = |s: &Scratch| s.write("in.sql", stdin.as_bytes());
    Case::new(
        "hexdb .read",
        &[],
        ".read in.sql\nSELECT 1;\nSELECT nosuch;\n",
    )
    .setup(&setup)
    .check();
    // And in -init.
    Case::new(
        "hexdb -init",
        &["-init", "in.sql", ":memory:"],
        "SELECT 3;\n",
    )
    .setup(&setup)
    .check();
}

#[test]
fn from_a_file() {
    if !require_sqlite3() {
        return;
    }
    let hex = sample_hex();
    let setup = |s: &Scratch| s.write("x.hex", hex.as_bytes());
    let stdin = format!(".open --hexdb x.hex\n{QUERIES}.open --hexdb nosuch.hex\nSELECT 1;\n.databases\nSELECT nosuch;\n");
    Case::new("hexdb file", &[], &stdin)
        .setup(&setup)
        .listing()
        .check();
    // Allowed in safe mode, as in 3.40.1.
    Case::new("hexdb file -safe", &["-safe"], &stdin)
        .setup(&setup)
        .check();
    // `--new` removes the file first (not under -safe).
    let stdin = ".open --new --hexdb x.hex\n.databases\nSELECT count(*) FROM t;\n";
    Case::new("hexdb --new", &[], stdin)
        .setup(&setup)
        .listing()
        .check();
    Case::new("hexdb --new -safe", &["-safe"], stdin)
        .setup(&setup)
        .listing()
        .check();
    // A bad file: the message names line 1 (the file is not read further).
    let bad = |s: &Scratch| s.write("bad.hex", b"| size x\nfoo\n| end x\n");
    Case::new(
        "hexdb bad file",
        &[],
        ".open --hexdb bad.hex\nSELECT 9;\nSELECT nosuch;\n",
    )
    .setup(&bad)
    .check();
}

#[test]
fn on_the_command_line_it_reads_stdin() {
    if !require_sqlite3() {
        return;
    }
    let hex = sample_hex();
    let args_stdin = format!("{hex}SELECT 5;\n");
    Case::new(
        "hexdb argument",
        &[":memory:", ".open --hexdb", "SELECT count(*) FROM t"],
        &args_stdin,
    )
    .check();
    // With -cmd, stdin is then closed: the SQL after the text form never runs.
    Case::new(
        "hexdb -cmd",
        &["-cmd", ".open --hexdb", ":memory:"],
        &args_stdin,
    )
    .check();
    Case::new(
        "hexdb -cmd then SQL",
        &[
            "-cmd",
            ".open --hexdb",
            "-cmd",
            "SELECT count(*) FROM t",
            ":memory:",
            "SELECT 7",
        ],
        &args_stdin,
    )
    .check();
    Case::new(
        "hexdb -cmd bad",
        &["-cmd", ".open --hexdb", ":memory:"],
        &format!("| size x\n{args_stdin}"),
    )
    .check();
}

#[test]
fn bad_and_odd_text() {
    if !require_sqlite3() {
        return;
    }
    let cases: &[(&str, &str)] = &[
        // A bad first line: skipped up to `| end `, then the later error's line number.
        (
            "bad header",
            ".open --hexdb\n| size x\nfoo\n| end x\nSELECT 2;\n.databases\nSELECT nosuch;\n",
        ),
        ("bad page size", ".open --hexdb\n| size 100 pagesize 100\nSELECT 3;\n"),
        ("negative size", ".open --hexdb\n| size -5 pagesize 512\n| end x\nSELECT 3;\n"),
        ("nothing", ".open --hexdb\n"),
        ("nothing after", ".open --hexdb"),
        ("end without space", ".open --hexdb\n| size 512 pagesize 512\n| end\nSELECT 1;\n"),
        (
            "size zero",
            ".open --hexdb\n| size 0 pagesize 512 filename x\n| end x\n.databases\nCREATE TABLE u(a);\n.tables\nSELECT nosuch;\n",
        ),
        (
            // Lines outside the image, short lines, odd spacing and numbers, a long line
            // (two `fgets` chunks), then an error whose line number counts them.
            "odd lines",
            concat!(
                ".open --hexdb\n",
                "|size 1024pagesize 512\n",
                "| page 1 offset 0\n",
                "|     0: 53 51 4c 69 74 65 20 66 6f 72 6d 61 74 20 33 00\n",
                "|    16: 02 00 01 01 00 40 20 20 00 00 00 01 00 00 00 02\n",
                "|  1020: 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01\n",
                "|    -16: 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01\n",
                "|    32: 01 02 03\n",
                "| 48 : 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01\n",
                "| page 2 offset 512\n",
                "|0:0x0d 0 0 0 0 1 0xfff -1 +2 0 0 0 0 0 0 0\n",
            ),
        ),
    ];
    for (name, stdin) in cases {
        Case::new(name, &[], stdin).check();
    }
    // (An all-zero image is not a database; sqlite3 3.40.1 reports that only for SQL that
    // reads the schema.)
    let long = format!(
        ".open --hexdb\n| size 512 pagesize 512\n|{}\n| end x\nSELECT * FROM nosuch;\n",
        " ".repeat(2500)
    );
    Case::new("long line", &[], &long).check();
}
