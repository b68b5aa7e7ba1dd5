//! Integration tests: one binary (see `autotests = false` in Cargo.toml).
//!
//! Most tests are differential: the same input through litesh and /usr/bin/sqlite3 3.40.1,
//! comparing stdout, stderr, exit code and resulting files (see `harness`).

mod harness;

mod diff;

mod prop;

mod fuzz_corpus;

mod prop_stdin;

mod registry;

mod compat;

mod pty;
