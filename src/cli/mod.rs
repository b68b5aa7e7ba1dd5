//! Command-line options, parsed the way sqlite3 3.40.1 parses them.
//!
//! sqlite3's command line is not a conventional one: options are single-dash long names
//! (`-header`; `--header` works too), they may come anywhere (also after FILENAME and between
//! SQL arguments), `-cmd` runs in the position it was given relative to the mode options, and
//! errors are detected in two passes (a missing option value at once, an unknown option only
//! after `~/.sqliterc` ran). A general-purpose parser would reorder or reject these, so this
//! module keeps one declarative table of options ([`OPTIONS`]) — name, arity, help line — and a
//! small parser that yields them in order. `-help` is generated from the same table.

use std::ffi::{OsStr, OsString};

/// What an option does once parsed (the "high" level of an argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opt {
    /// `-A ARGS...`
    Archive,
    /// `-append`
    Append,
    /// `-ascii`
    Ascii,
    /// `-bail`
    Bail,
    /// `-batch`
    Batch,
    /// `-box`
    Box,
    /// `-column`
    Column,
    /// `-cmd COMMAND`
    Cmd,
    /// `-csv`
    Csv,
    /// `-deserialize`
    Deserialize,
    /// `-echo`
    Echo,
    /// `-init FILENAME`
    Init,
    /// `-header`
    Header,
    /// `-noheader`
    NoHeader,
    /// `-help`
    Help,
    /// `-html`
    Html,
    /// `-interactive`
    Interactive,
    /// `-json`
    Json,
    /// `-line`
    Line,
    /// `-list`
    List,
    /// `-lookaside SIZE N`
    Lookaside,
    /// `-markdown`
    Markdown,
    /// `-maxsize N`
    MaxSize,
    /// `-memtrace`
    MemTrace,
    /// `-mmap N`
    Mmap,
    /// `-newline SEP`
    Newline,
    /// `-nofollow`
    NoFollow,
    /// `-nonce STRING`
    Nonce,
    /// `-nullvalue TEXT`
    NullValue,
    /// `-pagecache SIZE N`
    PageCache,
    /// `-quote`
    Quote,
    /// `-readonly`
    ReadOnly,
    /// `-safe`
    Safe,
    /// `-separator SEP`
    Separator,
    /// `-stats`
    Stats,
    /// `-table`
    Table,
    /// `-tabs`
    Tabs,
    /// `-version`
    Version,
    /// `-vfs NAME`
    Vfs,
    /// `-zip`
    Zip,
    /// `-heap SIZE` (not in sqlite3's help, but accepted)
    Heap,
    /// `-threadsafe N` (not in sqlite3's help, but accepted)
    ThreadSafe,
    /// `-eqp` (not in sqlite3's help, but accepted)
    Eqp,
    /// `-eqpfull` (not in sqlite3's help, but accepted)
    EqpFull,
    /// `-scanstats` (not in sqlite3's help, but accepted)
    ScanStats,
    /// `-backslash` (undocumented): C escapes in SQL read from input are resolved
    Backslash,
    /// An option sqlite3 does not know; its value is the name as sqlite3 reports it.
    Unknown,
}

/// One entry of the option table.
pub struct OptionDef {
    /// Name without the leading dash.
    pub name: &'static str,
    /// Number of values that follow the option.
    pub arity: usize,
    /// What it does.
    pub opt: Opt,
    /// The line `-help` prints, or `None` for options sqlite3 accepts but does not list.
    pub help: Option<&'static str>,
}

macro_rules! opt {
    ($name:literal, $arity:literal, $opt:ident, $help:literal) => {
        OptionDef {
            name: $name,
            arity: $arity,
            opt: Opt::$opt,
            help: Some($help),
        }
    };
    ($name:literal, $arity:literal, $opt:ident) => {
        OptionDef {
            name: $name,
            arity: $arity,
            opt: Opt::$opt,
            help: None,
        }
    };
}

/// Every option, in the order `-help` lists them (sqlite3 3.40.1's order).
pub const OPTIONS: &[OptionDef] = &[
    opt!(
        "A",
        0,
        Archive,
        "   -A ARGS...           run \".archive ARGS\" and exit"
    ),
    opt!(
        "append",
        0,
        Append,
        "   -append              append the database to the end of the file"
    ),
    opt!(
        "ascii",
        0,
        Ascii,
        "   -ascii               set output mode to 'ascii'"
    ),
    opt!(
        "bail",
        0,
        Bail,
        "   -bail                stop after hitting an error"
    ),
    opt!("batch", 0, Batch, "   -batch               force batch I/O"),
    opt!(
        "box",
        0,
        Box,
        "   -box                 set output mode to 'box'"
    ),
    opt!(
        "column",
        0,
        Column,
        "   -column              set output mode to 'column'"
    ),
    opt!(
        "cmd",
        1,
        Cmd,
        "   -cmd COMMAND         run \"COMMAND\" before reading stdin"
    ),
    opt!(
        "csv",
        0,
        Csv,
        "   -csv                 set output mode to 'csv'"
    ),
    opt!(
        "deserialize",
        0,
        Deserialize,
        "   -deserialize         open the database using sqlite3_deserialize()"
    ),
    opt!(
        "echo",
        0,
        Echo,
        "   -echo                print inputs before execution"
    ),
    opt!(
        "init",
        1,
        Init,
        "   -init FILENAME       read/process named file"
    ),
    opt!(
        "header",
        0,
        Header,
        "   -[no]header          turn headers on or off"
    ),
    opt!("noheader", 0, NoHeader),
    opt!("help", 0, Help, "   -help                show this message"),
    opt!(
        "html",
        0,
        Html,
        "   -html                set output mode to HTML"
    ),
    opt!(
        "interactive",
        0,
        Interactive,
        "   -interactive         force interactive I/O"
    ),
    opt!(
        "json",
        0,
        Json,
        "   -json                set output mode to 'json'"
    ),
    opt!(
        "line",
        0,
        Line,
        "   -line                set output mode to 'line'"
    ),
    opt!(
        "list",
        0,
        List,
        "   -list                set output mode to 'list'"
    ),
    opt!(
        "lookaside",
        2,
        Lookaside,
        "   -lookaside SIZE N    use N entries of SZ bytes for lookaside memory"
    ),
    opt!(
        "markdown",
        0,
        Markdown,
        "   -markdown            set output mode to 'markdown'"
    ),
    opt!(
        "maxsize",
        1,
        MaxSize,
        "   -maxsize N           maximum size for a --deserialize database"
    ),
    opt!(
        "memtrace",
        0,
        MemTrace,
        "   -memtrace            trace all memory allocations and deallocations"
    ),
    opt!(
        "mmap",
        1,
        Mmap,
        "   -mmap N              default mmap size set to N"
    ),
    opt!(
        "newline",
        1,
        Newline,
        "   -newline SEP         set output row separator. Default: '\\n'"
    ),
    opt!(
        "nofollow",
        0,
        NoFollow,
        "   -nofollow            refuse to open symbolic links to database files"
    ),
    opt!(
        "nonce",
        1,
        Nonce,
        "   -nonce STRING        set the safe-mode escape nonce"
    ),
    opt!(
        "nullvalue",
        1,
        NullValue,
        "   -nullvalue TEXT      set text string for NULL values. Default ''"
    ),
    opt!(
        "pagecache",
        2,
        PageCache,
        "   -pagecache SIZE N    use N slots of SZ bytes each for page cache memory"
    ),
    opt!(
        "quote",
        0,
        Quote,
        "   -quote               set output mode to 'quote'"
    ),
    opt!(
        "readonly",
        0,
        ReadOnly,
        "   -readonly            open the database read-only"
    ),
    opt!("safe", 0, Safe, "   -safe                enable safe-mode"),
    opt!(
        "separator",
        1,
        Separator,
        "   -separator SEP       set output column separator. Default: '|'"
    ),
    opt!(
        "stats",
        0,
        Stats,
        "   -stats               print memory stats before each finalize"
    ),
    opt!(
        "table",
        0,
        Table,
        "   -table               set output mode to 'table'"
    ),
    opt!(
        "tabs",
        0,
        Tabs,
        "   -tabs                set output mode to 'tabs'"
    ),
    opt!(
        "version",
        0,
        Version,
        "   -version             show SQLite version"
    ),
    opt!(
        "vfs",
        1,
        Vfs,
        "   -vfs NAME            use NAME as the default VFS"
    ),
    opt!(
        "zip",
        0,
        Zip,
        "   -zip                 open the file as a ZIP Archive"
    ),
    opt!("heap", 1, Heap),
    opt!("threadsafe", 1, ThreadSafe),
    opt!("eqp", 0, Eqp),
    opt!("eqpfull", 0, EqpFull),
    opt!("scanstats", 0, ScanStats),
    opt!("backslash", 0, Backslash),
];

/// The usage text `-help` writes to stderr, in sqlite3's layout.
pub fn usage(argv0: &str) -> String {
    let mut s = format!(
        "Usage: {argv0} [OPTIONS] FILENAME [SQL]\n\
         FILENAME is the name of an SQLite database. A new database is created\n\
         if the file does not previously exist.\n\
         OPTIONS include:\n"
    );
    for o in OPTIONS {
        if let Some(h) = o.help {
            s.push_str(h);
            s.push('\n');
        }
    }
    s
}

/// One option occurrence, with its values, in command-line order.
#[derive(Debug, Clone, PartialEq)]
pub struct OptUse {
    /// Which option.
    pub opt: Opt,
    /// Its values (as many as its arity).
    pub values: Vec<OsString>,
}

/// The command line, split into its parts but not yet acted upon.
#[derive(Debug, Clone, Default)]
pub struct Args {
    /// The whole command line, for the second pass.
    pub argv: Vec<OsString>,
    /// `argv[0]` as given (sqlite3 names itself so in its messages).
    pub argv0: String,
    /// The database file name, if one was given.
    pub filename: Option<OsString>,
    /// SQL and dot-commands given as extra arguments.
    pub commands: Vec<OsString>,
    /// Options in the order given; an unknown one is reported where it stands, after the
    /// init file ran (as sqlite3 does).
    pub options: Vec<OptUse>,
}

/// A command-line error that stops litesh before anything runs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CliError {
    /// An option at the end of the line that needs a value.
    #[error("{argv0}: Error: missing argument to {last}")]
    MissingValue {
        /// Program name.
        argv0: String,
        /// The last argument (sqlite3 names that one, whatever it was).
        last: String,
    },
}

fn lookup(name: &str) -> Option<&'static OptionDef> {
    OPTIONS.iter().find(|o| o.name == name)
}

/// Parses the command line (including `argv[0]`).
pub fn parse(argv: &[OsString]) -> Result<Args, CliError> {
    let argv0 = argv
        .first()
        .map(|a| a.to_string_lossy().into_owned())
        .unwrap_or_else(|| "litesh".into());
    let mut args = Args {
        argv: argv.to_vec(),
        argv0: argv0.clone(),
        ..Args::default()
    };
    let last = || {
        argv.last()
            .map(|a| a.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let mut i = 1;
    while i < argv.len() {
        let raw = &argv[i];
        let bytes = raw.as_encoded_bytes();
        if bytes.first() != Some(&b'-') {
            if args.filename.is_none() {
                args.filename = Some(raw.clone());
            } else {
                args.commands.push(raw.clone());
            }
            i += 1;
            continue;
        }
        if bytes.starts_with(b"-A") {
            // `-A` (or `-ARGS`): all remaining arguments belong to `.archive`; the option
            // itself comes first.
            args.options.push(OptUse {
                opt: Opt::Archive,
                values: argv[i..].to_vec(),
            });
            break;
        }
        // `--name` is the same as `-name`.
        let name = if bytes.get(1) == Some(&b'-') {
            &bytes[2..]
        } else {
            &bytes[1..]
        };
        let name = String::from_utf8_lossy(name);
        match lookup(&name) {
            Some(def) => {
                if def.opt == Opt::Archive {
                    // All remaining arguments belong to `.archive`.
                    args.options.push(OptUse {
                        opt: def.opt,
                        values: argv[i..].to_vec(),
                    });
                    break;
                }
                if def.opt == Opt::MaxSize && i + 1 >= argv.len() {
                    // sqlite3 treats a trailing -maxsize as an unknown option.
                    args.options.push(OptUse {
                        opt: Opt::Unknown,
                        values: vec!["-maxsize".into()],
                    });
                    i += 1;
                    continue;
                }
                if i + def.arity >= argv.len() && def.arity > 0 {
                    return Err(CliError::MissingValue {
                        argv0,
                        last: last(),
                    });
                }
                let values = argv[i + 1..i + 1 + def.arity].to_vec();
                args.options.push(OptUse {
                    opt: def.opt,
                    values,
                });
                i += 1 + def.arity;
            }
            None => {
                // sqlite3 drops one leading dash of a `--` option in the message.
                let shown = if bytes.get(1) == Some(&b'-') {
                    &bytes[1..]
                } else {
                    bytes
                };
                args.options.push(OptUse {
                    opt: Opt::Unknown,
                    values: vec![OsStr::from_bytes_lossy(shown)],
                });
                i += 1;
            }
        }
    }
    Ok(args)
}

/// How many arguments sqlite3 3.40.1's second pass steps over after an option. It mostly
/// equals the option's arity, but 3.40.1 steps over two for `-threadsafe` and `-nonce` and
/// one for `-memtrace`, so the argument after them is not seen as an option there.
fn second_pass_skip(def: &OptionDef) -> usize {
    match def.opt {
        Opt::ThreadSafe | Opt::Nonce => 2,
        Opt::MemTrace => 1,
        _ => def.arity,
    }
}

/// sqlite3's second pass over the command line: the options it acts on after the init
/// file, in order, up to and including the first unknown one (which stops litesh).
pub fn second_pass(args: &Args) -> Vec<OptUse> {
    let argv = &args.argv;
    let mut out = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let bytes = argv[i].as_encoded_bytes();
        if bytes.first() != Some(&b'-') {
            i += 1;
            continue;
        }
        let name = if bytes.get(1) == Some(&b'-') {
            &bytes[2..]
        } else {
            &bytes[1..]
        };
        let name = String::from_utf8_lossy(name);
        let def = if bytes.starts_with(b"-A") {
            lookup("A")
        } else {
            lookup(&name).filter(|d| d.opt != Opt::MaxSize || i + 1 < argv.len())
        };
        match def {
            Some(def) => {
                let end = (i + 1 + def.arity).min(argv.len());
                let values = if def.opt == Opt::Archive {
                    // The option itself, then everything after it.
                    argv[i..].to_vec()
                } else {
                    argv[i + 1..end].to_vec()
                };
                let stop = def.opt == Opt::Archive;
                out.push(OptUse {
                    opt: def.opt,
                    values,
                });
                if stop {
                    break;
                }
                i += 1 + second_pass_skip(def);
            }
            None => {
                // sqlite3 drops one leading dash of a `--` option in the message.
                let shown = if bytes.get(1) == Some(&b'-') {
                    &bytes[1..]
                } else {
                    bytes
                };
                out.push(OptUse {
                    opt: Opt::Unknown,
                    values: vec![OsStr::from_bytes_lossy(shown)],
                });
                break;
            }
        }
    }
    out
}

trait FromBytesLossy {
    fn from_bytes_lossy(b: &[u8]) -> OsString;
}

impl FromBytesLossy for OsStr {
    fn from_bytes_lossy(b: &[u8]) -> OsString {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            OsStr::from_bytes(b).to_os_string()
        }
        #[cfg(not(unix))]
        {
            OsString::from(String::from_utf8_lossy(b).into_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(a: &[&str]) -> Vec<OsString> {
        std::iter::once("litesh")
            .chain(a.iter().copied())
            .map(OsString::from)
            .collect()
    }

    #[test]
    fn options_may_follow_the_filename_and_keep_their_order() {
        let a = parse(&argv(&["db", "-header", "select 1", "--csv", "-cmd", ".x"])).unwrap();
        assert_eq!(a.filename.as_deref(), Some(OsStr::new("db")));
        assert_eq!(a.commands, vec![OsString::from("select 1")]);
        let opts: Vec<Opt> = a.options.iter().map(|o| o.opt).collect();
        assert_eq!(opts, vec![Opt::Header, Opt::Csv, Opt::Cmd]);
        assert_eq!(a.options[2].values, vec![OsString::from(".x")]);
    }

    #[test]
    fn missing_value_names_the_last_argument() {
        let e = parse(&argv(&["-lookaside", "10"])).unwrap_err();
        assert_eq!(e.to_string(), "litesh: Error: missing argument to 10");
    }

    #[test]
    fn unknown_option_is_kept_for_later_with_one_dash() {
        let a = parse(&argv(&["--foo", "-bar"])).unwrap();
        assert_eq!(a.options[0].opt, Opt::Unknown);
        assert_eq!(a.options[0].values, vec![OsString::from("-foo")]);
        let a = parse(&argv(&["--"])).unwrap();
        assert_eq!(a.options[0].values, vec![OsString::from("-")]);
    }

    #[test]
    fn the_second_pass_skips_what_3_40_1_skips() {
        let a = parse(&argv(&["-nonce", "n", "-header", "-csv", ":memory:"])).unwrap();
        let opts: Vec<Opt> = second_pass(&a).iter().map(|o| o.opt).collect();
        assert_eq!(opts, vec![Opt::Nonce, Opt::Csv]);
        let a = parse(&argv(&["-header", "-bogus", "-csv"])).unwrap();
        let opts: Vec<Opt> = second_pass(&a).iter().map(|o| o.opt).collect();
        assert_eq!(opts, vec![Opt::Header, Opt::Unknown]);
    }

    #[test]
    fn help_lists_every_documented_option() {
        let u = usage("litesh");
        assert!(u.starts_with("Usage: litesh [OPTIONS] FILENAME [SQL]\n"));
        assert_eq!(
            u.lines().count(),
            4 + OPTIONS.iter().filter(|o| o.help.is_some()).count()
        );
    }
}
