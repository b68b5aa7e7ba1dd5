//! The differential harness: the same input through litesh and `/usr/bin/sqlite3` 3.40.1,
//! each in its own scratch directory holding the same files, with the same environment.
//! Both processes are started with `argv[0] = "sqlite3"` so that messages naming the program
//! compare equal. Expected outputs always come from running sqlite3, never from a file.

#![allow(dead_code)]

pub mod faults;
pub mod s3;

use std::fs;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

/// The reference binary.
pub const SQLITE3: &str = "/usr/bin/sqlite3";

/// The litesh binary under test.
pub fn litesh() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_litesh"))
}

/// True when the reference binary is there. Without it the differential tests cannot say
/// anything: they fail under CI (`CI=true`) and say so loudly elsewhere.
pub fn have_sqlite3() -> bool {
    static CHECKED: OnceLock<bool> = OnceLock::new();
    *CHECKED.get_or_init(|| {
        let ok = Command::new(SQLITE3)
            .arg("-version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).starts_with("3.40.1 "))
            .unwrap_or(false);
        if !ok {
            eprintln!(
                "\n!!!!! {SQLITE3} (version 3.40.1) is missing: the differential tests compare \
                 against it and CANNOT RUN. Install the sqlite3 package (apt-get install sqlite3). !!!!!\n"
            );
        }
        ok
    })
}

/// True under CI (`CI=true` or `CI=1`), where a test may not skip for want of something.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Call at the top of every differential test: `false` means skip (outside CI only).
pub fn require_sqlite3() -> bool {
    if have_sqlite3() {
        return true;
    }
    if in_ci() {
        panic!("{SQLITE3} 3.40.1 is required for the differential tests (CI=true)");
    }
    false
}

/// The result of one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Standard output bytes.
    pub stdout: Vec<u8>,
    /// Standard error bytes.
    pub stderr: Vec<u8>,
    /// Exit code (`None` when killed by a signal).
    pub code: Option<i32>,
}

/// A scratch directory with files in it.
pub struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    /// A new empty directory.
    pub fn new() -> Self {
        Scratch {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Path of a file inside it.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file.
    pub fn write(&self, name: &str, bytes: &[u8]) {
        let p = self.file(name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(p, bytes).unwrap();
    }

    /// Builds a database file with sqlite3 from SQL.
    pub fn db(&self, name: &str, sql: &str) {
        let out = Command::new(SQLITE3)
            .arg(self.file(name))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                c.stdin.take().unwrap().write_all(sql.as_bytes())?;
                c.wait_with_output()
            })
            .expect("run sqlite3");
        assert!(
            out.status.success(),
            "fixture SQL failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Copies a fixture from `fixtures/`.
    pub fn fixture(&self, name: &str) {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name);
        fs::copy(src, self.file(name)).unwrap();
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Self::new()
    }
}

/// Runs a program in `dir` with `args` and `stdin`, `argv[0]` set to "sqlite3".
pub fn run_in(program: &Path, dir: &Path, args: &[&str], stdin: &[u8]) -> Outcome {
    run_in_env(program, dir, args, stdin, &[])
}

/// [`run_in`] with these variables added to the scrubbed environment.
pub fn run_in_env(
    program: &Path,
    dir: &Path,
    args: &[&str],
    stdin: &[u8],
    env: &[(&str, &str)],
) -> Outcome {
    let home = dir.join(".home");
    let _ = fs::create_dir_all(&home);
    let mut cmd = Command::new(program);
    cmd.arg0("sqlite3")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", &home)
        .env("LANG", "C.UTF-8")
        .env("TZ", "UTC")
        .envs(env.iter().copied());
    run_command(&mut cmd, stdin)
}

/// Runs a prepared command with `stdin` piped in and its output collected (with the same
/// hang guard as [`run_in`]).
pub fn run_command(cmd: &mut Command, stdin: &[u8]) -> Outcome {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    let mut sin = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = sin.write_all(&input);
    });
    let out = wait_with_timeout(child, Duration::from_secs(60));
    let _ = writer.join();
    Outcome {
        stdout: out.stdout,
        stderr: out.stderr,
        code: out.status.code(),
    }
}

fn wait_with_timeout(child: std::process::Child, limit: Duration) -> std::process::Output {
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(r) => r.expect("wait"),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(id.to_string()).status();
            panic!("process {id} did not finish within {limit:?} (hang)");
        }
    }
}

/// One differential case: setup, arguments and stdin.
pub struct Case<'a> {
    /// A name for failure messages.
    pub name: &'a str,
    /// Command-line arguments (after argv[0]).
    pub args: Vec<String>,
    /// Bytes piped to stdin.
    pub stdin: Vec<u8>,
    /// Prepares each scratch directory (called once for each program).
    pub setup: Option<&'a dyn Fn(&Scratch)>,
    /// Files whose bytes must be equal afterwards.
    pub compare_files: Vec<String>,
    /// Database files that must hold the same content afterwards.
    pub compare_dbs: Vec<String>,
    /// Compare REAL literals in stdout by value (for `.dump` and insert/quote output).
    pub reals_by_value: bool,
    /// Also compare the names of every file and directory left in the scratch directory
    /// (what was created or removed).
    pub compare_listing: bool,
}

impl<'a> Case<'a> {
    /// A case with these arguments and stdin.
    pub fn new(name: &'a str, args: &[&str], stdin: &str) -> Self {
        Case {
            name,
            args: args.iter().map(|s| s.to_string()).collect(),
            stdin: stdin.as_bytes().to_vec(),
            setup: None,
            compare_files: vec![],
            compare_dbs: vec![],
            reals_by_value: false,
            compare_listing: false,
        }
    }

    /// With raw stdin bytes.
    pub fn stdin_bytes(mut self, b: &[u8]) -> Self {
        self.stdin = b.to_vec();
        self
    }

    /// With a setup function.
    pub fn setup(mut self, f: &'a dyn Fn(&Scratch)) -> Self {
        self.setup = Some(f);
        self
    }

    /// Also compare these files byte for byte.
    pub fn files(mut self, names: &[&str]) -> Self {
        self.compare_files = names.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Also compare these databases logically.
    pub fn dbs(mut self, names: &[&str]) -> Self {
        self.compare_dbs = names.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Compare REAL literals in stdout by value rather than by digits.
    pub fn reals(mut self) -> Self {
        self.reals_by_value = true;
        self
    }

    /// Also compare which files and directories the scratch directory holds afterwards.
    pub fn listing(mut self) -> Self {
        self.compare_listing = true;
        self
    }

    /// Runs both programs and asserts equal outcomes.
    pub fn check(self) {
        if !require_sqlite3() {
            return;
        }
        let a = Scratch::new();
        let b = Scratch::new();
        if let Some(f) = self.setup {
            f(&a);
            f(&b);
        }
        let args: Vec<&str> = self.args.iter().map(|s| s.as_str()).collect();
        let want = run_in(Path::new(SQLITE3), a.path(), &args, &self.stdin);
        let got = run_in(&litesh(), b.path(), &args, &self.stdin);
        let mut problems = differences("", &want, &got, self.reals_by_value);
        for f in &self.compare_files {
            let x = fs::read(a.file(f)).ok();
            let y = fs::read(b.file(f)).ok();
            let same = match (&x, &y) {
                (Some(x), Some(y)) if self.reals_by_value => same_modulo_reals(x, y),
                _ => x == y,
            };
            if !same {
                problems.push(format!(
                    "file {f} differs\n--- sqlite3:\n{}\n--- litesh:\n{}",
                    x.as_deref().map(show).unwrap_or_else(|| "(missing)".into()),
                    y.as_deref().map(show).unwrap_or_else(|| "(missing)".into())
                ));
            }
        }
        if self.compare_listing {
            let (x, y) = (listing(a.path()), listing(b.path()));
            if x != y {
                problems.push(format!(
                    "the files left differ\n--- sqlite3:\n{}\n--- litesh:\n{}",
                    x.join("\n"),
                    y.join("\n")
                ));
            }
        }
        for d in &self.compare_dbs {
            let x = db_content(&a.file(d));
            let y = db_content(&b.file(d));
            if x != y {
                problems.push(format!(
                    "database {d} differs\n--- sqlite3:\n{x}\n--- litesh:\n{y}"
                ));
            }
        }
        assert!(
            problems.is_empty(),
            "case {:?} (args {:?}, stdin {:?}):\n{}",
            self.name,
            self.args,
            show(&self.stdin),
            problems.join("\n")
        );
    }
}

/// What differs between sqlite3's outcome `want` and litesh's `got` (stdout, stderr, exit
/// code), each described for a failure message that starts with `label`. With
/// `reals_by_value`, REAL literals in stdout compare by value.
pub fn differences(
    label: &str,
    want: &Outcome,
    got: &Outcome,
    reals_by_value: bool,
) -> Vec<String> {
    let mut problems = Vec::new();
    let same_stdout = if reals_by_value {
        same_modulo_reals(&want.stdout, &got.stdout)
    } else {
        want.stdout == got.stdout
    };
    if !same_stdout {
        problems.push(format!(
            "{label}stdout differs\n--- sqlite3:\n{}\n--- litesh:\n{}",
            show(&want.stdout),
            show(&got.stdout)
        ));
    }
    if want.stderr != got.stderr {
        problems.push(format!(
            "{label}stderr differs\n--- sqlite3:\n{}\n--- litesh:\n{}",
            show(&want.stderr),
            show(&got.stderr)
        ));
    }
    if want.code != got.code {
        problems.push(format!(
            "{label}exit code: sqlite3 {:?}, litesh {:?}",
            want.code, got.code
        ));
    }
    problems
}

/// Every path below `dir` (relative, sorted; directories end with `/`; symbolic links are
/// not followed).
pub fn listing(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            let rel = p
                .strip_prefix(root)
                .unwrap_or(&p)
                .to_string_lossy()
                .into_owned();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                out.push(format!("{rel}/"));
                walk(root, &p, out);
            } else {
                out.push(rel);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Bytes for a failure message (lossy, with a marker for binary data).
pub fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Splits text into REAL-looking literals and the rest.
fn tokens(b: &[u8]) -> Vec<Result<f64, Vec<u8>>> {
    let s = b;
    let mut out = Vec::new();
    let mut i = 0;
    let mut plain = Vec::new();
    while i < s.len() {
        let start = i;
        let prev_ok = start == 0
            || !(s[start - 1].is_ascii_alphanumeric()
                || s[start - 1] == b'_'
                || s[start - 1] == b'.');
        if prev_ok
            && (s[i].is_ascii_digit()
                || (s[i] == b'-' && s.get(i + 1).is_some_and(|c| c.is_ascii_digit())))
        {
            let mut j = i + 1;
            while j < s.len()
                && (s[j].is_ascii_digit() || matches!(s[j], b'.' | b'e' | b'E' | b'+' | b'-'))
            {
                if matches!(s[j], b'+' | b'-') && !matches!(s[j - 1], b'e' | b'E') {
                    break;
                }
                j += 1;
            }
            let lit = &s[i..j];
            let is_real = lit.iter().any(|c| matches!(c, b'.' | b'e' | b'E'));
            if is_real {
                if let Some(v) = std::str::from_utf8(lit)
                    .ok()
                    .and_then(|t| t.parse::<f64>().ok())
                {
                    if !plain.is_empty() {
                        out.push(Err(std::mem::take(&mut plain)));
                    }
                    out.push(Ok(v));
                    i = j;
                    continue;
                }
            }
            plain.extend_from_slice(lit);
            i = j;
            continue;
        }
        plain.push(s[i]);
        i += 1;
    }
    if !plain.is_empty() {
        out.push(Err(plain));
    }
    out
}

/// Equal except that REAL literals may be spelled with other digits for the same double
/// (3.40.1's 20-digit long-double text is off by one unit in the last place at times).
pub fn same_modulo_reals(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    let ta = tokens(a);
    let tb = tokens(b);
    ta.len() == tb.len()
        && ta.iter().zip(&tb).all(|(x, y)| match (x, y) {
            (Ok(x), Ok(y)) => x.to_bits() == y.to_bits() || ulps_apart(*x, *y) <= 1,
            (Err(x), Err(y)) => x == y,
            _ => false,
        })
}

fn ulps_apart(a: f64, b: f64) -> u64 {
    if a.is_sign_negative() != b.is_sign_negative() {
        return if a == b { 0 } else { u64::MAX };
    }
    a.to_bits().abs_diff(b.to_bits())
}

/// A database's logical content, read with sqlite3: schema rows, then every row of every
/// table with `typeof()` and REALs as their exact bits.
pub fn db_content(path: &Path) -> String {
    if !path.exists() {
        return "(no file)".into();
    }
    let list = Command::new(SQLITE3)
        .arg("-readonly")
        .arg(path)
        .arg("SELECT type, name, tbl_name, quote(sql) FROM sqlite_schema ORDER BY name")
        .output()
        .expect("sqlite3");
    let mut out = String::from_utf8_lossy(&list.stdout).into_owned();
    out.push_str(&String::from_utf8_lossy(&list.stderr));
    let tables = Command::new(SQLITE3)
        .arg("-readonly")
        .arg(path)
        .arg("SELECT name FROM sqlite_schema WHERE type='table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")
        .output()
        .expect("sqlite3");
    for t in String::from_utf8_lossy(&tables.stdout).lines() {
        let cols = Command::new(SQLITE3)
            .arg("-readonly")
            .arg(path)
            .arg(format!(
                "SELECT name FROM pragma_table_info('{}')",
                t.replace('\'', "''")
            ))
            .output()
            .expect("sqlite3");
        let cols: Vec<String> = String::from_utf8_lossy(&cols.stdout)
            .lines()
            .map(|s| s.to_string())
            .collect();
        if cols.is_empty() {
            continue;
        }
        let exprs: Vec<String> = cols
            .iter()
            .map(|c| {
                let q = format!("\"{}\"", c.replace('"', "\"\""));
                format!("typeof({q}) || ':' || CASE typeof({q}) WHEN 'real' THEN hex(ieee754_to_blob({q})) ELSE quote({q}) END")
            })
            .collect();
        let q = format!(
            "SELECT {} FROM \"{}\" ORDER BY 1",
            exprs.join(" || ',' || "),
            t.replace('"', "\"\"")
        );
        let rows = Command::new(SQLITE3)
            .arg("-readonly")
            .arg(path)
            .arg(&q)
            .output()
            .expect("sqlite3");
        out.push_str(&format!("== {t}\n"));
        let mut lines: Vec<String> = String::from_utf8_lossy(&rows.stdout)
            .lines()
            .map(|s| s.to_string())
            .collect();
        lines.sort();
        out.push_str(&lines.join("\n"));
        out.push_str(&String::from_utf8_lossy(&rows.stderr));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals_compare_by_value() {
        assert!(same_modulo_reals(
            b"VALUES(0.10000000000000000555,1);",
            b"VALUES(0.1,1);"
        ));
        assert!(!same_modulo_reals(b"VALUES(0.2,1);", b"VALUES(0.1,1);"));
        assert!(!same_modulo_reals(b"VALUES(0.1,2);", b"VALUES(0.1,1);"));
        assert!(same_modulo_reals(b"x 1.0e+20 y", b"x 1e20 y"));
    }
}
