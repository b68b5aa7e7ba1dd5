//! The `litesh` binary: parse the command line, run the shell, exit with its code.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let code = litesh::run::main(args);
    ExitCode::from(code)
}
