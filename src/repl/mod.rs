//! The interactive shell: rustyline as one more line source for the same splitter.
//!
//! Only the terminal uses it (stdin a terminal, not `-batch`). [`Repl`] reads the lines;
//! its helper completes ([`complete`], over a [`schema`] snapshot), highlights
//! ([`highlight`]), hints from history and validates; statement completeness stays in
//! `split/`. [`config`] reads the REPL's settings file; [`history`] decides whether the
//! history file may be used and what goes into it.

pub mod complete;
pub mod config;
pub mod helper;
pub mod highlight;
pub mod history;
pub mod keywords;
pub mod schema;
pub mod source;

pub use config::Config;
pub use source::{history_path, Repl};
