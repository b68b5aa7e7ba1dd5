//! The fuzz corpus as a regression suite: every file of `fuzz/corpus/<target>/` goes through
//! the same `litesh::fuzzing` function that its fuzz target calls (see `fuzz/`), on stable
//! and without libFuzzer. Each function asserts its properties itself, so a file that once
//! found a bug (the corpus keeps them, minimised) fails here if the bug comes back.
//!
//! The corpora are minimised with `cargo fuzz cmin` after each campaign (README, "Fuzzing"),
//! so this stays a few seconds in debug builds.

use std::path::{Path, PathBuf};

/// The corpus files of `target`, sorted; fails when there are none (a renamed directory
/// must not silently test nothing).
fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    files
}

/// Runs every corpus file of `target` through `f`, naming the file that fails.
fn replay(target: &str, f: fn(&[u8])) {
    for path in corpus(target) {
        let data = std::fs::read(&path).expect("reading a corpus file");
        let r = std::panic::catch_unwind(|| f(&data));
        assert!(
            r.is_ok(),
            "fuzz/corpus/{target}/{} fails",
            path.file_name().unwrap().to_string_lossy()
        );
    }
}

macro_rules! replays {
    ($($target:ident),*) => {
        $(
            #[test]
            fn $target() {
                replay(stringify!($target), litesh::fuzzing::$target);
            }
        )*
    };
}

replays!(
    split,
    dotargs,
    cli,
    import,
    complete,
    highlight,
    manifest,
    dump_insert,
    zipfile,
    recover,
    roundtrip
);
