//! `.mode` and `.width`: the output mode, its separators and the columnar options.
//!
//! A port of sqlite3 3.40.1's `.mode` (in `do_meta_command()`), quirks included:
//!
//! * A mode name may be any prefix of sqlite3's internal names, tried in sqlite3's order
//!   `lines columns list html tcl csv tabs insert quote ascii markdown table box count off
//!   json`: `.mode l` and `.mode li` are `line`, `.mode c` is `column`, `.mode ta` is
//!   `tabs`, an empty name is `line`. Only `qbox` must be spelled out.
//! * `.mode` alone prints `current output mode: …` and then sets the current mode again,
//!   which resets its separators and its columnar options to their defaults.
//! * Separators: `list` sets `|` and LF, `csv` `,` and CRLF, `quote` `,` and LF, `tcl` a
//!   space and LF, `ascii` 0x1F and 0x1E, `tabs` only the TAB, `line` and `column` only LF;
//!   `html`, `insert`, `json` and the box-like modes leave them alone.
//! * `column`, `table`, `markdown` and `box` take `--wrap N` (default 60),
//!   `--wordwrap on|off`, `--ww`, `--quote` and `--noquote`; `qbox` is `box` with `--quote`.
//!   `column` turns headers on unless they were set explicitly.
//! * `insert` takes a table name (default `table`), quoted as an identifier when needed.
//!
//! litesh adds one mode, `pretty` (comfy-table's readable tables, see `render/pretty.rs`). It
//! must be spelled out whole, like `qbox`, so that every prefix sqlite3 rejects (`.mode p`,
//! `.mode pre`…) is still rejected with sqlite3's own message, whose list of modes stays
//! 3.40.1's. It keeps the separators and takes no options (they are accepted and ignored).

use std::io::Write;

use super::boolean_value;
use crate::format::sql;
use crate::render::Mode;
use crate::shell::{integer_value_bytes, DotResult, Failure, Flow, Shell};

/// sqlite3's `optionMatch()`: `-NAME` or `--NAME`.
fn option_match(z: &[u8], name: &str) -> bool {
    let Some(rest) = z.strip_prefix(b"-") else {
        return false;
    };
    let rest = rest.strip_prefix(b"-").unwrap_or(rest);
    rest == name.as_bytes()
}

/// `(u8)booleanValue(z)`: sqlite3 keeps `--wordwrap` in a byte, so `256` is off.
fn boolean_byte(z: &[u8]) -> bool {
    let numeric = if let Some(hex) = z.strip_prefix(b"0x") {
        hex.iter().all(u8::is_ascii_hexdigit)
    } else {
        !z.is_empty() && z.iter().all(u8::is_ascii_digit)
    };
    if numeric {
        integer_value_bytes(z) & 0xff != 0
    } else {
        boolean_value(z)
    }
}

/// The columnar options of one `.mode` command (sqlite3's `ColModeOpts`).
#[derive(Clone, Copy)]
struct ColModeOpts {
    wrap: i32,
    quote: bool,
    word_wrap: bool,
}

/// `ColModeOpts_default`
const CM_DEFAULT: ColModeOpts = ColModeOpts {
    wrap: 60,
    quote: false,
    word_wrap: false,
};

/// The mode names in the order sqlite3 3.40.1 tries them as prefixes.
const MODE_NAMES: [&str; 16] = [
    "lines", "columns", "list", "html", "tcl", "csv", "tabs", "insert", "quote", "ascii",
    "markdown", "table", "box", "count", "off", "json",
];

/// sqlite3's `set_table_name()`: the `insert` target, in double quotes when it is not a
/// plain identifier or is a keyword.
fn dest_table(name: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(name.len() + 2);
    sql::push_ident(&mut b, name, sql::needs_quote(name).then_some(b'"'));
    b
}

/// `.mode ?MODE? ?OPTIONS? ?TABLE?`
pub fn mode(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    let mut z_mode: Option<Vec<u8>> = None;
    let mut tab_name: Option<&[u8]> = None;
    let mut cm = CM_DEFAULT;
    let n = args.len();
    let mut i = 1;
    while i < n {
        let z = &args[i];
        if option_match(z, "wrap") && i + 1 < n {
            i += 1;
            cm.wrap = integer_value_bytes(&args[i]) as i32;
        } else if option_match(z, "ww") {
            cm.word_wrap = true;
        } else if option_match(z, "wordwrap") && i + 1 < n {
            i += 1;
            cm.word_wrap = boolean_byte(&args[i]);
        } else if option_match(z, "quote") {
            cm.quote = true;
        } else if option_match(z, "noquote") {
            cm.quote = false;
        } else if z_mode.is_none() {
            if z == b"qbox" {
                // The qbox pseudo-mode: box with its own defaults.
                z_mode = Some(b"box".to_vec());
                cm = ColModeOpts {
                    quote: true,
                    ..CM_DEFAULT
                };
            } else {
                z_mode = Some(z.clone());
            }
        } else if tab_name.is_none() {
            tab_name = Some(z);
        } else if z.first() == Some(&b'-') {
            let mut m = b"unknown option: ".to_vec();
            m.extend_from_slice(z);
            m.extend_from_slice(
                b"\noptions:\n  --noquote\n  --quote\n  --wordwrap on/off\n  --wrap N\n  --ww",
            );
            return Err(Failure::Msg(m));
        } else {
            let mut m = b"extra argument: \"".to_vec();
            m.extend_from_slice(z);
            m.push(b'"');
            return Err(Failure::Msg(m));
        }
        i += 1;
    }
    let r = &mut shell.settings.render;
    let z_mode = match z_mode {
        Some(z) => z,
        None => {
            let line = if r.mode.is_columnar() {
                format!(
                    "current output mode: {} --wrap {} --wordwrap {} --{}quote\n",
                    r.mode.name(),
                    r.wrap,
                    if r.word_wrap { "on" } else { "off" },
                    if r.quote { "" } else { "no" }
                )
            } else {
                format!("current output mode: {}\n", r.mode.name())
            };
            shell.out.write_all(line.as_bytes())?;
            shell.settings.render.mode.name().as_bytes().to_vec()
        }
    };
    let r = &mut shell.settings.render;
    if z_mode == b"pretty" {
        r.mode = Mode::Pretty;
        return Ok(Flow::Continue);
    }
    let picked = MODE_NAMES
        .iter()
        .find(|name| name.as_bytes().starts_with(&z_mode));
    let set_cm = |r: &mut crate::render::RenderOpts| {
        r.wrap = cm.wrap;
        r.word_wrap = cm.word_wrap;
        r.quote = cm.quote;
    };
    match picked.copied() {
        Some("lines") => {
            r.mode = Mode::Line;
            r.row_sep = b"\n".to_vec();
        }
        Some("columns") => {
            r.mode = Mode::Column;
            if !r.header_set {
                r.show_header = true;
            }
            r.row_sep = b"\n".to_vec();
            set_cm(r);
        }
        Some("list") => {
            r.mode = Mode::List;
            r.col_sep = b"|".to_vec();
            r.row_sep = b"\n".to_vec();
        }
        Some("html") => r.mode = Mode::Html,
        Some("tcl") => {
            r.mode = Mode::Tcl;
            r.col_sep = b" ".to_vec();
            r.row_sep = b"\n".to_vec();
        }
        Some("csv") => {
            r.mode = Mode::Csv;
            r.col_sep = b",".to_vec();
            r.row_sep = b"\r\n".to_vec();
        }
        Some("tabs") => {
            r.mode = Mode::List;
            r.col_sep = b"\t".to_vec();
        }
        Some("insert") => {
            r.mode = Mode::Insert;
            r.dest_table = dest_table(tab_name.unwrap_or(b"table"));
        }
        Some("quote") => {
            r.mode = Mode::Quote;
            r.col_sep = b",".to_vec();
            r.row_sep = b"\n".to_vec();
        }
        Some("ascii") => {
            r.mode = Mode::Ascii;
            r.col_sep = b"\x1f".to_vec();
            r.row_sep = b"\x1e".to_vec();
        }
        Some("markdown") => {
            r.mode = Mode::Markdown;
            set_cm(r);
        }
        Some("table") => {
            r.mode = Mode::Table;
            set_cm(r);
        }
        Some("box") => {
            r.mode = Mode::Box;
            set_cm(r);
        }
        Some("count") => r.mode = Mode::Count,
        Some("off") => r.mode = Mode::Off,
        Some("json") => r.mode = Mode::Json,
        _ => {
            return Err(Failure::msg(
                "Error: mode should be one of: ascii box column csv html insert json line list \
                 markdown qbox quote table tabs tcl",
            ))
        }
    }
    Ok(Flow::Continue)
}

/// `.width NUM1 NUM2 …`: column widths for the columnar modes; none clears them.
pub fn width(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    shell.settings.render.col_widths = args[1..]
        .iter()
        .map(|a| integer_value_bytes(a) as i32)
        .collect();
    Ok(Flow::Continue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_take_one_or_two_dashes() {
        assert!(option_match(b"--wrap", "wrap"));
        assert!(option_match(b"-wrap", "wrap"));
        assert!(!option_match(b"wrap", "wrap"));
        assert!(!option_match(b"---wrap", "wrap"));
    }

    #[test]
    fn insert_targets_are_quoted_when_needed() {
        assert_eq!(dest_table(b"t1"), b"t1");
        assert_eq!(dest_table(b"my table"), b"\"my table\"");
        assert_eq!(dest_table(b"select"), b"\"select\"");
        assert_eq!(dest_table(b""), b"\"\"");
    }

    #[test]
    fn word_wrap_is_kept_in_a_byte() {
        assert!(boolean_byte(b"1"));
        assert!(!boolean_byte(b"256"));
        assert!(boolean_byte(b"on"));
    }
}
