//! `.testcase NAME` and `.check GLOB`, the test-script commands of sqlite3 3.40.1 (present
//! in its ordinary builds, like litesh's).
//!
//! `.testcase` ends any output redirection and sends the output to `testcase-out.txt` in
//! the current directory (`.show` still says `stdout`, as in 3.40.1), remembering NAME (at
//! most 29 bytes; `?` when missing). `.check` ends the redirection, reads the file and
//! matches its text against GLOB with the shell's test GLOB (see
//! [`super::pattern::testcase_glob`]): `testcase-NAME ok` on stdout, or a `FAILED` report
//! with both texts on stderr.
//!
//! As in 3.40.1, a `.check` usage error and an unreadable (or empty) file stop the current
//! input, as `.quit` does, rather than count as errors. Unlike 3.40.1, safe mode refuses
//! `.testcase`, which creates a file (docs/compat.md).

use std::io::Write;

use crate::render::cut_nul;
use crate::shell::{DotResult, Failure, Flow, Shell};

/// The file `.testcase` writes and `.check` reads.
const OUT_FILE: &str = "testcase-out.txt";

/// sqlite3 keeps the name in a 30-byte buffer.
const NAME_MAX: usize = 29;

/// `.testcase ?NAME?`
pub fn testcase(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    // 3.40.1 writes testcase-out.txt in safe mode too; litesh does not (docs/compat.md).
    if let Some(f) = shell.fail_if_safe("cannot run .testcase in safe mode") {
        return Ok(f);
    }
    // A pending `.once` still ends after this command, taking the new redirection with it
    // (3.40.1 counts the commands, not the redirections).
    let once = shell.out.once;
    shell.out.reset()?;
    let opened = shell
        .out
        .to_file(std::path::Path::new(OUT_FILE), false, b"");
    shell.out.once = once;
    if opened.is_err() {
        // Both the file opener's message and the command's, as in 3.40.1.
        let _ = std::io::stderr().write_all(
            b"Error: cannot open \"testcase-out.txt\"\nError: cannot open 'testcase-out.txt'\n",
        );
    }
    let name: &[u8] = args.get(1).map_or(b"?", |a| cut_nul(a));
    shell.testcase_name = name[..name.len().min(NAME_MAX)].to_vec();
    Ok(Flow::Continue)
}

/// `.check GLOB-PATTERN`
pub fn check(shell: &mut Shell, args: &[Vec<u8>]) -> DotResult {
    shell.out.reset()?;
    if args.len() != 2 {
        let _ = std::io::stderr().write_all(b"Usage: .check GLOB-PATTERN\n");
        return Ok(Flow::Stop);
    }
    let text = match std::fs::read(OUT_FILE) {
        Ok(t) if !t.is_empty() => t,
        _ => {
            let _ = std::io::stderr().write_all(b"Error: cannot read 'testcase-out.txt'\n");
            return Ok(Flow::Stop);
        }
    };
    let text = cut_nul(&text);
    let pattern = cut_nul(&args[1]);
    let name = shell.testcase_name.clone();
    if super::pattern::testcase_glob(pattern, text) {
        let mut m = b"testcase-".to_vec();
        m.extend_from_slice(&name);
        m.extend_from_slice(b" ok\n");
        shell.out.write_all(&m)?;
        return Ok(Flow::Continue);
    }
    let mut m = b"testcase-".to_vec();
    m.extend_from_slice(&name);
    m.extend_from_slice(b" FAILED\n Expected: [");
    m.extend_from_slice(pattern);
    m.extend_from_slice(b"]\n      Got: [");
    m.extend_from_slice(text);
    m.push(b']');
    Err(Failure::Msg(m))
}
