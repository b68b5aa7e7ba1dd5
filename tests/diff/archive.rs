//! SQL archives and ZIP files: `.archive`/`.ar`, `-A`, `-zip`, `.open --zip`, the `zipfile`
//! table and functions and `sqlar_compress`/`sqlar_uncompress`, against sqlite3 3.40.1.
//!
//! Each scenario runs a list of steps in a scratch directory prepared the same way (a tree
//! of files with fixed modes and modification times), once with sqlite3 for every step and
//! once with litesh for the steps under test. Each step's stdout, stderr and exit code must
//! match (with the random name of the temporary ZIP table masked), and so must the tree
//! left behind: every path with its type, permissions, modification time (when it is not
//! the time of the run), size, content hash or link target; ZIP files byte for byte and SQL
//! archives by content. Round trips put sqlite3 and litesh on either side of one archive.
//! SQLite's own `test/shell8.test` cases are run the same way, and the `zip` crate serves as
//! an independent reader and writer of ZIP files.
//!
//! Where litesh refuses on purpose (members that would be written outside the target
//! directory, `-A` under `-safe`), the test runs sqlite3 to show what it does and checks
//! that litesh refuses and writes nothing (docs/compat.md).

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use crate::harness::{
    differences, litesh, require_sqlite3, run_in, show, Outcome, Scratch, SQLITE3,
};

// ---------------------------------------------------------------------------------------
// Scenarios.

/// Who runs a step.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Who {
    /// The program under test: sqlite3 for the reference run, litesh for the other.
    Tested,
    /// sqlite3 in both runs.
    Sqlite3,
    /// litesh in both runs.
    Litesh,
}

/// One step of a scenario.
enum Step {
    /// A program with arguments and stdin.
    Run(Who, Vec<String>, String),
    /// Something done to the scratch directory between runs.
    Do(fn(&Scratch)),
}

fn t(args: &[&str]) -> Step {
    Step::Run(
        Who::Tested,
        args.iter().map(|s| s.to_string()).collect(),
        String::new(),
    )
}

fn t_in(args: &[&str], stdin: &str) -> Step {
    Step::Run(
        Who::Tested,
        args.iter().map(|s| s.to_string()).collect(),
        stdin.to_string(),
    )
}

fn by(who: Who, args: &[&str]) -> Step {
    Step::Run(
        who,
        args.iter().map(|s| s.to_string()).collect(),
        String::new(),
    )
}

/// The random name of a temporary ZIP table (`zip` and 16 hex digits), masked.
fn masked(b: &[u8]) -> Vec<u8> {
    let re = regex::bytes::Regex::new("zip[0-9a-f]{16}").unwrap();
    re.replace_all(b, &b"zipXXXXXXXXXXXXXXXX"[..]).into_owned()
}

fn run_steps(steps: &[Step], setup: fn(&Scratch), reference: bool) -> (Scratch, Vec<Outcome>) {
    let s = Scratch::new();
    setup(&s);
    let mut outs = Vec::new();
    for step in steps {
        match step {
            Step::Do(f) => f(&s),
            Step::Run(who, args, stdin) => {
                let sqlite3 = match who {
                    Who::Tested => reference,
                    Who::Sqlite3 => true,
                    Who::Litesh => false,
                };
                let prog = if sqlite3 {
                    Path::new(SQLITE3).to_path_buf()
                } else {
                    litesh()
                };
                let args: Vec<&str> = args.iter().map(|a| a.as_str()).collect();
                let mut o = run_in(&prog, s.path(), &args, stdin.as_bytes());
                o.stdout = masked(&o.stdout);
                o.stderr = masked(&o.stderr);
                outs.push(o);
            }
        }
    }
    (s, outs)
}

/// Runs `steps` with sqlite3 and with litesh (for the tested steps) and compares every
/// step's outcome and the trees left behind.
fn scenario(name: &str, setup: fn(&Scratch), steps: &[Step]) {
    if !require_sqlite3() {
        return;
    }
    let (a, want) = run_steps(steps, setup, true);
    let (b, got) = run_steps(steps, setup, false);
    let mut problems = Vec::new();
    for (i, (w, g)) in want.iter().zip(&got).enumerate() {
        problems.extend(differences(&format!("step {i}: "), w, g, false));
    }
    let (x, y) = (tree(a.path()), tree(b.path()));
    if x != y {
        problems.push(format!(
            "the trees left differ\n--- sqlite3:\n{}\n--- litesh:\n{}",
            x.join("\n"),
            y.join("\n")
        ));
    }
    assert!(
        problems.is_empty(),
        "scenario {name:?}:\n{}",
        problems.join("\n")
    );
}

/// Modification times before this are the fixed ones of the fixtures; later ones are the
/// time of the run and are not compared.
const FIXED_BEFORE: i64 = 1_735_689_600; // 2025-01-01

/// Every path below `dir`: type, permissions, modification time, size and content (a hash;
/// SQL archives by their rows; symbolic links by their target).
fn tree(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            let m = fs::symlink_metadata(&p).unwrap();
            let time = if m.mtime() < FIXED_BEFORE {
                m.mtime().to_string()
            } else {
                "now".to_string()
            };
            let ft = m.file_type();
            let line = if ft.is_symlink() {
                let target = fs::read_link(&p).unwrap();
                format!("{rel} link -> {}", target.display())
            } else if ft.is_dir() {
                format!("{rel}/ {:o} {time}", m.mode() & 0o7777)
            } else if rel.ends_with(".db") {
                let rows = sqlar_rows(&p);
                format!("{rel} database {:o} {rows}", m.mode() & 0o7777)
            } else {
                let data = fs::read(&p).unwrap();
                format!(
                    "{rel} {:o} {time} {} {}",
                    m.mode() & 0o7777,
                    data.len(),
                    blake3::hash(&data).to_hex()
                )
            };
            out.push(line);
            if ft.is_dir() {
                walk(root, &p, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The rows of a database's `sqlar` table (or its tables, when it has none), read by
/// sqlite3.
fn sqlar_rows(db: &Path) -> String {
    let o = run_in(
        Path::new(SQLITE3),
        db.parent().unwrap(),
        &[
            "-readonly",
            db.to_str().unwrap(),
            "SELECT name, mode, mtime, sz, hex(data) FROM sqlar ORDER BY name",
        ],
        b"",
    );
    if o.code == Some(0) {
        format!("sqlar[{}]", blake3::hash(&o.stdout).to_hex())
    } else {
        let t = run_in(
            Path::new(SQLITE3),
            db.parent().unwrap(),
            &["-readonly", db.to_str().unwrap(), ".tables"],
            b"",
        );
        format!("no sqlar; tables: {}", show(&t.stdout).trim())
    }
}

// ---------------------------------------------------------------------------------------
// The files archived.

/// Sets a path's modification (and access) time without following a link.
fn set_time(p: &Path, t: i64) {
    use nix::sys::time::{TimeVal, TimeValLike};
    nix::sys::stat::lutimes(p, &TimeVal::seconds(t), &TimeVal::seconds(t)).unwrap();
}

fn set_mode(p: &Path, mode: u32) {
    fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
}

/// Bytes that do not compress (a linear congruential sequence).
fn noise(n: usize, seed: u32) -> Vec<u8> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 24) as u8
        })
        .collect()
}

/// A small tree `d/`: text, an empty file, every byte value, a compressible and an
/// incompressible file, an executable, a private file, a subdirectory, an empty directory
/// and a symbolic link; and `top.txt` beside it. Every modification time is fixed.
fn small_tree(s: &Scratch) {
    s.write("d/f.txt", b"abc");
    s.write("d/empty", b"");
    s.write(
        "d/bytes.bin",
        &(0..=255u8).cycle().take(1024).collect::<Vec<u8>>(),
    );
    s.write("d/sub/zeros.bin", &vec![0u8; 5000]);
    s.write("d/sub/noise.bin", &noise(3000, 7));
    s.write("d/run.sh", b"#!/bin/sh\necho hi\n");
    s.write("d/secret", b"private\n");
    s.write("top.txt", b"hello\n");
    fs::create_dir_all(s.file("d/void")).unwrap();
    std::os::unix::fs::symlink("f.txt", s.file("d/link")).unwrap();
    set_mode(&s.file("d/run.sh"), 0o755);
    set_mode(&s.file("d/secret"), 0o600);
    set_mode(&s.file("d/void"), 0o700);
    let mut t = 1_704_164_645; // 2024-01-02 03:04:05
    for p in [
        "d/f.txt",
        "d/empty",
        "d/bytes.bin",
        "d/sub/zeros.bin",
        "d/sub/noise.bin",
        "d/run.sh",
        "d/secret",
        "top.txt",
        "d/link",
        "d/void",
        "d/sub",
        "d",
    ] {
        set_time(&s.file(p), t);
        t += 3601;
    }
}

/// [`small_tree`] without the symbolic link, which a SQL archive made by 3.40.1 cannot
/// extract (it stores the link with size -1 and `sqlar_uncompress` then fails).
fn tree_without_link(s: &Scratch) {
    small_tree(s);
    fs::remove_file(s.file("d/link")).unwrap();
    set_time(&s.file("d"), 1_704_164_645);
}

/// A tree with a large compressible file and a large incompressible one (a few MB).
fn large_tree(s: &Scratch) {
    let text: Vec<u8> = (0..200_000)
        .flat_map(|i: u32| format!("line {i} of a large file\n").into_bytes())
        .collect();
    s.write("big/text.txt", &text);
    s.write("big/noise.bin", &noise(3 << 20, 11));
    set_time(&s.file("big/text.txt"), 1_700_000_000);
    set_time(&s.file("big/noise.bin"), 1_700_000_001);
    set_time(&s.file("big"), 1_700_000_002);
}

fn remove_d(s: &Scratch) {
    fs::remove_dir_all(s.file("d")).unwrap();
    fs::remove_file(s.file("top.txt")).unwrap();
}

fn make_out(s: &Scratch) {
    fs::create_dir_all(s.file("out")).unwrap();
}

// ---------------------------------------------------------------------------------------
// SQL archives.

#[test]
fn sqlar_create_and_list() {
    scenario(
        "sqlar create list",
        small_tree,
        &[
            t(&["a.db", ".ar -cv d top.txt"]),
            t(&["a.db", ".ar -t"]),
            t(&["a.db", ".ar -tv"]),
            t(&["a.db", ".ar --list --verbose d/sub top.txt"]),
            t(&["a.db", ".ar -tv d/"]),
            t(&[
                "a.db",
                "SELECT name, mode, mtime, sz, length(data), typeof(data) FROM sqlar ORDER BY name",
            ]),
        ],
    );
}

#[test]
fn sqlar_dryrun_prints_3_40_1s_sql() {
    scenario(
        "sqlar dryrun",
        small_tree,
        &[
            t(&["a.db", ".ar -cnv d top.txt"]),
            t(&["a.db", ".ar -c d top.txt"]),
            t(&["a.db", ".ar -tn"]),
            t(&["a.db", ".ar -tnv d/f.txt d/sub"]),
            t(&["a.db", ".ar -tgn d/*.txt"]),
            t(&["a.db", ".ar -xn"]),
            t(&["a.db", ".ar -xnv -C out d/f.txt"]),
            t(&["a.db", ".ar -un d"]),
            t(&["a.db", ".ar -in -C d f.txt sub"]),
            t(&["a.db", ".ar -rn d/f.txt"]),
            t(&["a.db", ".ar -rn"]),
            t(&[":memory:", ".ar -tnf a.db"]),
            t(&[":memory:", ".ar -cnf new.db d"]),
            t(&[":memory:", ".ar -tnf a.db nosuch"]),
        ],
    );
}

#[test]
fn sqlar_extract_keeps_modes_and_times() {
    scenario(
        "sqlar extract",
        tree_without_link,
        &[
            t(&["a.db", ".ar -c d top.txt"]),
            Step::Do(make_out),
            t(&["a.db", ".ar -xv -C out"]),
            Step::Do(remove_d),
            t(&["a.db", ".ar -x"]),
            t(&["a.db", ".ar -xv -C part d/sub top.txt"]),
            t(&["a.db", ".ar -xg -C globbed d/*.bin"]),
        ],
    );
}

#[test]
fn sqlar_extract_of_a_symbolic_link_fails_as_in_3_40_1() {
    scenario(
        "sqlar link",
        small_tree,
        &[
            t(&["a.db", ".ar -cv d"]),
            Step::Do(make_out),
            t(&["a.db", ".ar -xv -C out"]),
            t_in(&["a.db"], ".ar -x -C out2\nselect 1;\n"),
        ],
    );
}

#[test]
fn sqlar_update_insert_remove() {
    fn touch_top(s: &Scratch) {
        s.write("top.txt", b"changed\n");
        set_time(&s.file("top.txt"), 1_710_000_000);
    }
    scenario(
        "sqlar update",
        small_tree,
        &[
            t(&["a.db", ".ar -c top.txt"]),
            t(&["a.db", ".ar -uv d top.txt"]),
            Step::Do(touch_top),
            t(&["a.db", ".ar -uv d top.txt"]),
            t(&["a.db", ".ar -iv top.txt"]),
            t(&["a.db", ".ar --update --verbose d/f.txt"]),
            t(&["a.db", ".ar -rv d/sub"]),
            t(&["a.db", ".ar -t"]),
            t(&["a.db", ".ar -rg d/*.bin"]),
            t(&["a.db", ".ar -t"]),
            t(&["a.db", ".ar -r nosuch"]),
            t(&["a.db", ".ar -r"]),
            t(&["a.db", ".ar -t"]),
            t(&["a.db", ".ar -v"]),
            t(&["a.db", ".ar -cv -C d f.txt sub"]),
            t(&["a.db", ".ar -tv"]),
        ],
    );
}

#[test]
fn sqlar_appended_to_another_file() {
    fn host(s: &Scratch) {
        s.write(
            "host.db",
            b"a file that is not a database, an archive goes after it\n",
        );
    }
    scenario(
        "sqlar append",
        host,
        &[
            Step::Do(small_tree),
            t(&[":memory:", ".ar -a host.db -cnv d/f.txt"]),
            t(&[":memory:", ".ar -a host.db -cv d/f.txt top.txt"]),
            t(&[":memory:", ".ar --append host.db -tv"]),
            t(&["host.db", ".ar -x -C out"]),
            t(&[":memory:", ".ar -a app.db -cv d/sub"]),
            t(&["app.db", ".ar -tv"]),
        ],
    );
}

#[test]
fn sqlar_errors_and_result_codes() {
    scenario(
        "sqlar errors",
        small_tree,
        &[
            t(&["a.db", ".ar -t"]),
            t(&["a.db", ".ar -x"]),
            t(&["a.db", ".ar -v"]),
            t(&["a.db", ".ar -c nosuch"]),
            t(&["a.db", ".ar -c d"]),
            t(&["a.db", ".ar -t nosuch other"]),
            t(&["a.db", ".ar -x d/f.txt nosuch"]),
            t(&["a.db", ".ar -t ''"]),
            t(&[":memory:", ".ar -tf nosuch.db"]),
            t(&[":memory:", ".ar --help -f nosuch"]),
            t(&[":memory:", ".ar -tf top.txt"]),
            t_in(
                &["a.db"],
                ".ar -t nosuch\n.ar -c nosuch\n.ar -tf nosuch.db\nselect 'after';\n",
            ),
            t_in(&["-bail", "a.db"], ".ar -t nosuch\nselect 'not reached';\n"),
            t(&["a.db", "CREATE TABLE sqlar(name, mode, mtime, sz, data)"]),
            t(&["b.db", "CREATE TABLE sqlar(x)", ".ar -t"]),
        ],
    );
}

#[test]
fn sqlar_rows_made_by_hand_extract() {
    scenario(
        "sqlar by hand",
        small_tree,
        &[
            t(&[
                "a.db",
                "CREATE TABLE sqlar(name TEXT PRIMARY KEY, mode INT, mtime INT, sz INT, data BLOB)",
                "INSERT INTO sqlar VALUES('plain', 33188, 1600000000, 3, 'xyz'), ('packed', 33261, 1600000001, 100, sqlar_compress(zeroblob(100))), ('dir', 16832, 1600000002, 0, NULL), ('dir/in', 33152, 1600000003, 0, x'')",
            ]),
            t(&["a.db", ".ar -tv"]),
            t(&["a.db", ".ar -xv -C out"]),
            t(&["a.db", "UPDATE sqlar SET sz = 99 WHERE name = 'packed'", ".ar -x -C bad"]),
        ],
    );
}

#[test]
fn names_that_are_not_utf8_are_kept() {
    fn latin1(s: &Scratch) {
        use std::os::unix::ffi::OsStrExt;
        fs::create_dir_all(s.file("d")).unwrap();
        let name = s
            .path()
            .join("d")
            .join(std::ffi::OsStr::from_bytes(b"caf\xe9"));
        fs::write(&name, b"latin-1 name").unwrap();
        set_time(&name, 1_600_000_000);
        set_time(&s.file("d"), 1_600_000_001);
    }
    scenario(
        "latin-1 names",
        latin1,
        &[
            t(&["a.db", ".ar -cv d"]),
            t(&["a.db", ".ar -tv", "SELECT hex(name) FROM sqlar ORDER BY 1"]),
            t(&["a.db", ".ar -xv -C out"]),
            t(&[":memory:", ".ar -cvf x.zip d"]),
            t(&[
                ":memory:",
                ".ar -xvf x.zip -C zout",
                "SELECT hex(name) FROM zipfile('x.zip')",
            ]),
        ],
    );
}

#[test]
fn verbose_names_follow_the_output_redirection() {
    scenario(
        "sqlar output",
        small_tree,
        &[
            t_in(
                &["a.db"],
                ".output names.txt\n.ar -cv d/f.txt top.txt\nselect 'row';\n.output\n.ar -tv\n",
            ),
            t_in(
                &["a.db"],
                ".once listing.txt\n.ar -t\nselect shell_putsnl('direct');\n",
            ),
        ],
    );
}

// ---------------------------------------------------------------------------------------
// ZIP files.

#[test]
fn zip_create_list_extract() {
    scenario(
        "zip create",
        small_tree,
        &[
            t(&[":memory:", ".ar -cvf x.zip d top.txt"]),
            t(&[":memory:", ".ar -tvf x.zip"]),
            t(&[":memory:", ".ar -tf x.zip d/sub"]),
            Step::Do(make_out),
            t(&[":memory:", ".ar -xvf x.zip -C out"]),
            t(&[":memory:", ".ar -cnvf y.zip d"]),
            t(&[":memory:", ".ar -xnvf x.zip -C out2 d/f.txt"]),
            t(&[":memory:", ".ar -uvf x.zip d top.txt"]),
            t(&[":memory:", ".ar -ivf x.zip top.txt"]),
            t(&[":memory:", ".ar -tvf x.zip"]),
            t(&[":memory:", ".ar -rf x.zip d/f.txt"]),
            t(&[":memory:", ".ar -tvf nosuch.zip"]),
        ],
    );
}

#[test]
fn zip_open_modes() {
    scenario(
        "zip modes",
        small_tree,
        &[
            t(&[
                "-zip",
                "x.zip",
                ".ar -cv d",
                ".ar -tv",
                "SELECT name, mode, sz FROM zip",
            ]),
            t(&["x.zip", ".tables", ".ar -t"]),
            t(&[
                ":memory:",
                ".open --zip y.zip",
                ".ar -cv top.txt",
                ".ar -t",
                ".tables",
            ]),
            t(&["y.zip", "SELECT name, data FROM zip"]),
            t(&["new.zip", ".tables"]),
            t(&["-zip", "x.zip", ".ar -x -C out"]),
            t(&["-zip", "x.zip", ".ar -xn -C out d/f.txt"]),
            t(&[
                "-zip",
                "x.zip",
                "INSERT INTO zip(name, mtime, data) VALUES('added.txt', 1600000000, 'more')",
                ".ar -tv",
            ]),
        ],
    );
}

#[test]
fn zip_extract_of_links_and_directories() {
    scenario(
        "zip links",
        small_tree,
        &[
            t(&[":memory:", ".ar -cf x.zip d"]),
            Step::Do(remove_d),
            t(&[":memory:", ".ar -xvf x.zip"]),
            t(&[":memory:", ".ar -xf x.zip -C again"]),
        ],
    );
}

#[test]
fn dash_a_option_forms() {
    scenario(
        "-A",
        small_tree,
        &[
            t(&["-A"]),
            t(&["-Ac"]),
            t(&["-At"]),
            t(&["-A", "--bogus"]),
            t(&["-A", "-ct"]),
            t(&["a.db", "-A", "-cv", "d", "top.txt"]),
            t(&["a.db", "-Atv"]),
            t(&["a.db", "-A", "tv"]),
            t(&["-Acvf", "x.zip", "d"]),
            t(&["-A", "tvf", "x.zip"]),
            t(&["x.zip", "-A", "-t"]),
            t(&["-A", "-tf", "nosuch.db"]),
            t(&["-A", "-tf", "nosuch.zip"]),
            t(&["a.db", "select 1", "-A", "-t"]),
            t(&["a.db", "-header", "-A", "-t", "nosuch"]),
            t(&["-A", "-xvf", "x.zip", "-C", "out"]),
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Round trips: an archive made by one program and read by the other.

/// Steps that make an archive with `maker` and extract it with `reader`; the scenario runs
/// them all with sqlite3 for the reference, so the mixed pipeline must leave what sqlite3
/// alone leaves.
fn round_trip(name: &str, setup: fn(&Scratch), zip: bool, maker: Who, reader: Who) {
    let (create, list, extract): (&[&str], &[&str], &[&str]) = if zip {
        (
            &[":memory:", ".ar -cf x.zip d top.txt"],
            &[":memory:", ".ar -tvf x.zip"],
            &[":memory:", ".ar -xvf x.zip -C out"],
        )
    } else {
        (
            &["a.db", ".ar -c d top.txt"],
            &["a.db", ".ar -tv"],
            &["a.db", ".ar -xv -C out"],
        )
    };
    if !require_sqlite3() {
        return;
    }
    let steps = [by(maker, create), by(reader, list), by(reader, extract)];
    let all_sqlite3: Vec<Step> = steps
        .iter()
        .map(|s| match s {
            Step::Run(_, args, stdin) => Step::Run(Who::Sqlite3, args.clone(), stdin.clone()),
            Step::Do(f) => Step::Do(*f),
        })
        .collect();
    let (r, reference) = run_steps(&all_sqlite3, setup, true);
    let (m, got) = run_steps(&steps, setup, true);
    for (i, (w, g)) in reference.iter().zip(&got).enumerate() {
        assert_eq!(
            (show(&w.stdout), show(&w.stderr), w.code),
            (show(&g.stdout), show(&g.stderr), g.code),
            "{name}: step {i} differs from sqlite3 alone"
        );
    }
    assert_eq!(tree(r.path()), tree(m.path()), "{name}: the trees differ");
}

#[test]
fn round_trip_sqlar_litesh_to_sqlite3() {
    round_trip(
        "sqlar l->s",
        tree_without_link,
        false,
        Who::Litesh,
        Who::Sqlite3,
    );
}

#[test]
fn round_trip_sqlar_sqlite3_to_litesh() {
    round_trip(
        "sqlar s->l",
        tree_without_link,
        false,
        Who::Sqlite3,
        Who::Litesh,
    );
}

#[test]
fn round_trip_zip_litesh_to_sqlite3() {
    round_trip("zip l->s", small_tree, true, Who::Litesh, Who::Sqlite3);
}

#[test]
fn round_trip_zip_sqlite3_to_litesh() {
    round_trip("zip s->l", small_tree, true, Who::Sqlite3, Who::Litesh);
}

#[test]
fn round_trip_large_files() {
    fn create(who: Who, zip: bool) -> Step {
        by(
            who,
            if zip {
                &[":memory:", ".ar -cf x.zip big"]
            } else {
                &["a.db", ".ar -c big"]
            },
        )
    }
    fn extract(who: Who, zip: bool) -> Step {
        by(
            who,
            if zip {
                &[":memory:", ".ar -xvf x.zip -C out"]
            } else {
                &["a.db", ".ar -xv -C out"]
            },
        )
    }
    for zip in [false, true] {
        scenario(
            if zip { "large zip" } else { "large sqlar" },
            large_tree,
            &[
                create(Who::Tested, zip),
                extract(Who::Sqlite3, zip),
                Step::Do(|s| fs::remove_dir_all(s.file("out")).unwrap()),
                create(Who::Sqlite3, zip),
                extract(Who::Tested, zip),
            ],
        );
    }
}

// ---------------------------------------------------------------------------------------
// The zipfile table and functions in SQL.

const ZIP_WRITES: &str = "\
CREATE VIRTUAL TABLE temp.z USING zipfile('w.zip');
INSERT INTO z(name,mode,mtime,data) VALUES('a.txt',NULL,1700000000,'hello hello hello hello hello hello');
INSERT INTO z(name,mtime,data) VALUES('dir',1700000001,NULL);
INSERT INTO z(name,mtime,data,method) VALUES('b.bin',1700000002,zeroblob(1000),0);
INSERT INTO z(name,mtime,data,method) VALUES('c.bin',1700000002,x'00010203',8);
INSERT INTO z(name,mode,mtime,data) VALUES('c','-rwx------',1700000003,'x');
INSERT INTO z(name,mtime,data) VALUES('a.txt',1,'dup');
REPLACE INTO z(name,mtime,data) VALUES('a.txt',1700000005,'replaced');
INSERT OR IGNORE INTO z(name,mtime,data) VALUES('c',1,'ign');
UPDATE z SET name='renamed' WHERE name='c';
DELETE FROM z WHERE name='b.bin';
INSERT INTO z(name,mode,mtime,data) VALUES('l','lrwxrwxrwx',1700000006,'target');
INSERT INTO z(name,mode,data) VALUES('bad','xx',1);
INSERT INTO z(name,sz,data) VALUES('bad',1,1);
INSERT INTO z(name,rawdata,data) VALUES('bad',1,1);
INSERT INTO z(name,sz,rawdata,data) VALUES('bad',1,1,1);
INSERT INTO z(name,mode,data) VALUES('bad',16877,1);
INSERT INTO z(name,mode,data) VALUES('bad','drwxr-xr-x',NULL);
INSERT INTO z(name,method,data) VALUES('bad',3,1);
SELECT name,mode,mtime,sz,hex(rawdata),quote(data),method FROM z;
BEGIN; INSERT INTO z(name,mtime,data) VALUES('t1',5,'in tx'); SELECT name FROM z; COMMIT;
BEGIN; INSERT INTO z(name,mtime,data) VALUES('t2',5,'in tx'); ROLLBACK;
SELECT name,mode,mtime,sz,hex(rawdata),quote(data),method FROM zipfile('w.zip');
SELECT zipfile_cds(z) FROM z;
UPDATE z SET mtime=7 WHERE name='l';
SELECT name, mtime FROM z;
";

#[test]
fn zipfile_table_writes() {
    scenario(
        "zipfile writes",
        small_tree,
        &[t_in(&[":memory:"], ZIP_WRITES)],
    );
}

#[test]
fn zipfile_table_reads_and_errors() {
    fn junk(s: &Scratch) {
        s.write(
            "junk.zip",
            b"this is not a zip archive at all, no end record here",
        );
        s.write("empty.zip", b"");
        // An end record that points at a central directory that is not there.
        let mut bad = b"PK\x05\x06".to_vec();
        bad.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0, 46, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        s.write("badcds.zip", &bad);
    }
    scenario(
        "zipfile reads",
        small_tree,
        &[
            t(&[":memory:", ".ar -cf x.zip d top.txt"]),
            Step::Do(junk),
            t_in(
                &[":memory:"],
                "SELECT name, mode, mtime, sz, hex(rawdata), hex(data), method, z FROM zipfile('x.zip');\n\
                 SELECT zipfile_cds(z) FROM zipfile('x.zip') WHERE name = 'd/f.txt';\n\
                 SELECT count(*), sum(sz) FROM zipfile(readfile('x.zip'));\n\
                 SELECT * FROM zipfile('nosuch.zip');\n\
                 SELECT * FROM zipfile('junk.zip');\n\
                 SELECT count(*) FROM zipfile('empty.zip');\n\
                 SELECT * FROM zipfile('badcds.zip');\n\
                 SELECT * FROM zipfile(x'');\n\
                 SELECT * FROM zipfile(zeroblob(30));\n\
                 SELECT * FROM zipfile;\n\
                 SELECT zipfile_cds(1);\n\
                 SELECT zipfile_cds(z + 0) FROM zipfile('x.zip');\n\
                 SELECT zipfile_cds(5), zipfile_cds(z, 1), zipfile_cds() FROM zipfile('x.zip') LIMIT 1;\n\
                 SELECT zipfile_cds(a.z) = zipfile_cds(b.z), a.z, b.z, a.name, b.name FROM zipfile('x.zip') a, zipfile('x.zip') b;\n\
                 CREATE VIRTUAL TABLE temp.q USING zipfile;\n\
                 CREATE VIRTUAL TABLE temp.q USING zipfile(a, b);\n\
                 CREATE VIRTUAL TABLE temp.r USING zipfile('x.zip');\n\
                 SELECT name FROM r WHERE name GLOB 'd/s*';\n\
                 .schema r\n\
                 INSERT INTO zipfile(name, data) VALUES('x', 'y');\n",
            ),
        ],
    );
}

#[test]
fn zipfile_aggregate_and_sqlar_functions() {
    scenario(
        "zipfile functions",
        small_tree,
        &[t_in(
            &[":memory:"],
            "SELECT hex(zipfile('a', 33188, 1000000, 'hello'));\n\
             SELECT hex(zipfile(name, mode, mtime, data)) FROM (SELECT 'x/' name, NULL mode, 1000000000 mtime, NULL data UNION ALL SELECT 'x/y', '-rw-------', 1000000001, zeroblob(300));\n\
             SELECT name, mode, mtime, sz, method, quote(data) FROM zipfile((SELECT zipfile(n, NULL, 1500000000, d, m) FROM (SELECT 'stored' n, 'aaaaaaaaaaaaaaaaaaaa' d, 0 m UNION ALL SELECT 'deflated', 'b', 8 UNION ALL SELECT 'auto', 'cccccccccccccccccccccc', NULL UNION ALL SELECT 'dir//', NULL, NULL)));\n\
             SELECT zipfile('a');\n\
             SELECT zipfile(NULL, 'x');\n\
             SELECT zipfile('a', 1, 2, 'x', 5);\n\
             SELECT zipfile('a/', 'x');\n\
             SELECT zipfile('a', 'bad', 0, 'x');\n\
             SELECT zipfile('a', 16877, 0, 'x');\n\
             SELECT quote(zipfile(name, data)) FROM (SELECT 1 AS name, 2 AS data WHERE 0);\n\
             SELECT hex(sqlar_compress(zeroblob(100))), hex(sqlar_compress(x'0102')), typeof(sqlar_compress('text text text text text')), sqlar_compress(12), quote(sqlar_compress(NULL));\n\
             SELECT hex(sqlar_uncompress(sqlar_compress(zeroblob(100)), 100)), hex(sqlar_uncompress(x'0102', 0)), sqlar_uncompress('abc', 3);\n\
             SELECT length(sqlar_uncompress(sqlar_compress(zeroblob(100)), 4294967396));\n\
             SELECT sqlar_uncompress('f.txt', -1);\n\
             SELECT sqlar_uncompress(sqlar_compress(zeroblob(100)), 99);\n\
             SELECT sqlar_uncompress(sqlar_compress(zeroblob(100)), 2147483648);\n\
             SELECT sqlar_compress(1, 2);\n\
             SELECT name, narg FROM pragma_function_list WHERE name IN ('zipfile', 'zipfile_cds', 'sqlar_compress', 'sqlar_uncompress') ORDER BY 1, 2;\n\
             SELECT name FROM pragma_module_list WHERE name = 'zipfile';\n",
        )],
    );
}

#[test]
fn safe_mode_has_no_archive_functions() {
    scenario(
        "safe archives",
        small_tree,
        &[
            t_in(
                &["-safe", ":memory:"],
                "SELECT sqlar_compress(x'00');\nSELECT * FROM zipfile('x.zip');\nSELECT zipfile('a', 'b');\nCREATE VIRTUAL TABLE temp.q USING zipfile('q.zip');\n",
            ),
            t(&["-safe", "a.db", ".ar -t"]),
        ],
    );
}

#[test]
fn dash_a_is_refused_in_safe_mode() {
    // sqlite3 3.40.1 runs -A under -safe and writes the archive; litesh refuses.
    let s = Scratch::new();
    small_tree(&s);
    let o = run_in(
        &litesh(),
        s.path(),
        &["-safe", "-A", "-cf", "a.db", "d"],
        b"",
    );
    assert_eq!(show(&o.stderr), "Error: cannot run -A in safe mode\n");
    assert_eq!(o.code, Some(1));
    assert!(!s.file("a.db").exists());
    if require_sqlite3() {
        let r = Scratch::new();
        small_tree(&r);
        let o = run_in(
            Path::new(SQLITE3),
            r.path(),
            &["-safe", "-A", "-cf", "a.db", "d"],
            b"",
        );
        assert_eq!(o.code, Some(0));
        assert!(
            r.file("a.db").exists(),
            "sqlite3 3.40.1 writes the archive under -safe"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Members that would be written outside the target directory.

/// Runs `args` in a fresh [`small_tree`] after `prepare`, with sqlite3 and litesh; returns
/// both outcomes and scratch directories.
fn both(prepare: fn(&Scratch), args: &[&str]) -> Option<[(Outcome, Scratch); 2]> {
    if !require_sqlite3() {
        return None;
    }
    let mut r = Vec::new();
    for prog in [Path::new(SQLITE3).to_path_buf(), litesh()] {
        let s = Scratch::new();
        small_tree(&s);
        prepare(&s);
        let o = run_in(&prog, s.path(), args, b"");
        r.push((o, s));
    }
    let l = r.pop().unwrap();
    let s = r.pop().unwrap();
    Some([s, l])
}

fn insert_sqlar(s: &Scratch, rows: &str) {
    let o = run_in(
        Path::new(SQLITE3),
        s.path(),
        &[
            "a.db",
            "CREATE TABLE sqlar(name TEXT PRIMARY KEY, mode INT, mtime INT, sz INT, data BLOB)",
            &format!("INSERT INTO sqlar VALUES {rows}"),
        ],
        b"",
    );
    assert_eq!(o.code, Some(0), "{}", show(&o.stderr));
}

#[test]
fn absolute_member_names_are_refused() {
    fn prepare(s: &Scratch) {
        let outside = s.file("outside/evil.txt");
        insert_sqlar(
            s,
            &format!(
                "('ok.txt', 33188, 1600000000, 2, 'ok'), ('{}', 33188, 1600000000, 4, 'evil')",
                outside.display()
            ),
        );
    }
    let Some([(so, ss), (lo, ls)]) = both(prepare, &["a.db", ".ar -x"]) else {
        return;
    };
    // 3.40.1 writes the absolute name as it is.
    assert_eq!(so.code, Some(0));
    assert!(ss.file("outside/evil.txt").exists());
    assert_eq!(lo.code, Some(1));
    let name = ls.file("outside/evil.txt");
    assert_eq!(
        show(&lo.stderr),
        format!(
            "cannot extract \"{}\": it would be written outside the target directory\n",
            name.display()
        )
    );
    assert!(!name.exists() && !ls.file("outside").exists());
    assert!(!ls.file("ok.txt").exists(), "nothing is extracted");
    // Under -C the same name lands inside the directory, as in 3.40.1.
    let o = run_in(&litesh(), ls.path(), &["a.db", ".ar -x -C in"], b"");
    assert_eq!(o.code, Some(0), "{}", show(&o.stderr));
    assert!(ls.path().join(format!("in/{}", name.display())).exists());
}

#[test]
fn dot_dot_members_are_refused() {
    fn prepare(s: &Scratch) {
        fs::create_dir_all(s.file("out")).unwrap();
        insert_sqlar(
            s,
            "('..', 16832, 1600000000, 0, NULL), ('a/../../up.txt', 33188, 0, 1, 'x')",
        );
    }
    let Some([(so, ss), (lo, ls)]) = both(prepare, &["a.db", ".ar -x -C out"]) else {
        return;
    };
    // 3.40.1 skips names holding `../` but changes the mode of `out/..`: the scratch
    // directory becomes 0700.
    assert_eq!(so.code, Some(0));
    assert_eq!(fs::metadata(ss.path()).unwrap().mode() & 0o777, 0o700);
    assert_eq!(lo.code, Some(1));
    assert_eq!(
        show(&lo.stderr),
        "cannot extract \"..\": it would be written outside the target directory\n"
    );
    assert_ne!(fs::metadata(ls.path()).unwrap().mode() & 0o777, 0o700);
}

#[test]
fn members_through_an_archived_link_are_refused() {
    fn prepare(s: &Scratch) {
        fs::create_dir_all(s.file("out")).unwrap();
        fs::create_dir_all(s.file("outside")).unwrap();
        let o = run_in(
            Path::new(SQLITE3),
            s.path(),
            &[
                ":memory:",
                &format!(
                    "SELECT writefile('x.zip', zipfile(n, m, 0, d)) FROM (SELECT 'l' n, 'lrwxrwxrwx' m, '{}' d UNION ALL SELECT 'l/evil.txt', NULL, 'evil')",
                    s.file("outside").display()
                ),
            ],
            b"",
        );
        assert_eq!(o.code, Some(0), "{}", show(&o.stderr));
    }
    let Some([(so, ss), (lo, ls)]) = both(prepare, &[":memory:", ".ar -xf x.zip -C out"]) else {
        return;
    };
    assert_eq!(so.code, Some(0));
    assert!(
        ss.file("outside/evil.txt").exists(),
        "3.40.1 follows the link"
    );
    assert_eq!(lo.code, Some(1));
    assert_eq!(
        show(&lo.stderr),
        "cannot extract \"l/evil.txt\": it would be written outside the target directory\n"
    );
    assert!(!ls.file("outside/evil.txt").exists());
    assert!(
        fs::symlink_metadata(ls.file("out/l")).is_err(),
        "nothing is extracted"
    );
}

#[test]
fn members_through_an_existing_link_out_are_refused() {
    fn prepare(s: &Scratch) {
        let o = run_in(Path::new(SQLITE3), s.path(), &["a.db", ".ar -c d"], b"");
        assert_eq!(o.code, Some(0));
        fs::create_dir_all(s.file("out")).unwrap();
        fs::create_dir_all(s.file("outside")).unwrap();
        std::os::unix::fs::symlink(s.file("outside"), s.file("out/d")).unwrap();
    }
    let Some([(so, ss), (lo, ls)]) = both(prepare, &["a.db", ".ar -x -C out d/f.txt"]) else {
        return;
    };
    assert_eq!(so.code, Some(0));
    assert!(
        ss.file("outside/f.txt").exists(),
        "3.40.1 writes through the link"
    );
    assert_eq!(lo.code, Some(1));
    assert!(show(&lo.stderr).starts_with("cannot extract \"d/f.txt\": "));
    assert!(!ls.file("outside/f.txt").exists());
    // A link that stays inside the directory is followed, as by sqlite3.
    fs::remove_file(ls.file("out/d")).unwrap();
    fs::create_dir_all(ls.file("out/real")).unwrap();
    std::os::unix::fs::symlink("real", ls.file("out/d")).unwrap();
    let o = run_in(
        &litesh(),
        ls.path(),
        &["a.db", ".ar -x -C out d/f.txt"],
        b"",
    );
    assert_eq!(o.code, Some(0), "{}", show(&o.stderr));
    assert!(ls.file("out/real/f.txt").exists());
}

// ---------------------------------------------------------------------------------------
// The zip crate as an independent reader and writer.

#[test]
fn zip_made_by_litesh_reads_with_the_zip_crate() {
    let s = Scratch::new();
    small_tree(&s);
    large_tree(&s);
    let o = run_in(
        &litesh(),
        s.path(),
        &[":memory:", ".ar -cf x.zip d big top.txt"],
        b"",
    );
    assert_eq!(o.code, Some(0), "{}", show(&o.stderr));
    let mut z = zip::ZipArchive::new(fs::File::open(s.file("x.zip")).unwrap()).unwrap();
    let mut seen = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mode = f.unix_mode().unwrap();
        let on_disk = s.file(name.trim_end_matches('/'));
        let meta = fs::symlink_metadata(&on_disk).unwrap();
        assert_eq!(mode, meta.mode(), "{name}: mode");
        if meta.file_type().is_dir() {
            assert!(f.is_dir(), "{name}");
        } else {
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            let want = if meta.file_type().is_symlink() {
                fs::read_link(&on_disk)
                    .unwrap()
                    .into_os_string()
                    .into_encoded_bytes()
            } else {
                fs::read(&on_disk).unwrap()
            };
            assert!(data == want, "{name}: content");
        }
        seen.push(name);
    }
    assert!(seen.contains(&"d/sub/".to_string()));
    assert!(seen.contains(&"big/noise.bin".to_string()));
}

#[test]
fn zip_made_by_the_zip_crate_reads_alike() {
    fn make(s: &Scratch) {
        use zip::write::SimpleFileOptions;
        let f = fs::File::create(s.file("crate.zip")).unwrap();
        let mut w = zip::ZipWriter::new(f);
        let t = zip::DateTime::from_date_and_time(2023, 5, 6, 7, 8, 10).unwrap();
        let stored = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .last_modified_time(t)
            .unix_permissions(0o640);
        let deflated = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(t)
            .unix_permissions(0o644);
        w.add_directory("folder/", stored.unix_permissions(0o750))
            .unwrap();
        w.start_file("folder/stored.txt", stored).unwrap();
        w.write_all(b"stored text").unwrap();
        w.start_file("deflated.bin", deflated).unwrap();
        w.write_all(&vec![42u8; 20_000]).unwrap();
        w.start_file("empty", stored).unwrap();
        w.finish().unwrap();
    }
    scenario(
        "zip crate",
        make,
        &[
            t(&[
                ":memory:",
                "SELECT name, mode, mtime, sz, method, length(rawdata), hex(substr(data, 1, 16)), length(data) FROM zipfile('crate.zip')",
            ]),
            t(&[":memory:", ".ar -tvf crate.zip"]),
            t(&[":memory:", ".ar -xvf crate.zip -C out"]),
        ],
    );
}

// ---------------------------------------------------------------------------------------
// SQLite's test/shell8.test, as the shell runs it.

/// `populate_dir ar1 {file1 abcd file2 efgh dir1/file3 ijkl}`.
fn shell8_ar1(s: &Scratch) {
    s.write("ar1/file1", b"abcd");
    s.write("ar1/file2", b"efgh");
    s.write("ar1/dir1/file3", b"ijkl");
    let mut t = 1_600_000_000;
    for p in [
        "ar1/file1",
        "ar1/file2",
        "ar1/dir1/file3",
        "ar1/dir1",
        "ar1",
    ] {
        set_time(&s.file(p), t);
        t += 10;
    }
}

fn shell8_remove_ar1(s: &Scratch) {
    fs::remove_dir_all(s.file("ar1")).unwrap();
}

fn shell8_remove_ar3(s: &Scratch) {
    let _ = fs::remove_dir_all(s.file("ar3"));
    let _ = fs::remove_file(s.file("test_xyz.db"));
}

#[test]
fn shell8_create_and_extract_forms() {
    // shell8.test 1.1-1.4: each spelling of create and extract, into the current directory,
    // another directory, and through another database file.
    let forms: [[&str; 6]; 4] = [
        [
            ".ar c ar1",
            ".ar x",
            ".ar cC ar1 .",
            ".ar Cx ar3",
            ".ar cCf ar1 test_xyz.db .",
            ".ar Cfx ar3 test_xyz.db",
        ],
        [
            ".ar -c ar1",
            ".ar -x",
            ".ar -cC ar1 .",
            ".ar -xC ar3",
            ".ar -cCar1 -ftest_xyz.db .",
            ".ar -x -C ar3 -f test_xyz.db",
        ],
        [
            ".ar --create ar1",
            ".ar --extract",
            ".ar --directory ar1 --create .",
            ".ar --extract --dir ar3",
            ".ar --creat --dir ar1 --file test_xyz.db .",
            ".ar --e  --dir ar3 --f test_xyz.db",
        ],
        [
            ".ar --cr ar1",
            ".ar --e",
            ".ar -C ar1 -c .",
            ".ar -x -C ar3",
            ".ar -c --directory ar1 --file test_xyz.db .",
            ".ar -x --directory ar3 --file test_xyz.db",
        ],
    ];
    for (n, [c1, x1, c2, x2, c3, x3]) in forms.iter().enumerate() {
        let name = format!("shell8 1.{}", n + 1);
        scenario(
            &name,
            shell8_ar1,
            &[
                t(&["test_ar.db", c1]),
                Step::Do(shell8_remove_ar1),
                t(&["test_ar.db", x1]),
                Step::Do(shell8_remove_ar3),
                t(&["test_ar.db", c2]),
                t(&["test_ar.db", x2]),
                Step::Do(shell8_remove_ar3),
                t(&[":memory:", c3]),
                t(&[":memory:", x3]),
            ],
        );
    }
}

#[test]
fn shell8_insert_remove_and_glob() {
    // shell8.test 2.1.1.
    fn dirs(s: &Scratch) {
        for (p, d) in [
            ("ar2/file1", "abcd"),
            ("ar2/file2", "efgh"),
            ("ar2/junk1", "j1"),
            ("ar2/junk2", "j2"),
            ("ar2/dir1/file3", "ijkl"),
            ("ar4/file2", "efgh"),
        ] {
            s.write(p, d.as_bytes());
            set_time(&s.file(p), 1_600_000_000);
        }
        for p in ["ar2/dir1", "ar2", "ar4"] {
            set_time(&s.file(p), 1_600_000_100);
        }
    }
    scenario(
        "shell8 2.1.1",
        dirs,
        &[
            t(&["shell8.db", ".ar -c"]),
            t(&["shell8.db", ".ar -C ar2 -i ."]),
            t(&["shell8.db", ".ar -r ./file2 ./dir1"]),
            t(&["shell8.db", ".ar -g -r ./ju*2"]),
            t(&["shell8.db", ".ar -C ar4 -x ."]),
            t(&["shell8.db", ".ar -t"]),
        ],
    );
}
