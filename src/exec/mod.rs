//! The SQL executor: prepares the statements of a piece of SQL one after another (as
//! sqlite3's `shell_exec` does), steps them and streams each row to a renderer.

pub mod raw;

use std::io::{self, Write};

use rusqlite::Connection;

use crate::render::{self, Mode, RenderOpts};
use raw::Value;

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

/// Hooks the shell wants around each statement.
pub struct ExecHooks<'h> {
    /// Called with each statement's SQL before it runs (`.echo`-style tracing); may be a no-op.
    pub before: &'h mut dyn FnMut(&[u8]),
}

/// Runs every statement of `sql`, streaming rows through the renderer for `opts`.
pub fn run(
    conn: &Connection,
    sql: &[u8],
    opts: &RenderOpts,
    out: &mut dyn Write,
) -> Result<(), ExecError> {
    let mut rest = skip_space(sql);
    while !rest.is_empty() && rest[0] != 0 {
        let prepared = match raw::prepare(conn, rest) {
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
        if let Some(stmt) = prepared.stmt {
            run_stmt(stmt, opts, out)?;
        }
        rest = skip_space(&rest[consumed..]);
        if consumed == 0 {
            break;
        }
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
    let mut c_mode = opts.mode;
    let mut indents = None;
    if opts.auto_explain {
        match stmt.is_explain() {
            1 => c_mode = Mode::Explain,
            2 => c_mode = Mode::Eqp,
            _ => {}
        }
    }
    if c_mode == Mode::Explain {
        match explain_prepare(&mut stmt) {
            Some(i) => indents = i,
            None => c_mode = opts.mode,
        }
    }
    let mut renderer = render::renderer(opts, c_mode, indents);
    let mut names: Vec<Vec<u8>> = Vec::new();
    let mut index: u64 = 0;
    let mut io_err = None;
    while let Ok(true) = stmt.step() {
        if index == 0 {
            names = (0..stmt.column_count())
                .map(|i| stmt.column_name(i))
                .collect();
        }
        let vals: Vec<Value<'_>> = (0..names.len()).map(|i| stmt.value(i)).collect();
        if let Err(e) = renderer.row(out, &names, &vals, index) {
            io_err = Some(e);
            break;
        }
        index += 1;
    }
    if io_err.is_none() && index > 0 {
        if let Err(e) = renderer.finish(out, &names) {
            io_err = Some(e);
        }
    }
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
