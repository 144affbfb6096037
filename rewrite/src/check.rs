//! `migrate check` as a library call: discover the projects, analyse every API route in
//! parallel, find collisions, and return one report that every output format renders.

use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::dispatch::{DispatchStyle, Fallback};
use crate::analysis::handler::HandlerKind;
use crate::analysis::uses::{Object, UseKind};
use crate::analysis::{self, config::PageConfig, Analysis, HandlerSummary, RouteContext, Verdict};
use crate::diagnostic::{Code, Diagnostic, Severity, Text, TextRange};
use crate::helper_modules::HelperModules;
use crate::next_config::PageExtensions;
use crate::parse::Parsed;
use crate::project::{self, DiscoverError, NextVersion, Project};
use crate::route::collisions::{self, Bundler};
use crate::route::{FileKind, RouteFile, Router};
use crate::route_modules;
use crate::source::{self, LoadError, Positions};
use crate::tsconfig::PathAliases;

/// The version of the JSON report's schema; bumped on any breaking change.
pub const SCHEMA_VERSION: u32 = 2;

/// Worker threads get a large stack: visiting and dropping a syntax tree recurses once per
/// nesting level, and a hostile file can nest deeply without brackets (`a+a+a+…`).
const WORKER_STACK_BYTES: usize = 512 * 1024 * 1024;

/// Files one worker analyses before another may take over the rest. Rayon otherwise leaves
/// thousands of files in one sequential run at the end of a large project while the other
/// threads idle (a tenth of the wall time on 20,000 files, seen in `perf`); a file takes tens of
/// microseconds, so splitting this fine costs nothing measurable.
const FILES_PER_TASK: usize = 4;

/// Everything `check` found.
#[derive(Debug, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub projects: Vec<ProjectSummary>,
    /// API routes of both routers, sorted by file.
    pub routes: Vec<RouteReport>,
    pub collisions: Vec<CollisionReport>,
    /// Findings not about one API route: unreadable paths, config, invalid page routes.
    pub problems: Vec<FileDiagnostic>,
    /// Paths that could not be read at all (permissions, broken links): the run is incomplete.
    pub io_failures: usize,
}

/// One discovered project.
#[derive(Debug, Serialize)]
pub struct ProjectSummary {
    pub root: String,
    pub next: NextVersion,
    pub bundler: Bundler,
    pub page_extensions: Vec<String>,
    /// `default`, `config` or `unreadable` (then the default is used).
    pub page_extensions_source: &'static str,
    pub pages_dir: Option<String>,
    pub app_dir: Option<String>,
}

/// One API route (a `pages/api` file or an App Router `route` file).
#[derive(Debug, Serialize)]
pub struct RouteReport {
    pub file: String,
    pub router: Router,
    pub pattern: String,
    /// Sorted, uppercase; `["*"]` when the handler serves every method.
    pub methods: Vec<String>,
    pub dispatch: DispatchStyle,
    pub fallback: Fallback,
    /// Methods answered early, before code that every method runs.
    pub special_cased: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handler: Option<HandlerSummary>,
    /// Boxed: most routes have none, and a large project holds tens of thousands of routes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<Box<PageConfig>>,
    /// `null` for App Router routes.
    pub verdict: Option<Verdict>,
    pub diagnostics: Vec<LocatedDiagnostic>,
    pub uses: Vec<LocatedUse>,
    /// The relative modules the file loads, for the import graph over `pages/api`.
    #[serde(skip)]
    pub relative_imports: Vec<String>,
    /// With [`check_project_for_apply`]: the text and the full analysis.
    #[serde(skip)]
    pub kept: Option<Box<Kept>>,
}

/// A route's text and analysis (with its handler model), kept for `apply`.
#[derive(Debug)]
pub struct Kept {
    pub analysis: Analysis,
    pub text: String,
}

/// A diagnostic with its position resolved.
#[derive(Debug, Clone, Serialize)]
pub struct LocatedDiagnostic {
    pub code: Code,
    pub name: &'static str,
    pub severity: Severity,
    pub message: Text,
    pub help: Option<Text>,
    #[serde(flatten)]
    pub at: Location,
    /// The text of the first line, for code frames; empty unless [`Options::code_frames`].
    #[serde(skip)]
    pub source_line: String,
}

/// A `req`/`res` use with its position resolved.
#[derive(Debug, Clone, Serialize)]
pub struct LocatedUse {
    pub object: Object,
    pub kind: UseKind,
    pub name: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// For a keyed `query` use: whether the key is a route parameter (else a search parameter).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_param: Option<bool>,
    /// What `apply` rewrites.
    #[serde(flatten)]
    pub at: Location,
}

/// Where something is in a file: byte offsets (half-open) and 1-based lines and columns
/// (columns count code points).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Location {
    pub start: u32,
    pub end: u32,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Location {
    fn of(range: TextRange, text: &str, positions: &Positions) -> Self {
        let (line, column) = positions.line_col(text, range.start);
        let (end_line, end_column) = positions.line_col(text, Self::end_of(range));
        Location {
            start: range.start,
            end: range.end,
            line,
            column,
            end_line,
            end_column,
        }
    }

    /// Where a location of `range` ends (an inverted range ends where it starts).
    fn end_of(range: TextRange) -> u32 {
        range.end.max(range.start)
    }

    /// The offsets [`Location::of`] looks up for these ranges.
    fn offsets(ranges: impl Iterator<Item = TextRange>) -> impl Iterator<Item = u32> {
        ranges.flat_map(|r| [r.start, Self::end_of(r)])
    }
}

/// Files that Next.js will not serve side by side.
#[derive(Debug, Serialize)]
pub struct CollisionReport {
    pub code: Code,
    pub kind: &'static str,
    pub severity: Severity,
    pub pattern: String,
    pub files: Vec<String>,
    /// What Next.js prints.
    pub message: String,
}

/// A finding about a file that is not one API route.
#[derive(Debug, Serialize)]
pub struct FileDiagnostic {
    pub file: String,
    #[serde(flatten)]
    pub diagnostic: LocatedDiagnostic,
}

impl Report {
    /// The route table of every route found, for matching concrete URLs as Next does.
    pub fn route_table(&self) -> crate::route::matcher::RouteTable {
        crate::route::matcher::RouteTable::new(
            self.routes
                .iter()
                .map(|r| crate::route::matcher::TableRoute {
                    pattern: r.pattern.clone(),
                    router: r.router,
                })
                .collect(),
        )
    }

    /// Every diagnostic severity in the report, collisions included.
    pub fn severities(&self) -> impl Iterator<Item = Severity> + '_ {
        self.routes
            .iter()
            .flat_map(|r| r.diagnostics.iter().map(|d| d.severity))
            .chain(self.collisions.iter().map(|c| c.severity))
            .chain(self.problems.iter().map(|p| p.diagnostic.severity))
    }
}

/// What a check keeps beyond the report's own data.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The text of the line each diagnostic starts on, for the code frames of human output.
    /// Machine formats do not show it: without it, a large project's report holds a copy of a
    /// line less per finding.
    pub code_frames: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { code_frames: true }
    }
}

/// Runs the check on `dir`.
pub fn check(dir: &Path) -> Result<Report, DiscoverError> {
    Ok(check_projects(&project::discover(dir)?))
}

/// What `apply` does with a `pages/api` route while its syntax tree is in memory: given the
/// file, its report (with [`Kept`]) and the tree, something to keep beside the report.
pub type WhileParsed<'a, T> = dyn Fn(&RouteFile, &RouteReport, &Parsed) -> Option<T> + Sync + 'a;

/// [`check_projects`] on one project, keeping for each `pages/api` route its text and its
/// analysis with the handler model (what `apply` rewrites from, without reading and analysing
/// it again), and what `while_parsed` made of it, by index into the project's files.
pub fn check_project_for_apply<T: Send>(
    project: &Project,
    aliases: Option<&PathAliases>,
    while_parsed: &WhileParsed<'_, T>,
) -> (Report, Vec<Option<T>>) {
    let mut report = empty_report();
    let pool = Workers::new();
    // `apply` shows no code frames.
    let options = Options { code_frames: false };
    let made = check_project(
        project,
        aliases,
        &pool,
        &mut report,
        options,
        Some(while_parsed),
    );
    sort_report(&mut report);
    (report, made)
}

/// Runs `work` on the analysis' worker threads (large stacks), so that all of its parallel
/// work runs there too: for a program that checks and exits (the `migrate` binary),
/// discovery, analysis and output then share one set of threads, and the memory one phase
/// frees is reused by the next, where a pool started per check would leave its threads'
/// memory behind when it ends. A check called inside `work` runs on these threads.
pub fn run_on_workers<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    worker_pool().install(work)
}

thread_local! {
    /// Whether this thread is one of the analysis' workers (see [`worker_pool`]).
    static ON_WORKER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The threads the analysis runs on.
enum Workers {
    /// The pool the caller is running on, one of ours (see [`run_on_workers`]).
    Current,
    Own(rayon::ThreadPool),
}

impl Workers {
    fn new() -> Self {
        if ON_WORKER.get() {
            Workers::Current
        } else {
            Workers::Own(worker_pool())
        }
    }

    fn install<R: Send>(&self, work: impl FnOnce() -> R + Send) -> R {
        match self {
            Workers::Current => work(),
            Workers::Own(pool) => pool.install(work),
        }
    }
}

fn worker_pool() -> rayon::ThreadPool {
    let mark = |_| ON_WORKER.set(true);
    let threads = worker_threads();
    let builder = || {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .start_handler(mark)
    };
    if large_stacks_fit(threads) {
        if let Ok(pool) = builder().stack_size(WORKER_STACK_BYTES).build() {
            return pool;
        }
    }
    // Where the large stacks cannot be reserved (a tight `ulimit -v`), default stacks still
    // work for every ordinary file.
    builder().build().expect("cannot start worker threads")
}

/// The threads rayon would start: `RAYON_NUM_THREADS`, else one per core.
fn worker_threads() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// What the process needs beside its workers' stacks (the program, the allocator's arenas, a
/// large project's files and reports): large stacks are tried only with this much to spare.
const HEADROOM_BYTES: u64 = 1 << 30;

/// Whether `threads` large stacks fit under the address-space and data limits (`ulimit -v`,
/// `ulimit -d`) with room to spare. Trying is not enough: a pool that cannot start all of its
/// threads fails after starting some, whose stacks are unmapped only as those threads exit,
/// and the fallback pool and the allocator race them for the address space that is left (under
/// `ulimit -v 700000`, one run in six aborted: "memory allocation of 1520 bytes failed").
#[cfg(unix)]
fn large_stacks_fit(threads: usize) -> bool {
    let needed = (threads as u64)
        .saturating_mul(WORKER_STACK_BYTES as u64)
        .saturating_add(HEADROOM_BYTES);
    [rlimit::Resource::AS, rlimit::Resource::DATA]
        .into_iter()
        .all(|resource| match rlimit::getrlimit(resource) {
            Ok((soft, _)) => soft == rlimit::INFINITY || soft >= needed,
            // Unknown here: trying is still safe where no limit is set.
            Err(_) => true,
        })
}

#[cfg(not(unix))]
fn large_stacks_fit(_threads: usize) -> bool {
    true
}

fn empty_report() -> Report {
    Report {
        schema_version: SCHEMA_VERSION,
        projects: Vec::new(),
        routes: Vec::new(),
        collisions: Vec::new(),
        problems: Vec::new(),
        io_failures: 0,
    }
}

fn sort_report(report: &mut Report) {
    report.routes.sort_by(|a, b| a.file.cmp(&b.file));
    report
        .problems
        .sort_by(|a, b| (&a.file, a.diagnostic.at.line).cmp(&(&b.file, b.diagnostic.at.line)));
}

/// Runs the check on projects already discovered.
pub fn check_projects(projects: &[Project]) -> Report {
    check_projects_with(projects, Options::default())
}

/// [`check_projects`] with these options.
pub fn check_projects_with(projects: &[Project], options: Options) -> Report {
    let pool = Workers::new();
    let mut report = empty_report();
    for project in projects {
        // What `@libs/server/x` names: a file of the project or a package.
        let aliases = PathAliases::read(&project.root);
        check_project::<()>(project, aliases.as_ref(), &pool, &mut report, options, None);
    }
    sort_report(&mut report);
    report
}

/// `aliases`: the project's tsconfig `paths`, which tell its own modules from packages.
fn check_project<T: Send>(
    project: &Project,
    aliases: Option<&PathAliases>,
    pool: &Workers,
    report: &mut Report,
    options: Options,
    while_parsed: Option<&WhileParsed<'_, T>>,
) -> Vec<Option<T>> {
    report.projects.push(summary(project));
    let files = &project.files;
    let api: Vec<usize> = (0..files.len())
        .filter(|&i| files[i].kind.is_api())
        .collect();
    // Route-level problems need only the patterns: find them while the files are analysed.
    // The reports come back in file order, as `api` is: a route is found by its file's index
    // without a table as long as the project, and the reports are not moved again.
    let context = Context {
        next_major: project.next.major,
        aliases,
        helpers: &HelperModules::new(&project.root),
        options,
    };
    let (route_problems, (routes, outcomes)) = pool.install(|| {
        rayon::join(
            || collisions::find(files, project.bundler),
            || analyse_api_files(files, &api, context, while_parsed),
        )
    });

    let mut made_while_parsed: Vec<Option<T>> = (0..files.len()).map(|_| None).collect();
    for (&i, (io_failure, made)) in api.iter().zip(outcomes) {
        report.io_failures += usize::from(io_failure);
        made_while_parsed[i] = made;
    }
    let mut routes = ApiRoutes { api: &api, routes };
    // For a declaration file, "no default export, so a 500" is beside the point: the build
    // fails first (F004 below).
    for (&i, route) in api.iter().zip(&mut routes.routes) {
        if is_declaration_file(&files[i]) {
            route
                .diagnostics
                .retain(|d| d.code != Code::NoDefaultExport);
        }
    }
    // Routing errors of API files go with their route; the others are project problems.
    let mut file_level = |i: usize, diagnostic: Diagnostic| match routes.get_mut(i) {
        Some(route) => attach(route, &diagnostic),
        None => report.problems.push(FileDiagnostic {
            file: files[i].display.clone(),
            diagnostic: at_file_start(&diagnostic),
        }),
    };
    for invalid in &route_problems.invalid {
        let mut diagnostic = Diagnostic::new(
            Code::InvalidRoute,
            TextRange::file_start(),
            invalid.message.clone(),
        );
        if let Some(other) = invalid.other {
            diagnostic = diagnostic.with_help(format!(
                "Next.js rejects this route together with {}",
                files[other].display
            ));
        }
        file_level(invalid.file, diagnostic);
    }
    for (i, file) in files.iter().enumerate() {
        if file.router() == Router::Pages && is_declaration_file(file) {
            file_level(
                i,
                Diagnostic::new(
                    Code::DeclarationFileRouted,
                    TextRange::file_start(),
                    format!("a TypeScript declaration file under `pages/` is routed by Next (as {}), and `next build` fails on it", file.pattern),
                ),
            );
        }
        if file.intercepting && file.kind == FileKind::AppRoute {
            file_level(
                i,
                Diagnostic::new(
                    Code::InterceptingRouteHandler,
                    TextRange::file_start(),
                    format!("an intercepting marker sits above this route handler; Next serves it at the literal path {}", file.pattern),
                ),
            );
        }
    }
    imported_route_modules(files, &mut routes);
    let routes = routes.routes;
    report
        .problems
        .extend(shared_unknown_members(&routes, &project.display_root));
    if report.routes.is_empty() {
        report.routes = routes;
    } else {
        report.routes.extend(routes);
    }

    report
        .collisions
        .extend(collision_reports(project, route_problems.collisions));
    project_problems(project, report);
    made_while_parsed
}

/// The routes of `project` that Next.js will not serve side by side, from the route files
/// alone (what `serve` needs without analysing every handler).
pub fn route_collisions(project: &Project) -> Vec<CollisionReport> {
    collision_reports(
        project,
        collisions::find(&project.files, project.bundler).collisions,
    )
}

fn collision_reports(project: &Project, found: Vec<collisions::Collision>) -> Vec<CollisionReport> {
    found
        .into_iter()
        .map(|c| CollisionReport {
            code: c.code,
            kind: c.code.name(),
            severity: c.code.default_severity(),
            pattern: c.pattern,
            files: c
                .files
                .iter()
                .map(|&i| project.files[i].display.clone())
                .collect(),
            message: c.message,
        })
        .collect()
}

/// The importers of a module, for messages: the first three and how many more.
fn importer_list(importers: &[&RouteReport]) -> String {
    let shown: Vec<&str> = importers.iter().take(3).map(|r| r.file.as_str()).collect();
    match importers.len().saturating_sub(shown.len()) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// Findings a module imported by other routes does not have as a module: the ones about being
/// a handler (its methods, its shape) and about members its importer's wrappers set.
const HANDLER_ONLY: &[Code] = &[
    Code::ImplicitHeadOptions,
    Code::FallbackBecomes405,
    Code::DynamicMethodDispatch,
    Code::NoResponsePath,
    Code::NoDefaultExport,
    Code::WrappedHandler,
    Code::LibraryHandler,
    Code::NextConnectRouter,
    Code::EdgeHandler,
    Code::UnresolvedHandler,
    Code::UnknownMember,
    Code::UnfollowedParameter,
];

/// The reports of a project's API routes, in the order of the indices of their files.
struct ApiRoutes<'a> {
    /// The index of each API route's file among the project's files, ascending.
    api: &'a [usize],
    routes: Vec<RouteReport>,
}

impl ApiRoutes<'_> {
    /// The report of the route in file `i`, if that file is an API route.
    fn get(&self, i: usize) -> Option<&RouteReport> {
        let at = self.api.binary_search(&i).ok()?;
        self.routes.get(at)
    }

    fn get_mut(&mut self, i: usize) -> Option<&mut RouteReport> {
        let at = self.api.binary_search(&i).ok()?;
        self.routes.get_mut(at)
    }
}

/// `pages/api` files other routes import: analysed as modules of their importers, each reported
/// once with the public URL Next serves it at and the wrappers it runs without there.
fn imported_route_modules(files: &[RouteFile], routes: &mut ApiRoutes) {
    let imports: Vec<(usize, &[String])> = (routes.api.iter().zip(&routes.routes))
        .map(|(&i, r)| (i, r.relative_imports.as_slice()))
        .filter(|(_, imports)| !imports.is_empty())
        .collect();
    let modules = route_modules::find(files, &imports);
    for module in modules {
        let importers: Vec<&RouteReport> = module
            .importers
            .iter()
            .filter_map(|&i| routes.get(i))
            .collect();
        let importer_verdict = importers.iter().filter_map(|r| r.verdict).max();
        // Outermost first, each once.
        let mut wrappers: Vec<String> = Vec::new();
        for w in importers
            .iter()
            .filter_map(|r| r.handler.as_ref())
            .flat_map(|h| &h.wrappers)
        {
            let name = format!("`{}`", w.name);
            if !wrappers.contains(&name) {
                wrappers.push(name);
            }
        }
        let names = importer_list(&importers);
        let Some(route) = routes.get_mut(module.module) else {
            continue;
        };
        let has_default = route
            .handler
            .as_ref()
            .is_some_and(|h| h.kind != HandlerKind::Missing);
        // `_get.ts`, `_utils/…`, or a file with nothing to serve is a module; a route with a
        // handler of its own (`auth/[...nextauth].ts`, imported for its `authOptions`) stays a
        // route, and its importers are named for the move.
        let private = route.pattern.split('/').any(|s| s.starts_with('_'));
        if has_default && !private {
            let diagnostic = Diagnostic::new(
                Code::ImportedRoute,
                TextRange::file_start(),
                format!("other routes import this route's module ({names}): moving it re-points their imports"),
            );
            route.diagnostics.insert(0, at_file_start(&diagnostic));
            continue;
        }
        let public = if !has_default {
            "it has no default export, so Next answers every request there with a 500".to_owned()
        } else if wrappers.is_empty() {
            "there it runs as a handler of its own, called with every method".to_owned()
        } else {
            format!(
                "there it runs without the wrappers its importer applies ({})",
                wrappers.join(", ")
            )
        };
        let diagnostic = Diagnostic::new(
            Code::ImportedRouteModule,
            TextRange::file_start(),
            format!(
                "imported by {names} as a module, but Next also serves it publicly at {}: {public}",
                route.pattern
            ),
        );
        route
            .diagnostics
            .retain(|d| !HANDLER_ONLY.contains(&d.code));
        route.dispatch = DispatchStyle::Module;
        route.methods = Vec::new();
        route.fallback = Fallback::Unknown;
        route.special_cased.clear();
        let own = route
            .diagnostics
            .iter()
            .map(|d| d.code.verdict_floor())
            .max();
        route.verdict = [importer_verdict, own].into_iter().flatten().max();
        route.diagnostics.insert(0, at_file_start(&diagnostic));
    }
}

/// Members Node and Next do not define (`req.userId`) read in several routes: reported in each
/// file once, and summarised here once per project with the wrappers those routes share.
fn shared_unknown_members(routes: &[RouteReport], root: &str) -> Vec<FileDiagnostic> {
    use std::collections::BTreeMap;
    let mut readers: BTreeMap<(Object, &str), Vec<&RouteReport>> = BTreeMap::new();
    for route in routes {
        let mut seen = rustc_hash::FxHashSet::default();
        for u in route.uses.iter().filter(|u| u.kind == UseKind::Unknown) {
            if seen.insert((u.object, &*u.name)) {
                readers.entry((u.object, &*u.name)).or_default().push(route);
            }
        }
    }
    readers
        .into_iter()
        .filter(|(_, routes)| routes.len() > 1)
        .map(|((object, name), routes)| {
            let mut wrappers: BTreeMap<&str, usize> = BTreeMap::new();
            for route in &routes {
                for w in route.handler.iter().flat_map(|h| &h.wrappers) {
                    *wrappers.entry(w.name.as_str()).or_default() += 1;
                }
            }
            let set_by = if wrappers.is_empty() {
                "no wrapper of theirs that we can see sets it".to_owned()
            } else {
                let list: Vec<String> = wrappers
                    .iter()
                    .map(|(name, n)| format!("`{name}` ({n})"))
                    .collect();
                format!("the wrappers they apply: {}", list.join(", "))
            };
            let object = match object {
                Object::Req => "req",
                Object::Res => "res",
            };
            let diagnostic = Diagnostic::new(
                Code::UnknownMember,
                TextRange::file_start(),
                format!(
                    "`{object}.{name}` is read in {} routes; it is not a Node.js or Next.js property, so something sets it before the handler runs: {set_by}",
                    routes.len()
                ),
            )
            .with_severity(Severity::Info);
            FileDiagnostic {
                file: root.to_owned(),
                diagnostic: at_file_start(&diagnostic),
            }
        })
        .collect()
}

/// Findings about the project rather than a route: the routers' folders, the walk and
/// `next.config`.
fn project_problems(project: &Project, report: &mut Report) {
    if let Some(major) = project
        .next
        .major
        .filter(|&m| m < project::FIRST_APP_ROUTER_MAJOR)
    {
        if project.files.iter().any(|f| f.kind == FileKind::PagesApi) {
            let diagnostic = Diagnostic::new(
                Code::NoAppRouter,
                TextRange::file_start(),
                format!("the project uses Next {major}, which has no App Router: its API routes cannot become route handlers yet"),
            );
            report.problems.push(FileDiagnostic {
                file: project.display_root.clone(),
                diagnostic: at_file_start(&diagnostic),
            });
        }
    }
    if let (Some(pages), Some(app)) = (&project.pages_dir, &project.app_dir) {
        if pages.parent() != app.parent() {
            let diagnostic = Diagnostic::new(
                Code::RoutersInDifferentFolders,
                TextRange::file_start(),
                "`pages` and `app` directories should be under the same folder",
            )
            .with_help(format!(
                "found {} and {}: move both to the project root, or both under `src/`",
                relative_to(pages, &project.root),
                relative_to(app, &project.root)
            ));
            report.problems.push(FileDiagnostic {
                file: project.display_root.clone(),
                diagnostic: at_file_start(&diagnostic),
            });
        }
    }
    for problem in &project.walk_problems {
        report.io_failures += usize::from(problem.io_failure);
        let severity = if problem.io_failure {
            Severity::Error
        } else {
            Severity::Warning
        };
        let diagnostic = Diagnostic::new(
            Code::UnreadableFile,
            TextRange::file_start(),
            problem.message.clone(),
        )
        .with_severity(severity);
        report.problems.push(FileDiagnostic {
            file: problem.display.clone(),
            diagnostic: at_file_start(&diagnostic),
        });
    }
    if let PageExtensions::Unreadable { file, reason } = &project.page_extensions {
        let diagnostic = Diagnostic::new(
            Code::NextConfigUnreadable,
            TextRange::file_start(),
            format!("cannot read `pageExtensions` ({reason}); using the default tsx, ts, jsx, js"),
        );
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        let display = if project.display_root == "." {
            name.into_owned()
        } else {
            format!("{}/{name}", project.display_root)
        };
        report.problems.push(FileDiagnostic {
            file: display,
            diagnostic: at_file_start(&diagnostic),
        });
    }
}

/// `x.d.ts` (or `.d.tsx`, `.d.mts`, …).
fn is_declaration_file(file: &RouteFile) -> bool {
    let typescript = file
        .extension
        .rsplit('.')
        .next()
        .is_some_and(|e| matches!(e, "ts" | "tsx" | "mts" | "cts"));
    typescript
        && file
            .display
            .strip_suffix(file.extension.as_str())
            .is_some_and(|stem| stem.ends_with(".d."))
}

/// Adds a finding about the whole file to an analysed route.
fn attach(route: &mut RouteReport, diagnostic: &Diagnostic) {
    route.verdict = route
        .verdict
        .map(|v| v.max(diagnostic.code.verdict_floor()));
    route.diagnostics.insert(0, at_file_start(diagnostic));
}

/// `path` inside `root`, with `/` separators.
fn relative_to(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn summary(project: &Project) -> ProjectSummary {
    let shown =
        |dir: &Option<std::path::PathBuf>| dir.as_ref().map(|d| relative_to(d, &project.root));
    ProjectSummary {
        root: project.display_root.clone(),
        next: project.next.clone(),
        bundler: project.bundler,
        page_extensions: project.page_extensions.list(),
        page_extensions_source: match project.page_extensions {
            PageExtensions::Default => "default",
            PageExtensions::FromConfig { .. } => "config",
            PageExtensions::Unreadable { .. } => "unreadable",
        },
        pages_dir: shown(&project.pages_dir),
        app_dir: shown(&project.app_dir),
    }
}

/// Analyses one API file: its report, whether it could not be read at all, and what
/// `while_parsed` made of it.
/// The reports of the API files `api` (indexes into `files`), in that order, with whether each
/// could be read and what `while_parsed` made of it.
fn analyse_api_files<T: Send>(
    files: &[RouteFile],
    api: &[usize],
    context: Context<'_>,
    while_parsed: Option<&WhileParsed<'_, T>>,
) -> (Vec<RouteReport>, Vec<(bool, Option<T>)>) {
    // Written in place, each where its index says (`unzip` into `Vec`s would gather the pieces
    // of every task in lists first, and copy them all once more).
    let (mut routes, mut outcomes) = (Vec::new(), Vec::new());
    api.par_iter()
        .with_max_len(FILES_PER_TASK)
        .map(|&i| {
            let (route, io_failure, made) = analyse_file(&files[i], context, while_parsed);
            (route, (io_failure, made))
        })
        .unzip_into_vecs(&mut routes, &mut outcomes);
    (routes, outcomes)
}

/// What every file of a project is analysed with.
#[derive(Clone, Copy)]
struct Context<'a> {
    next_major: Option<u32>,
    aliases: Option<&'a PathAliases>,
    /// The helpers routes import from modules of the project, read once per project.
    helpers: &'a HelperModules,
    options: Options,
}

fn analyse_file<T>(
    file: &RouteFile,
    project: Context<'_>,
    while_parsed: Option<&WhileParsed<'_, T>>,
) -> (RouteReport, bool, Option<T>) {
    let keep = while_parsed.is_some();
    let params = file.param_names();
    let imported_helpers = project
        .helpers
        .from_dir(file.path.parent().unwrap_or(Path::new("")));
    let context = RouteContext {
        params: &params,
        next_major: project.next_major,
        file: &file.display,
        aliases: project.aliases,
        imported_helpers: Some(&imported_helpers),
    };
    let options = project.options;
    let mut tree = None;
    let (mut analysis, text, io_failure) = match source::load(&file.path) {
        Ok(text) => {
            let analysis = match file.kind {
                FileKind::AppRoute => analysis::analyse_app_route(&text, &file.extension, &context),
                _ if keep => {
                    let (analysis, parsed) =
                        analysis::model_pages_api_and_tree(&text, &file.extension, &context);
                    tree = parsed;
                    analysis
                }
                _ => analysis::analyse_pages_api(&text, &file.extension, &context),
            };
            (analysis, text, false)
        }
        Err(error) => {
            let io_failure = matches!(error, LoadError::Io(_));
            let at = TextRange::new(error.offset(), error.offset());
            let diagnostic = Diagnostic::new(Code::UnreadableFile, at, error.to_string());
            let verdict = (file.kind == FileKind::PagesApi).then_some(Verdict::Manual);
            let analysis = Analysis {
                handler: None,
                dispatch: analysis::dispatch::Dispatch::none(),
                uses: Vec::new(),
                config: None,
                diagnostics: vec![diagnostic],
                verdict,
                model: None,
                relative_imports: Vec::new(),
            };
            (analysis, String::new(), io_failure)
        }
    };
    let positions = Positions::of(
        &text,
        Location::offsets(
            (analysis.diagnostics.iter().map(|d| d.range))
                .chain(analysis.uses.iter().map(|u| u.range)),
        ),
    );
    let locate = |d: &Diagnostic| locate(d, &text, &positions, options.code_frames);
    let mut diagnostics: Vec<LocatedDiagnostic> = analysis.diagnostics.iter().map(locate).collect();
    diagnostics.sort_by_key(|d| (d.at.line, d.at.column, d.code));
    let verdict = analysis.verdict;
    // Copied rather than moved out of the analysis: the copies are made after the syntax tree
    // is freed, into memory of their own, where what the analysis allocated sits among the
    // tree's nodes (moving them raised check's peak memory on 20,000 files from 65 to 75 MiB).
    let uses = analysis
        .uses
        .iter()
        .map(|u| LocatedUse {
            object: u.object,
            kind: u.kind,
            name: u.name.clone(),
            key: u.key.clone(),
            route_param: u
                .key
                .as_ref()
                .filter(|_| u.kind == UseKind::Query)
                .map(|k| params.contains(k)),
            at: Location::of(u.range, &text, &positions),
        })
        .collect();
    let keeps = keep && file.kind == FileKind::PagesApi && analysis.model.is_some();
    let (handler, config, relative_imports) = shared_with_report(&mut analysis, keeps);
    let mut route = RouteReport {
        kept: None,
        file: file.display.clone(),
        router: file.router(),
        pattern: file.pattern.clone(),
        methods: analysis.dispatch.method_list(),
        dispatch: analysis.dispatch.style,
        fallback: analysis.dispatch.fallback,
        special_cased: analysis.dispatch.special_cased.iter().cloned().collect(),
        handler,
        config: config.map(Box::new),
        verdict,
        diagnostics,
        uses,
        relative_imports,
    };
    // `apply` rewrites from the analysis and the text: moved here, not copied.
    if keeps {
        route.kept = Some(Box::new(Kept { analysis, text }));
    }
    let made = while_parsed
        .zip(tree.as_ref())
        .and_then(|(then, tree)| then(file, &route, tree));
    (route, io_failure, made)
}

/// What a route's report shares with its analysis (the handler, `config`, the relative
/// imports): moved out when the analysis is dropped after the report is made, copied when
/// `apply` keeps it.
fn shared_with_report(
    analysis: &mut Analysis,
    keeps: bool,
) -> (Option<HandlerSummary>, Option<PageConfig>, Vec<String>) {
    if keeps {
        (
            analysis.handler.clone(),
            analysis.config.clone(),
            analysis.relative_imports.clone(),
        )
    } else {
        (
            analysis.handler.take(),
            analysis.config.take(),
            std::mem::take(&mut analysis.relative_imports),
        )
    }
}

fn locate(d: &Diagnostic, text: &str, positions: &Positions, line: bool) -> LocatedDiagnostic {
    let at = Location::of(d.range, text, positions);
    LocatedDiagnostic {
        code: d.code,
        name: d.code.name(),
        severity: d.severity,
        message: d.message.clone(),
        help: d.help.clone(),
        source_line: if line {
            positions.line_text(text, d.range.start).to_owned()
        } else {
            String::new()
        },
        at,
    }
}

fn at_file_start(d: &Diagnostic) -> LocatedDiagnostic {
    locate(
        d,
        "",
        &Positions::of("", Location::offsets(std::iter::once(d.range))),
        false,
    )
}
