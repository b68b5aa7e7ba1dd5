//! clap for litesh's own dot-commands and options (`.snapshot`, `.verify`, `.backup
//! --verify`): the command's tokens go to a clap derive parser; `--help` is written to the
//! shell's output, and a bad flag gets clap's own message (no colour) as the command's error.
//! sqlite3's commands keep sqlite3's parsing.

use std::ffi::OsString;
use std::io::Write;

use crate::shell::{Failure, Shell};

/// Parses `args` (`args[0]` is the command word as typed, without its dot). `Ok(None)` when
/// the help was shown instead.
pub fn parse<T: clap::Parser>(shell: &mut Shell, args: &[Vec<u8>]) -> Result<Option<T>, Failure> {
    let bin = format!(
        ".{}",
        String::from_utf8_lossy(args.first().map_or(&[][..], |a| a))
    );
    // Bytes as they are: a file name need not be UTF-8.
    let words = std::iter::once(OsString::from(bin.clone())).chain(args.iter().skip(1).map(|a| {
        use std::os::unix::ffi::OsStringExt;
        OsString::from_vec(a.clone())
    }));
    let cmd = T::command()
        .bin_name(bin)
        .color(clap::ColorChoice::Never)
        .no_binary_name(false);
    let result = cmd
        .try_get_matches_from(words)
        .and_then(|m| T::from_arg_matches(&m));
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e)
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            ) =>
        {
            shell.out.write_all(e.render().to_string().as_bytes())?;
            Ok(None)
        }
        Err(e) => Err(Failure::msg(e.render().to_string().trim_end())),
    }
}
