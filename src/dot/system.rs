//! Dot-commands that reach outside the database: `.cd`, `.shell`/`.system`, `.load` and
//! `.binary`, each as in sqlite3 3.40.1 — including the safe-mode refusals of `.cd`,
//! `.shell`/`.system` and `.load` (`failIfSafeMode()`).

use std::io::Write;

use super::boolean_value;
use crate::exec::{os_path, raw};
use crate::shell::{DotResult, Failure, Flow, Shell};

fn quoted(before: &str, name: &[u8], after: &str) -> Failure {
    let mut m = before.as_bytes().to_vec();
    m.extend_from_slice(name);
    m.extend_from_slice(after.as_bytes());
    Failure::Msg(m)
}

/// `.cd DIRECTORY`
pub fn cd(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if let Some(f) = shell.fail_if_safe("cannot run .cd in safe mode") {
        return Ok(f);
    }
    if args.len() != 2 {
        return Err(Failure::msg("Usage: .cd DIRECTORY"));
    }
    if std::env::set_current_dir(os_path(&args[1])).is_err() {
        return Err(quoted("Cannot change to directory \"", &args[1], "\""));
    }
    Ok(Flow::Continue)
}

/// The command line sqlite3 hands to `system()`: the words joined by spaces, a word that
/// holds a space wrapped in double quotes.
fn command_line(words: &[Vec<u8>]) -> Vec<u8> {
    let mut cmd = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            cmd.push(b' ');
        }
        if w.contains(&b' ') {
            cmd.push(b'"');
            cmd.extend_from_slice(w);
            cmd.push(b'"');
        } else {
            cmd.extend_from_slice(w);
        }
    }
    cmd
}

/// `.shell CMD ARGS...` and `.system CMD ARGS...`: runs the command with `/bin/sh -c`, its
/// output going to stdout (not to an `.output` file); a non-zero wait status is reported as
/// `System command returns N`, N being the raw status as `system()` returns it.
pub fn shell_command(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    let msg = format!(
        "cannot run .{} in safe mode",
        String::from_utf8_lossy(&args[0])
    );
    if let Some(f) = shell.fail_if_safe(&msg) {
        return Ok(f);
    }
    if args.len() < 2 {
        return Err(Failure::msg("Usage: .system COMMAND"));
    }
    let cmd = command_line(&args[1..]);
    // What we printed so far comes first (sqlite3 leaves its stdout buffer as it is).
    shell.out.flush()?;
    let status = crate::output::sh_command(os_path(&cmd).as_os_str()).status();
    let code = match status {
        Ok(s) => {
            #[cfg(unix)]
            {
                use std::os::unix::process::ExitStatusExt;
                s.into_raw()
            }
            #[cfg(not(unix))]
            {
                s.code().unwrap_or(1)
            }
        }
        // system() reports a shell that could not run as exit status 127.
        Err(_) => 127 << 8,
    };
    if code != 0 {
        let mut e = std::io::stderr().lock();
        let _ = writeln!(e, "System command returns {code}");
    }
    Ok(Flow::Continue)
}

/// `.load FILE ?ENTRY?`
pub fn load(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if let Some(f) = shell.fail_if_safe("cannot run .load in safe mode") {
        return Ok(f);
    }
    if args.len() < 2 {
        return Err(Failure::msg("Usage: .load FILE ?ENTRYPOINT?"));
    }
    let conn = shell.conn()?;
    match raw::load_extension(conn, &args[1], args.get(2).map(|e| &e[..])) {
        Ok(()) => Ok(Flow::Continue),
        Err(msg) => Err(quoted("Error: ", &msg, "")),
    }
}

/// `.binary on|off`: text and binary output are the same on this system, so only the
/// argument is checked (as sqlite3's `setBinaryMode()` does nothing outside Windows).
pub fn binary(_shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if args.len() != 2 {
        return Err(Failure::msg("Usage: .binary on|off"));
    }
    boolean_value(&args[1]);
    Ok(Flow::Continue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_with_spaces_are_quoted() {
        let words = vec![b"echo".to_vec(), b"a b".to_vec(), b"c".to_vec()];
        assert_eq!(command_line(&words), b"echo \"a b\" c");
    }
}
