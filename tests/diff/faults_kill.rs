//! Process faults (issue 9): `kill -9` at many points during `.backup`, `.save`, a restore
//! from a dump (`litesh new.db < dump.sql`), `.import`, `.snapshot create`, `.snapshot
//! prune` and `.snapshot restore`. Afterwards every database involved opens, passes
//! `PRAGMA integrity_check` and holds the old or the new content (nothing or everything for
//! a restore or an import, which run in one transaction; no file or the whole copy for a
//! backup to a new file), and every repository passes `.snapshot verify --all` and takes the
//! next command.
//!
//! The kill points are time offsets spread over one uninterrupted run of the same command
//! (measured first), so they land from start-up to the last write. The default suite tries a
//! few per operation; `kill_9_at_many_points` (ignored) tries `LITESH_KILL_POINTS` (default
//! 40) per operation and prints the tally of outcomes. `safe_copy.rs` and `snapshot.rs` keep
//! their earlier single kills.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::faults::kill_points;
use crate::harness::{litesh, require_sqlite3, Scratch, SQLITE3};

/// Rows of the big database and of the import file.
const ROWS: u32 = 20_000;

/// What the runs of one operation ended as.
type Tally = BTreeMap<&'static str, usize>;

fn q(dir: &Path, db: &str, sql: &str) -> String {
    let o = Command::new(SQLITE3)
        .arg(db)
        .arg(sql)
        .current_dir(dir)
        .output()
        .expect("sqlite3");
    let mut s = String::from_utf8_lossy(&o.stdout).trim().to_string();
    s.push_str(String::from_utf8_lossy(&o.stderr).trim());
    s
}

/// `litesh ARGS` in `dir`, with stdin from `stdin_file` when given.
fn litesh_cmd(dir: &Path, args: &[&str], stdin_file: Option<&str>) -> Command {
    let mut c = Command::new(litesh());
    c.args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    match stdin_file {
        Some(f) => c.stdin(std::fs::File::open(dir.join(f)).expect("stdin file")),
        None => c.stdin(Stdio::null()),
    };
    c
}

/// Runs the command to its end; how long it took.
fn timed(mut c: Command) -> Duration {
    let t = Instant::now();
    let st = c.status().expect("spawn litesh");
    assert!(st.success(), "the uninterrupted run failed: {c:?}");
    t.elapsed()
}

/// Starts the command and kills it (SIGKILL) after `after`; false when it had already ended.
fn kill_after(mut c: Command, after: Duration) -> bool {
    let mut child = c.spawn().expect("spawn litesh");
    std::thread::sleep(after);
    if child.try_wait().expect("try_wait").is_some() {
        return false;
    }
    child.kill().expect("kill -9");
    let _ = child.wait();
    true
}

/// The kill offsets: `n` points spread over `span` (the first just after start-up).
fn offsets(span: Duration, n: usize) -> Vec<Duration> {
    (0..n)
        .map(|i| span.mul_f64((i as f64 + 0.5) / n as f64))
        .collect()
}

fn report(op: &str, tally: &Tally) {
    let total: usize = tally.values().sum();
    eprintln!("kill -9: {op}: {total} points: {tally:?}");
}

/// Counts one outcome; `killed` false means the command had already finished.
fn count(tally: &mut Tally, killed: bool, outcome: &'static str) {
    let key = match (killed, outcome) {
        (false, "new") => "finished before the kill",
        (_, o) => o,
    };
    *tally.entry(key).or_default() += 1;
}

fn big_db(s: &Scratch, name: &str) {
    s.db(
        name,
        &format!(
            "CREATE TABLE t(a INTEGER PRIMARY KEY, b BLOB);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<{ROWS})
             INSERT INTO t SELECT i, randomblob(1000) FROM n;"
        ),
    );
}

const OLD: &str = "CREATE TABLE old(x); INSERT INTO old VALUES('old content');";

/// What a database file holds after a kill: "old", "new", "nothing" (an empty database,
/// or none), checked to be whole.
fn state(dir: &Path, db: &str) -> &'static str {
    if !dir.join(db).exists() {
        return "no file";
    }
    assert_eq!(
        q(dir, db, "PRAGMA integrity_check"),
        "ok",
        "{db} is damaged"
    );
    let tables = q(
        dir,
        db,
        "SELECT group_concat(name) FROM sqlite_schema WHERE type='table'",
    );
    match tables.as_str() {
        "" => "nothing",
        "old" => {
            assert_eq!(q(dir, db, "SELECT x FROM old"), "old content");
            "old"
        }
        "t" => {
            assert_eq!(
                q(dir, db, "SELECT count(*) FROM t"),
                ROWS.to_string(),
                "{db} holds part of the new content"
            );
            "new"
        }
        other => panic!("{db} holds {other}"),
    }
}

/// `.backup` or `.save` (`cmd`) to a new file and over an old database.
fn backup(cmd: &str, over_old: bool, points: usize) -> Tally {
    let s = Scratch::new();
    big_db(&s, "big.db");
    s.db("old.db", OLD);
    let line = format!("{cmd} out.db");
    replace_file(&s, &["big.db", &line], "out.db", over_old, points)
}

/// Kills `litesh ARGS`, which writes the database `dest` (a new one, or over the old
/// database `old.db` when `over_old`), at `points` points: `dest` is always the old
/// content, or no file, or the whole new one, with no journal beside a new file; then a run
/// to the end works and no temporary file of the killed ones is left.
fn replace_file(s: &Scratch, args: &[&str], dest: &str, over_old: bool, points: usize) -> Tally {
    let journal = format!("{dest}-journal");
    let reset = || {
        for f in [dest, journal.as_str()] {
            let _ = std::fs::remove_file(s.file(f));
        }
        if over_old {
            std::fs::copy(s.file("old.db"), s.file(dest)).unwrap();
        }
    };
    reset();
    let span = timed(litesh_cmd(s.path(), args, None));
    let mut tally = Tally::new();
    let allowed: &[&str] = if over_old {
        &["old", "new"]
    } else {
        &["no file", "new"]
    };
    for at in offsets(span, points) {
        reset();
        let killed = kill_after(litesh_cmd(s.path(), args, None), at);
        if !over_old {
            // A new file is written under a temporary name: never a journal beside it.
            assert!(
                !s.file(&journal).exists(),
                "{args:?}: a journal beside a new file"
            );
        }
        let st = state(s.path(), dest);
        assert!(
            allowed.contains(&st),
            "{args:?} (over old: {over_old}) left {st}"
        );
        count(&mut tally, killed, st);
    }
    reset();
    timed(litesh_cmd(s.path(), args, None));
    assert_eq!(state(s.path(), dest), "new");
    super::safe_copy::assert_no_temporary_files(s.path());
    tally
}

/// `litesh new.db < dump.sql`: the dump's one transaction gives nothing or everything.
fn dump_restore(points: usize) -> Tally {
    let s = Scratch::new();
    big_db(&s, "big.db");
    let dump = Command::new(SQLITE3)
        .args(["big.db", ".dump"])
        .current_dir(s.path())
        .output()
        .unwrap();
    s.write("dump.sql", &dump.stdout);
    let reset = || {
        for f in ["new.db", "new.db-journal"] {
            let _ = std::fs::remove_file(s.file(f));
        }
    };
    let span = timed(litesh_cmd(s.path(), &["new.db"], Some("dump.sql")));
    let mut tally = Tally::new();
    for at in offsets(span, points) {
        reset();
        let killed = kill_after(litesh_cmd(s.path(), &["new.db"], Some("dump.sql")), at);
        let st = state(s.path(), "new.db");
        assert!(
            ["no file", "nothing", "new"].contains(&st),
            "restore left {st}"
        );
        count(&mut tally, killed, st);
    }
    tally
}

/// `.import` of a CSV file into an existing table: one transaction, all rows or none.
fn import(points: usize) -> Tally {
    let s = Scratch::new();
    let mut csv = String::new();
    for i in 1..=ROWS {
        csv.push_str(&format!("{i},\"{}\"\n", "x".repeat(200)));
    }
    s.write("data.csv", csv.as_bytes());
    let reset = || {
        let _ = std::fs::remove_file(s.file("t.db-journal"));
        let _ = std::fs::remove_file(s.file("t.db"));
        s.db("t.db", "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);");
    };
    let args = ["t.db", ".import --csv data.csv t"];
    reset();
    let span = timed(litesh_cmd(s.path(), &args, None));
    let mut tally = Tally::new();
    for at in offsets(span, points) {
        reset();
        let killed = kill_after(litesh_cmd(s.path(), &args, None), at);
        assert_eq!(q(s.path(), "t.db", "PRAGMA integrity_check"), "ok");
        let n = q(s.path(), "t.db", "SELECT count(*) FROM t");
        let st = match n.as_str() {
            "0" => "nothing",
            x if x == ROWS.to_string() => "new",
            other => panic!(".import killed left {other} of {ROWS} rows"),
        };
        count(&mut tally, killed, st);
    }
    tally
}

/// A repository: its REPO argument and the environment litesh needs to reach it.
struct At {
    repo: String,
    env: Vec<(String, String)>,
}

impl At {
    fn local() -> At {
        At {
            repo: "repo".into(),
            env: vec![],
        }
    }

    /// `litesh DB CMD` with `{repo}` in CMD replaced.
    fn cmd(&self, dir: &Path, db: &str, cmd: &str) -> Command {
        let cmd = cmd.replace("{repo}", &self.repo);
        let mut c = litesh_cmd(dir, &[db, &cmd], None);
        c.envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        c
    }

    fn ok(&self, dir: &Path, db: &str, cmd: &str) -> String {
        let o = crate::harness::run_command(&mut self.cmd(dir, db, cmd), b"");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.code, Some(0), "{cmd} ({}): {err}", self.repo);
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// The ids `.snapshot list` shows, after `verify --all` passed for every one.
    fn verified_ids(&self, dir: &Path) -> Vec<String> {
        let out = self.ok(dir, ":memory:", ".snapshot list {repo} --json");
        let l: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        let v = self.ok(dir, ":memory:", ".snapshot verify {repo} --all");
        assert_eq!(v.matches(" ok").count(), l.len(), "{v}");
        l.iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect()
    }
}

/// `.snapshot create` into a repository (local, or on the S3 server) that already holds a
/// snapshot.
fn snapshot_create(points: usize, at: &At) -> Tally {
    let s = Scratch::new();
    big_db(&s, "big.db");
    s.db("old.db", OLD);
    at.ok(s.path(), "old.db", ".snapshot create {repo}");
    let create = ".snapshot create {repo}";
    let span = timed(at.cmd(s.path(), "big.db", create));
    let mut listed = at.verified_ids(s.path()).len();
    let mut tally = Tally::new();
    for offset in offsets(span, points) {
        // Another version of the database each time, so that each create stores new chunks.
        let _ = q(
            s.path(),
            "big.db",
            "UPDATE t SET b = randomblob(1000) WHERE a % 50 = 0",
        );
        let killed = kill_after(at.cmd(s.path(), "big.db", create), offset);
        let now = at.verified_ids(s.path()).len();
        let st = match now - listed {
            0 => "old",
            1 => "new",
            _ => panic!("a killed create added {} snapshots", now - listed),
        };
        listed = now;
        count(&mut tally, killed, st);
        // The next create works (breaking the killed one's lock).
        at.ok(s.path(), "big.db", create);
        listed += 1;
    }
    tally
}

/// The S3 case of [`snapshot_create`], when the test server is there.
fn snapshot_create_on_s3(points: usize) -> Tally {
    match crate::harness::s3::bucket() {
        Some(b) => snapshot_create(
            points,
            &At {
                repo: b.url,
                env: b.env,
            },
        ),
        None => Tally::new(),
    }
}

/// `.snapshot prune --keep-last 1` of a repository of five snapshots (their packs partly
/// shared, so prune deletes some and repacks others).
fn snapshot_prune(points: usize) -> Tally {
    let local = At::local();
    let s = Scratch::new();
    big_db(&s, "big.db");
    for i in 0..5 {
        let _ = q(
            s.path(),
            "big.db",
            &format!("UPDATE t SET b = randomblob(1000) WHERE a % 5 = {i}"),
        );
        local.ok(s.path(), "big.db", ".snapshot create repo");
    }
    let all = local.verified_ids(s.path());
    let newest = all.last().cloned().unwrap();
    let pristine = s.file("pristine");
    copy_dir(&s.file("repo"), &pristine);
    let prune = ["big.db", ".snapshot prune repo --keep-last 1"];
    let span = timed(litesh_cmd(s.path(), &prune, None));
    let mut tally = Tally::new();
    for at in offsets(span, points) {
        let _ = std::fs::remove_dir_all(s.file("repo"));
        copy_dir(&pristine, &s.file("repo"));
        let killed = kill_after(litesh_cmd(s.path(), &prune, None), at);
        let ids = local.verified_ids(s.path());
        assert!(
            ids.contains(&newest),
            "prune lost the kept snapshot: {ids:?}"
        );
        let st = match ids.len() {
            5 => "old",
            1 => "new",
            _ => "some pruned",
        };
        count(&mut tally, killed, st);
        // The next prune works and ends with the one kept snapshot.
        local.ok(s.path(), "big.db", ".snapshot prune repo --keep-last 1");
        assert_eq!(local.verified_ids(s.path()), std::slice::from_ref(&newest));
    }
    tally
}

fn copy_dir(from: &Path, to: &Path) {
    let st = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(st.success());
}

/// `.snapshot restore` to a new file and over an old database.
fn snapshot_restore(over_old: bool, points: usize) -> Tally {
    let s = Scratch::new();
    big_db(&s, "big.db");
    s.db("old.db", OLD);
    At::local().ok(s.path(), "big.db", ".snapshot create repo");
    let args = [":memory:", ".snapshot restore repo latest r.db"];
    replace_file(&s, &args, "r.db", over_old, points)
}

/// Every operation at `points` kill points each, with the tallies printed.
fn all_operations(points: usize) {
    if !require_sqlite3() {
        return;
    }
    type Run = Box<dyn Fn(usize) -> Tally>;
    let runs: Vec<(&str, Run)> = vec![
        (
            ".backup to a new file",
            Box::new(|n| backup(".backup", false, n)),
        ),
        (
            ".backup over an old database",
            Box::new(|n| backup(".backup", true, n)),
        ),
        (
            ".save over an old database",
            Box::new(|n| backup(".save", true, n)),
        ),
        ("litesh new.db < dump.sql", Box::new(dump_restore)),
        (".import --csv", Box::new(import)),
        (
            ".snapshot create",
            Box::new(|n| snapshot_create(n, &At::local())),
        ),
        (".snapshot create on S3", Box::new(snapshot_create_on_s3)),
        (".snapshot prune", Box::new(snapshot_prune)),
        (
            ".snapshot restore to a new file",
            Box::new(|n| snapshot_restore(false, n)),
        ),
        (
            ".snapshot restore over an old database",
            Box::new(|n| snapshot_restore(true, n)),
        ),
    ];
    for (name, run) in runs {
        report(name, &run(points));
    }
}

#[test]
fn kill_9_during_backups() {
    if !require_sqlite3() {
        return;
    }
    report(".backup to a new file", &backup(".backup", false, 3));
    report(".backup over an old database", &backup(".backup", true, 3));
    report(".save over an old database", &backup(".save", true, 3));
}

#[test]
fn kill_9_during_a_restore_from_a_dump() {
    if require_sqlite3() {
        report("litesh new.db < dump.sql", &dump_restore(4));
    }
}

#[test]
fn kill_9_during_import() {
    if require_sqlite3() {
        report(".import --csv", &import(4));
    }
}

#[test]
fn kill_9_during_snapshot_create_and_prune() {
    if !require_sqlite3() {
        return;
    }
    report(".snapshot create", &snapshot_create(3, &At::local()));
    report(".snapshot create on S3", &snapshot_create_on_s3(3));
    report(".snapshot prune", &snapshot_prune(3));
}

#[test]
fn kill_9_during_snapshot_restore() {
    if !require_sqlite3() {
        return;
    }
    report(
        ".snapshot restore to a new file",
        &snapshot_restore(false, 3),
    );
    report(
        ".snapshot restore over an old database",
        &snapshot_restore(true, 3),
    );
}

/// Many kill points per operation: `LITESH_KILL_POINTS=N cargo test --release -- --ignored
/// kill_9_at_many_points --nocapture` (default 40).
#[test]
#[ignore]
fn kill_9_at_many_points() {
    all_operations(kill_points(40));
}
