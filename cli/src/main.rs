//! The `migrate` binary.

mod apply;
mod args;
mod check;
mod emit;
mod exit;
mod serve;
mod stdout;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

// swc allocates a node per token and frees whole trees per file; mimalloc does that work
// markedly faster than glibc's allocator across threads (swc's own binaries use it too).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use exit::ExitStatus;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help and version to stdout and usage errors to stderr.
            let _ = error.print();
            return if error.use_stderr() {
                ExitStatus::Error
            } else {
                ExitStatus::Success
            }
            .into();
        }
    };
    let status = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Apply(args) => apply::run(&args),
        Command::Serve(args) => serve::run(&args),
    };
    match status {
        Ok(status) => status.into(),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitStatus::Error.into()
        }
    }
}
