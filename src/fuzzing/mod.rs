//! Entry points for the fuzz targets (`fuzz/`, run with `cargo +nightly fuzz`) and for the
//! corpus replay test (`tests/fuzz_corpus.rs`), which feeds every file of
//! `fuzz/corpus/<target>/` through the same functions on stable.
//!
//! Each function takes any bytes and panics when one of its properties fails; merely not
//! panicking is never the whole check. The properties, target by target:
//!
//! * [`split`]: lines as [`crate::input::read_line`] cuts them equal a model of sqlite3's
//!   `local_getline` (`fgets` chunks of 100, 300, 700… bytes, `strlen`, one `\r` before the
//!   `\n`), whatever the reader's buffer size; each unit and each swallowed text is exactly
//!   the lines it took (the first one without its leading white space, a `go` or `/` line
//!   possibly as `;`); dot units are whole lines that start with `.`; an SQL unit that a line
//!   completed is complete; line numbers are the lines'; `is_complete` agrees with the
//!   library's `sqlite3_complete` (given a newline at the end: the library, newer than
//!   3.40.1, no longer ends a `--` comment at the end of the text).
//! * [`dotargs`]: at most `MAX_ARGS` arguments, none holding a NUL byte; a line without quotes
//!   or backslashes splits at white space; single-quoted arguments come back as written.
//! * [`cli`]: every argument after `argv[0]` is used exactly once (file name, command,
//!   option, or an option's value) and known options get exactly their arity of values.
//! * [`import`]: the CSV and ASCII readers give the same fields whatever their buffer size,
//!   the same as a byte-at-a-time model of 3.40.1's `csv_read_one_field` /
//!   `ascii_read_one_field`, and the line count is one plus the row separators read.
//! * [`complete`]: the word replaced ends at the cursor and starts on a character boundary,
//!   no replacement is offered twice, and every replacement continues the typed word (for
//!   a dot-command argument holding backslash escapes: its value, which the text is not).
//! * [`highlight`]: colours only: without its escape sequences the output is the line.
//! * [`hexdb`]: `.open --hexdb`'s reader, from the shell's input and from a file: an image
//!   of whole pages or an error naming the line sqlite3 would name; every line counted.
//! * [`manifest`]: a snapshot manifest or pack index that parses serialises and parses back to
//!   itself, and every size a restore derives from it (chunk bytes, stored lengths) is
//!   bounded, its ids usable as keys.
//! * [`dump_insert`]: a line the dump-INSERT recogniser takes stores exactly what SQLite's
//!   parser stores for it (or fails the same way), through the restore's cached statement.
//! * [`zipfile`]: any bytes as a ZIP archive read through the `zipfile` table give rows or an
//!   error; stored data equals `data` for stored entries, inflated data has its declared
//!   size, and an archive that reads whole is written again by `zipfile()` with the same data.
//! * [`recover`]: any bytes as a database file: `.recover` writes a script or an error, and a
//!   script loads through litesh's own input path without an error into a database that
//!   passes `integrity_check`.
//! * [`roundtrip`]: a table built from the input (every storage class, NUL and invalid UTF-8
//!   in text, odd names, REAL edge values) is dumped with `.dump` and loaded into a fresh
//!   in-memory database through litesh's input path: schema and rows come back identical,
//!   storage classes and REAL bits included (`-0.0` is written as `0.0`, as sqlite3 does).

mod db;
mod text;

pub use db::{dump_insert, recover, roundtrip, zipfile};
pub use text::{cli, complete, dotargs, hexdb, highlight, import, manifest, split};

/// A cursor over the fuzz input, for targets that build structured cases from it. Past the
/// end it yields zeros, so every input is a case.
pub(crate) struct Src<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Src<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Src { data, pos: 0 }
    }

    pub(crate) fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        usize::from(self.byte()) % n.max(1)
    }

    pub(crate) fn u64(&mut self) -> u64 {
        (0..8).fold(0u64, |a, _| (a << 8) | u64::from(self.byte()))
    }

    /// Up to `max` bytes, the length taken from the input.
    pub(crate) fn bytes(&mut self, max: usize) -> &'a [u8] {
        let n = self.below(max + 1);
        let start = self.pos.min(self.data.len());
        let end = (start + n).min(self.data.len());
        self.pos += n;
        &self.data[start..end]
    }

    /// What is left.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let start = self.pos.min(self.data.len());
        self.pos = self.data.len();
        &self.data[start..]
    }
}
