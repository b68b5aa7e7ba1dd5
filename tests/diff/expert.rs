//! `.expert`, the index advisor, against sqlite3 3.40.1: the proposed indexes, their names
//! (hashed from the column list), the plans, `--verbose` and `--sample`, the cases of
//! SQLite's own `ext/expert/expert1.test` as the CLI runs them, and every error with its
//! exit code (bad options, safe mode, SQL that does not prepare, a dot-command or the end
//! of the input after `.expert`).

use crate::harness::{Case, Scratch};

/// Tables of many shapes: an index, a view, a trigger that reads and writes, a virtual
/// table, quoted names and a keyword column, collations, WITHOUT ROWID, primary keys of
/// one and two columns, generated columns, and a name that `LIKE 'sqlite_%'` matches.
const SCHEMA: &str = "\
CREATE TABLE t(a,b,c);
CREATE INDEX ti ON t(a);
CREATE VIEW v AS SELECT a,b FROM t WHERE c>0;
CREATE TABLE log(x,y);
CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO log VALUES(new.a, (SELECT count(*) FROM log WHERE y=new.b)); END;
CREATE VIRTUAL TABLE f USING fts5(body);
CREATE TABLE \"my table\"(\"a b\", \"select\", c COLLATE NOCASE, d);
CREATE TABLE \"t\"\"q\"(x,y);
CREATE TABLE t2(a PRIMARY KEY, b) WITHOUT ROWID;
CREATE TABLE t3(id INTEGER PRIMARY KEY, v);
CREATE TABLE p(a, b, c, PRIMARY KEY(a,b));
CREATE TABLE g(a, b AS (a*2) STORED, d AS (a+1) VIRTUAL, e);
CREATE TABLE w(a,b,c, PRIMARY KEY(b,a)) WITHOUT ROWID;
CREATE TABLE sqliteab(x);
CREATE TABLE \"ünï\"(\"ç\", d);
";

fn schema(s: &Scratch) {
    s.db("db.db", SCHEMA);
}

/// Rows to sample: 300 in `u`, text with a NOCASE column and NULLs in `s`, one row in `one`.
const DATA: &str = "\
CREATE TABLE u(x,y,z);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<300) INSERT INTO u SELECT i%10, i%7, i FROM n;
CREATE TABLE s(a TEXT COLLATE NOCASE, b);
INSERT INTO s VALUES('a',1),('A',2),('b',3),('B',4),(NULL,5),(NULL,6),(x'00',7),(1.5,8);
CREATE TABLE one(p,q);
INSERT INTO one VALUES(1,2);
CREATE INDEX uz ON u(z, y);
";

fn data(s: &Scratch) {
    s.db("db.db", DATA);
}

/// Runs `.expert OPTIONS` then each statement, as command-line arguments.
fn advise(opts: &str, queries: &[&str], setup: &dyn Fn(&Scratch)) {
    for q in queries {
        Case::new(q, &["db.db", opts, q], "").setup(setup).check();
    }
}

#[test]
fn where_clauses_and_order_by() {
    advise(
        ".expert --verbose",
        &[
            "select * from t where b=2 and c>1 order by a;",
            "select * from t where a=1",
            "select * from t where a=1 order by b",
            "select * from t order by b, c desc",
            "select * from t order by b collate nocase",
            "select * from t where b>1 and b<5",
            "select count(*) from t group by c",
            "select * from t where a=1 and b=2 and c=3",
            "select * from t where c=1 and b=2 and a=3",
            "select max(b) from t",
            "select * from t where rowid=4",
            "select * from t where b is null",
            "select * from t where b between 1 and 3",
            "select * from t where b != 1",
            "select * from t where b glob 'a*'",
            "select * from t where b is not null",
            "select * from t where b is 3",
            "select * from t where b is not 3",
            "select * from t where b like 'a%'",
            "select * from t where b=1 limit 5 offset 2",
            "select * from t where a=1 and a=2",
            "select * from t where a>1 and b>2 and c<3",
            "select * from t where a=1 order by a",
            "select * from t where a=1 order by b, a",
            "select distinct b from t",
            "select * from t where +b=1",
            "select * from t where b=c",
            "select * from t where a=1 or a=2 or a=3",
            "select * from t where a=?",
            "select * from t where b=1 and c=2 order by a desc, b",
            "select a, count(*) from t where b>5 group by a order by 2",
            "select * from t where b=x'00' and c='é'",
            "select * from main.t where b=1",
            "select 1",
        ],
        &schema,
    );
}

#[test]
fn joins_subqueries_views_and_or() {
    advise(
        ".expert --verbose",
        &[
            "select * from v where a=2 and b=3",
            "with x as (select * from t where b=1) select * from x",
            "select * from t join log on t.a=log.x where log.y>3 order by t.b",
            "select * from t3 a, t3 b where a.v=b.v",
            "select * from t where a in (select b from t)",
            "select * from t where a = (select max(b) from t where c=1)",
            "select * from t t1 join t t2 using(a) where t1.b=3",
            "select * from t left join log on t.a=log.x and log.y=1",
            "select * from t3 where v in (select x from \"t\"\"q\" where y=3)",
            "select * from \"my table\" where d=1 or c=2",
            "select * from \"my table\" where d in (1,2,3)",
        ],
        &schema,
    );
}

#[test]
fn names_collations_and_keys() {
    advise(
        ".expert --verbose",
        &[
            "select * from \"my table\" where \"a b\"=1 and \"select\">2",
            "select * from \"t\"\"q\" where x=1 order by y desc",
            "select * from \"my table\" where c=1",
            "select * from \"my table\" where c='a' collate binary",
            "select * from \"my table\" where d like 1",
            "select * from \"ünï\" where \"ç\"=1 and d>2",
            "select * from t2 where b=1",
            "select * from t2 where a=1",
            "select * from t3 where id=1",
            "select * from t3 where v=1 order by id",
            "select * from p where a=1 and c=2",
            "select * from p where b=1 and c=2",
            "select * from g where d=1 and e>2",
            "select * from g where b=1 and e>2",
            "select * from w where c=1 order by a",
            "select * from w where a=1",
            "select * from f_data where block=1",
        ],
        &schema,
    );
}

#[test]
fn writes_and_the_triggers_they_fire() {
    advise(
        ".expert --verbose",
        &[
            "insert into t values(1,2,3)",
            "insert into t select * from t where c=1",
            "update t set b=1 where c=5",
            "update t set b=2 where rowid=1",
            "delete from t where b=4",
            "pragma table_info(t)",
            "create table zz(a)",
        ],
        &schema,
    );
}

#[test]
fn several_statements_in_one_input() {
    advise(
        ".expert --verbose",
        &[
            "select * from t where a=1; select * from t3 where v>2;",
            "  select * from t where b=1;  /* c */ select * from t where c=2 ;",
        ],
        &schema,
    );
    Case::new(
        "statements on one line, and a lone semicolon",
        &["db.db"],
        ".expert --verbose\n  select * from t where b=1;  /* c */ select * from t where c=2 ;\n.expert --verbose\n;\nselect 1;\n",
    )
    .setup(&schema)
    .check();
}

#[test]
fn an_existing_index_that_serves_the_query_and_a_taken_name() {
    let setup = |s: &Scratch| {
        s.db(
            "db.db",
            "CREATE TABLE t(a,b);\nCREATE INDEX t_idx_00000061 ON t(b);\nCREATE INDEX tab ON t(a, b);\n",
        )
    };
    advise(
        ".expert --verbose",
        &[
            "select * from t where a=1",
            "select * from t where b=1",
            "select * from t where a=1 and b>2",
            "select * from t where b=1 order by a",
        ],
        &setup,
    );
}

#[test]
fn sample_fills_stat1() {
    advise(
        ".expert --verbose --sample 100",
        &[
            "select * from u where x=1 and y=2",
            "select * from u where y=1 and x=2 order by z",
            "select * from u where z=1 and y=2",
            "select * from s where a='a' and b>1",
            "select * from s where a='a' collate binary and b=1",
            "select * from u, s where u.x=s.b and u.y=1",
        ],
        &data,
    );
    // One row: a sample of any size takes it.
    for opts in [
        ".expert --verbose --sample 50",
        ".expert --verbose --sample 1",
        ".expert --verbose -sample 100",
        ".expert --sa 100 --ve",
        ".expert --verbose --sample 0",
    ] {
        advise(opts, &["select * from one where p=1 and q=2"], &data);
    }
    // An expression index makes 3.40.1's stat1 query fail.
    let expr = |s: &Scratch| {
        s.db(
            "db.db",
            "CREATE TABLE e(a,b);\nCREATE INDEX eidx ON e(a, b*2);\nINSERT INTO e VALUES(1,2),(1,3);\n",
        )
    };
    advise(
        ".expert --verbose --sample 100",
        &["select * from e where a=1 and b=2"],
        &expr,
    );
    advise(
        ".expert --verbose --sample 30",
        &["select * from e where a=1 and b=2"],
        &expr,
    );
}

#[test]
fn errors_and_exit_codes() {
    // SQL that does not prepare against the copy of the schema.
    advise(
        ".expert",
        &[
            "select * from nosuch",
            "selec 1",
            "select shell_idquote(v) from t3 where v=1",
            "select * from t where b regexp 'x'",
            "select * from sqliteab where x=1",
            "explain query plan select * from t where a=1",
            // A virtual table: no index can be made on it (no message, exit code 5).
            "select * from f where body=1",
            "select * from f",
        ],
        &schema,
    );
    for (name, args, stdin) in [
        ("bad option", vec!["db.db", ".expert --foo"], ""),
        (
            "every option error",
            vec!["db.db"],
            ".expert --bogus\n.expert -sample\n.expert --sample 200\n.expert -s -1\n.expert x\n.expert -\n.expert -v --sam\n",
        ),
        ("missing sample", vec!["db.db", ".expert --sample"], ""),
        ("sample too big", vec!["db.db", ".expert --sample 101"], ""),
        ("sample negative", vec!["db.db", ".expert --sample -1"], ""),
        ("safe mode", vec!["-safe", "db.db", ".expert"], ""),
        (
            "safe mode input",
            vec!["-safe", "db.db"],
            ".expert\nselect 1;\n",
        ),
        ("end of args", vec!["db.db", ".expert"], ""),
        ("end of input", vec!["db.db"], ".expert\n"),
        (
            "dot-command cancels",
            vec!["db.db"],
            ".expert\n.tables\nselect 1;\n",
        ),
        (
            "dot-command cancels (args)",
            vec!["db.db", ".expert", ".tables", "select 1"],
            "",
        ),
        (
            ".expert again",
            vec!["db.db"],
            ".expert\n.expert --verbose\nselect * from t where b=1;\n",
        ),
        (
            "bad option then SQL runs",
            vec!["db.db"],
            ".expert --foo\nselect 1;\n",
        ),
        (
            "input error goes on",
            vec!["db.db"],
            ".expert\nselect * from nosuch;\nselect 2;\n",
        ),
        (
            "input error with bail",
            vec!["db.db"],
            ".bail on\n.expert\nselect * from nosuch;\nselect 2;\n",
        ),
        ("input syntax error", vec!["db.db"], ".expert\nselec 1;\n"),
        (
            "input virtual table",
            vec!["db.db"],
            ".expert\nselect * from f where body=1;\n",
        ),
        (
            "echo and changes",
            vec!["db.db"],
            ".echo on\n.changes on\n.expert\nselect * from t where b=1;\n",
        ),
        (
            "eqp is not shown",
            vec!["db.db"],
            ".eqp on\n.expert\nselect * from t where b=1;\n",
        ),
        (
            "-cmd",
            vec!["-cmd", ".expert", "db.db", "select * from t where b=1"],
            "",
        ),
        (
            "-cmd error",
            vec![
                "-cmd",
                ".expert",
                "-cmd",
                "select * from nosuch",
                "db.db",
                "select 1",
            ],
            "",
        ),
        (
            "-bail",
            vec![
                "-bail",
                "db.db",
                ".expert",
                "select * from nosuch",
                "select 1",
            ],
            "",
        ),
        (
            "temp and attached tables are not seen",
            vec![
                "db.db",
                "create temp table tt(x)",
                "attach ':memory:' as aux",
                "create table aux.at(p)",
                ".expert",
                "select * from tt, aux.at where x=1 and p=2",
            ],
            "",
        ),
        (
            "output redirected",
            vec!["db.db"],
            ".output out.txt\n.expert\nselect * from t where b=1;\n.output stdout\nselect 3;\n",
        ),
    ] {
        Case::new(name, &args, stdin)
            .setup(&schema)
            .files(&["out.txt"])
            .check();
    }
    // A collation of the sqlite3 shell (`uint`) that the copies of the schema lack, a view
    // of a virtual table (not copied), a second statement that fails, only a comment.
    let more = |s: &Scratch| {
        s.db(
            "db.db",
            "CREATE TABLE cu(a COLLATE uint, b);\nCREATE TABLE t(a,b);\nCREATE VIRTUAL TABLE f USING fts5(x);\nCREATE VIEW fv AS SELECT * FROM f;\n",
        )
    };
    advise(
        ".expert --verbose",
        &[
            "select * from cu where a=1 and b=2",
            "select * from t where a='x' collate uint",
            "select * from fv",
            "select * from t where a=1; select * from nosuch; select 2",
            " -- just a comment",
            " /* c */",
        ],
        &more,
    );
    Case::new(
        "a comment line before the statement",
        &["db.db"],
        ".expert\n-- c\nselect * from t where a=1;\n",
    )
    .setup(&more)
    .check();
    // A schema the copy cannot take (a CHECK calling a function of the sqlite3 shell).
    Case::new(
        "schema copy fails",
        &["db.db", ".expert", "select * from ck where a=1"],
        "",
    )
    .setup(&|s: &Scratch| {
        s.db(
            "db.db",
            "CREATE TABLE ck(a CHECK(shell_idquote(a) IS NOT NULL));\n",
        )
    })
    .check();
}

/// The cases of SQLite's `ext/expert/expert1.test` (its CLI variant runs `sqlite3 test.db
/// ".expert" "SQL;"`), each also with `--verbose --sample 100` (the candidates and their
/// stat1 figures, as its `do_candidates_test` checks them).
#[test]
fn expert1_test_cases() {
    const T15: &str = "CREATE TABLE t1(a, b); CREATE TABLE t2(c, d); \
        WITH s(i) AS ( VALUES(1) UNION ALL SELECT i+1 FROM s WHERE i<100) INSERT INTO t1 SELECT (i-1)/50, (i-1)/20 FROM s; \
        WITH s(i) AS ( VALUES(1) UNION ALL SELECT i+1 FROM s WHERE i<100) INSERT INTO t2 SELECT (i-1)/20, (i-1)/5 FROM s;";
    const EXAMPLE: &str =
        "CREATE TABLE example (A INTEGER, B INTEGER, C INTEGER, PRIMARY KEY (A,B))";
    const SOME: &str = "CREATE TABLE SomeObject (a INTEGER PRIMARY KEY, x TEXT GENERATED ALWAYS AS(HEX(a)) VIRTUAL)";
    let table: &[(&str, &str)] = &[
        ("CREATE TABLE t1(a, b, c)", "SELECT * FROM t1"),
        ("CREATE TABLE t1(a, b, c)", "SELECT * FROM t1 WHERE b>?"),
        ("CREATE TABLE t1(a, b, c)", "SELECT * FROM t1 WHERE b COLLATE nocase BETWEEN ? AND ?"),
        ("CREATE TABLE t1(a, b, c)", "SELECT a FROM t1 ORDER BY b"),
        ("CREATE TABLE t1(a, b, c)", "SELECT a FROM t1 WHERE a=? ORDER BY b"),
        ("CREATE TABLE t1(a, b, c)", "SELECT min(a) FROM t1"),
        ("CREATE TABLE t1(a, b, c)", "SELECT * FROM t1 ORDER BY a, b, c"),
        ("CREATE TABLE t1(a, b, c)", "SELECT * FROM t1 ORDER BY a ASC, b COLLATE nocase DESC, c ASC"),
        ("CREATE TABLE t1(a COLLATE NOCase, b, c)", "SELECT * FROM t1 WHERE a=?"),
        ("CREATE TABLE t1(a, b COLLATE nocase, c)", "SELECT * FROM t1 ORDER BY a ASC, b DESC, c ASC"),
        ("CREATE TABLE \"t t\"(a, b, c)", "SELECT * FROM \"t t\" WHERE a=?"),
        ("CREATE TABLE \"t t\"(a, b, c)", "SELECT * FROM \"t t\" WHERE b BETWEEN ? AND ?"),
        ("CREATE TABLE t3(a, \"b b\", c)", "SELECT * FROM t3 WHERE \"b b\" = ?"),
        ("CREATE TABLE t3(a, \"b b\", c)", "SELECT * FROM t3 ORDER BY \"b b\""),
        ("CREATE TABLE t5(a, b); CREATE TABLE t6(c, d)", "SELECT * FROM t5, t6 WHERE a=? AND b=c AND c=?"),
        ("CREATE TABLE t7(a, b)", "SELECT * FROM t7 WHERE a=? OR b=?"),
        ("CREATE TABLE t8(a, b)", "SELECT * FROM t8 WHERE rowid=?"),
        ("CREATE TABLE t8(a, b)", "SELECT * FROM t8 ORDER BY rowid"),
        ("CREATE TABLE t8(a, b)", "SELECT * FROM t8 WHERE a=? ORDER BY rowid"),
        (
            "CREATE TABLE t9(a, b, c); CREATE TABLE t10(a, b, c); CREATE TRIGGER t9t AFTER INSERT ON t9 BEGIN UPDATE t10 SET a=new.a WHERE b = new.b; END;",
            "INSERT INTO t9 VALUES(?, ?, ?)",
        ),
        (T15, "SELECT * FROM t2, t1 WHERE b=? AND d=? AND t2.rowid=t1.rowid"),
        (T15, "SELECT * FROM t1,t2 WHERE (b=? OR a=?) AND (c=? OR d=?)"),
        (T15, "SELECT * FROM t1,t2 WHERE a=? AND b=? AND c=? AND d=?"),
        ("CREATE TABLE t1(a, b)", "SELECT * FROM t1 WHERE b IS NOT NULL"),
        (EXAMPLE, "SELECT * FROM example WHERE a=?"),
        (EXAMPLE, "SELECT * FROM example WHERE b=?"),
        (EXAMPLE, "SELECT * FROM example WHERE a=? AND b=?"),
        (EXAMPLE, "SELECT * FROM example WHERE a=? AND b>?"),
        (EXAMPLE, "SELECT * FROM example WHERE a>? AND b=?"),
        (SOME, "SELECT x FROM SomeObject"),
        (SOME, "SELECT * FROM SomeObject WHERE x=?"),
        ("CREATE TABLE t1(\"index\")", "SELECT * FROM t1 ORDER BY \"index\""),
        ("CREATE VIRTUAL TABLE ft USING fts5(a); CREATE TABLE t1(x, y)", "SELECT * FROM ft, t1 WHERE a=x"),
        ("CREATE VIRTUAL TABLE ft USING fts5(a); CREATE TABLE t1(x, y)", "SELECT * FROM ft, t2 WHERE b=1"),
        (
            "CREATE TABLE x1(a, b, c, d); CREATE INDEX x1ab ON x1(a, lower(b)); CREATE INDEX x1dcba ON x1(d, b+c, a);",
            "SELECT * FROM x1 WHERE b=? ORDER BY a",
        ),
        (
            &[T15, "CREATE INDEX i1 ON t1( lower(a) );"].concat(),
            "SELECT * FROM t1,t2 WHERE a=? AND b=? AND c=? AND d=?",
        ),
    ];
    for (setup_sql, sql) in table {
        let setup = |s: &Scratch| s.db("test.db", setup_sql);
        let stmt = format!("{sql};");
        Case::new(sql, &["test.db", ".expert", &stmt], "")
            .setup(&setup)
            .check();
        Case::new(
            sql,
            &["test.db", ".expert --verbose --sample 100", &stmt],
            "",
        )
        .setup(&setup)
        .check();
    }
}

/// The advisor reads the user's schema (and, with `--sample`, its rows) with queries on the
/// user's connection, which `.trace` and `.auth` show: the same queries as 3.40.1's. (3.40.1 also
/// leaves its `rem()` and `sample()` functions registered there, dangling; litesh does not:
/// see docs/compat.md.)
#[test]
fn trace_and_auth_show_the_advisors_queries() {
    let setup = |s: &Scratch| {
        s.db(
            "db.db",
            "CREATE TABLE t(a,b,c);\nINSERT INTO t VALUES(1,2,3);\nCREATE TABLE log(x,y);\nINSERT INTO log VALUES(1,1);\n\
             CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO log VALUES(new.a, (SELECT count(*) FROM log WHERE y=new.b)); END;\n\
             CREATE TABLE \"q t\"(\"x y\" PRIMARY KEY, z);\nCREATE VIEW v AS SELECT * FROM t;\n",
        )
    };
    for opts in ["", "--sample 100", "--sample 50"] {
        let stdin = format!(
            ".trace stdout\n.expert {opts}\ninsert into t values(1,2,3);\n.expert {opts}\nselect * from \"q t\" where z=1;\n"
        );
        Case::new("trace", &["db.db"], &stdin).setup(&setup).check();
        let stdin = format!(
            ".auth on\n.expert {opts}\ninsert into t values(1,2,3);\nselect 1;\n.expert\nselect * from nosuch;\nselect 2;\n"
        );
        Case::new("auth", &["db.db"], &stdin).setup(&setup).check();
    }
}
