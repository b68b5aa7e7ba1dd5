//! Differential cases against /usr/bin/sqlite3, grouped by concern.

mod backup;
mod basic;
mod cli;
mod dump;
mod engine;
mod input;
mod modes;
mod restore;
