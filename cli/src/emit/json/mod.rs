//! `--format json` and `--format json-pretty`: the report as documented in
//! `docs/json-schema.md`, on one line (for machines, as biome's and eslint's `json` reporters
//! write it: a third smaller than indented, and faster to write), or indented by two spaces.
//!
//! The routes, which are most of the output (every `req`/`res` use), are written in parallel, a
//! batch at a time, each route already laid out as a member of the `routes` array (by
//! [`route::write`], without serde's per-byte work on every key), and written out as each batch
//! is ready: the bytes are those `serde_json::to_writer` (or `to_writer_pretty`) gives for the
//! whole report, but the wall time on a large project is not, and the output is never held in
//! memory twice.

mod route;
mod variant;

use std::io::Write;

use migrate_rewrite::check::Report;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};

/// Routes one thread serializes into one buffer: a buffer of typical routes (about 110 KB)
/// is larger than the output's own buffer, and is written out without being copied into it.
const CHUNK: usize = 64;
/// Buffers filled in parallel before a batch is written out, per thread: enough to keep every
/// thread busy, few enough that the buffers stay small. (A fixed 16 buffers made 2 MB of
/// memory first touched for the output alone on two threads: a tenth of the page faults of a
/// check of 20,000 handlers.)
const CHUNKS_PER_THREAD: usize = 2;

/// How the JSON is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One line.
    Compact,
    /// Two spaces per level, as `serde_json::to_writer_pretty` writes it.
    Pretty,
}

impl Layout {
    /// What separates the top-level object's members (`between`), and what precedes the first
    /// and follows the last (`open`, `close`).
    fn punctuation(self) -> (&'static [u8], &'static [u8], &'static [u8]) {
        match self {
            Layout::Compact => (b"{", b",", b"}"),
            Layout::Pretty => (b"{\n  ", b",\n  ", b"\n}"),
        }
    }

    /// `value` laid out as a value nested `depth` levels deep (its first line not indented:
    /// the caller wrote what precedes it).
    fn write<W: Write + ?Sized, T: Serialize>(
        self,
        out: &mut W,
        value: &T,
        depth: usize,
    ) -> std::io::Result<()> {
        match self {
            Layout::Compact => write_with(out, value, CompactFormatter),
            Layout::Pretty => write_with(
                out,
                value,
                Nested {
                    depth,
                    has_value: false,
                },
            ),
        }
    }
}

pub fn emit(report: &Report, layout: Layout, out: &mut dyn Write) -> std::io::Result<()> {
    let (open, between, close) = layout.punctuation();
    out.write_all(open)?;
    field(out, layout, "schema_version", &report.schema_version)?;
    out.write_all(between)?;
    field(out, layout, "projects", &report.projects)?;
    out.write_all(between)?;
    key(out, layout, "routes")?;
    out.write_all(b"[")?;
    let before_route: &[u8] = match layout {
        Layout::Compact => b",",
        Layout::Pretty => b",\n    ",
    };
    // One buffer per chunk of a batch, kept from batch to batch: memory written once and then
    // reused, where fresh buffers for every batch were fresh pages to fault in.
    let batch_routes = CHUNK * CHUNKS_PER_THREAD * rayon::current_num_threads();
    let mut buffers: Vec<Vec<u8>> = vec![Vec::new(); batch_routes / CHUNK];
    for (i, batch) in report.routes.chunks(batch_routes).enumerate() {
        buffers
            .par_iter_mut()
            .zip(batch.par_chunks(CHUNK))
            .for_each(|(text, chunk)| {
                text.clear();
                for one in chunk {
                    text.extend_from_slice(before_route);
                    route::write(text, layout, 2, one);
                }
            });
        let chunks = batch.len().div_ceil(CHUNK);
        for (j, chunk) in buffers[..chunks].iter().enumerate() {
            // The first route of the report has no comma before it.
            let skip = usize::from(i == 0 && j == 0);
            out.write_all(&chunk[skip..])?;
        }
    }
    if layout == Layout::Pretty && !report.routes.is_empty() {
        out.write_all(b"\n  ")?;
    }
    out.write_all(b"]")?;
    out.write_all(between)?;
    field(out, layout, "collisions", &report.collisions)?;
    out.write_all(between)?;
    field(out, layout, "problems", &report.problems)?;
    out.write_all(between)?;
    field(out, layout, "io_failures", &report.io_failures)?;
    out.write_all(close)?;
    out.write_all(b"\n")
}

/// `"name": ` (or `"name":` on one line): a member's key of the top-level object.
fn key(out: &mut dyn Write, layout: Layout, name: &str) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, name)?;
    out.write_all(match layout {
        Layout::Compact => b":",
        Layout::Pretty => b": ",
    })
}

/// A member of the top-level object: its key, and its value laid out one level deep.
fn field<T: Serialize>(
    out: &mut dyn Write,
    layout: Layout,
    name: &str,
    value: &T,
) -> std::io::Result<()> {
    key(out, layout, name)?;
    layout.write(out, value, 1)
}

fn write_with<W: Write + ?Sized, T: Serialize, F: Formatter>(
    out: &mut W,
    value: &T,
    formatter: F,
) -> std::io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, formatter);
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
    use super::Layout;

    use migrate_rewrite::check::Report;

    /// What `serde_json` writes for the whole report in `layout`, and a line break.
    fn serde_json_of(report: &Report, layout: Layout) -> Vec<u8> {
        let mut text = match layout {
            Layout::Compact => serde_json::to_vec(report),
            Layout::Pretty => serde_json::to_vec_pretty(report),
        }
        .unwrap();
        text.push(b'\n');
        text
    }

    /// Our output of `report` is `serde_json`'s, byte for byte, in both layouts.
    fn assert_same_as_serde_json(report: &Report, what: &str) {
        for layout in [Layout::Compact, Layout::Pretty] {
            let mut ours = Vec::new();
            super::emit(report, layout, &mut ours).unwrap();
            assert!(
                ours == serde_json_of(report, layout),
                "{what}, {layout:?}: the JSON differs:\n{}",
                String::from_utf8_lossy(&ours)
            );
        }
    }

    /// A project with an empty `pages/api`, for the tests to fill.
    fn empty_project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("package.json"),
            r#"{"dependencies":{"next":"16.0.0"}}"#,
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("pages/api")).unwrap();
        dir
    }

    /// The streamed output is exactly what `serde_json` writes for the whole report.
    #[test]
    fn same_bytes_as_serde_json() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
        for fixture in [
            "example",
            "collisions/app-pages-conflict",
            "route-modules",
            "serve-faults",
        ] {
            let report = migrate_rewrite::check::check(&root.join(fixture)).unwrap();
            assert_same_as_serde_json(&report, fixture);
        }
    }

    /// Text that JSON must escape, or need not although it is not ASCII, in every place a
    /// route carries user text: file names and patterns, query keys, member names, messages.
    #[test]
    fn escaped_and_unicode_text_matches_too() {
        let dir = empty_project();
        let api = dir.path().join("pages/api");
        std::fs::create_dir_all(api.join("caf\u{e9}")).unwrap();
        std::fs::write(
            api.join("caf\u{e9}/we\"ird\\[id].ts"),
            "export default function h(req, res) {\n  const a = req.query['a\"b\\\\c\\t']\n  const b = req.query['\u{fc}ber']\n  res.json({ a, b, u: req.\u{fc}ser, w: req.userId })\n}\n",
        )
        .unwrap();
        std::fs::write(
            api.join("other.ts"),
            "export const config = { api: { bodyParser: false } }\nexport default function h(req, res) {\n  if (req.method !== 'POST') throw { statusCode: 405 }\n  res.status(200).send(req.userId)\n}\n",
        )
        .unwrap();
        // A destructured parameter has no name: `null` among the handler's parameters.
        std::fs::write(
            api.join("destructured.ts"),
            "export default function h({ query }, res) {\n  res.json(query)\n}\n",
        )
        .unwrap();
        let report = migrate_rewrite::check::check(dir.path()).unwrap();
        assert_eq!(report.routes.len(), 3);
        let text = serde_json::to_string(&report).unwrap();
        for expected in [
            r#"we\"ird\\"#,
            "caf\u{e9}",
            r#"a\"b\\c\t"#,
            "\u{fc}ber",
            "\u{fc}ser",
            r#""params":[null,"res"]"#,
        ] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
        assert_same_as_serde_json(&report, "escaped text");
    }

    /// A report with no routes and one with more routes than a batch.
    #[test]
    fn empty_and_multi_batch_reports_match_too() {
        let dir = empty_project();
        let batch = super::CHUNK * super::CHUNKS_PER_THREAD * rayon::current_num_threads();
        for routes in [0, batch + super::CHUNK + 3] {
            for i in 0..routes {
                let file = dir.path().join(format!("pages/api/r{i}.js"));
                if !file.exists() {
                    std::fs::write(file, "export default (req, res) => res.json({})\n").unwrap();
                }
            }
            let report = migrate_rewrite::check::check(dir.path()).unwrap();
            assert_eq!(report.routes.len(), routes);
            assert_same_as_serde_json(&report, &format!("{routes} routes"));
        }
    }
}
