//! Tests of SQL completion, through the public entry point.

use crate::repl::complete::tests::{offered, start_of};

fn has(got: &[String], want: &str) -> bool {
    got.iter().any(|g| g == want)
}

#[test]
fn tables_after_every_table_keyword() {
    for head in [
        "SELECT * FROM ",
        "SELECT * FROM orders JOIN ",
        "SELECT * FROM orders LEFT OUTER JOIN ",
        "SELECT * FROM orders CROSS JOIN ",
        "SELECT * FROM orders NATURAL INNER JOIN ",
        "SELECT * FROM orders o, ",
        "SELECT * FROM orders o, decoy AS d, ",
        "INSERT INTO ",
        "INSERT OR REPLACE INTO ",
        "REPLACE INTO ",
        "UPDATE ",
        "UPDATE OR IGNORE ",
        "DELETE FROM ",
        "DROP TABLE ",
        "DROP TABLE IF EXISTS ",
        "ALTER TABLE ",
        "DROP VIEW ",
        "CREATE INDEX i ON ",
        "CREATE TABLE t(a REFERENCES ",
        "SELECT * FROM orders WHERE order_id IN (SELECT order_id FROM ",
    ] {
        let text = format!("{head}cu");
        assert_eq!(offered(&text), ["customers"], "{text:?}");
        assert_eq!(start_of(&text), head.len(), "{text:?}");
    }
}

#[test]
fn a_table_slot_lists_tables_views_and_schemas_but_no_columns_or_keywords() {
    let got = offered("SELECT * FROM ");
    for want in [
        "orders",
        "big",
        "items",
        "scratch",
        "\"odd \"\"name\"\"\"",
        "\"order\"",
        "café",
        "aux.",
        "main.",
        "temp.",
    ] {
        assert!(has(&got, want), "{want} missing from {got:?}");
    }
    assert!(!has(&got, "order_id"));
    assert!(!has(&got, "SELECT"));
    // `orders` is in main and aux: offered once.
    assert_eq!(got.iter().filter(|g| *g == "orders").count(), 1);
    assert_eq!(offered("SELECT * FROM ma"), ["main."]);
    assert_eq!(
        offered("UPDATE o"),
        ["\"odd \"\"name\"\"\"", "\"order\"", "orders", "or"]
    );
}

#[test]
fn after_a_schema_name_only_its_tables() {
    assert_eq!(offered("SELECT * FROM aux."), ["items", "orders"]);
    assert_eq!(offered("SELECT * FROM aux.i"), ["items"]);
    assert_eq!(offered("INSERT INTO temp."), ["scratch"]);
    assert_eq!(offered("SELECT * FROM \"aux\".o"), ["orders"]);
    assert_eq!(start_of("SELECT * FROM aux.i"), "SELECT * FROM aux.".len());
    assert!(offered("SELECT * FROM nosuch.").is_empty());
}

#[test]
fn columns_come_only_from_the_tables_the_statement_names() {
    // The decoy: `ord_x` starts with "ord" too, but `decoy` is not in the statement.
    let got = offered("SELECT * FROM orders WHERE ord");
    assert_eq!(got[0], "order_id");
    assert!(!has(&got, "ord_x"), "{got:?}");
    for text in [
        "SELECT * FROM orders WHERE total > 1 AND ord",
        "SELECT * FROM orders WHERE total > 1 OR ord",
        "SELECT * FROM orders WHERE ord_x = ord",
        "SELECT * FROM orders WHERE total<ord",
        "SELECT * FROM orders WHERE NOT ord",
        "SELECT * FROM orders GROUP BY ord",
        "SELECT * FROM orders GROUP BY total HAVING ord",
        "SELECT * FROM orders ORDER BY total, ord",
        "SELECT * FROM orders JOIN customers ON ord",
        "SELECT count(*) FROM orders WHERE abs(ord",
        "SELECT * FROM orders WHERE total BETWEEN 1 AND ord",
        "SELECT * FROM orders WHERE CASE WHEN ord",
        "UPDATE orders SET total = 1 WHERE ord",
        "DELETE FROM orders WHERE ord",
        "DELETE FROM orders RETURNING ord",
        "SELECT * FROM orders WHERE total IS DISTINCT FROM ord",
    ] {
        let got = offered(text);
        assert_eq!(
            got.first().map(String::as_str),
            Some("order_id"),
            "{text:?}: {got:?}"
        );
        assert!(!has(&got, "ord_x"), "{text:?}: {got:?}");
    }
    let got = offered("UPDATE orders SET to");
    assert_eq!(got[0], "total");
    assert!(!has(&got, "ord_x"));
    let got = offered("SELECT * FROM orders JOIN customers ON cu");
    assert_eq!(got[..2], ["customer_id", "customers"]);
    let got = offered("SELECT * FROM orders WHERE ");
    assert_eq!(got, ["customer_id", "order_id", "total", "orders"]);
}

#[test]
fn with_no_table_named_yet_every_tables_columns() {
    let got = offered("SELECT ord");
    assert!(has(&got, "order_id") && has(&got, "ord_x"), "{got:?}");
    let got = offered("SELECT order_id, ");
    assert!(has(&got, "label") && has(&got, "s") && has(&got, "\"a b\""));
    // Internal tables are left out of the fallback.
    assert!(!has(&got, "seq"));
    // Tables the schema does not know (a CTE) count as none.
    let got = offered("WITH c AS (SELECT 1) SELECT * FROM c WHERE ord");
    assert!(has(&got, "ord_x"));
}

#[test]
fn after_a_qualifier_only_that_tables_columns() {
    let cols = ["customer_id", "order_id", "total"];
    assert_eq!(offered("SELECT * FROM orders AS o WHERE o."), cols);
    assert_eq!(offered("SELECT * FROM orders o WHERE o."), cols);
    assert_eq!(offered("SELECT * FROM orders WHERE orders."), cols);
    assert_eq!(offered("SELECT * FROM orders WHERE orders.t"), ["total"]);
    assert_eq!(
        offered("SELECT * FROM orders o JOIN customers c ON o.customer_id = c."),
        ["\"1st\"", "customer_id", "\"e-mail\"", "name"]
    );
    assert_eq!(offered("SELECT * FROM aux.orders x WHERE x."), ["aux_col"]);
    assert_eq!(
        offered("SELECT * FROM temp.scratch WHERE "),
        ["s", "scratch"]
    );
    assert_eq!(
        offered("SELECT * FROM \"order\" AS \"o\" WHERE \"o\"."),
        ["id", "\"select\""]
    );
    assert_eq!(offered("SELECT aux.orders."), ["aux_col"]);
    assert_eq!(offered("SELECT scratch."), ["s"]);
    assert_eq!(offered("SELECT \"odd \"\"name\"\"\"."), ["\"a b\"", "c"]);
    // A schema name outside a table slot: its tables (to go on with `.column`).
    assert_eq!(offered("SELECT aux."), ["items", "orders"]);
    assert!(offered("SELECT nosuch.").is_empty());
    assert_eq!(
        start_of("SELECT * FROM orders WHERE orders.t"),
        "SELECT * FROM orders WHERE orders.".len()
    );
}

#[test]
fn parenthesised_column_lists_name_their_table() {
    let cols = ["customer_id", "order_id", "total"];
    assert_eq!(offered("INSERT INTO orders ("), cols);
    assert_eq!(offered("INSERT INTO orders(order_id, t"), ["total"]);
    assert_eq!(offered("INSERT INTO aux.orders ("), ["aux_col"]);
    assert_eq!(offered("CREATE INDEX i ON orders ("), cols);
    assert_eq!(offered("CREATE TABLE t(x REFERENCES customers(n"), ["name"]);
    assert_eq!(offered("SELECT * FROM orders JOIN big USING (t"), ["total"]);
    assert_eq!(offered("ALTER TABLE orders RENAME COLUMN t"), ["total"]);
    // A new table's column definitions: nothing to offer.
    assert!(offered("CREATE TABLE fresh (").is_empty());
}

#[test]
fn functions_where_an_expression_starts() {
    let got = offered("SELECT ab");
    assert!(has(&got, "abs("), "{got:?}");
    assert!(has(&offered("SELECT AB"), "ABS("));
    assert!(has(&offered("SELECT * FROM orders WHERE co"), "coalesce("));
    assert!(has(
        &offered("SELECT * FROM orders WHERE total = co"),
        "count("
    ));
    // Not where a table goes, not before anything is typed, and not odd names.
    assert!(!has(&offered("SELECT * FROM ab"), "abs("));
    assert!(!offered("SELECT ").iter().any(|g| g.ends_with('(')));
    assert!(!offered("SELECT my").iter().any(|g| g.contains("my func")));
    // Columns come before functions, functions before keywords.
    let got = offered("SELECT * FROM customers WHERE c");
    let pos = |s: &str| got.iter().position(|g| g == s).unwrap();
    assert!(pos("customer_id") < pos("coalesce(") && pos("coalesce(") < pos("case"));
}

#[test]
fn keywords_follow_the_case_typed() {
    assert_eq!(offered("SEL"), ["SELECT"]);
    assert_eq!(offered("sel"), ["select"]);
    assert_eq!(offered("Sel"), ["Select"]);
    assert_eq!(offered("SELECT * FROM orders WHE"), ["WHEN", "WHERE"]);
    assert_eq!(offered("select * from orders whe"), ["when", "where"]);
    assert!(
        offered("SELECT * FROM orders ").is_empty(),
        "no keywords before typing"
    );
    assert_eq!(offered("SELECT * FROM orders; SEL"), ["SELECT"]);
    assert_eq!(
        start_of("SELECT * FROM orders; SEL"),
        "SELECT * FROM orders; ".len()
    );
}

#[test]
fn an_exact_match_is_still_listed() {
    assert_eq!(offered("SELECT * FROM orders"), ["orders"]);
    assert_eq!(offered("SELECT"), ["SELECT"]);
    assert_eq!(offered("SELECT * FROM orders WHERE total")[0], "total");
}

#[test]
fn odd_names_are_double_quoted() {
    assert_eq!(offered("SELECT * FROM od"), ["\"odd \"\"name\"\"\""]);
    assert_eq!(offered("SELECT * FROM caf"), ["café"]);
    let got = offered("SELECT * FROM customers WHERE e");
    assert_eq!(got[0], "\"e-mail\"");
    assert_eq!(
        offered("SELECT * FROM customers WHERE 1"),
        Vec::<String>::new()
    );
    assert_eq!(
        offered("SELECT * FROM \"order\" WHERE sel")[0],
        "\"select\""
    );
}

#[test]
fn inside_an_opening_quote_the_name_is_finished_and_closed() {
    let text = "SELECT * FROM \"od";
    assert_eq!(offered(text), ["odd \"\"name\"\"\""]);
    assert_eq!(start_of(text), text.len() - 2);
    assert_eq!(offered("SELECT * FROM [od"), ["odd \"name\"]"]);
    assert_eq!(offered("SELECT * FROM `od"), ["odd \"name\"`"]);
    assert_eq!(offered("SELECT * FROM \"odd \"\"n"), ["odd \"\"name\"\"\""]);
    assert_eq!(offered("SELECT * FROM \"ord"), ["order\"", "orders\""]);
    assert_eq!(offered("SELECT * FROM \"ma"), ["main\"."]);
    assert_eq!(offered("SELECT * FROM customers WHERE \"e-"), ["e-mail\""]);
    // No keywords or functions inside quotes.
    assert!(offered("SELECT \"sel").iter().all(|g| g == "select\""));
}

#[test]
fn nothing_inside_strings_and_comments_or_glued_to_literals() {
    for text in [
        "SELECT 'abc",
        "SELECT * FROM orders WHERE total = 'or",
        "SELECT 'it''s",
        "SELECT 1 -- from or",
        "SELECT /* FROM or",
        "SELECT * FROM orders WHERE x = 'a\nb",
        "SELECT 'a'",
        "SELECT 12",
        "SELECT \"a\"",
        "SELECT * FROM orders WHERE x = :ord",
        "SELECT x'ab",
    ] {
        assert!(offered(text).is_empty(), "{text:?}: {:?}", offered(text));
    }
    // A finished comment or string is just something before the word.
    assert!(has(&offered("SELECT /* c */ ord"), "order_id"));
    assert!(has(&offered("SELECT 'a', ord"), "order_id"));
    assert!(has(&offered("SELECT * -- c\nFROM ord"), "orders"));
}

#[test]
fn schema_names_after_detach() {
    assert_eq!(offered("DETACH a"), ["aux"]);
    assert_eq!(offered("DETACH DATABASE "), ["aux", "main", "temp"]);
}
