//! `--format json`: the report as documented in `docs/json-schema.md`, pretty-printed.
//!
//! The routes, which are most of the output (every `req`/`res` use), are serialized in
//! parallel, each into its own buffer, and stitched together with the indentation
//! `serde_json::to_writer_pretty` would give them: the bytes are the same, the wall time on a
//! large project is not.

use std::io::Write;

use migrate_rewrite::check::Report;
use rayon::prelude::*;
use serde::Serialize;

pub fn emit(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let routes: Vec<Vec<u8>> = report
        .routes
        .par_iter()
        .map(|route| pretty(route, "    "))
        .collect::<Result<_, _>>()?;
    let mut text = Vec::with_capacity(routes.iter().map(Vec::len).sum::<usize>() + 4096);
    text.extend_from_slice(b"{\n");
    field(&mut text, "schema_version", &report.schema_version)?;
    field(&mut text, "projects", &report.projects)?;
    text.extend_from_slice(b"  \"routes\": ");
    if routes.is_empty() {
        text.extend_from_slice(b"[]");
    } else {
        text.extend_from_slice(b"[\n");
        for (i, route) in routes.iter().enumerate() {
            if i > 0 {
                text.extend_from_slice(b",\n");
            }
            text.extend_from_slice(b"    ");
            text.extend_from_slice(route);
        }
        text.extend_from_slice(b"\n  ]");
    }
    text.extend_from_slice(b",\n");
    field(&mut text, "collisions", &report.collisions)?;
    field(&mut text, "problems", &report.problems)?;
    text.extend_from_slice(b"  \"io_failures\": ");
    serde_json::to_writer(&mut text, &report.io_failures)?;
    text.extend_from_slice(b"\n}\n");
    out.write_all(&text)
}

/// `  "name": value,` and a newline, the value indented as a field of the top-level object.
fn field<T: Serialize>(text: &mut Vec<u8>, name: &str, value: &T) -> std::io::Result<()> {
    text.extend_from_slice(b"  ");
    serde_json::to_writer(&mut *text, name)?;
    text.extend_from_slice(b": ");
    text.extend_from_slice(&pretty(value, "  ")?);
    text.extend_from_slice(b",\n");
    Ok(())
}

/// `value` pretty-printed, every line after the first indented by `indent`. JSON strings
/// escape their newlines, so every raw newline is between tokens.
fn pretty<T: Serialize>(value: &T, indent: &str) -> std::io::Result<Vec<u8>> {
    let plain = serde_json::to_vec_pretty(value)?;
    let mut out = Vec::with_capacity(plain.len() + plain.len() / 8);
    let mut rest = plain.as_slice();
    while let Some(newline) = memchr::memchr(b'\n', rest) {
        out.extend_from_slice(&rest[..=newline]);
        out.extend_from_slice(indent.as_bytes());
        rest = &rest[newline + 1..];
    }
    out.extend_from_slice(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    /// The stitched output is exactly what `serde_json` pretty-prints for the whole report.
    #[test]
    fn same_bytes_as_serde_json_pretty() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
        for fixture in ["example", "collisions/app-pages-conflict", "route-modules"] {
            let report = migrate_rewrite::check::check(&root.join(fixture)).unwrap();
            let mut ours = Vec::new();
            super::emit(&report, &mut ours).unwrap();
            let mut theirs = serde_json::to_vec_pretty(&report).unwrap();
            theirs.push(b'\n');
            assert!(ours == theirs, "{fixture}: the JSON differs");
        }
    }
}
