//! Human output: each finding as a code frame with `file:line:col`, the collisions, a table of
//! routes and a summary. Colour only when asked for (a terminal, or `--color always`).

use std::collections::BTreeMap;
use std::io::Write;

use migrate_rewrite::analysis::dispatch::DispatchStyle;
use migrate_rewrite::analysis::Verdict;
use migrate_rewrite::check::{LocatedDiagnostic, Report};
use migrate_rewrite::diagnostic::Severity;
use migrate_rewrite::route::Router;

use super::Options;

struct Paint(bool);

impl Paint {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn severity(&self, severity: Severity) -> String {
        match severity {
            Severity::Error => self.paint("1;31", "error"),
            Severity::Warning => self.paint("1;33", "warning"),
            Severity::Info => self.paint("1;36", "info"),
        }
    }
    fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }
    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
}

pub fn emit(report: &Report, options: &Options, out: &mut dyn Write) -> std::io::Result<()> {
    let paint = Paint(options.color);
    let shown = |d: &LocatedDiagnostic| options.verbose || d.severity > Severity::Info;
    let mut hidden = 0;

    for route in &report.routes {
        for d in &route.diagnostics {
            if shown(d) {
                frame(out, &paint, &route.file, d)?;
            } else {
                hidden += 1;
            }
        }
    }
    for problem in &report.problems {
        if shown(&problem.diagnostic) {
            frame(out, &paint, &problem.file, &problem.diagnostic)?;
        } else {
            hidden += 1;
        }
    }
    for collision in &report.collisions {
        let mut lines = collision.message.lines();
        writeln!(
            out,
            "{}{} {}",
            paint.severity(collision.severity),
            paint.bold(&format!("[{}] {}:", collision.code, collision.kind)),
            lines.next().unwrap_or_default()
        )?;
        for line in lines {
            writeln!(out, "  {line}")?;
        }
        for file in &collision.files {
            writeln!(out, "  {} {file}", paint.dim("-->"))?;
        }
        if let Some(help) = collision.code.default_help() {
            writeln!(out, "  {} {help}", paint.dim("= help:"))?;
        }
        writeln!(out)?;
    }

    routes_table(out, &paint, report)?;
    summary(out, &paint, report, hidden)
}

fn frame(
    out: &mut dyn Write,
    paint: &Paint,
    file: &str,
    d: &LocatedDiagnostic,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{}{} {}",
        paint.severity(d.severity),
        paint.bold(&format!("[{}] {}:", d.code, d.name)),
        d.message
    )?;
    writeln!(
        out,
        "  {} {file}:{}:{}",
        paint.dim("-->"),
        d.at.line,
        d.at.column
    )?;
    if !d.source_line.is_empty() {
        let number = d.at.line.to_string();
        let pad = " ".repeat(number.len());
        let line = d.source_line.replace('\t', " ");
        let start = d.at.column as usize - 1;
        let width = if d.at.end_line == d.at.line {
            (d.at.end_column as usize).saturating_sub(d.at.column as usize)
        } else {
            line.chars().count().saturating_sub(start)
        };
        writeln!(out, "  {pad} {}", paint.dim("|"))?;
        writeln!(out, "  {} {} {line}", paint.dim(&number), paint.dim("|"))?;
        writeln!(
            out,
            "  {pad} {} {}{}",
            paint.dim("|"),
            " ".repeat(start),
            paint.paint("1;35", &"^".repeat(width.max(1)))
        )?;
    }
    if let Some(help) = &d.help {
        writeln!(out, "  {} {help}", paint.dim("= help:"))?;
    }
    writeln!(out)
}

fn routes_table(out: &mut dyn Write, paint: &Paint, report: &Report) -> std::io::Result<()> {
    if report.routes.is_empty() {
        return Ok(());
    }
    writeln!(out, "{}", paint.bold("Routes"))?;
    let rows: Vec<[String; 5]> = report
        .routes
        .iter()
        .map(|r| {
            let verdict = r.verdict.map_or("—", Verdict::as_str).to_owned();
            [
                r.router.as_str().to_owned(),
                r.pattern.clone(),
                if r.dispatch == DispatchStyle::Module {
                    "(module)".to_owned()
                } else {
                    r.methods.join(",")
                },
                verdict,
                r.file.clone(),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..4)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for row in &rows {
        let mut line = String::from("  ");
        for (c, cell) in row.iter().enumerate().take(4) {
            line.push_str(cell);
            line.push_str(&" ".repeat(widths[c] - cell.chars().count() + 2));
        }
        line.push_str(&paint.dim(&row[4]));
        writeln!(out, "{}", line.trim_end())?;
    }
    writeln!(out)
}

fn n<K: Ord>(map: &BTreeMap<K, usize>, key: &K) -> usize {
    map.get(key).copied().unwrap_or(0)
}

fn summary(
    out: &mut dyn Write,
    paint: &Paint,
    report: &Report,
    hidden: usize,
) -> std::io::Result<()> {
    let count = |router| report.routes.iter().filter(|r| r.router == router).count();
    let mut verdicts: BTreeMap<Verdict, usize> = BTreeMap::new();
    for verdict in report.routes.iter().filter_map(|r| r.verdict) {
        *verdicts.entry(verdict).or_default() += 1;
    }
    let mut severities: BTreeMap<Severity, usize> = BTreeMap::new();
    for severity in report.severities() {
        *severities.entry(severity).or_default() += 1;
    }
    writeln!(
        out,
        "{} {} API routes ({} pages, {} app) · to migrate: {} auto, {} adapter, {} manual · {} collisions · {} errors, {} warnings, {} infos",
        paint.bold("Summary:"),
        report.routes.len(),
        count(Router::Pages),
        count(Router::App),
        n(&verdicts, &Verdict::Auto),
        n(&verdicts, &Verdict::Adapter),
        n(&verdicts, &Verdict::Manual),
        report.collisions.len(),
        n(&severities, &Severity::Error),
        n(&severities, &Severity::Warning),
        n(&severities, &Severity::Info),
    )?;
    if hidden > 0 {
        writeln!(
            out,
            "{}",
            paint.dim(&format!(
                "{hidden} info findings not shown; --verbose shows them"
            ))
        )?;
    }
    Ok(())
}
