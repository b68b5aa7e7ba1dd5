//! `.session`: change-tracking sessions of the session extension (`sqlite3session_*`), as
//! sqlite3 3.40.1's shell drives them.
//!
//! A connection holds up to four named sessions; the first one is "in focus" and is what a
//! sub-command acts on unless its first word names another session. Sessions belong to the
//! connection (each `.connection` has its own, `.open` closes them). Sub-commands:
//! `open DB NAME`, `attach TABLE`, `changeset FILE`, `patchset FILE`, `close`,
//! `enable ?BOOLEAN?`, `indirect ?BOOLEAN?`, `isempty`, `filter GLOB...`, `list`.
//!
//! As in 3.40.1, a malformed sub-command shows the `.session` help on the output and is not
//! an error; nor are the messages about missing sessions or failed library calls. In safe
//! mode only `changeset` and `patchset` (which write a file) are refused.

use std::io::Write;

use super::boolean_value;
use crate::exec::raw;
use crate::shell::{DotResult, Flow, Shell};

/// sqlite3's limit on sessions per connection.
const MAX_SESSIONS: usize = 4;

fn stderr_line(parts: &[&[u8]]) {
    let mut e = std::io::stderr().lock();
    for p in parts {
        let _ = e.write_all(p);
    }
    let _ = e.write_all(b"\n");
}

/// The `.session` help, shown for any malformed sub-command.
fn syntax_error(shell: &mut Shell) -> DotResult {
    let help = super::REGISTRY
        .iter()
        .find(|c| c.name == "session")
        .and_then(|c| c.help)
        .unwrap_or_default();
    shell.out.write_all(help.as_bytes())?;
    Ok(Flow::Continue)
}

fn no_sessions() -> DotResult {
    stderr_line(&[b"ERROR: No sessions are open"]);
    Ok(Flow::Continue)
}

/// `.session ?NAME? CMD ...`
pub fn session(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if args.len() <= 1 {
        return syntax_error(shell);
    }
    shell.ensure_open()?;
    let conn = shell.db.conn.as_ref().expect("opened above");
    let names = raw::session_names(conn);
    // With two or more words, a first word naming a session selects it.
    let (idx, cmd) = match names.iter().position(|n| *n == args[1]) {
        Some(i) if args.len() >= 3 => (i, &args[2..]),
        _ => (0, &args[1..]),
    };
    let open = !names.is_empty();
    let name = names.get(idx).cloned().unwrap_or_default();
    let word = &cmd[0][..];
    match word {
        b"attach" => {
            if cmd.len() != 2 {
                return syntax_error(shell);
            }
            if !open {
                return no_sessions();
            }
            let rc = raw::session_attach(conn, idx, &cmd[1]);
            if rc != 0 {
                stderr_line(&[format!("ERROR: sqlite3session_attach() returns {rc}").as_bytes()]);
            }
            Ok(Flow::Continue)
        }
        b"changeset" | b"patchset" => {
            let msg = format!(
                "cannot run \".session {}\" in safe mode",
                String::from_utf8_lossy(word)
            );
            if let Some(f) = shell.fail_if_safe(&msg) {
                return Ok(f);
            }
            if cmd.len() != 2 {
                return syntax_error(shell);
            }
            if !open {
                return no_sessions();
            }
            write_changes(shell, idx, word == b"patchset", &cmd[1])
        }
        b"close" => {
            if cmd.len() != 1 {
                return syntax_error(shell);
            }
            if open {
                raw::session_close(conn, idx);
            }
            Ok(Flow::Continue)
        }
        b"enable" | b"indirect" => {
            if cmd.len() > 2 {
                return syntax_error(shell);
            }
            let v = match cmd.get(1) {
                Some(b) => i32::from(boolean_value(b)),
                None => -1,
            };
            if open {
                let flag = if word == b"enable" {
                    raw::session_enable(conn, idx, v)
                } else {
                    raw::session_indirect(conn, idx, v)
                };
                let mut line = b"session ".to_vec();
                line.extend_from_slice(&name);
                line.push(b' ');
                line.extend_from_slice(word);
                line.extend_from_slice(format!(" flag = {flag}\n").as_bytes());
                shell.out.write_all(&line)?;
            }
            Ok(Flow::Continue)
        }
        b"filter" => {
            if cmd.len() < 2 {
                return syntax_error(shell);
            }
            if open {
                raw::session_set_filters(conn, idx, &cmd[1..]);
            }
            Ok(Flow::Continue)
        }
        b"isempty" => {
            if cmd.len() != 1 {
                return syntax_error(shell);
            }
            if open {
                let flag = raw::session_isempty(conn, idx);
                let mut line = b"session ".to_vec();
                line.extend_from_slice(&name);
                line.extend_from_slice(format!(" isempty flag = {flag}\n").as_bytes());
                shell.out.write_all(&line)?;
            }
            Ok(Flow::Continue)
        }
        b"list" => {
            let mut text = Vec::new();
            for (i, n) in names.iter().enumerate() {
                text.extend_from_slice(format!("{i} ").as_bytes());
                text.extend_from_slice(n);
                text.push(b'\n');
            }
            shell.out.write_all(&text)?;
            Ok(Flow::Continue)
        }
        b"open" => {
            if cmd.len() != 3 || cmd[2].is_empty() {
                return syntax_error(shell);
            }
            let new_name = &cmd[2];
            if names.contains(new_name) {
                stderr_line(&[b"Session \"", new_name, b"\" already exists"]);
                return Ok(Flow::Continue);
            }
            if names.len() >= MAX_SESSIONS {
                stderr_line(&[format!("Maximum of {MAX_SESSIONS} sessions").as_bytes()]);
                return Ok(Flow::Continue);
            }
            if let Err(rc) = raw::session_open(conn, &cmd[1], new_name) {
                stderr_line(&[format!("Cannot open session: error code={rc}").as_bytes()]);
            }
            Ok(Flow::Continue)
        }
        _ => syntax_error(shell),
    }
}

/// `.session changeset FILE` / `.session patchset FILE`: the file is overwritten.
fn write_changes(shell: &mut Shell, idx: usize, patch: bool, file: &[u8]) -> DotResult {
    let path = crate::exec::os_path(file);
    let mut f = match std::fs::File::create(path) {
        Ok(f) => f,
        Err(_) => {
            stderr_line(&[b"ERROR: cannot open \"", file, b"\" for writing"]);
            return Ok(Flow::Continue);
        }
    };
    let conn = shell.db.conn.as_ref().expect("opened by the caller");
    let (rc, bytes) = raw::session_changes(conn, idx, patch);
    if rc != 0 {
        // sqlite3 writes this one with printf: to stdout.
        super::diag::write_stdout(shell, format!("Error: error code {rc}\n").as_bytes())?;
    }
    // sqlite3 writes the buffer as one fwrite() item, which "fails" for an empty buffer.
    if let Some(bytes) = bytes {
        if bytes.is_empty() || f.write_all(&bytes).is_err() {
            stderr_line(&[
                format!("ERROR: Failed to write entire {}-byte output", bytes.len()).as_bytes(),
            ]);
        }
    }
    Ok(Flow::Continue)
}
