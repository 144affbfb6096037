//! The `migrate` binary.

mod args;
mod check;
mod emit;
mod exit;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
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
    };
    match status {
        Ok(status) => status.into(),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitStatus::Error.into()
        }
    }
}
