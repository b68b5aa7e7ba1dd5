//! Tests of the entry point, and the fixture the submodules' tests share.

use proptest::prelude::*;

use super::*;
use crate::repl::schema::Table;

fn table(schema: &str, name: &str, is_view: bool, columns: &[&str]) -> Table {
    Table {
        schema: schema.to_string(),
        name: name.to_string(),
        is_view,
        columns: columns.iter().map(|c| c.to_string()).collect(),
    }
}

/// A schema with a decoy table, odd names, an attached and a temp schema.
pub(super) fn sample() -> Schema {
    Schema {
        schemas: ["main", "temp", "aux"].map(String::from).to_vec(),
        tables: vec![
            table(
                "main",
                "orders",
                false,
                &["order_id", "customer_id", "total"],
            ),
            table(
                "main",
                "customers",
                false,
                &["customer_id", "name", "e-mail", "1st"],
            ),
            table("main", "decoy", false, &["ord_x"]),
            table("main", "odd \"name\"", false, &["a b", "c"]),
            table("main", "order", false, &["select", "id"]),
            table("main", "big", true, &["order_id", "total"]),
            table("main", "café", false, &["crème"]),
            table("main", "sqlite_sequence", false, &["name", "seq"]),
            table("temp", "scratch", false, &["s"]),
            table("aux", "items", false, &["item_id", "label"]),
            table("aux", "orders", false, &["aux_col"]),
        ],
        functions: [
            "abs", "coalesce", "count", "like", "my func", "replace", "substr",
        ]
        .map(String::from)
        .to_vec(),
    }
}

/// The replacements offered at the end of `text`.
pub(super) fn offered(text: &str) -> Vec<String> {
    complete(text, text.len(), &sample())
        .1
        .into_iter()
        .map(|c| c.replacement)
        .collect()
}

/// The start offset returned at the end of `text`.
pub(super) fn start_of(text: &str) -> usize {
    complete(text, text.len(), &sample()).0
}

#[test]
fn what_comes_after_the_cursor_is_ignored() {
    let text = "SELECT * FROM orders WHERE ord_x AND decoy";
    let pos = "SELECT * FROM orders WHERE ord".len();
    let (start, got) = complete(text, pos, &sample());
    assert_eq!(start, pos - 3);
    assert_eq!(got[0].replacement, "order_id");
    assert!(got.iter().all(|c| c.replacement != "ord_x"));
}

#[test]
fn positions_past_the_end_or_inside_a_character_are_moved_back() {
    let s = sample();
    assert_eq!(complete("SEL", 99, &s).0, 0);
    assert_eq!(complete("SEL", 99, &s).1[0].replacement, "SELECT");
    // Inside the 'é' of "café": completes "caf".
    let text = "SELECT * FROM café";
    let inside = text.len() - 1;
    let (start, got) = complete(text, inside, &s);
    assert_eq!(start, "SELECT * FROM ".len());
    assert_eq!(got[0].replacement, "café");
}

#[test]
fn a_dot_line_needs_nothing_pending_before_it() {
    assert_eq!(offered(".mo"), ["mode"]);
    assert_eq!(offered("SELECT 1;\n.mo"), ["mode"]);
    assert_eq!(offered("-- note\n\n/* c */\n.mo"), ["mode"]);
    assert_eq!(offered(".headers on\n# remark\n.mo"), ["mode"]);
    assert_eq!(start_of("SELECT 1;\n.mo"), "SELECT 1;\n.".len());
    // Inside a statement, or not at the start of the line, it is SQL.
    assert!(!offered("SELECT 1\n.mo").contains(&"mode".to_string()));
    assert!(!offered("SELECT 'a\n.mo").contains(&"mode".to_string()));
    assert!(!offered("/* open\n.mo").contains(&"mode".to_string()));
    assert!(offered(" .mo").is_empty());
    assert!(offered("# .mo").is_empty());
}

#[test]
fn pending_sql_follows_the_line_loop() {
    assert_eq!(pending_sql(""), None);
    assert_eq!(pending_sql("SELECT 1;\n"), None);
    assert_eq!(pending_sql("SELECT 1; -- done\n"), None);
    assert_eq!(pending_sql(".mode csv\nSELECT\n"), Some(10));
    assert_eq!(pending_sql("SELECT 1;\nSELECT ';\n"), Some(10));
    assert_eq!(pending_sql("\n  \n-- c\n"), None);
    assert_eq!(pending_sql("/* a\nb */\n"), None);
    assert_eq!(pending_sql("SELECT\n.x\n"), Some(0));
    // Strings, names and comments spanning lines.
    assert_eq!(pending_sql("SELECT 'a\nb';\n"), None);
    assert_eq!(pending_sql("SELECT \"a\n;\n"), Some(0));
    assert_eq!(pending_sql("SELECT /* x\n; */\n"), Some(0));
    assert_eq!(pending_sql("SELECT /* x\n; */ ;\n"), None);
    assert_eq!(pending_sql("SELECT 1\n;\n.mode\nSELECT 2 -- ;\n"), Some(17));
}

#[test]
fn multi_line_statements_keep_their_tables_and_offsets() {
    let text = "SELECT *\n  FROM orders\n WHERE ord";
    assert_eq!(start_of(text), text.len() - 3);
    let got = offered(text);
    assert_eq!(got[0], "order_id");
    assert!(!got.contains(&"ord_x".to_string()));
    // An earlier, finished statement's tables do not count.
    let text = "SELECT * FROM decoy;\nSELECT * FROM orders WHERE ord";
    assert!(!offered(text).contains(&"ord_x".to_string()));
}

/// Characters that stress the lexers: quotes of every kind, comment starts, dots,
/// backslashes, NUL, multi-byte characters.
fn tricky() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "'", "\"", "`", "[", "]", "--", "/*", "*/", ".", "\\", "\n", " ", "\t", "\0", ";", ",",
        "(", ")", "=", "é", "漢", "🦀", "\u{301}", "x", "0", "FROM ", "SELECT ", "WHERE ", "JOIN ",
        "orders", "o.", "aux.", ".mode ", ".open ", ".schema ", ".import ", "--w", "'/", "\"/",
        "ord", "|", "?", ":a", "$", "x'", "AS ", "INTO ", "UPDATE ", "SET ",
    ]);
    prop::collection::vec(pieces, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn never_panics_and_starts_on_a_char_boundary(text in tricky()) {
        let schema = sample();
        for pos in (0..=text.len()).filter(|&p| text.is_char_boundary(p)) {
            let (start, cands) = complete(&text, pos, &schema);
            prop_assert!(start <= pos, "start {} > pos {} in {:?}", start, pos, text);
            prop_assert!(text.is_char_boundary(start), "start {} in {:?}", start, text);
            for c in &cands {
                prop_assert!(!c.replacement.is_empty() && !c.display.is_empty());
            }
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>(), pos in 0usize..64) {
        let (start, _) = complete(&text, pos, &sample());
        prop_assert!(start <= pos.min(text.len()));
        prop_assert!(text.is_char_boundary(start));
    }
}

/// Found by the property test: `""` (an empty quoted name) after INTO was offered as a
/// table of the statement, with an empty display.
#[test]
fn an_empty_quoted_name_is_no_candidate() {
    let text = "INTO éé\"\"/";
    for pos in (0..=text.len()).filter(|&p| text.is_char_boundary(p)) {
        let (start, cands) = complete(text, pos, &sample());
        for c in &cands {
            if c.replacement.is_empty() || c.display.is_empty() {
                panic!("pos {pos} start {start} {:?}", c);
            }
        }
    }
}
