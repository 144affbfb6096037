//! Where the routes of a project collide, and how Next.js fails on each collision: the code, the
//! files involved and the message Next prints (which depends on the bundler, see spec C4).

use std::collections::hash_map::Entry;
use std::collections::BTreeMap;

use rustc_hash::{FxBuildHasher, FxHashMap};

use serde::Serialize;

use super::sorted::sort_errors;
use super::{FileKind, RouteFile, Router};
use crate::diagnostic::Code;

/// The bundler whose messages Next prints: Turbopack is the default from Next 16, webpack
/// before (or with `next build --webpack`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bundler {
    Turbopack,
    Webpack,
}

/// Two or more files that Next.js will not serve side by side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Collision {
    pub code: Code,
    pub pattern: String,
    /// Indices into the files given to [`find`].
    #[serde(skip)]
    pub files: Vec<usize>,
    /// What Next.js prints.
    pub message: String,
}

/// A route that Next's route sorter rejects on its own (not a collision between routers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidRoute {
    pub file: usize,
    pub other: Option<usize>,
    pub message: String,
}

/// Everything wrong with a project's routes as a set.
#[derive(Debug, Default)]
pub struct RouteProblems {
    pub collisions: Vec<Collision>,
    pub invalid: Vec<InvalidRoute>,
}

/// Finds every collision and routing error among `files` (one project's).
pub fn find(files: &[RouteFile], bundler: Bundler) -> RouteProblems {
    let mut problems = RouteProblems::default();
    // Most patterns have one file: a hash map finds the others, which are then grouped in order.
    let mut first_file: FxHashMap<&str, usize> =
        FxHashMap::with_capacity_and_hasher(files.len(), FxBuildHasher);
    let mut shared: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, file) in files.iter().enumerate() {
        match first_file.entry(&file.pattern) {
            Entry::Vacant(vacant) => {
                vacant.insert(i);
            }
            Entry::Occupied(first) => shared
                .entry(&file.pattern)
                .or_insert_with(|| vec![*first.get()])
                .push(i),
        }
    }
    for (pattern, group) in &shared {
        same_path(files, pattern, group, bundler, &mut problems.collisions);
    }
    sorter_errors(files, &mut problems);
    problems
        .collisions
        .sort_by(|a, b| (&a.pattern, a.code, &a.files).cmp(&(&b.pattern, b.code, &b.files)));
    problems
}

/// Files that resolve to literally the same path.
fn same_path(
    files: &[RouteFile],
    pattern: &str,
    group: &[usize],
    bundler: Bundler,
    out: &mut Vec<Collision>,
) {
    let of = |kind: FileKind| {
        group
            .iter()
            .copied()
            .filter(|&i| files[i].kind == kind)
            .collect::<Vec<_>>()
    };
    let (app_routes, app_pages) = (of(FileKind::AppRoute), of(FileKind::AppPage));
    let pages: Vec<usize> = group
        .iter()
        .copied()
        .filter(|&i| files[i].router() == Router::Pages)
        .collect();
    let app: Vec<usize> = app_routes.iter().chain(&app_pages).copied().collect();
    let collision = |code, files: Vec<usize>, message: String| Collision {
        code,
        pattern: pattern.to_owned(),
        files,
        message,
    };
    let app_path = |i: usize| files[i].app_path.as_deref().unwrap_or_default();

    // Pages against App: Turbopack keys one map by pathname, app first.
    if let (Some(&a), Some(&p)) = (app.first(), pages.first()) {
        let message = match bundler {
            Bundler::Turbopack => format!(
                "App Router and Pages Router both match path: {pattern}\nNext.js does not support having both App Router and Pages Router routes matching the same path. Please remove one of the conflicting routes."
            ),
            Bundler::Webpack => format!(
                "Conflicting app and page file was found, please remove the conflicting files to continue:\n  \"{}\" - \"{}\"",
                files[p].rel, files[a].rel
            ),
        };
        out.push(collision(Code::AppPagesConflict, vec![p, a], message));
    }
    // Two pages files for one path (`users.ts` and `users/index.ts`).
    for pair in pages.windows(2) {
        let message = format!(
            "Duplicate page detected. {} and {} both resolve to {pattern}.",
            files[pair[0]].rel, files[pair[1]].rel
        );
        out.push(collision(Code::DuplicatePage, pair.to_vec(), message));
    }
    // A route and a page in the App Router.
    if let (Some(&r), Some(&p)) = (app_routes.first(), app_pages.first()) {
        let (route, page) = (strip_leaf(app_path(r)), strip_leaf(app_path(p)));
        let message = match bundler {
            Bundler::Turbopack => format!("Conflicting route and page at {pattern}: route at {route}/route and page at {page}/page"),
            Bundler::Webpack => format!(
                "You cannot have two parallel pages that resolve to the same path. Please check {page}/page and {route}/route."
            ),
        };
        out.push(collision(Code::RoutePageConflict, vec![r, p], message));
    }
    // The same route twice in the App Router (route groups). Turbopack names the later one first.
    for pair in app_routes.windows(2) {
        let (first, second) = (strip_leaf(app_path(pair[0])), strip_leaf(app_path(pair[1])));
        let (message, severity_note) = match bundler {
            Bundler::Turbopack => (format!("Conflicting routes at {pattern}: route at {second}/route and route at {first}/route"), ""),
            Bundler::Webpack => (
                format!("Two route files resolve to {pattern}: {first}/route and {second}/route"),
                " (webpack builds this; which one is served is unspecified)",
            ),
        };
        out.push(collision(
            Code::DuplicateAppRoute,
            pair.to_vec(),
            format!("{message}{severity_note}"),
        ));
    }
}

fn strip_leaf(app_path: &str) -> &str {
    app_path.rsplit_once('/').map_or(app_path, |(dir, _)| dir)
}

/// Runs Next's route sorter over both routers, App Router first as `next start` does. An error
/// between the two routers is a collision; one inside a router is an invalid route.
fn sorter_errors(files: &[RouteFile], problems: &mut RouteProblems) {
    // The sorter raises its errors about dynamic segments; a static route takes part in one only
    // as the route an optional catch-all beside it would shadow. Without an optional catch-all,
    // the static routes (most of a large project's) cannot be named in an error and stay out.
    let any_optional_catch_all = files.iter().any(|f| f.pattern.contains("[[..."));
    let mut order: Vec<usize> = (0..files.len())
        .filter(|&i| any_optional_catch_all || files[i].pattern.contains('['))
        .collect();
    order.sort_by(|&a, &b| {
        (files[a].router() != Router::App, &files[a].display)
            .cmp(&(files[b].router() != Router::App, &files[b].display))
    });
    let errors = sort_errors(order.iter().map(|&i| files[i].pattern.as_str()));
    for error in errors {
        let file = order[error.route];
        let other = error.other.map(|o| order[o]);
        match other {
            Some(other) if files[other].router() != files[file].router() => {
                problems.collisions.push(Collision {
                    code: Code::SlugNameMismatch,
                    pattern: files[file].pattern.clone(),
                    files: vec![other, file],
                    message: error.message,
                });
            }
            _ => problems.invalid.push(InvalidRoute {
                file,
                other,
                message: error.message,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(rel: &str, kind: FileKind, pattern: &str, app_path: Option<&str>) -> RouteFile {
        RouteFile {
            path: rel.into(),
            display: rel.to_owned(),
            rel: rel.to_owned(),
            kind,
            extension: "js".to_owned(),
            pattern: pattern.to_owned(),
            app_path: app_path.map(str::to_owned),
            intercepting: false,
        }
    }

    #[test]
    fn every_collision_kind_with_next_messages() {
        let files = vec![
            file("pages/api/x.js", FileKind::PagesApi, "/api/x", None),
            file(
                "app/api/x/route.js",
                FileKind::AppRoute,
                "/api/x",
                Some("/api/x/route"),
            ),
            file(
                "pages/api/d/[id].js",
                FileKind::PagesApi,
                "/api/d/[id]",
                None,
            ),
            file(
                "app/api/d/[slug]/route.js",
                FileKind::AppRoute,
                "/api/d/[slug]",
                Some("/api/d/[slug]/route"),
            ),
            file("pages/api/users.js", FileKind::PagesApi, "/api/users", None),
            file(
                "pages/api/users/index.js",
                FileKind::PagesApi,
                "/api/users",
                None,
            ),
            file(
                "app/api/y/route.js",
                FileKind::AppRoute,
                "/api/y",
                Some("/api/y/route"),
            ),
            file(
                "app/api/y/page.js",
                FileKind::AppPage,
                "/api/y",
                Some("/api/y/page"),
            ),
            file(
                "app/(a)/api/g/route.js",
                FileKind::AppRoute,
                "/api/g",
                Some("/(a)/api/g/route"),
            ),
            file(
                "app/(b)/api/g/route.js",
                FileKind::AppRoute,
                "/api/g",
                Some("/(b)/api/g/route"),
            ),
            file("pages/api/o/index.js", FileKind::PagesApi, "/api/o", None),
            file(
                "pages/api/o/[[...s]].js",
                FileKind::PagesApi,
                "/api/o/[[...s]]",
                None,
            ),
        ];
        let problems = find(&files, Bundler::Turbopack);
        let got: Vec<(Code, &str, &str)> = problems
            .collisions
            .iter()
            .map(|c| {
                (
                    c.code,
                    c.pattern.as_str(),
                    c.message.lines().next().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (Code::SlugNameMismatch, "/api/d/[id]", "You cannot use different slug names for the same dynamic path ('slug' !== 'id')."),
                (Code::DuplicateAppRoute, "/api/g", "Conflicting routes at /api/g: route at /(b)/api/g/route and route at /(a)/api/g/route"),
                (Code::DuplicatePage, "/api/users", "Duplicate page detected. pages/api/users.js and pages/api/users/index.js both resolve to /api/users."),
                (Code::AppPagesConflict, "/api/x", "App Router and Pages Router both match path: /api/x"),
                (Code::RoutePageConflict, "/api/y", "Conflicting route and page at /api/y: route at /api/y/route and page at /api/y/page"),
            ]
        );
        assert_eq!(problems.invalid.len(), 1);
        assert_eq!(
            problems.invalid[0].message,
            "You cannot define a route with the same specificity as a optional catch-all route (\"/api/o\" and \"/api/o[[...s]]\")."
        );
    }

    /// Static routes are left out of the sorter unless an optional catch-all exists: the errors
    /// found must be the ones the sorter raises over every route.
    #[test]
    fn leaving_static_routes_out_of_the_sorter_changes_no_error() {
        let patterns = [
            "/api",
            "/api/a",
            "/api/a/[id]",
            "/api/a/[slug]/x",
            "/api/b/[...r]",
            "/api/b/[[...o]]",
            "/api/c/[x]/[x]",
            "/api/d/[…d]",
            "/api/e/[...r]/f",
            "/api/o",
            "/api/o/[[...s]]",
        ];
        // Every subset of the patterns (2^11), each with and without its optional catch-alls.
        for mask in 0u32..(1 << patterns.len()) {
            let chosen: Vec<&str> = (0..patterns.len())
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| patterns[i])
                .collect();
            let files: Vec<RouteFile> = chosen
                .iter()
                .map(|p| file(&format!("pages{p}.js"), FileKind::PagesApi, p, None))
                .collect();
            let mut problems = RouteProblems::default();
            sorter_errors(&files, &mut problems);
            let got: Vec<(usize, Option<usize>, String)> = problems
                .invalid
                .into_iter()
                .map(|e| (e.file, e.other, e.message))
                .collect();
            let mut order: Vec<usize> = (0..files.len()).collect();
            order.sort_by(|&a, &b| files[a].display.cmp(&files[b].display));
            let want: Vec<(usize, Option<usize>, String)> =
                sort_errors(order.iter().map(|&i| files[i].pattern.as_str()))
                    .into_iter()
                    .map(|e| (order[e.route], e.other.map(|o| order[o]), e.message))
                    .collect();
            assert_eq!(got, want, "{chosen:?}");
        }
    }

    #[test]
    fn webpack_wording() {
        let files = vec![
            file("pages/api/x.js", FileKind::PagesApi, "/api/x", None),
            file(
                "app/api/x/route.js",
                FileKind::AppRoute,
                "/api/x",
                Some("/api/x/route"),
            ),
        ];
        let problems = find(&files, Bundler::Webpack);
        assert_eq!(
            problems.collisions[0].message,
            "Conflicting app and page file was found, please remove the conflicting files to continue:\n  \"pages/api/x.js\" - \"app/api/x/route.js\""
        );
    }
}
