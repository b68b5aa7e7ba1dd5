//! Differential cases against /usr/bin/sqlite3, grouped by concern.

mod basic;
mod cli;
