//! Differential cases against /usr/bin/sqlite3, grouped by concern.

mod backup;
mod backup_bytes;
mod basic;
mod cli;
mod columnar;
mod commands;
mod dump;
mod engine;
mod expert;
mod files;
mod functions;
mod hash;
mod import;
mod input;
mod misc;
mod modes;
mod readonly;
mod restore;
mod safe_copy;
mod safe_mode;
mod schema;
mod secrets;
mod settings;
mod signals;
mod snapshot;
mod verify;
