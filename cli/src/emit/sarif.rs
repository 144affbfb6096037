//! `--format sarif`: SARIF 2.1.0 from plain serde structs, one rule per diagnostic code.

use std::collections::BTreeMap;
use std::io::Write;

use migrate_rewrite::check::{LocatedDiagnostic, Report};
use migrate_rewrite::diagnostic::{Code, Severity};
use serde::Serialize;

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Text>,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

pub fn emit(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    // Only the rules that occur, in code order; results point at them by index.
    let mut used: BTreeMap<Code, usize> = BTreeMap::new();
    let codes = report
        .routes
        .iter()
        .flat_map(|r| r.diagnostics.iter().map(|d| d.code))
        .chain(report.problems.iter().map(|p| p.diagnostic.code))
        .chain(report.collisions.iter().map(|c| c.code));
    for code in codes {
        used.insert(code, 0);
    }
    for (index, slot) in used.values_mut().enumerate() {
        *slot = index;
    }
    let rules = used.keys().map(|&code| rule(code)).collect();

    let mut results = Vec::new();
    let mut push = |file: &str, d: &LocatedDiagnostic| {
        let mut text = d.message.to_string();
        if let Some(help) = &d.help {
            text.push_str("\nhelp: ");
            text.push_str(help);
        }
        results.push(SarifResult {
            rule_id: d.code.as_str(),
            rule_index: used[&d.code],
            level: level(d.severity),
            message: Text { text },
            locations: vec![location(file, Some(d))],
        });
    };
    for route in &report.routes {
        route.diagnostics.iter().for_each(|d| push(&route.file, d));
    }
    for problem in &report.problems {
        push(&problem.file, &problem.diagnostic);
    }
    for collision in &report.collisions {
        results.push(SarifResult {
            rule_id: collision.code.as_str(),
            rule_index: used[&collision.code],
            level: level(collision.severity),
            message: Text {
                text: format!("{} ({})", collision.message, collision.files.join(", ")),
            },
            locations: collision.files.iter().map(|f| location(f, None)).collect(),
        });
    }

    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "migrate",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: "https://github.com/migrate-nextjs/migrate",
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn rule(code: Code) -> Rule {
    let docs = code
        .docs()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Rule {
        id: code.as_str(),
        name: code.name(),
        short_description: Text {
            text: docs
                .split(". ")
                .next()
                .unwrap_or(&docs)
                .trim_end_matches('.')
                .to_owned(),
        },
        full_description: Text { text: docs },
        help: code.default_help().map(|h| Text { text: h.to_owned() }),
        default_configuration: Configuration {
            level: level(code.default_severity()),
        },
    }
}

fn location(file: &str, d: Option<&LocatedDiagnostic>) -> Location {
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: file.to_owned(),
            },
            region: d.map(|d| Region {
                start_line: d.at.line,
                start_column: d.at.column,
                end_line: d.at.end_line,
                end_column: d.at.end_column,
            }),
        },
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}
