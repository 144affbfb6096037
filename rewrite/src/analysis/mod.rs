//! Analysis of one handler file: what its handler is, which methods it serves, every use of
//! `req` and `res`, its `config`, and the verdict on how it can be migrated.

pub mod app_route;
pub mod body_readers;
pub mod config;
pub mod dispatch;
pub mod edge;
pub mod fallback;
pub mod flow;
pub mod handler;
pub mod libraries;
pub mod model;
pub mod module_index;
pub mod no_response;
mod rules;
mod sends_nothing;
pub mod syntax;
pub mod uses;
pub mod wrappers;

#[cfg(test)]
mod tests;

use serde::Serialize;

pub use crate::diagnostic::Verdict;
use crate::diagnostic::{Code, Diagnostic, TextRange};
use crate::parse;
use crate::tsconfig::PathAliases;
use config::PageConfig;
use dispatch::Dispatch;
use handler::{HandlerKind, Wrapper};
use module_index::ModuleIndex;
use syntax::pat_ident;
use uses::{Roles, Use};

/// A summary of the handler's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandlerSummary {
    pub kind: HandlerKind,
    /// Outermost first.
    pub wrappers: Vec<Wrapper>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub library: Option<String>,
    /// `config.runtime` is `edge`: the handler takes a Web `Request`.
    pub edge: bool,
    /// The handler's parameter names, e.g. `["req", "res"]` (`null` when destructured).
    pub params: Vec<Option<String>>,
}

/// What the analysis of one file found.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// `None` for App Router files and files that do not parse.
    pub handler: Option<HandlerSummary>,
    pub dispatch: Dispatch,
    pub uses: Vec<Use>,
    pub config: Option<PageConfig>,
    pub diagnostics: Vec<Diagnostic>,
    /// `None` for App Router files (they are already migrated).
    pub verdict: Option<Verdict>,
    /// The positions a rewrite needs; built only by [`model_pages_api`].
    pub model: Option<model::HandlerModel>,
    /// The relative modules the file loads (`./_get`, `../lib/db`): statically, by `require`,
    /// or lazily from a method table.
    pub relative_imports: Vec<String>,
}

/// Facts about the route a file serves that the analysis needs.
pub struct RouteContext<'a> {
    /// The route's dynamic parameter names.
    pub params: &'a [String],
    /// The Next.js major version, when known.
    pub next_major: Option<u32>,
    /// The file's path as shown to users (Next's messages name it).
    pub file: &'a str,
    /// The project's tsconfig `paths` and `baseUrl`: `@libs/server/withSession` may name a file
    /// of the project, not a package.
    pub aliases: Option<&'a PathAliases>,
    /// Reads the helpers the file imports from modules of the project, when the caller can.
    pub imported_helpers: Option<&'a dyn fallback::ImportedHelpers>,
}

impl RouteContext<'_> {
    /// True when an import source names an npm package, not a file of the project (relative,
    /// or through one of the project's path aliases).
    pub fn is_package(&self, source: &str) -> bool {
        libraries::is_package(source) && !self.aliases.is_some_and(|a| a.rewrites(source))
    }
}

fn parse_failure(error: parse::ParseError) -> Analysis {
    let code = if error.refused {
        Code::UnreadableFile
    } else {
        Code::ParseError
    };
    let diagnostic = Diagnostic::new(code, error.range, error.message);
    Analysis {
        handler: None,
        dispatch: Dispatch::none(),
        uses: Vec::new(),
        config: None,
        verdict: Some(Verdict::of(std::slice::from_ref(&diagnostic))),
        diagnostics: vec![diagnostic],
        model: None,
        relative_imports: Vec::new(),
    }
}

/// Analyses a `pages/api` file (what `check` reports).
pub fn analyse_pages_api(text: &str, extension: &str, route: &RouteContext) -> Analysis {
    analyse_pages(text, extension, route, false).0
}

/// Analyses a `pages/api` file and builds its [`model::HandlerModel`] (what `apply` walks).
pub fn model_pages_api(text: &str, extension: &str, route: &RouteContext) -> Analysis {
    analyse_pages(text, extension, route, true).0
}

/// [`model_pages_api`], handing back the syntax tree too (its comments are in the model), so
/// that `apply` rewrites from the same parse.
pub fn model_pages_api_and_tree(
    text: &str,
    extension: &str,
    route: &RouteContext,
) -> (Analysis, Option<parse::Parsed>) {
    analyse_pages(text, extension, route, true)
}

fn analyse_pages(
    text: &str,
    extension: &str,
    route: &RouteContext,
    with_model: bool,
) -> (Analysis, Option<parse::Parsed>) {
    let mut parsed = match parse::parse_with(text, extension, with_model) {
        Ok(parsed) => parsed,
        Err(error) => return (parse_failure(error), None),
    };
    let comments = std::mem::take(&mut parsed.comments);
    let analysis = analyse_parsed(&parsed, comments, text, route, with_model);
    (analysis, with_model.then_some(parsed))
}

fn analyse_parsed(
    parsed: &parse::Parsed,
    comments: Vec<parse::Comment>,
    text: &str,
    route: &RouteContext,
    with_model: bool,
) -> Analysis {
    let mut index = ModuleIndex::new(&parsed.program, parsed.top_level);
    index.imported_helpers = route.imported_helpers;
    let resolved = handler::resolve(&index, &|source| route.is_package(source));
    let config = config::of_module(&index);
    let edge = config.as_ref().is_some_and(PageConfig::is_edge);
    let params: Vec<Option<String>> = resolved
        .function
        .map(|f| {
            f.params()
                .iter()
                .map(|p| pat_ident(p).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();

    let dispatch = match (resolved.kind, resolved.function) {
        _ if !resolved.method_table.is_empty() => {
            dispatch::from_table(&resolved.method_table, resolved.span.map(parse::range))
        }
        (HandlerKind::NextConnect, _) => dispatch::next_connect(&parsed.program, &index),
        (HandlerKind::Library | HandlerKind::Unresolved, _) => {
            Dispatch::unknown(resolved.span.map(parse::range))
        }
        (_, Some(function)) => wrappers::narrow(
            dispatch::analyse(function, Roles::of(function), &index),
            &resolved.wrappers,
            &index,
        ),
        _ => Dispatch::none(),
    };
    // An edge handler's `req` is a Web `Request`: its uses need no rewriting.
    let (uses, continues) = if edge {
        (Vec::new(), Vec::new())
    } else {
        uses_and_continues(&resolved, &index)
    };

    // Room for the few findings of a typical file, made once.
    let mut diagnostics = Vec::with_capacity(4);
    rules::handler_shape(&resolved, edge, route, &mut diagnostics);
    if let Some(config) = &config {
        rules::config(config, route, &mut diagnostics);
    }
    rules::dispatch(&dispatch, &mut diagnostics);
    rules::file_relative_urls(text, &parsed.program, &mut diagnostics);
    if let Some(function) = resolved.function.filter(|_| edge) {
        rules::edge_only(&edge::edge_only(function), route, &mut diagnostics);
    }
    rules::uses(&uses, config.as_ref(), route, &index, &mut diagnostics);
    if let Some(function) = resolved.function {
        rules::socket_server(function, &mut diagnostics);
    }
    rules::response_then_continue(&continues, &mut diagnostics);
    rules::no_response(silent_end(&resolved, &dispatch, edge), &mut diagnostics);
    diagnostics.sort_by_key(|d| (d.range.start, d.code));

    let model = with_model.then(|| {
        let mut model = model::build(
            &parsed.program,
            comments,
            &resolved,
            &dispatch,
            config.as_ref(),
        );
        let shape = crate::apply::module_shape::read(&parsed.program, text);
        model.exports_beside_handler = shape.other_exports.into_iter().map(|(n, _)| n).collect();
        model.type_exports = shape.type_exports;
        model
    });
    let relative_imports = index
        .sources
        .iter()
        .map(|s| (*s).to_owned())
        .chain(dynamic_imports(text, &parsed.program))
        .filter(|s| s.starts_with('.'))
        .collect();
    Analysis {
        relative_imports,
        handler: Some(HandlerSummary {
            kind: resolved.kind,
            wrappers: resolved.wrappers,
            library: resolved.library.map(|(package, _)| package),
            edge,
            params,
        }),
        dispatch,
        uses,
        config,
        verdict: Some(Verdict::of(&diagnostics)),
        diagnostics,
        model,
    }
}

/// The uses of `req`/`res` and the responses code runs on after, in the functions that see
/// them: the handler, or each function of a method table.
fn uses_and_continues(
    resolved: &handler::Handler,
    index: &ModuleIndex,
) -> (Vec<Use>, Vec<swc_common::Span>) {
    let functions = resolved.function.into_iter().chain(
        resolved
            .method_table
            .iter()
            .filter_map(|entry| entry.function),
    );
    let mut uses = Vec::new();
    let mut continues = Vec::new();
    for function in functions {
        let collected = uses::collect(function, index);
        // Most files have one function with uses: taken as it is, not copied.
        if uses.is_empty() {
            uses = collected;
        } else {
            uses.extend(collected);
        }
        continues.extend(flow::sends_then_continues(
            function,
            Roles::of(function).res,
            index,
        ));
    }
    (uses, continues)
}

/// Where a path of an unwrapped Node handler ends without answering (a wrapper may answer for
/// the function it wraps, as `defaultResponder(getHandler)` does). Not reported again when it is
/// the end of a run of method blocks, which the dispatch reports as its fallback.
fn silent_end(
    resolved: &handler::Handler,
    dispatch: &Dispatch,
    edge: bool,
) -> Option<swc_common::Span> {
    let function = resolved
        .function
        .filter(|_| resolved.kind == HandlerKind::Function && !edge)?;
    let roles = Roles::of(function);
    let params = function.param_count();
    // A rest or destructured response, or no parameters at all (`arguments`): not followed.
    if roles.rest.is_some() || params == 0 || (params > 1 && roles.res.is_none()) {
        return None;
    }
    let branches: Vec<TextRange> = dispatch.branches.iter().map(|b| b.body).collect();
    let at = no_response::silent_end(function, roles.res, &branches)?;
    let at_end = at.hi == function.span().hi;
    (!(at_end && dispatch.fallback == dispatch::Fallback::NoResponse)).then_some(at)
}

/// The modules loaded with `import('…')` anywhere in the file (method tables of lazy imports).
/// Only files that contain `import(` are walked for them.
fn dynamic_imports(text: &str, program: &swc_ecma_ast::Program) -> Vec<String> {
    use swc_ecma_visit::{noop_visit_type, Visit, VisitWith};
    struct Finder(Vec<String>);
    impl Visit for Finder {
        noop_visit_type!();
        fn visit_call_expr(&mut self, call: &swc_ecma_ast::CallExpr) {
            if matches!(call.callee, swc_ecma_ast::Callee::Import(_)) {
                if let Some(source) = call
                    .args
                    .first()
                    .and_then(|a| syntax::string_value(&a.expr))
                {
                    self.0.push(source.to_owned());
                }
            }
            call.visit_children_with(self);
        }
    }
    // The searcher is built once: building one costs more than searching a handler file.
    static IMPORT_CALL: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("import("));
    if IMPORT_CALL.find(text.as_bytes()).is_none() {
        return Vec::new();
    }
    let mut finder = Finder(Vec::new());
    program.visit_with(&mut finder);
    finder.0
}

/// Analyses an App Router `route` file: its method exports and the mistakes Next ignores.
pub fn analyse_app_route(text: &str, extension: &str, route: &RouteContext) -> Analysis {
    let parsed = match parse::parse(text, extension) {
        Ok(parsed) => parsed,
        Err(error) => {
            let mut analysis = parse_failure(error);
            analysis.verdict = None;
            return analysis;
        }
    };
    let index = ModuleIndex::new(&parsed.program, parsed.top_level);
    let (dispatch, mut diagnostics) = app_route::check(&index, route);
    diagnostics.sort_by_key(|d| (d.range.start, d.code));
    Analysis {
        handler: None,
        dispatch,
        uses: Vec::new(),
        config: None,
        diagnostics,
        verdict: None,
        model: None,
        relative_imports: Vec::new(),
    }
}
