//! `.connection [close] [#]`: sqlite3 3.40.1's auxiliary database connections.
//!
//! sqlite3 keeps five slots (`aAuxDb[5]`), each a file name and a connection; one is active
//! and is what every command uses. Here the active slot's name and connection are the
//! shell's [`Database`](crate::shell::Database) itself, and [`Connections`] holds the other
//! slots. Switching swaps only the name and the connection, as sqlite3 swaps only
//! `p->db` and `p->pAuxDb` (the open mode and other options stay the shell's).

use std::ffi::OsString;

use crate::shell::conn::SLOTS;
use crate::shell::{DotResult, Failure, Flow, Shell};

/// How `.connection` names a slot's file.
fn describe(name: &Option<OsString>) -> Vec<u8> {
    match name {
        None => b"(memory)".to_vec(),
        Some(n) if n.is_empty() => b"(temporary-file)".to_vec(),
        Some(n) => n.as_encoded_bytes().to_vec(),
    }
}

/// A single decimal digit, as sqlite3 accepts it (`IsDigit(z[0]) && z[1]==0`).
fn digit(z: &[u8]) -> Option<usize> {
    match z {
        [d] if d.is_ascii_digit() => Some(usize::from(d - b'0')),
        _ => None,
    }
}

/// `.connection`: lists the slots (on stdout, as sqlite3 does), switches to slot `#`, or
/// closes slot `#`.
pub fn connection(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    let handle = shell.settings.connections.0.clone();
    let mut g = handle.lock().unwrap_or_else(|e| e.into_inner());
    if args.len() == 1 {
        let mut text = Vec::new();
        for i in 0..SLOTS {
            if i == g.active {
                text.extend_from_slice(format!("ACTIVE {i}: ").as_bytes());
                text.extend_from_slice(&describe(&shell.db.filename));
            } else if g.slots[i].conn.is_some() {
                text.extend_from_slice(format!("       {i}: ").as_bytes());
                text.extend_from_slice(&describe(&g.slots[i].filename));
            } else {
                continue;
            }
            text.push(b'\n');
        }
        drop(g);
        super::diag::write_stdout(shell, &text)?;
        return Ok(Flow::Continue);
    }
    if let (2, Some(i)) = (args.len(), digit(&args[1])) {
        if i != g.active && i < SLOTS {
            let from = g.active;
            g.slots[from].filename = shell.db.filename.take();
            g.slots[from].conn = shell.db.conn.take();
            shell.db.filename = g.slots[i].filename.take();
            shell.db.conn = g.slots[i].conn.take();
            g.active = i;
            drop(g);
            shell.publish_interrupt();
        }
        return Ok(Flow::Continue);
    }
    if args.len() == 3 && args[1] == b"close" {
        if let Some(i) = digit(&args[2]) {
            if i == g.active {
                return Err(Failure::msg("cannot close the active database connection"));
            }
            if let Some(c) = g.slots.get_mut(i).and_then(|s| s.conn.take()) {
                crate::exec::raw::withdraw_interrupt(&c);
            }
            return Ok(Flow::Continue);
        }
    }
    Err(Failure::msg(
        "Usage: .connection [close] [CONNECTION-NUMBER]",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_names_as_sqlite3_lists_them() {
        assert_eq!(describe(&None), b"(memory)");
        assert_eq!(describe(&Some(OsString::new())), b"(temporary-file)");
        assert_eq!(describe(&Some("x.db".into())), b"x.db");
    }

    #[test]
    fn only_single_digits_name_slots() {
        assert_eq!(digit(b"3"), Some(3));
        assert_eq!(digit(b"10"), None);
        assert_eq!(digit(b"x"), None);
    }
}
