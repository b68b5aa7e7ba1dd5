//! The text form of a database that `.open --hexdb` reads (what SQLite's `dbtotxt` tool and
//! its test scripts write), read as sqlite3 3.40.1's `readHexDb` reads it:
//!
//! ```text
//! | size 8192 pagesize 4096 filename x.db
//! | page 1 offset 0
//! |      0: 53 51 4c 69 74 65 20 66 6f 72 6d 61 74 20 33 00   SQLite format 3.
//! | end x.db
//! ```
//!
//! The first line gives the image's size (rounded up to whole pages) and page size; a bad
//! first line is an error, after which lines are skipped up to `| end `. Then `| page N
//! offset K` sets the offset of the lines that follow, a line with 16 hexadecimal bytes after
//! `| OFFSET:` fills them in when they lie inside the image, and anything else is ignored.
//! Lines are taken as `fgets` takes them with sqlite3's 1,000-byte buffer: a longer line is
//! several, each counted, and the text of each ends at a NUL byte (C string functions).

use std::io::{self, BufRead};

/// `fgets`' buffer in `readHexDb`: a chunk holds at most one byte less.
const CHUNK: usize = 999;

/// How reading failed.
#[derive(Debug)]
pub enum HexError {
    /// A bad or missing first line (sqlite3: `Error on line N of --hexdb input`).
    BadInput {
        /// The line number sqlite3 reports.
        line: usize,
    },
    /// The image's size cannot be held (sqlite3 exits with `Error: out of memory`).
    OutOfMemory,
    /// The input could not be read.
    Io(io::Error),
}

/// Reads an image from `chunks` (lines as `fgets` gives them, see [`fgets_chunks`]).
/// `lineno` is the number of the line before the first one; the returned number is the line
/// count sqlite3 leaves behind (`p->lineno` when the lines come from the current input).
/// After a bad first line, the rest of the text is skipped (up to `| end `) only when it
/// comes from the current input (`skip`); a file is just closed.
pub fn read(
    chunks: &mut dyn FnMut() -> io::Result<Option<Vec<u8>>>,
    lineno: usize,
    skip: bool,
) -> (Result<Vec<u8>, HexError>, usize) {
    let mut line = lineno + 1;
    let first = match chunks() {
        Ok(Some(c)) => c,
        Ok(None) => return (Err(HexError::BadInput { line }), line),
        Err(e) => return (Err(HexError::Io(e)), line),
    };
    let Some((size, page_size)) = header(c_str(&first)) else {
        if !skip {
            return (Err(HexError::BadInput { line }), line);
        }
        return skip_to_end(chunks, line);
    };
    // `(n + pgsz - 1) & ~(pgsz - 1)` in C's int: past i32::MAX sqlite3 asks malloc for the
    // impossible and exits.
    let n = (size + page_size - 1) & !(page_size - 1);
    if n > i64::from(i32::MAX) {
        return (Err(HexError::OutOfMemory), line);
    }
    let n = n as usize;
    let mut image = Vec::new();
    if image.try_reserve_exact(n).is_err() {
        return (Err(HexError::OutOfMemory), line);
    }
    image.resize(n, 0u8);
    let mut offset: i64 = 0;
    loop {
        line += 1;
        let chunk = match chunks() {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => return (Err(HexError::Io(e)), line),
        };
        let text = c_str(&chunk);
        if let Some((_page, k)) = two_ints(text, b"page", b"offset") {
            offset = k;
            continue;
        }
        if text.starts_with(b"| end ") {
            break;
        }
        if let Some((j, bytes)) = data_line(text) {
            let k = offset + j;
            if k >= 0 && k + 16 <= n as i64 {
                let k = k as usize;
                image[k..k + 16].copy_from_slice(&bytes);
            }
        }
    }
    (Ok(image), line)
}

/// After a bad first line: the lines up to and including `| end `, counted.
fn skip_to_end(
    chunks: &mut dyn FnMut() -> io::Result<Option<Vec<u8>>>,
    mut line: usize,
) -> (Result<Vec<u8>, HexError>, usize) {
    loop {
        match chunks() {
            Ok(Some(c)) => {
                line += 1;
                if c_str(&c).starts_with(b"| end ") {
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => return (Err(HexError::Io(e)), line),
        }
    }
    (Err(HexError::BadInput { line }), line)
}

/// Splits `reader` into chunks as `fgets(buf, 1000, f)` returns them.
pub fn fgets_chunks<R: BufRead>(mut reader: R) -> impl FnMut() -> io::Result<Option<Vec<u8>>> {
    chunked(move || {
        let mut line = Vec::new();
        Ok((reader.read_until(b'\n', &mut line)? > 0).then_some(line))
    })
}

/// Splits lines that lost their line ending (as the shell's input gives them) into the
/// chunks `fgets` would have returned for the same bytes.
pub fn line_chunks(
    mut next_line: impl FnMut() -> io::Result<Option<Vec<u8>>>,
) -> impl FnMut() -> io::Result<Option<Vec<u8>>> {
    chunked(move || {
        Ok(next_line()?.map(|mut line| {
            line.push(b'\n');
            line
        }))
    })
}

/// The lines `next` gives (each with its line ending), cut into pieces of at most
/// [`CHUNK`] bytes, one piece a call.
fn chunked(
    mut next: impl FnMut() -> io::Result<Option<Vec<u8>>>,
) -> impl FnMut() -> io::Result<Option<Vec<u8>>> {
    let mut pending: std::collections::VecDeque<Vec<u8>> = Default::default();
    move || {
        if pending.is_empty() {
            let Some(line) = next()? else {
                return Ok(None);
            };
            pending.extend(line.chunks(CHUNK).map(<[u8]>::to_vec));
        }
        Ok(pending.pop_front())
    }
}

/// The text a C string function sees: up to the first NUL.
fn c_str(chunk: &[u8]) -> &[u8] {
    chunk
        .iter()
        .position(|&b| b == 0)
        .map_or(chunk, |i| &chunk[..i])
}

/// `sscanf(line, "| size %d pagesize %d", &n, &pgsz) == 2`, with sqlite3's checks of the
/// values: `None` is an error.
fn header(text: &[u8]) -> Option<(i64, i64)> {
    let (size, page_size) = two_ints(text, b"size", b"pagesize")?;
    let valid_page = (512..=65536).contains(&page_size) && page_size & (page_size - 1) == 0;
    (size >= 0 && valid_page).then_some((size, page_size))
}

/// `sscanf(text, "| WORD1 %d WORD2 %d", …) == 2`.
fn two_ints(text: &[u8], word1: &[u8], word2: &[u8]) -> Option<(i64, i64)> {
    let mut s = Scanner { s: text, i: 0 };
    s.literal(b"|")?;
    s.space();
    s.literal(word1)?;
    s.space();
    let a = s.int()?;
    s.space();
    s.literal(word2)?;
    s.space();
    let b = s.int()?;
    Some((a, b))
}

/// `sscanf(text, "| %d: %hhx … %hhx", …) == 17`: the offset and the 16 bytes.
fn data_line(text: &[u8]) -> Option<(i64, [u8; 16])> {
    let mut s = Scanner { s: text, i: 0 };
    s.literal(b"|")?;
    s.space();
    let j = s.int()?;
    s.literal(b":")?;
    let mut bytes = [0u8; 16];
    for b in &mut bytes {
        s.space();
        *b = s.hex_byte()?;
    }
    Some((j, bytes))
}

/// The parts of `sscanf` the formats above use.
struct Scanner<'a> {
    s: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    /// White space in the format: any amount of white space in the input, none included.
    fn space(&mut self) {
        while self.peek().is_some_and(crate::exec::is_space) {
            self.i += 1;
        }
    }

    /// Ordinary characters in the format must match exactly.
    fn literal(&mut self, lit: &[u8]) -> Option<()> {
        if self.s[self.i..].starts_with(lit) {
            self.i += lit.len();
            Some(())
        } else {
            None
        }
    }

    /// An optional sign; returns whether it was a minus.
    fn sign(&mut self) -> bool {
        match self.peek() {
            Some(b'-') => {
                self.i += 1;
                true
            }
            Some(b'+') => {
                self.i += 1;
                false
            }
            _ => false,
        }
    }

    /// `%d`: white space, a sign, decimal digits (at least one), stored in a C int the way
    /// glibc does (through `long`, saturating there, then truncated).
    fn int(&mut self) -> Option<i64> {
        self.space();
        let neg = self.sign();
        let start = self.i;
        let mut v: i64 = 0;
        while let Some(d) = self.peek().filter(u8::is_ascii_digit) {
            v = v.saturating_mul(10).saturating_add(i64::from(d - b'0'));
            self.i += 1;
        }
        if self.i == start {
            return None;
        }
        let v = if neg { v.saturating_neg() } else { v };
        Some(i64::from(v as i32))
    }

    /// `%hhx`: white space, a sign, an optional `0x`, hexadecimal digits (at least one),
    /// stored in an unsigned char (the low 8 bits).
    fn hex_byte(&mut self) -> Option<u8> {
        self.space();
        let neg = self.sign();
        if self.peek() == Some(b'0')
            && matches!(self.s.get(self.i + 1), Some(b'x' | b'X'))
            && self.s.get(self.i + 2).is_some_and(u8::is_ascii_hexdigit)
        {
            self.i += 2;
        }
        let start = self.i;
        let mut v: u64 = 0;
        while let Some(d) = self.peek().and_then(|c| (c as char).to_digit(16)) {
            v = v.wrapping_mul(16).wrapping_add(u64::from(d));
            self.i += 1;
        }
        if self.i == start {
            return None;
        }
        let v = if neg { v.wrapping_neg() } else { v };
        Some(v as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, lineno: usize) -> (Result<Vec<u8>, HexError>, usize) {
        let mut chunks = fgets_chunks(text.as_bytes());
        read(&mut chunks, lineno, true)
    }

    #[test]
    fn a_page_is_filled_at_its_offset_and_the_rest_is_zero() {
        let text = "| size 1000 pagesize 512 filename x.db\n\
                    | page 2 offset 512\n\
                    |     16: 01 02 03 04 05 06 07 08  09 0a 0b 0c 0d 0e 0f ff   ................\n\
                    | end x.db\n\
                    SELECT 1;\n";
        let (image, line) = run(text, 10);
        let image = image.unwrap();
        assert_eq!(image.len(), 1024, "rounded up to whole pages");
        assert_eq!(
            &image[528..544],
            &(1..=15).chain([255]).collect::<Vec<u8>>()[..]
        );
        assert!(image[..528].iter().chain(&image[544..]).all(|&b| b == 0));
        assert_eq!(line, 14, "the `| end` line is the last one taken");
    }

    #[test]
    fn short_and_outside_lines_are_ignored_and_eof_counts_one_more() {
        let text = "| size 512 pagesize 512\n\
                    |      0: 01 02 03\n\
                    |    500: 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01\n\
                    |  0x10: 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01\n";
        let (image, line) = run(text, 0);
        assert!(image.unwrap().iter().all(|&b| b == 0));
        assert_eq!(line, 5);
    }

    #[test]
    fn bad_first_lines_skip_to_the_end_line() {
        // sqlite3: `| size x` on line 4 after `.open` on line 3, `| end x` on line 6.
        let (r, line) = run("| size x\nfoo\n| end x\nSELECT 2;\n", 3);
        assert!(matches!(r, Err(HexError::BadInput { line: 6 })));
        assert_eq!(line, 6);
        // An invalid page size, then no end line: every line is taken.
        let (r, _) = run("| size 100 pagesize 100\nSELECT 3;\n", 8);
        assert!(matches!(r, Err(HexError::BadInput { line: 10 })));
        // Nothing at all.
        let (r, _) = run("", 1);
        assert!(matches!(r, Err(HexError::BadInput { line: 2 })));
        // `| end` without the space after it is not the end.
        let (r, _) = run("| size -1 pagesize 512\n| end\n| end \n", 0);
        assert!(matches!(r, Err(HexError::BadInput { line: 3 })));
        // A file (or stdin on the command line) is not read further.
        let mut chunks = fgets_chunks(&b"| size x\nfoo\n| end x\n"[..]);
        let (r, line) = read(&mut chunks, 0, false);
        assert!(matches!(r, Err(HexError::BadInput { line: 1 })));
        assert_eq!(line, 1);
        assert_eq!(chunks().unwrap().unwrap(), b"foo\n");
    }

    #[test]
    fn scanf_details() {
        assert_eq!(
            two_ints(b"|size+10pagesize 512", b"size", b"pagesize"),
            Some((10, 512))
        );
        assert_eq!(
            two_ints(b" | size 1 pagesize 512", b"size", b"pagesize"),
            None
        );
        assert_eq!(two_ints(b"| size 1 pagesize", b"size", b"pagesize"), None);
        let (j, b) = data_line(b"|-16: 0x1f FFF -1 +2 0 0 0 0 0 0 0 0 0 0 0 0").unwrap();
        assert_eq!(j, -16);
        assert_eq!(&b[..4], &[0x1f, 0xff, 0xff, 2]);
        assert_eq!(
            data_line(b"| 16 : 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"),
            None
        );
        assert_eq!(c_str(b"| end \0x"), b"| end ");
    }

    #[test]
    fn long_lines_are_several_chunks() {
        let long = format!("{}\n| size 512 pagesize 512\n", "x".repeat(1500));
        let mut chunks = fgets_chunks(long.as_bytes());
        assert_eq!(chunks().unwrap().unwrap().len(), 999);
        assert_eq!(chunks().unwrap().unwrap().len(), 502);
        let mut lines = vec![b"y".repeat(999)].into_iter();
        let mut chunks = line_chunks(move || Ok(lines.next()));
        assert_eq!(chunks().unwrap().unwrap().len(), 999);
        assert_eq!(chunks().unwrap().unwrap(), b"\n");
        assert!(chunks().unwrap().is_none());
    }

    #[test]
    fn sizes_past_a_c_int_are_out_of_memory() {
        let (r, _) = run("| size 2147483600 pagesize 65536\n", 0);
        assert!(matches!(r, Err(HexError::OutOfMemory)));
    }
}
