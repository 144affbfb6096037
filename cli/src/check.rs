//! `migrate check`: run the analysis, print the report, decide the exit status.

use std::io::{IsTerminal, Write};

use anyhow::Context;
use migrate_rewrite::check::{self, Report};
use migrate_rewrite::diagnostic::Severity;
use migrate_rewrite::project;

use crate::args::{CheckArgs, Color, FailOn, Format};
use crate::emit;
use crate::exit::ExitStatus;

pub fn run(args: &CheckArgs) -> anyhow::Result<ExitStatus> {
    // One set of threads for the whole run (see the function's docs).
    migrate_rewrite::check::run_on_workers(|| run_here(args))
}

fn run_here(args: &CheckArgs) -> anyhow::Result<ExitStatus> {
    let projects = project::discover(&args.dir)
        .with_context(|| format!("cannot check {}", args.dir.display()))?;
    let options = check::Options {
        code_frames: args.format == Format::Human,
    };
    let report = check::check_projects_with(&projects, options);
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let options = emit::Options {
        color,
        verbose: args.verbose,
    };
    let mut stdout = crate::stdout::buffered();
    let written =
        emit::emit(args.format, &report, &options, &mut stdout).and_then(|()| stdout.flush());
    // `migrate check | head` is not an error.
    crate::stdout::unless_reader_gone(written.context("cannot write the report"))?;
    let status = if report.io_failures > 0 {
        eprintln!(
            "error: {} path(s) could not be read; the check is incomplete",
            report.io_failures
        );
        ExitStatus::Error
    } else {
        status(&report, args.fail_on)
    };
    // The process ends here: freeing tens of thousands of routes and files one by one only
    // costs time.
    std::mem::forget(report);
    std::mem::forget(projects);
    Ok(status)
}

fn status(report: &Report, fail_on: FailOn) -> ExitStatus {
    let threshold = match fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
        FailOn::Never => return ExitStatus::Success,
    };
    if report.severities().any(|s| s >= threshold) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}
