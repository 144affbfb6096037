//! `--format github`: GitHub Actions workflow commands, one annotation per finding. Info
//! findings are left out unless `--verbose`: a pull request shows only a few annotations.
//! Messages escape `%`, CR and LF; properties also escape `:` and `,` (the runner's rules).

use std::io::Write;

use migrate_rewrite::check::{LocatedDiagnostic, Report};
use migrate_rewrite::diagnostic::Severity;

use super::Options;

pub fn emit(report: &Report, options: &Options, out: &mut dyn Write) -> std::io::Result<()> {
    let shown = |d: &&LocatedDiagnostic| options.verbose || d.severity > Severity::Info;
    for route in &report.routes {
        for d in route.diagnostics.iter().filter(shown) {
            annotation(out, &route.file, d)?;
        }
    }
    for problem in report.problems.iter().filter(|p| shown(&&p.diagnostic)) {
        annotation(out, &problem.file, &problem.diagnostic)?;
    }
    for collision in &report.collisions {
        let others = collision.files.join(", ");
        for file in &collision.files {
            let title = format!("{} {}", collision.code, collision.kind);
            let message = format!("{} (files: {others})", collision.message);
            writeln!(
                out,
                "::{} file={},title={}::{}",
                level(collision.severity),
                property(file),
                property(&title),
                data(&message)
            )?;
        }
    }
    Ok(())
}

fn annotation(out: &mut dyn Write, file: &str, d: &LocatedDiagnostic) -> std::io::Result<()> {
    let title = format!("{} {}", d.code, d.name);
    let mut message = d.message.to_string();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let end = if d.at.end_line == d.at.line {
        format!(",endColumn={}", d.at.end_column)
    } else {
        format!(",endLine={}", d.at.end_line)
    };
    writeln!(
        out,
        "::{} file={},line={},col={}{end},title={}::{}",
        level(d.severity),
        property(file),
        d.at.line,
        d.at.column,
        property(&title),
        data(&message)
    )
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Escapes a command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property's value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_runner() {
        assert_eq!(data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
