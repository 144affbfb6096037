//! `--format json`: the report as documented in `docs/json-schema.md`, pretty-printed.
//!
//! The routes, which are most of the output (every `req`/`res` use), are serialized in
//! parallel, a batch at a time, each route already indented as a member of the `routes` array,
//! and written out as each batch is ready: the bytes are those `serde_json::to_writer_pretty`
//! gives for the whole report, but the wall time on a large project is not, and the output is
//! never held in memory twice.

use std::io::Write;

use migrate_rewrite::check::Report;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::ser::Formatter;

/// Routes serialized before a batch is written out: enough to keep every thread busy, few
/// enough that the buffers stay small.
const BATCH: usize = 4096;
/// Routes one thread serializes into one buffer.
const CHUNK: usize = 64;

pub fn emit(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all(b"{\n")?;
    field(out, "schema_version", &report.schema_version)?;
    field(out, "projects", &report.projects)?;
    out.write_all(b"  \"routes\": [")?;
    for (i, batch) in report.routes.chunks(BATCH).enumerate() {
        let chunks: Vec<Vec<u8>> = batch
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut text = Vec::with_capacity(chunk.len() * 2048);
                for route in chunk {
                    text.extend_from_slice(b",\n    ");
                    write_pretty(&mut text, route, 2)?;
                }
                Ok(text)
            })
            .collect::<std::io::Result<_>>()?;
        for (j, chunk) in chunks.iter().enumerate() {
            // The first route of the report has no comma before it.
            let skip = usize::from(i == 0 && j == 0);
            out.write_all(&chunk[skip..])?;
        }
    }
    out.write_all(if report.routes.is_empty() {
        b"]"
    } else {
        b"\n  ]"
    })?;
    out.write_all(b",\n")?;
    field(out, "collisions", &report.collisions)?;
    field(out, "problems", &report.problems)?;
    out.write_all(b"  \"io_failures\": ")?;
    serde_json::to_writer(&mut *out, &report.io_failures)?;
    out.write_all(b"\n}\n")
}

/// `  "name": value,` and a newline, the value indented as a field of the top-level object.
fn field<T: Serialize>(out: &mut dyn Write, name: &str, value: &T) -> std::io::Result<()> {
    out.write_all(b"  ")?;
    serde_json::to_writer(&mut *out, name)?;
    out.write_all(b": ")?;
    write_pretty(out, value, 1)?;
    out.write_all(b",\n")
}

/// `value` pretty-printed as a value nested `depth` levels deep (its inner lines indented
/// accordingly; its first line not: the caller wrote what precedes it).
fn write_pretty<W: Write + ?Sized, T: Serialize>(
    out: &mut W,
    value: &T,
    depth: usize,
) -> std::io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(
        out,
        Nested {
            depth,
            has_value: false,
        },
    );
    value
        .serialize(&mut serializer)
        .map_err(std::io::Error::from)
}

/// `serde_json`'s `PrettyFormatter` (two spaces per level), starting at a given depth.
struct Nested {
    depth: usize,
    has_value: bool,
}

impl Nested {
    /// A line break and the indentation of the current depth, after a comma when `comma`: in
    /// one write (every depth a report reaches fits the buffer).
    fn line<W: Write + ?Sized>(&self, out: &mut W, comma: bool) -> std::io::Result<()> {
        let from = usize::from(!comma);
        let width = self.depth * 2;
        if let Some(line) = COMMA_LINE_BREAK_AND_SPACES.get(from..2 + width) {
            out.write_all(line)
        } else {
            out.write_all(&COMMA_LINE_BREAK_AND_SPACES[from..2])?;
            (0..width).try_for_each(|_| out.write_all(b" "))
        }
    }

    fn open<W: Write + ?Sized>(&mut self, out: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: Write + ?Sized>(&mut self, out: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.line(out, false)?;
        }
        out.write_all(bracket)
    }

    fn member<W: Write + ?Sized>(&self, out: &mut W, first: bool) -> std::io::Result<()> {
        self.line(out, !first)
    }
}

/// `,\n` and 64 spaces: what precedes a member, up to the indentation of 32 levels.
const COMMA_LINE_BREAK_AND_SPACES: &[u8; 66] =
    b",\n                                                                ";

impl Formatter for Nested {
    fn begin_array<W: Write + ?Sized>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.open(out, b"[")
    }
    fn end_array<W: Write + ?Sized>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.close(out, b"]")
    }
    fn begin_array_value<W: Write + ?Sized>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.member(out, first)
    }
    fn end_array_value<W: Write + ?Sized>(&mut self, _out: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: Write + ?Sized>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.open(out, b"{")
    }
    fn end_object<W: Write + ?Sized>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.close(out, b"}")
    }
    fn begin_object_key<W: Write + ?Sized>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.member(out, first)
    }
    fn begin_object_value<W: Write + ?Sized>(&mut self, out: &mut W) -> std::io::Result<()> {
        out.write_all(b": ")
    }
    fn end_object_value<W: Write + ?Sized>(&mut self, _out: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    /// The streamed output is exactly what `serde_json` pretty-prints for the whole report.
    #[test]
    fn same_bytes_as_serde_json_pretty() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
        for fixture in [
            "example",
            "collisions/app-pages-conflict",
            "route-modules",
            "serve-faults",
        ] {
            let report = migrate_rewrite::check::check(&root.join(fixture)).unwrap();
            let mut ours = Vec::new();
            super::emit(&report, &mut ours).unwrap();
            let mut theirs = serde_json::to_vec_pretty(&report).unwrap();
            theirs.push(b'\n');
            assert!(
                ours == theirs,
                "{fixture}: the JSON differs:\n{}",
                String::from_utf8_lossy(&ours)
            );
        }
    }

    /// A report with no routes and one with more routes than a batch.
    #[test]
    fn empty_and_multi_batch_reports_match_too() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("package.json"),
            r#"{"dependencies":{"next":"16.0.0"}}"#,
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("pages/api")).unwrap();
        for routes in [0, super::BATCH + super::CHUNK + 3] {
            for i in 0..routes {
                let file = dir.path().join(format!("pages/api/r{i}.js"));
                if !file.exists() {
                    std::fs::write(file, "export default (req, res) => res.json({})\n").unwrap();
                }
            }
            let report = migrate_rewrite::check::check(dir.path()).unwrap();
            assert_eq!(report.routes.len(), routes);
            let mut ours = Vec::new();
            super::emit(&report, &mut ours).unwrap();
            let mut theirs = serde_json::to_vec_pretty(&report).unwrap();
            theirs.push(b'\n');
            assert!(ours == theirs, "{routes} routes: the JSON differs");
        }
    }
}
