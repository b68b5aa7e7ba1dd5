//! `.snapshot`: create, list, restore, verify and prune against a local directory and a real
//! S3-compatible server (`s3s-fs`, see `harness::s3`), plus the hard cases: a writer
//! committing during create (WAL and rollback journal), `kill -9` during create, stale
//! locks, and `--every` ended by SIGINT or SIGTERM. Not differential: sqlite3 has no
//! snapshots; `/usr/bin/sqlite3` builds the databases and checks the restored ones.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{self, litesh, s3, Scratch, SQLITE3};

/// A repository under test: its REPO argument, where its files are on disk, its env.
pub(super) struct Repo {
    pub url: String,
    pub dir: PathBuf,
    pub env: Vec<(String, String)>,
    pub name: &'static str,
}

pub(super) fn local(s: &Scratch) -> Repo {
    let dir = s.file("repo");
    Repo {
        url: dir.to_string_lossy().into_owned(),
        dir,
        env: vec![],
        name: "local",
    }
}

pub(super) fn on_s3() -> Option<Repo> {
    s3::bucket().map(|b| Repo {
        url: b.url,
        dir: b.dir,
        env: b.env,
        name: "s3",
    })
}

/// A local repository and, when the server is there, an S3 one.
fn repos(s: &Scratch) -> Vec<Repo> {
    let mut v = vec![local(s)];
    v.extend(on_s3());
    v
}

pub(super) struct Out {
    pub stdout: String,
    pub stderr: String,
    pub code: Option<i32>,
}

pub(super) fn command(dir: &Path, repo: &Repo, env: &[(&str, &str)], args: &[&str]) -> Command {
    let mut c = Command::new(litesh());
    c.args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", dir)
        .env("TZ", "UTC")
        .envs(repo.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

pub(super) fn wait(child: Child, limit: Duration) -> Out {
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let o = match rx.recv_timeout(limit) {
        Ok(r) => r.expect("wait"),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(id.to_string()).status();
            panic!("litesh {id} did not finish within {limit:?}");
        }
    };
    Out {
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        code: o.status.code(),
    }
}

pub(super) fn run_env(s: &Scratch, repo: &Repo, env: &[(&str, &str)], args: &[&str]) -> Out {
    let child = command(s.path(), repo, env, args)
        .spawn()
        .expect("spawn litesh");
    wait(child, Duration::from_secs(120))
}

/// `litesh DB COMMAND` with `{repo}` in the command replaced; must succeed.
pub(super) fn ok(s: &Scratch, repo: &Repo, db: &str, cmd: &str) -> String {
    ok_env(s, repo, &[], db, cmd)
}

pub(super) fn ok_env(
    s: &Scratch,
    repo: &Repo,
    env: &[(&str, &str)],
    db: &str,
    cmd: &str,
) -> String {
    let cmd = cmd.replace("{repo}", &repo.url);
    let o = run_env(s, repo, env, &[db, &cmd]);
    assert_eq!(
        o.code,
        Some(0),
        "[{}] {cmd}: exit {:?}\nstdout: {}\nstderr: {}",
        repo.name,
        o.code,
        o.stdout,
        o.stderr
    );
    o.stdout
}

pub(super) fn fails(s: &Scratch, repo: &Repo, db: &str, cmd: &str) -> Out {
    let cmd = cmd.replace("{repo}", &repo.url);
    let o = run_env(s, repo, &[], &[db, &cmd]);
    assert_eq!(
        o.code,
        Some(1),
        "[{}] {cmd} should fail: {}",
        repo.name,
        o.stdout
    );
    o
}

pub(super) fn create(s: &Scratch, repo: &Repo, db: &str, extra: &str) -> String {
    let out = ok(s, repo, db, &format!(".snapshot create {{repo}} {extra}"));
    let id = out.lines().last().unwrap_or("").to_string();
    assert_eq!(id.len(), 16, "[{}] create printed {out:?}", repo.name);
    id
}

pub(super) fn list(s: &Scratch, repo: &Repo) -> Vec<serde_json::Value> {
    let out = ok(s, repo, ":memory:", ".snapshot list {repo} --json");
    serde_json::from_str::<Vec<serde_json::Value>>(&out).expect("list --json is JSON")
}

pub(super) fn sqlite(db: &Path, sql: &str) -> String {
    let o = Command::new(SQLITE3)
        .arg(db)
        .arg(sql)
        .output()
        .expect("sqlite3");
    assert!(
        o.status.success(),
        "sqlite3 {sql}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// A database of `rows` rows with `blob`-byte random blobs (rollback journal mode).
pub(super) fn make_db(s: &Scratch, name: &str, rows: u32, blob: u32) {
    s.db(
        name,
        &format!(
            "PRAGMA page_size=4096;\n\
             CREATE TABLE t(id INTEGER PRIMARY KEY, v INT, b BLOB);\n\
             WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<{rows})\n\
             INSERT INTO t SELECT i, i%97, randomblob({blob}) FROM c;\n\
             CREATE INDEX tv ON t(v);\n"
        ),
    );
}

/// The repository's pack files.
pub(super) fn objects(repo: &Repo) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(repo.dir.join("packs"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|f| f.path())
        .collect();
    out.sort();
    out
}

/// The packs a snapshot's manifest names.
fn packs_of(repo: &Repo, id: &str) -> Vec<String> {
    let b = fs::read(repo.dir.join(format!("snapshots/{id}.json"))).unwrap();
    let m: serde_json::Value = serde_json::from_slice(&b).unwrap();
    m["packs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect()
}

fn file_name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

// ------------------------------------------------------------------------- round trip

#[test]
fn create_list_restore_round_trip() {
    if !harness::require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    make_db(&s, "db.db", 3000, 300);
    for repo in repos(&s) {
        let id = create(&s, &repo, "db.db", "--tag first");
        let table = ok(&s, &repo, ":memory:", ".snapshot list {repo}");
        assert!(table.contains(&id) && table.contains("first"), "{table}");
        let l = list(&s, &repo);
        let newest = l.last().unwrap();
        assert_eq!(newest["id"], id.as_str());
        assert_eq!(newest["tag"], "first");
        let size = fs::metadata(s.file("db.db")).unwrap().len();
        assert_eq!(newest["db_size"], size);
        assert!(newest["added_bytes"].as_u64().unwrap() > 0);

        let restored = format!("restored-{}.db", repo.name);
        ok(
            &s,
            &repo,
            ":memory:",
            &format!(".snapshot restore {{repo}} {} {restored}", &id[..8]),
        );
        // A rollback-journal database's file is exactly its page image.
        assert!(
            fs::read(s.file(&restored)).unwrap() == fs::read(s.file("db.db")).unwrap(),
            "[{}] restored pages differ",
            repo.name
        );
        assert_eq!(sqlite(&s.file(&restored), "PRAGMA integrity_check"), "ok");
        // An existing file is replaced (only once the new one is complete and checked).
        ok(&s, &repo, "db.db", "UPDATE t SET v = 1000 WHERE id = 1");
        let id2 = create(&s, &repo, "db.db", "");
        ok(
            &s,
            &repo,
            ":memory:",
            &format!(".snapshot restore {{repo}} latest {restored}"),
        );
        assert_eq!(
            sqlite(&s.file(&restored), "SELECT v FROM t WHERE id = 1"),
            "1000"
        );
        assert_ne!(id, id2);
        // No temporary file is left beside it.
        let leftovers: Vec<_> = fs::read_dir(s.path())
            .unwrap()
            .flatten()
            .filter(|e| file_name(&e.path()).contains("litesh-restore"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        // The shell's own database is never overwritten.
        let o = fails(&s, &repo, "db.db", ".snapshot restore {repo} latest db.db");
        assert!(o.stderr.contains("open"), "{}", o.stderr);
        let o = fails(&s, &repo, "db.db", ".snapshot restore {repo} nosuchid x.db");
        assert!(o.stderr.contains("no snapshot"), "{}", o.stderr);
        assert!(!s.file("x.db").exists());
    }
}

#[test]
fn usage_and_help() {
    let s = Scratch::new();
    let repo = local(&s);
    let out = ok(&s, &repo, ":memory:", ".snapshot --help");
    assert!(out.contains("Usage: .snapshot"), "{out}");
    let out = ok(&s, &repo, ":memory:", ".snapshot prune --help");
    assert!(out.contains("--keep-within"), "{out}");
    let o = fails(&s, &repo, ":memory:", ".snapshot bogus");
    assert!(o.stderr.contains("unrecognized subcommand"), "{}", o.stderr);
    let o = fails(&s, &repo, ":memory:", ".snapshot list");
    assert!(o.stderr.contains("<REPO>"), "{}", o.stderr);
    let o = fails(&s, &repo, ":memory:", ".snapshot list nosuchdir");
    assert!(
        o.stderr.contains("not a snapshot repository"),
        "{}",
        o.stderr
    );
}

// ------------------------------------------------------------------------- dedup

#[test]
fn unchanged_and_slightly_changed_databases_store_little() {
    if !harness::require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    make_db(&s, "db.db", 40_000, 200);
    let size = fs::metadata(s.file("db.db")).unwrap().len();
    for repo in repos(&s) {
        create(&s, &repo, "db.db", "");
        create(&s, &repo, "db.db", "");
        let l = list(&s, &repo);
        let first = l[l.len() - 2]["added_bytes"].as_u64().unwrap();
        let second = &l[l.len() - 1];
        assert!(first > size / 2, "first snapshot stored {first} of {size}");
        assert_eq!(
            second["added_bytes"], 0,
            "[{}] unchanged: {second}",
            repo.name
        );
        assert_eq!(second["new_chunks"], 0);
        // 1% of the rows, contiguous, rewritten.
        ok(
            &s,
            &repo,
            "db.db",
            "UPDATE t SET b = randomblob(200) WHERE id BETWEEN 20000 AND 20400",
        );
        create(&s, &repo, "db.db", "");
        let l = list(&s, &repo);
        let third = l[l.len() - 1]["added_bytes"].as_u64().unwrap();
        // At most the chunks the change touches: page 1's and the (up to) two 256 KiB
        // chunks the rewritten rows span. (On a ~100 MB database that is under 1%;
        // bench/snapshot.sh measures it.)
        assert!(
            third <= 3 * 256 * 1024 && third < size / 10,
            "[{}] a 1% change stored {third} bytes of {size}",
            repo.name
        );
    }
}

// ------------------------------------------------------------------------- verify

#[test]
fn verify_passes_and_then_names_damaged_objects() {
    if !harness::require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    make_db(&s, "db.db", 4000, 300);
    for repo in repos(&s) {
        let a = create(&s, &repo, "db.db", "");
        ok(
            &s,
            &repo,
            "db.db",
            "UPDATE t SET b = randomblob(300) WHERE id > 3500",
        );
        let b = create(&s, &repo, "db.db", "");
        let out = ok(&s, &repo, ":memory:", ".snapshot verify {repo} --all");
        assert!(
            out.contains(&format!("{a} ok")) && out.contains(&format!("{b} ok")),
            "{out}"
        );
        let table = ok(&s, &repo, ":memory:", ".snapshot list {repo}");
        assert_eq!(table.matches(" ok ").count(), 2, "{table}");

        // A third snapshot with chunks of its own.
        ok(
            &s,
            &repo,
            "db.db",
            "UPDATE t SET b = randomblob(300) WHERE id < 500",
        );
        let c = create(&s, &repo, "db.db", "");
        let pa = packs_of(&repo, &a);
        assert_eq!(pa.len(), 1, "a small first snapshot is one pack");
        let pb: Vec<String> = packs_of(&repo, &b)
            .into_iter()
            .filter(|p| !pa.contains(p))
            .collect();
        let pc: Vec<String> = packs_of(&repo, &c)
            .into_iter()
            .filter(|p| !pa.contains(p) && !pb.contains(p))
            .collect();
        assert_eq!((pb.len(), pc.len()), (1, 1));
        assert_eq!(objects(&repo).len(), 3);
        // A damaged byte inside a's pack (inside some chunk), b's index deleted, c's pack
        // deleted: each is named.
        let corrupt = repo.dir.join("packs").join(&pa[0]);
        let mut bytes = fs::read(&corrupt).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0xff;
        bytes[mid + 1] ^= 0x55;
        fs::write(&corrupt, &bytes).unwrap();
        fs::remove_file(repo.dir.join(format!("index/{}.json", pb[0]))).unwrap();
        fs::remove_file(repo.dir.join("packs").join(&pc[0])).unwrap();
        let o = fails(&s, &repo, ":memory:", ".snapshot verify {repo} --all");
        assert!(
            o.stderr.contains(&format!("in pack packs/{} ", pa[0])),
            "{}",
            o.stderr
        );
        assert!(
            o.stderr
                .contains(&format!("index index/{}.json is missing", pb[0])),
            "{}",
            o.stderr
        );
        assert!(
            o.stderr
                .contains(&format!("pack packs/{} is missing", pc[0])),
            "{}",
            o.stderr
        );
        assert_eq!(o.code, Some(1), "{}", o.stderr);
        let l = list(&s, &repo);
        assert!(
            l.iter().any(|x| x["drill"]["ok"] == false),
            "a failed drill is recorded: {l:?}"
        );
        // A restore of a damaged snapshot fails and writes nothing.
        let damaged: Vec<String> = l
            .iter()
            .filter(|x| x["drill"]["ok"] == false)
            .map(|x| x["id"].as_str().unwrap().to_string())
            .collect();
        let o = fails(
            &s,
            &repo,
            ":memory:",
            &format!(".snapshot restore {{repo}} {} bad.db", damaged[0]),
        );
        assert!(o.stderr.contains("packs/"), "{}", o.stderr);
        assert!(!s.file("bad.db").exists());
    }
}

// ------------------------------------------------------------------------- prune

#[test]
fn prune_keeps_what_the_rules_keep() {
    if !harness::require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    s.db("db.db", "CREATE TABLE t(x);");
    for repo in repos(&s) {
        let times = [
            "2026-01-01T12:00:00Z",
            "2026-01-02T12:00:00Z",
            "2026-01-03T12:00:00Z",
            "2026-01-04T12:00:00Z",
            "2026-01-05T10:00:00Z",
            "2026-01-05T11:00:00Z",
        ];
        let mut ids = Vec::new();
        for (i, t) in times.iter().enumerate() {
            // Each snapshot has its own content, so its own objects.
            ok(
                &s,
                &repo,
                "db.db",
                &format!("INSERT INTO t VALUES(randomblob(2000)||{i})"),
            );
            let out = ok_env(
                &s,
                &repo,
                &[("LITESH_SNAPSHOT_TIME", t)],
                "db.db",
                ".snapshot create {repo}",
            );
            ids.push(out.trim().to_string());
        }
        // The oldest one passes a drill: it is the newest that did, so it is protected.
        ok(
            &s,
            &repo,
            ":memory:",
            &format!(".snapshot verify {{repo}} {}", ids[0]),
        );
        let before = objects(&repo).len();
        let dry = ok(
            &s,
            &repo,
            ":memory:",
            ".snapshot prune {repo} --keep-daily 3 --dry-run",
        );
        assert!(dry.contains("would remove"), "{dry}");
        assert_eq!(list(&s, &repo).len(), 6, "dry run changed nothing");
        assert_eq!(objects(&repo).len(), before);
        let out = ok(
            &s,
            &repo,
            ":memory:",
            ".snapshot prune {repo} --keep-daily 3",
        );
        let left: Vec<String> = list(&s, &repo)
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_string())
            .collect();
        let want = vec![
            ids[0].clone(),
            ids[2].clone(),
            ids[3].clone(),
            ids[5].clone(),
        ];
        assert_eq!(left, want, "[{}] {out}", repo.name);
        assert!(out.contains("protected"), "{out}");
        assert!(objects(&repo).len() < before, "unused objects are deleted");
        ok(&s, &repo, ":memory:", ".snapshot verify {repo} --all");
        // A rule is required.
        let o = fails(&s, &repo, ":memory:", ".snapshot prune {repo}");
        assert!(o.stderr.contains("--keep"), "{}", o.stderr);
        ok(
            &s,
            &repo,
            ":memory:",
            ".snapshot prune {repo} --keep-last 1",
        );
        let left = list(&s, &repo);
        // Every snapshot passed the drill above: the newest is the protected one too.
        assert_eq!(left.len(), 1, "{left:?}");
        // create with --keep-* prunes right after it (one cron line); --drill checks it.
        ok(&s, &repo, "db.db", "INSERT INTO t VALUES(1)");
        let out = ok(
            &s,
            &repo,
            "db.db",
            ".snapshot create {repo} --keep-last 1 --drill",
        );
        let id = out.lines().next().unwrap();
        assert!(out.contains(&format!("{id} ok")), "{out}");
        let left = list(&s, &repo);
        assert_eq!(left.len(), 1, "{out}");
        assert_eq!(left[0]["id"], id);
    }
}

// ------------------------------------------------------------------------- consistency

/// Transfers between accounts in one transaction each, forever (until killed): the sum of
/// the balances is the same in every committed state.
fn start_writer(db: &Path) -> Child {
    let mut script = String::from(".timeout 20000\n");
    let mut x: u64 = 12345;
    for i in 0..200_000u64 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let a = (x >> 33) % 500 + 1;
        let b = (x >> 13) % 500 + 1;
        script.push_str(&format!(
            "BEGIN; UPDATE acct SET bal = bal - 7 WHERE id = {a}; \
             UPDATE acct SET bal = bal + 7 WHERE id = {b}; \
             INSERT INTO pad VALUES({i}, randomblob(100)); COMMIT;\n"
        ));
    }
    let mut child = Command::new(SQLITE3)
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("writer");
    let mut sin = child.stdin.take().unwrap();
    std::thread::spawn(move || {
        let _ = sin.write_all(script.as_bytes());
    });
    child
}

fn consistent_under_writer(journal: &str) {
    if !harness::require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    s.db(
        "db.db",
        &format!(
            "PRAGMA journal_mode={journal};\n\
             CREATE TABLE acct(id INTEGER PRIMARY KEY, bal INT);\n\
             WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<500)\n\
             INSERT INTO acct SELECT i, 1000 FROM c;\n\
             CREATE TABLE pad(i, b);\n\
             WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<5000)\n\
             INSERT INTO pad SELECT -i, randomblob(300) FROM c;\n"
        ),
    );
    for repo in repos(&s) {
        consistent_under_writer_in(&s, &repo);
    }
}

fn consistent_under_writer_in(s: &Scratch, repo: &Repo) {
    let before: u64 = sqlite(&s.file("db.db"), "SELECT count(*) FROM pad WHERE i >= 0")
        .parse()
        .unwrap();
    let mut writer = start_writer(&s.file("db.db"));
    std::thread::sleep(Duration::from_millis(200));
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(create(s, repo, "db.db", ""));
    }
    let _ = writer.kill();
    let _ = writer.wait();
    let commits: u64 = sqlite(&s.file("db.db"), "SELECT count(*) FROM pad WHERE i >= 0")
        .parse()
        .unwrap();
    assert!(
        commits > before,
        "[{}] the writer committed nothing",
        repo.name
    );
    for id in &ids {
        let f = format!("r-{}-{id}.db", repo.name);
        ok(
            s,
            repo,
            ":memory:",
            &format!(".snapshot restore {{repo}} {id} {f}"),
        );
        let p = s.file(&f);
        assert_eq!(sqlite(&p, "PRAGMA integrity_check"), "ok");
        assert_eq!(
            sqlite(&p, "SELECT count(*), sum(bal) FROM acct"),
            "500|500000",
            "[{}] snapshot {id} is not one committed state",
            repo.name
        );
    }
    ok(s, repo, ":memory:", ".snapshot verify {repo} --all");
}

#[test]
fn a_writer_committing_during_create_wal() {
    consistent_under_writer("wal");
}

#[test]
fn a_writer_committing_during_create_rollback_journal() {
    consistent_under_writer("delete");
}

#[test]
fn prune_removes_old_packs_without_an_index_and_repacks_shared_ones() {
    if !harness::require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    make_db(&s, "db.db", 4000, 300);
    let repo = local(&s);
    // Times a day apart: retention orders snapshots by their second.
    let at = |t: &str| {
        let out = ok_env(
            &s,
            &repo,
            &[("LITESH_SNAPSHOT_TIME", t)],
            "db.db",
            ".snapshot create {repo}",
        );
        out.lines().last().unwrap().to_string()
    };
    let a = at("2026-01-01T12:00:00Z");
    ok(
        &s,
        &repo,
        "db.db",
        "UPDATE t SET b = randomblob(300) WHERE id > 3500",
    );
    let b = at("2026-01-02T12:00:00Z");
    // Packs a killed create left: one old, one recent.
    let old = repo.dir.join("packs").join("1".repeat(64));
    let recent = repo.dir.join("packs").join("2".repeat(64));
    fs::write(&old, b"partial").unwrap();
    fs::write(&recent, b"partial").unwrap();
    let day_ago = std::time::SystemTime::now() - Duration::from_secs(86_400);
    fs::File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(day_ago)
        .unwrap();
    let out = ok(
        &s,
        &repo,
        ":memory:",
        ".snapshot prune {repo} --keep-last 1",
    );
    let left = list(&s, &repo);
    assert_eq!(left.len(), 1, "{out}");
    assert_eq!(left[0]["id"], b.as_str(), "[{a} {b}] {out}");
    assert!(!old.exists(), "an old pack without an index is removed");
    assert!(
        recent.exists(),
        "a recent one may belong to a running create"
    );
    // a's pack held chunks b still uses and chunks it does not: the used ones were copied
    // into a new pack, so what is stored now is exactly b's chunks.
    assert_eq!(packs_of(&repo, &b).len(), 2);
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(repo.dir.join(format!("snapshots/{b}.json"))).unwrap())
            .unwrap();
    let wanted: std::collections::BTreeSet<String> = manifest["chunks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    let mut stored = std::collections::BTreeSet::new();
    for e in fs::read_dir(repo.dir.join("index")).unwrap().flatten() {
        let x: serde_json::Value = serde_json::from_slice(&fs::read(e.path()).unwrap()).unwrap();
        let pack = x["pack"].as_str().unwrap();
        assert!(repo.dir.join("packs").join(pack).exists(), "{pack}");
        for c in x["chunks"].as_array().unwrap() {
            stored.insert(c["id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(stored, wanted, "[{a} {b}] {out}");
    assert!(!repo.dir.join(format!("snapshots/{a}.json")).exists());
    let out = ok(&s, &repo, ":memory:", ".snapshot verify {repo} --all");
    assert!(out.contains(&format!("{b} ok")), "{out}");
}

#[test]
fn a_repository_from_before_packs_still_restores_and_is_reused() {
    if !harness::require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    make_db(&s, "db.db", 4000, 300);
    let repo = local(&s);
    let a = create(&s, &repo, "db.db", "");
    // Rewrite the repository in the old layout: one objects/ab/<id> file per chunk, no
    // packs, no indexes, manifests without a `packs` field.
    for p in packs_of(&repo, &a) {
        let pack = fs::read(repo.dir.join("packs").join(&p)).unwrap();
        let ix = repo.dir.join(format!("index/{p}.json"));
        let x: serde_json::Value = serde_json::from_slice(&fs::read(&ix).unwrap()).unwrap();
        for c in x["chunks"].as_array().unwrap() {
            let id = c["id"].as_str().unwrap();
            let off = c["offset"].as_u64().unwrap() as usize;
            let len = c["len"].as_u64().unwrap() as usize;
            let dir = repo.dir.join("objects").join(&id[..2]);
            fs::create_dir_all(&dir).unwrap();
            fs::write(dir.join(id), &pack[off..off + len]).unwrap();
        }
        fs::remove_file(ix).unwrap();
        fs::remove_file(repo.dir.join("packs").join(&p)).unwrap();
    }
    let mkey = repo.dir.join(format!("snapshots/{a}.json"));
    let mut m: serde_json::Value = serde_json::from_slice(&fs::read(&mkey).unwrap()).unwrap();
    m.as_object_mut().unwrap().remove("packs");
    fs::write(&mkey, m.to_string()).unwrap();
    let out = ok(&s, &repo, ":memory:", ".snapshot verify {repo} --all");
    assert!(out.contains(&format!("{a} ok")), "{out}");
    ok(
        &s,
        &repo,
        ":memory:",
        &format!(".snapshot restore {{repo}} {a} back.db"),
    );
    assert_eq!(
        sqlite(&s.file("back.db"), "SELECT count(*), sum(length(b)) FROM t"),
        sqlite(&s.file("db.db"), "SELECT count(*), sum(length(b)) FROM t")
    );
    // A new snapshot of the same database stores nothing: the old chunks are reused.
    let b = create(&s, &repo, "db.db", "");
    let l = list(&s, &repo);
    let lb = l.iter().find(|x| x["id"] == b.as_str()).unwrap();
    assert_eq!(lb["new_chunks"], 0, "{lb}");
    ok(&s, &repo, ":memory:", ".snapshot verify {repo} --all");
}

// ------------------------------------------------------------------------- crashes, locks

#[test]
fn kill_9_during_create_leaves_a_valid_repository() {
    if !harness::require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    s.db("small.db", "CREATE TABLE t(x); INSERT INTO t VALUES(1);");
    make_db(&s, "big.db", 60_000, 1000);
    for repo in repos(&s) {
        kill_9_during_create(&s, &repo);
    }
}

fn kill_9_during_create(s: &Scratch, repo: &Repo) {
    let a = create(s, repo, "small.db", "");
    let baseline = objects(repo).len();
    let cmd = format!(".snapshot create {}", repo.url);
    let mut child = command(s.path(), repo, &[], &["big.db", &cmd])
        .spawn()
        .expect("spawn");
    // Packs are written under tmp/ first and linked into packs/ once synced (local), or
    // PUT one by one (S3): kill it once the first is being written.
    let deadline = Instant::now() + Duration::from_secs(30);
    let staged = || std::fs::read_dir(repo.dir.join("tmp")).map_or(0, |d| d.count());
    let locked = || repo.dir.join("locks/writer.json").exists();
    while !(locked() && objects(repo).len() + staged() > baseline) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    let _ = child.wait();
    let name = repo.name;
    assert!(
        repo.dir.join("locks/writer.json").exists(),
        "[{name}] killed with the lock held"
    );
    let l = list(s, repo);
    assert_eq!(
        l.len(),
        1,
        "[{name}] no half-made snapshot is listed: {l:?}"
    );
    let out = ok(s, repo, ":memory:", ".snapshot verify {repo} --all");
    assert!(out.contains(&format!("{a} ok")), "[{name}] {out}");
    // The next create breaks the dead process's lock and works.
    let o = run_env(s, repo, &[], &["big.db", &cmd]);
    assert_eq!(o.code, Some(0), "[{name}] {}", o.stderr);
    assert!(
        o.stderr.contains("breaking the stale lock"),
        "[{name}] {}",
        o.stderr
    );
    let out = ok(s, repo, ":memory:", ".snapshot verify {repo} --all");
    assert_eq!(out.matches(" ok").count(), 2, "[{name}] {out}");
    assert!(!repo.dir.join("locks/writer.json").exists());
}

fn write_lock(repo: &Repo, pid: u32, host: &str, time: i64) {
    let dir = repo.dir.join("locks");
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("writer.json"),
        format!(r#"{{"pid":{pid},"host":"{host}","time":{time},"op":"create","nonce":"test"}}"#),
    )
    .unwrap();
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn locks_are_respected_and_stale_ones_broken() {
    if !harness::require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    s.db("db.db", "CREATE TABLE t(x); INSERT INTO t VALUES(1);");
    let host = fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_string();
    let mut gone = Command::new("true").spawn().unwrap();
    let dead_pid = gone.id();
    gone.wait().unwrap();
    for repo in repos(&s) {
        create(&s, &repo, "db.db", "");
        // A live holder (this test process) is respected, for create and prune.
        write_lock(&repo, std::process::id(), &host, unix_now());
        let o = fails(&s, &repo, "db.db", ".snapshot create {repo}");
        assert!(o.stderr.contains("is locked by"), "{}", o.stderr);
        let o = fails(&s, &repo, "db.db", ".snapshot prune {repo} --keep-last 1");
        assert!(o.stderr.contains("is locked by"), "{}", o.stderr);
        // Readers do not need the lock.
        ok(&s, &repo, ":memory:", ".snapshot verify {repo}");
        // A dead process on this host: broken at once.
        write_lock(&repo, dead_pid, &host, unix_now());
        let cmd = format!(".snapshot create {}", repo.url);
        let o = run_env(&s, &repo, &[], &["db.db", &cmd]);
        assert_eq!(o.code, Some(0), "{}", o.stderr);
        assert!(o.stderr.contains("breaking the stale lock"), "{}", o.stderr);
        // Another host's lock, not refreshed for an hour: broken.
        write_lock(&repo, 1, "some-other-host", unix_now() - 3600);
        let o = run_env(&s, &repo, &[], &["db.db", &cmd]);
        assert_eq!(o.code, Some(0), "{}", o.stderr);
        assert!(o.stderr.contains("not refreshed"), "{}", o.stderr);
        assert_eq!(list(&s, &repo).len(), 3);
    }
}

// ------------------------------------------------------------------------- --every

fn every_until(signal: &str, repo: Repo, s: &Scratch) {
    let cmd = format!(
        ".snapshot create {} --every 1s --keep-last 3 --drill",
        repo.url
    );
    let child = command(s.path(), &repo, &[], &["db.db", &cmd])
        .spawn()
        .expect("spawn");
    let pid = child.id();
    let deadline = Instant::now() + Duration::from_secs(30);
    let count = || {
        fs::read_dir(repo.dir.join("snapshots"))
            .map(|d| d.count())
            .unwrap_or(0)
    };
    while count() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(count() >= 2, "two snapshots within 30 s");
    let st = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(st.success());
    let o = wait(child, Duration::from_secs(30));
    assert_eq!(o.code, Some(0), "[{}] {signal}: {}", repo.name, o.stderr);
    let ids = o.stdout.lines().filter(|l| l.len() == 16).count();
    assert!(ids >= 2, "{}", o.stdout);
    assert!(o.stdout.contains(" ok"), "drills ran: {}", o.stdout);
    assert!(!repo.dir.join("locks/writer.json").exists());
    let l = list(s, &repo);
    assert!(l.len() >= 2 && l.len() <= 3, "{l:?}");
    ok(s, &repo, ":memory:", ".snapshot verify {repo} --all");
}

#[test]
fn every_ends_cleanly_on_sigint() {
    if !harness::require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    s.db("db.db", "CREATE TABLE t(x); INSERT INTO t VALUES(1);");
    let repo = local(&s);
    every_until("INT", repo, &s);
}

#[test]
fn every_ends_cleanly_on_sigterm() {
    if !harness::require_sqlite3() {
        return;
    }
    let s = Scratch::new();
    s.db("db.db", "CREATE TABLE t(x); INSERT INTO t VALUES(1);");
    let repo = on_s3().unwrap_or_else(|| local(&s));
    every_until("TERM", repo, &s);
}
