//! Statement-completeness test with the semantics of SQLite's `sqlite3_complete()`.
//!
//! The shell uses this to decide whether the SQL text gathered so far ends a
//! statement. The rules mirror SQLite's `complete.c` (as built by default, with
//! triggers and `EXPLAIN` enabled):
//!
//! * the text is cut into coarse tokens: `;`, whitespace (space, `\t`, `\n`,
//!   `\f`, `\r` — but *not* `\v`), comments (`-- ...` up to a newline and
//!   `/* ... */`, both counted as whitespace), quoted items (`'...'`, `"..."`,
//!   `` `...` ``, `[...]`, no escapes: a doubled quote is simply two items),
//!   identifiers/keywords (ASCII letters and digits, `_`, `$` and every byte
//!   `>= 0x80`) and any other single byte;
//! * an unterminated quoted item or `/*` comment makes the text incomplete; a
//!   `--` comment running to the end of the text leaves the verdict to what came
//!   before it;
//! * a small automaton keeps `CREATE [TEMP|TEMPORARY] TRIGGER ...` open until a
//!   `;` that directly follows an `END` keyword which itself directly follows a
//!   `;` (whitespace and comments aside). An `EXPLAIN` prefix (optionally
//!   followed by other words, as in `EXPLAIN QUERY PLAN`) may precede `CREATE`.
//!
//! The text is handled as bytes; like the C function, which reads a
//! NUL-terminated string, everything from the first NUL byte on is ignored.

/// Coarse token classes, numbered as the columns of [`TRANSITIONS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    Semi = 0,
    Space = 1,
    Other = 2,
    Explain = 3,
    Create = 4,
    Temp = 5,
    Trigger = 6,
    End = 7,
}

/// Automaton states (rows of [`TRANSITIONS`]):
/// 0 nothing seen yet, 1 after a statement-ending `;`, 2 inside an ordinary
/// statement, 3 after `EXPLAIN`, 4 after `CREATE` (and `TEMP`), 5 inside a
/// trigger body, 6 after a `;` in a trigger body, 7 after `; END` in a trigger.
const TRANSITIONS: [[u8; 8]; 8] = [
    // SEMI SPACE OTHER EXPLAIN CREATE TEMP TRIGGER END
    [1, 0, 2, 3, 4, 2, 2, 2], // 0: start, nothing significant yet
    [1, 1, 2, 3, 4, 2, 2, 2], // 1: after a terminating ';'
    [1, 2, 2, 2, 2, 2, 2, 2], // 2: ordinary statement
    [1, 3, 3, 2, 4, 2, 2, 2], // 3: after EXPLAIN
    [1, 4, 2, 2, 2, 4, 5, 2], // 4: after CREATE [TEMP]
    [6, 5, 5, 5, 5, 5, 5, 5], // 5: inside a trigger
    [6, 6, 5, 5, 5, 5, 5, 7], // 6: after ';' inside a trigger
    [1, 7, 5, 5, 5, 5, 5, 5], // 7: after '; END' inside a trigger
];

/// The state meaning "the text ends with a complete statement".
const COMPLETE: u8 = 1;

/// True for bytes that may appear in an unquoted identifier or keyword:
/// ASCII letters and digits, `_`, `$`, and every byte `>= 0x80`.
fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Classifies an identifier-like word as one of the keywords that matter to the
/// automaton (case-insensitively), or as [`Token::Other`].
fn classify_word(word: &[u8]) -> Token {
    const KEYWORDS: [(&[u8], Token); 6] = [
        (b"create", Token::Create),
        (b"trigger", Token::Trigger),
        (b"temp", Token::Temp),
        (b"temporary", Token::Temp),
        (b"end", Token::End),
        (b"explain", Token::Explain),
    ];
    KEYWORDS
        .iter()
        .find(|(kw, _)| word.eq_ignore_ascii_case(kw))
        .map_or(Token::Other, |&(_, token)| token)
}

/// Returns true when `sql` ends with a complete SQL statement, exactly as
/// SQLite's `sqlite3_complete()` would for the same bytes.
///
/// "Complete" means the last significant token is a `;` that terminates a
/// statement: trailing whitespace and comments are ignored, `;` inside quoted
/// items and comments does not count, and inside `CREATE TRIGGER ... BEGIN ...`
/// only `; END ;` closes the statement. Empty or whitespace-only text is not
/// complete. Bytes from the first NUL on are ignored.
pub fn is_complete(sql: &[u8]) -> bool {
    let len = memchr::memchr(0, sql).unwrap_or(sql.len());
    let sql = &sql[..len];
    let mut state: u8 = 0;
    let mut i = 0;
    while i < sql.len() {
        let token = match sql[i] {
            b';' => Token::Semi,
            b' ' | b'\r' | b'\t' | b'\n' | 0x0c => Token::Space,
            b'/' if sql.get(i + 1) == Some(&b'*') => {
                // Find the closing "*/" starting after the opening "/*".
                let body = &sql[i + 2..];
                match memchr::memmem::find(body, b"*/") {
                    // Leave `i` on the closing '/'.
                    Some(p) => i = i + 2 + p + 1,
                    None => return false,
                }
                Token::Space
            }
            b'-' if sql.get(i + 1) == Some(&b'-') => {
                match memchr::memchr(b'\n', &sql[i..]) {
                    // Leave `i` on the newline that ends the comment.
                    Some(p) => i += p,
                    None => return state == COMPLETE,
                }
                Token::Space
            }
            b'[' => {
                match memchr::memchr(b']', &sql[i + 1..]) {
                    Some(p) => i = i + 1 + p,
                    None => return false,
                }
                Token::Other
            }
            quote @ (b'`' | b'"' | b'\'') => {
                match memchr::memchr(quote, &sql[i + 1..]) {
                    Some(p) => i = i + 1 + p,
                    None => return false,
                }
                Token::Other
            }
            b if is_ident_byte(b) => {
                let word_len = sql[i..]
                    .iter()
                    .position(|&b| !is_ident_byte(b))
                    .unwrap_or(sql.len() - i);
                let token = classify_word(&sql[i..i + word_len]);
                // Leave `i` on the last byte of the word.
                i += word_len - 1;
                token
            }
            _ => Token::Other,
        };
        state = TRANSITIONS[usize::from(state)][token as usize];
        i += 1;
    }
    state == COMPLETE
}

#[cfg(test)]
mod tests {
    use super::is_complete;
    use proptest::prelude::*;

    /// The bundled library's `sqlite3_complete()` on exactly these bytes.
    fn bundled(sql: &[u8]) -> bool {
        assert!(!sql.contains(&0), "test input has no NUL");
        crate::exec::raw::complete(sql)
    }

    /// The reference for SQLite 3.40.1 semantics, built on the bundled library.
    ///
    /// The bundled SQLite (3.54.x in libsqlite3-sys 0.40) changed one thing:
    /// a `--` comment that runs to the very end of the text now makes it
    /// incomplete, while 3.40.1 (and the 3.40.1 shell, checked with
    /// `printf 'select 1; -- c\n.print x\n' | sqlite3`) keep the verdict of
    /// the text before the comment. Appending a newline ends such a comment and
    /// changes nothing else (trailing whitespace never changes the state, and an
    /// open quote or block comment stays open), so the bundled verdict on
    /// `sql + "\n"` is exactly the 3.40.1 verdict on `sql`.
    fn reference(sql: &[u8]) -> bool {
        bundled(&[sql, b"\n"].concat())
    }

    /// True when the last line of `sql` holds `--`: only then may the text
    /// end inside a `--` comment, where 3.40.1 and the bundled library differ.
    fn may_end_in_line_comment(sql: &[u8]) -> bool {
        let last_line = sql.rsplit(|&b| b == b'\n').next().unwrap_or(&[]);
        last_line.windows(2).any(|w| w == b"--")
    }

    /// Checks one input against both references; returns a description of
    /// any disagreement.
    fn check(sql: &[u8]) -> Option<String> {
        let ours = is_complete(sql);
        let direct_applies = !may_end_in_line_comment(sql);
        if ours != reference(sql) || (direct_applies && ours != bundled(sql)) {
            Some(format!("{:?} -> {ours}", String::from_utf8_lossy(sql)))
        } else {
            None
        }
    }

    const TABLE: &[(&[u8], bool)] = &[
        // Empty and blank input.
        (b"", false),
        (b"   ", false),
        (b" \t\r\n\x0c ", false),
        (b";", true),
        (b"  ;  ", true),
        (b";;", true),
        // Plain statements.
        (b"select 1", false),
        (b"select 1;", true),
        (b"select 1;\n", true),
        (b"select 1; select 2", false),
        (b"select 1; select 2;", true),
        // '\v' is not whitespace for sqlite3_complete.
        (b"select 1;\x0b", false),
        // Comments.
        (b"select 1; -- done", true),
        (b"select 1; --", true),
        (b";--;", true),
        (b"select 1; -- done\n", true),
        (b"select 1; -- done\nx", false),
        (b"select 1 -- not done;", false),
        (b"select 1 -- c\n;", true),
        (b"select 1; /* c */", true),
        (b"select 1 /* ; */", false),
        (b"select 1; /* unterminated", false),
        (b"/* a */ ;", true),
        (b"/*/ ; */", false),
        (b"/**/;", true),
        (b"-- only a comment", false),
        (b"-- c\n;", true),
        (b"- -;", true),
        (b"select 1/2;", true),
        // Quoted items.
        (b"select ';'", false),
        (b"select ';';", true),
        (b"select 'it''s';", true),
        (b"select 'unterminated;", false),
        (b"select \"a;b\";", true),
        (b"select `a;b`;", true),
        (b"select [a;b];", true),
        (b"select [a;b;", false),
        (b"select [a]]", false),
        (b"select \"a'b\";", true),
        (b"select 'a\"b';", true),
        (b"select 'a\\';", true),
        // Identifier bytes >= 0x80, including invalid UTF-8.
        (b"select \xc3\xa9;", true),
        (b"select '\xff\xfe';", true),
        (b"\xffcreate trigger x;", true),
        // Triggers.
        (b"create trigger t after insert on x begin select 1;", false),
        (
            b"create trigger t after insert on x begin select 1; end",
            false,
        ),
        (
            b"create trigger t after insert on x begin select 1; end;",
            true,
        ),
        (
            b"CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; SELECT 2; END;",
            true,
        ),
        (
            b"create trigger t after insert on x begin select 1; end; select",
            false,
        ),
        (
            b"create trigger t after insert on x begin select 1; end; -- c",
            true,
        ),
        (
            b"create trigger t after insert on x begin select 1;\n  end\n  ;",
            true,
        ),
        (
            b"create trigger t after insert on x begin select 1; /* c */ end /* d */ ;",
            true,
        ),
        (
            b"create trigger t after insert on x begin select 1; endx;",
            false,
        ),
        (
            b"create trigger t after insert on x begin select 1; xend;",
            false,
        ),
        (
            b"create trigger t after insert on x begin select 'end;';",
            false,
        ),
        (
            b"create trigger t after insert on x begin select 1; end end;",
            false,
        ),
        (
            b"create trigger t after insert on x begin select 1; select end;",
            false,
        ),
        (b"create trigger;", false),
        (b"create trigger; end;", true),
        (b"create table t(a);", true),
        (b"create temp trigger t begin x; end;", true),
        (b"create temp trigger t begin x;", false),
        (b"create temporary trigger t begin x;", false),
        (b"CREATE TEMPORARY TRIGGER t BEGIN x;", false),
        (b"create temp temp trigger t begin x;", false),
        (b"create temps trigger t begin x;", true),
        (b"create /* c */ trigger t begin x;", false),
        (b"create -- c\n trigger t begin x;", false),
        (b"createtrigger t begin x;", true),
        (b"create x trigger t begin x;", true),
        (b"select 1; create trigger t begin x;", false),
        (
            b"create trigger t begin x; end; create trigger u begin y;",
            false,
        ),
        (b"end;", true),
        (b"trigger;", true),
        // EXPLAIN.
        (b"explain create trigger t begin x;", false),
        (b"explain create trigger t begin x; end;", true),
        (b"EXPLAIN QUERY PLAN CREATE TRIGGER t BEGIN x;", false),
        (b"explain explain create trigger t begin x;", true),
        (b"explain temp create trigger t begin x;", true),
        (b"explain;", true),
        (b"select 1; explain create trigger t begin x;", false),
        (b"explainx create trigger t begin x;", true),
        // Everything after a NUL byte is ignored, as in C.
        (b"select 1;\0 'unterminated", true),
        (b"select 1\0;", false),
    ];

    #[test]
    fn table() {
        for (sql, expected) in TABLE {
            assert_eq!(
                is_complete(sql),
                *expected,
                "is_complete({:?})",
                String::from_utf8_lossy(sql)
            );
        }
    }

    #[test]
    fn table_agrees_with_sqlite() {
        for (sql, expected) in TABLE {
            let upto_nul = sql.split(|&b| b == 0).next().unwrap_or(&[]);
            assert_eq!(
                reference(upto_nul),
                *expected,
                "sqlite3_complete({:?})",
                String::from_utf8_lossy(sql)
            );
        }
    }

    /// Interesting pieces from which the random inputs are built.
    const PIECES: &[&[u8]] = &[
        b";",
        b"'",
        b"\"",
        b"--",
        b"/*",
        b"*/",
        b"\n",
        b" ",
        b"CREATE",
        b"TRIGGER",
        b"TEMP",
        b"END",
        b"BEGIN",
        b"EXPLAIN",
        b"x",
        b"[",
        b"]",
        b"`",
        "\u{e9}".as_bytes(),
        b"\xff",
        b"/",
        b"-",
        b"\r",
        b"\x0b",
        b"temporary",
        b"end",
        b"create",
        b"$",
        b"_",
    ];

    /// Exhaustive comparison over every sequence of up to three pieces.
    #[test]
    fn exhaustive_short_sequences_match_sqlite() {
        let mut mismatches = Vec::new();
        let mut total = 0usize;
        let n = PIECES.len();
        for len in 0..=3u32 {
            for mut code in 0..n.pow(len) {
                let mut sql = Vec::new();
                for _ in 0..len {
                    sql.extend_from_slice(PIECES[code % n]);
                    code /= n;
                }
                total += 1;
                mismatches.extend(check(&sql));
            }
        }
        assert!(total > 20_000, "only {total} cases");
        assert!(mismatches.is_empty(), "mismatches: {mismatches:?}");
    }

    /// Direct comparison with the system's SQLite 3.40.1 library through
    /// Python's `sqlite3.complete_statement()` (which calls
    /// `sqlite3_complete()`), for random valid-UTF-8 inputs. Needs `python3`
    /// linked against SQLite 3.40.1, hence ignored by default:
    /// `cargo test -- --ignored matches_system_sqlite_3_40`.
    #[test]
    #[ignore]
    fn matches_system_sqlite_3_40() {
        use std::io::Write;
        use std::process::{Command, Stdio};
        const SCRIPT: &str = "import sqlite3, sys\n\
            assert sqlite3.sqlite_version == '3.40.1', sqlite3.sqlite_version\n\
            for line in sys.stdin:\n\
            \x20   s = bytes.fromhex(line.strip()).decode('utf-8')\n\
            \x20   print(1 if sqlite3.complete_statement(s) else 0)\n";
        let pieces: Vec<&[u8]> = PIECES
            .iter()
            .copied()
            .filter(|p| std::str::from_utf8(p).is_ok())
            .collect();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let inputs: Vec<Vec<u8>> = (0..50_000)
            .map(|_| {
                (0..next(24))
                    .map(|_| pieces[next(pieces.len())])
                    .collect::<Vec<_>>()
                    .concat()
            })
            .collect();
        let mut hex = String::new();
        for input in &inputs {
            for b in input {
                hex.push_str(&format!("{b:02x}"));
            }
            hex.push('\n');
        }
        let mut child = Command::new("python3")
            .args(["-c", SCRIPT])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("run python3");
        let mut stdin = child.stdin.take().expect("stdin");
        let writer = std::thread::spawn(move || stdin.write_all(hex.as_bytes()));
        let output = child.wait_with_output().expect("wait for python3");
        writer.join().expect("writer").expect("write inputs");
        assert!(output.status.success());
        let verdicts: Vec<bool> = output
            .stdout
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| l == b"1")
            .collect();
        assert_eq!(verdicts.len(), inputs.len());
        let mismatches: Vec<String> = inputs
            .iter()
            .zip(&verdicts)
            .filter(|(input, verdict)| is_complete(input) != **verdict)
            .map(|(input, _)| String::from_utf8_lossy(input).into_owned())
            .collect();
        eprintln!("{} inputs, {} mismatches", inputs.len(), mismatches.len());
        assert!(mismatches.is_empty(), "mismatches: {mismatches:?}");
    }

    fn piece_strategy() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            proptest::sample::select(PIECES).prop_map(<[u8]>::to_vec),
            0..24,
        )
        .prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(25_000))]

        #[test]
        fn random_sequences_match_sqlite(sql in piece_strategy()) {
            prop_assert_eq!(check(&sql), None);
        }

        #[test]
        fn random_bytes_match_sqlite(sql in proptest::collection::vec(1u8..=255, 0..40)) {
            prop_assert_eq!(check(&sql), None);
        }
    }
}
