//! Pseudo-terminal tests: litesh at a real terminal, driven through tmux.
//!
//! Each test makes a [`Term`]: a temporary directory whose `home/` is the working directory
//! and `$HOME`, with the history file (`$SQLITE_HISTORY`) and the settings file
//! (`$LITESH_CONFIG`) next to it, so that nothing of the developer's own set-up leaks in.
//! [`Term::start`] runs one shell command line in a pane of a tmux server of its own (its
//! socket is inside the directory), with a scrubbed environment (`env -i`, then only what
//! the test set), a fixed 100x30 window and no status line; [`Session`] types into it,
//! reads the screen and kills the server when dropped, also when a test panics.
//!
//! The command runs as `COMMAND; echo "EXIT=$?"`, so [`Session::wait_exit`] reads the exit
//! code off the screen. It starts only once the harness says go, so that a session started
//! with [`Term::start_recorded`] has `pipe-pane` recording every byte the pane's programs
//! write to the terminal from the first one on ([`Session::raw`]).
//!
//! Nothing here sleeps for a fixed time and hopes: every wait polls the screen
//! (`capture-pane -p`, every 20 ms) for what the test expects, and panics after
//! [`TIMEOUT`] with the whole screen in the message. A prompt counts only when it was drawn
//! after the keys last sent ([`Session::wait_prompt`]): the prompt still on the screen
//! from before must not let the next keys reach the terminal while a statement runs (in
//! cooked mode the terminal would echo them, or take a Ctrl-D for itself).
//!
//! Without tmux the tests print a loud warning and pass, except under `CI=true`, where they
//! fail (as the differential tests do without sqlite3).

#![allow(dead_code)]

mod colour;
mod complete;
mod editor;
mod faults;
mod files;
mod history;
mod interrupt;
mod pager;
mod pipes;
mod prompt;

use std::cell::{Cell, RefCell};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::harness::litesh;

/// How long a wait polls before it gives up.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// How often a wait looks at the screen.
const POLL: Duration = Duration::from_millis(20);

/// The pane's size.
pub const WIDTH: u16 = 100;
/// The pane's size.
pub const HEIGHT: u16 = 30;

/// The primary prompt, as the screen shows it (trailing blanks trimmed).
pub const PROMPT: &str = "sqlite>";
/// The continuation prompt, as the screen shows it (trailing blanks trimmed).
pub const CONT_PROMPT: &str = "   ...>";

/// True when tmux runs here.
pub fn have_tmux() -> bool {
    static CHECKED: OnceLock<bool> = OnceLock::new();
    *CHECKED.get_or_init(|| {
        let ok = Command::new("tmux")
            .arg("-V")
            .stdin(Stdio::null())
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            eprintln!(
                "\n!!!!! tmux is missing: the pseudo-terminal tests drive litesh through it and \
                 CANNOT RUN. Install the tmux package (apt-get install tmux). !!!!!\n"
            );
        }
        ok
    })
}

/// Call at the top of every terminal test: `false` means skip (outside CI only).
pub fn require_tmux() -> bool {
    if have_tmux() {
        return true;
    }
    if crate::harness::in_ci() {
        panic!("tmux is required for the pseudo-terminal tests (CI=true)");
    }
    false
}

/// `s` quoted for `sh`.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A path as text (the temporary directories have plain names).
pub fn path_str(p: &Path) -> String {
    p.to_str().expect("UTF-8 path").to_string()
}

/// One test's terminal set-up: its directory and the environment its commands get.
pub struct Term {
    root: tempfile::TempDir,
    env: Vec<(String, String)>,
    runs: Cell<usize>,
}

impl Term {
    /// A new set-up, or `None` when tmux is missing (the test then returns at once).
    ///
    /// The environment: `PATH` (with `litesh` first), `HOME` (= the working directory),
    /// `TERM=xterm-256color`, `LANG=C.UTF-8`, `TZ=UTC`, `SQLITE_HISTORY`, `LITESH_CONFIG`
    /// and `PAGER=cat`. No `NO_COLOR`: a test that wants it sets it. (sqlite3 reads
    /// `$SQLITE_HISTORY` too: run in the same set-up, it keeps its history in the same
    /// file.)
    pub fn new() -> Option<Term> {
        if !require_tmux() {
            return None;
        }
        let root = tempfile::Builder::new()
            .prefix("litesh-pty-")
            .tempdir()
            .expect("tempdir");
        let home = root.path().join("home");
        let bin = root.path().join("bin");
        fs::create_dir(&home).unwrap();
        fs::create_dir(&bin).unwrap();
        std::os::unix::fs::symlink(litesh(), bin.join("litesh")).unwrap();
        let mut t = Term {
            env: Vec::new(),
            runs: Cell::new(0),
            root,
        };
        let path = format!("{}:/usr/local/bin:/usr/bin:/bin", path_str(&bin));
        let history = path_str(&t.history_file());
        let config = path_str(&t.config_file());
        t.set_env("PATH", &path)
            .set_env("HOME", &path_str(&home))
            .set_env("TERM", "xterm-256color")
            .set_env("LANG", "C.UTF-8")
            .set_env("TZ", "UTC")
            .set_env("SQLITE_HISTORY", &history)
            .set_env("LITESH_CONFIG", &config)
            .set_env("PAGER", "cat");
        Some(t)
    }

    /// Sets (or replaces) a variable of the commands' environment.
    pub fn set_env(&mut self, key: &str, value: &str) -> &mut Self {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Removes a variable from the commands' environment.
    pub fn unset_env(&mut self, key: &str) -> &mut Self {
        self.env.retain(|(k, _)| k != key);
        self
    }

    /// The working directory and `$HOME`.
    pub fn home(&self) -> PathBuf {
        self.root.path().join("home")
    }

    /// A file in the working directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.home().join(name)
    }

    /// A file in the working directory, as text for a command line.
    pub fn file_str(&self, name: &str) -> String {
        path_str(&self.file(name))
    }

    /// Writes a file in the working directory.
    pub fn write(&self, name: &str, text: &str) {
        fs::write(self.file(name), text).unwrap();
    }

    /// Writes an executable `sh` script in the working directory; returns its path.
    pub fn script(&self, name: &str, body: &str) -> String {
        let p = self.file(name);
        fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
        path_str(&p)
    }

    /// Builds a database in the working directory with /usr/bin/sqlite3 (with litesh when
    /// sqlite3 is missing, so that the tests of litesh alone still run).
    pub fn db(&self, name: &str, sql: &str) {
        let out = self.sql(name, sql);
        assert!(out.status.success(), "fixture SQL failed: {out:?}");
    }

    /// Runs `sql` on a database of the working directory as a command-line argument, with
    /// sqlite3 (else litesh), outside the terminal.
    pub fn sql(&self, name: &str, sql: &str) -> Output {
        let program = if crate::harness::have_sqlite3() {
            PathBuf::from(crate::harness::SQLITE3)
        } else {
            litesh()
        };
        Command::new(program)
            .arg(self.file(name))
            .arg(sql)
            .stdin(Stdio::null())
            .output()
            .expect("run the fixture shell")
    }

    /// `$SQLITE_HISTORY`.
    pub fn history_file(&self) -> PathBuf {
        self.root.path().join("history")
    }

    /// `$LITESH_CONFIG`.
    pub fn config_file(&self) -> PathBuf {
        self.root.path().join("config.toml")
    }

    /// Runs `command` (a `sh` command line, in the working directory) in a new pane.
    pub fn start(&self, command: &str) -> Session<'_> {
        self.launch(command, false)
    }

    /// As [`Term::start`], recording every byte written to the terminal (see
    /// [`Session::raw`]).
    pub fn start_recorded(&self, command: &str) -> Session<'_> {
        self.launch(command, true)
    }

    fn launch(&self, command: &str, record: bool) -> Session<'_> {
        static SERVERS: AtomicUsize = AtomicUsize::new(0);
        let n = self.runs.get();
        self.runs.set(n + 1);
        let ctl = self.root.path().join(format!("ctl-{n}"));
        fs::create_dir(&ctl).unwrap();
        let sock = ctl.join("sock");
        // A unix socket's path has room for 107 bytes; a long $TMPDIR gets a named socket.
        let socket = if path_str(&sock).len() < 100 {
            vec!["-S".to_string(), path_str(&sock)]
        } else {
            vec![
                "-L".to_string(),
                format!(
                    "litesh-pty-{}-{}",
                    std::process::id(),
                    SERVERS.fetch_add(1, Ordering::SeqCst)
                ),
            ]
        };
        let go = ctl.join("go");
        let raw = ctl.join("raw");
        let conf = ctl.join("tmux.conf");
        fs::write(
            &conf,
            "set -g status off\nset -g default-shell /bin/sh\nset -g history-limit 5000\n",
        )
        .unwrap();
        let mut script = String::from("#!/bin/sh\n");
        for (k, v) in &self.env {
            script.push_str(&format!("export {k}={}\n", sh_quote(v)));
        }
        script.push_str(&format!(
            "cd {} || exit 99\n",
            sh_quote(&path_str(&self.home()))
        ));
        // Wait (at most ~10 s) for the go: pipe-pane is set up by then.
        script.push_str(&format!(
            "n=0\nwhile [ ! -e {} ]; do n=$((n+1)); [ $n -gt 1000 ] && exit 98; sleep 0.01; done\n",
            sh_quote(&path_str(&go))
        ));
        // Ctrl-C signals the whole foreground group: the script itself must live on to say
        // how the command ended. A trap (unlike an ignored signal) is not inherited.
        script.push_str("trap : INT\n");
        script.push_str(command);
        script.push_str("\necho \"EXIT=$?\"\n");
        // The pane (and with it the server) goes away on its own even if nobody kills it.
        script.push_str("exec sleep 120\n");
        let run = ctl.join("run.sh");
        fs::write(&run, script).unwrap();
        let mut session = Session {
            socket,
            raw: record.then_some(raw.clone()),
            mark: RefCell::new(None),
            pane_pid: 0,
            _term: self,
        };
        let out = session.tmux_out(&[
            "-f",
            &path_str(&conf),
            "new-session",
            "-d",
            "-x",
            &WIDTH.to_string(),
            "-y",
            &HEIGHT.to_string(),
            "-c",
            &path_str(&self.home()),
            &format!("env -i /bin/sh {}", sh_quote(&path_str(&run))),
        ]);
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if record {
            session.tmux(&[
                "pipe-pane",
                "-o",
                &format!("cat >> {}", sh_quote(&path_str(&raw))),
            ]);
        }
        session.pane_pid = session
            .tmux(&["display-message", "-p", "#{pane_pid}"])
            .trim()
            .parse()
            .expect("pane pid");
        fs::write(&go, "").unwrap();
        session
    }
}

/// One command running in a pane of its own tmux server.
pub struct Session<'a> {
    socket: Vec<String>,
    raw: Option<PathBuf>,
    /// The screen and the cursor when keys were last sent.
    mark: RefCell<Option<View>>,
    /// The pane's first process, leader of the session its programs run in.
    pane_pid: u32,
    _term: &'a Term,
}

/// The screen and the cursor, read in one go.
#[derive(Debug, Clone)]
pub struct View {
    /// The visible rows (see [`Session::screen`]).
    pub screen: String,
    /// The cursor's column.
    pub x: usize,
    /// The cursor's row on the screen, from 0.
    pub y: usize,
    /// The cursor's line counted from the top of the scrollback: it only grows, also when
    /// the screen scrolls.
    pub line: usize,
}

impl Session<'_> {
    fn tmux_out(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(&self.socket)
            .args(args)
            .env_remove("TMUX")
            .stdin(Stdio::null())
            .output()
            .expect("run tmux")
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = self.tmux_out(args);
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types `text` literally (`send-keys -l`). tmux takes an argument that ends in `;` for
    /// its command separator and drops the `;`; an escaped `\;` is a literal one.
    pub fn send(&self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.set_mark();
        let arg = match text.strip_suffix(';') {
            Some(head) => format!("{head}\\;"),
            None => text.to_string(),
        };
        self.tmux(&["send-keys", "-l", "--", &arg]);
    }

    /// Presses keys by their tmux names: `Enter`, `Tab`, `Up`, `C-c`, `C-d`, `C-r`, ...
    pub fn keys(&self, keys: &[&str]) {
        self.set_mark();
        let mut args = vec!["send-keys"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Presses one key.
    pub fn key(&self, key: &str) {
        self.keys(&[key]);
    }

    /// Types `text` and presses Enter.
    pub fn line(&self, text: &str) {
        self.send(text);
        self.key("Enter");
    }

    /// Waits for the primary prompt, then types `text` and presses Enter.
    pub fn run(&self, text: &str) {
        self.wait_prompt();
        self.line(text);
    }

    /// The visible screen, one line per row, trailing blanks of each row trimmed.
    pub fn screen(&self) -> String {
        trim_rows(&self.tmux(&["capture-pane", "-p"]))
    }

    /// Everything the pane showed, scrollback included, wrapped rows joined.
    pub fn all(&self) -> String {
        trim_rows(&self.tmux(&["capture-pane", "-p", "-J", "-S", "-"]))
    }

    /// The screen and the cursor.
    pub fn view(&self) -> View {
        let out = self.tmux(&[
            "capture-pane",
            "-p",
            ";",
            "display-message",
            "-p",
            "#{cursor_x} #{cursor_y} #{history_size}",
        ]);
        let out = out.strip_suffix('\n').unwrap_or(&out);
        let (screen, pos) = out.rsplit_once('\n').unwrap_or(("", out));
        let n: Vec<usize> = pos
            .split_whitespace()
            .map(|n| n.parse().expect("cursor position"))
            .collect();
        assert_eq!(n.len(), 3, "cursor position {pos:?}");
        View {
            screen: trim_rows(screen),
            x: n[0],
            y: n[1],
            line: n[2] + n[1],
        }
    }

    fn set_mark(&self) {
        let v = self.view();
        *self.mark.borrow_mut() = Some(v);
    }

    /// Presses Enter on a statement that runs for long, and waits until the editor has
    /// let go of the line: the cursor has gone down from where it was (the terminal is
    /// back in cooked mode, so Ctrl-C is a signal again, a moment after that).
    pub fn enter_long_running(&self) {
        self.key("Enter");
        let mark = self.mark.borrow().as_ref().map_or(0, |m| m.line);
        self.wait_view("the cursor to leave the statement's line", |v| {
            v.line > mark
        });
        std::thread::sleep(Duration::from_millis(100));
    }

    /// Polls the screen and the cursor until `ok` holds for them; returns them. Panics after
    /// [`TIMEOUT`], showing `what` and the screen.
    pub fn wait_view(&self, what: &str, ok: impl Fn(&View) -> bool) -> View {
        let start = Instant::now();
        loop {
            let v = self.view();
            if ok(&v) {
                return v;
            }
            if start.elapsed() > TIMEOUT {
                panic!(
                    "timed out after {TIMEOUT:?} waiting for {what}; the screen (cursor at \
                     column {}, row {}):\n{}\n{}\n{}",
                    v.x,
                    v.y,
                    "-".repeat(WIDTH as usize),
                    v.screen,
                    "-".repeat(WIDTH as usize)
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// Polls the screen until `ok` holds for it; returns that screen. Panics after
    /// [`TIMEOUT`], showing `what` and the screen.
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        self.wait_view(what, |v| ok(&v.screen)).screen
    }

    /// Waits until `text` shows anywhere on the screen.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text))
    }

    /// Waits until some row of the screen is exactly `text` (trailing blanks aside).
    pub fn wait_line(&self, text: &str) -> String {
        self.wait_until(&format!("a row {text:?}"), |s| s.lines().any(|l| l == text))
    }

    /// Waits until `n` rows of the screen are exactly `text`.
    pub fn wait_lines(&self, text: &str, n: usize) -> String {
        self.wait_until(&format!("{n} rows {text:?}"), |s| {
            s.lines().filter(|l| *l == text).count() == n
        })
    }

    /// Waits until the last non-blank row is an empty `prompt` with the cursor on it, drawn
    /// since keys were last sent: on a later line than the cursor was then, or on a screen
    /// that has changed since (a pager that quits leaves the prompt on its own last row).
    /// A prompt left on the screen from before does not count.
    fn wait_empty_prompt(&self, prompt: &str) -> String {
        let mark = self.mark.borrow().clone();
        self.wait_view(&format!("a new empty {prompt:?} prompt"), |v| {
            last_row(&v.screen) == prompt
                && v.screen.lines().count() == v.y + 1
                && mark
                    .as_ref()
                    .is_none_or(|m| v.line > m.line || v.screen != m.screen)
        })
        .screen
    }

    /// Waits for a new empty primary prompt: the shell is idle and the editor reading (the
    /// terminal is in raw mode by the time the editor draws it).
    pub fn wait_prompt(&self) -> String {
        self.wait_empty_prompt(PROMPT)
    }

    /// Waits for a new empty continuation prompt.
    pub fn wait_cont(&self) -> String {
        self.wait_empty_prompt(CONT_PROMPT)
    }

    /// Waits for the `EXIT=N` line the command line ends with; returns N.
    pub fn wait_exit(&self) -> i32 {
        let s = self.wait_until("EXIT=N", |s| s.lines().any(|l| l.starts_with("EXIT=")));
        exit_code(&s)
    }

    /// The bytes written to the terminal so far (only for [`Term::start_recorded`]),
    /// once the command has ended: waits for the `EXIT=` line to reach the recording.
    pub fn raw(&self) -> Vec<u8> {
        let path = self.raw.as_ref().expect("raw() needs start_recorded()");
        self.wait_exit();
        let start = Instant::now();
        loop {
            let bytes = fs::read(path).unwrap_or_default();
            if bytes.windows(5).any(|w| w == b"EXIT=") && bytes.ends_with(b"\n") {
                return bytes;
            }
            if start.elapsed() > TIMEOUT {
                panic!(
                    "the recording never got the EXIT= line:\n{}",
                    String::from_utf8_lossy(&bytes)
                );
            }
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Session<'_> {
    /// Kills the server, then waits (a little) for what ran in the pane to end: a litesh
    /// still running gets SIGHUP and may write its history file while the test's
    /// directory is being removed.
    fn drop(&mut self) {
        let _ = self.tmux_out(&["kill-server"]);
        let start = Instant::now();
        while self.pane_pid != 0
            && session_alive(self.pane_pid)
            && start.elapsed() < Duration::from_secs(3)
        {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Whether a process of the session `sid` (the pane's, whose leader tmux started) is
/// still there. Reads /proc; where there is none, says no.
fn session_alive(sid: u32) -> bool {
    let Ok(dir) = fs::read_dir("/proc") else {
        return false;
    };
    dir.flatten().any(|e| {
        let Ok(stat) = fs::read_to_string(e.path().join("stat")) else {
            return false;
        };
        // pid (comm) state ppid pgrp session ...: comm may hold anything but ')'. A zombie
        // (left to an init that reaps late) runs nothing.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            return false;
        };
        let f: Vec<&str> = rest.split_whitespace().take(4).collect();
        f.len() == 4 && f[0] != "Z" && f[3].parse::<u32>().ok() == Some(sid)
    })
}

/// Rows with their trailing blanks removed, and no blank rows at the end.
fn trim_rows(s: &str) -> String {
    let rows: Vec<&str> = s.lines().map(str::trim_end).collect();
    let end = rows
        .iter()
        .rposition(|r| !r.is_empty())
        .map_or(0, |i| i + 1);
    rows[..end].join("\n")
}

/// The last row of a screen that is not blank.
pub fn last_row(screen: &str) -> &str {
    screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
}

/// The N of the (last) `EXIT=N` row.
pub fn exit_code(screen: &str) -> i32 {
    let row = screen
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("EXIT="))
        .unwrap_or_else(|| panic!("no EXIT= row on the screen:\n{screen}"));
    row.trim()
        .parse()
        .unwrap_or_else(|_| panic!("bad EXIT= row {row:?}"))
}

/// The SGR sequences (`ESC [ params m`: colours and attributes) in `bytes`.
pub fn sgr_sequences(bytes: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == 0x1b && bytes[i + 1] == b'[' {
            let mut j = i + 2;
            while j < bytes.len() && (bytes[j].is_ascii_digit() || matches!(bytes[j], b';' | b':'))
            {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'm' {
                found.push(String::from_utf8_lossy(&bytes[i..=j]).into_owned());
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    found
}

/// Bytes for a failure message, with each escape byte spelled `<ESC>`.
pub fn show_escapes(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).replace('\x1b', "<ESC>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sgr_sequences_are_found_and_cursor_moves_are_not() {
        assert_eq!(
            sgr_sequences(b"a\x1b[1;34mb\x1b[0m\x1b[K\x1b[12C\x1b[?2004h\x1b[m"),
            vec!["\x1b[1;34m", "\x1b[0m", "\x1b[m"]
        );
        assert!(sgr_sequences(b"plain \x1b[2K\r\x1b[3A").is_empty());
    }

    #[test]
    fn rows_are_trimmed() {
        assert_eq!(trim_rows("a  \nb\n\n  \n"), "a\nb");
        assert_eq!(last_row("x\nsqlite> \n\n"), "sqlite> ");
        assert_eq!(exit_code("foo\nEXIT=3\n"), 3);
    }
}
