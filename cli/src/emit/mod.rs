//! One module per output format, each a function from the report to text.

mod github;
mod human;
mod json;
mod sarif;

use std::io::Write;

use migrate_rewrite::check::Report;

use crate::args::Format;

/// Settings that only some formats use.
pub struct Options {
    pub color: bool,
    pub verbose: bool,
}

pub fn emit(
    format: Format,
    report: &Report,
    options: &Options,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Human => human::emit(report, options, out),
        Format::Json => json::emit(report, json::Layout::Compact, out),
        Format::JsonPretty => json::emit(report, json::Layout::Pretty, out),
        Format::Sarif => sarif::emit(report, out),
        Format::Github => github::emit(report, options, out),
    }
}
