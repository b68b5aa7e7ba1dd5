//! The small functions sqlite3 3.40.1's shell defines itself in `open_db`: `usleep(N)`,
//! `shell_add_schema(SQL, SCHEMA, NAME)`, `shell_module_schema(NAME)`, `shell_putsnl(X)`,
//! `shell_escape_crnl(X)`, `shell_int32(BLOB, I)`, `shell_idquote(X)` and `edit(X, EDITOR)`.
//!
//! * `usleep(N)` sleeps N/1000 whole milliseconds and returns N.
//! * `shell_add_schema` puts `SCHEMA.` in front of the object name of a `CREATE TABLE`,
//!   `INDEX`, `UNIQUE INDEX`, `VIEW`, `TRIGGER` or `VIRTUAL TABLE` statement (quoted unless
//!   a plain identifier or `temp`), and for views and virtual tables appends a comment
//!   with the columns; anything else comes back unchanged.
//! * `shell_module_schema(NAME)`: `/* NAME(col,…) */` for a table or table-valued function.
//! * `shell_putsnl(X)` writes X and a newline and returns X. On the shell's connections
//!   ([`register_putsnl`]) the line goes to the shell's current output, in order with the
//!   rows, as sqlite3 writes it to `p->out`; elsewhere to standard output.
//! * `shell_escape_crnl(X)`: for a quoted SQL string literal X holding newlines or carriage
//!   returns, `replace(replace(X', '\n', char(10)), '\r', char(13))` with an escape
//!   sequence not already in X.
//! * `shell_int32(B, I)`: the I-th 32-bit big-endian integer of blob B, or NULL.
//! * `shell_idquote(X)`: `"X"` with `"` doubled.
//! * `edit(X)`, `edit(X, EDITOR)`: writes X to a temporary file, runs `EDITOR "file"` (or
//!   `$VISUAL`) through the shell and returns the file's new content (a blob for a blob,
//!   text otherwise, `\r\n` turned into `\n` unless X already held `\r\n`). Errors: `no
//!   editor for edit()`, `NULL input to edit()`, `EDITOR returned non-zero`, … The shell's
//!   safe mode refuses it. The temporary file (`etilqs_…` where SQLite puts its own) is
//!   created new, owner-only, with a random name (3.40.1's is readable by everyone for as
//!   long as the editor runs), and removed afterwards.

use std::io::Write;

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;

use super::{same_value, sql_error, text_result, value};
use crate::exec::raw;

/// sqlite3's `quoteChar`: whether an identifier needs double quotes (not a plain ASCII
/// identifier, or a keyword).
fn needs_quotes(name: &[u8]) -> bool {
    match name.first() {
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {}
        _ => return true,
    }
    name.iter()
        .any(|c| !c.is_ascii_alphanumeric() && *c != b'_')
        || raw::is_keyword(name)
}

/// Appends `text`, in double quotes with `"` doubled when `quote`.
fn append(out: &mut Vec<u8>, text: &[u8], quote: bool) {
    if quote {
        out.push(b'"');
        for &c in text {
            out.push(c);
            if c == b'"' {
                out.push(b'"');
            }
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(text);
    }
}

/// `"name"` with `"` doubled (printf's `%w` in quotes).
fn double_quoted(name: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.len() + 2);
    append(&mut out, name, true);
    out
}

/// sqlite3's `shellFakeSchema`: `schema.name(col1,col2,…)`, `None` without columns.
fn fake_schema(conn: &Connection, schema: Option<&[u8]>, name: &[u8]) -> Option<Vec<u8>> {
    let mut sql = b"PRAGMA ".to_vec();
    sql.extend_from_slice(&double_quoted(schema.unwrap_or(b"main")));
    sql.extend_from_slice(b".table_info='");
    for &c in name {
        sql.push(c);
        if c == b'\'' {
            sql.push(b'\'');
        }
    }
    sql.extend_from_slice(b"';");
    let mut out = Vec::new();
    if let Some(schema) = schema {
        append(
            &mut out,
            schema,
            needs_quotes(schema) && !schema.eq_ignore_ascii_case(b"temp"),
        );
        out.push(b'.');
    }
    append(&mut out, name, needs_quotes(name));
    let mut rows = 0;
    if let Ok(raw::Prepared {
        stmt: Some(mut stmt),
        ..
    }) = raw::prepare(conn, &sql)
    {
        while let Ok(true) = stmt.step() {
            out.push(if rows == 0 { b'(' } else { b',' });
            rows += 1;
            let col = stmt.text(1).unwrap_or_default().to_vec();
            append(&mut out, &col, needs_quotes(&col));
        }
    }
    out.push(b')');
    (rows > 0).then_some(out)
}

fn add_schema(ctx: &Context<'_>) -> rusqlite::Result<Value> {
    const KINDS: [&[u8]; 6] = [
        b"TABLE",
        b"INDEX",
        b"UNIQUE INDEX",
        b"VIEW",
        b"TRIGGER",
        b"VIRTUAL TABLE",
    ];
    let sql_arg = ctx.get_raw(0);
    let schema = value::c_text(&ctx.get_raw(1));
    let name = value::c_text(&ctx.get_raw(2));
    let Some(sql) = value::c_text(&sql_arg) else {
        return Ok(same_value(&sql_arg));
    };
    let Some(rest) = sql.strip_prefix(b"CREATE ") else {
        return Ok(same_value(&sql_arg));
    };
    for kind in KINDS {
        let n = kind.len();
        if !(rest.starts_with(kind) && rest.get(n) == Some(&b' ')) {
            continue;
        }
        let head = &sql[..n + 7];
        let tail = &sql[n + 8..];
        let mut result = schema.as_deref().map(|s| {
            let mut z = head.to_vec();
            z.push(b' ');
            if needs_quotes(s) && !s.eq_ignore_ascii_case(b"temp") {
                z.extend_from_slice(&double_quoted(s));
            } else {
                z.extend_from_slice(s);
            }
            z.push(b'.');
            z.extend_from_slice(tail);
            z
        });
        if let (Some(name), b'V') = (name.as_deref(), kind[0]) {
            let conn = raw::function_connection(ctx)?;
            if let Some(fake) = fake_schema(&conn, schema.as_deref(), name) {
                let mut z = result.unwrap_or_else(|| sql.to_vec());
                z.extend_from_slice(b"\n/* ");
                z.extend_from_slice(&fake);
                z.extend_from_slice(b" */");
                result = Some(z);
            }
        }
        if let Some(z) = result {
            return Ok(Value::Text(text_result(z)));
        }
    }
    Ok(same_value(&sql_arg))
}

fn module_schema(ctx: &Context<'_>) -> rusqlite::Result<Option<String>> {
    let Some(name) = value::c_text(&ctx.get_raw(0)) else {
        return Ok(None);
    };
    let conn = raw::function_connection(ctx)?;
    Ok(fake_schema(&conn, None, &name).map(|f| {
        let mut z = b"/* ".to_vec();
        z.extend_from_slice(&f);
        z.extend_from_slice(b" */");
        text_result(z)
    }))
}

/// Makes `shell_putsnl(X)` on `conn` hand its line to `sink`'s pending output, which the
/// statement executor (and `.archive`) move to the shell's current output after each call
/// into SQLite.
pub fn register_putsnl(conn: &Connection, sink: crate::exec::hooks::Progress) {
    let _ = raw::create_function(
        conn,
        c"shell_putsnl",
        1,
        FunctionFlags::SQLITE_UTF8,
        move |args| {
            sink.push_output(&putsnl_line(&args[0]));
            Ok(raw::FnOut::Arg(0))
        },
    );
}

/// The line `shell_putsnl(X)` writes: X's text and a newline; C's printf shows a NULL
/// string as `(null)`.
fn putsnl_line(arg: &ValueRef<'_>) -> Vec<u8> {
    let mut line = value::c_text(arg).map_or_else(|| b"(null)".to_vec(), |t| t.into_owned());
    line.push(b'\n');
    line
}

fn putsnl(args: &[ValueRef<'_>]) -> Result<raw::FnOut, String> {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(&putsnl_line(&args[0]));
    let _ = out.flush();
    Ok(raw::FnOut::Arg(0))
}

/// sqlite3's `unused_string`: `a` or `b` if not in `text`, else the first `(a<N>)` not in it.
fn unused_string(text: &[u8], a: &str, b: &str) -> String {
    let contains = |s: &str| text.windows(s.len()).any(|w| w == s.as_bytes());
    if !contains(a) {
        return a.to_string();
    }
    if !contains(b) {
        return b.to_string();
    }
    (0u32..)
        .map(|i| format!("({a}{i})"))
        .find(|s| !contains(s))
        .unwrap_or_default()
}

fn escape_crnl(ctx: &Context<'_>) -> rusqlite::Result<Value> {
    let arg = ctx.get_raw(0);
    let Some(text) = value::c_text(&arg).filter(|t| t.first() == Some(&b'\'')) else {
        return Ok(same_value(&arg));
    };
    let nl = text
        .contains(&b'\n')
        .then(|| unused_string(&text, "\\n", "\\012"));
    let cr = text
        .contains(&b'\r')
        .then(|| unused_string(&text, "\\r", "\\015"));
    if nl.is_none() && cr.is_none() {
        return Ok(same_value(&arg));
    }
    let mut out: Vec<u8> = Vec::with_capacity(text.len() + 64);
    out.extend_from_slice(if nl.is_some() && cr.is_some() {
        b"replace(replace("
    } else {
        b"replace("
    });
    for &c in text.iter() {
        match (c, &nl, &cr) {
            (b'\n', Some(nl), _) => out.extend_from_slice(nl.as_bytes()),
            (b'\r', _, Some(cr)) => out.extend_from_slice(cr.as_bytes()),
            _ => out.push(c),
        }
    }
    if let Some(nl) = &nl {
        out.extend_from_slice(format!(",'{nl}', char(10))").as_bytes());
    }
    if let Some(cr) = &cr {
        out.extend_from_slice(format!(",'{cr}', char(13))").as_bytes());
    }
    Ok(Value::Text(text_result(out)))
}

fn int32(ctx: &Context<'_>) -> Option<i64> {
    let blob = value::blob(&ctx.get_raw(0)).unwrap_or_default();
    let i = usize::try_from(value::int(&ctx.get_raw(1))).ok()?;
    let bytes = blob.get(i.checked_mul(4)?..i.checked_add(1)?.checked_mul(4)?)?;
    Some(i64::from(u32::from_be_bytes(bytes.try_into().ok()?)))
}

fn usleep(ctx: &Context<'_>) -> i32 {
    let n = value::int(&ctx.get_raw(0));
    if n >= 1000 {
        std::thread::sleep(std::time::Duration::from_millis((n / 1000) as u64));
    }
    n
}

/// The directory where SQLite's unix VFS puts its temporary files.
fn temp_dir() -> std::path::PathBuf {
    let candidates = [
        std::env::var_os("SQLITE_TMPDIR"),
        std::env::var_os("TMPDIR"),
        Some("/var/tmp".into()),
        Some("/usr/tmp".into()),
        Some("/tmp".into()),
    ];
    candidates
        .into_iter()
        .flatten()
        .map(std::path::PathBuf::from)
        .find(|d| d.is_dir())
        .unwrap_or_else(|| ".".into())
}

fn edit(ctx: &Context<'_>) -> rusqlite::Result<Value> {
    let editor: Option<Vec<u8>> = if ctx.len() == 2 {
        value::c_text(&ctx.get_raw(1)).map(|e| e.into_owned())
    } else {
        std::env::var_os("VISUAL").map(std::os::unix::ffi::OsStringExt::into_vec)
    };
    let Some(editor) = editor else {
        return Err(sql_error("no editor for edit()"));
    };
    let input = ctx.get_raw(0);
    if let ValueRef::Null = input {
        return Err(sql_error("NULL input to edit()"));
    }
    let binary = matches!(input, ValueRef::Blob(_));
    let data = value::blob(&input).unwrap_or_default();
    let had_crlf = !binary && data.windows(2).any(|w| w == b"\r\n");
    // New (O_EXCL), 0600, a random name; removed when `temp` is dropped.
    let mut temp = tempfile::Builder::new()
        .prefix("etilqs_")
        .tempfile_in(temp_dir())
        .map_err(|_| sql_error("edit() cannot open temp file"))?;
    temp.as_file_mut()
        .write_all(&data)
        .map_err(|_| sql_error("edit() cannot open temp file"))?;
    let file = temp.path().to_path_buf();
    let result = (|| {
        let mut cmd = editor.clone();
        cmd.extend_from_slice(b" \"");
        cmd.extend_from_slice(file.as_os_str().as_encoded_bytes());
        cmd.push(b'"');
        let status = crate::output::sh_command(
            <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(&cmd),
        )
        .status();
        if !status.is_ok_and(|s| s.success()) {
            return Err(sql_error("EDITOR returned non-zero"));
        }
        let edited = std::fs::read(&file)
            .map_err(|_| sql_error("edit() cannot reopen temp file after edit"))?;
        if binary {
            return Ok(Value::Blob(edited));
        }
        let mut text = Vec::with_capacity(edited.len());
        let mut i = 0;
        while i < edited.len() {
            if !had_crlf && edited[i] == b'\r' && edited.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            text.push(edited[i]);
            i += 1;
        }
        Ok(Value::Text(text_result(text)))
    })();
    // The editor may have replaced the file: remove whatever is at the name now.
    let _ = std::fs::remove_file(&file);
    drop(temp);
    result
}

/// Registers the shell's own functions.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let utf8 = FunctionFlags::SQLITE_UTF8;
    conn.create_scalar_function("shell_add_schema", 3, utf8, |ctx| add_schema(ctx))?;
    conn.create_scalar_function("shell_module_schema", 1, utf8, |ctx| module_schema(ctx))?;
    raw::create_function(conn, c"shell_putsnl", 1, utf8, putsnl)?;
    conn.create_scalar_function("shell_escape_crnl", 1, utf8, |ctx| escape_crnl(ctx))?;
    conn.create_scalar_function("shell_int32", 2, utf8, |ctx| Ok(int32(ctx)))?;
    conn.create_scalar_function("shell_idquote", 1, utf8, |ctx| {
        Ok(value::c_text(&ctx.get_raw(0)).map(|n| text_result(double_quoted(&n))))
    })?;
    conn.create_scalar_function("usleep", 1, utf8, |ctx| Ok(usleep(ctx)))?;
    conn.create_scalar_function("edit", 1, utf8, |ctx| edit(ctx))?;
    conn.create_scalar_function("edit", 2, utf8, |ctx| edit(ctx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unused_strings() {
        assert_eq!(unused_string(b"'a\nb'", "\\n", "\\012"), "\\n");
        assert_eq!(unused_string(b"'\\n\nb'", "\\n", "\\012"), "\\012");
        assert_eq!(unused_string(b"'\\n\\012\n'", "\\n", "\\012"), "(\\n0)");
    }

    #[test]
    fn quoting_rules() {
        assert!(!needs_quotes(b"abc_1"));
        assert!(needs_quotes(b"1abc"));
        assert!(needs_quotes(b"a b"));
        assert!(needs_quotes(b"select"));
        assert!(needs_quotes(b""));
    }
}
