//! Moving one route: the text of its new route file — a library recipe, the idiomatic
//! rewrite, or the module moved as it is for the adapter — from its report and its syntax
//! tree, every output checked to parse. What the other files of the run do comes in only as
//! [`Moves`]: where each moving file goes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::idiomatic::{self, Declared};
use super::{
    adapter, companion, display, edit, joined_headers, module_shape, names, recipes, runtime,
    segments, specifiers, style, target, MovedRoute, Moves, Outcome,
};
use crate::analysis::dispatch::{DispatchStyle, Fallback, ROUTE_METHODS};
use crate::analysis::{self, RouteContext};
use crate::check::RouteReport;
use crate::diagnostic::{Code, Verdict};
use crate::parse::{self, Parsed};
use crate::route::RouteFile;
use crate::source;
use crate::tsconfig::PathAliases;

/// What moving any route of one project needs.
pub(super) struct Mover<'a> {
    pub pages_dir: &'a Path,
    pub app_dir: &'a Path,
    pub runtime: &'a runtime::Runtime,
    pub next_major: Option<u32>,
    /// tsconfig's `paths`, to follow imports written through them.
    pub aliases: Option<&'a PathAliases>,
}

impl Mover<'_> {
    /// The route file `file` becomes.
    pub(super) fn route_target(&self, file: &RouteFile) -> Option<PathBuf> {
        target::route_file(&file.path, self.pages_dir, &file.extension, self.app_dir)
    }

    /// Route `file`'s new route file (and its module's new place, when it moves beside it),
    /// or why it cannot move. `parsed` is its syntax tree when the caller still has it.
    pub(super) fn move_route(
        &self,
        (file, route): (&RouteFile, &RouteReport),
        parsed: Option<&Parsed>,
        moved: &Moves<'_>,
    ) -> Result<MovedRoute, Vec<String>> {
        let path = self
            .route_target(file)
            .ok_or_else(|| vec!["no route file maps to this path".to_owned()])?;
        let old = match route.kept.as_ref() {
            Some(kept) => kept.text.clone(),
            None => source::load(&file.path).map_err(|e| vec![e.to_string()])?,
        };
        // One parse with scopes serves every path below (the top level, a recipe, the idiomatic
        // rewrite that finds `req`'s reads by binding, the adapter): the analysis's own when
        // the caller still has it.
        let fresh;
        let parsed = if let Some(parsed) = parsed {
            parsed
        } else {
            fresh = parse::parse(&old, &file.extension).map_err(|e| vec![e.message])?;
            &fresh
        };
        let program = &parsed.program;
        // The top level decides first: a route file may not keep other exports, whatever path.
        let shape = module_shape::read(program, &old);
        let edge = route.config.as_ref().is_some_and(|c| c.is_edge());
        if edge {
            no_other_exports_beside_edge(&shape, &old)?;
        }
        let taken = names::identifiers(program);
        let import_edits = specifiers::repoint(
            &specifiers::local(program, self.aliases),
            file.path.parent().unwrap_or(Path::new("/")),
            path.parent().unwrap_or(Path::new("/")),
            moved,
            self.aliases,
        );
        let module = ParsedRoute {
            text: &old,
            program,
            shape: &shape,
            taken: &taken,
            import_edits,
        };
        let (methods, mut differences) = exported_methods(route);
        if !shape.other_exports.is_empty() {
            return self.split_route((file, route), &module, path, methods, differences);
        }
        let mut reasons = Vec::new();
        let library = route.handler.as_ref().and_then(|h| h.library.as_deref());
        if let Some(library) = library {
            match recipe(file, &module, library) {
                Ok(cooked) => return cooked_route(path, old, cooked),
                Err(reason) => reasons.push(format!("no recipe: {reason}")),
            }
        }
        let mut uses_runtime = !edge;
        let mut declared = Vec::new();
        let idiomatic = if route.verdict == Some(Verdict::Auto) && !edge {
            match self.idiomatic_text((file, route), &module, &path, &methods) {
                Ok(rewrite) => {
                    uses_runtime = rewrite.helpers;
                    declared = idiomatic_declared(route, &rewrite.declared);
                    Some(rewrite.text)
                }
                Err(reason) => {
                    reasons.push(format!("served through the adapter: {reason}"));
                    None
                }
            }
        } else {
            reasons.extend(adapter_findings(route));
            None
        };
        let (outcome, text) = if let Some(text) = idiomatic {
            differences.extend(declared.iter().map(|d| d.message().to_owned()));
            (Outcome::Idiomatic, text)
        } else {
            // An edge handler is already a route handler: it moves as it is.
            let outcome = if edge {
                differences.push("it runs on the Node.js runtime: `runtime = 'edge'` is deprecated in Next 16 and not carried over".to_owned());
                Outcome::Idiomatic
            } else {
                declared = joined_headers::declared(route, module.program, &mut differences);
                Outcome::Adapter
            };
            let target = Target {
                path: &path,
                methods: &methods,
                edge,
            };
            let text = rewrite(module, file, route, &target, self.runtime)
                .map_err(|reason| vec![reason])?;
            (outcome, text)
        };
        let text = edit::with_line_endings_of(&old, text);
        let existing_matches = already_written(&path, &text)?;
        Ok(MovedRoute {
            outcome,
            path,
            text,
            old,
            methods,
            reasons,
            differences,
            uses_runtime,
            existing_matches,
            declared,
            companion: None,
        })
    }

    /// A module that exports more than its handler moves beside its new route file, which
    /// serves its handler (see [`companion`]).
    fn split_route(
        &self,
        (file, route): (&RouteFile, &RouteReport),
        module: &ParsedRoute<'_>,
        path: PathBuf,
        methods: Vec<&'static str>,
        mut differences: Vec<String>,
    ) -> Result<MovedRoute, Vec<String>> {
        if module.shape.handler.is_none() {
            return Err(vec!["no default export to serve".to_owned()]);
        }
        let serves_itself = route
            .handler
            .as_ref()
            .and_then(|h| h.library.as_deref())
            .and_then(|library| recipes::serving_itself(module.program, library));
        let (methods, outcome, declared) = if serves_itself.is_some() {
            let methods = vec!["GET", "POST"];
            differences = vec![format!(
                "methods other than {} get Next's own 405 (OPTIONS its 204) instead of the library's answer",
                methods.join(", ")
            )];
            let declared = vec![Declared::JsonCharsetAndEtag];
            differences.extend(declared.iter().map(|d| d.message().to_owned()));
            (methods, Outcome::Idiomatic, declared)
        } else {
            let declared = joined_headers::declared(route, module.program, &mut differences);
            (methods, Outcome::Adapter, declared)
        };
        let folder = path.parent().unwrap_or(Path::new("/"));
        let runtime_specifier = self.runtime.specifier_from(folder);
        let text = companion::route_text(&companion::Split {
            text: module.text,
            shape: module.shape,
            style: style::of(module.program, module.text),
            methods: &methods,
            runtime_specifier: &runtime_specifier,
            max_duration: route
                .config
                .as_ref()
                .and_then(|c| c.max_duration.as_deref()),
            preferred_region: route.config.as_ref().and_then(|c| c.regions.as_deref()),
            serves_itself,
        });
        let moved_path = companion::path(&path, &file.extension);
        let text = edit::with_line_endings_of(module.text, text);
        let moved_text = edit::splice(module.text, module.import_edits.clone())
            .map_err(|e| vec![e.to_string()])?;
        for (written, what) in [(&text, "route file"), (&moved_text, "moved module")] {
            if let Err(error) = parse::parse_syntax(written, &file.extension) {
                return Err(vec![format!(
                    "internal error: the {what} does not parse ({}); nothing written for it",
                    error.message
                )]);
            }
        }
        let existing_matches =
            already_written(&path, &text)? & already_written(&moved_path, &moved_text)?;
        let names: Vec<String> = module
            .shape
            .other_exports
            .iter()
            .map(|(name, _)| format!("`{name}`"))
            .collect();
        let reasons = vec![format!(
            "it exports {} beside its handler, which a route file may not: the module moves to {} and its route file serves the handler{}",
            names.join(", "),
            display(&moved_path),
            if serves_itself.is_some() { " as it is" } else { " through the adapter" }
        )];
        Ok(MovedRoute {
            outcome,
            path,
            text,
            old: module.text.to_owned(),
            methods,
            reasons,
            differences,
            uses_runtime: serves_itself.is_none(),
            existing_matches,
            declared,
            companion: Some((moved_path, moved_text)),
        })
    }

    fn idiomatic_text(
        &self,
        (file, route): (&RouteFile, &RouteReport),
        module: &ParsedRoute<'_>,
        path: &Path,
        methods: &[&'static str],
    ) -> Result<idiomatic::ModuleRewrite, String> {
        let old = module.text;
        let fresh;
        let analysis = if let Some(kept) = route.kept.as_ref() {
            &kept.analysis
        } else {
            let params = file.param_names();
            let context = RouteContext {
                params: &params,
                next_major: self.next_major,
                file: &file.display,
                aliases: self.aliases,
                imported_helpers: None,
            };
            fresh = analysis::model_pages_api(old, &file.extension, &context);
            &fresh
        };
        idiomatic::preconditions(analysis)?;
        let config = route.config.as_ref();
        let runtime_specifier = self
            .runtime
            .specifier_from(path.parent().unwrap_or(Path::new("/")));
        idiomatic::module_text(idiomatic::Module {
            dispatch: (route.dispatch, route.fallback),
            text: old,
            program: module.program,
            shape: module.shape,
            taken: module.taken,
            extension: &file.extension,
            analysis,
            segments: &segments(&file.pattern),
            // `params` is a Promise from Next 15; awaiting a plain object (13, 14) works too.
            params_promise: self.next_major.is_none_or(|m| m >= 15),
            methods,
            max_duration: config.and_then(|c| c.max_duration.as_deref()),
            preferred_region: config.and_then(|c| c.regions.as_deref()),
            import_edits: module.import_edits.clone(),
            body_parser_off: config.and_then(|c| c.body_parser) == Some(false),
            size_limit: config.and_then(|c| c.size_limit.as_deref()),
            runtime_specifier: &runtime_specifier,
        })
    }
}

/// Why `check` put the route behind the adapter: each code that asks for it, once, at its first
/// place (`U003 response-then-continue (12:5)`).
fn adapter_findings(route: &RouteReport) -> Option<String> {
    let mut seen = Vec::new();
    let mut found = Vec::new();
    for d in &route.diagnostics {
        if d.code.verdict_floor() == Verdict::Adapter && !seen.contains(&d.code) {
            seen.push(d.code);
            found.push(format!(
                "{} {} ({}:{})",
                d.code.as_str(),
                d.name,
                d.at.line,
                d.at.column
            ));
        }
    }
    (!found.is_empty()).then(|| format!("served through the adapter: {}", found.join(", ")))
}

fn recipe(
    file: &RouteFile,
    module: &ParsedRoute<'_>,
    library: &str,
) -> Result<recipes::Cooked, String> {
    recipes::cook(
        &recipes::Kitchen {
            text: module.text,
            extension: &file.extension,
            program: module.program,
            shape: module.shape,
            style: style::of(module.program, module.text),
            taken: module.taken,
            pattern: &file.pattern,
            import_edits: module.import_edits.clone(),
        },
        library,
    )
}

/// Whether the route's module exports more than a route file may, and so moves beside it.
pub(super) fn moves_beside_route(route: &RouteReport) -> bool {
    route
        .kept
        .as_ref()
        .and_then(|kept| kept.analysis.model.as_ref())
        .is_some_and(|model| !model.exports_beside_handler.is_empty())
}

/// A route module parsed once (with scopes) and read once, for whichever path it takes.
struct ParsedRoute<'a> {
    text: &'a str,
    program: &'a swc_ecma_ast::Program,
    shape: &'a module_shape::ModuleShape,
    /// The identifiers it uses, so that new names capture none of them.
    taken: &'a names::Names,
    /// Edits that re-point its relative imports from the route file's folder.
    import_edits: Vec<edit::Edit>,
}

/// Where a route goes and what it exports.
struct Target<'a> {
    path: &'a Path,
    methods: &'a [&'static str],
    edge: bool,
}

/// The module moved for the adapter, checked to parse.
fn rewrite(
    module: ParsedRoute<'_>,
    file: &RouteFile,
    route: &RouteReport,
    target: &Target,
    runtime: &runtime::Runtime,
) -> Result<String, String> {
    let Target {
        path,
        methods,
        edge,
    } = *target;
    let old = module.text;
    let style = style::of(module.program, old);
    let new_dir = path.parent().unwrap_or(Path::new("/"));
    let mut edits = module.import_edits;
    let runtime_specifier = runtime.specifier_from(new_dir);
    let max_duration = route
        .config
        .as_ref()
        .and_then(|c| c.max_duration.as_deref());
    let adapter = adapter::Adapter {
        taken: module.taken,
        text: old,
        shape: module.shape,
        style,
        methods,
        runtime_specifier: &runtime_specifier,
        edge,
        max_duration,
        preferred_region: route.config.as_ref().and_then(|c| c.regions.as_deref()),
    };
    edits.extend(adapter::edits(&adapter).map_err(|refusal| refusal.reason)?);
    let text = edit::splice(old, edits).map_err(|e| e.to_string())?;
    if let Err(error) = parse::parse_syntax(&text, &file.extension) {
        return Err(format!(
            "internal error: the rewritten module does not parse ({}); nothing written for it",
            error.message
        ));
    }
    Ok(text)
}

/// Whether `path` already holds `text` (a second run); an error when it holds anything else,
/// which is never overwritten.
fn already_written(path: &Path, text: &str) -> Result<bool, Vec<String>> {
    match std::fs::read_to_string(path) {
        Ok(existing) if existing == text => Ok(true),
        Ok(_) => Err(vec![format!(
            "{} already exists: not overwritten",
            display(path)
        )]),
        Err(_) => Ok(false),
    }
}

/// A route moved by a library recipe: idiomatic, with the recipe named.
fn cooked_route(
    path: PathBuf,
    old: String,
    cooked: recipes::Cooked,
) -> Result<MovedRoute, Vec<String>> {
    let text = edit::with_line_endings_of(&old, cooked.text);
    let existing_matches = already_written(&path, &text)?;
    let options = if cooked.methods.contains(&"OPTIONS") {
        ""
    } else {
        " (OPTIONS its 204)"
    };
    let mut differences = vec![format!(
        "methods other than {} get Next's own 405{options} instead of the library's answer",
        cooked.methods.join(", ")
    )];
    differences.extend(cooked.declared.iter().map(|d| d.message().to_owned()));
    Ok(MovedRoute {
        outcome: Outcome::Idiomatic,
        path,
        text,
        old,
        methods: cooked.methods,
        reasons: vec![format!("the {} recipe", cooked.recipe)],
        differences,
        uses_runtime: false,
        existing_matches,
        declared: cooked.declared,
        companion: None,
    })
}

/// An edge handler moves as it is, so its module may export nothing a route file cannot.
fn no_other_exports_beside_edge(
    shape: &module_shape::ModuleShape,
    old: &str,
) -> Result<(), Vec<String>> {
    match shape.other_exports.first() {
        Some((name, at)) => {
            let (line, _) = source::LineIndex::new(old).line_col(old, at.start);
            Err(vec![format!(
                "it exports `{name}` (line {line}) beside its edge handler, and a route file may export only HTTP methods and segment config: move `{name}` to a module of its own first"
            )])
        }
        None => Ok(()),
    }
}

/// What an idiomatic route answers differently: what its rewrite declared, and what any route
/// handler does differently from a Pages handler.
fn idiomatic_declared(route: &RouteReport, rewrite: &BTreeSet<Declared>) -> Vec<Declared> {
    let mut declared: BTreeSet<Declared> = rewrite.clone();
    declared.insert(Declared::ErrorBody);
    let silent = matches!(
        route.fallback,
        Fallback::NoResponse | Fallback::FallsThrough
    ) || route
        .diagnostics
        .iter()
        .any(|d| d.code == Code::NoResponsePath);
    if silent {
        declared.insert(Declared::NoResponse500);
    }
    declared.into_iter().collect()
}

/// The methods the route file exports, and the differences that choice declares.
///
/// Every method Next routes goes to the handler, as under Pages, unless the handler only
/// turned the other methods away with a 405: then the route exports what it serves and Next
/// answers the rest.
fn exported_methods(route: &RouteReport) -> (Vec<&'static str>, Vec<String>) {
    let all = ROUTE_METHODS.to_vec();
    let dispatched = !matches!(
        route.dispatch,
        DispatchStyle::None
            | DispatchStyle::Unknown
            | DispatchStyle::Module
            | DispatchStyle::Router
    );
    let turned_away = matches!(
        route.fallback,
        Fallback::MethodNotAllowed | Fallback::MethodNotAllowedWithAllow
    );
    if !(dispatched && turned_away) {
        return (all, Vec::new());
    }
    let served: BTreeSet<&str> = route
        .methods
        .iter()
        .chain(&route.special_cased)
        .map(String::as_str)
        .collect();
    let methods: Vec<&'static str> = all.into_iter().filter(|m| served.contains(m)).collect();
    if methods.is_empty() {
        return (ROUTE_METHODS.to_vec(), Vec::new());
    }
    let mut differences = vec![format!(
        "other methods get Next's own 405 (empty body, no `Allow` header) instead of the handler's{}",
        if route.fallback == Fallback::MethodNotAllowedWithAllow {
            " 405 with `Allow`"
        } else {
            ""
        }
    )];
    if !methods.contains(&"OPTIONS") {
        differences.push("OPTIONS gets Next's 204 with an `Allow` header".to_owned());
    }
    if methods.contains(&"GET") && !methods.contains(&"HEAD") {
        differences.push(
            "HEAD runs the GET handler (Next's automatic HEAD) instead of getting a 405".to_owned(),
        );
    }
    (methods, differences)
}
