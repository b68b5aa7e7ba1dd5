//! Dot-commands that change settings or print: `.bail`, `.changes`, `.echo`, `.headers`,
//! `.nullvalue`, `.separator`, `.print`, `.timeout`, `.exit`, `.quit`, and litesh's `.pager`.

use std::io::Write;
use std::time::Duration;

use super::boolean_value;
use crate::shell::{integer_value_bytes, DotResult, Failure, Flow, Shell};

fn usage(text: &str) -> DotResult {
    Err(Failure::msg(format!("Usage: {text}")))
}

/// sqlite3 keeps separators and the NULL text in 20-byte buffers: at most 19 bytes survive.
pub fn short(v: &[u8]) -> Vec<u8> {
    v[..v.len().min(19)].to_vec()
}

/// `.bail on|off`
pub fn bail(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if args.len() != 2 {
        return usage(".bail on|off");
    }
    shell.settings.bail = boolean_value(&args[1]);
    Ok(Flow::Continue)
}

/// `.pager on|off|auto` (litesh's; see `output/pager.rs`). With no argument, shows it.
pub fn pager(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    use crate::shell::PagerMode;
    let mode = match args.get(1).map(|a| a.to_ascii_lowercase()) {
        None => {
            let name = match shell.settings.pager {
                PagerMode::Auto => "auto",
                PagerMode::On => "on",
                PagerMode::Off => "off",
            };
            shell.out.write_all(format!("pager: {name}\n").as_bytes())?;
            return Ok(Flow::Continue);
        }
        Some(a) if args.len() == 2 && a == b"auto" => PagerMode::Auto,
        Some(_) if args.len() == 2 => {
            if boolean_value(&args[1]) {
                PagerMode::On
            } else {
                PagerMode::Off
            }
        }
        Some(_) => return usage(".pager on|off|auto"),
    };
    shell.settings.pager = mode;
    Ok(Flow::Continue)
}

/// `.changes on|off`
pub fn changes(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if args.len() != 2 {
        return usage(".changes on|off");
    }
    shell.settings.count_changes = boolean_value(&args[1]);
    Ok(Flow::Continue)
}

/// `.echo on|off`
pub fn echo(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if args.len() != 2 {
        return usage(".echo on|off");
    }
    shell.settings.echo = boolean_value(&args[1]);
    Ok(Flow::Continue)
}

/// `.headers on|off`
pub fn headers(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if args.len() != 2 {
        return usage(".headers on|off");
    }
    shell.settings.render.show_header = boolean_value(&args[1]);
    shell.settings.render.header_set = true;
    Ok(Flow::Continue)
}

/// `.nullvalue STRING`
pub fn nullvalue(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if args.len() != 2 {
        return usage(".nullvalue STRING");
    }
    shell.settings.render.null_value = short(&args[1]);
    Ok(Flow::Continue)
}

/// `.separator COL ?ROW?` — sqlite3 prints the usage for extra arguments but still sets
/// the separators.
pub fn separator(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    let bad = args.len() < 2 || args.len() > 3;
    if let Some(col) = args.get(1) {
        shell.settings.render.col_sep = short(col);
    }
    if let Some(row) = args.get(2) {
        shell.settings.render.row_sep = short(row);
    }
    if bad {
        return usage(".separator COL ?ROW?");
    }
    Ok(Flow::Continue)
}

/// `.print STRING...`
pub fn print(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    let mut line = Vec::new();
    for (i, a) in args[1..].iter().enumerate() {
        if i > 0 {
            line.push(b' ');
        }
        line.extend_from_slice(a);
    }
    line.push(b'\n');
    shell.out.write_all(&line)?;
    Ok(Flow::Continue)
}

/// `.timeout MS`
pub fn timeout(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    let ms = args.get(1).map_or(0, |a| integer_value_bytes(a) as i32);
    let conn = shell.conn()?;
    let _ = conn.busy_timeout(Duration::from_millis(ms.max(0) as u64));
    Ok(Flow::Continue)
}

/// `.exit ?CODE?`: a non-zero code leaves at once; otherwise the current input ends.
pub fn exit(_shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    let code = args.get(1).map_or(0, |a| integer_value_bytes(a) as i32);
    if code != 0 {
        return Ok(Flow::Exit(code));
    }
    Ok(Flow::Stop)
}

/// `.quit`
pub fn quit(_shell: &mut Shell, _args: &[Vec<u8>]) -> DotResult {
    Ok(Flow::Stop)
}

/// Commands that do nothing (`.breakpoint`).
pub fn noop(_shell: &mut Shell, _args: &[Vec<u8>]) -> DotResult {
    Ok(Flow::Continue)
}

/// `.nonce STRING`: lifts safe mode for the next command when the nonce matches.
pub fn nonce(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if args.len() != 2 {
        return usage(".nonce NONCE");
    }
    if shell.nonce.as_deref() != Some(&args[1][..]) {
        let _ = shell.out.flush();
        eprintln!(
            "line {}: incorrect nonce: \"{}\"",
            shell.lineno,
            String::from_utf8_lossy(&args[1])
        );
        return Ok(Flow::Exit(1));
    }
    shell.safe.set(false);
    shell.safe_nonce_used = true;
    Ok(Flow::Continue)
}

/// `.version`: the SQLite library's version line (the library is newer than 3.40.1's, and
/// litesh carries no zlib line: see docs/compat.md).
pub fn version(shell: &mut Shell, _args: &[Vec<u8>]) -> DotResult {
    let (v, id) = crate::exec::raw::version();
    shell
        .out
        .write_all(format!("SQLite {v} {id}\n").as_bytes())?;
    Ok(Flow::Continue)
}

/// `.prompt MAIN CONTINUE` (each kept to 19 bytes, as sqlite3's buffers do).
pub fn prompt(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if let Some(m) = args.get(1) {
        shell.settings.prompt = short(m);
    }
    if let Some(c) = args.get(2) {
        shell.settings.cont_prompt = short(c);
    }
    Ok(Flow::Continue)
}
