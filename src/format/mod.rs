//! Value formatting shared by the renderers and the dump: REALs as sqlite3 3.40.1 shows
//! them, SQL literals for text and blobs, and identifier quoting.

pub mod real;
pub mod sql;

pub use real::{real_dump, real_sql, real_text};
