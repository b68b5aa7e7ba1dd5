//! Backups done right: safe online copies, verification, and an incremental snapshot
//! repository with retention. Called by `dot/`; knows nothing of the REPL or the renderers.
//!
//! | module | what |
//! |---|---|
//! | [`copy`] | `.backup`/`.save`: a consistent point-in-time copy, written under a temporary name and renamed when complete |
//! | [`direct`] | the pages of a `.backup` to a new file, copied straight into it in large writes |
//! | [`files`] | creating temporary files safely: new, never through a link, owner-only while written |
//! | [`hash`] | a content hash of a database and its per-table row counts; the integrity check |
//! | [`verify`] | `.verify FILE`: a restore test of a database file or an SQL dump, touching nothing |
//! | [`pages`] | a consistent image of a database's pages, read through `sqlite_dbpage` |
//! | [`snapshot`] | the content-addressed, compressed snapshot repository (local directory or S3) |
//! | [`retention`] | which snapshots a `--keep-*` policy keeps (restic's rules) |

pub mod copy;
pub mod direct;
pub mod files;
pub mod hash;
pub mod pages;
pub mod retention;
pub mod snapshot;
pub mod verify;
