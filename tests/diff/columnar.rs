//! The columnar modes (box, table, markdown, column, qbox) on the cells where the renderer
//! takes its fast path (one line that fits: copied whole) and where it does not: text at,
//! just under and just over the wrap width, with and without word wrap, in ASCII, in
//! multi-byte characters and in invalid UTF-8 (a leading continuation byte counts as a
//! character for wrapping but not for widths); TABs, CR, CRLF, LF and other control
//! characters; NUL bytes; empty cells; a cell longer than sqlite3's limit of 1,000,000
//! characters a line; `.width` narrower and wider than the cells, right-aligned.

use crate::harness::{Case, Scratch};

/// Cells around the edges of the fast path.
const CELLS: &str = "\
CREATE TABLE c(k INTEGER PRIMARY KEY, v);
INSERT INTO c(v) VALUES
  ('abcdefgh'), ('abcdefg'), ('abcdefghi'), ('abcd efgh'), ('abc defghi'),
  ('ééééééé'), ('éééééééé'), ('éééééééééé'), ('東京東京東京東京'), ('東京 東京 東京'),
  (CAST(x'80616263' AS TEXT)), (CAST(x'8081826162636465666768' AS TEXT)),
  (CAST(x'61ff62c3' AS TEXT)), (CAST(x'80' AS TEXT)),
  ('a' || char(9) || 'b'), (char(9) || 'abcdefgh'), ('abcdefg' || char(9) || 'x'),
  ('cr' || char(13) || 'x'), ('crlf' || char(13) || char(10)), ('lf' || char(10) || char(10) || 'x'),
  ('ctl' || char(1) || 'x' || char(31) || 'y' || char(127)),
  (CAST(x'61620063' AS TEXT)), (x'00'), (x'616263'), (''), (NULL),
  (42), (-9223372036854775808), (2.5), (-0.0), (1e300),
  ('  leading and trailing  '), ('word-wrap: punctuation.breaks,here');
";

fn setup(s: &Scratch) {
    s.db("c.db", CELLS);
}

fn check(name: &str, stdin: &str) {
    Case::new(name, &["c.db"], stdin).setup(&setup).check();
}

#[test]
fn cells_at_the_edges_of_the_wrap_width() {
    for mode in ["box", "table", "markdown", "column", "qbox"] {
        for opts in [
            "",
            "--wrap 8",
            "--wrap 8 --ww",
            "--wrap 9",
            "--wrap 1",
            "--wrap 3 --ww",
        ] {
            check(
                &format!("{mode} {opts}"),
                &format!(".mode {mode} {opts}\n.headers on\nSELECT k, v, v AS again FROM c;\n"),
            );
        }
    }
}

#[test]
fn column_mode_without_headers_and_with_nullvalue() {
    check(
        "column noheader",
        ".mode column\n.headers off\n.nullvalue ∅null\nSELECT v, k FROM c;\n",
    );
    check(
        "box nullvalue",
        ".nullvalue 東\n.mode box --wrap 4\nSELECT v FROM c WHERE v IS NULL OR k < 4;\n",
    );
}

#[test]
fn widths_narrower_and_wider_than_the_cells() {
    for mode in ["box", "table", "markdown", "column"] {
        check(
            &format!("{mode} widths"),
            &format!(
                ".mode {mode}\n.headers on\n.width 3 -12 0 -2\n\
                 SELECT k, v, k * 7 AS n, typeof(v) AS t FROM c;\n"
            ),
        );
    }
}

/// sqlite3 cuts a line at 1,000,000 characters even without `--wrap`.
#[test]
fn a_cell_longer_than_a_million_characters() {
    check(
        "million",
        ".mode box\nSELECT replace(hex(zeroblob(500001)), '00', 'xy') AS long, 1 AS one;\n",
    );
}

/// The header line is cut and wrapped like the cells (`.width` applies to it).
#[test]
fn headers_wider_than_their_column_and_multi_line() {
    check(
        "headers",
        ".mode table --wrap 4\n\
         SELECT 1 AS \"a long header\", 2 AS \"東京東京東京\", 3 AS \"x\ny\";\n",
    );
}

/// `.mode box` wraps at 60 characters: a text of 400,000 characters is cut into thousands of
/// lines, each from what the one before left (with word wrap too).
#[test]
fn a_long_text_cut_into_thousands_of_lines() {
    check(
        "long wrapped",
        ".mode box\nSELECT replace(hex(zeroblob(100000)), '00', 'ab c') AS t;\n\
         .mode table --wrap 7 --ww\nSELECT replace(hex(zeroblob(20000)), '00', 'ab c') AS t;\n",
    );
}
