//! A snapshot of the live schema for completion.
