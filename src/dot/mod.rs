//! The dot-command registry.
//!
//! One entry per command, in sqlite3 3.40.1's own dispatch order, with the rule its name
//! resolves by (a prefix of at least `min` bytes, or the exact name). `.h on` is `.headers`
//! because `headers` comes before `help`. Handlers live in the submodules, grouped by
//! concern; each gets the tokenized arguments (`args[0]` is the word as typed).

mod io;
mod settings;

use crate::shell::{DotResult, Failure, Flow, Shell};
use crate::split::dotargs::parse_dot_args;

/// A dot-command handler.
pub type Handler = fn(&mut Shell, &[Vec<u8>]) -> DotResult;

/// One registry entry.
pub struct DotCommand {
    /// Full name.
    pub name: &'static str,
    /// Shortest accepted prefix length (0 = any prefix, including the first letter).
    pub min: usize,
    /// Only the exact name (or an exact length) is accepted.
    pub exact: bool,
    /// The handler; `None` for commands litesh does not provide (yet).
    pub run: Option<Handler>,
}

const fn cmd(name: &'static str, min: usize, run: Option<Handler>) -> DotCommand {
    DotCommand {
        name,
        min,
        exact: false,
        run,
    }
}

const fn exact(name: &'static str, run: Option<Handler>) -> DotCommand {
    DotCommand {
        name,
        min: 0,
        exact: true,
        run,
    }
}

/// The registry, in sqlite3 3.40.1's dispatch order.
pub const REGISTRY: &[DotCommand] = &[
    cmd("auth", 2, None),
    cmd("backup", 3, Some(io::backup)),
    cmd("save", 3, Some(io::backup)),
    cmd("bail", 3, Some(settings::bail)),
    cmd("binary", 3, None),
    cmd("breakpoint", 3, Some(settings::noop)),
    exact("cd", None),
    cmd("changes", 3, Some(settings::changes)),
    cmd("check", 3, None),
    cmd("clone", 0, None),
    cmd("connection", 0, None),
    cmd("databases", 2, None),
    cmd("dbconfig", 3, None),
    cmd("dbinfo", 3, None),
    cmd("recover", 0, None),
    cmd("dump", 0, Some(io::dump)),
    cmd("echo", 0, Some(settings::echo)),
    cmd("eqp", 0, None),
    cmd("exit", 0, Some(settings::exit)),
    cmd("explain", 0, None),
    cmd("expert", 0, None),
    cmd("filectrl", 0, None),
    cmd("fullschema", 0, None),
    cmd("headers", 0, Some(settings::headers)),
    cmd("help", 0, None),
    cmd("import", 0, None),
    cmd("imposter", 3, None),
    cmd("limits", 5, None),
    cmd("lint", 3, None),
    cmd("load", 0, None),
    cmd("log", 0, None),
    cmd("mode", 0, None),
    exact("nonce", Some(settings::nonce)),
    cmd("nullvalue", 0, Some(settings::nullvalue)),
    cmd("open", 2, Some(io::open)),
    cmd("output", 0, Some(io::output)),
    cmd("once", 0, Some(io::output)),
    cmd("parameter", 3, None),
    cmd("print", 3, Some(settings::print)),
    cmd("progress", 0, None),
    cmd("prompt", 0, None),
    cmd("quit", 0, Some(settings::quit)),
    cmd("read", 3, Some(io::read)),
    cmd("restore", 3, Some(io::restore)),
    cmd("scanstats", 0, None),
    cmd("schema", 0, None),
    cmd("session", 0, None),
    cmd("selftest", 4, None),
    cmd("separator", 0, Some(settings::separator)),
    cmd("sha3sum", 4, None),
    cmd("shell", 2, None),
    cmd("system", 2, None),
    cmd("show", 0, None),
    cmd("stats", 0, None),
    cmd("tables", 2, None),
    cmd("indexes", 0, None),
    cmd("indices", 0, None),
    cmd("timeout", 5, Some(settings::timeout)),
    cmd("timer", 5, None),
    cmd("trace", 0, None),
    cmd("vfsinfo", 0, None),
    cmd("vfslist", 0, None),
    cmd("vfsname", 0, None),
    cmd("width", 0, None),
];

impl DotCommand {
    /// Whether the typed word selects this command.
    pub fn matches(&self, word: &[u8]) -> bool {
        if self.exact {
            return word == self.name.as_bytes();
        }
        !word.is_empty() && word.len() >= self.min && self.name.as_bytes().starts_with(word)
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
