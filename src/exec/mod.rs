//! The SQL executor: prepares the statements of a piece of SQL one after another (as
//! sqlite3's `shell_exec` does), steps them and streams each row to a renderer.
//!
//! [`run_with`] also does what sqlite3 3.40.1's `shell_exec()` does around each statement
//! ([`hooks::StmtHooks`]): the automatic EXPLAIN QUERY PLAN of `.eqp` (and the EXPLAIN
//! listing of `.eqp full`), binding `:name`/`$name`/`@name`/`?N` parameters from
//! `temp.sqlite_parameters` (`bind_prepared_stmt()`), and the `.stats` report after the
//! statement ran. `.scanstats on` shows nothing: 3.40.1's build lacks
//! `SQLITE_ENABLE_STMT_SCANSTATUS`, so its `display_scanstats()` is empty.

pub mod hooks;
pub mod raw;
pub mod stats;

use std::io::{self, Write};

use rusqlite::Connection;

use crate::render::{self, Mode, RenderOpts, Renderer};
use hooks::{Eqp, StatsMode, StmtHooks};
use raw::Value;

/// A path from bytes (any byte string is a path on unix).
pub fn os_path(b: &[u8]) -> &std::path::Path {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        std::path::Path::new(std::ffi::OsStr::from_bytes(b))
    }
    #[cfg(not(unix))]
    {
        std::path::Path::new(std::str::from_utf8(b).unwrap_or_default())
    }
}

/// Why a piece of SQL failed.
#[derive(Debug)]
pub enum ExecError {
    /// The statement did not prepare: sqlite3's `in prepare, MSG` plus the context lines.
    Prepare {
        /// The message after `in prepare, ` including the context lines.
        text: Vec<u8>,
        /// Primary result code.
        code: i32,
    },
    /// The statement failed while stepping: `stepping, MSG (CODE)`.
    Step {
        /// The message after `stepping, `.
        text: Vec<u8>,
        /// Primary result code.
        code: i32,
    },
    /// The SQL failed with a message that is neither a prepare nor a step error (the index
    /// advisor's): sqlite3 reports `Error: MSG` (`Error near line N: MSG` for input). With
    /// no message it names the SQL (`Error: unable to process SQL: …`) for an argument, and
    /// the connection's last error for input.
    Other {
        /// The message, if any.
        msg: Option<Vec<u8>>,
        /// The result code (0 when the SQL itself was refused).
        code: i32,
    },
    /// Writing the output failed.
    Io(io::Error),
    /// The shell must leave with this code (a safe-mode violation).
    Exit(i32),
}

impl From<io::Error> for ExecError {
    fn from(e: io::Error) -> Self {
        ExecError::Io(e)
    }
}

impl ExecError {
    /// The exit code sqlite3 uses when this error ends an SQL argument on the command line.
    pub fn exit_code(&self) -> i32 {
        match self {
            ExecError::Step { code, .. } | ExecError::Prepare { code, .. } => *code,
            ExecError::Exit(c) => *c,
            // sqlite3's main() returns the code (so only its low byte is the exit status),
            // or 1 when there is none.
            ExecError::Other { code, .. } if code & 0xff != 0 => code & 0xff,
            _ => 1,
        }
    }
}

/// C's `isspace` (sqlite3's `IsSpace`).
pub fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// sqlite3 3.40.1's `shell_error_context()`: the lines that show where a parse error is.
pub fn error_context(sql: &[u8], offset: i32) -> Vec<u8> {
    if offset < 0 {
        return Vec::new();
    }
    let mut off = offset as usize;
    let mut z = sql;
    while off > 50 {
        off -= 1;
        z = z.get(1..).unwrap_or_default();
        while z.first().is_some_and(|c| c & 0xc0 == 0x80) {
            z = &z[1..];
            off = off.saturating_sub(1);
        }
    }
    let z = match z.iter().position(|&c| c == 0) {
        Some(i) => &z[..i],
        None => z,
    };
    let mut len = z.len();
    if len > 78 {
        len = 78;
        while len > 0 && z[len] & 0xc0 == 0x80 {
            len -= 1;
        }
    }
    let code: Vec<u8> = z[..len]
        .iter()
        .map(|&c| if is_space(c) { b' ' } else { c })
        .collect();
    let mut out = b"\n  ".to_vec();
    out.extend_from_slice(&code);
    out.extend_from_slice(b"\n  ");
    if off < 25 {
        out.extend(std::iter::repeat_n(b' ', off));
        out.extend_from_slice(b"^--- error here");
    } else {
        out.extend(std::iter::repeat_n(b' ', off - 14));
        out.extend_from_slice(b"error here ---^");
    }
    out
}

/// Runs every statement of `sql`, streaming rows through the renderer for `opts`, with no
/// per-statement hooks (see [`run_with`]).
pub fn run(
    conn: &Connection,
    sql: &[u8],
    opts: &RenderOpts,
    out: &mut dyn Write,
) -> Result<(), ExecError> {
    run_with(conn, sql, opts, out, &StmtHooks::default())
}

/// Runs every statement of `sql` as sqlite3 3.40.1's `shell_exec()` does: for each one, the
/// automatic query plan (`.eqp`), parameter binding, the rows, then the `.stats` report;
/// the first error stops the rest.
pub fn run_with(
    conn: &Connection,
    sql: &[u8],
    opts: &RenderOpts,
    out: &mut dyn Write,
    hooks: &StmtHooks<'_>,
) -> Result<(), ExecError> {
    let mut rest = skip_space(sql);
    while !rest.is_empty() && rest[0] != 0 {
        let prepared = match hooks.prepare(conn, rest, out)? {
            Ok(p) => p,
            Err(e) => {
                let mut text = e.msg.clone();
                let code = e.code;
                if code > 1 {
                    text.extend_from_slice(format!(" ({code})").as_bytes());
                }
                text.extend_from_slice(&error_context(rest, e.offset));
                return Err(ExecError::Prepare { text, code });
            }
        };
        let consumed = prepared.consumed;
        if let Some(mut stmt) = prepared.stmt {
            if hooks.eqp != Eqp::Off && stmt.is_explain() == 0 {
                match auto_eqp(conn, stmt, rest, opts, out, hooks)? {
                    Some(s) => stmt = s,
                    None => {
                        rest = skip_space(&rest[consumed..]);
                        continue;
                    }
                }
            }
            if hooks.bind_parameters {
                bind_parameters(conn, &mut stmt, out, hooks)?;
            }
            let io_err = render_stmt(&mut stmt, opts, None, out, hooks);
            if io_err.is_none() && hooks.stats != StatsMode::Off {
                stats::display(Some(conn), Some(&stmt), hooks.stats, out)?;
            }
            finish_stmt(stmt, io_err)?;
        }
        rest = skip_space(&rest[consumed..]);
        if consumed == 0 {
            break;
        }
    }
    Ok(())
}

/// sqlite3's automatic EXPLAIN QUERY PLAN (`.eqp on|trigger|full`): the plan of `stmt` as a
/// tree (each trigger's plan after its `-- TRIGGER` line), then for `full` its EXPLAIN
/// listing. With `trigger` the statement is prepared again once trigger plans are off
/// again, as sqlite3 does; `None` when that fails.
fn auto_eqp<'c>(
    conn: &'c Connection,
    stmt: raw::Stmt<'c>,
    sql_here: &[u8],
    opts: &RenderOpts,
    out: &mut dyn Write,
    hooks: &StmtHooks<'_>,
) -> Result<Option<raw::Stmt<'c>>, ExecError> {
    let trigger_op = rusqlite::ffi::SQLITE_DBCONFIG_TRIGGER_EQP;
    let trigger_was_on = raw::db_config_flag(conn, trigger_op, -1).unwrap_or(false);
    if hooks.eqp >= Eqp::Trigger {
        raw::db_config_flag(conn, trigger_op, 1);
    }
    let text = stmt.sql();
    let text = skip_space(&text);
    let mut query = b"EXPLAIN QUERY PLAN ".to_vec();
    query.extend_from_slice(text);
    if let Ok(raw::Prepared {
        stmt: Some(mut plan),
        ..
    }) = hooks.prepare(conn, &query, out)?
    {
        let mut graph = render::Eqp::default();
        loop {
            hooks.before(out)?;
            let more = plan.step();
            hooks.after(out)?;
            if more != Ok(true) {
                break;
            }
            let int = |v: Value<'_>| match v {
                Value::Integer(i) => i64::from(i as i32),
                Value::Real(r) => i64::from(r as i32),
                _ => 0,
            };
            let id = int(plan.value(0));
            let parent = int(plan.value(1));
            let line = render::cut_nul(plan.text(3).unwrap_or_default()).to_vec();
            if line.first() == Some(&b'-') {
                graph.finish(out, &[])?;
                graph = render::Eqp::default();
            }
            let vals = [
                Value::Integer(id),
                Value::Integer(parent),
                Value::Null,
                Value::Text(&line),
            ];
            graph.row(out, &[], &vals, 0)?;
        }
        graph.finish(out, &[])?;
    }
    hooks.after(out)?;
    if hooks.eqp >= Eqp::Full {
        let mut query = b"EXPLAIN ".to_vec();
        query.extend_from_slice(text);
        if let Ok(raw::Prepared {
            stmt: Some(mut listing),
            ..
        }) = hooks.prepare(conn, &query, out)?
        {
            if let Some(e) = render_stmt(&mut listing, opts, Some(Mode::Explain), out, hooks) {
                return Err(ExecError::Io(e));
            }
        }
    }
    if hooks.eqp >= Eqp::Trigger && !trigger_was_on {
        raw::db_config_flag(conn, trigger_op, 0);
        drop(stmt);
        return Ok(hooks
            .prepare(conn, sql_here, out)?
            .ok()
            .and_then(|p| p.stmt));
    }
    Ok(Some(stmt))
}

/// sqlite3's `bind_prepared_stmt()`: each parameter gets the value stored under its name
/// (`?N` for a nameless one) in `temp.sqlite_parameters`, or NULL; nothing happens when
/// that table does not exist.
fn bind_parameters(
    conn: &Connection,
    stmt: &mut raw::Stmt<'_>,
    out: &mut dyn Write,
    hooks: &StmtHooks<'_>,
) -> io::Result<()> {
    let n = stmt.parameter_count();
    if n == 0 || !raw::has_column(conn, "TEMP", "sqlite_parameters", "key") {
        return Ok(());
    }
    let query = b"SELECT value FROM temp.sqlite_parameters WHERE key=?1";
    let Ok(raw::Prepared {
        stmt: Some(mut q), ..
    }) = hooks.prepare(conn, query, out)?
    else {
        return Ok(());
    };
    for i in 1..=n {
        let name = stmt
            .parameter_name(i)
            .unwrap_or_else(|| format!("?{i}").into_bytes());
        q.bind_text(1, &name);
        hooks.before(out)?;
        let found = q.step() == Ok(true);
        hooks.after(out)?;
        if found {
            let v = q.value(0);
            stmt.bind_value(i, &v);
        } else {
            stmt.bind_null(i);
        }
        q.reset();
    }
    Ok(())
}

fn skip_space(mut s: &[u8]) -> &[u8] {
    while s.first().is_some_and(|&c| is_space(c)) {
        s = &s[1..];
    }
    s
}

/// Steps one prepared statement to the end, rendering its rows; finalizes it.
///
/// As sqlite3 3.40.1's `shell_exec()` does with `.explain auto` (the default), an `EXPLAIN`
/// statement is shown in the EXPLAIN listing layout (its opcodes indented after a first pass
/// over the listing, `explain_data_prepare()`) and an `EXPLAIN QUERY PLAN` as a tree,
/// whatever the output mode.
pub fn run_stmt(
    mut stmt: raw::Stmt<'_>,
    opts: &RenderOpts,
    out: &mut dyn Write,
) -> Result<(), ExecError> {
    let io_err = render_stmt(&mut stmt, opts, None, out, &StmtHooks::default());
    finish_stmt(stmt, io_err)
}

/// Finalizes a statement that ran: a write error first, else the statement's own error.
fn finish_stmt(stmt: raw::Stmt<'_>, io_err: Option<io::Error>) -> Result<(), ExecError> {
    let msg = stmt.errmsg();
    let code = stmt.finalize();
    if let Some(e) = io_err {
        return Err(ExecError::Io(e));
    }
    if code != 0 {
        let mut text = msg;
        if code > 1 {
            text.extend_from_slice(format!(" ({code})").as_bytes());
        }
        return Err(ExecError::Step { text, code });
    }
    Ok(())
}

/// Rows of at most this many columns are gathered on the stack.
const ROW_ON_STACK: usize = 32;

/// Steps a statement to the end, rendering its rows in the mode sqlite3 would pick
/// (`cMode`: `forced`, else the EXPLAIN layouts under `.explain auto`, else the shell's
/// mode). Returns the write error that stopped it, if any; step errors stay in the
/// statement for [`finish_stmt`].
fn render_stmt(
    stmt: &mut raw::Stmt<'_>,
    opts: &RenderOpts,
    forced: Option<Mode>,
    out: &mut dyn Write,
    hooks: &StmtHooks<'_>,
) -> Option<io::Error> {
    let mut c_mode = forced.unwrap_or(opts.mode);
    let mut indents = None;
    if forced.is_none() && opts.auto_explain {
        match stmt.is_explain() {
            1 => c_mode = Mode::Explain,
            2 => c_mode = Mode::Eqp,
            _ => {}
        }
    }
    if c_mode == Mode::Explain {
        if let Err(e) = hooks.before(out) {
            return Some(e);
        }
        match explain_prepare(stmt) {
            Some(i) => indents = i,
            None => c_mode = opts.mode,
        }
        if let Err(e) = hooks.after(out) {
            return Some(e);
        }
    }
    let mut renderer = render::renderer(opts, c_mode, indents);
    let mut names: Vec<Vec<u8>> = Vec::new();
    let mut index: u64 = 0;
    loop {
        if let Err(e) = hooks.before(out) {
            return Some(e);
        }
        let step = stmt.step();
        if let Err(e) = hooks.after(out) {
            return Some(e);
        }
        if step != Ok(true) {
            break;
        }
        if index == 0 {
            names = (0..stmt.column_count())
                .map(|i| stmt.column_name(i))
                .collect();
        }
        // The row's values: on the stack for the usual column counts, no allocation per row.
        let n = names.len();
        let mut on_stack = [Value::Null; ROW_ON_STACK];
        let heap: Vec<Value<'_>>;
        let vals: &[Value<'_>] = if n <= ROW_ON_STACK {
            for (i, v) in on_stack[..n].iter_mut().enumerate() {
                *v = stmt.value(i);
            }
            &on_stack[..n]
        } else {
            heap = (0..n).map(|i| stmt.value(i)).collect();
            &heap
        };
        if let Err(e) = renderer.row(out, &names, vals, index) {
            return Some(e);
        }
        index += 1;
    }
    if index > 0 {
        if let Err(e) = renderer.finish(out, &names) {
            return Some(e);
        }
    }
    None
}

/// sqlite3 3.40.1's `explain_data_prepare()`: checks that an EXPLAIN statement really gives
/// an EXPLAIN listing and, stepping through it once, computes the opcode indents; then
/// resets it. `None`: show it in the normal mode instead; `Some(None)`: the layout without
/// indents (the listing was empty).
fn explain_prepare(stmt: &mut raw::Stmt<'_>) -> Option<Option<Vec<i32>>> {
    let names: Vec<Vec<u8>> = (0..stmt.column_count())
        .map(|i| stmt.column_name(i))
        .collect();
    if names.len() != 8 || !render::starts_with_explain(&stmt.sql()) {
        return None;
    }
    if !render::is_explain_listing(&names) {
        // sqlite3 steps once before it checks the names; the reset undoes that.
        stmt.reset();
        return None;
    }
    let mut rows: Vec<(i64, Vec<u8>, i64, i64)> = Vec::new();
    while let Ok(true) = stmt.step() {
        let int = |v: Value<'_>| match v {
            Value::Integer(i) => i64::from(i as i32),
            Value::Real(r) => i64::from(r as i32),
            _ => 0,
        };
        rows.push((
            int(stmt.value(0)),
            stmt.text(1).unwrap_or_default().to_vec(),
            int(stmt.value(2)),
            int(stmt.value(3)),
        ));
    }
    stmt.reset();
    if rows.is_empty() {
        return Some(None);
    }
    Some(Some(render::explain_indents(rows.iter().map(
        |(addr, op, p1, p2)| render::ExplainOp {
            addr: *addr,
            opcode: op,
            p1: *p1,
            p2: *p2,
        },
    ))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_points_at_the_offset() {
        let c = error_context(b"selec 1", 0);
        assert_eq!(c, b"\n  selec 1\n  ^--- error here");
    }

    #[test]
    fn context_far_offsets_point_backwards() {
        let sql = b"select 1, 2, 3, 4, 5, 6, 7, 8, 9, nope";
        let c = error_context(sql, 34);
        let s = String::from_utf8(c).unwrap();
        assert!(
            s.ends_with(&format!("{}error here ---^", " ".repeat(20))),
            "{s}"
        );
    }

    #[test]
    fn no_offset_no_context() {
        assert!(error_context(b"x", -1).is_empty());
    }
}
