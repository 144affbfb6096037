//! `--format json`: the report as documented in `docs/json-schema.md`.

use std::io::Write;

use migrate_rewrite::check::Report;

pub fn emit(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}
