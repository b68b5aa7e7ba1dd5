//! The pager, for results at the interactive prompt (`.pager on|off|auto`).
//!
//! While a unit runs, its output is held back until it is known to be taller than the
//! screen: up to `limit` lines are buffered; the line that passes the limit starts the pager
//! (`sh -c COMMAND`, with `$PAGER` or `less -FRX` as the command), which gets the buffered
//! text and then every later byte as it comes, so a long result streams and nothing is held
//! whole. A result that stays short is written to stdout when the unit ends. With
//! `.pager on` the limit is 0: every result goes through the pager.
//!
//! Only stdout is ever paged: `.output`, `.once` and pipes replace this target, and the
//! shell starts paging only when stdout is a terminal.

use std::io::{self, Write};
use std::process::{Child, ChildStdin, Command, Stdio};

/// Output held back for the pager, or already flowing into it.
pub struct Paging {
    buf: Vec<u8>,
    lines: usize,
    limit: usize,
    command: String,
    pager: Option<(ChildStdin, Child)>,
}

impl Paging {
    /// Pages output taller than `limit` lines through `command`.
    pub fn new(command: &str, limit: usize) -> Self {
        Paging {
            buf: Vec::new(),
            lines: 0,
            limit,
            command: command.to_string(),
            pager: None,
        }
    }

    /// True once the pager runs.
    pub fn engaged(&self) -> bool {
        self.pager.is_some()
    }

    fn start(&mut self) -> io::Result<()> {
        // The pager shares the terminal: what was written to stdout must be out first.
        io::stdout().flush()?;
        let mut child = Command::new("/bin/sh")
            .arg("-c")
            .arg(&self.command)
            .stdin(Stdio::piped())
            .spawn()?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| io::Error::other("no pipe to the pager"))?;
        let held = std::mem::take(&mut self.buf);
        let r = stdin.write_all(&held);
        self.pager = Some((stdin, child));
        r
    }

    /// Writes what is held to stdout (the result was short), or closes the pager's input
    /// and waits for the reader to quit.
    pub fn finish(mut self) -> io::Result<()> {
        match self.pager.take() {
            Some((stdin, mut child)) => {
                drop(stdin);
                child.wait()?;
                Ok(())
            }
            None => {
                let mut o = io::stdout().lock();
                o.write_all(&self.buf)?;
                o.flush()
            }
        }
    }

    /// Sends what is held to stdout now and stops holding output back: used before an error
    /// message goes to stderr, so that the two appear in the order they were made.
    pub fn release(&mut self) -> io::Result<()> {
        if self.pager.is_none() {
            let mut o = io::stdout().lock();
            o.write_all(&std::mem::take(&mut self.buf))?;
            o.flush()?;
            self.limit = usize::MAX;
        }
        Ok(())
    }
}

impl Write for Paging {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.write_all(data)?;
        Ok(data.len())
    }

    fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        if let Some((stdin, _)) = &mut self.pager {
            return stdin.write_all(data);
        }
        if self.limit == usize::MAX {
            return io::stdout().lock().write_all(data);
        }
        self.buf.extend_from_slice(data);
        self.lines += data.iter().filter(|&&b| b == b'\n').count();
        if self.lines > self.limit || (self.limit == 0 && !self.buf.is_empty()) {
            self.start()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.pager {
            Some((stdin, _)) => stdin.flush(),
            None if self.limit == usize::MAX => io::stdout().flush(),
            // Held back until it is known whether it needs the pager.
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tall_result_goes_to_the_pager_and_a_short_one_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let seen = dir.path().join("paged");
        let cmd = format!("cat > '{}'", seen.display());
        let mut p = Paging::new(&cmd, 3);
        p.write_all(b"1\n2\n3\n").unwrap();
        assert!(!p.engaged());
        p.write_all(b"4\n5\n").unwrap();
        assert!(p.engaged());
        p.finish().unwrap();
        assert_eq!(std::fs::read(&seen).unwrap(), b"1\n2\n3\n4\n5\n");

        let short = dir.path().join("short");
        let mut p = Paging::new(&format!("cat > '{}'", short.display()), 3);
        p.write_all(b"1\n2\n").unwrap();
        assert!(!p.engaged());
        assert!(!short.exists());
    }

    #[test]
    fn limit_zero_pages_everything_but_nothing_starts_no_pager() {
        let dir = tempfile::tempdir().unwrap();
        let seen = dir.path().join("paged");
        let mut p = Paging::new(&format!("cat > '{}'", seen.display()), 0);
        p.write_all(b"").unwrap();
        assert!(!p.engaged());
        p.write_all(b"x").unwrap();
        assert!(p.engaged());
        p.finish().unwrap();
        assert_eq!(std::fs::read(&seen).unwrap(), b"x");
    }
}
