//! The route model: which files are routes, the URL pattern each one serves, how Next.js orders
//! and matches them, and where the two routers collide. `check` reports it; `serve` matches
//! requests against it.

pub mod collisions;
pub mod matcher;
pub mod sorted;

use std::path::PathBuf;

use serde::Serialize;

/// Which router a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Router {
    Pages,
    App,
}

impl Router {
    pub fn as_str(self) -> &'static str {
        match self {
            Router::Pages => "pages",
            Router::App => "app",
        }
    }
}

/// What a routed file is. Only API routes and route handlers are migrated; pages take part in
/// ordering and collisions because Next.js routes them in the same tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// `pages/api/**`: a `handler(req, res)`.
    PagesApi,
    /// Any other file under `pages/` (a React page).
    PagesPage,
    /// `app/**/route.<ext>`: a route handler.
    AppRoute,
    /// `app/**/page.<ext>`.
    AppPage,
}

impl FileKind {
    pub fn router(self) -> Router {
        match self {
            FileKind::PagesApi | FileKind::PagesPage => Router::Pages,
            FileKind::AppRoute | FileKind::AppPage => Router::App,
        }
    }

    /// True for the files `migrate` analyses and serves.
    pub fn is_api(self) -> bool {
        matches!(self, FileKind::PagesApi | FileKind::AppRoute)
    }
}

/// One routed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteFile {
    /// The file on disk.
    pub path: PathBuf,
    /// The path relative to the directory `migrate` was pointed at, with `/` separators.
    pub display: String,
    /// The path relative to the project root, as Next names the file in its messages.
    pub rel: String,
    pub kind: FileKind,
    /// The page extension it matched (`ts`, `api.ts`, …).
    pub extension: String,
    /// The URL pattern, e.g. `/api/posts/[id]`.
    pub pattern: String,
    /// For App Router files, the path with groups and slots kept, e.g. `/(a)/api/x/route`, which
    /// is how Next names the file in its conflict messages.
    pub app_path: Option<String>,
    /// An intercepting marker (`(.)`, `(..)`, `(...)`) sits above this file.
    pub intercepting: bool,
}

impl RouteFile {
    pub fn router(&self) -> Router {
        self.kind.router()
    }

    /// The names of the route's dynamic parameters, in order.
    pub fn param_names(&self) -> Vec<String> {
        // Most routes are static: no segments to split (this runs once per file checked).
        if !self.pattern.contains('[') {
            return Vec::new();
        }
        segments(&self.pattern)
            .into_iter()
            .filter_map(|s| match s {
                Segment::Static(_) => None,
                Segment::Dynamic(n) | Segment::CatchAll(n) | Segment::OptionalCatchAll(n) => {
                    Some(n)
                }
            })
            .collect()
    }
}

/// One segment of a URL pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    Static(String),
    /// `[id]`
    Dynamic(String),
    /// `[...slug]`
    CatchAll(String),
    /// `[[...slug]]`
    OptionalCatchAll(String),
}

/// Splits a pattern into segments. Malformed bracket segments (which the route sorter reports)
/// are kept as static text.
pub fn segments(pattern: &str) -> Vec<Segment> {
    pattern
        .split('/')
        .filter(|s| !s.is_empty())
        .map(segment)
        .collect()
}

fn segment(raw: &str) -> Segment {
    let inner = |s: &str| {
        s.strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .map(str::to_owned)
    };
    if let Some(name) = raw.strip_prefix("[[...").and_then(|s| s.strip_suffix("]]")) {
        return Segment::OptionalCatchAll(name.to_owned());
    }
    if let Some(name) = raw.strip_prefix("[...").and_then(|s| s.strip_suffix(']')) {
        return Segment::CatchAll(name.to_owned());
    }
    match inner(raw) {
        Some(name) if !name.starts_with('[') && !name.ends_with(']') => Segment::Dynamic(name),
        _ => Segment::Static(raw.to_owned()),
    }
}

/// True when the pattern has a dynamic segment.
pub fn is_dynamic(pattern: &str) -> bool {
    segments(pattern)
        .iter()
        .any(|s| !matches!(s, Segment::Static(_)))
}

/// The URL pattern of a file under `pages/`, given its path inside `pages/` without the page
/// extension (`api/users/index` → `/api/users`). Mirrors Next's `getPageFromPath`: one trailing
/// `/index` is dropped.
pub fn pages_pattern(path_without_extension: &str) -> String {
    let page = format!("/{}", path_without_extension.trim_start_matches('/'));
    let page = page.strip_suffix("/index").unwrap_or(&page);
    if page.is_empty() {
        "/".to_owned()
    } else {
        page.to_owned()
    }
}

/// The routing facts of an App Router file, from its directory segments inside `app/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppLocation {
    pub pattern: String,
    pub app_path: String,
    pub intercepting: bool,
}

/// Maps the directories above an `app/` file to its URL (Next's `normalizeAppPath`): route
/// groups `(g)` and slots `@s` are dropped, a leading `%5F` is decoded to `_`. Returns `None`
/// for files in a private `_folder`, which Next does not route.
pub fn app_location(dirs: &[&str], leaf: &str) -> Option<AppLocation> {
    let mut url = Vec::new();
    let mut intercepting = false;
    for dir in dirs {
        if dir.starts_with('_') {
            return None;
        }
        if dir.starts_with('@') || (dir.starts_with('(') && dir.ends_with(')')) {
            continue;
        }
        if dir.starts_with("(.)") || dir.starts_with("(..)") || dir.starts_with("(...)") {
            intercepting = true;
        }
        let decoded = match dir.get(..3) {
            Some(p) if p.eq_ignore_ascii_case("%5F") => format!("_{}", &dir[3..]),
            _ => (*dir).to_owned(),
        };
        url.push(decoded);
    }
    let mut app_path = String::new();
    for dir in dirs {
        app_path.push('/');
        app_path.push_str(dir);
    }
    app_path.push('/');
    app_path.push_str(leaf);
    Some(AppLocation {
        pattern: format!("/{}", url.join("/")),
        app_path,
        intercepting,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_patterns() {
        assert_eq!(pages_pattern("api/index"), "/api");
        assert_eq!(pages_pattern("api/users/index"), "/api/users");
        assert_eq!(pages_pattern("api/users"), "/api/users");
        assert_eq!(pages_pattern("api/index/index"), "/api/index");
        assert_eq!(pages_pattern("index"), "/");
        assert_eq!(pages_pattern("api/feed/google.xml"), "/api/feed/google.xml");
    }

    #[test]
    fn app_locations() {
        let loc = app_location(&["(shop)", "api", "@modal", "x"], "route").unwrap();
        assert_eq!(loc.pattern, "/api/x");
        assert_eq!(loc.app_path, "/(shop)/api/@modal/x/route");
        assert!(app_location(&["api", "_private"], "route").is_none());
        assert_eq!(
            app_location(&["api", "%5Fescaped"], "route")
                .unwrap()
                .pattern,
            "/api/_escaped"
        );
        assert!(
            app_location(&["api", "(.)photo"], "route")
                .unwrap()
                .intercepting
        );
        assert_eq!(app_location(&[], "route").unwrap().pattern, "/");
        assert_eq!(
            app_location(&[".well-known", "x"], "route")
                .unwrap()
                .pattern,
            "/.well-known/x"
        );
    }

    #[test]
    fn segment_kinds() {
        assert_eq!(
            segments("/api/[id]/[...rest]/[[...opt]]/x"),
            vec![
                Segment::Static("api".into()),
                Segment::Dynamic("id".into()),
                Segment::CatchAll("rest".into()),
                Segment::OptionalCatchAll("opt".into()),
                Segment::Static("x".into()),
            ]
        );
    }
}
