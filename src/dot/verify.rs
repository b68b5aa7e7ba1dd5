//! `.verify FILE ?--against ?DB?? ?--json?` (litesh's own): a restore test of a database
//! file or an SQL dump, which touches no file and leaves the shell's database alone (see
//! [`crate::backup::verify`] for what is checked and the report's format).
//!
//! The arguments are parsed with clap; `--help` prints clap's help to the current output.
//! `--against` without a value compares with "main" of the shell's database; since its
//! value is optional, FILE comes first (`.verify b.db --against`), or the value is attached
//! (`--against=aux`). The report goes to the current output; a failed check also returns
//! its reason as the command's error, so the exit code of `litesh DB ".verify FILE"` is 1;
//! it also marks the shell ([`Shell::check_failed`]) so that the exit code is 1 even when
//! the shell goes on (`-cmd ".verify FILE"` without `-bail`, input after it that runs fine).

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

use clap::Parser;

use crate::backup::hash;
use crate::backup::verify::{self, Hooks, Kind, Report};
use crate::shell::{DotResult, Failure, Flow, Shell, SEEN_INTERRUPT};

/// The command line of `.verify`.
#[derive(Parser, Debug, PartialEq, Eq)]
#[command(
    name = ".verify",
    bin_name = ".verify",
    about = "Check that FILE, a database or an SQL dump, restores cleanly (touches no file)",
    disable_version_flag = true,
    color = clap::ColorChoice::Never
)]
struct VerifyArgs {
    /// A database file (opened read-only) or an SQL dump (replayed into a scratch
    /// in-memory database)
    file: PathBuf,
    /// Also compare the content hash with database DB of the shell ("main" when no value
    /// is given)
    #[arg(long, value_name = "DB", num_args = 0..=1, default_missing_value = "main")]
    against: Option<String>,
    /// Write the report as one JSON object
    #[arg(long)]
    json: bool,
}

/// `.verify FILE ?--against ?DB?? ?--json?`
pub fn verify(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if let Some(f) = shell.fail_if_safe("cannot run .verify in safe mode") {
        return Ok(f);
    }
    let Some(parsed) = super::clap_args::parse::<VerifyArgs>(shell, args)? else {
        return Ok(Flow::Continue);
    };
    let name = parsed.file.to_string_lossy().into_owned();
    let report = run(shell, &parsed, &name)?;
    if parsed.json {
        report.write_json(&mut shell.out)?;
    } else {
        report.write_text(&mut shell.out)?;
    }
    match report.problem() {
        None => Ok(Flow::Continue),
        Some(p) => {
            shell.check_failed = true;
            shell.out.flush()?;
            Err(Failure::msg(format!("Error: .verify: {name}: {p}")))
        }
    }
}

/// Runs the checks; only a failure to open the shell's own database is an `Err`.
fn run(shell: &mut Shell, a: &VerifyArgs, name: &str) -> Result<Report, Failure> {
    // The scratch connections close inside backup/verify.rs: a close hook withdraws them.
    let mut interruptible = crate::exec::raw::publish_interrupt_until_close;
    let seen = SEEN_INTERRUPT.load(Ordering::SeqCst);
    let interrupted = || SEEN_INTERRUPT.load(Ordering::SeqCst) != seen;
    let command_name = |w: &[u8]| super::resolve(w).map(|c| c.name);
    let hooks = Hooks {
        command_name: &command_name,
        interrupted: &interrupted,
    };
    let mut report = match verify::sniff(&a.file) {
        Ok(Kind::Database) => verify::verify_database(&a.file, name, &mut interruptible),
        Ok(_) => verify::verify_dump(&a.file, name, &hooks, &mut interruptible),
        Err(e) => Report::failed(name, Kind::Unknown, format!("cannot read: {e}")),
    };
    // Ctrl-C goes to the shell's connection again.
    shell.publish_interrupt();
    if let Some(db) = &a.against {
        if report.error.is_none() {
            let conn = shell.conn()?;
            let other = hash::content(conn, db).map_err(|e| hash::error_text(&e));
            report.set_against(db, other);
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(words: &[&str]) -> Result<VerifyArgs, clap::Error> {
        VerifyArgs::try_parse_from(words)
    }

    #[test]
    fn clap_command_is_well_formed() {
        VerifyArgs::command().debug_assert();
    }

    #[test]
    fn arguments() {
        let p = parse(&["verify", "b.db"]).unwrap();
        assert_eq!(
            (p.file.to_str(), p.against, p.json),
            (Some("b.db"), None, false)
        );
        let p = parse(&["verify", "b.db", "--against"]).unwrap();
        assert_eq!(p.against.as_deref(), Some("main"));
        let p = parse(&["verify", "b.db", "--against", "aux", "--json"]).unwrap();
        assert_eq!((p.against.as_deref(), p.json), (Some("aux"), true));
        let p = parse(&["verify", "--against=aux", "b.db"]).unwrap();
        assert_eq!(p.against.as_deref(), Some("aux"));
        let p = parse(&["verify", "b.db", "--against", "--json"]).unwrap();
        assert_eq!((p.against.as_deref(), p.json), (Some("main"), true));
    }

    #[test]
    fn usage_errors_name_the_command_without_colour() {
        let e = parse(&["verify"]).unwrap_err();
        let text = e.render().to_string();
        assert!(text.contains("Usage: .verify"), "{text}");
        assert!(text.contains("<FILE>"), "{text}");
        assert!(!text.contains('\x1b'), "{text:?}");
        let e = parse(&["verify", "a", "b"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::UnknownArgument);
        let e = parse(&["verify", "--help"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::DisplayHelp);
        assert!(e.render().to_string().contains("--against [<DB>]"));
    }
}
