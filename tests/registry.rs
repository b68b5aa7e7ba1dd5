//! Dot-command name resolution against a table probed from sqlite3 3.40.1: every prefix of
//! every command name (documented and hidden), with the command the binary ran for it or
//! `unknown` (tests/data/dot_prefixes.tsv, made by running /usr/bin/sqlite3 on each word).

use litesh::dot::resolve;

#[test]
fn every_prefix_resolves_as_in_sqlite3() {
    let table = include_str!("data/dot_prefixes.tsv");
    let mut wrong = Vec::new();
    let mut n = 0;
    for line in table.lines() {
        let Some((word, want)) = line.split_once('\t') else {
            continue;
        };
        n += 1;
        let got = resolve(word.as_bytes())
            .map(|c| c.name)
            .unwrap_or("unknown");
        // Commands that share one branch of sqlite3's chain run the same code.
        let same = |a: &str, b: &str| {
            a == b
                || matches!(
                    (a, b),
                    ("indices", "indexes") | ("system", "shell") | ("shell", "system")
                )
        };
        if !same(got, want) {
            wrong.push(format!("{word}: sqlite3 runs {want}, litesh {got}"));
        }
    }
    assert!(n > 300, "the table has {n} rows");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
