//! The routes `serve` answers: every `pages/api` route and every App Router `route` file of the
//! project, in one table matched as Next matches (`migrate check`'s route model: static App,
//! static Pages, then one sorted dynamic list, App first where both routers define a pattern).

use std::path::{Path, PathBuf};

use migrate_rewrite::check::{self, CollisionReport};
use migrate_rewrite::project::Project;
use migrate_rewrite::route::matcher::{RouteTable, TableRoute};
use migrate_rewrite::route::{is_dynamic, FileKind, Router};
use serde::Serialize;

use crate::compile;

/// One route and the compiled module that answers it.
#[derive(Debug, Clone, Serialize)]
pub struct ServedRoute {
    pub pattern: String,
    pub router: &'static str,
    /// The source file, relative to the project root.
    pub file: String,
    #[serde(skip)]
    pub module: PathBuf,
    #[serde(skip)]
    pub dynamic: bool,
    /// Another route of the other router has the same pattern and wins (App over Pages).
    pub shadowed: bool,
}

/// The table and the routes it indexes.
pub struct Routes {
    pub table: RouteTable,
    pub routes: Vec<ServedRoute>,
    pub collisions: Vec<CollisionReport>,
}

impl Routes {
    /// The Pages route that App route `index` shadows (the same pattern), if any.
    pub fn shadowed_by(&self, index: usize) -> Option<usize> {
        let app = &self.routes[index];
        (app.router == "app")
            .then(|| {
                self.routes
                    .iter()
                    .position(|r| r.shadowed && r.pattern == app.pattern)
            })
            .flatten()
    }
}

impl Routes {
    /// The routes of `project`, their modules compiled under `cache`.
    pub fn of(project: &Project, cache: &Path) -> Routes {
        let files: Vec<_> = project
            .files
            .iter()
            .filter(|f| matches!(f.kind, FileKind::PagesApi | FileKind::AppRoute))
            .collect();
        let mut routes: Vec<ServedRoute> = files
            .iter()
            .map(|file| ServedRoute {
                pattern: file.pattern.clone(),
                router: match file.router() {
                    Router::App => "app",
                    Router::Pages => "pages",
                },
                file: file
                    .path
                    .strip_prefix(&project.root)
                    .unwrap_or(&file.path)
                    .display()
                    .to_string(),
                module: compile::output_path(&project.root, cache, &file.path),
                dynamic: is_dynamic(&file.pattern),
                shadowed: false,
            })
            .collect();
        let app_patterns: std::collections::HashSet<String> = routes
            .iter()
            .filter(|r| r.router == "app")
            .map(|r| r.pattern.clone())
            .collect();
        for route in &mut routes {
            route.shadowed = route.router == "pages" && app_patterns.contains(&route.pattern);
        }
        let table = RouteTable::new(
            files
                .iter()
                .map(|f| TableRoute {
                    pattern: f.pattern.clone(),
                    router: f.router(),
                })
                .collect(),
        );
        let collisions = check::route_collisions(project);
        Routes {
            table,
            routes,
            collisions,
        }
    }
}
