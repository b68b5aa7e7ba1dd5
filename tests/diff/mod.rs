//! Differential cases against /usr/bin/sqlite3, grouped by concern.

mod backup;
mod backup_bytes;
mod basic;
mod cli;
mod columnar;
mod dump;
mod engine;
mod expert;
mod faults_contention;
mod faults_kill;
mod faults_output;
mod faults_s3;
mod functions;
mod hash;
mod import;
mod input;
mod misc;
mod modes;
mod restore;
mod safe_copy;
mod schema;
mod settings;
mod signals;
mod snapshot;
mod verify;
