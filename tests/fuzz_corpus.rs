//! The fuzz corpus as a regression suite: every file of `fuzz/corpus/<target>/` goes through
//! the same `litesh::fuzzing` function that its fuzz target calls (see `fuzz/`), on stable
//! and without libFuzzer. Each function asserts its properties itself, so a file that once
//! found a bug (the corpus keeps them, minimised) fails here if the bug comes back.
//!
//! The corpora are minimised with `cargo fuzz cmin` after each campaign (README, "Fuzzing"),
//! so this stays a few seconds in debug builds.
//!
//! Then a short smoke run, CI's stand-in for libFuzzer (which needs the nightly toolchain and
//! minutes of building): each target gets `LITESH_FUZZ_SMOKE` (default 500) inputs made by
//! seeded random mutations of its corpus — bytes flipped, inserted, deleted or duplicated,
//! cut short, two files spliced — so a run is reproducible and a failure names its seed.

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

/// One mutation of `data` (a corpus file; `other` another one for splicing).
fn mutate(rng: &mut fastrand::Rng, data: &[u8], other: &[u8]) -> Vec<u8> {
    let mut v = data.to_vec();
    for _ in 0..rng.usize(1..=4) {
        let at = rng.usize(..=v.len());
        match rng.u8(..7) {
            0 if !v.is_empty() => {
                let i = rng.usize(..v.len());
                v[i] ^= 1 << rng.u8(..8);
            }
            1 if !v.is_empty() => {
                let i = rng.usize(..v.len());
                v[i] = [0, 0xff, b'\n', b';', b'\'', b'"', b'.', 0x80][rng.usize(..8)];
            }
            2 => v.insert(at, rng.u8(..)),
            3 if at < v.len() => {
                let end = rng.usize(at..=v.len());
                v.drain(at..end);
            }
            4 if at < v.len() => {
                let end = rng.usize(at..=v.len().min(at + 64));
                let piece = v[at..end].to_vec();
                let to = rng.usize(..=v.len());
                v.splice(to..to, piece);
            }
            5 => v.truncate(at),
            _ => {
                let from = rng.usize(..=other.len());
                v.truncate(at);
                v.extend_from_slice(&other[from..]);
            }
        }
    }
    v
}

/// The smoke run: seeded mutations of `target`'s corpus through `f`.
fn smoke(target: &str, f: fn(&[u8])) {
    let n: usize = std::env::var("LITESH_FUZZ_SMOKE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let files: Vec<Vec<u8>> = corpus(target)
        .iter()
        .map(|p| std::fs::read(p).expect("reading a corpus file"))
        .collect();
    for seed in 0..n as u64 {
        let mut rng = fastrand::Rng::with_seed(seed);
        let a = &files[rng.usize(..files.len())];
        let b = &files[rng.usize(..files.len())];
        let input = mutate(&mut rng, a, b);
        let r = std::panic::catch_unwind(|| f(&input));
        assert!(
            r.is_ok(),
            "{target}: the mutation with seed {seed} fails: {:?}",
            String::from_utf8_lossy(&input)
        );
    }
}

macro_rules! replays {
    ($($target:ident),*) => {
        $(
            #[test]
            fn $target() {
                replay(stringify!($target), litesh::fuzzing::$target);
                smoke(stringify!($target), litesh::fuzzing::$target);
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
    roundtrip,
    hexdb
);
