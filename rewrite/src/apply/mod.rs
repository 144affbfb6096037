//! `migrate apply` as a library call: for every selected `pages/api` route, the route file it
//! becomes and the files to create, change and delete — computed in memory, checked (every
//! output re-parses), and only then written by the caller.
//!
//! Read top-down: [`plan`] selects the routes and decides each one's outcome, [`target`] maps a
//! file to its route file, [`adapter`] rewrites a module for the Pages API adapter,
//! [`specifiers`] re-points its relative imports, [`edit`] splices the edits in.

pub mod adapter;
pub mod companion;
pub mod edit;
pub mod idiomatic;
pub mod importers;
pub mod imports;
mod joined_headers;

use idiomatic::Declared;
pub mod module_shape;
mod mover;
pub mod names;
pub mod recipes;
pub mod runtime;
pub mod specifiers;
mod speculation;
pub mod style;
pub mod target;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::dispatch::DispatchStyle;
use crate::check::{self, RouteReport};
use crate::diagnostic::Verdict;
use crate::parse;
use crate::project::{self, DiscoverError, Project};
use crate::route::{segments, FileKind, RouteFile};
use crate::route_modules;
use crate::source;
use crate::tsconfig::PathAliases;
use mover::Mover;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// How `apply` runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Leave each `pages/api` file in place beside its new route file (for `migrate serve`).
    pub keep_pages: bool,
    /// The Next.js major to write for, instead of the installed (or declared) one: it decides
    /// whether `params` is a Promise (15 and later) or a plain object (13, 14).
    pub next_major: Option<u32>,
}

/// What became of one route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Rewritten as an idiomatic route handler.
    Idiomatic,
    /// Moved unchanged and served through the Pages API adapter.
    Adapter,
    /// Left where it is: it needs a person.
    Manual,
    /// Not a route of its own: a module other routes import, left where it is.
    Module,
}

/// One route of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct RoutePlan {
    pub file: String,
    pub pattern: String,
    pub outcome: Outcome,
    /// The route file it becomes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The methods the route file exports.
    pub methods: Vec<String>,
    /// Why the outcome is not a better one.
    pub reasons: Vec<String>,
    /// Where the migrated route answers differently, and why that cannot be helped.
    pub differences: Vec<String>,
    /// The same, for machines: one tag per kind of difference of an idiomatic rewrite.
    pub declared: Vec<Declared>,
}

/// A file to write or remove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileChange {
    Create {
        path: PathBuf,
        text: String,
        /// The `pages/api` file it was made from: a diff shows the change against it (a
        /// rename, or a copy under `--keep-pages`), not a whole new file.
        from: Option<Origin>,
    },
    /// A file that stays, its imports of moved files re-pointed.
    Modify {
        path: PathBuf,
        old: String,
        text: String,
    },
    Delete {
        path: PathBuf,
        old: String,
    },
}

/// A file a new one was made from, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub path: PathBuf,
    pub text: String,
}

impl FileChange {
    pub fn path(&self) -> &Path {
        match self {
            FileChange::Create { path, .. }
            | FileChange::Modify { path, .. }
            | FileChange::Delete { path, .. } => path,
        }
    }
}

/// Everything `apply` would do.
#[derive(Debug, Default)]
pub struct Plan {
    pub routes: Vec<RoutePlan>,
    /// New files first, deletions last: killed midway, no code is lost.
    pub changes: Vec<FileChange>,
    /// Notes about the whole run.
    pub notes: Vec<String>,
}

/// Plans the move of every `pages/api` route at or under `paths` (directories or files).
pub fn plan(paths: &[PathBuf], options: Options) -> Result<Plan, DiscoverError> {
    let mut selected: Vec<PathBuf> = Vec::new();
    let mut projects: Vec<Project> = Vec::new();
    for path in paths {
        let canonical = path.canonicalize().map_err(|source| DiscoverError::Io {
            path: path.clone(),
            source,
        })?;
        let dir = if canonical.is_dir() {
            canonical.clone()
        } else {
            canonical.parent().map(Path::to_owned).unwrap_or_default()
        };
        for project in project::discover(&dir)? {
            if !projects.iter().any(|p| p.root == project.root) {
                projects.push(project);
            }
        }
        selected.push(canonical);
    }
    let mut plan = Plan::default();
    for project in &projects {
        plan_project(project, &selected, options, &mut plan);
    }
    plan.routes.sort_by(|a, b| a.file.cmp(&b.file));
    // Creations before deletions, each in path order.
    plan.changes.par_sort_by_cached_key(|c| {
        (
            matches!(c, FileChange::Delete { .. }),
            path_order_key(c.path()),
        )
    });
    Ok(plan)
}

/// Bytes that sort as `Path`s do, component by component (`a/b` before `a.b`), but compare
/// as fast as strings: the components joined by a byte no file name contains.
fn path_order_key(path: &Path) -> Vec<u8> {
    let mut key = Vec::with_capacity(path.as_os_str().len());
    for (i, component) in path.components().enumerate() {
        if i > 0 {
            key.push(0);
        }
        key.extend_from_slice(component.as_os_str().as_encoded_bytes());
    }
    key
}

fn plan_project(project: &Project, selected: &[PathBuf], options: Options, plan: &mut Plan) {
    let Some(pages_dir) = &project.pages_dir else {
        return;
    };
    let app_dir = target::app_dir(pages_dir, project.app_dir.as_deref());
    let runtime = runtime::Runtime::new(&app_dir);
    let (aliases, alias_problems) = PathAliases::read_reporting(&project.root);
    plan.notes.extend(alias_problems.into_iter().map(|problem| {
        format!(
            "{}: {}: imports written through its `paths` are not followed; check them after the move",
            display(&problem.file),
            problem.message
        )
    }));
    let route_mover = Mover {
        pages_dir,
        app_dir: &app_dir,
        runtime: &runtime,
        next_major: options.next_major.or(project.next.major),
        aliases: aliases.as_ref(),
    };
    let is_selected = |file: &RouteFile| selected.iter().any(|s| file.path.starts_with(s));
    if refused_without_app_router(project, route_mover.next_major, &is_selected, plan) {
        return;
    }
    // Each selected route is moved while the analysis has its syntax tree (see
    // [`speculation`]); meanwhile the project's sources are listed, for the files that import
    // moved ones.
    let (sources, (report, mut speculations)) = rayon::join(
        || importers::sources(&project.root),
        || {
            check::check_project_for_apply(project, aliases.as_ref(), &|file, route, tree| {
                is_selected(file)
                    .then(|| speculation::speculate(&route_mover, (file, route), tree))
                    .flatten()
            })
        },
    );
    let files = &project.files;
    let by_display: FxHashMap<&str, &RouteReport> =
        report.routes.iter().map(|r| (r.file.as_str(), r)).collect();
    let reports: Vec<Option<&RouteReport>> = files
        .iter()
        .map(|f| by_display.get(f.display.as_str()).copied())
        .collect();
    let context = Context {
        files,
        reports: &reports,
        mover: &route_mover,
    };

    // Each selected route either moves or gets its reasons; modules other routes import move
    // with them when every importer moves.
    let mut outcomes: FxHashMap<usize, Moved> = FxHashMap::default();
    let mut candidates: BTreeSet<usize> = BTreeSet::new();
    let mut targets: BTreeSet<PathBuf> = BTreeSet::new();
    for (i, file) in files.iter().enumerate() {
        if file.kind != FileKind::PagesApi || !is_selected(file) {
            continue;
        }
        let Some(route) = reports[i] else { continue };
        match context.candidate(i, route, &mut targets) {
            Ok(()) => {
                candidates.insert(i);
            }
            Err(moved) => {
                outcomes.insert(i, moved);
            }
        }
    }
    let Settled {
        modules: moving_modules,
        routes: moved_routes,
        moved_paths,
    } = context.settle(&mut candidates, &mut outcomes, &mut speculations);
    follow_importers(
        &context,
        (project, &sources),
        (&candidates, &moving_modules),
        &moved_paths,
        plan,
    );

    let mut uses_runtime = false;
    let mut typescript = false;
    for (i, mut moved) in moved_routes.into_iter().chain(moving_modules) {
        let file = &files[i];
        uses_runtime |= moved.uses_runtime;
        typescript |= file.extension.contains("ts");
        if moved.existing_matches {
            outcomes.insert(i, Moved::Unchanged(Box::new(moved)));
            continue;
        }
        plan.changes
            .extend(file_changes(file, &mut moved, options.keep_pages));
        outcomes.insert(i, Moved::To(Box::new(moved)));
    }
    for (i, moved) in outcomes {
        let file = &files[i];
        plan.routes.push(route_plan(file, moved));
    }
    if uses_runtime {
        plan.changes
            .extend(runtime.files(typescript, &mut plan.notes));
    }
    // Freeing every route's analysis takes a while: not on the way to the diffs.
    drop(reports);
    drop(by_display);
    rayon::spawn(move || drop(report));
}

/// The files a move creates and deletes. The texts move into them: the plan keeps only what
/// the report shows.
fn file_changes(file: &RouteFile, moved: &mut MovedRoute, keep_pages: bool) -> Vec<FileChange> {
    let old = std::mem::take(&mut moved.old);
    let text = std::mem::take(&mut moved.text);
    let delete = (!keep_pages).then(|| FileChange::Delete {
        path: file.path.clone(),
        old: old.clone(),
    });
    let origin = Some(Origin {
        path: file.path.clone(),
        text: old,
    });
    let mut changes = match moved.companion.take() {
        // The module moved as it is; its route file is new.
        Some((path, companion)) => vec![
            FileChange::Create {
                path,
                text: companion,
                from: origin,
            },
            FileChange::Create {
                path: moved.path.clone(),
                text,
                from: None,
            },
        ],
        None => vec![FileChange::Create {
            path: moved.path.clone(),
            text,
            from: origin,
        }],
    };
    changes.extend(delete);
    changes
}

/// Files of the project that stay and import a file this run moves: their imports of a module
/// that keeps its exports are re-pointed (each file re-parsed), the others get a note.
fn follow_importers(
    context: &Context,
    (project, sources): (&Project, &[PathBuf]),
    (candidates, modules): (&BTreeSet<usize>, &[Indexed]),
    moved_paths: &FxHashMap<PathBuf, PathBuf>,
    plan: &mut Plan,
) {
    if candidates.is_empty() && modules.is_empty() {
        return;
    }
    let moved = |p: &Path| moved_paths.get(p).cloned();
    let moving: rustc_hash::FxHashSet<&Path> = candidates
        .iter()
        .chain(modules.iter().map(|(i, _)| i))
        .map(|&i| context.files[i].path.as_path())
        .collect();
    let found = importers::find(
        &project.root,
        sources,
        &|p| moving.contains(p),
        &moved,
        context.mover.aliases,
    );
    // The types each route file keeps, by where it goes (as `moved` names it).
    let route_types: FxHashMap<PathBuf, &[String]> = candidates
        .iter()
        .filter_map(|&i| {
            let stem = context.route_target(i)?.with_file_name("route");
            let model = context.reports[i]?.kept.as_ref()?.analysis.model.as_ref()?;
            Some((stem, model.type_exports.as_slice()))
        })
        .collect();
    for importing in found {
        let dir = importing.file.parent().unwrap_or(&project.root);
        let mut edits = Vec::new();
        for import in &importing.imports {
            // An import of types only (`import { Data } from '../pages/api/hello'`) may follow
            // them into the route file, which keeps them.
            let only_types = import.specifier.names.as_ref().is_some_and(|names| {
                let types = route_types.get(&import.moved).copied().unwrap_or_default();
                !names.is_empty() && names.iter().all(|n| types.contains(n))
            });
            let is_route_file = !only_types
                && import
                    .moved
                    .file_name()
                    .is_some_and(|name| name.to_string_lossy() == "route");
            let edit = if is_route_file {
                Vec::new()
            } else {
                specifiers::repoint(
                    std::slice::from_ref(&import.specifier),
                    dir,
                    dir,
                    &moved,
                    context.mover.aliases,
                )
            };
            if edit.is_empty() {
                plan.notes.push(format!(
                    "{} imports `{}`, which moves to {}: update that import{}",
                    display(&import.file),
                    import.specifier.value,
                    display(&import.moved),
                    if is_route_file {
                        " (a route file exports GET, POST, …, not the old default handler)"
                    } else {
                        ""
                    }
                ));
            }
            edits.extend(edit);
        }
        if edits.is_empty() {
            continue;
        }
        let extension = importing
            .file
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("ts");
        let text = edit::splice(&importing.text, edits)
            .ok()
            .filter(|text| parse::parse_syntax(text, extension).is_ok());
        match text {
            Some(text) => plan.changes.push(FileChange::Modify {
                path: importing.file,
                old: importing.text,
                text,
            }),
            None => plan.notes.push(format!(
                "{} imports files this run moves, and re-pointing its imports failed: update them",
                display(&importing.file)
            )),
        }
    }
}

/// Before Next 13 there is no App Router: moved routes would be files Next ignores, and the
/// endpoints would be gone. Nothing moves until `next` is upgraded (or `--next-version` names
/// the version it is being upgraded to); every selected route says why.
fn refused_without_app_router(
    project: &Project,
    next_major: Option<u32>,
    is_selected: &dyn Fn(&RouteFile) -> bool,
    plan: &mut Plan,
) -> bool {
    let Some(major) = next_major.filter(|&m| m < project::FIRST_APP_ROUTER_MAJOR) else {
        return false;
    };
    let reason = format!(
        "the project uses Next {major}, which has no App Router (route handlers need Next 13.4 or later): upgrade `next` first, or pass `--next-version` with the version it is being upgraded to"
    );
    let api = project
        .files
        .iter()
        .filter(|f| f.kind == FileKind::PagesApi);
    for file in api.filter(|f| is_selected(f)) {
        plan.routes
            .push(route_plan(file, Moved::Manual(vec![reason.clone()])));
    }
    true
}

fn route_plan(file: &RouteFile, moved: Moved) -> RoutePlan {
    let mut plan = RoutePlan {
        file: file.display.clone(),
        pattern: file.pattern.clone(),
        outcome: Outcome::Manual,
        target: None,
        methods: Vec::new(),
        reasons: Vec::new(),
        differences: Vec::new(),
        declared: Vec::new(),
    };
    match moved {
        Moved::Manual(reasons) => plan.reasons = reasons,
        Moved::Stays(reasons) => {
            plan.outcome = Outcome::Module;
            plan.reasons = reasons;
        }
        Moved::Unchanged(moved) | Moved::To(moved) => {
            let moved = *moved;
            plan.outcome = moved.outcome;
            plan.target = Some(display(&moved.path));
            plan.methods = moved.methods.iter().map(|m| (*m).to_owned()).collect();
            plan.reasons = moved.reasons;
            plan.differences = moved.differences;
            plan.declared = moved.declared;
        }
    }
    plan
}

enum Moved {
    Manual(Vec<String>),
    /// A module that stays where it is.
    Stays(Vec<String>),
    /// The target already holds exactly what the move would write (a second run).
    Unchanged(Box<MovedRoute>),
    To(Box<MovedRoute>),
}

struct MovedRoute {
    outcome: Outcome,
    path: PathBuf,
    text: String,
    old: String,
    methods: Vec<&'static str>,
    reasons: Vec<String>,
    differences: Vec<String>,
    uses_runtime: bool,
    existing_matches: bool,
    declared: Vec<Declared>,
    /// The module itself, moved beside the route file when it exports more than a route
    /// file may (see [`companion`]): its path and text.
    companion: Option<(PathBuf, String)>,
}

/// A route's move, or why it cannot move.
type MoveResult = Result<MovedRoute, Vec<String>>;

/// A moved file and the index of the file it comes from.
type Indexed = (usize, MovedRoute);

/// What moves in the end: the modules, the routes, and where each moving file goes (as
/// specifiers name it: see [`Context::moved_paths`]).
struct Settled {
    modules: Vec<Indexed>,
    routes: Vec<Indexed>,
    moved_paths: FxHashMap<PathBuf, PathBuf>,
}

/// Where files moving in this run go (see [`specifiers::repoint`]).
type Moves<'a> = dyn Fn(&Path) -> Option<PathBuf> + Sync + 'a;

/// What every decision about one project needs.
struct Context<'a> {
    files: &'a [RouteFile],
    reports: &'a [Option<&'a RouteReport>],
    mover: &'a Mover<'a>,
}

impl Context<'_> {
    /// Whether route `i` may move at all: not a module, not `manual`, a free target.
    fn candidate(
        &self,
        i: usize,
        route: &RouteReport,
        targets: &mut BTreeSet<PathBuf>,
    ) -> Result<(), Moved> {
        let file = &self.files[i];
        if route.dispatch == DispatchStyle::Module {
            // Moved with its importers, or left alone.
            return Err(Moved::Stays(vec![
                "a module other routes import: left in place, as not all of them move".to_owned(),
            ]));
        }
        if route.verdict == Some(Verdict::Manual) {
            let reasons = route
                .diagnostics
                .iter()
                .filter(|d| d.code.verdict_floor() == Verdict::Manual)
                .map(|d| format!("{} ({}:{})", d.message, d.at.line, d.at.column))
                .collect();
            return Err(Moved::Manual(reasons));
        }
        let edge = route.config.as_ref().is_some_and(|c| c.is_edge());
        if edge && !file.param_names().is_empty() {
            return Err(Moved::Manual(vec![
                "a dynamic edge handler reads its params from `nextUrl.searchParams`, which a route handler does not fill: not moved yet".to_owned(),
            ]));
        }
        let Some(path) = self.route_target(i) else {
            return Err(Moved::Manual(vec![
                "no route file maps to this path".to_owned()
            ]));
        };
        let beside = self
            .moves_beside_route(i)
            .then(|| companion::path(&path, &file.extension));
        for path in std::iter::once(path).chain(beside) {
            if !targets.insert(path.clone()) {
                return Err(Moved::Manual(vec![format!(
                    "another file of this run already moves to {}",
                    display(&path)
                )]));
            }
        }
        Ok(())
    }

    /// Moves every candidate and the modules that go with them. A route that cannot move
    /// after all may keep a module in place, which changes its importers' specifiers: repeat
    /// until nothing more is refused.
    fn settle(
        &self,
        candidates: &mut BTreeSet<usize>,
        outcomes: &mut FxHashMap<usize, Moved>,
        speculations: &mut [Option<speculation::Speculation>],
    ) -> Settled {
        let imports: Vec<(usize, &[String])> = self
            .reports
            .iter()
            .enumerate()
            .filter_map(|(i, r)| Some((i, r.as_ref()?.relative_imports.as_slice())))
            .filter(|(_, imports)| !imports.is_empty())
            .collect();
        let routed_modules = route_modules::find(self.files, &imports);
        // Modules whose target already holds something else: they stay, and their importers
        // are planned again pointing at them where they are.
        let mut stuck: BTreeSet<usize> = BTreeSet::new();
        loop {
            let modules = self.moving_modules(&routed_modules, candidates, &stuck);
            let moved_paths = self.moved_paths(candidates, &modules);
            let moved = |p: &Path| moved_paths.get(p).cloned();
            // Moves made while the analysis had the tree stand where nothing they asked about
            // moves after all; the others are made again.
            let candidate_list: Vec<(usize, Option<MoveResult>)> = candidates
                .iter()
                .map(|&i| {
                    let route = self.reports[i].expect("candidates have reports");
                    let standing = speculations[i]
                        .take()
                        .and_then(|s| s.standing(route, &moved_paths));
                    (i, standing)
                })
                .collect();
            let results: Vec<(usize, MoveResult)> = candidate_list
                .into_par_iter()
                .map(|(i, standing)| {
                    let route = self.reports[i].expect("candidates have reports");
                    let moved = standing.unwrap_or_else(|| {
                        self.mover.move_route((&self.files[i], route), None, &moved)
                    });
                    (i, moved)
                })
                .collect();
            let mut refused = Vec::new();
            let mut moved_routes = Vec::new();
            for (i, result) in results {
                match result {
                    Ok(route) => moved_routes.push((i, route)),
                    Err(reasons) => refused.push((i, reasons)),
                }
            }
            if refused.is_empty() {
                let mut moved_modules = Vec::new();
                for (i, path) in &modules {
                    if let Some(module) = self.move_module(*i, path, &moved) {
                        moved_modules.push((*i, module));
                    } else {
                        stuck.insert(*i);
                        outcomes.insert(
                            *i,
                            Moved::Stays(vec![format!(
                                "{} already holds another file: left in place, and its importers load it from here",
                                display(path)
                            )]),
                        );
                    }
                }
                if moved_modules.len() < modules.len() {
                    continue;
                }
                let modules = moved_modules;
                return Settled {
                    modules,
                    routes: moved_routes,
                    moved_paths,
                };
            }
            for (i, reasons) in refused {
                candidates.remove(&i);
                outcomes.insert(i, Moved::Manual(reasons));
            }
        }
    }

    /// Whether route `i`'s module exports more than a route file may, and so moves beside it.
    fn moves_beside_route(&self, i: usize) -> bool {
        self.reports[i].is_some_and(mover::moves_beside_route)
    }

    fn route_target(&self, i: usize) -> Option<PathBuf> {
        self.mover.route_target(&self.files[i])
    }

    /// Modules every importer of which moves (or is a moving module), with their new paths:
    /// the same place under the App Router folder, where a file not named `route` is not
    /// routed.
    fn moving_modules(
        &self,
        routed_modules: &[route_modules::RoutedModule],
        candidates: &BTreeSet<usize>,
        stuck: &BTreeSet<usize>,
    ) -> Vec<(usize, PathBuf)> {
        let is_module =
            |i: usize| self.reports[i].is_some_and(|r| r.dispatch == DispatchStyle::Module);
        let mut moving: BTreeSet<usize> = BTreeSet::new();
        loop {
            let before = moving.len();
            for module in routed_modules {
                let movable = is_module(module.module)
                    && !stuck.contains(&module.module)
                    && module
                        .importers
                        .iter()
                        .all(|i| candidates.contains(i) || moving.contains(i));
                if movable {
                    moving.insert(module.module);
                }
            }
            if moving.len() == before {
                break;
            }
        }
        moving
            .into_iter()
            .filter_map(|i| {
                let file = &self.files[i];
                let relative = file.path.strip_prefix(self.mover.pages_dir).ok()?;
                let stem = file.path.file_stem()?.to_str()?;
                (stem != "route" && !stem.starts_with("route."))
                    .then(|| (i, self.mover.app_dir.join(relative)))
            })
            .collect()
    }

    /// Where each moving file goes, keyed as specifiers name them: without extension, and a
    /// folder for its `index` file.
    fn moved_paths(
        &self,
        candidates: &BTreeSet<usize>,
        modules: &[(usize, PathBuf)],
    ) -> FxHashMap<PathBuf, PathBuf> {
        let mut map = FxHashMap::default();
        let strip = |path: &Path, extension: &str| -> PathBuf {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            let stem = name
                .strip_suffix(extension)
                .and_then(|n| n.strip_suffix('.'))
                .unwrap_or(&name)
                .to_owned();
            path.with_file_name(stem)
        };
        let mut add = |old: &Path, extension: &str, new: PathBuf| {
            let old_stem = strip(old, extension);
            if old_stem.file_name().is_some_and(|n| n == "index") {
                if let Some(dir) = old_stem.parent() {
                    map.insert(dir.to_owned(), new.clone());
                }
            }
            map.insert(old_stem, new);
        };
        for &i in candidates {
            if let Some(path) = self.route_target(i) {
                let file = &self.files[i];
                // What importers of a module that moves beside its route file want is there.
                let path = if self.moves_beside_route(i) {
                    companion::path(&path, &file.extension)
                } else {
                    path
                };
                add(&file.path, &file.extension, strip(&path, &file.extension));
            }
        }
        for (i, path) in modules {
            let file = &self.files[*i];
            add(&file.path, &file.extension, strip(path, &file.extension));
        }
        map
    }

    /// A module moves as it is, its relative imports re-pointed.
    fn move_module(&self, i: usize, path: &Path, moved: &Moves<'_>) -> Option<MovedRoute> {
        let file = &self.files[i];
        let old = source::load(&file.path).ok()?;
        let program = parse::parse_syntax(&old, &file.extension).ok()?;
        let edits = specifiers::repoint(
            &specifiers::local(&program, self.mover.aliases),
            file.path.parent()?,
            path.parent()?,
            moved,
            self.mover.aliases,
        );
        let text = edit::splice(&old, edits).ok()?;
        let existing_matches = match std::fs::read_to_string(path) {
            Ok(existing) => existing == text,
            Err(_) => false,
        };
        if path.exists() && !existing_matches {
            return None;
        }
        Some(MovedRoute {
            outcome: Outcome::Module,
            path: path.to_owned(),
            text,
            old,
            methods: Vec::new(),
            reasons: vec![format!(
                "moved with its importers; its public URL {} now answers 404",
                file.pattern
            )],
            differences: Vec::new(),
            uses_runtime: false,
            existing_matches,
            declared: Vec::new(),
            companion: None,
        })
    }
}

/// A path as shown to users: relative to the working directory, as `check` shows them.
pub fn display(path: &Path) -> String {
    // Resolved once: a plan names tens of thousands of paths.
    static BASE: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    let base = BASE.get_or_init(|| std::env::current_dir().and_then(|d| d.canonicalize()).ok());
    base.as_ref()
        .and_then(|b| pathdiff::diff_paths(path, b))
        .unwrap_or_else(|| path.to_owned())
        .to_string_lossy()
        .replace('\\', "/")
}
