//! Tab completion at the prompt: table names after FROM, columns of the statement's own
//! tables (never another table's), dot-commands, file names after `.read`, keywords, and
//! names after a quoted string, also on a continuation line, and tables made or opened
//! during the session (the schema snapshot is taken again). Each completed line is then
//! run, so what the screen shows is what the editor holds.
//!
//! The sessions run with `NO_COLOR=1`: without colour there is no dimmed history hint on
//! the screen to mistake for completed text.
//!
//! Completing never changes a database: the schema snapshot it reads runs only read-only
//! statements (`src/repl/schema.rs` proves it with an authorizer); here a session that
//! completes over a view, an FTS5 table, a trigger, an attached database and a temporary
//! table ends with `total_changes()` at 0 and both database files byte for byte as before.

use super::{last_row, Session, Term};

/// The database: two tables the tests complete from, and a decoy whose column shares the
/// prefix typed in a statement that does not name it.
fn term() -> Option<Term> {
    let mut term = Term::new()?;
    term.set_env("NO_COLOR", "1");
    term.db(
        "t.db",
        "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT);\n\
         INSERT INTO customers VALUES(1,'Alice'),(2,'Bob');\n\
         CREATE TABLE orders(order_id INTEGER, customer_id INT, amount REAL);\n\
         INSERT INTO orders VALUES(1,1,9.5),(2,2,3);\n\
         CREATE TABLE decoy(ord_x, cust_code);",
    );
    Some(term)
}

/// Types `typed`, presses Tab and waits until the cursor's row reads `row` (prompt
/// included).
fn tab(s: &Session, typed: &str, row: &str) {
    s.send(typed);
    s.wait_until(&format!("{typed:?} typed"), |sc| {
        last_row(sc).ends_with(typed.trim_end())
    });
    s.key("Tab");
    s.wait_until(&format!("the row {row:?} after Tab"), |sc| {
        last_row(sc) == row.trim_end()
    });
}

#[test]
fn a_table_name_after_from() {
    let Some(term) = term() else { return };
    let s = term.start("litesh t.db");
    s.wait_prompt();
    tab(
        &s,
        "select count(*) || ' customers' from cust",
        "sqlite> select count(*) || ' customers' from customers",
    );
    s.line(";");
    s.wait_line("2 customers");
}

#[test]
fn a_column_of_the_statements_table_and_never_the_decoys() {
    let Some(term) = term() else { return };
    let s = term.start("litesh t.db");
    s.wait_prompt();
    // `ord` fits the column order_id, the table name orders (for `orders.`) and the keyword
    // ORDER: Tab inserts what they share. decoy.ord_x is not in the statement.
    let typed = "SELECT * FROM orders WHERE ord";
    tab(&s, typed, "sqlite> SELECT * FROM orders WHERE order");
    // A second Tab lists the candidates, the column first.
    s.key("Tab");
    let screen = s.wait_for("order_id");
    let list = screen
        .lines()
        .find(|l| l.contains("order_id"))
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>();
    assert_eq!(list.first(), Some(&"order_id"), "{screen}");
    assert!(!screen.contains("ord_x"), "{screen}");
    s.wait_until("the line redrawn under the list", |sc| {
        last_row(sc) == "sqlite> SELECT * FROM orders WHERE order"
    });
    tab(&s, "_", "sqlite> SELECT * FROM orders WHERE order_id");
    s.line(" = 2;");
    s.wait_line("2|2|3.0");
    assert!(!s.screen().contains("ord_x"));

    // `cust` fits only orders.customer_id (decoy.cust_code is not in the statement, nor is
    // the table customers): the whole name goes in at once.
    s.wait_prompt();
    tab(
        &s,
        "SELECT amount FROM orders WHERE cust",
        "sqlite> SELECT amount FROM orders WHERE customer_id",
    );
    s.line(" = 1;");
    s.wait_line("9.5");
    assert!(!s.screen().contains("cust_code"));
}

#[test]
fn a_dot_command() {
    let Some(term) = term() else { return };
    let s = term.start("litesh t.db");
    s.wait_prompt();
    tab(&s, ".tab", "sqlite> .tables");
    s.key("Enter");
    s.wait_line("customers  decoy      orders");
}

#[test]
fn a_file_name_after_read() {
    let Some(term) = term() else { return };
    term.write("unique_script_4711.sql", "select 'read' || 'ok';\n");
    let s = term.start("litesh t.db");
    s.wait_prompt();
    tab(
        &s,
        ".read unique_scr",
        "sqlite> .read unique_script_4711.sql",
    );
    s.key("Enter");
    s.wait_line("readok");
}

#[test]
fn a_keyword() {
    let Some(term) = term() else { return };
    let s = term.start("litesh t.db");
    s.wait_prompt();
    s.send("sel");
    s.key("Tab");
    let screen = s.wait_until("sel completed to select", |sc| {
        let row = last_row(sc);
        row == "sqlite> select" || row == "sqlite> SELECT"
    });
    assert!(!screen.contains("error"), "{screen}");
    s.line(" 40 + 2;");
    s.wait_line("42");
}

#[test]
fn a_column_after_a_quoted_string_keeps_the_string() {
    let Some(term) = term() else { return };
    let s = term.start("litesh t.db");
    s.wait_prompt();
    tab(&s, "select 'it''s', nam", "sqlite> select 'it''s', name");
    s.line(" from customers order by id limit 1;");
    s.wait_line("it's|Alice");
}

#[test]
fn a_table_name_on_a_continuation_line() {
    let Some(term) = term() else { return };
    let s = term.start("litesh t.db");
    s.run("select count(*) || ' orders'");
    s.wait_cont();
    tab(&s, "from ord", "   ...> from orders");
    s.line(";");
    s.wait_line("2 orders");
}

#[test]
fn names_made_or_opened_during_the_session_complete() {
    let Some(term) = term() else { return };
    term.db("other.db", "CREATE TABLE other_only(z);");
    let s = term.start("litesh t.db");
    s.run("create table fresh_tbl(x); insert into fresh_tbl values(5);");
    s.wait_prompt();
    tab(
        &s,
        "select x * 2 from fre",
        "sqlite> select x * 2 from fresh_tbl",
    );
    s.line(";");
    s.wait_line("10");
    s.run(".open other.db");
    s.wait_prompt();
    tab(
        &s,
        "select count(*) || ' other' from oth",
        "sqlite> select count(*) || ' other' from other_only",
    );
    s.line(";");
    s.wait_line("0 other");
}

#[test]
fn completing_changes_no_database() {
    let Some(term) = term() else { return };
    term.db(
        "t.db",
        "CREATE TABLE log(x);\n\
         CREATE TRIGGER logged AFTER INSERT ON customers BEGIN INSERT INTO log VALUES(new.id); END;\n\
         CREATE VIEW rich AS SELECT name, sum(amount) AS spent FROM customers JOIN orders \
           ON customers.id = orders.customer_id GROUP BY name;\n\
         CREATE VIRTUAL TABLE notes USING fts5(body);\n\
         INSERT INTO notes VALUES('hello');",
    );
    term.db("aux.db", "CREATE TABLE items(item_id, label);");
    let before = [
        std::fs::read(term.file("t.db")).unwrap(),
        std::fs::read(term.file("aux.db")).unwrap(),
    ];
    let s = term.start("litesh t.db");
    s.wait_prompt();
    tab(&s, "SELECT spent FROM ri", "sqlite> SELECT spent FROM rich");
    s.line(";");
    s.wait_line("9.5");
    s.wait_prompt();
    tab(&s, "SELECT body FROM not", "sqlite> SELECT body FROM notes");
    s.line(";");
    s.wait_line("hello");
    s.run("ATTACH 'aux.db' AS aux;");
    s.wait_prompt();
    tab(
        &s,
        "SELECT * FROM aux.it",
        "sqlite> SELECT * FROM aux.items",
    );
    s.line(";");
    s.wait_prompt();
    s.run("CREATE TEMP TABLE scratch(zz_col);");
    s.wait_prompt();
    tab(
        &s,
        "SELECT zz_col FROM scr",
        "sqlite> SELECT zz_col FROM scratch",
    );
    s.line(";");
    s.wait_prompt();
    s.run("SELECT 'changes: ' || total_changes();");
    s.wait_line("changes: 0");
    s.wait_prompt();
    s.key("C-d");
    assert_eq!(s.wait_exit(), 0, "{}", s.screen());
    let after = [
        std::fs::read(term.file("t.db")).unwrap(),
        std::fs::read(term.file("aux.db")).unwrap(),
    ];
    assert!(after == before, "a database file changed");
}
