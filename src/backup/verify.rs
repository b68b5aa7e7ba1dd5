//! `.verify FILE`: a restore test of a database file or an SQL dump.
