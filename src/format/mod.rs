//! Value formatting shared by the renderers and the dump: REALs as sqlite3 3.40.1 shows
//! them, SQL literals for text and blobs, and identifier quoting.

pub mod digits;
pub mod real;
pub mod sql;

pub use real::{push_real_dump, push_real_sql, push_real_text, real_dump, real_sql, real_text};
