//! The adapter path: the module moves to its route file with its handler unchanged, and the
//! route exports that handler, wrapped by the project's Pages API compatibility module, for
//! the methods it serves. Edits are few and local: the `export default` becomes a plain
//! declaration, `export const config` a plain `const` handed to the adapter, one import and
//! the route's exports are added.
//!
//! Edge handlers already take a `Request` and return a `Response`: they are exported as they
//! are, without the adapter.

use std::fmt::Write;

use super::edit::{statement_with_line, Edit};
use super::module_shape::{HandlerExport, ModuleShape};
use super::names::{fresh, Names};
use super::style::Style;
use crate::diagnostic::TextRange;

/// What the rewrite needs besides the module.
pub struct Adapter<'a> {
    pub text: &'a str,
    pub shape: &'a ModuleShape,
    pub style: Style,
    /// The route's exports, in Next's order (`GET`, `HEAD`, …).
    pub methods: &'a [&'static str],
    /// The compatibility module as this file imports it (`../../_migrate/pages-api`).
    pub runtime_specifier: &'a str,
    /// An edge handler: exported as it is.
    pub edge: bool,
    /// `config.maxDuration` as written, which becomes its own export.
    pub max_duration: Option<&'a str>,
    /// `config.regions` as written: `export const preferredRegion`.
    pub preferred_region: Option<&'a str>,
    /// The identifiers the module uses.
    pub taken: &'a Names,
}

/// Why a module cannot go through the adapter as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: String,
    pub at: TextRange,
}

/// The edits that turn the module into its route file.
pub fn edits(adapter: &Adapter) -> Result<Vec<Edit>, Refusal> {
    let shape = adapter.shape;
    if let Some((name, at)) = shape.other_exports.first() {
        return Err(Refusal {
            reason: format!("it exports `{name}` beside its handler, and a route file may export only HTTP methods and segment config: move `{name}` to a module of its own first"),
            at: *at,
        });
    }
    let Some(handler) = &shape.handler else {
        return Err(Refusal {
            reason: "no default export to serve".to_owned(),
            at: TextRange::file_start(),
        });
    };
    let mut edits = Vec::new();
    let (edit, handler_name) = handler_edit(adapter.text, handler, adapter.taken, "pagesHandler");
    edits.push(edit);
    let tail = if adapter.edge {
        edge_tail(adapter, &handler_name, &mut edits)
    } else {
        adapter_tail(adapter, &handler_name, &mut edits)
    };
    let end = adapter.text.len() as u32;
    let separator = if adapter.text.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    edits.push(Edit::insertion(end, format!("{separator}{tail}")));
    Ok(edits)
}

/// The edit that turns the handler's export into a plain binding, and the binding's name
/// (`base` when it has none of its own).
pub fn handler_edit(
    text: &str,
    handler: &HandlerExport,
    taken: &Names,
    base: &str,
) -> (Edit, String) {
    match handler {
        HandlerExport::NamedDeclaration { prefix, name } => (Edit::deletion(*prefix), name.clone()),
        HandlerExport::Expression { prefix } => {
            let name = fresh(base, taken);
            (Edit::replacement(*prefix, format!("const {name} = ")), name)
        }
        HandlerExport::ReExport { prefix } => {
            let name = fresh("pagesHandler", taken);
            (
                Edit::replacement(*prefix, format!("import {name} from ")),
                name,
            )
        }
        HandlerExport::Name { statement, name } => (
            Edit::deletion(statement_with_line(text, *statement)),
            name.clone(),
        ),
    }
}

/// An edge handler is exported as it is; `runtime = 'edge'` (deprecated in Next 16) goes, so
/// the handler runs on Node.js.
fn edge_tail(adapter: &Adapter, handler_name: &str, edits: &mut Vec<Edit>) -> String {
    let shape = adapter.shape;
    if let Some(config) = &shape.config {
        edits.push(Edit::deletion(statement_with_line(
            adapter.text,
            config.statement,
        )));
    }
    for (name, statement) in &shape.segment_exports {
        if name == "runtime" {
            edits.push(Edit::deletion(statement_with_line(
                adapter.text,
                *statement,
            )));
        }
    }
    let mut tail = export_list(handler_name, adapter.methods, adapter.style.semi());
    segment_config_exports(adapter, &mut tail);
    tail
}

/// The adapter's import, `config` kept as a local, and the route's exports.
fn adapter_tail(adapter: &Adapter, handler_name: &str, edits: &mut Vec<Edit>) -> String {
    let taken = adapter.taken;
    let shape = adapter.shape;
    let semi = adapter.style.semi();
    let import_name = fresh("pagesRoute", taken);
    let route_name = fresh("route", taken);
    let imported = if import_name == "pagesRoute" {
        "pagesRoute".to_owned()
    } else {
        format!("pagesRoute as {import_name}")
    };
    let import = format!(
        "import {{ {imported} }} from {}{semi}",
        adapter.style.string(adapter.runtime_specifier)
    );
    edits.push(import_edit(adapter.text, shape, &import));
    let options = if let Some(config) = &shape.config {
        edits.push(Edit::replacement(config.prefix, config.replacement));
        ", { config }"
    } else {
        ""
    };
    let mut tail = format!(
        "// The Pages Router handler, served unchanged by the App Router (see {}.js).\n\
         const {route_name} = {import_name}({handler_name}{options}){semi}\n",
        adapter.runtime_specifier
    );
    tail.push_str(&export_list(&route_name, adapter.methods, semi));
    segment_config_exports(adapter, &mut tail);
    tail
}

/// `config.maxDuration` and `config.regions` become their own exports, `maxDuration` and
/// `preferredRegion` (Next reads them there in a route file), unless the file has them already.
pub fn segment_config_exports(adapter: &Adapter, tail: &mut String) {
    let settings = [
        ("maxDuration", adapter.max_duration),
        ("preferredRegion", adapter.preferred_region),
    ];
    for (name, value) in settings {
        let Some(value) = value else { continue };
        if !adapter.shape.segment_exports.iter().any(|(n, _)| n == name) {
            let semi = adapter.style.semi();
            let _ = writeln!(tail, "export const {name} = {value}{semi}");
        }
    }
}

/// `export { route as GET, route as POST }`, one name a line when there are many.
pub fn export_list(name: &str, methods: &[&str], semi: &str) -> String {
    let list: Vec<String> = methods.iter().map(|m| format!("{name} as {m}")).collect();
    if list.len() <= 3 {
        return format!("export {{ {} }}{semi}\n", list.join(", "));
    }
    format!("export {{\n  {},\n}}{semi}\n", list.join(",\n  "))
}

/// The new import goes on the line after the last import, else before the first statement.
pub fn import_edit(text: &str, shape: &ModuleShape, import: &str) -> Edit {
    if let Some(end) = shape.imports_end {
        let line_end = text[end as usize..]
            .find('\n')
            .map_or(text.len(), |i| end as usize + i + 1);
        if line_end == text.len() && !text.ends_with('\n') {
            return Edit::insertion(line_end as u32, format!("\n{import}"));
        }
        return Edit::insertion(line_end as u32, format!("{import}\n"));
    }
    Edit::insertion(shape.first_item.unwrap_or(0), format!("{import}\n\n"))
}
