//! Dot-commands that move data in and out: `.dump`, `.read`, `.open`, `.output`/`.once`,
//! `.backup`/`.save`, `.restore`.

use std::ffi::OsStr;
use std::io::Write;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::Connection;

use crate::backup::copy;
use crate::dump::{self, DumpOptions};
use crate::exec::raw;
use crate::input::{hexdb, PipeReader, Reader};
use crate::shell::{integer_value_bytes, DotResult, Failure, Flow, OpenMode, Shell};

fn os(b: &[u8]) -> &OsStr {
    // SAFETY-free on unix: every byte string is a valid OsStr.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        OsStr::from_bytes(b)
    }
    #[cfg(not(unix))]
    {
        OsStr::new(std::str::from_utf8(b).unwrap_or_default())
    }
}

fn quoted(msg: &str, name: &[u8], end: &str) -> Failure {
    let mut m = msg.as_bytes().to_vec();
    m.extend_from_slice(name);
    m.extend_from_slice(end.as_bytes());
    Failure::Msg(m)
}

/// `.dump ?OPTIONS? ?OBJECTS?`
pub fn dump(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    let mut opts = DumpOptions::default();
    for a in &args[1..] {
        if a.first() == Some(&b'-') {
            let z = if a.get(1) == Some(&b'-') {
                &a[2..]
            } else {
                &a[1..]
            };
            match z {
                b"preserve-rowids" => opts.preserve_rowids = true,
                b"newlines" => opts.newlines = true,
                b"data-only" => opts.data_only = true,
                b"nosys" => opts.nosys = true,
                _ => return Err(quoted("Unknown option \"", a, "\" on \".dump\"")),
            }
        } else {
            opts.patterns.push(a.clone());
        }
    }
    shell.ensure_open()?;
    opts.flush_each = shell.settings.trace.to_stdout() || crate::exec::hooks::log_to_stdout();
    let conn = shell.db.conn.as_ref().expect("opened above");
    let report = dump::dump(conn, &opts, &mut shell.out)?;
    if report.errors.is_empty() {
        return Ok(Flow::Continue);
    }
    shell.out.flush()?;
    let mut errors = report.errors;
    errors.dedup();
    let mut m = Vec::new();
    for (i, e) in errors.iter().enumerate() {
        if i > 0 {
            m.push(b'\n');
        }
        m.extend_from_slice(format!("Error: .dump: {e}").as_bytes());
    }
    Err(Failure::Msg(m))
}

/// `.read FILE` or `.read '|COMMAND'`
pub fn read(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if let Some(f) = shell.fail_if_safe("cannot run .read in safe mode") {
        return Ok(f);
    }
    if args.len() != 2 {
        return Err(Failure::msg("Usage: .read FILE"));
    }
    let name = &args[1];
    let src: Box<dyn crate::input::LineSource> = if let Some(cmd) = name.strip_prefix(b"|") {
        shell.out.flush()?;
        match PipeReader::spawn(os(cmd)) {
            Ok(src) => Box::new(src),
            Err(_) => return Err(quoted("Error: cannot open \"", name, "\"")),
        }
    } else {
        match std::fs::File::open(os(name)) {
            Ok(f) if !f.metadata().is_ok_and(|m| m.is_dir()) => {
                Box::new(Reader(std::io::BufReader::new(f)))
            }
            _ => return Err(quoted("Error: cannot open \"", name, "\"")),
        }
    };
    // The command loop runs it when this command returns (see `run/`).
    shell.pending_source = Some(src);
    Ok(Flow::Continue)
}

/// `.output ?FILE?` and `.once ?FILE?` (files and `|command`s).
pub fn output(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    let msg = format!(
        "cannot run .{} in safe mode",
        String::from_utf8_lossy(&args[0])
    );
    if let Some(f) = shell.fail_if_safe(&msg) {
        return Ok(f);
    }
    let once = super::resolves_to(&args[0], "once");
    let mut file: Option<Vec<u8>> = None;
    let mut editor_mode = false;
    let mut i = 1;
    while i < args.len() {
        let z = &args[i];
        if z.first() == Some(&b'-') {
            let o = if z.get(1) == Some(&b'-') {
                &z[1..]
            } else {
                &z[..]
            };
            if o == b"-bom" {
                // handled below
            } else if o == b"-x" || o == b"-e" {
                editor_mode = true;
            } else {
                let mut m = b"ERROR: unknown option: \"".to_vec();
                m.extend_from_slice(z);
                m.extend_from_slice(b"\".  Usage:\n");
                m.extend_from_slice(output_help(once).as_bytes());
                shell.out.write_all(&m)?;
                return Err(Failure::Reported);
            }
        } else if file.is_none() && !editor_mode {
            let mut f = z.clone();
            if f.first() == Some(&b'|') {
                for rest in &args[i + 1..] {
                    f.push(b' ');
                    f.extend_from_slice(rest);
                }
                file = Some(f);
                break;
            }
            file = Some(f);
        } else {
            let mut m = b"ERROR: extra parameter: \"".to_vec();
            m.extend_from_slice(z);
            m.extend_from_slice(b"\".  Usage:\n");
            m.extend_from_slice(output_help(once).as_bytes());
            shell.out.write_all(&m)?;
            return Err(Failure::Reported);
        }
        i += 1;
    }
    if editor_mode {
        return Err(Failure::msg(
            "Error: sending output to an editor or spreadsheet (-e, -x) is not supported by litesh",
        ));
    }
    let bom = args[1..].iter().any(|a| a == b"-bom" || a == b"--bom");
    let file = file.unwrap_or_else(|| b"stdout".to_vec());
    shell.out.reset()?;
    if let Some(cmd) = file.strip_prefix(b"|") {
        if shell.out.to_pipe(os(cmd), &file).is_err() {
            return Err(quoted("Error: cannot open pipe \"", cmd, "\""));
        }
    } else if file == b"stdout" {
        // back to stdout
    } else if file == b"stderr" {
        shell.out.to_stderr()?;
    } else if file == b"off" {
        return Err(Failure::Reported);
    } else if shell
        .out
        .to_file(std::path::Path::new(os(&file)), false, &file)
        .is_err()
    {
        let mut m = b"Error: cannot open \"".to_vec();
        m.extend_from_slice(&file);
        m.extend_from_slice(b"\"\nError: cannot write to \"");
        m.extend_from_slice(&file);
        m.push(b'"');
        return Err(Failure::Msg(m));
    }
    if bom && file != b"stdout" {
        shell.out.write_all(b"\xef\xbb\xbf")?;
    }
    shell.out.once = once;
    Ok(Flow::Continue)
}

fn output_help(once: bool) -> &'static str {
    if once {
        ".once ?OPTIONS? ?FILE?   Output for the next SQL command only to FILE\n\
         \x20    If FILE begins with '|' then open as a pipe\n\
         \x20      --bom  Put a UTF8 byte-order mark at the beginning\n\
         \x20      -e     Send output to the system text editor\n\
         \x20      -x     Send output as CSV to a spreadsheet (same as \".excel\")\n"
    } else {
        ".output ?FILE?           Send output to FILE or stdout if FILE is omitted\n\
         \x20  If FILE begins with '|' then open it as a pipe.\n\
         \x20  Options:\n\
         \x20    --bom                 Prefix output with a UTF8 byte-order mark\n\
         \x20    -e                    Send output to the system text editor\n\
         \x20    -x                    Send output as CSV to a spreadsheet\n"
    }
}

/// `.open ?OPTIONS? ?FILE?`
pub fn open(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    let mut file: Option<Vec<u8>> = None;
    let mut new = false;
    let mut mode = OpenMode::Normal;
    let mut i = 1;
    while i < args.len() {
        let z = &args[i];
        let opt = |name: &str| {
            let o = if z.starts_with(b"--") {
                &z[2..]
            } else if z.starts_with(b"-") {
                &z[1..]
            } else {
                &b""[..]
            };
            !o.is_empty() && o == name.as_bytes()
        };
        if opt("new") {
            new = true;
        } else if opt("zip") {
            mode = OpenMode::Zip;
        } else if opt("append") {
            mode = OpenMode::Append;
        } else if opt("readonly") {
            mode = OpenMode::ReadOnly;
        } else if opt("nofollow") {
            // sqlite3 3.40.1 resets the open flags right after parsing them.
        } else if opt("deserialize") {
            mode = OpenMode::Deserialize;
        } else if opt("hexdb") {
            mode = OpenMode::HexDb;
        } else if opt("maxsize") && i + 1 < args.len() {
            // Also reset by sqlite3 3.40.1 before it is used.
            let _ = integer_value_bytes(&args[i + 1]);
            i += 1;
        } else if z.first() == Some(&b'-') {
            return Err(quoted("unknown option: ", z, ""));
        } else if file.is_some() {
            return Err(quoted("extra argument: \"", z, "\""));
        } else {
            file = Some(z.clone());
        }
        i += 1;
    }
    shell.db.close();
    shell.db.mode = mode;
    shell.db.nofollow = false;
    shell.db.max_size = 0;
    shell.db.filename = None;
    if mode == OpenMode::HexDb {
        return open_hexdb(shell, file, new);
    }
    let mut failed = false;
    if let Some(f) = &file {
        if f != b":memory:" {
            if let Some(flow) =
                shell.fail_if_safe("cannot open disk-based database files in safe mode")
            {
                return Ok(flow);
            }
        }
        if new && !shell.safe.is_on() {
            let _ = std::fs::remove_file(os(f));
        }
        shell.db.filename = Some(os(f).to_os_string());
        if let Err(msg) = shell.db.open() {
            shell.report(&Failure::Msg(msg));
            failed = true;
        }
    }
    if shell.db.conn.is_none() {
        // As a fall-back, a temporary database.
        shell.db.filename = None;
        shell.db.mode = OpenMode::Normal;
        if let Err(msg) = shell.db.open() {
            shell.report(&Failure::Msg(msg));
        }
    }
    shell.publish_interrupt();
    let _ = failed;
    Ok(Flow::Continue)
}

/// `.open --hexdb ?FILE?`: an in-memory database loaded from the text form of one (see
/// `input::hexdb`), read from FILE or else from the lines that follow in the current input
/// (the command loop reads them: [`Shell::pending_hexdb`]). As in 3.40.1, safe mode allows
/// it, `--new` removes FILE first, and failures leave the empty database.
fn open_hexdb(shell: &mut Shell, file: Option<Vec<u8>>, new: bool) -> DotResult {
    if let Some(f) = &file {
        if new && !shell.safe.is_on() {
            let _ = std::fs::remove_file(os(f));
        }
    }
    if let Err(msg) = shell.db.open() {
        shell.report(&Failure::Msg(msg));
    }
    shell.publish_interrupt();
    match file {
        None => shell.pending_hexdb = true,
        Some(f) => match std::fs::File::open(os(&f)) {
            Ok(fh) => {
                let mut chunks = hexdb::fgets_chunks(std::io::BufReader::new(fh));
                shell.load_hexdb(&mut chunks, 0, false);
            }
            Err(_) => {
                shell.report(&quoted("cannot open \"", &f, "\" for reading"));
            }
        },
    }
    Ok(Flow::Continue)
}

fn open_other(name: &[u8], create: bool) -> Result<Connection, Failure> {
    copy::open_other(std::path::Path::new(os(name)), create)
        .map_err(|_| quoted("Error: cannot open \"", name, "\""))
}

fn dest_error(conn: &Connection) -> Failure {
    let mut m = b"Error: ".to_vec();
    m.extend_from_slice(&raw::errmsg(conn));
    Failure::Msg(m)
}

/// litesh's own `.backup`/`.save` options: with any of them on the line, clap parses it
/// (sqlite3's own options keep sqlite3's parsing and messages otherwise).
#[derive(clap::Parser, Debug)]
#[command(
    name = ".backup",
    about = "Backup DB (default \"main\") to FILE: a consistent copy, never half-written",
    disable_version_flag = true
)]
struct BackupArgs {
    /// Check the copy: integrity and content hash against DB at the copy's point in time
    #[arg(long)]
    verify: bool,
    /// Write FILE without journal and fsync() (sqlite3's option)
    #[arg(long = "async")]
    no_sync: bool,
    /// Append the database to the end of FILE's own bytes (sqlite3's option)
    #[arg(long)]
    append: bool,
    /// ?DB? FILE
    #[arg(num_args = 1..=2, required = true, value_name = "DB FILE")]
    names: Vec<std::ffi::OsString>,
}

/// The options only litesh has.
const NEW_BACKUP_FLAGS: &[&[u8]] = &[b"--verify", b"-verify", b"--help", b"-h"];

/// `.backup ?DB? FILE` and `.save ?DB? FILE`: see `backup/copy.rs`.
pub fn backup(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    let msg = format!(
        "cannot run .{} in safe mode",
        String::from_utf8_lossy(&args[0])
    );
    if let Some(f) = shell.fail_if_safe(&msg) {
        return Ok(f);
    }
    let (db, dest, opts) = if args[1..].iter().any(|a| NEW_BACKUP_FLAGS.contains(&&a[..])) {
        let parsed = match crate::dot::clap_args::parse::<BackupArgs>(shell, args)? {
            Some(p) => p,
            None => return Ok(Flow::Continue),
        };
        let mut names = parsed.names.into_iter().map(|n| n.into_encoded_bytes());
        let first = names.next().unwrap_or_default();
        let (db, dest) = match names.next() {
            Some(second) => (first, second),
            None => (b"main".to_vec(), first),
        };
        let opts = copy::Options {
            is_async: parsed.no_sync,
            verify: parsed.verify,
            append: parsed.append,
        };
        (db, dest, opts)
    } else {
        sqlite3_backup_args(args)?
    };
    shell.ensure_open()?;
    let src = shell.db.conn.as_ref().expect("opened above");
    let db_name = String::from_utf8_lossy(&db).into_owned();
    match copy::copy(src, &db_name, std::path::Path::new(os(&dest)), opts) {
        Ok(report) => {
            if let Some(v) = report.verdict {
                eprintln!("{v}");
            }
            Ok(Flow::Continue)
        }
        Err(copy::CopyError::CannotOpen) => Err(quoted("Error: cannot open \"", &dest, "\"")),
        Err(copy::CopyError::Verify(v)) => {
            shell.check_failed = true;
            Err(Failure::msg(v))
        }
        Err(e) => Err(Failure::msg(format!("Error: {e}"))),
    }
}

/// sqlite3 3.40.1's parsing of `.backup ?DB? ?OPTIONS? FILENAME`.
fn sqlite3_backup_args(args: &[Vec<u8>]) -> Result<(Vec<u8>, Vec<u8>, copy::Options), Failure> {
    let mut dest: Option<&[u8]> = None;
    let mut db: Option<&[u8]> = None;
    let mut opts = copy::Options::default();
    for a in &args[1..] {
        if a.first() == Some(&b'-') {
            let z = if a.get(1) == Some(&b'-') {
                &a[1..]
            } else {
                &a[..]
            };
            match z {
                b"-append" => opts.append = true,
                b"-async" => opts.is_async = true,
                _ => return Err(quoted("unknown option: ", a, "")),
            }
        } else if dest.is_none() {
            dest = Some(a);
        } else if db.is_none() {
            db = dest;
            dest = Some(a);
        } else {
            return Err(Failure::msg("Usage: .backup ?DB? ?OPTIONS? FILENAME"));
        }
    }
    let Some(dest) = dest else {
        return Err(Failure::msg("missing FILENAME argument on .backup"));
    };
    Ok((db.unwrap_or(b"main").to_vec(), dest.to_vec(), opts))
}

/// `.restore ?DB? FILE`
pub fn restore(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if let Some(f) = shell.fail_if_safe("cannot run .restore in safe mode") {
        return Ok(f);
    }
    let (file, db) = match args.len() {
        2 => (&args[1], &b"main"[..]),
        3 => (&args[2], &args[1][..]),
        _ => return Err(Failure::msg("Usage: .restore ?DB? FILE")),
    };
    let src = open_other(file, true)?;
    shell.ensure_open()?;
    let db_name = String::from_utf8_lossy(db).into_owned();
    let conn = shell.db.conn.as_mut().expect("opened above");
    let outcome = match Backup::new_with_names(&src, "main", conn, db_name.as_str()) {
        Err(_) => Err(false),
        Ok(b) => {
            let mut timeouts = 0;
            loop {
                match b.step(100) {
                    Ok(StepResult::More) => continue,
                    Ok(StepResult::Done) => break Ok(()),
                    Ok(StepResult::Busy) => {
                        timeouts += 1;
                        if timeouts > 3 {
                            break Err(true);
                        }
                        std::thread::sleep(std::time::Duration::from_millis(100));
                    }
                    Ok(StepResult::Locked) => break Err(true),
                    Ok(_) | Err(_) => break Err(false),
                }
            }
        }
    };
    match outcome {
        Ok(()) => Ok(Flow::Continue),
        Err(true) => Err(Failure::msg("Error: source database is busy")),
        Err(false) => Err(dest_error(shell.db.conn.as_ref().expect("open"))),
    }
}
