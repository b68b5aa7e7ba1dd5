//! The content-addressed, compressed snapshot repository (local directory or S3).
//!
//! A repository is a directory or an S3 prefix holding:
//!
//! | key | what |
//! |---|---|
//! | `config.json` | format version, written once by the first create |
//! | `packs/<packid>` | the new chunks of one create (a chunk is a run of whole pages, named by the BLAKE3 hash (hex) of its uncompressed bytes), each zstd-compressed, appended into packs of about 24 MiB ([`packs`]) |
//! | `index/<packid>.json` | a [`manifest::PackIndex`]: each chunk of the pack with its offset and compressed length |
//! | `objects/ab/abcd…` | (repositories from before packs) one chunk in a file of its own; still read, and deleted by prune once unused |
//! | `snapshots/ID.json` | a [`manifest::Manifest`]: time, tag, page size and count, the ordered chunk ids, bytes newly stored, the image hash |
//! | `drills/ID.json` | a [`manifest::Drill`]: the last restore test of snapshot ID (when, ok or what failed) |
//! | `locks/writer.json` | the writer lock ([`lock`]), present while a create or prune runs |
//! | `tmp/` | (local only) temporary files being written; leftovers of a killed process are removed by prune |
//!
//! Invariants: an object is written whole or not at all (temp + fsync + link/rename locally,
//! one PUT on S3); an index is written after its pack is durable, and a manifest after every
//! pack and index it needs; prune deletes manifests before indexes, and an index before its
//! pack. So a `kill -9` at any moment leaves a valid repository, at worst with packs that no
//! index lists (or unused ones), which prune deletes. Readers build the chunk → (pack,
//! offset, length) map from all indexes and read each chunk as a range of its pack.
//!
//! | module | what |
//! |---|---|
//! | [`store`] | the [`store::Store`] trait and the local directory store |
//! | [`s3`] | the S3 store (`object_store`, a small tokio runtime) |
//! | [`redact`] | keeping credentials out of the S3 store's messages |
//! | [`manifest`] | the JSON records and key names |
//! | [`packs`] | writing packs and their indexes; the chunk map readers build from them |
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
pub mod redact;
pub mod repo;
pub mod restore;
pub mod s3;
pub mod store;

pub use create::{create, CreateOptions};
pub use manifest::{Drill, Manifest};
pub use prune::{prune, Policy, Pruned};
pub use repo::{Listed, Repo};
pub use restore::{restore, verify, Verified};
