//! A consistent image of a database's pages, read through `sqlite_dbpage`.
