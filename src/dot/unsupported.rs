//! Dot-commands litesh knows but cannot carry out, each answered with a clear error after
//! the checks sqlite3 3.40.1 makes first (safe mode, option parsing and usage errors, with
//! its messages):
//!
//! - `.archive`/`.ar` needs the shell's `sqlar` (zlib) and `zipfile` extensions;
//! - `.excel` starts a spreadsheet program on a temporary file.
//!
//! docs/compat.md lists them under "Not available (yet)".

use std::io::Write;

use crate::exec::raw;
use crate::shell::{DotResult, Failure, Flow, Shell};

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
// .archive
// ---------------------------------------------------------------------------------------

/// The `.archive` switches: long name, short letter, takes an argument, is a command.
const AR_SWITCHES: &[(&str, u8, bool, bool)] = &[
    ("create", b'c', false, true),
    ("extract", b'x', false, true),
    ("insert", b'i', false, true),
    ("list", b't', false, true),
    ("remove", b'r', false, true),
    ("update", b'u', false, true),
    ("help", b'h', false, true),
    ("verbose", b'v', false, false),
    ("file", b'f', true, false),
    ("append", b'a', true, false),
    ("directory", b'C', true, false),
    ("dryrun", b'n', false, false),
    ("glob", b'g', false, false),
];

/// What the `.archive` command line asked for, as far as litesh looks.
#[derive(Debug, Default, PartialEq, Eq)]
struct ArCommand {
    /// The command switch (`create`, `list`, …), if any.
    command: Option<&'static str>,
    /// `-f FILE` or `-a FILE`.
    file: bool,
}

/// sqlite3's `arErrorMsg()` text.
fn ar_error(msg: &[u8]) -> Result<ArCommand, Vec<u8>> {
    let mut m = b"Error: ".to_vec();
    m.extend_from_slice(msg);
    m.extend_from_slice(b"\nUse \".archive --help\" for more help\n");
    Err(m)
}

fn ar_switch(cmd: &mut ArCommand, sw: &(&'static str, u8, bool, bool)) -> Result<(), Vec<u8>> {
    if sw.3 {
        if cmd.command.is_some() {
            return ar_error(b"multiple command options").map(|_| ());
        }
        cmd.command = Some(sw.0);
    } else if sw.2 && (sw.0 == "file" || sw.0 == "append") {
        cmd.file = true;
    }
    Ok(())
}

/// sqlite3's `arParseCommand()`: the parsed switches, or the text for stderr.
fn ar_parse(args: &[Vec<u8>]) -> Result<ArCommand, Vec<u8>> {
    let mut cmd = ArCommand::default();
    if args.len() <= 1 {
        let mut m = b"Wrong number of arguments.  Usage:\n".to_vec();
        m.extend_from_slice(help_of("archive").as_bytes());
        return Err(m);
    }
    let short = |c: u8| AR_SWITCHES.iter().find(|s| s.1 == c);
    let first = &args[1];
    if first.first() != Some(&b'-') {
        // tar-style: the first word is a bundle of letters, their arguments follow it.
        let mut next = 2;
        for &c in first {
            let Some(sw) = short(c) else {
                let mut m = b"unrecognized option: ".to_vec();
                m.push(c);
                return ar_error(&m);
            };
            if sw.2 {
                if next >= args.len() {
                    let mut m = b"option requires an argument: ".to_vec();
                    m.push(c);
                    return ar_error(&m);
                }
                next += 1;
            }
            ar_switch(&mut cmd, sw)?;
        }
        return Ok(cmd);
    }
    let mut i = 1;
    while i < args.len() {
        let z = &args[i];
        if z.first() != Some(&b'-') {
            break;
        }
        if z.get(1) != Some(&b'-') {
            // One or more short options; one taking an argument ends the word.
            let mut k = 1;
            while k < z.len() {
                let c = z[k];
                let Some(sw) = short(c) else {
                    let mut m = b"unrecognized option: ".to_vec();
                    m.push(c);
                    return ar_error(&m);
                };
                if sw.2 {
                    if k < z.len() - 1 {
                        k = z.len();
                    } else {
                        if i >= args.len() - 1 {
                            let mut m = b"option requires an argument: ".to_vec();
                            m.push(c);
                            return ar_error(&m);
                        }
                        i += 1;
                    }
                }
                ar_switch(&mut cmd, sw)?;
                k += 1;
            }
        } else if z.len() == 2 {
            // `--`: the rest are arguments.
            break;
        } else {
            let name = &z[2..];
            let mut found = None;
            for sw in AR_SWITCHES {
                if sw.0.as_bytes().starts_with(name) {
                    if found.is_some() {
                        let mut m = b"ambiguous option: ".to_vec();
                        m.extend_from_slice(z);
                        return ar_error(&m);
                    }
                    found = Some(sw);
                }
            }
            let Some(sw) = found else {
                let mut m = b"unrecognized option: ".to_vec();
                m.extend_from_slice(z);
                return ar_error(&m);
            };
            if sw.2 {
                if i >= args.len() - 1 {
                    let mut m = b"option requires an argument: ".to_vec();
                    m.extend_from_slice(z);
                    return ar_error(&m);
                }
                i += 1;
            }
            ar_switch(&mut cmd, sw)?;
        }
        i += 1;
    }
    Ok(cmd)
}

/// `.archive ...` / `.ar ...`: safe mode, the option checks, `--help` and the missing
/// `sqlar` table are as in 3.40.1; any real archive operation is a clear error.
pub fn archive(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    shell.ensure_open()?;
    if let Some(f) = shell.fail_if_safe("cannot run .archive in safe mode") {
        return Ok(f);
    }
    let cmd = match ar_parse(args) {
        Ok(c) => c,
        Err(text) => {
            shell.out.flush()?;
            stderr_text(&[&text]);
            return Err(Failure::Reported);
        }
    };
    if cmd.command == Some("help") && !cmd.file {
        shell.out.write_all(help_of("archive").as_bytes())?;
        return Ok(Flow::Continue);
    }
    if !cmd.file && cmd.command != Some("create") {
        let conn = shell.db.conn.as_ref().expect("opened above");
        let has_sqlar = ["main", "temp"]
            .iter()
            .any(|s| raw::has_column(conn, s, "sqlar", "name"));
        if !has_sqlar {
            return Err(Failure::msg("database does not contain an 'sqlar' table"));
        }
    }
    Err(Failure::msg(
        "Error: .archive is not supported by litesh: SQL archives need the shell's sqlar and zipfile extensions",
    ))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn archive_options_parse_like_sqlite3() {
        let c = ar_parse(&argv(&[".ar", "-tf", "x.db"])).unwrap();
        assert_eq!(c.command, Some("list"));
        assert!(c.file);
        let c = ar_parse(&argv(&[".ar", "tvf", "x.db", "a"])).unwrap();
        assert_eq!(c.command, Some("list"));
        let c = ar_parse(&argv(&[".ar", "--li"])).unwrap();
        assert_eq!(c.command, Some("list"));
        let e = ar_parse(&argv(&[".ar", "-ct"])).unwrap_err();
        assert!(e.starts_with(b"Error: multiple command options\n"));
        let e = ar_parse(&argv(&[".ar", "--x"])).unwrap_err();
        assert!(e.starts_with(b"Error: unrecognized option: --x\n"));
        let e = ar_parse(&argv(&[".ar", "--"])).unwrap();
        assert_eq!(e.command, None);
        let e = ar_parse(&argv(&[".ar", "-f"])).unwrap_err();
        assert!(e.starts_with(b"Error: option requires an argument: f\n"));
        let e = ar_parse(&argv(&[".ar", "tq"])).unwrap_err();
        assert!(e.starts_with(b"Error: unrecognized option: q\n"));
    }
}
