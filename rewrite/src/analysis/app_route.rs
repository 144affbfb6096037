//! Checks of an App Router `route` file: the methods it exports, and the exports Next.js
//! ignores (spec B1, B7), in the words Next logs.

use std::collections::BTreeSet;

use super::dispatch::{Dispatch, DispatchStyle, Fallback, ROUTE_METHODS};
use super::module_index::ModuleIndex;
use super::RouteContext;
use crate::diagnostic::{Code, Diagnostic, TextRange};
use crate::parse;

/// The exported methods as a dispatch, and diagnostics for ignored exports.
pub fn check(index: &ModuleIndex, route: &RouteContext) -> (Dispatch, Vec<Diagnostic>) {
    let file = route.file;
    let mut methods = BTreeSet::new();
    let mut diagnostics = Vec::new();
    for (name, span) in &index.named_exports {
        if ROUTE_METHODS.contains(&name.as_str()) {
            methods.insert(name.clone());
        } else if ROUTE_METHODS.contains(&name.to_uppercase().as_str()) {
            diagnostics.push(Diagnostic::new(
                Code::LowercaseMethodExport,
                parse::range(*span),
                format!("Detected lowercase method '{name}' in '{file}'. Export the uppercase '{}' method name to fix this error.", name.to_uppercase()),
            ));
        }
    }
    if let Some(default) = index.default_export {
        diagnostics.push(Diagnostic::new(
            Code::DefaultExportInRoute,
            parse::range(default.span()),
            format!("Detected default export in '{file}'. Export a named export for each HTTP method instead."),
        ));
    }
    if methods.is_empty() {
        diagnostics.push(Diagnostic::new(
            Code::NoMethodExports,
            TextRange::file_start(),
            format!(
                "No HTTP methods exported in '{file}'. Export a named export for each HTTP method."
            ),
        ));
    }
    if let Some((_, span)) = index.config {
        diagnostics.push(Diagnostic::new(
            Code::ConfigInRoute,
            parse::range(span),
            "Next.js can't recognize the exported `config` field in route. Page config in `config` is deprecated and ignored, use individual exports instead.",
        ));
    }
    let dispatch = Dispatch {
        style: DispatchStyle::Exports,
        methods,
        fallback: Fallback::Framework,
        ..Dispatch::none()
    };
    (dispatch, diagnostics)
}
