//! The output stack: where rendered bytes go.
//!
//! sqlite3 writes results to `p->out`, which is stdout, a file (`.output FILE`), a pipe
//! (`.output |cmd`), or any of those for one command only (`.once`). Writes are buffered;
//! the shell flushes before it reads each input line, as sqlite3 flushes `p->out`. Every
//! failed write surfaces as an `io::Error` so that the shell can report it (sqlite3 is
//! silent about a full disk; litesh is not).
//!
//! A file of `.output FILE` or `.once FILE` whose write fails (a full disk) is not left
//! half-written: a file the redirection created or truncated is removed, one it appended to
//! is cut back to its former length, and the rest of that redirection's output is dropped
//! (the failure is reported once and the exit code is 1). sqlite3 leaves the partial file.
//! Likewise the rest of a `.output |cmd` whose command stopped reading is dropped, quietly.

mod pager;

pub use pager::Paging;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

/// `sh -c CMD` as sqlite3's `popen()` and `system()` start it: `/bin/sh` with `argv[0]`
/// `sh`, which the shell's own messages name (`sh: 1: x: not found`). The command is
/// handed over as it is, one argument: nothing of it is interpreted on the way.
pub fn sh_command(cmd: &std::ffi::OsStr) -> Command {
    use std::os::unix::process::CommandExt;
    let mut c = Command::new("/bin/sh");
    c.arg0("sh").arg("-c").arg(cmd);
    c
}

/// Where the current output goes.
enum Target {
    Stdout(BufWriter<io::Stdout>),
    Stderr(io::Stderr),
    File(FileOut),
    /// A file whose write failed: undone (see [`FileOut::undo`]), output dropped until the
    /// next redirection.
    Abandoned,
    Pipe {
        stdin: BufWriter<ChildStdin>,
        child: Child,
    },
    /// Stdout, through the pager when the output gets taller than the screen.
    Paged(Paging),
}

/// A redirection to a file, and how to take back what it wrote if a write fails.
struct FileOut {
    w: BufWriter<File>,
    path: PathBuf,
    undo: Undo,
}

enum Undo {
    /// The redirection created or truncated the file: remove it.
    Remove,
    /// It appended to a file of this length: cut it back.
    Truncate(u64),
    /// Not a regular file (`/dev/full`, a FIFO): nothing to take back.
    Nothing,
}

impl FileOut {
    /// After a failed write: drops what is still buffered and takes back what reached the
    /// file, returning the error to report (with what was done about the file).
    fn undo(self, e: io::Error) -> io::Error {
        let (f, _unwritten) = self.w.into_parts();
        let done = match self.undo {
            Undo::Remove => {
                drop(f);
                std::fs::remove_file(&self.path)
                    .ok()
                    .map(|()| "the incomplete file was removed".to_string())
            }
            Undo::Truncate(n) => f
                .set_len(n)
                .ok()
                .map(|()| format!("the file was cut back to its former {n} bytes")),
            Undo::Nothing => None,
        };
        match done {
            Some(d) => io::Error::new(e.kind(), format!("{e}: {}: {d}", self.path.display())),
            None => e,
        }
    }
}

/// The shell's output: stdout or a redirection, plus the `.once` flag.
pub struct Output {
    target: Target,
    /// True when the redirection ends after the next SQL statement or command.
    pub once: bool,
    /// Name of the current redirection (for `.show`), empty for stdout.
    pub name: Vec<u8>,
    /// Counts the redirections begun and ended, so that a failure of a new destination is
    /// told apart from more failures of the same one.
    pub generation: u64,
}

/// True when the error is a broken pipe on our output: the reader went away.
pub fn is_broken_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

impl Default for Output {
    fn default() -> Self {
        Self::new()
    }
}

impl Output {
    /// Output to stdout.
    pub fn new() -> Self {
        Output {
            target: Target::Stdout(BufWriter::with_capacity(64 * 1024, io::stdout())),
            once: false,
            name: Vec::new(),
            generation: 0,
        }
    }

    /// True when writing to the process's stdout.
    pub fn is_stdout(&self) -> bool {
        matches!(self.target, Target::Stdout(_))
    }

    /// Starts holding stdout's output back for the pager (see [`Paging`]); only when the
    /// output is stdout itself, never a redirection.
    pub fn start_paging(&mut self, command: &str, limit: usize) -> io::Result<()> {
        if let Target::Stdout(w) = &mut self.target {
            w.flush()?;
            self.target = Target::Paged(Paging::new(command, limit));
        }
        Ok(())
    }

    /// Ends paging: a short result goes to stdout, a pager is waited for.
    pub fn end_paging(&mut self) -> io::Result<()> {
        if matches!(self.target, Target::Paged(_)) {
            return self.reset();
        }
        Ok(())
    }

    /// True when `e` says the pager, or the command of `.output |cmd`, stopped reading
    /// before it had everything: the reader has what it wanted, so the statement stops
    /// quietly and nothing failed (sqlite3 is killed by SIGPIPE there, or with SIGPIPE
    /// ignored goes on without a word).
    pub fn reader_quit(&self, e: &io::Error) -> bool {
        is_broken_pipe(e) && matches!(self.target, Target::Paged(_) | Target::Pipe { .. })
    }

    /// After [`reader_quit`](Self::reader_quit): a pager is done with (the next results
    /// go to stdout again); the rest of a `.output |cmd` redirection is dropped until it
    /// ends, as sqlite3 with SIGPIPE ignored writes it into the closed pipe.
    pub fn reader_gone(&mut self) -> io::Result<()> {
        match std::mem::replace(&mut self.target, Target::Abandoned) {
            Target::Pipe { stdin, mut child } => {
                let (pipe, _unwritten) = stdin.into_parts();
                drop(pipe);
                child.wait()?;
                Ok(())
            }
            Target::Paged(p) => {
                self.target = Target::Paged(p);
                self.reset()
            }
            other => {
                self.target = other;
                Ok(())
            }
        }
    }

    /// Before a message goes to stderr: output held back for the pager goes out first.
    pub fn release_held(&mut self) -> io::Result<()> {
        match &mut self.target {
            Target::Paged(p) => p.release(),
            _ => Ok(()),
        }
    }

    /// Redirects to a file (truncating, or appending when `append`).
    pub fn to_file(&mut self, path: &Path, append: bool, name: &[u8]) -> io::Result<()> {
        let f = if append {
            std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(path)?
        } else {
            File::create(path)?
        };
        let undo = match f.metadata() {
            Ok(m) if m.is_file() && append => Undo::Truncate(m.len()),
            Ok(m) if m.is_file() => Undo::Remove,
            _ => Undo::Nothing,
        };
        self.reset()?;
        self.generation += 1;
        self.target = Target::File(FileOut {
            w: BufWriter::new(f),
            path: path.to_path_buf(),
            undo,
        });
        self.name = name.to_vec();
        Ok(())
    }

    /// Redirects to stderr (`.output stderr`).
    pub fn to_stderr(&mut self) -> io::Result<()> {
        self.reset()?;
        self.generation += 1;
        self.target = Target::Stderr(io::stderr());
        self.name = b"stderr".to_vec();
        Ok(())
    }

    /// Redirects into the standard input of `sh -c CMD`.
    pub fn to_pipe(&mut self, cmd: &std::ffi::OsStr, name: &[u8]) -> io::Result<()> {
        let mut child = sh_command(cmd).stdin(Stdio::piped()).spawn()?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| io::Error::other("no pipe"))?;
        self.reset()?;
        self.generation += 1;
        self.target = Target::Pipe {
            stdin: BufWriter::new(stdin),
            child,
        };
        self.name = name.to_vec();
        Ok(())
    }

    /// Ends any redirection: flush and close it (waiting for a pipe's command), back to stdout.
    pub fn reset(&mut self) -> io::Result<()> {
        self.once = false;
        self.name.clear();
        let old = std::mem::replace(
            &mut self.target,
            Target::Stdout(BufWriter::with_capacity(64 * 1024, io::stdout())),
        );
        if !matches!(old, Target::Stdout(_)) {
            self.generation += 1;
        }
        match old {
            Target::Stdout(mut w) => w.flush(),
            Target::Stderr(mut w) => w.flush(),
            Target::File(mut f) => {
                if let Err(e) = f.w.flush() {
                    return Err(f.undo(e));
                }
                // A special file may not sync; a regular one that fails here already took
                // every byte into the page cache.
                let _ = f.w.get_ref().sync_all();
                Ok(())
            }
            Target::Abandoned => Ok(()),
            Target::Paged(p) => match p.finish() {
                Err(e) if is_broken_pipe(&e) => Ok(()),
                other => other,
            },
            Target::Pipe { stdin, mut child } => {
                let r = match stdin.into_inner() {
                    Ok(s) => {
                        drop(s);
                        Ok(())
                    }
                    Err(e) => Err(e.into_error()),
                };
                child.wait()?;
                // A command that stopped reading is not our error (sqlite3's pclose is quiet).
                match r {
                    Err(e) if is_broken_pipe(&e) => Ok(()),
                    other => other,
                }
            }
        }
    }
}

impl Output {
    /// A write to the file failed: undo the file and drop the rest of its output.
    fn file_failed(&mut self, e: io::Error) -> io::Error {
        match std::mem::replace(&mut self.target, Target::Abandoned) {
            Target::File(f) => f.undo(e),
            other => {
                self.target = other;
                e
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = match &mut self.target {
            Target::Stdout(w) => w.write(buf),
            Target::Stderr(w) => w.write(buf),
            Target::File(f) => f.w.write(buf),
            Target::Abandoned => Ok(buf.len()),
            Target::Pipe { stdin, .. } => stdin.write(buf),
            Target::Paged(p) => p.write(buf),
        };
        r.map_err(|e| self.file_failed(e))
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let r = match &mut self.target {
            Target::Stdout(w) => w.write_all(buf),
            Target::Stderr(w) => w.write_all(buf),
            Target::File(f) => f.w.write_all(buf),
            Target::Abandoned => Ok(()),
            Target::Pipe { stdin, .. } => stdin.write_all(buf),
            Target::Paged(p) => p.write_all(buf),
        };
        r.map_err(|e| self.file_failed(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        let r = match &mut self.target {
            Target::Stdout(w) => w.flush(),
            Target::Stderr(w) => w.flush(),
            Target::File(f) => f.w.flush(),
            Target::Abandoned => Ok(()),
            Target::Pipe { stdin, .. } => stdin.flush(),
            Target::Paged(p) => p.flush(),
        };
        r.map_err(|e| self.file_failed(e))
    }
}
