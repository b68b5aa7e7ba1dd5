//! A content hash of a database and its per-table row counts; the integrity check.
