//! `.expert ?--verbose? ?--sample PERCENT?`: the next SQL is analysed by the index advisor
//! (`src/expert/`) instead of being run (see [`crate::shell::Shell::run_sql`]).
//!
//! As in sqlite3 3.40.1: refused in safe mode; a bad option is reported on stderr and the
//! command does nothing, without counting as an error; a failure to copy the schema is
//! reported as `sqlite3_expert_new: MSG`, likewise not an error. Any dot-command, or the end
//! of the input, cancels a pending analysis without a word.

use std::io::Write;

use super::unsupported::stderr_text;
use crate::shell::{integer_value_bytes, DotResult, Failure, Flow, Shell};

/// The `.expert` command (sqlite3's `expertDotCommand`).
pub fn expert(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if shell.safe {
        let mut m = b"Cannot run experimental commands such as \"".to_vec();
        m.extend_from_slice(&args[0]);
        m.extend_from_slice(b"\" in safe mode");
        return Err(Failure::Msg(m));
    }
    shell.ensure_open()?;
    let mut verbose = false;
    let mut sample = 0;
    let mut i = 1;
    while i < args.len() {
        let mut z = &args[i][..];
        if z.starts_with(b"--") {
            z = &z[1..];
        }
        let abbreviates = |full: &[u8]| z.len() >= 2 && full.starts_with(z);
        if abbreviates(b"-verbose") {
            verbose = true;
        } else if abbreviates(b"-sample") {
            if i == args.len() - 1 {
                stderr_text(&[b"option requires an argument: ", z, b"\n"]);
                return Ok(Flow::Continue);
            }
            i += 1;
            sample = integer_value_bytes(&args[i]) as i32;
            if !(0..=100).contains(&sample) {
                stderr_text(&[b"value out of range: ", &args[i], b"\n"]);
                return Ok(Flow::Continue);
            }
        } else {
            stderr_text(&[b"unknown option: ", z, b"\n"]);
            return Ok(Flow::Continue);
        }
        i += 1;
    }
    let conn = shell.conn()?;
    match crate::expert::Expert::new(conn, sample) {
        Ok(ex) => shell.expert = Some((Box::new(ex), verbose)),
        Err(msg) => {
            let _ = shell.out.flush();
            let msg = msg.unwrap_or_else(|| b"out of memory".to_vec());
            stderr_text(&[b"sqlite3_expert_new: ", &msg, b"\n"]);
        }
    }
    Ok(Flow::Continue)
}
