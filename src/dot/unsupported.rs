//! Dot-commands litesh knows but cannot carry out, each answered with a clear error after
//! the checks sqlite3 3.40.1 makes first (safe mode, option parsing and usage errors, with
//! its messages): `.excel`, which starts a spreadsheet program on a temporary file.
//!
//! docs/compat.md lists them under "Not available (yet)".

use std::io::Write;

use crate::shell::{DotResult, Failure, Shell};

fn help_of(name: &str) -> &'static str {
    super::REGISTRY
        .iter()
        .find(|c| c.name == name)
        .and_then(|c| c.help)
        .unwrap_or_default()
}

/// Writes `parts` to stderr as they are (sqlite3's `raw_printf(stderr, …)`).
pub(super) fn stderr_text(parts: &[&[u8]]) {
    let mut e = std::io::stderr().lock();
    for p in parts {
        let _ = e.write_all(p);
    }
}

// ---------------------------------------------------------------------------------------
// .excel
// ---------------------------------------------------------------------------------------

/// `.excel ?--bom?`: refused in safe mode; options checked as in 3.40.1 (which also ends the
/// current output redirection); then a clear error.
pub fn excel(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if let Some(f) = shell.fail_if_safe("cannot run .excel in safe mode") {
        return Ok(f);
    }
    for a in &args[1..] {
        let z = if a.starts_with(b"--") {
            &a[1..]
        } else {
            &a[..]
        };
        if z == b"-bom" {
            continue;
        }
        let what: &[u8] = if z.first() == Some(&b'-') {
            b"ERROR: unknown option: \""
        } else {
            b"ERROR: extra parameter: \""
        };
        let mut m = what.to_vec();
        m.extend_from_slice(a);
        m.extend_from_slice(b"\".  Usage:\n");
        m.extend_from_slice(help_of("excel").as_bytes());
        shell.out.write_all(&m)?;
        return Err(Failure::Reported);
    }
    shell.out.reset()?;
    Err(Failure::msg(
        "Error: .excel is not supported by litesh: it opens the output in a spreadsheet program",
    ))
}
