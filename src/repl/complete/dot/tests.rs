//! Tests of dot-command completion, through the public entry point.

use super::{encode, split, Arg};
use crate::dot::REGISTRY;
use crate::repl::complete::tests::{offered, start_of};

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The sample schema's table names as dot-command arguments, sorted as offered.
const TABLES: &[&str] = &[
    "big",
    "café",
    "customers",
    "decoy",
    "items",
    "'odd \"name\"'",
    "order",
    "orders",
    "scratch",
    "sqlite_sequence",
];

#[test]
fn command_names_from_the_registry_without_hidden_ones() {
    assert_eq!(offered(".mo"), ["mode"]);
    assert_eq!(offered(".MO"), ["mode"]);
    assert_eq!(offered(".h"), ["headers", "help"]);
    assert_eq!(offered(".sh"), ["sha3sum", "shell", "show"]);
    assert!(
        offered(".ver").is_empty(),
        ".version has no help, so it is hidden"
    );
    assert!(offered(".breakp").is_empty());
    assert!(offered(".indic").is_empty());
    let visible = REGISTRY.iter().filter(|c| c.help.is_some()).count();
    assert_eq!(offered(".").len(), visible);
    assert_eq!(start_of(".mo"), 1);
    assert_eq!(start_of(".  mo"), 3);
    assert!(offered(".\"mo").is_empty());
}

#[test]
fn mode_names() {
    assert_eq!(
        offered(".mode "),
        strs(&[
            "ascii", "box", "column", "csv", "html", "insert", "json", "line", "list", "markdown",
            "pretty", "qbox", "quote", "table", "tabs", "tcl"
        ])
    );
    assert_eq!(offered(".mode t"), ["table", "tabs", "tcl"]);
    assert_eq!(offered(".mo  ma"), ["markdown"]);
    assert_eq!(start_of(".mode t"), ".mode ".len());
    assert_eq!(offered(".mode insert "), strs(TABLES));
    assert!(offered(".mode list ").is_empty());
    assert_eq!(offered(".mode box --wordwrap "), ["off", "on"]);
}

#[test]
fn booleans_and_other_fixed_values() {
    for cmd in [
        "headers",
        "echo",
        "bail",
        "changes",
        "timer",
        "binary",
        "scanstats",
        "auth",
        "h",
    ] {
        assert_eq!(offered(&format!(".{cmd} ")), ["off", "on"], ".{cmd}");
    }
    assert_eq!(offered(".headers o"), ["off", "on"]);
    assert_eq!(offered(".headers of"), ["off"]);
    assert!(offered(".headers on ").is_empty());
    assert_eq!(offered(".eqp "), ["full", "off", "on", "trigger"]);
    assert_eq!(offered(".explain "), ["auto", "off", "on"]);
    assert_eq!(offered(".pager "), ["auto", "off", "on"]);
    assert_eq!(offered(".stats "), ["off", "on", "stmt", "vmstep"]);
    assert_eq!(offered(".lint "), ["fkey-indexes"]);
    assert_eq!(
        offered(".parameter "),
        ["clear", "init", "list", "set", "unset"]
    );
    assert_eq!(offered(".connection "), ["close"]);
    assert_eq!(offered(".limit sql"), ["sql_length"]);
    assert_eq!(offered(".limits like"), ["like_pattern_length"]);
    assert!(offered(".dbconfig ").is_empty());
    assert!(offered(".nosuch ").is_empty());
    assert_eq!(offered(".log std"), ["stderr", "stdout"]);
    assert_eq!(offered(".trace std"), ["stderr", "stdout"]);
}

#[test]
fn options_from_the_help_text() {
    assert_eq!(offered(".schema --"), ["--indent", "--nosys"]);
    assert_eq!(offered(".dump --d"), ["--data-only"]);
    assert_eq!(offered(".open --r"), ["--readonly"]);
    assert_eq!(offered(".mode box --w"), ["--wordwrap", "--wrap", "--ww"]);
    assert_eq!(offered(".help -"), ["-all"]);
    assert_eq!(
        offered(".import -"),
        ["--ascii", "--csv", "--schema", "--skip", "-v"]
    );
    assert_eq!(start_of(".schema --i"), ".schema ".len());
    assert!(offered(".headers -").is_empty());
}

#[test]
fn table_names_where_the_help_says_table() {
    for cmd in [
        ".schema ",
        ".dump ",
        ".dump orders ",
        ".tables ",
        ".indexes ",
        ".indices ",
    ] {
        assert_eq!(offered(cmd), strs(TABLES), "{cmd:?}");
    }
    assert_eq!(offered(".schema --indent ord"), ["order", "orders"]);
    assert_eq!(
        offered(".sha3sum --schema o"),
        ["'odd \"name\"'", "order", "orders"]
    );
    assert_eq!(offered(".session attach cu"), ["customers"]);
    assert_eq!(offered(".import data.csv cu"), ["customers"]);
    assert_eq!(offered(".import --csv --skip 1 data.csv cu"), ["customers"]);
    assert_eq!(offered(".import --schema aux data.csv cu"), ["customers"]);
    // Inside a quote the user opened: finished for that quote and closed.
    assert_eq!(offered(".schema 'od"), ["odd \"name\"'"]);
    assert_eq!(offered(".schema \"od"), ["odd \\\"name\\\"\""]);
    assert_eq!(start_of(".schema 'od"), ".schema '".len());
    assert!(offered(".schema 'od' ").len() == TABLES.len());
    assert!(
        offered(".schema 'od'").is_empty(),
        "glued to a closed quote"
    );
}

#[test]
fn schema_names_and_command_names_as_arguments() {
    assert_eq!(offered(".dbinfo "), ["aux", "main", "temp"]);
    assert_eq!(offered(".import --schema "), ["aux", "main", "temp"]);
    assert_eq!(offered(".session open a"), ["aux"]);
    assert_eq!(offered(".help mo"), ["mode"]);
    assert_eq!(offered(".help -all sc"), ["scanstats", "schema"]);
    let got = offered(".backup ");
    assert_eq!(got[..3], strs(&["aux", "main", "temp"]));
    assert_eq!(offered(".backup ma"), ["main"]);
    assert!(offered(".backup main zzq").is_empty());
}

#[test]
fn file_names_with_sqlite3_quoting() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().to_str().unwrap().to_string();
    for f in ["alpha.db", "my file.db", "it's.db", "back\\slash.db"] {
        std::fs::write(dir.path().join(f), b"").unwrap();
    }
    std::fs::create_dir(dir.path().join("alps")).unwrap();
    let b = |s: &str| format!("{base}/{s}");
    for cmd in [
        ".open ",
        ".read ",
        ".output ",
        ".once ",
        ".once --bom ",
        ".load ",
        ".clone ",
        ".log ",
        ".save ",
        ".restore main ",
        ".backup main ",
        ".import ",
        ".import --csv ",
        ".trace ",
        ".session changeset ",
        ".open --new ",
    ] {
        let text = format!("{cmd}{}", b("al"));
        assert_eq!(offered(&text), [b("alpha.db"), b("alps/")], "{text:?}");
        assert_eq!(start_of(&text), cmd.len(), "{text:?}");
    }
    assert_eq!(offered(&format!(".cd {}", b("al"))), [b("alps/")]);
    assert_eq!(
        offered(&format!(".open {}", b("my"))),
        [format!("'{}'", b("my file.db"))]
    );
    // A quote inside a bare word is an ordinary character.
    assert_eq!(offered(&format!(".open {}", b("it"))), [b("it's.db")]);
    assert_eq!(
        offered(&format!(".open {}", b("back"))),
        [format!("'{}'", b("back\\slash.db"))]
    );
    // In quotes the user opened.
    let text = format!(".open '{}", b("my"));
    assert_eq!(offered(&text), [format!("{}'", b("my file.db"))]);
    assert_eq!(start_of(&text), ".open '".len());
    assert_eq!(
        offered(&format!(".open \"{}", b("my"))),
        [format!("{}\"", b("my file.db"))]
    );
    assert_eq!(
        offered(&format!(".open \"{}", b("back"))),
        [format!("{}\"", b("back\\\\slash.db"))]
    );
    assert!(offered(&format!(".open '{}", b("it"))).is_empty());
    assert_eq!(
        offered(&format!(".open '{}", b("al"))),
        [b("alpha.db'"), b("alps/")]
    );
    // An escaped prefix is decoded before the lookup.
    assert_eq!(
        offered(&format!(".open \"{}", b("my f"))),
        [format!("{}\"", b("my file.db"))]
    );
    assert_eq!(
        offered(&format!(".open \"{}", b("it\\'"))),
        [format!("{}\"", b("it's.db"))]
    );
    // Not for commands that take no file, nor for pipes.
    assert!(offered(&format!(".headers {}", b("al"))).is_empty());
    assert!(offered(".output |ec").is_empty());
    assert!(offered(".import |cat ")
        .iter()
        .all(|c| !c.contains("alpha")));
}

#[test]
fn arguments_are_cut_like_sqlite3_cuts_them() {
    let arg = |start, content, end, quote, closed| Arg {
        start,
        content,
        end,
        quote,
        closed,
    };
    assert_eq!(
        split(b".a 'b c' \"d\\\"e\" f\"g"),
        [
            arg(1, 1, 2, None, false),
            arg(3, 4, 8, Some(b'\''), true),
            arg(9, 10, 15, Some(b'"'), true),
            arg(16, 16, 19, None, false),
        ]
    );
    assert_eq!(
        split(b".x 'open"),
        [arg(1, 1, 2, None, false), arg(3, 4, 8, Some(b'\''), false)]
    );
    assert_eq!(split(b".x \"a\"b").len(), 3);
}

#[test]
fn values_are_quoted_only_when_needed() {
    assert_eq!(encode("plain.db", None, true).unwrap(), "plain.db");
    assert_eq!(encode("a b", None, true).unwrap(), "'a b'");
    assert_eq!(encode("a b/", None, false).unwrap(), "'a b/");
    assert_eq!(encode("'lead", None, true).unwrap(), "\"'lead\"");
    assert_eq!(encode("it's x", None, true).unwrap(), "\"it's x\"");
    assert_eq!(encode("tab\there", None, true).unwrap(), "\"tab\\011here\"");
    assert_eq!(encode("a\"b", Some(b'"'), true).unwrap(), "a\\\"b\"");
    assert_eq!(encode("it's", Some(b'\''), true), None);
    assert_eq!(encode("x", Some(b'\''), false).unwrap(), "x");
}
