//! `.auth ON|OFF`: an authorizer that prints every authorization request SQLite makes while
//! it prepares statements, as sqlite3 3.40.1's `shellAuth()` does.
//!
//! Each request is one line on the shell's output: `authorizer: ACTION` and the four
//! arguments of the request, each a C string (`"main"`) or `NULL`. The lines go through the
//! same pending buffer as `.progress` lines, so they land in order with the rows.
//!
//! Safe mode: sqlite3 has one authorizer slot, and under `-safe` its `open_db()` puts the
//! safe-mode authorizer back before every line of SQL and every dot-command that uses the
//! database, so `.auth ON` never shows a line there and the safe-mode rules stay in force.
//! litesh keeps the safe-mode authorizer in place under `-safe` for the same result.
//! `.open` starts a connection without `.auth`, as in sqlite3.

use super::boolean_value;
use crate::exec::raw::{self, AuthRequest};
use crate::shell::{DotResult, Failure, Flow, Shell};

/// The action names of sqlite3's `shellAuth()`, by action code (`SQLITE_CREATE_INDEX` is 1).
const ACTIONS: [&str; 34] = [
    "",
    "CREATE_INDEX",
    "CREATE_TABLE",
    "CREATE_TEMP_INDEX",
    "CREATE_TEMP_TABLE",
    "CREATE_TEMP_TRIGGER",
    "CREATE_TEMP_VIEW",
    "CREATE_TRIGGER",
    "CREATE_VIEW",
    "DELETE",
    "DROP_INDEX",
    "DROP_TABLE",
    "DROP_TEMP_INDEX",
    "DROP_TEMP_TABLE",
    "DROP_TEMP_TRIGGER",
    "DROP_TEMP_VIEW",
    "DROP_TRIGGER",
    "DROP_VIEW",
    "INSERT",
    "PRAGMA",
    "READ",
    "SELECT",
    "TRANSACTION",
    "UPDATE",
    "ATTACH",
    "DETACH",
    "ALTER_TABLE",
    "REINDEX",
    "ANALYZE",
    "CREATE_VTABLE",
    "DROP_VTABLE",
    "FUNCTION",
    "SAVEPOINT",
    "RECURSIVE",
];

/// The line sqlite3 prints for one request.
pub fn request_line(req: &AuthRequest<'_>) -> Vec<u8> {
    let mut line = b"authorizer: ".to_vec();
    match usize::try_from(req.action)
        .ok()
        .and_then(|i| ACTIONS.get(i))
    {
        Some(name) if !name.is_empty() => line.extend_from_slice(name.as_bytes()),
        _ => line.extend_from_slice(req.action.to_string().as_bytes()),
    }
    for arg in req.args {
        line.push(b' ');
        match arg {
            Some(z) => crate::render::push_c_string(&mut line, z),
            None => line.extend_from_slice(b"NULL"),
        }
    }
    line.push(b'\n');
    line
}

/// `.auth ON|OFF`
pub fn auth(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    if args.len() != 2 {
        return Err(Failure::msg("Usage: .auth ON|OFF"));
    }
    shell.ensure_open()?;
    let on = boolean_value(&args[1]);
    shell.settings.auth = on && !shell.safe_persist;
    let conn = shell.db.conn.as_ref().expect("opened above");
    if on && !shell.safe_persist {
        let out = shell.settings.progress.clone();
        raw::set_authorizer(
            conn,
            Some(Box::new(move |req: &AuthRequest<'_>| {
                out.push_output(&request_line(req));
                true
            })),
        );
    } else {
        // Under `-safe` this is the safe-mode authorizer again, whatever was asked.
        raw::set_authorizer(conn, None);
        shell.install_safe_authorizer();
    }
    Ok(Flow::Continue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_follow_shell_auth() {
        let req = AuthRequest {
            action: 20,
            args: [Some(b"t"), Some(b"a\"b\n\x01"), Some(b"main"), None],
        };
        assert_eq!(
            request_line(&req),
            b"authorizer: READ \"t\" \"a\\\"b\\n\\001\" \"main\" NULL\n"
        );
    }
}
