//! The dot-command registry.
//!
//! One entry per command, in sqlite3 3.40.1's own dispatch order, with the rule its name
//! resolves by (a prefix of at least `min` bytes, or the exact name). `.h on` is `.headers`
//! because `headers` comes before `help`. Handlers live in the submodules, grouped by
//! concern; each gets the tokenized arguments (`args[0]` is the word as typed).

mod archive;
mod auth;
pub mod clap_args;
mod clone;
pub mod conn;
mod diag;
mod expert;
mod hash;
mod help;
mod import;
mod io;
mod lint;
mod mode;
mod params;
mod pattern;
pub(crate) mod recover;
mod registry;
mod schema;
mod schema_text;
mod selftest;
mod session;
mod settings;
mod snapshot;
mod system;
mod testcase;
mod testing;
mod unsupported;
mod verify;

pub use archive::from_command_line as archive_from_command_line;
pub use registry::REGISTRY;

use crate::shell::{DotResult, Failure, Flow, Shell};
use crate::split::dotargs::parse_dot_args;

/// A dot-command handler.
pub type Handler = fn(&mut Shell, &[Vec<u8>]) -> DotResult;

/// How a typed word selects a command (the tests of sqlite3's `if` chain).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// A prefix of the name at least this long (0: any non-empty prefix).
    Prefix(usize),
    /// Only the exact name.
    Exact,
}

/// One registry entry.
pub struct DotCommand {
    /// Full name.
    pub name: &'static str,
    /// How its name resolves.
    pub rule: Rule,
    /// The handler; `None` for commands litesh does not provide (yet).
    pub run: Option<Handler>,
    /// Its `.help` text, one or more lines each ending in `\n`.
    pub help: Option<&'static str>,
}

impl DotCommand {
    /// Whether the typed word selects this command.
    pub fn matches(&self, word: &[u8]) -> bool {
        match self.rule {
            Rule::Exact => word == self.name.as_bytes(),
            Rule::Prefix(min) => {
                !word.is_empty() && word.len() >= min && self.name.as_bytes().starts_with(word)
            }
        }
    }
}

/// The command a typed word resolves to.
pub fn resolve(word: &[u8]) -> Option<&'static DotCommand> {
    REGISTRY.iter().find(|c| c.matches(word))
}

/// True when `word` resolves to the command named `name`.
pub fn resolves_to(word: &[u8], name: &str) -> bool {
    resolve(word).is_some_and(|c| c.name == name)
}

/// sqlite3's message for a command it does not know.
pub fn unknown(word: &[u8]) -> Failure {
    let mut m = b"Error: unknown command or invalid arguments:  \"".to_vec();
    m.extend_from_slice(word);
    m.extend_from_slice(b"\". Enter \".help\" for help");
    Failure::Msg(m)
}

/// Tokenizes and runs one dot-command line.
pub fn dispatch(shell: &mut Shell, line: &[u8]) -> DotResult {
    let args = parse_dot_args(line);
    let Some(word) = args.first() else {
        return Ok(Flow::Continue);
    };
    match resolve(word) {
        Some(DotCommand { run: Some(run), .. }) => run(shell, &args),
        Some(c) => Err(Failure::msg(format!(
            "Error: .{} is not yet supported by litesh",
            c.name
        ))),
        None => Err(unknown(word)),
    }
}

/// sqlite3's `booleanValue()`: numbers, on/off, yes/no; anything else is "no" with a
/// warning.
pub fn boolean_value(z: &[u8]) -> bool {
    let digits = if z.starts_with(b"0x") {
        2 + z[2..].iter().take_while(|c| c.is_ascii_hexdigit()).count()
    } else {
        z.iter().take_while(|c| c.is_ascii_digit()).count()
    };
    if digits > 0 && digits == z.len() {
        return crate::shell::integer_value_bytes(z) & 0xffff_ffff != 0;
    }
    if z.eq_ignore_ascii_case(b"on") || z.eq_ignore_ascii_case(b"yes") {
        return true;
    }
    if z.eq_ignore_ascii_case(b"off") || z.eq_ignore_ascii_case(b"no") {
        return false;
    }
    eprintln!(
        "ERROR: Not a boolean value: \"{}\". Assuming \"no\".",
        String::from_utf8_lossy(z)
    );
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_resolve_in_sqlite3_order() {
        assert_eq!(resolve(b"h").unwrap().name, "headers");
        assert_eq!(resolve(b"d").unwrap().name, "dump");
        assert_eq!(resolve(b"da").unwrap().name, "databases");
        assert!(resolve(b"ba").is_none());
        assert_eq!(resolve(b"bac").unwrap().name, "backup");
        assert_eq!(resolve(b"cd").unwrap().name, "cd");
        assert!(resolve(b"headersx").is_none());
    }

    #[test]
    fn booleans_follow_sqlite3() {
        assert!(boolean_value(b"on"));
        assert!(boolean_value(b"YES"));
        assert!(boolean_value(b"1"));
        assert!(boolean_value(b"0x10"));
        assert!(!boolean_value(b"0"));
        assert!(!boolean_value(b"off"));
    }
}
