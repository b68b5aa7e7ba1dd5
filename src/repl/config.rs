//! The REPL's own settings file, `$XDG_CONFIG_HOME/litesh/config.toml` (else
//! `~/.config/litesh/config.toml`; `$LITESH_CONFIG` names another file).
//!
//! It holds only what the interactive shell uses: `~/.sqliterc` keeps working as in sqlite3
//! and runs after it, so dot-commands there (and options on the command line) win. Nothing
//! here applies when stdin is not a terminal or with `-batch`. A file that does not parse,
//! or a bad value, is reported in one line on stderr and the shell starts with the defaults
//! for what was wrong.
//!
//! ```toml
//! mode = "pretty"            # output mode at the prompt (any .mode argument); default: list
//! edit_mode = "vi"           # emacs (default) or vi
//! pager = "auto"             # auto (default), on or off: the start value of .pager
//! pager_command = "less -S"  # default: $PAGER, else "less -FRX"
//! history_size = 2000        # entries kept in the history file (default 10000)
//! color = false              # false: no colours anywhere (NO_COLOR and TERM=dumb do the same)
//!
//! [colors]                   # names (bold, dim, red, bright-blue, …) or SGR digits ("38;5;208")
//! keyword = "bold blue"
//! string = "green"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The edit modes rustyline offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum EditMode {
    /// Emacs keys (the default, as in readline).
    #[default]
    Emacs,
    /// Vi keys.
    Vi,
}

/// The settings file, as parsed.
#[derive(Debug, Clone, Deserialize, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `.mode` argument(s) for the prompt, e.g. `"pretty"` or `"box --wrap 40"`.
    pub mode: Option<String>,
    /// Editing keys.
    #[serde(default)]
    pub edit_mode: EditMode,
    /// Start value of `.pager`: `auto`, `on` or `off`.
    pub pager: Option<String>,
    /// The pager command (run with `sh -c`).
    pub pager_command: Option<String>,
    /// History entries kept.
    pub history_size: Option<usize>,
    /// `false` turns every colour and attribute off.
    pub color: Option<bool>,
    /// Colour of each highlighted kind (see the highlighter's `Theme`).
    #[serde(default)]
    pub colors: BTreeMap<String, String>,
}

/// Where the settings file is looked for.
pub fn path(home: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("LITESH_CONFIG") {
        return Some(PathBuf::from(p));
    }
    match std::env::var_os("XDG_CONFIG_HOME") {
        Some(x) if !x.is_empty() => Some(PathBuf::from(x).join("litesh/config.toml")),
        _ => home.map(|h| h.join(".config/litesh/config.toml")),
    }
}

impl Config {
    /// Parses the text of a settings file.
    pub fn parse(text: &str) -> Result<Config, String> {
        let c: Config = toml::from_str(text).map_err(|e| e.message().to_string())?;
        if let Some(p) = &c.pager {
            if !matches!(p.as_str(), "auto" | "on" | "off") {
                return Err(format!("pager must be auto, on or off, not \"{p}\""));
            }
        }
        Ok(c)
    }

    /// Reads the file at `path`: a missing file is the defaults; a bad one is reported on
    /// stderr (naming the file and what is wrong) and also gives the defaults.
    pub fn load(path: Option<&Path>) -> Config {
        let Some(path) = path else {
            return Config::default();
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Config::default(),
            Err(e) => {
                eprintln!("litesh: cannot read {}: {e}", path.display());
                return Config::default();
            }
        };
        match Config::parse(&text) {
            Ok(c) => c,
            Err(msg) => {
                eprintln!(
                    "litesh: ignoring {}: {}",
                    path.display(),
                    msg.trim_end().replace('\n', "; ")
                );
                Config::default()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_key_parses() {
        let c = Config::parse(
            "mode = \"pretty\"\nedit_mode = \"vi\"\npager = \"off\"\npager_command = \"more\"\n\
             history_size = 5\ncolor = false\n[colors]\nkeyword = \"bold blue\"\n",
        )
        .unwrap();
        assert_eq!(c.mode.as_deref(), Some("pretty"));
        assert_eq!(c.edit_mode, EditMode::Vi);
        assert_eq!(c.pager.as_deref(), Some("off"));
        assert_eq!(c.pager_command.as_deref(), Some("more"));
        assert_eq!(c.history_size, Some(5));
        assert_eq!(c.color, Some(false));
        assert_eq!(c.colors["keyword"], "bold blue");
    }

    #[test]
    fn an_empty_file_is_the_defaults() {
        assert_eq!(Config::parse("").unwrap(), Config::default());
    }

    #[test]
    fn mistakes_are_named() {
        let e = Config::parse("moed = \"box\"").unwrap_err();
        assert!(e.contains("moed"), "{e}");
        let e = Config::parse("edit_mode = \"nano\"").unwrap_err();
        assert!(e.contains("nano"), "{e}");
        let e = Config::parse("pager = \"maybe\"").unwrap_err();
        assert!(e.contains("maybe"), "{e}");
        assert!(Config::parse("mode = ").is_err());
    }

    #[test]
    fn a_bad_file_still_gives_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(&p, "history_size = \"many\"").unwrap();
        assert_eq!(Config::load(Some(&p)), Config::default());
        assert_eq!(
            Config::load(Some(&dir.path().join("none"))),
            Config::default()
        );
    }
}
