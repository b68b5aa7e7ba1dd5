//! Line sources: everything the shell reads comes in as lines of bytes, whether from piped
//! stdin, a `-init` or `.read` file, the output of a `.read '|command'`, or the terminal.

pub mod hexdb;

use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::{Child, Stdio};

/// A source of input lines.
pub trait LineSource {
    /// The next line without its line ending (see [`read_line`]); `None` at end of input.
    /// Interactive sources show `prompt` first (the main or the continuation prompt).
    fn next_line(&mut self, prompt: &[u8]) -> io::Result<Option<Vec<u8>>>;

    /// [`LineSource::next_line`] into `line` (its allocation reused); false at end of input.
    fn next_line_into(&mut self, prompt: &[u8], line: &mut Vec<u8>) -> io::Result<bool> {
        match self.next_line(prompt)? {
            Some(l) => {
                *line = l;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// True for the terminal (sqlite3's `p->in==0 && stdin_is_interactive`).
    fn is_interactive(&self) -> bool {
        false
    }

    /// Called when the shell waits for a new unit (nothing of a statement pending): the
    /// last unit has run. `conn` is the open connection when it may be queried quietly. The
    /// terminal uses this for its history and its schema snapshot.
    fn after_unit(&mut self, _conn: Option<&rusqlite::Connection>) {}
}

/// Reads one line the way sqlite3 3.40.1's `local_getline` does with `fgets`: the line
/// ending (`\n`, and one `\r` before it) is dropped; a NUL byte ends the text of the chunk
/// `fgets` read, so the rest of that chunk (its newline included) is lost and the line
/// continues with the next chunk. Chunks follow sqlite3's buffer growth (100, 300, 700…).
pub fn read_line(r: &mut dyn BufRead) -> io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    Ok(read_line_into(r, &mut line)?.then_some(line))
}

/// [`read_line`] into `line` (cleared first, its allocation reused); false at end of input.
///
/// The input is searched for the newline and for NUL with `memchr` across whole buffers;
/// the chunk boundaries of `fgets` are only tracked, since they matter only once a NUL
/// turns up.
pub fn read_line_into(r: &mut dyn BufRead, line: &mut Vec<u8>) -> io::Result<bool> {
    line.clear();
    // sqlite3's buffer size, and the bytes left in the current fgets chunk (0: a new one).
    let mut capacity: usize = 100;
    let mut room: usize = 0;
    // A NUL was met in the current chunk: the rest of it is dropped.
    let mut cutting = false;
    loop {
        if room == 0 {
            if line.len() + 100 > capacity {
                capacity = capacity * 2 + 100;
            }
            room = capacity - line.len() - 1;
            cutting = false;
        }
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            // End of input: what was read so far, if anything.
            return Ok(!line.is_empty());
        }
        let avail = buf.len().min(room);
        // The chunk ends after a newline.
        let (n, newline) = match memchr::memchr(b'\n', &buf[..avail]) {
            Some(p) => (p + 1, true),
            None => (avail, false),
        };
        let seg = &buf[..n];
        if !cutting {
            match memchr::memchr(0, seg) {
                Some(z) => {
                    line.extend_from_slice(&seg[..z]);
                    cutting = true;
                }
                None => line.extend_from_slice(seg),
            }
        }
        r.consume(n);
        room = if newline { 0 } else { room - n };
        if newline && !cutting {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Ok(true);
        }
    }
}

/// Lines from any reader (piped stdin, a file).
pub struct Reader<R: BufRead>(pub R);

impl<R: BufRead> LineSource for Reader<R> {
    fn next_line(&mut self, _prompt: &[u8]) -> io::Result<Option<Vec<u8>>> {
        read_line(&mut self.0)
    }

    fn next_line_into(&mut self, _prompt: &[u8], line: &mut Vec<u8>) -> io::Result<bool> {
        read_line_into(&mut self.0, line)
    }
}

/// Lines from the output of `sh -c COMMAND` (`.read '|command'`).
pub struct PipeReader {
    child: Child,
    out: BufReader<std::process::ChildStdout>,
}

impl PipeReader {
    /// Starts the command.
    pub fn spawn(cmd: &std::ffi::OsStr) -> io::Result<Self> {
        let mut child = crate::output::sh_command(cmd)
            .stdout(Stdio::piped())
            .spawn()?;
        let out = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("no pipe"))?;
        Ok(PipeReader {
            child,
            out: BufReader::new(out),
        })
    }
}

impl LineSource for PipeReader {
    fn next_line(&mut self, _prompt: &[u8]) -> io::Result<Option<Vec<u8>>> {
        read_line(&mut self.out)
    }
}

impl Drop for PipeReader {
    fn drop(&mut self) {
        // pclose(): drain nothing, just wait for the command.
        let mut sink = Vec::new();
        let _ = self.out.read_to_end(&mut sink);
        let _ = self.child.wait();
    }
}

/// The terminal without a line editor: prompts, then lines as they come (`-interactive`
/// with stdin not a terminal; the editor is `repl::Repl`).
pub struct Terminal {
    stdin: io::StdinLock<'static>,
}

impl Default for Terminal {
    fn default() -> Self {
        Self::new()
    }
}

impl Terminal {
    /// A terminal source.
    pub fn new() -> Self {
        Terminal {
            stdin: io::stdin().lock(),
        }
    }
}

impl LineSource for Terminal {
    fn next_line(&mut self, prompt: &[u8]) -> io::Result<Option<Vec<u8>>> {
        let mut o = io::stdout().lock();
        o.write_all(prompt)?;
        o.flush()?;
        read_line(&mut self.stdin)
    }

    fn is_interactive(&self) -> bool {
        true
    }
}

/// Lines of a string given on the command line (not used for SQL arguments, which run whole).
pub struct Lines {
    lines: std::vec::IntoIter<Vec<u8>>,
}

impl Lines {
    /// Splits text into lines.
    pub fn new(text: &[u8]) -> Self {
        let mut r = text;
        let mut v = Vec::new();
        while let Ok(Some(l)) = read_line(&mut r) {
            v.push(l);
        }
        Lines {
            lines: v.into_iter(),
        }
    }
}

impl LineSource for Lines {
    fn next_line(&mut self, _prompt: &[u8]) -> io::Result<Option<Vec<u8>>> {
        Ok(self.lines.next())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The chunk-by-chunk transcription of `local_getline` that `read_line_into` replaced,
    /// kept as the reference for the property test below.
    fn reference_read_line(r: &mut dyn BufRead) -> io::Result<Option<Vec<u8>>> {
        let mut line = Vec::new();
        let mut capacity: usize = 100;
        loop {
            if line.len() + 100 > capacity {
                capacity = capacity * 2 + 100;
            }
            let max = capacity - line.len() - 1;
            let mut chunk = Vec::new();
            while chunk.len() < max {
                let buf = r.fill_buf()?;
                if buf.is_empty() {
                    break;
                }
                let room = buf.len().min(max - chunk.len());
                let n = buf[..room]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(room, |p| p + 1);
                chunk.extend_from_slice(&buf[..n]);
                r.consume(n);
                if chunk.last() == Some(&b'\n') {
                    break;
                }
            }
            if chunk.is_empty() {
                return Ok((!line.is_empty()).then_some(line));
            }
            let text = match chunk.iter().position(|&c| c == 0) {
                Some(i) => &chunk[..i],
                None => &chunk[..],
            };
            line.extend_from_slice(text);
            if line.last() == Some(&b'\n') {
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Some(line));
            }
        }
    }

    fn all_lines(
        input: &[u8],
        buffer: usize,
        f: fn(&mut dyn BufRead) -> io::Result<Option<Vec<u8>>>,
    ) -> Vec<Vec<u8>> {
        let mut r = io::BufReader::with_capacity(buffer, input);
        std::iter::from_fn(|| f(&mut r).unwrap()).collect()
    }

    proptest! {
        /// Lines of any length with NULs, CRs and newlines anywhere, read through buffers
        /// of any size, come out as the chunk-by-chunk reading gives them.
        #[test]
        fn lines_are_read_as_fgets_reads_them(
            parts in proptest::collection::vec(
                (0usize..900, proptest::sample::select(vec![b'\n', 0u8, b'\r', b'a'])),
                0..12,
            ),
            buffer in 1usize..2000,
        ) {
            let mut input = Vec::new();
            for (n, c) in parts {
                input.extend(std::iter::repeat_n(b'x', n));
                input.push(c);
            }
            prop_assert_eq!(
                all_lines(&input, buffer, read_line),
                all_lines(&input, buffer, reference_read_line)
            );
        }
    }

    #[test]
    fn crlf_and_nul_are_handled_like_sqlite3() {
        let mut r: &[u8] = b"a\r\nb\0c\nnext\nlast\r";
        assert_eq!(read_line(&mut r).unwrap(), Some(b"a".to_vec()));
        // The NUL loses the rest of its chunk, newline included: the lines join.
        assert_eq!(read_line(&mut r).unwrap(), Some(b"bnext".to_vec()));
        assert_eq!(read_line(&mut r).unwrap(), Some(b"last\r".to_vec()));
        assert_eq!(read_line(&mut r).unwrap(), None);
    }
}
