//! litesh: a drop-in replacement for the `sqlite3` command-line shell.
//!
//! The pipeline, from input to bytes on stdout:
//!
//! ```text
//!  argv SQL / -cmd ─────┐
//!  -init, ~/.sqliterc ──┤              Unit::Sql    ┌────────┐ rows  ┌──────────┐ bytes ┌──────────────┐
//!  piped stdin ─────────┼── line ──► split ────────►│ exec   │──────►│ render   │──────►│ output stack │
//!  .read FILE (nested) ─┤              │ Unit::Dot  └────────┘       └──────────┘       └──────────────┘
//!  terminal ────────────┘              └──────────► dot registry ──► settings, output, a new source, dump, backup
//! ```
//!
//! Every behaviour mirrors sqlite3 3.40.1 unless `docs/compat.md` lists a reason not to.

pub mod backup;
pub mod cli;
pub mod dot;
pub mod dump;
pub mod exec;
pub mod expert;
pub mod format;
pub mod functions;
pub mod fuzzing;
pub mod import;
pub mod input;
pub mod output;
pub mod recover;
pub mod render;
pub mod repl;
pub mod run;
pub mod shell;
pub mod split;
