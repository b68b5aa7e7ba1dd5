//! Regression tests for what the fuzz targets (`fuzz/`, `litesh::fuzzing`) found, each run
//! through the real binary the way a user would meet it. Not differential where sqlite3 has
//! no such command (`.snapshot`).

use std::fs;
use std::path::Path;

use crate::diff::snapshot::{create, local, run_env, Repo};
use crate::harness::Scratch;

/// The only JSON file in `dir`.
fn only_json(dir: &Path) -> std::path::PathBuf {
    let files: Vec<_> = fs::read_dir(dir)
        .expect("a repository directory")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(files.len(), 1, "{}", dir.display());
    files[0].clone()
}

/// Edits the JSON record at `path` with `f`.
fn edit(path: &Path, f: impl FnOnce(&mut serde_json::Value)) {
    let mut v: serde_json::Value =
        serde_json::from_slice(&fs::read(path).expect("reading a record")).expect("JSON");
    f(&mut v);
    fs::write(path, serde_json::to_vec(&v).expect("JSON")).expect("writing a record");
}

/// A repository holding one snapshot of a small database.
fn repository(s: &Scratch) -> Repo {
    s.db("a.db", "CREATE TABLE t(x); INSERT INTO t VALUES (1), (2);");
    let repo = local(s);
    create(s, &repo, "a.db", "");
    repo
}

/// `.snapshot restore` fails with one clear message naming `what`, not a signal.
fn restore_fails_clearly(s: &Scratch, repo: &Repo, what: &str) {
    let cmd = format!(".snapshot restore {} latest out.db", repo.url);
    let o = run_env(s, repo, &[], &["a.db", &cmd]);
    assert_eq!(
        o.code,
        Some(1),
        "stdout {:?} stderr {:?}",
        o.stdout,
        o.stderr
    );
    assert!(o.stderr.contains(what), "{:?}", o.stderr);
    assert!(!o.stderr.contains("memory allocation"), "{:?}", o.stderr);
    assert!(!s.file("out.db").exists());
}

/// Found by the `manifest` target: a pack index whose entry claimed 4 TiB made a restore
/// allocate that much at once and abort (exit 134). The index is now refused when read,
/// and a local read never allocates past the end of the pack file.
#[test]
fn a_pack_index_claiming_a_huge_chunk_is_refused_not_allocated() {
    let s = Scratch::new();
    let repo = repository(&s);
    edit(&only_json(&repo.dir.join("index")), |v| {
        v["size"] = (1u64 << 42).into();
        v["chunks"][0]["len"] = (1u64 << 42).into();
    });
    restore_fails_clearly(&s, &repo, "is inconsistent");
}

/// Found by the `manifest` target: a manifest with a page size SQLite cannot have, or
/// chunks of more than 64 MiB, was accepted (a restore allocates a chunk's size).
#[test]
fn a_manifest_with_impossible_sizes_is_refused() {
    for (page_size, chunk_pages, page_count) in [
        (65536u64, 4_000_000_000u64, 4_000_000_000u64),
        (1000, 64, 64),
        (0, 64, 64),
    ] {
        let s = Scratch::new();
        let repo = repository(&s);
        edit(&only_json(&repo.dir.join("snapshots")), |v| {
            v["page_size"] = page_size.into();
            v["chunk_pages"] = chunk_pages.into();
            v["page_count"] = page_count.into();
            v["db_size"] = (page_size * page_count).into();
        });
        restore_fails_clearly(&s, &repo, "is inconsistent");
    }
}
