//! `migrate check`: run the analysis, print the report, decide the exit status.

use std::io::{IsTerminal, Write};

use anyhow::Context;
use migrate_rewrite::check::{self, Report};
use migrate_rewrite::diagnostic::Severity;

use crate::args::{CheckArgs, Color, FailOn};
use crate::emit;
use crate::exit::ExitStatus;

pub fn run(args: &CheckArgs) -> anyhow::Result<ExitStatus> {
    let report =
        check::check(&args.dir).with_context(|| format!("cannot check {}", args.dir.display()))?;
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let options = emit::Options {
        color,
        verbose: args.verbose,
    };
    // Stdout is line-buffered: a large JSON report would otherwise be one write per line.
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written =
        emit::emit(args.format, &report, &options, &mut stdout).and_then(|()| stdout.flush());
    match written {
        // `migrate check | head` is not an error.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write the report")?,
    }
    let status = if report.io_failures > 0 {
        eprintln!(
            "error: {} path(s) could not be read; the check is incomplete",
            report.io_failures
        );
        ExitStatus::Error
    } else {
        status(&report, args.fail_on)
    };
    // The process ends here: freeing tens of thousands of routes one by one only costs time.
    std::mem::forget(report);
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
