//! Dot-commands that show or tune how statements run, and what the library and the shell
//! are doing: `.eqp`, `.explain`, `.timer`, `.stats`, `.scanstats`, `.show`, `.trace`,
//! `.progress`, `.log`, `.limit`, `.dbconfig`, `.vfsinfo`, `.vfslist`, `.vfsname`.
//!
//! Each mirrors its branch of sqlite3 3.40.1's `do_meta_command()`: the same usage
//! messages, the same output stream (`.limit`, `.timer` and `.connection` write to stdout
//! even while `.output` redirects, as sqlite3's `printf` does), the same quirks (`.trace`
//! opens its first argument as the file whatever position the file name has; an unknown
//! `.dbconfig` name is reported but is not an error). What happens around each statement is
//! in [`crate::exec`]; the state the callbacks share is in [`crate::exec::hooks`].

use std::io::{self, Write};

use rusqlite::limits::Limit;

use super::boolean_value;
use crate::exec::hooks::{self, Eqp, Sink, StatsMode, TraceText};
use crate::exec::raw;
use crate::render::Mode;
use crate::shell::{DotResult, Failure, Flow, Shell};

fn usage(text: &str) -> DotResult {
    Err(Failure::msg(format!("Usage: {text}")))
}

/// Writes to the process's stdout, where sqlite3 uses `printf`: into the shell's output
/// while that is stdout (keeping the order), straight to stdout while it is redirected.
pub fn write_stdout(shell: &mut Shell, bytes: &[u8]) -> io::Result<()> {
    if shell.out.is_stdout() {
        shell.out.write_all(bytes)
    } else {
        let mut o = io::stdout().lock();
        o.write_all(bytes)?;
        o.flush()
    }
}

/// Writes a warning to stderr (sqlite3 writes it unbuffered and goes on).
fn warn(msg: &[u8]) {
    let mut e = io::stderr().lock();
    let _ = e.write_all(msg);
    let _ = e.write_all(b"\n");
}

/// `.eqp on|off|trigger|full`
pub fn eqp(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if args.len() != 2 {
        return usage(".eqp off|on|trace|trigger|full");
    }
    shell.settings.eqp = match &args[1][..] {
        b"full" => Eqp::Full,
        b"trigger" => Eqp::Trigger,
        z if boolean_value(z) => Eqp::On,
        _ => Eqp::Off,
    };
    Ok(Flow::Continue)
}

/// `.explain ?on|off|auto?`: `on` shows every result in the EXPLAIN layout, `off` never
/// uses it, `auto` (the default) uses it for EXPLAIN statements.
pub fn explain(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    enum Want {
        On,
        Off,
        Auto,
    }
    let want = match args.get(1) {
        None => Want::On,
        Some(a) if a == b"auto" => Want::Auto,
        Some(a) if boolean_value(a) => Want::On,
        Some(_) => Want::Off,
    };
    let s = &mut shell.settings;
    match want {
        Want::On => {
            if s.render.mode != Mode::Explain {
                s.normal_mode = s.render.mode;
                s.render.mode = Mode::Explain;
                s.render.auto_explain = false;
            }
        }
        Want::Off | Want::Auto => {
            if s.render.mode == Mode::Explain {
                s.render.mode = s.normal_mode;
            }
            s.render.auto_explain = matches!(want, Want::Auto);
        }
    }
    Ok(Flow::Continue)
}

/// `.timer on|off`
pub fn timer(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if args.len() != 2 {
        return usage(".timer on|off");
    }
    shell.settings.timer = boolean_value(&args[1]);
    Ok(Flow::Continue)
}

/// `.stats ?on|off|stmt|vmstep?`: without an argument, the statistics now.
pub fn stats(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    match args.len() {
        2 => {
            shell.settings.stats = match &args[1][..] {
                b"stmt" => StatsMode::Stmt,
                b"vmstep" => StatsMode::VmStep,
                z if boolean_value(z) => StatsMode::On,
                _ => StatsMode::Off,
            };
            Ok(Flow::Continue)
        }
        1 => {
            let mode = shell.settings.stats;
            crate::exec::stats::display(shell.db.conn.as_ref(), None, mode, &mut shell.out)?;
            Ok(Flow::Continue)
        }
        _ => usage(".stats ?on|off|stmt|vmstep?"),
    }
}

/// `.scanstats on|off`: kept, but 3.40.1's build cannot show scan statistics and says so.
pub fn scanstats(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if args.len() != 2 {
        return usage(".scanstats on|off");
    }
    shell.settings.scanstats = boolean_value(&args[1]);
    warn(b"Warning: .scanstats not available in this build.");
    Ok(Flow::Continue)
}

/// A `.show` label: `%12.12s: ` (right-aligned, cut at 12).
fn label(buf: &mut Vec<u8>, name: &str) {
    buf.extend_from_slice(format!("{name:>12.12}: ").as_bytes());
}

/// `.show`: the current settings, in sqlite3 3.40.1's layout.
pub fn show(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if args.len() != 1 {
        return usage(".show");
    }
    let s = &shell.settings;
    let r = &s.render;
    let on_off = |b: bool| if b { "on" } else { "off" };
    let mut buf = Vec::with_capacity(512);
    let plain = |buf: &mut Vec<u8>, name: &str, value: &[u8]| {
        label(buf, name);
        buf.extend_from_slice(value);
        buf.push(b'\n');
    };
    plain(&mut buf, "echo", on_off(s.echo).as_bytes());
    plain(&mut buf, "eqp", s.eqp.name().as_bytes());
    let explain = if r.mode == Mode::Explain {
        "on"
    } else if r.auto_explain {
        "auto"
    } else {
        "off"
    };
    plain(&mut buf, "explain", explain.as_bytes());
    plain(&mut buf, "headers", on_off(r.show_header).as_bytes());
    let mode = if r.mode.is_columnar() {
        format!(
            "{} --wrap {} --wordwrap {} --{}quote",
            r.mode.name(),
            r.wrap,
            on_off(r.word_wrap),
            if r.quote { "" } else { "no" }
        )
    } else {
        r.mode.name().to_string()
    };
    plain(&mut buf, "mode", mode.as_bytes());
    label(&mut buf, "nullvalue");
    crate::render::push_c_string(&mut buf, &r.null_value);
    buf.push(b'\n');
    let output: &[u8] = if shell.out.name.is_empty() {
        b"stdout"
    } else {
        &shell.out.name
    };
    plain(&mut buf, "output", output);
    label(&mut buf, "colseparator");
    crate::render::push_c_string(&mut buf, &r.col_sep);
    buf.push(b'\n');
    label(&mut buf, "rowseparator");
    crate::render::push_c_string(&mut buf, &r.row_sep);
    buf.push(b'\n');
    plain(&mut buf, "stats", s.stats.name().as_bytes());
    label(&mut buf, "width");
    for w in &r.col_widths {
        buf.extend_from_slice(format!("{w} ").as_bytes());
    }
    buf.push(b'\n');
    let filename = shell
        .db
        .filename
        .as_ref()
        .map_or(&b""[..], |f| f.as_encoded_bytes());
    plain(&mut buf, "filename", filename);
    shell.out.write_all(&buf)?;
    Ok(Flow::Continue)
}

/// sqlite3's `optionMatch()`: `-NAME` or `--NAME`.
fn option_is(z: &[u8], name: &str) -> bool {
    let z = z.strip_prefix(b"-").unwrap_or(z);
    let z = z.strip_prefix(b"-").unwrap_or(z);
    z == name.as_bytes()
}

/// `.trace ?OPTIONS? ?FILE?`
pub fn trace(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    use rusqlite::trace::TraceEventCodes as T;
    shell.ensure_open()?;
    let trace = shell.settings.trace.clone();
    let mut mask = T::empty();
    for z in &args[1..] {
        if z.first() == Some(&b'-') {
            if option_is(z, "expanded") {
                trace.set_text(TraceText::Expanded);
            } else if option_is(z, "plain") {
                trace.set_text(TraceText::Plain);
            } else if option_is(z, "profile") {
                mask |= T::SQLITE_TRACE_PROFILE;
            } else if option_is(z, "row") {
                mask |= T::SQLITE_TRACE_ROW;
            } else if option_is(z, "stmt") {
                mask |= T::SQLITE_TRACE_STMT;
            } else if option_is(z, "close") {
                mask |= T::SQLITE_TRACE_CLOSE;
            } else {
                let mut m = b"Unknown option \"".to_vec();
                m.extend_from_slice(z);
                m.extend_from_slice(b"\" on \".trace\"");
                return Err(Failure::Msg(m));
            }
        } else {
            // sqlite3 3.40.1 opens its first argument here, whichever word the file is.
            trace.set_sink(None);
            trace.set_sink(Sink::open(&args[1]));
        }
    }
    let conn = shell.db.conn.as_mut().expect("opened above");
    let _ = if trace.is_on() {
        if mask.is_empty() {
            mask = T::SQLITE_TRACE_STMT;
        }
        conn.trace_v2(mask, Some(trace.callback()))
    } else {
        conn.trace_v2(T::empty(), None::<fn(rusqlite::trace::TraceEvent<'_>)>)
    };
    Ok(Flow::Continue)
}

/// `.progress N ?--limit N? ?--once? ?--quiet|-q? ?--reset?`
pub fn progress(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    let p = shell.settings.progress.clone();
    p.configure(0, false, false, false);
    let (mut limit, mut quiet, mut reset, mut once) = (0u32, false, false, false);
    let mut every: i32 = 0;
    let mut i = 1;
    while i < args.len() {
        let a = &args[i];
        if let Some(z) = a.strip_prefix(b"-") {
            let z = z.strip_prefix(b"-").unwrap_or(z);
            match z {
                b"quiet" | b"q" => quiet = true,
                b"reset" => reset = true,
                b"once" => once = true,
                b"limit" => {
                    let Some(v) = args.get(i + 1) else {
                        return Err(Failure::msg("Error: missing argument on --limit"));
                    };
                    limit = crate::shell::integer_value_bytes(v) as i32 as u32;
                    i += 1;
                }
                _ => {
                    let mut m = b"Error: unknown option: \"".to_vec();
                    m.extend_from_slice(a);
                    m.push(b'"');
                    return Err(Failure::Msg(m));
                }
            }
        } else {
            every = crate::shell::integer_value_bytes(a) as i32;
        }
        i += 1;
    }
    p.configure(limit, quiet, reset, once);
    shell.ensure_open()?;
    let conn = shell.db.conn.as_mut().expect("opened above");
    let _ = conn.progress_handler(every, Some(p.handler()));
    p.set_installed(every > 0);
    Ok(Flow::Continue)
}

/// `.log FILE|stdout|stderr|off`
pub fn log(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if let Some(f) = shell.fail_if_safe("cannot run .log in safe mode") {
        return Ok(f);
    }
    if args.len() != 2 {
        return usage(".log FILENAME");
    }
    hooks::set_log(None);
    hooks::set_log(Sink::open(&args[1]));
    Ok(Flow::Continue)
}

/// The limits `.limit` knows, in sqlite3 3.40.1's order.
const LIMITS: [(&str, Limit); 12] = [
    ("length", Limit::SQLITE_LIMIT_LENGTH),
    ("sql_length", Limit::SQLITE_LIMIT_SQL_LENGTH),
    ("column", Limit::SQLITE_LIMIT_COLUMN),
    ("expr_depth", Limit::SQLITE_LIMIT_EXPR_DEPTH),
    ("compound_select", Limit::SQLITE_LIMIT_COMPOUND_SELECT),
    ("vdbe_op", Limit::SQLITE_LIMIT_VDBE_OP),
    ("function_arg", Limit::SQLITE_LIMIT_FUNCTION_ARG),
    ("attached", Limit::SQLITE_LIMIT_ATTACHED),
    (
        "like_pattern_length",
        Limit::SQLITE_LIMIT_LIKE_PATTERN_LENGTH,
    ),
    ("variable_number", Limit::SQLITE_LIMIT_VARIABLE_NUMBER),
    ("trigger_depth", Limit::SQLITE_LIMIT_TRIGGER_DEPTH),
    ("worker_threads", Limit::SQLITE_LIMIT_WORKER_THREADS),
];

/// `.limit ?LIMIT? ?VAL?`: a limit is named by any prefix of its name (any case) that
/// names only it.
pub fn limit(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    let conn = shell.conn()?;
    let line = |name: &str, lim: Limit| format!("{name:>20} {}\n", conn.limit(lim).unwrap_or(-1));
    let mut text = String::new();
    match args.len() {
        1 => {
            for (name, lim) in LIMITS {
                text.push_str(&line(name, lim));
            }
        }
        2 | 3 => {
            let want = &args[1];
            let mut found = None;
            for (name, lim) in LIMITS {
                let n = name.as_bytes();
                if want.len() <= n.len() && n[..want.len()].eq_ignore_ascii_case(want) {
                    if found.is_some() {
                        let mut m = b"ambiguous limit: \"".to_vec();
                        m.extend_from_slice(want);
                        m.push(b'"');
                        return Err(Failure::Msg(m));
                    }
                    found = Some((name, lim));
                }
            }
            let Some((name, lim)) = found else {
                let mut m = b"unknown limit: \"".to_vec();
                m.extend_from_slice(want);
                m.extend_from_slice(b"\"\nenter \".limits\" with no arguments for a list.");
                return Err(Failure::Msg(m));
            };
            if let Some(v) = args.get(2) {
                let _ = conn.set_limit(lim, crate::shell::integer_value_bytes(v) as i32);
            }
            text.push_str(&line(name, lim));
        }
        _ => return usage(".limit NAME ?NEW-VALUE?"),
    }
    write_stdout(shell, text.as_bytes())?;
    Ok(Flow::Continue)
}

/// `.dbconfig ?OP? ?VAL?`: every boolean `sqlite3_db_config()` option sqlite3 3.40.1 knows,
/// or one (set first when VAL is given).
pub fn dbconfig(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    let conn = shell.conn()?;
    let mut text = Vec::new();
    let mut found = false;
    for &(name, op) in raw::DB_CONFIG_FLAGS {
        if args.len() > 1 && args[1] != name.as_bytes() {
            continue;
        }
        if let Some(v) = args.get(2) {
            raw::db_config_flag(conn, op, i32::from(boolean_value(v)));
        }
        let on = raw::db_config_flag(conn, op, -1).unwrap_or(false);
        text.extend_from_slice(
            format!("{name:>19} {}\n", if on { "on" } else { "off" }).as_bytes(),
        );
        found = true;
        if args.len() > 1 {
            break;
        }
    }
    shell.out.write_all(&text)?;
    if args.len() > 1 && !found {
        let mut m = b"Error: unknown dbconfig \"".to_vec();
        m.extend_from_slice(&args[1]);
        m.extend_from_slice(b"\"\nEnter \".dbconfig\" with no arguments for a list");
        warn(&m);
    }
    Ok(Flow::Continue)
}

fn push_vfs(buf: &mut Vec<u8>, v: &raw::VfsInfo, current: bool) {
    buf.extend_from_slice(b"vfs.zName      = \"");
    buf.extend_from_slice(&v.name);
    buf.push(b'"');
    if current {
        buf.extend_from_slice(b"  <--- CURRENT");
    }
    buf.push(b'\n');
    buf.extend_from_slice(
        format!(
            "vfs.iVersion   = {}\nvfs.szOsFile   = {}\nvfs.mxPathname = {}\n",
            v.version, v.sz_os_file, v.mx_pathname
        )
        .as_bytes(),
    );
}

/// The schema `.vfsinfo`/`.vfsname` ask about: their only argument, else `main`.
fn schema_arg(args: &[Vec<u8>]) -> &[u8] {
    if args.len() == 2 {
        &args[1]
    } else {
        b"main"
    }
}

/// `.vfsinfo ?AUX?`: the VFS of a schema of the open database (nothing before it opened).
pub fn vfsinfo(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    let mut buf = Vec::new();
    if let Some(v) = shell
        .db
        .conn
        .as_ref()
        .and_then(|c| raw::vfs_of(c, schema_arg(args)))
    {
        push_vfs(&mut buf, &v, false);
    }
    shell.out.write_all(&buf)?;
    Ok(Flow::Continue)
}

/// `.vfslist`: every registered VFS, the one the main database uses marked.
pub fn vfslist(shell: &mut Shell, _args: &[Vec<u8>]) -> DotResult {
    let current = shell
        .db
        .conn
        .as_ref()
        .and_then(|c| raw::vfs_of(c, b"main"))
        .map(|v| v.id);
    let list = raw::vfs_list();
    let mut buf = Vec::new();
    for (i, v) in list.iter().enumerate() {
        push_vfs(&mut buf, v, Some(v.id) == current);
        if i + 1 < list.len() {
            buf.extend_from_slice(b"-----------------------------------\n");
        }
    }
    shell.out.write_all(&buf)?;
    Ok(Flow::Continue)
}

/// `.vfsname ?AUX?`: the names of the VFS stack of a schema of the open database.
pub fn vfsname(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if let Some(mut name) = shell
        .db
        .conn
        .as_ref()
        .and_then(|c| raw::vfs_name(c, schema_arg(args)))
    {
        name.push(b'\n');
        shell.out.write_all(&name)?;
    }
    Ok(Flow::Continue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_labels_are_right_aligned_and_cut() {
        let mut b = Vec::new();
        label(&mut b, "echo");
        label(&mut b, "colseparatorXYZ");
        assert_eq!(b, b"        echo: colseparator: ");
    }

    #[test]
    fn c_strings_escape_like_sqlite3() {
        let mut b = Vec::new();
        crate::render::push_c_string(&mut b, "\t\"é\\".as_bytes());
        assert_eq!(b, b"\"\\t\\\"\\303\\251\\\\\"");
    }

    #[test]
    fn options_take_one_or_two_dashes() {
        assert!(option_is(b"-row", "row"));
        assert!(option_is(b"--row", "row"));
        assert!(!option_is(b"---row", "row"));
        assert!(!option_is(b"row", "rows"));
    }
}
