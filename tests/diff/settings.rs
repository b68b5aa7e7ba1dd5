//! Settings and diagnostics dot-commands: `.parameter`, `.show`, `.timer`, `.eqp`,
//! `.explain`, `.limit`, `.dbconfig`, `.cd`, `.shell`/`.system`, `.log`, `.load`,
//! `.vfsname`/`.vfsinfo`/`.vfslist`, `.stats`, `.scanstats`, `.trace`, `.progress`,
//! `.binary`, `.connection`, and the safe-mode refusals among them.
//!
//! Output that cannot be byte-identical (run times, memory statistics, the library's limits
//! and VFS list) is checked on litesh alone, for its layout; docs/compat.md lists why.

use crate::harness::{litesh, run_in, Case, Outcome, Scratch};

fn check(name: &str, args: &[&str], stdin: &str) {
    Case::new(name, args, stdin).check();
}

fn with_t(s: &Scratch) {
    s.db(
        "t.db",
        "CREATE TABLE t(a, b);\nCREATE INDEX ta ON t(a);\nINSERT INTO t VALUES(1,'one'),(2,NULL),(3,'three');\n",
    );
}

fn check_t(name: &str, args: &[&str], stdin: &str) {
    Case::new(name, args, stdin).setup(&with_t).check();
}

/// litesh alone, in a scratch directory.
fn litesh_only(args: &[&str], stdin: &str) -> (Outcome, Scratch) {
    let s = Scratch::new();
    let o = run_in(&litesh(), s.path(), args, stdin.as_bytes());
    (o, s)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// True when `line` is `Run Time: real R user U sys S` with sqlite3's decimals.
fn is_run_time(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("Run Time: real ") else {
        return false;
    };
    let parts: Vec<&str> = rest.split(' ').collect();
    let decimals = |s: &str, n: usize| {
        let mut it = s.split('.');
        let whole = it.next().unwrap_or("");
        let frac = it.next().unwrap_or("");
        !whole.is_empty()
            && whole.bytes().all(|c| c.is_ascii_digit())
            && frac.len() == n
            && frac.bytes().all(|c| c.is_ascii_digit())
            && it.next().is_none()
    };
    parts.len() == 5
        && decimals(parts[0], 3)
        && parts[1] == "user"
        && decimals(parts[2], 6)
        && parts[3] == "sys"
        && decimals(parts[4], 6)
}

// ---------------------------------------------------------------- .parameter

#[test]
fn parameter_without_a_known_subcommand_shows_its_help() {
    check(
        "parameter help",
        &[],
        ".parameter\n.parameter bogus\n.param set :x\n.parameter list extra\n.parameter unset\nselect 1;\n",
    );
}

#[test]
fn parameter_set_list_and_bind_every_kind_of_name() {
    check(
        "parameter bind",
        &[],
        ".parameter init\n.parameter list\n.parameter set :a 1\n.parameter set $bb hello\n.parameter set @c x'y\n.parameter set ?3 3.5\n.parameter set :d \"abc def\"\n.parameter set :e 1+2\n.parameter set :f (select 40+2)\n.parameter set :g x'41'\n.parameter list\nselect :a, $bb, @c, ?3, :d, :e, :f, :g, :zz, ?;\nselect typeof(:a), typeof(:d), typeof(:g);\n",
    );
}

#[test]
fn parameter_unset_and_clear() {
    check(
        "parameter unset clear",
        &[],
        ".parameter set :a 1\n.parameter set :b 2\n.parameter unset :a\n.parameter unset :nope\n.parameter list\nselect :a, :b;\n.parameter clear\n.parameter list\nselect :a, :b;\n.parameter unset :b\n.parameter clear\n",
    );
}

#[test]
fn parameter_list_pads_keys_to_forty_at_most() {
    let long = "x".repeat(45);
    let stdin = format!(
        ".parameter set :k 1\n.parameter set :a_longer_key 'v'\n.parameter list\n.parameter set :{long} 2\n.parameter list\n"
    );
    check("parameter list padding", &[], &stdin);
}

#[test]
fn parameters_without_a_table_or_key_are_null() {
    check(
        "parameter unbound",
        &[],
        "select :a is null, ?1 is null, @b is null;\n.parameter init\nselect :a is null, ?2 is null;\n",
    );
}

#[test]
fn parameters_bind_in_sql_arguments_and_every_statement() {
    check(
        "parameter args",
        &[
            "-cmd",
            ".parameter set :x 7",
            ":memory:",
            "select :x; select :x * 2",
        ],
        "",
    );
    check(
        "parameter several statements",
        &[],
        ".parameter set $n 5\ncreate table t(a); insert into t values($n); insert into t values($n+1); select * from t;\n",
    );
}

#[test]
fn parameter_is_a_table_in_temp() {
    check(
        "parameter table",
        &[],
        ".parameter set :a 1\nselect key, value from temp.sqlite_parameters;\nselect name from sqlite_temp_master;\n",
    );
}

// ---------------------------------------------------------------- .show

#[test]
fn show_prints_the_default_settings() {
    check("show defaults", &[], ".show\n");
    check_t("show defaults file", &["t.db"], ".show\n");
}

#[test]
fn show_reflects_every_setting() {
    check(
        "show settings",
        &["t.db"],
        ".mode column\n.width 5 -3 0\n.nullvalue \"N\\tx\u{e9}\"\n.headers on\n.eqp full\n.stats vmstep\n.show\n.explain on\n.show\n.explain off\n.show\n.mode qbox\n.show\n.mode tabs\n.separator , \";\"\n.eqp trigger\n.stats stmt\n.show\n.echo on\n.show\n",
    );
}

#[test]
fn show_names_the_output_and_rejects_arguments() {
    check(
        "show output",
        &[],
        ".output o.txt\n.show\n.output\n.show x\n.output stderr\n.show\n.output\n.once |cat\n.show\n.stats on\n.stats off\n.show\n",
    );
}

// ---------------------------------------------------------------- .timer

#[test]
fn timer_usage_and_booleans() {
    check(
        "timer usage",
        &[],
        ".timer\n.timer on off\n.timer x\nselect 1;\n.timer off\nselect 2;\n",
    );
}

#[test]
fn timer_prints_run_time_after_each_input_line() {
    let (o, _s) = litesh_only(
        &[],
        ".timer on\nselect 1;\nselect 2; select 3;\nselec 4;\n.timer off\nselect 5;\n",
    );
    let out = text(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 7, "{out}");
    assert_eq!(lines[0], "1");
    assert!(is_run_time(lines[1]), "{out}");
    assert_eq!((lines[2], lines[3]), ("2", "3"), "{out}");
    assert!(is_run_time(lines[4]), "{out}");
    // A failing line is timed too.
    assert!(is_run_time(lines[5]), "{out}");
    assert_eq!(lines[6], "5", "{out}");
    assert_eq!(o.code, Some(1));
}

#[test]
fn timer_goes_to_stdout_and_not_for_arguments() {
    let (o, s) = litesh_only(
        &[
            "-cmd",
            ".timer on",
            "-cmd",
            "select 1",
            ":memory:",
            "select 2",
        ],
        "",
    );
    assert_eq!(text(&o.stdout), "1\n2\n");
    drop(s);
    let (o, s) = litesh_only(&[], ".timer on\n.output o.txt\nselect 1;\n.output\n");
    let out = text(&o.stdout);
    assert!(is_run_time(out.trim_end()), "{out:?}");
    assert_eq!(std::fs::read_to_string(s.file("o.txt")).unwrap(), "1\n");
}

#[test]
fn run_time_check_itself() {
    assert!(is_run_time(
        "Run Time: real 0.000 user 0.000031 sys 0.000000"
    ));
    assert!(!is_run_time(
        "Run Time: real 0.0 user 0.000031 sys 0.000000"
    ));
    assert!(!is_run_time("Run Time: real 0.000 user 0.000031"));
}

// ---------------------------------------------------------------- .eqp and .explain

#[test]
fn eqp_on_shows_the_plan_before_each_statement() {
    check_t(
        "eqp on",
        &["t.db"],
        ".eqp on\nselect * from t where a=1;\nselect 1;\nselect b from t;\nexplain query plan select * from t;\ninsert into t values(9,9);\n.eqp off\nselect count(*) from t;\n",
    );
}

#[test]
fn eqp_trigger_shows_trigger_plans() {
    check_t(
        "eqp trigger",
        &["t.db"],
        "create table log(x);\ncreate trigger tr after insert on t begin insert into log select a from t where a=new.a; end;\n.eqp on\ninsert into t values(5,'five');\n.eqp trigger\ninsert into t values(6,'six');\n.dbconfig trigger_eqp\nselect count(*) from log;\n",
    );
}

#[test]
fn eqp_usage_and_booleans() {
    check(
        "eqp usage",
        &[],
        ".eqp\n.eqp on off\n.eqp bogus\n.show\n.eqp yes\n.show\n.eqp test\n.show\n",
    );
}

#[test]
fn eqp_with_sql_arguments_and_parameters() {
    check_t(
        "eqp args",
        &[
            "-cmd",
            ".eqp on",
            "-cmd",
            ".parameter set :k 2",
            "t.db",
            "select b from t where a=:k",
        ],
        "",
    );
}

#[test]
fn eqp_full_adds_the_explain_listing() {
    // The listing's opcodes come from the embedded library: only the layout is checked.
    let (o, _s) = litesh_only(&[], "create table t(a);\n.eqp full\nselect a from t;\n");
    let out = text(&o.stdout);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("QUERY PLAN"), "{out}");
    assert_eq!(lines.next(), Some("`--SCAN t"), "{out}");
    assert_eq!(
        lines.next(),
        Some("addr  opcode         p1    p2    p3    p4             p5  comment      "),
        "{out}"
    );
    assert_eq!(
        lines.next(),
        Some("----  -------------  ----  ----  ----  -------------  --  -------------"),
        "{out}"
    );
    assert!(out.contains("Init"), "{out}");
    assert!(out.contains("Halt"), "{out}");
}

#[test]
fn explain_on_off_auto() {
    check(
        "explain modes",
        &[],
        ".explain on\nselect 1, 2, 'abc';\nselect 1,2,3,4,5,6,7,8,9,10;\n.explain\n.explain off\nselect 1;\nexplain query plan select 1;\n.explain auto\nexplain query plan select 1;\n.mode csv\n.explain on\n.show\n.explain off\n.show\n.explain yes\n.explain bogus\n.show\n",
    );
}

// ---------------------------------------------------------------- .limit

#[test]
fn limit_names_a_limit_by_any_unique_prefix() {
    check(
        "limit prefix",
        &[],
        ".limit len\n.limit LIKE 5\n.limit like\n.limit sql_length\n.limit Worker\n.limit column 100\n.limit col\n",
    );
}

#[test]
fn limit_errors() {
    check(
        "limit errors",
        &[],
        ".limit l\n.limit x\n.limit lengthy\n.limit a b c\n.limit \"\" 3\nselect 1;\n",
    );
    check("limit error exit code", &[":memory:", ".limit x"], "");
}

#[test]
fn limit_values_take_effect_and_go_to_stdout() {
    check(
        "limit effect",
        &[],
        ".limit compound 2\nselect 1 union select 2 union select 3;\nselect 1 union select 2;\n.limit length 100\nselect length(zeroblob(200));\nselect length(zeroblob(50));\n.limit attached 0\nattach ':memory:' as x;\n.output o.txt\n.limit length\n.output\n",
    );
}

#[test]
fn limits_are_those_of_3_40_1() {
    check("limits", &[":memory:", ".limits"], "");
}

#[test]
fn limits_lists_every_limit() {
    let (o, _s) = litesh_only(&[":memory:", ".limits"], "");
    let out = text(&o.stdout);
    let names: Vec<&str> = out
        .lines()
        .map(|l| {
            // `%20s %d`: the name right-aligned in 20 columns, a space, the value.
            assert_eq!(l.as_bytes().get(20), Some(&b' '), "{l:?}");
            assert!(l[21..].bytes().all(|c| c.is_ascii_digit()), "{l:?}");
            l[..20].trim_start()
        })
        .collect();
    assert_eq!(
        names,
        [
            "length",
            "sql_length",
            "column",
            "expr_depth",
            "compound_select",
            "vdbe_op",
            "function_arg",
            "attached",
            "like_pattern_length",
            "variable_number",
            "trigger_depth",
            "worker_threads"
        ]
    );
    assert!(out.contains("\n     variable_number 250000\n"), "{out}");
}

// ---------------------------------------------------------------- .dbconfig

#[test]
fn dbconfig_lists_and_sets_options() {
    check(
        "dbconfig",
        &[],
        ".dbconfig\n.dbconfig defensive on\n.dbconfig defensive\n.dbconfig enable_fkey yes\n.dbconfig\n.dbconfig bogus\n.dbconfig trigger_eqp x\n.dbconfig legacy_alter_table on extra\n",
    );
    check(
        "dbconfig unknown is not an error",
        &[":memory:", ".dbconfig nope", "select 1"],
        "",
    );
}

// ---------------------------------------------------------------- .cd

#[test]
fn cd_changes_the_working_directory() {
    let setup = |s: &Scratch| std::fs::create_dir_all(s.file("sub")).unwrap();
    Case::new(
        "cd",
        &[],
        ".cd sub\n.once out.txt\nselect 'here';\n.cd /nonexistent-dir\n.cd\n.cd a b\nselect 1;\n",
    )
    .setup(&setup)
    .files(&["sub/out.txt"])
    .check();
    check(
        "cd error exit",
        &[":memory:", ".cd /nonexistent-dir", "select 1"],
        "",
    );
}

// ---------------------------------------------------------------- .shell / .system

#[test]
fn shell_runs_a_command_through_sh() {
    check(
        "shell",
        &[],
        "select 1;\n.shell echo hi \"a b\" c\n.system exit 3\n.sys\nselect 2;\n.shell \"echo  two\"\n.shell echo 'single quoted'\n.system printf '%s-' x y\n.shell\n",
    );
}

#[test]
fn shell_output_bypasses_output_redirection() {
    check(
        "shell redirect",
        &[],
        ".output o.txt\n.shell echo direct\nselect 'to file';\n.output\n.shell cat o.txt\n",
    );
}

// ---------------------------------------------------------------- .log

#[test]
fn log_writes_sqlite_errors() {
    check(
        "log stdout",
        &[],
        ".log stdout\nselect 1;\nselec 2;\nselect * from nosuch;\n.log off\nselec 3;\n.log\n.log a b\n",
    );
    check("log stderr", &[], ".log stderr\nselec 2;\nselect 1;\n");
    check(
        "log cannot open",
        &[],
        ".log /nonexistent-dir/x\nselect 1;\n",
    );
}

#[test]
fn log_to_a_file() {
    Case::new(
        "log file",
        &[],
        ".log log.txt\nselec 2;\nselect 1;\ncreate table t(a);\ncreate table t(a);\n",
    )
    .files(&["log.txt"])
    .check();
}

// ---------------------------------------------------------------- .load

#[test]
fn load_errors() {
    check("load usage", &[":memory:", ".load"], "");
    check("load missing", &[":memory:", ".load /nonexistent/foo"], "");
    check(
        "load missing entry",
        &[],
        ".load /nonexistent/foo bar\nselect 1;\n",
    );
    let not_a_lib = |s: &Scratch| s.write("notlib.so", b"x\n");
    Case::new("load not a library", &[":memory:", ".load ./notlib.so"], "")
        .setup(&not_a_lib)
        .check();
}

// ---------------------------------------------------------------- VFS

#[test]
fn vfsname_and_vfsinfo() {
    check_t(
        "vfs file",
        &["t.db"],
        ".vfsname\n.vfsinfo\n.vfsinfo temp\n.vfsname temp\n.vfsname bogus\n.vfsinfo main extra\n",
    );
    check(
        "vfs before open",
        &[],
        ".vfsname\n.vfsinfo\nselect 1;\n.vfsname\n.vfsinfo\n",
    );
    check_t(
        "vfs option",
        &["-vfs", "unix-dotfile", "t.db"],
        ".vfsname\n.vfsinfo\n",
    );
}

#[test]
fn vfslist_marks_the_current_vfs() {
    // sqlite3 also lists its own "apndvfs", which litesh does not have (docs/compat.md).
    let (o, s) = litesh_only(&[":memory:", ".vfslist"], "");
    let out = text(&o.stdout);
    assert!(
        out.starts_with("vfs.zName      = \"unix\"\nvfs.iVersion   = "),
        "{out}"
    );
    assert!(!out.contains("CURRENT"), "nothing open yet: {out}");
    drop(s);
    let (o, _s) = litesh_only(&[], "select 1;\n.vfslist\n");
    let out = text(&o.stdout);
    assert!(
        out.starts_with("1\nvfs.zName      = \"unix\"  <--- CURRENT\n"),
        "{out}"
    );
    assert!(
        out.contains("\n-----------------------------------\nvfs.zName      = \"unix-dotfile\"\n"),
        "{out}"
    );
    assert!(out.contains("vfs.zName      = \"memdb\""), "{out}");
}

// ---------------------------------------------------------------- .stats and .scanstats

#[test]
fn stats_usage() {
    check(
        "stats usage",
        &[],
        ".stats a b\n.stats x\n.show\n.stats off\nselect 1;\n",
    );
}

#[test]
fn stats_after_each_statement() {
    // The numbers are the embedded library's and the process's: only the layout is checked.
    let (o, _s) = litesh_only(
        &[],
        "create table t(a, b);\n.stats on\nselect 1;\n.stats stmt\nselect 1 as x, a from t;\n.stats vmstep\nselect 2;\n.stats off\nselect 3;\n",
    );
    let out = text(&o.stdout);
    let labels: Vec<&str> = out
        .lines()
        .map(|l| {
            if l.len() > 37 && l.as_bytes()[36] == b' ' {
                l[..36].trim_end()
            } else {
                l
            }
        })
        .collect();
    let general = [
        "Memory Used:",
        "Number of Outstanding Allocations:",
        "Number of Pcache Overflow Bytes:",
        "Largest Allocation:",
        "Largest Pcache Allocation:",
        "Lookaside Slots Used:",
        "Successful lookaside attempts:",
        "Lookaside failures due to size:",
        "Lookaside failures due to OOM:",
        "Pager Heap Usage:",
        "Page cache hits:",
        "Page cache misses:",
        "Page cache writes:",
        "Page cache spills:",
        "Schema Heap Usage:",
        "Statement Heap/Lookaside Usage:",
        "Fullscan Steps:",
        "Sort Operations:",
        "Autoindex Inserts:",
        "Virtual Machine Steps:",
        "Reprepare operations:",
        "Number of times run:",
        "Memory used by prepared stmt:",
    ];
    assert_eq!(labels[0], "1", "{out}");
    assert_eq!(&labels[1..1 + general.len()], &general[..], "{out}");
    let i = labels
        .iter()
        .position(|l| *l == "Number of output columns:")
        .expect(&out);
    assert_eq!(
        &labels[i..i + 11],
        &[
            "Number of output columns:",
            "Column 0 name:",
            "Column 0 declared type:",
            "Column 0 database name:",
            "Column 0 table name:",
            "Column 0 origin name:",
            "Column 1 name:",
            "Column 1 declared type:",
            "Column 1 database name:",
            "Column 1 table name:",
            "Column 1 origin name:",
        ],
        "{out}"
    );
    assert!(
        out.contains("\nColumn 0 declared type:              (null)\n"),
        "{out}"
    );
    assert!(
        out.contains("\nColumn 1 table name:                 t\n"),
        "{out}"
    );
    let v = out
        .lines()
        .position(|l| l.starts_with("VM-steps: "))
        .expect(&out);
    let after: Vec<&str> = out.lines().skip(v - 1).collect();
    assert_eq!(after[0], "2", "{out}");
    assert!(after[1][10..].bytes().all(|c| c.is_ascii_digit()), "{out}");
    assert_eq!(after[2..], ["3"], "{out}");
}

#[test]
fn stats_without_argument_shows_them_now() {
    let (o, _s) = litesh_only(&[], ".stats\nselect 1;\n.stats\n.stats vmstep\n.stats\n");
    let out = text(&o.stdout);
    assert!(out.starts_with("Memory Used:  "), "{out}");
    // Before the database opened there are no connection lines.
    let first_block: Vec<&str> = out.split("\n1\n").next().unwrap().lines().collect();
    assert!(
        !first_block
            .iter()
            .any(|l| l.starts_with("Pager Heap Usage:")),
        "{out}"
    );
    let second = out.split("\n1\n").nth(1).expect(&out);
    assert!(second.contains("Pager Heap Usage:"), "{out}");
    assert!(!second.contains("Fullscan Steps:"), "no statement: {out}");
    assert!(!second.contains("VM-steps"), "{out}");
}

#[test]
fn scanstats_warns_as_3_40_1_does() {
    check(
        "scanstats",
        &[],
        ".scanstats on\ncreate table t(a);\nselect * from t where a>1;\n.scanstats\n.scanstats off\nselect 1;\n",
    );
}

// ---------------------------------------------------------------- .trace

#[test]
fn trace_shows_each_statement() {
    check(
        "trace stdout",
        &[],
        "create table t(a);\ncreate trigger tr after insert on t begin select 1; end;\n.trace stdout\nselect 1; select 2;\ninsert into t values(1);\n.parameter set :x 5\nselect :x;\n.trace stdout --expanded\nselect :x, 1;\n.trace --plain stdout\nselect :x;\n.trace off\nselect 4;\n.trace\nselect 5;\n",
    );
}

#[test]
fn trace_rows_close_and_options() {
    check(
        "trace row close",
        &[],
        ".trace stdout --stmt --row\nselect 4 union all select 5;\n.trace stdout --close\n.open x.db\nselect 6;\n.trace --bogus\n.trace -expanded --normalized\n",
    );
    check(
        "trace stderr",
        &[],
        ".trace stderr\nselect 1;\n.mode box\nselect 2;\n",
    );
}

#[test]
fn trace_opens_its_first_argument_as_the_file() {
    // sqlite3 3.40.1 opens azArg[1] whatever word the file name is: here "--stmt".
    Case::new(
        "trace file quirk",
        &[],
        ".trace --stmt tr.txt\nselect 9;\n.trace tr.txt\nselect 10;\n.trace off\n",
    )
    .files(&["--stmt", "tr.txt"])
    .check();
}

#[test]
fn trace_profile_adds_nanoseconds() {
    let (o, _s) = litesh_only(&[], ".trace stdout --profile\nselect 3;\n");
    let out = text(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "3", "{out}");
    let ns = lines[1]
        .strip_prefix("select 3; -- ")
        .and_then(|r| r.strip_suffix(" ns"))
        .expect(&out);
    assert!(ns.bytes().all(|c| c.is_ascii_digit()), "{out}");
}

// ---------------------------------------------------------------- .progress

#[test]
fn progress_limits_interrupt() {
    check(
        "progress limit",
        &[],
        ".progress 1 --limit 1 -q\nselect 1;\nselect 2;\n.progress 1 --limit 2 --once --quiet\nselect 3;\nselect 4;\n.progress 1 --limit 1 --reset -q\nselect 5;\nselect 6;\n.progress 0\nselect 7;\n",
    );
}

#[test]
fn progress_errors() {
    check(
        "progress errors",
        &[],
        ".progress --limit\n.progress --foo\n.progress\nselect 1;\n",
    );
    check(
        "progress error exit",
        &[":memory:", ".progress -x", "select 1"],
        "",
    );
}

#[test]
fn progress_output_follows_redirection() {
    check(
        "progress redirect",
        &[],
        ".progress 1 --limit 1 -q\n.output o.txt\nselect 1;\n.output\n.shell cat o.txt\n",
    );
}

// ---------------------------------------------------------------- .binary

#[test]
fn binary_usage() {
    check(
        "binary",
        &[],
        ".binary\n.binary on\n.binary off\n.binary x\n.binary a b\nselect 1;\n",
    );
}

// ---------------------------------------------------------------- .connection

#[test]
fn connection_switches_lists_and_closes() {
    check_t(
        "connection",
        &["t.db"],
        ".connection\n.connection 1\n.connection\ncreate table t1(a);\nselect name from sqlite_schema;\n.show\n.connection 0\nselect count(*) from t;\n.connection\n.connection close 1\n.connection\n.connection close 0\n.connection 7\n.connection close 9\n.connection x\n.connection 10\n.connection close\n",
    );
}

#[test]
fn connection_keeps_each_database() {
    check(
        "connection keeps",
        &[],
        "create table a(x);\n.connection 2\ncreate table b(y);\n.connection 0\nselect name from sqlite_schema;\n.connection 2\nselect name from sqlite_schema;\n.connection\n",
    );
}

// ---------------------------------------------------------------- safe mode

#[test]
fn safe_mode_blocks_what_3_40_1_blocks() {
    for cmd in [
        ".cd /",
        ".load x",
        ".log x",
        ".shell echo",
        ".system echo",
        ".sys echo",
    ] {
        check("safe arg", &["-safe", ":memory:", cmd], "");
        check(
            "safe stdin",
            &["-safe"],
            &format!("select 1;\n{cmd}\nselect 2;\n"),
        );
    }
}

#[test]
fn safe_mode_allows_the_rest() {
    check(
        "safe allowed",
        &["-safe"],
        ".parameter set :a 1\nselect :a;\n.timer off\n.eqp on\nselect 2;\n.eqp off\n.dbconfig defensive\n.limit length\n.trace stdout\nselect 3;\n.trace off\n.show\n",
    );
}

#[test]
fn show_lists_the_widths_a_columnar_result_added() {
    check(
        "width growth",
        &[],
        ".mode box\nselect 1,2;\n.show\n.width 5\nselect 1,2,3;\n.show\n.mode list\nselect 1,2,3,4;\n.show\n",
    );
}
