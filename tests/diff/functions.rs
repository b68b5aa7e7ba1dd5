//! The functions, collations and table-valued functions sqlite3 3.40.1's shell registers on
//! every connection (series, regexp, shathree, fileio, decimal, ieee754, uint, completion,
//! the shell's own `shell_*`/`usleep`/`edit`, and 3.40.1's `round`): results and error
//! messages, including bulk comparisons over thousands of generated inputs.

use std::fmt::Write as _;
use std::path::Path;

use crate::harness::{litesh, require_sqlite3, run_in, show, Case, Scratch, SQLITE3};

fn sql(name: &str, query: &str) {
    Case::new(name, &[":memory:", query], "").check();
}

fn piped(name: &str, stdin: &str) {
    Case::new(name, &[":memory:"], stdin).check();
}

/// A small deterministic generator (splitmix64) for the bulk inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }

    /// Between `min` and `min + spread - 1` random digits.
    fn some_digits(&mut self, min: usize, spread: u64) -> String {
        let n = min + self.below(spread) as usize;
        self.digits(n)
    }

    fn string_from(&mut self, alphabet: &[u8], max_len: u64) -> String {
        let n = self.below(max_len + 1) as usize;
        (0..n)
            .map(|_| char::from(alphabet[self.below(alphabet.len() as u64) as usize]))
            .collect()
    }
}

/// An SQL string literal.
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Runs a large script through both programs and compares stdout and stderr line by line,
/// printing the first differences and the count. Returns the number of differing lines.
fn bulk(name: &str, script: &str) -> usize {
    if !require_sqlite3() {
        return 0;
    }
    let a = Scratch::new();
    let b = Scratch::new();
    let want = run_in(
        Path::new(SQLITE3),
        a.path(),
        &[":memory:"],
        script.as_bytes(),
    );
    let got = run_in(&litesh(), b.path(), &[":memory:"], script.as_bytes());
    let mut bad = 0;
    for (stream, w, g) in [
        ("stdout", &want.stdout, &got.stdout),
        ("stderr", &want.stderr, &got.stderr),
    ] {
        let (w, g) = (show(w), show(g));
        let (wl, gl): (Vec<&str>, Vec<&str>) = (w.lines().collect(), g.lines().collect());
        if wl.len() != gl.len() {
            eprintln!(
                "{name}: {stream} has {} lines from sqlite3, {} from litesh",
                wl.len(),
                gl.len()
            );
            bad += wl.len().abs_diff(gl.len());
        }
        for (i, (x, y)) in wl.iter().zip(&gl).enumerate() {
            if x != y {
                bad += 1;
                if bad <= 10 {
                    eprintln!(
                        "{name}: {stream} line {}: sqlite3 {x:?}, litesh {y:?}",
                        i + 1
                    );
                }
            }
        }
    }
    if want.code != got.code {
        bad += 1;
        eprintln!("{name}: exit code {:?} vs {:?}", want.code, got.code);
    }
    eprintln!("{name}: {bad} mismatches");
    bad
}

// ---------------------------------------------------------------- registration

#[test]
fn function_and_module_lists_cover_the_shell_extensions() {
    // The names sqlite3 3.40.1's shell adds; the newer library's extra built-ins are not
    // compared.
    let names = "'decimal','decimal_add','decimal_cmp','decimal_mul','decimal_sub','decimal_sum','edit','ieee754','ieee754_exponent','ieee754_from_blob','ieee754_mantissa','ieee754_to_blob','lsmode','readfile','regexp','regexpi','sha3','sha3_query','shell_add_schema','shell_escape_crnl','shell_idquote','shell_int32','shell_module_schema','shell_putsnl','sqlar_compress','sqlar_uncompress','usleep','writefile','zipfile','zipfile_cds'";
    sql(
        "function list",
        &format!(
            "SELECT name, narg, flags & 0x280800 FROM pragma_function_list WHERE name IN ({names}) ORDER BY 1, 2"
        ),
    );
    sql(
        "module list",
        "SELECT name FROM pragma_module_list WHERE name IN ('generate_series','fsdir','completion','zipfile') ORDER BY 1",
    );
}

// ---------------------------------------------------------------- generate_series

#[test]
fn series_basic_forms() {
    sql(
        "series forms",
        "SELECT group_concat(value) FROM generate_series(1, 10, 3) UNION ALL SELECT group_concat(value) FROM generate_series(1, 5) UNION ALL SELECT group_concat(value) FROM (SELECT value FROM generate_series(20) LIMIT 5) UNION ALL SELECT group_concat(value) FROM generate_series(10, 1) UNION ALL SELECT group_concat(value) FROM (SELECT value FROM generate_series(1, 10, 0) LIMIT 4)",
    );
}

#[test]
fn series_negative_steps_and_order() {
    piped(
        "series order",
        "SELECT value, start, stop, step, rowid FROM generate_series(1, 10, -3);\n\
         SELECT value FROM generate_series(1, 10, 3) ORDER BY value DESC;\n\
         SELECT value FROM generate_series(1, 10, -3) ORDER BY value;\n\
         SELECT value FROM generate_series(0, 32, 5) ORDER BY value DESC;\n\
         SELECT value FROM generate_series(-5, 5, 4);\n\
         SELECT value FROM generate_series(5, -5, -4);\n\
         SELECT value FROM generate_series(1, 10, -9223372036854775808) LIMIT 3;\n",
    );
}

#[test]
fn series_constraints_and_nulls() {
    piped(
        "series where",
        "SELECT value FROM generate_series(1, 10) WHERE value BETWEEN 3 AND 5;\n\
         SELECT value FROM generate_series WHERE start = 2 AND stop = 4;\n\
         SELECT value FROM generate_series WHERE start = 2 AND stop = 9 AND step = 3;\n\
         SELECT value FROM generate_series(1, 5) WHERE start = 2;\n\
         SELECT count(*) FROM generate_series(NULL, 3);\n\
         SELECT count(*) FROM generate_series(1, NULL);\n\
         SELECT count(*) FROM generate_series(1, 3, NULL);\n\
         SELECT value FROM generate_series('3', 5.7);\n\
         SELECT value FROM generate_series(x'41', 'abc');\n\
         SELECT value FROM generate_series('  -2abc', '1e3') LIMIT 4;\n\
         SELECT a.value, b.value FROM generate_series(1, 2) a, generate_series(a.value, 3) b;\n\
         SELECT value FROM generate_series(9223372036854775806, 9223372036854775807) LIMIT 3;\n\
         SELECT count(*) FROM generate_series(1, 1000000);\n",
    );
}

#[test]
fn series_errors() {
    piped(
        "series errors",
        "SELECT * FROM generate_series;\n\
         SELECT * FROM generate_series WHERE value BETWEEN 3 AND 5;\n\
         SELECT * FROM generate_series WHERE stop = 5;\n\
         SELECT * FROM generate_series(1, 2, 3, 4);\n\
         CREATE VIRTUAL TABLE x USING generate_series;\n\
         SELECT 1;\n",
    );
}

// ---------------------------------------------------------------- regexp

#[test]
fn regexp_operator_and_functions() {
    piped(
        "regexp basics",
        "SELECT 'abc' REGEXP 'b', 'abc' REGEXP '^b', regexp('[0-9]+', 'x12');\n\
         SELECT 'ABC' REGEXP 'abc', regexpi('abc', 'xABCx'), regexpi('[A-C]+', 'b');\n\
         SELECT regexp(NULL, 'a'), regexp('a', NULL), typeof(regexp('a', 'a'));\n\
         SELECT regexp('^\\d{3}-\\d{4}$', '555-1234'), regexp('\\w+@\\w+\\.com', 'me@x.com');\n\
         SELECT regexp('^(ab|cd)+$', 'abcdab'), regexp('colou?r', 'color'), regexp('\\bcat\\b', 'a cat!');\n\
         SELECT regexp('\\s', 'a b'), regexp('\\S+', '   '), regexp('[^[:]', ':');\n\
         SELECT regexp('é+', 'café'), regexp('^.$', 'é'), regexp('\\u00e9', 'é'), regexp('\\xe9', 'é');\n\
         SELECT regexp(1, 21), regexp(1.5, 'x1.5'), regexp('a', x'61');\n\
         SELECT count(*) FROM generate_series(1, 100) WHERE value REGEXP '^[1-3]?7$';\n",
    );
}

#[test]
fn regexp_error_messages() {
    let mut script = String::new();
    for p in [
        "*a",
        "+",
        "?",
        "{1}",
        "a{0}",
        "a{3,1}",
        "a{x}",
        "(ab",
        "ab)",
        "[abc",
        "[a-]",
        "[[:alpha:]]",
        "\\z",
        "\\z)",
        "a{,3}",
        "x{2,}",
    ] {
        writeln!(script, "SELECT {}, regexp({}, 'xaab');", lit(p), lit(p)).unwrap();
    }
    piped("regexp errors", &script);
}

#[test]
fn regexp_bulk_against_sqlite3() {
    let mut rng = Rng(0x5EED_4E6E);
    let alphabet = b"ab.()|*+?{},012^$[]-\\dwsbxuA ";
    let subjects = [
        "", "a", "b", "ab", "aab", "ba b", "xaab", "abab", "a1b2", "A b", "a\\", "]", "-", "a{1}",
        "  ",
    ];
    let mut script = String::new();
    for _ in 0..4000 {
        let p = rng.string_from(alphabet, 7);
        let s = rng.pick(&subjects);
        let f = if rng.below(5) == 0 {
            "regexpi"
        } else {
            "regexp"
        };
        writeln!(script, "SELECT {f}({}, {});", lit(&p), lit(s)).unwrap();
    }
    // Mostly valid patterns built from whole items, against longer subjects.
    let items = [
        "a", "b", "c", ".", "a*", "b+", "c?", ".*", "(a|b)", "(ab)*", "[abc]", "[^a]", "[a-c]+",
        "\\w", "\\W", "\\d+", "\\s", "\\b", "^", "$", "x{2}", "a{1,3}", "b{2,}", "(a|bc)+", "|",
        "\\.", "[.]", "é", "\\u00e9", "(c|)", "a**", "b+?", "(a*)*",
    ];
    let long_subjects = [
        "abc",
        "aaabbbccc",
        "xx abc.c",
        "cab",
        "bca a",
        "a.b",
        "ab ab",
        "ccc",
        "é",
        "café b",
        "12 ab",
        "xxbbxx",
        "",
    ];
    for _ in 0..3000 {
        let n = 1 + rng.below(5) as usize;
        let p: String = (0..n).map(|_| rng.pick(&items)).collect();
        let s = rng.pick(&long_subjects);
        let f = if rng.below(4) == 0 {
            "regexpi"
        } else {
            "regexp"
        };
        writeln!(script, "SELECT {f}({}, upper({}));", lit(&p), lit(s)).unwrap();
        writeln!(script, "SELECT {f}({}, {});", lit(&p), lit(s)).unwrap();
    }
    assert_eq!(bulk("regexp bulk", &script), 0);
}

// ---------------------------------------------------------------- sha3

#[test]
fn sha3_values_and_sizes() {
    piped(
        "sha3",
        "SELECT hex(sha3('abc')), hex(sha3('abc', 224)), hex(sha3('abc', 384)), hex(sha3('abc', 512));\n\
         SELECT hex(sha3(1)), hex(sha3(1.5)), hex(sha3(1.0/3)), hex(sha3(x'00ff')), hex(sha3('')), sha3(NULL);\n\
         SELECT hex(sha3(zeroblob(0))), length(sha3(zeroblob(1000), 512));\n\
         SELECT sha3('abc', 100);\n\
         SELECT sha3(NULL, 1);\n\
         SELECT sha3('abc', '256x') IS NOT NULL;\n\
         SELECT sha3();\n\
         SELECT sha3(1, 2, 3);\n",
    );
}

#[test]
fn sha3_query_byte_stream() {
    piped(
        "sha3_query",
        "CREATE TABLE t(a, b, c);\n\
         INSERT INTO t VALUES(1, 2.5, 'x'), (NULL, x'0102', -7), (1e300, '', 9223372036854775807);\n\
         SELECT hex(sha3_query('SELECT * FROM t'));\n\
         SELECT hex(sha3_query('SELECT * FROM t ORDER BY 1; SELECT 1;  -- c\n', 512));\n\
         SELECT hex(sha3_query('SELECT 1; SELECT 2')), hex(sha3_query('SELECT 1; SELECT 2 '));\n\
         SELECT hex(sha3_query('  '));\n\
         SELECT sha3_query(NULL);\n\
         SELECT sha3_query('SELECT 1; SELEC 2; SELECT 3');\n\
         SELECT sha3_query('CREATE TABLE u(x)');\n\
         SELECT sha3_query('SELECT * FROM nosuch');\n\
         SELECT sha3_query('SELECT 1', 100);\n",
    );
}

// ---------------------------------------------------------------- fileio

#[test]
fn readfile_and_lsmode() {
    let setup = |s: &Scratch| {
        s.write("f.txt", b"file body\n");
        s.write("empty", b"");
    };
    Case::new(
        "readfile",
        &[
            ":memory:",
            "SELECT typeof(readfile('f.txt')), length(readfile('f.txt')), readfile('nosuch') IS NULL, readfile(NULL) IS NULL, typeof(readfile('empty')), length(readfile('empty')), readfile('f.txt'), lsmode(33188), lsmode(16877), lsmode(41471), lsmode(0), lsmode('x'), lsmode(NULL)",
        ],
        "",
    )
    .setup(&setup)
    .check();
    Case::new("readfile dir", &[":memory:", "SELECT readfile('.')"], "").check();
}

#[test]
fn writefile_then_readfile() {
    Case::new(
        "writefile",
        &[":memory:"],
        "SELECT writefile('out.txt', 'hello');\n\
         SELECT writefile('sub/dir/deep.bin', x'000102');\n\
         SELECT writefile('num.txt', 12), writefile('null.txt', NULL), writefile('r.txt', 1.5);\n\
         SELECT readfile('out.txt'), hex(readfile('sub/dir/deep.bin')), readfile('num.txt'), length(readfile('null.txt')), readfile('r.txt');\n\
         SELECT writefile('d1', NULL, 16877), writefile('d1', NULL, 16877);\n\
         SELECT writefile('ln', 'out.txt', 41471), readfile('ln');\n\
         SELECT writefile('m.txt', 'x', 33152, 1000000000);\n\
         SELECT name, mode, mtime, data FROM fsdir('m.txt');\n\
         SELECT writefile('out.txt');\n\
         SELECT writefile('a', 'b', 1, 2, 3);\n\
         SELECT writefile(NULL, 'x', 33188);\n\
         SELECT writefile('out.txt/x', 'x', 33188);\n\
         SELECT writefile('out.txt/x', 'x', 16877);\n\
         SELECT writefile('out.txt/x', 'x', 41471);\n\
         SELECT writefile('out.txt/x', 'x');\n",
    )
    .files(&["out.txt", "sub/dir/deep.bin", "num.txt", "null.txt", "m.txt"])
    .check();
}

#[test]
fn fsdir_listing_and_errors() {
    let setup = |s: &Scratch| {
        s.write("t/a.txt", b"A");
        s.write("t/b/c.txt", b"CC");
        s.write("t/b/d/e", b"");
        std::os::unix::fs::symlink("a.txt", s.file("t/link")).unwrap();
    };
    Case::new(
        "fsdir",
        &[":memory:"],
        "SELECT name, lsmode(mode), typeof(mtime), data, path, dir FROM fsdir('t') ORDER BY name;\n\
         SELECT name FROM fsdir('b', 't') ORDER BY name;\n\
         SELECT name FROM fsdir('t/') ORDER BY name;\n\
         SELECT count(*) FROM fsdir WHERE path = 't';\n\
         SELECT name FROM fsdir('t/a.txt', NULL);\n\
         SELECT * FROM fsdir;\n\
         SELECT * FROM fsdir(NULL);\n\
         SELECT * FROM fsdir('nope');\n\
         SELECT * FROM fsdir('x', 'nope');\n",
    )
    .setup(&setup)
    .check();
}

#[test]
fn safe_mode_refuses_file_functions() {
    Case::new(
        "safe readfile",
        &["-safe", ":memory:", "SELECT readfile('x')"],
        "",
    )
    .check();
    Case::new(
        "safe writefile",
        &["-safe", ":memory:", "SELECT writefile('x', 'y')"],
        "",
    )
    .files(&["x"])
    .check();
    Case::new(
        "safe edit",
        &["-safe", ":memory:", "SELECT edit('x', 'true')"],
        "",
    )
    .check();
}

// ---------------------------------------------------------------- decimal

#[test]
fn decimal_functions() {
    piped(
        "decimal",
        "SELECT decimal_add('1.1', '2.2'), decimal_mul('1.5', '3'), decimal(0.1), decimal(1.0/3);\n\
         SELECT decimal_add('-1', '1'), decimal('-0.0'), decimal('-0.00'), decimal_cmp('0', '0.0'), decimal_cmp('-0', '0');\n\
         SELECT decimal('1x2.5e1'), decimal('  +007.50e-3'), decimal('e5'), decimal(''), decimal('1e'), decimal('1.5e+2x1');\n\
         SELECT decimal(NULL), decimal_add(NULL, 1), decimal_sub(1, NULL), decimal_mul(NULL, 1), decimal_cmp(1, NULL);\n\
         SELECT decimal_add('123456789012345678901234567890.123456789', '987654321098765432109876543210.876543211');\n\
         SELECT decimal_sub('1', '0.000000000000000000000000000001'), decimal_sub('-5', '-7.25');\n\
         SELECT decimal_mul('123456789012345678901234567890', '-98765432109876543210.5'), decimal_mul('1.50', '2.0');\n\
         SELECT decimal(1e300) = '1' || substr(printf('%.300c', '0'), 1, 300), decimal(12345), decimal(x'31322e35');\n\
         SELECT decimal_sum(x) FROM (SELECT '0.1' AS x UNION ALL SELECT '0.2' UNION ALL SELECT NULL UNION ALL SELECT '-1e2');\n\
         SELECT decimal_sum(x) FROM (SELECT 1 AS x WHERE 0);\n\
         SELECT decimal_sum(NULL) FROM (SELECT 1);\n\
         SELECT decimal_sum(value) OVER (ORDER BY value ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM generate_series(1, 5);\n\
         CREATE TABLE d(x);\n\
         INSERT INTO d VALUES('10'), ('9.5'), ('-3'), ('1e1'), ('0.0'), ('0'), ('-0'), ('100');\n\
         SELECT group_concat(x, ' ') FROM (SELECT x FROM d ORDER BY x COLLATE decimal, rowid);\n\
         SELECT decimal();\n\
         SELECT decimal_add(1);\n",
    );
}

#[test]
fn decimal_bulk_against_sqlite3() {
    let mut rng = Rng(0x5EED_DEC1);
    let num = |rng: &mut Rng| -> String {
        match rng.below(4) {
            0 => rng.string_from(b"0123456789.-+eE x", 8),
            1 => format!("{}.{}", rng.some_digits(1, 25), rng.some_digits(0, 12)),
            2 => format!(
                "-{}e{}{}",
                rng.some_digits(1, 6),
                rng.pick(&["", "-", "+"]),
                rng.below(12)
            ),
            _ => format!("0.{}", rng.some_digits(0, 8)),
        }
    };
    let mut script = String::new();
    for _ in 0..3000 {
        let (a, b) = (num(&mut rng), num(&mut rng));
        writeln!(
            script,
            "SELECT decimal({a}), decimal_add({a},{b}), decimal_sub({a},{b}), decimal_mul({a},{b}), decimal_cmp({a},{b}), {a} < {b} COLLATE decimal;",
            a = lit(&a),
            b = lit(&b)
        )
        .unwrap();
    }
    assert_eq!(bulk("decimal bulk", &script), 0);
}

// ---------------------------------------------------------------- ieee754

#[test]
fn ieee754_functions() {
    piped(
        "ieee754",
        "SELECT ieee754(2.5), hex(ieee754_to_blob(0.1)), ieee754_from_blob(x'3ff0000000000000');\n\
         SELECT ieee754(-0.0), ieee754(0.0), ieee754(1e999), ieee754(-1e999), ieee754(x'7ff8000000000001'), ieee754(x'0000000000000001');\n\
         SELECT ieee754('2.5'), ieee754(2, 0), ieee754(181, -2), ieee754(0, 2000), ieee754(1, -1080), ieee754(1, 5000), ieee754(-3, 1);\n\
         SELECT ieee754_mantissa(45.25), ieee754_exponent(45.25), ieee754_mantissa(x'01'), ieee754_exponent('abc');\n\
         SELECT ieee754_to_blob('1'), hex(ieee754_to_blob(1)), ieee754_from_blob(x'00'), ieee754_from_blob('12345678');\n\
         SELECT ieee754(NULL), ieee754(1, NULL), ieee754_to_blob(NULL), ieee754(4503599627370497, 1), ieee754(-1, -1074);\n\
         SELECT ieee754(1, 2, 3);\n",
    );
}

#[test]
fn ieee754_bulk_against_sqlite3() {
    let mut rng = Rng(0x5EED_1EEE);
    let mut script = String::new();
    for i in 0..3000 {
        let bits = match i % 3 {
            0 => rng.next(),
            1 => rng.next() & 0x800F_FFFF_FFFF_FFFF,
            _ => (rng.next() & 0xFFF0_0000_0000_0000) | (rng.below(64) << rng.below(40)),
        };
        let m = rng.next() as i64 >> rng.below(64);
        let e = rng.below(2400) as i64 - 1200;
        writeln!(
            script,
            "SELECT ieee754(x'{bits:016x}'), ieee754_mantissa(x'{bits:016x}'), ieee754_exponent(x'{bits:016x}'), hex(ieee754_to_blob(ieee754_from_blob(x'{bits:016x}'))), hex(ieee754_to_blob(ieee754({m}, {e})));"
        )
        .unwrap();
    }
    assert_eq!(bulk("ieee754 bulk", &script), 0);
}

// ---------------------------------------------------------------- uint

#[test]
fn uint_collation_orders_digit_runs_numerically() {
    piped(
        "uint",
        "CREATE TABLE u(x);\n\
         INSERT INTO u VALUES('a10'),('a9'),('a100'),('x00123y'),('x123y'),('x0123z'),('b'),('a'),(''),('9'),('10'),('010'),('a1b2'),('a1b10'),('A2'),(12),('99999999999999999999999'),('100000000000000000000000');\n\
         SELECT x FROM u ORDER BY x COLLATE uint, rowid;\n\
         SELECT 'x00123y' = 'x123y' COLLATE uint, 'a9' < 'a10' COLLATE uint;\n",
    );
}

#[test]
fn uint_bulk_against_sqlite3() {
    let mut rng = Rng(0x5EED_0171);
    let mut script = String::from("CREATE TABLE u(x);\nBEGIN;\n");
    for _ in 0..2000 {
        let s = rng.string_from(b"0012389ab-. ", 7);
        writeln!(script, "INSERT INTO u VALUES({});", lit(&s)).unwrap();
    }
    script.push_str("COMMIT;\nSELECT rowid, x FROM u ORDER BY x COLLATE uint, rowid;\n");
    assert_eq!(bulk("uint bulk", &script), 0);
}

// ---------------------------------------------------------------- round

#[test]
fn round_function_values() {
    sql(
        "round",
        "SELECT round(2.5), round(-2.5), round(0.125, 2), round(1.005, 2), round(123.456, -1), round(1e20, 3), round('abc'), round(NULL), round(1.5, NULL), round('2.345', '2'), round(0.49999999999999994), round(-0.0), round(1e300, 2), round(2.675, 2), round(0.285, 2), round(1.0/3, 40)",
    );
}

#[test]
fn round_bulk_against_sqlite3() {
    // Thousands of (x, n) pairs, compared bit for bit.
    let mut rng = Rng(0x5EED_0A0D);
    let mut script = String::from("CREATE TABLE t(x, n);\nBEGIN;\n");
    for i in 0..6000 {
        let x: f64 = match i % 6 {
            // Decimal ties and near-ties such as 1.005, 2.675, 0.125.
            0 => format!(
                "{}.{}5",
                {
                    let scale = 10u64.pow(rng.below(7) as u32);
                    rng.below(scale)
                },
                rng.some_digits(0, 6)
            )
            .parse()
            .unwrap(),
            // Short decimals of all sizes.
            1 => format!("{}e{}", rng.some_digits(1, 9), rng.below(40) as i64 - 25)
                .parse()
                .unwrap(),
            // Random bit patterns within round()'s range.
            2 => f64::from_bits(rng.next() & 0x433F_FFFF_FFFF_FFFF),
            // Long decimals.
            3 => format!("{}.{}", rng.some_digits(1, 5), rng.digits(17))
                .parse()
                .unwrap(),
            // Near 2^52 and integers.
            4 => 4503599627370496.0 - rng.below(1 << 20) as f64 * 0.25,
            _ => (rng.next() >> rng.below(64)) as f64 / 8.0,
        };
        let x = if rng.below(3) == 0 { -x } else { x };
        let n = match rng.below(10) {
            0 => rng.below(31) as i64,
            1 => rng.below(5) as i64 - 3,
            _ => rng.below(17) as i64,
        };
        writeln!(
            script,
            "INSERT INTO t VALUES(ieee754_from_blob(x'{:016x}'), {n});",
            x.to_bits()
        )
        .unwrap();
    }
    script.push_str(
        "COMMIT;\nSELECT rowid, n, hex(ieee754_to_blob(round(x, n))), hex(ieee754_to_blob(round(x))) FROM t;\n",
    );
    assert_eq!(bulk("round bulk", &script), 0);
}

// ---------------------------------------------------------------- completion

#[test]
fn completion_candidates() {
    piped(
        "completion",
        "CREATE TABLE tbl(colA, colB);\nCREATE VIEW vw AS SELECT 1 AS vc;\nATTACH ':memory:' AS aux;\nCREATE TABLE aux.other(z);\n\
         SELECT candidate, prefix, wholeline, phase FROM completion('co');\n\
         SELECT candidate, prefix FROM completion(NULL, 'SELECT * FROM t');\n\
         SELECT rowid, candidate FROM completion('', 'x ma');\n\
         SELECT count(*), count(DISTINCT candidate) FROM completion;\n\
         SELECT group_concat(candidate, ' ') FROM completion;\n\
         SELECT candidate FROM completion('O') ;\n\
         SELECT candidate FROM completion WHERE prefix = 'au' AND wholeline = 'x';\n",
    );
}

// ---------------------------------------------------------------- shell functions

#[test]
fn shell_helper_functions() {
    piped(
        "shell functions",
        "CREATE TABLE t1(a, \"b c\");\nCREATE VIEW v1 AS SELECT a, \"b c\" FROM t1;\n\
         SELECT shell_idquote('ab\"c'), shell_idquote(NULL), shell_idquote(12);\n\
         SELECT shell_int32(x'0000000100000002ffffffff', 0), shell_int32(x'0000000100000002ffffffff', 2), shell_int32(x'00000001', 1), shell_int32(x'00000001', -1), shell_int32(NULL, 0);\n\
         SELECT shell_escape_crnl(quote('a' || char(10) || 'b')), shell_escape_crnl(quote('a' || char(13, 10) || 'b')), shell_escape_crnl('x'), shell_escape_crnl(5);\n\
         SELECT shell_escape_crnl(quote('\\n' || char(10)));\n\
         SELECT shell_add_schema('CREATE TABLE t(x)', 'main', 't'), shell_add_schema('CREATE TABLE t(x)', 'my db', 't'), shell_add_schema('CREATE TABLE t(x)', 'temp', 't');\n\
         SELECT shell_add_schema('CREATE UNIQUE INDEX i ON t(x)', 'aux', 'i'), shell_add_schema('create table t(x)', 'main', 't'), shell_add_schema(42, 'main', 't');\n\
         SELECT shell_add_schema(sql, 'main', name) FROM sqlite_schema ORDER BY name;\n\
         SELECT shell_add_schema(sql, NULL, name) FROM sqlite_schema WHERE type = 'view';\n\
         SELECT shell_module_schema('generate_series'), shell_module_schema('t1'), shell_module_schema('nosuch');\n\
         SELECT usleep(1000), usleep(-5), usleep('x');\n\
         SELECT shell_putsnl('hello');\n",
    );
}

#[test]
fn edit_runs_the_editor() {
    let setup = |s: &Scratch| {
        s.write("ed.sh", b"#!/bin/sh\nprintf 'edited\\r\\n' > \"$1\"\n");
        std::fs::set_permissions(
            s.file("ed.sh"),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
    };
    Case::new(
        "edit",
        &[":memory:"],
        "SELECT edit('abc', 'true');\n\
         SELECT hex(edit(x'0102', 'true'));\n\
         SELECT hex(edit('x', './ed.sh'));\n\
         SELECT hex(edit('a' || char(13, 10), './ed.sh'));\n\
         SELECT edit('abc', 'false');\n\
         SELECT edit(NULL, 'true');\n\
         SELECT edit('abc');\n",
    )
    .setup(&setup)
    .check();
}
