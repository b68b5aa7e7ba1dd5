//! The content-addressed, compressed snapshot repository (local directory or S3).
//!
//! A repository is a directory or an S3 prefix holding:
//!
//! | key | what |
//! |---|---|
//! | `config.json` | format version, written once by the first create |
//! | `objects/ab/abcd…` | one chunk (a run of whole pages), zstd-compressed, named by the BLAKE3 hash (hex) of its uncompressed bytes |
//! | `snapshots/ID.json` | a [`manifest::Manifest`]: time, tag, page size and count, the ordered chunk ids, bytes newly stored, the image hash |
//! | `drills/ID.json` | a [`manifest::Drill`]: the last restore test of snapshot ID (when, ok or what failed) |
//! | `locks/writer.json` | the writer lock ([`lock`]), present while a create or prune runs |
//! | `tmp/` | (local only) temporary files being written; leftovers of a killed process are removed by prune |
//!
//! Invariants: an object is written whole or not at all (temp + fsync + link/rename locally,
//! one PUT on S3); a manifest is written after every object it names is durable; prune
//! deletes manifests before objects. So a `kill -9` at any moment leaves a valid repository,
//! at worst with orphan objects that the next prune deletes.
//!
//! | module | what |
//! |---|---|
//! | [`store`] | the [`store::Store`] trait and the local directory store |
//! | [`s3`] | the S3 store (`object_store`, a small tokio runtime) |
//! | [`manifest`] | the JSON records and key names |
//! | [`lock`] | the writer lock and when it is stale |
//! | [`pipeline`] | bounded, ordered worker threads for hashing, compressing and fetching |
//! | [`create`] | taking a snapshot |
//! | [`restore`] | restoring and verifying (drills) |
//! | [`prune`] | retention and garbage collection |
//! | [`repo`] | an open repository: config, listing, id resolution |

pub mod create;
pub mod lock;
pub mod manifest;
pub mod packs;
pub mod pipeline;
pub mod prune;
pub mod repo;
pub mod restore;
pub mod s3;
pub mod store;

pub use create::{create, CreateOptions};
pub use manifest::{Drill, Manifest};
pub use prune::{prune, Policy, Pruned};
pub use repo::{Listed, Repo};
pub use restore::{restore, verify, Verified};
