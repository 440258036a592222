//! The `scalesim` command. Thin: parse the command line, call the library, pick the exit
//! code (0 success, 1 bad input, 2 internal error). A closed pipe is not an error.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
