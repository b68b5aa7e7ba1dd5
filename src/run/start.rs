//! Start-up: sqlite3 3.40.1's `main()` — the two passes over the options, `~/.sqliterc`,
//! SQL arguments, then stdin or the terminal — and the exit code.

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use crate::cli::{self, Opt};
use crate::exec::ExecError;
use crate::input::{Reader, Terminal};
use crate::render::Mode;
use crate::shell::{home_dir, integer_value, Failure, Flow, OpenMode, Shell, SEEN_INTERRUPT};

/// Runs litesh with these arguments (including `argv[0]`); returns the exit code.
pub fn main(argv: Vec<OsString>) -> u8 {
    let code = run(argv);
    (code & 0xff) as u8
}

fn run(argv: Vec<OsString>) -> i32 {
    let args = match cli::parse(&argv) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let mut shell = Shell::new(args.argv0.clone(), args.filename.clone());
    shell.interactive = io::stdin().is_terminal();
    let mut init_file: Option<OsString> = None;
    // First pass: what must be known before the database opens.
    for o in &args.options {
        match o.opt {
            Opt::Batch => shell.interactive = false,
            Opt::Init => init_file = Some(o.values[0].clone()),
            Opt::Vfs => shell.db.vfs = Some(o.values[0].clone()),
            Opt::Append => shell.db.mode = OpenMode::Append,
            Opt::Deserialize => shell.db.mode = OpenMode::Deserialize,
            Opt::MaxSize => shell.db.max_size = integer_value(&o.values[0]),
            Opt::Mmap => shell.db.mmap = Some(integer_value(&o.values[0])),
            Opt::ReadOnly => shell.db.mode = OpenMode::ReadOnly,
            Opt::NoFollow => shell.db.nofollow = true,
            Opt::Zip => shell.db.mode = OpenMode::Zip,
            Opt::Bail => shell.settings.bail = true,
            Opt::Nonce => shell.nonce = Some(o.values[0].clone().into_encoded_bytes()),
            _ => {}
        }
    }
    if let Some(vfs) = &shell.db.vfs {
        if !crate::exec::raw::make_default_vfs(vfs.as_encoded_bytes()) {
            eprintln!("no such VFS: \"{}\"", vfs.to_string_lossy());
            return 1;
        }
    }
    // sqlite3's main() registers the append VFS here, over the default VFS of the moment
    // (the one `-vfs` chose), after the library's own VFSes.
    crate::exec::raw::register_append_vfs();
    // sqlite3's interrupt_handler(): a signal handler, no thread (see exec/raw.rs).
    crate::exec::raw::install_sigint_handler(&SEEN_INTERRUPT);
    let want_stdin = args.commands.is_empty();
    // The terminal's own settings, before ~/.sqliterc and the options so that they win.
    let repl_config = (want_stdin && shell.interactive && io::stdin().is_terminal())
        .then(|| super::interactive::configure(&mut shell));
    let warn_in_memory = args.filename.is_none() && argv.len() == 1;

    // sqlite3 opens an existing file at once, and delays creating a new one.
    if let Some(f) = &args.filename {
        if std::path::Path::new(f).exists() {
            if let Err(msg) = shell.db.open() {
                eprintln!("{}", String::from_utf8_lossy(&msg));
                return 1;
            }
            shell.publish_interrupt();
        }
    }

    if let Some(code) = process_sqliterc(&mut shell, init_file.as_deref()) {
        return code;
    }

    // Second pass: everything else, in order.
    for o in &cli::second_pass(&args) {
        let value = || o.values.first().cloned().unwrap_or_default();
        let r = &mut shell.settings.render;
        match o.opt {
            Opt::Html => r.mode = Mode::Html,
            Opt::List => r.mode = Mode::List,
            Opt::Quote => {
                r.mode = Mode::Quote;
                r.col_sep = b",".to_vec();
                r.row_sep = b"\n".to_vec();
            }
            Opt::Line => r.mode = Mode::Line,
            Opt::Column => r.mode = Mode::Column,
            Opt::Json => r.mode = Mode::Json,
            Opt::Markdown => r.mode = Mode::Markdown,
            Opt::Table => r.mode = Mode::Table,
            Opt::Box => r.mode = Mode::Box,
            Opt::Csv => {
                r.mode = Mode::Csv;
                r.col_sep = b",".to_vec();
            }
            Opt::Ascii => {
                r.mode = Mode::Ascii;
                r.col_sep = b"\x1f".to_vec();
                r.row_sep = b"\x1e".to_vec();
            }
            Opt::Tabs => {
                r.mode = Mode::List;
                r.col_sep = b"\t".to_vec();
                r.row_sep = b"\n".to_vec();
            }
            // sqlite3 keeps these in 20-byte buffers: at most 19 bytes survive.
            Opt::Separator => r.col_sep = cut19(value()),
            Opt::Newline => r.row_sep = cut19(value()),
            Opt::NullValue => r.null_value = cut19(value()),
            Opt::Header => {
                r.show_header = true;
                r.header_set = true;
            }
            Opt::NoHeader => {
                r.show_header = false;
                r.header_set = true;
            }
            Opt::Echo => shell.settings.echo = true,
            Opt::Eqp => shell.settings.eqp = crate::exec::hooks::Eqp::On,
            Opt::EqpFull => shell.settings.eqp = crate::exec::hooks::Eqp::Full,
            Opt::Stats => shell.settings.stats = crate::exec::hooks::StatsMode::On,
            Opt::ScanStats => shell.settings.scanstats = true,
            Opt::Backslash => shell.settings.backslash = true,
            Opt::Bail => shell.settings.bail = true,
            Opt::Interactive => shell.interactive = true,
            Opt::Safe => {
                shell.safe.set(true);
                shell.safe_persist = true;
                shell.db.archives = false;
                shell.install_safe_authorizer();
            }
            Opt::Batch => shell.interactive = false,
            Opt::Version => {
                let (v, id) = crate::exec::raw::version();
                let _ = shell.out.flush();
                println!("{v} {id}");
                return 0;
            }
            Opt::Help => {
                let _ = shell.out.flush();
                eprint!("{}", cli::usage(&shell.argv0));
                return 1;
            }
            Opt::Cmd => {
                let cmd = value().into_encoded_bytes();
                if let Some(code) = run_cmd_option(&mut shell, &cmd) {
                    return code;
                }
            }
            Opt::Archive => {
                // sqlite3 3.40.1: `-A` ends the options; SQL or dot-commands given before it
                // are an error; the archive command's own result does not change the exit
                // code.
                let token = o.values[0].as_encoded_bytes();
                if !args.commands.is_empty() {
                    let _ = shell.out.flush();
                    eprintln!(
                        "Error: cannot mix regular SQL or dot-commands with \"{}\"",
                        String::from_utf8_lossy(token)
                    );
                    return 1;
                }
                let mut ar_args = vec![b"-A".to_vec()];
                if token.len() > 2 && !token.starts_with(b"--") {
                    ar_args.push(token[2..].to_vec());
                }
                ar_args.extend(o.values[1..].iter().map(|v| v.as_encoded_bytes().to_vec()));
                let code = match crate::dot::archive_from_command_line(&mut shell, &ar_args) {
                    Ok(()) => 0,
                    Err(Failure::Exit(c)) | Err(Failure::Code(c)) => c,
                    Err(_) => 1,
                };
                let _ = shell.out.flush();
                return code;
            }
            Opt::Unknown => {
                let _ = shell.out.flush();
                eprintln!(
                    "{}: Error: unknown option: {}",
                    shell.argv0,
                    value().to_string_lossy()
                );
                eprintln!("Use -help for a list of options.");
                return 1;
            }
            _ => {}
        }
    }

    let mut rc = 0;
    if !want_stdin {
        for cmd in &args.commands {
            let cmd = cmd.as_encoded_bytes();
            if cmd.first() == Some(&b'.') {
                let r = shell.run_dot_line(cmd);
                hexdb_from_stdin(&mut shell);
                match r {
                    (Flow::Exit(c), _) => return finish(&mut shell, c),
                    (Flow::Stop, _) => return finish(&mut shell, 0),
                    (Flow::Continue, Some(code)) => return finish(&mut shell, code),
                    (Flow::Continue, None) => {}
                }
            } else {
                match shell.run_sql(cmd) {
                    Ok(()) => {}
                    Err(ExecError::Io(e)) => {
                        if let Flow::Exit(c) = shell.io_failure(&e) {
                            return finish(&mut shell, c);
                        }
                    }
                    Err(ExecError::Exit(c)) => return finish(&mut shell, c),
                    Err(e) => {
                        let code = e.exit_code();
                        report_arg_error(&mut shell, &e, cmd);
                        return finish(&mut shell, code);
                    }
                }
            }
        }
    } else if shell.stdin_closed {
        // `.open --hexdb` in `-cmd` read stdin to its end or closed it.
    } else if shell.interactive {
        let (v, id) = crate::exec::raw::version();
        let id19: String = id.chars().take(19).collect();
        println!("SQLite version {v} {id19}\nEnter \".help\" for usage hints.");
        if warn_in_memory {
            println!(
                "Connected to a transient in-memory database.\nUse \".open FILENAME\" to reopen on a persistent database."
            );
        }
        let mut line_editor = repl_config.as_ref().and_then(super::interactive::editor);
        let mut plain;
        let src: &mut dyn crate::input::LineSource = match line_editor.as_mut() {
            Some(r) => r,
            None => {
                plain = Terminal::new();
                &mut plain
            }
        };
        match shell.process_input(src) {
            (Flow::Exit(c), _) => return finish(&mut shell, c),
            (_, failed) => rc = i32::from(failed),
        }
    } else {
        let stdin = io::stdin().lock();
        let mut src = Reader(stdin);
        match shell.process_input(&mut src) {
            (Flow::Exit(c), _) => return finish(&mut shell, c),
            (_, failed) => rc = i32::from(failed),
        }
    }
    finish(&mut shell, rc)
}

fn cut19(v: OsString) -> Vec<u8> {
    let mut b = v.into_encoded_bytes();
    b.truncate(19);
    b
}

/// Flushes and closes everything; a failed write or a failed check (`.verify`) makes a zero
/// exit code non-zero.
fn finish(shell: &mut Shell, code: i32) -> i32 {
    if let Err(e) = shell.out.reset() {
        shell.io_failure(&e);
    }
    if let Err(e) = io::stdout().flush() {
        shell.io_failure(&e);
    }
    shell.db.close();
    if code == 0 && (shell.output_failed || shell.check_failed) {
        return 1;
    }
    code
}

fn report_arg_error(shell: &mut Shell, e: &ExecError, sql: &[u8]) {
    let text = match e {
        ExecError::Prepare { text, .. } => [b"Error: in prepare, ".as_slice(), text].concat(),
        ExecError::Step { text, .. } => [b"Error: stepping, ".as_slice(), text].concat(),
        ExecError::Other { msg: Some(m), .. } => [b"Error: ".as_slice(), m].concat(),
        ExecError::Other { msg: None, .. } => {
            [b"Error: unable to process SQL: ".as_slice(), sql].concat()
        }
        ExecError::Io(_) | ExecError::Exit(_) => return,
    };
    shell.report(&Failure::Msg(text));
}

/// `.open --hexdb` given on the command line (`-cmd` or an argument) reads the database's
/// text form from stdin, which sqlite3 3.40.1 then closes: no more input is read from it.
fn hexdb_from_stdin(shell: &mut Shell) {
    if !shell.pending_hexdb {
        return;
    }
    shell.pending_hexdb = false;
    let mut chunks = crate::input::hexdb::fgets_chunks(io::stdin().lock());
    shell.load_hexdb(&mut chunks, shell.lineno, false);
    shell.stdin_closed = true;
}

/// `-cmd COMMAND`: runs at once; an error stops litesh only with `-bail`.
fn run_cmd_option(shell: &mut Shell, cmd: &[u8]) -> Option<i32> {
    if cmd.first() == Some(&b'.') {
        let r = shell.run_dot_line(cmd);
        hexdb_from_stdin(shell);
        match r {
            (Flow::Exit(c), _) => Some(c),
            (Flow::Stop, _) if shell.settings.bail => Some(0),
            (Flow::Continue, Some(code)) if shell.settings.bail => Some(code),
            _ => None,
        }
    } else {
        match shell.run_sql(cmd) {
            Ok(()) => None,
            Err(ExecError::Io(e)) => match shell.io_failure(&e) {
                Flow::Exit(c) => Some(c),
                _ => None,
            },
            Err(ExecError::Exit(c)) => Some(c),
            Err(e) => {
                let code = e.exit_code();
                report_arg_error(shell, &e, cmd);
                shell.settings.bail.then_some(code)
            }
        }
    }
}

/// `~/.sqliterc` or `-init FILE` (sqlite3's `process_sqliterc`). Returns an exit code when
/// litesh must stop.
fn process_sqliterc(shell: &mut Shell, init: Option<&std::ffi::OsStr>) -> Option<i32> {
    let path = match init {
        Some(p) => PathBuf::from(p),
        None => match home_dir() {
            Some(h) => h.join(".sqliterc"),
            None => {
                eprintln!("-- warning: cannot find home directory; cannot read ~/.sqliterc");
                return None;
            }
        },
    };
    match std::fs::File::open(&path) {
        Ok(f) => {
            if shell.interactive {
                eprintln!("-- Loading resources from {}", path.display());
            }
            let mut src = Reader(io::BufReader::new(f));
            let saved = shell.lineno;
            let (flow, failed) = shell.process_input(&mut src);
            shell.lineno = saved;
            if let Flow::Exit(c) = flow {
                return Some(finish(shell, c));
            }
            if failed && shell.settings.bail {
                return Some(1);
            }
        }
        Err(_) if init.is_some() => {
            eprintln!("cannot open: \"{}\"", path.display());
            if shell.settings.bail {
                return Some(1);
            }
        }
        Err(_) => {}
    }
    None
}
