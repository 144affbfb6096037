//! A module that exports more than its handler (`export const authOptions = …` beside
//! `export default NextAuth(authOptions)`, the usual NextAuth.js v4 file) cannot become its
//! route file: a route file may export only HTTP methods and segment config, and Next's build
//! rejects any other export. It moves as it is, its relative imports re-pointed, to
//! `handler.<ext>` beside the route file (the App Router routes only `route` and `page`
//! files), keeping every export for its importers; the new route file imports the handler
//! from it and serves it.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use super::module_shape::ModuleShape;
use super::style::Style;

/// The module's name beside its route file.
pub const STEM: &str = "handler";

/// Where the module of the route file `route_file` goes.
pub fn path(route_file: &Path, extension: &str) -> PathBuf {
    route_file.with_file_name(format!("{STEM}.{extension}"))
}

/// What the route file needs to know about the module it serves.
pub struct Split<'a> {
    /// The module's original text and top level.
    pub text: &'a str,
    pub shape: &'a ModuleShape,
    pub style: Style,
    /// The route's exports, in Next's order.
    pub methods: &'a [&'static str],
    /// The compatibility module as the route file imports it.
    pub runtime_specifier: &'a str,
    /// `config.maxDuration` as written.
    pub max_duration: Option<&'a str>,
    /// `config.regions` as written.
    pub preferred_region: Option<&'a str>,
    /// The library whose handler serves Web requests itself (NextAuth.js v4): exported as it
    /// is, without the adapter.
    pub serves_itself: Option<&'static str>,
}

/// The route file's text.
pub fn route_text(split: &Split) -> String {
    let semi = split.style.semi();
    let module = split.style.string(&format!("./{STEM}"));
    let beside = split
        .shape
        .other_exports
        .iter()
        .map(|(name, _)| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut text = String::new();
    if let Some(library) = split.serves_itself {
        let _ = write!(
            text,
            "import handler from {module}{semi}\n\n\
             // {library}'s handler, which serves Web requests too, in ./{STEM} with what the\n\
             // Pages file exported beside it ({beside}).\n"
        );
        text.push_str(&super::adapter::export_list("handler", split.methods, semi));
    } else {
        let config = if split.shape.config.is_some() {
            ", { config }"
        } else {
            ""
        };
        let _ = write!(
            text,
            "import {{ pagesRoute }} from {}{semi}\n\
             import handler{config} from {module}{semi}\n\n\
             // The Pages Router handler in ./{STEM}, moved there with what the Pages file exported\n\
             // beside it ({beside}), served unchanged by the App Router (see {}.js).\n\
             const route = pagesRoute(handler{config}){semi}\n",
            split.style.string(split.runtime_specifier),
            split.runtime_specifier,
        );
        text.push_str(&super::adapter::export_list("route", split.methods, semi));
    }
    // Segment config must be written in the route file itself: Next reads it statically.
    for (_, statement) in &split.shape.segment_exports {
        let statement = &split.text[statement.start as usize..statement.end as usize];
        let _ = writeln!(text, "{statement}");
    }
    let settings = [
        ("maxDuration", split.max_duration),
        ("preferredRegion", split.preferred_region),
    ];
    for (name, value) in settings {
        let written = split.shape.segment_exports.iter().any(|(n, _)| n == name);
        if let Some(value) = value.filter(|_| !written) {
            let _ = writeln!(text, "export const {name} = {value}{semi}");
        }
    }
    text
}
