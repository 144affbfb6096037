//! Project discovery: the Next.js root(s) under a directory, their routers, page extensions,
//! Next.js version and every routed file.

use std::path::{Path, PathBuf};

use serde::Serialize;
use walkdir::WalkDir;

use crate::next_config::{self, PageExtensions};
use crate::route::collisions::Bundler;
use crate::route::{app_location, pages_pattern, FileKind, RouteFile};

/// A Next.js project found on disk.
#[derive(Debug)]
pub struct Project {
    pub root: PathBuf,
    /// The root relative to the directory `migrate` was pointed at (`.` for itself).
    pub display_root: String,
    pub pages_dir: Option<PathBuf>,
    pub app_dir: Option<PathBuf>,
    pub page_extensions: PageExtensions,
    pub next: NextVersion,
    pub bundler: Bundler,
    /// Every routed file of both routers, pages included, sorted by path.
    pub files: Vec<RouteFile>,
    /// Paths the walk could not enter or read.
    pub walk_problems: Vec<WalkProblem>,
}

/// The Next.js version a project uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextVersion {
    pub major: Option<u32>,
    /// The exact version installed, or the range declared.
    pub version: Option<String>,
    pub source: VersionSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VersionSource {
    /// `node_modules/next/package.json`.
    Installed,
    /// The range in the project's `package.json`.
    Declared,
    Unknown,
}

/// A path the walk could not use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkProblem {
    pub display: String,
    pub message: String,
    /// A real IO failure (as opposed to a symlink loop, which is the tree's shape).
    pub io_failure: bool,
}

/// Why no project could be checked.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no Next.js project found in {0} (no package.json that depends on `next`, here, above or below)")]
    NotFound(PathBuf),
}

/// Finds the Next.js projects for `dir`: the one `dir` is in, or else every one below it.
pub fn discover(dir: &Path) -> Result<Vec<Project>, DiscoverError> {
    let dir = dir.canonicalize().map_err(|source| DiscoverError::Io {
        path: dir.to_owned(),
        source,
    })?;
    if let Some(root) = dir.ancestors().find(|d| depends_on_next(d)) {
        return Ok(vec![load_project(root, root.min(&dir))]);
    }
    let roots: Vec<PathBuf> = WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            !e.file_type().is_dir() || e.depth() == 0 || !skipped_while_searching(e.file_name())
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_dir() && depends_on_next(e.path()))
        .map(walkdir::DirEntry::into_path)
        .collect();
    if roots.is_empty() {
        return Err(DiscoverError::NotFound(dir));
    }
    Ok(roots.iter().map(|root| load_project(root, &dir)).collect())
}

/// Directories never searched for a project root: dependencies, build output, dot folders.
fn skipped_while_searching(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name == "node_modules" || name.starts_with('.')
}

fn read_json(path: &Path) -> Option<serde_json::Value> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

fn declared_next(package: &serde_json::Value) -> Option<&str> {
    ["dependencies", "devDependencies", "peerDependencies"]
        .iter()
        .find_map(|field| package.get(field)?.get("next")?.as_str())
}

fn depends_on_next(dir: &Path) -> bool {
    read_json(&dir.join("package.json")).is_some_and(|p| declared_next(&p).is_some())
}

fn load_project(root: &Path, base: &Path) -> Project {
    let package = read_json(&root.join("package.json")).unwrap_or_default();
    let next = next_version(root, &package);
    let bundler = bundler(&package, next.major);
    let page_extensions = next_config::page_extensions(root);
    let router_dir = |name: &str| {
        [root.join(name), root.join("src").join(name)]
            .into_iter()
            .find(|p| p.is_dir())
    };
    let (pages_dir, app_dir) = (router_dir("pages"), router_dir("app"));
    let mut walk = Walk {
        root,
        base,
        extensions: sorted_extensions(&page_extensions.list()),
        files: Vec::new(),
        problems: Vec::new(),
    };
    if let Some(pages) = &pages_dir {
        walk.pages(pages);
    }
    if let Some(app) = &app_dir {
        walk.app(app);
    }
    walk.files.sort_by(|a, b| a.display.cmp(&b.display));
    Project {
        root: root.to_owned(),
        display_root: relative(root, base).unwrap_or_else(|| ".".to_owned()),
        pages_dir,
        app_dir,
        page_extensions,
        next,
        bundler,
        files: walk.files,
        walk_problems: walk.problems,
    }
}

fn next_version(root: &Path, package: &serde_json::Value) -> NextVersion {
    let installed = read_json(&root.join("node_modules/next/package.json"))
        .and_then(|p| p.get("version")?.as_str().map(str::to_owned));
    let (version, source) = match (installed, declared_next(package)) {
        (Some(v), _) => (Some(v), VersionSource::Installed),
        (None, Some(range)) => (Some(range.to_owned()), VersionSource::Declared),
        (None, None) => (None, VersionSource::Unknown),
    };
    let major = version.as_deref().and_then(major_of);
    let source = if major.is_none() {
        VersionSource::Unknown
    } else {
        source
    };
    NextVersion {
        major,
        version,
        source,
    }
}

/// The major version in a version or a simple range (`16.4.6`, `^15.1`, `>=14`, `~13.5.0`).
fn major_of(range: &str) -> Option<u32> {
    let digits: String = range
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let starts_sanely = range
        .trim_start_matches(['^', '~', '>', '=', 'v', ' '])
        .starts_with(|c: char| c.is_ascii_digit());
    if starts_sanely {
        digits.parse().ok()
    } else {
        None
    }
}

fn bundler(package: &serde_json::Value, major: Option<u32>) -> Bundler {
    let build = package
        .pointer("/scripts/build")
        .and_then(|b| b.as_str())
        .unwrap_or("");
    if build.contains("--webpack") {
        Bundler::Webpack
    } else if build.contains("--turbo") || major.is_none_or(|m| m >= 16) {
        Bundler::Turbopack
    } else {
        Bundler::Webpack
    }
}

/// Longest first, so `api.ts` wins over `ts` for `x.api.ts`.
fn sorted_extensions(list: &[String]) -> Vec<String> {
    let mut list = list.to_vec();
    list.sort_by_key(|e| std::cmp::Reverse(e.len()));
    list
}

fn relative(path: &Path, base: &Path) -> Option<String> {
    let rel = path.strip_prefix(base).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

struct Walk<'a> {
    root: &'a Path,
    base: &'a Path,
    extensions: Vec<String>,
    files: Vec<RouteFile>,
    problems: Vec<WalkProblem>,
}

impl Walk<'_> {
    /// The page extension of a file name and the name without it.
    fn split_extension<'n>(&self, name: &'n str) -> Option<(&'n str, String)> {
        self.extensions.iter().find_map(|ext| {
            let stem = name.strip_suffix(ext.as_str())?.strip_suffix('.')?;
            (!stem.is_empty()).then(|| (stem, ext.clone()))
        })
    }

    /// Files under `dir`, following symlinks; loops and unreadable entries become problems.
    fn files_under(&mut self, dir: &Path, skip_private: bool) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let walker = WalkDir::new(dir)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                !(skip_private
                    && e.depth() > 0
                    && e.file_type().is_dir()
                    && e.file_name().to_string_lossy().starts_with('_'))
            });
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_file() => out.push(e.into_path()),
                Ok(_) => {}
                Err(e) => self.problem(&e),
            }
        }
        out
    }

    fn problem(&mut self, error: &walkdir::Error) {
        let path = error.path().unwrap_or(self.root);
        let display = relative(path, self.base).unwrap_or_else(|| path.display().to_string());
        let (message, io_failure) = match error.loop_ancestor() {
            Some(ancestor) => (
                format!(
                    "symlink loop: this link leads back to {}; not followed",
                    relative(ancestor, self.base).unwrap_or_default()
                ),
                false,
            ),
            None => (
                format!(
                    "cannot read: {}",
                    error
                        .io_error()
                        .map_or_else(|| error.to_string(), ToString::to_string)
                ),
                true,
            ),
        };
        self.problems.push(WalkProblem {
            display,
            message,
            io_failure,
        });
    }

    fn route_file(
        &self,
        path: PathBuf,
        kind: FileKind,
        extension: String,
        pattern: String,
    ) -> RouteFile {
        RouteFile {
            display: relative(&path, self.base).unwrap_or_else(|| path.display().to_string()),
            rel: relative(&path, self.root).unwrap_or_default(),
            path,
            kind,
            extension,
            pattern,
            app_path: None,
            intercepting: false,
        }
    }

    fn pages(&mut self, pages: &Path) {
        for path in self.files_under(pages, false) {
            let Ok(inside) = path.strip_prefix(pages) else {
                continue;
            };
            let inside = inside.to_string_lossy().replace('\\', "/");
            let (dir, name) = inside.rsplit_once('/').unwrap_or(("", &inside));
            let Some((stem, extension)) = self.split_extension(name) else {
                continue;
            };
            if dir.is_empty() && matches!(stem, "_app" | "_document" | "_error") {
                continue;
            }
            let pattern = pages_pattern(&if dir.is_empty() {
                stem.to_owned()
            } else {
                format!("{dir}/{stem}")
            });
            let kind = if pattern == "/api" || pattern.starts_with("/api/") {
                FileKind::PagesApi
            } else {
                FileKind::PagesPage
            };
            let file = self.route_file(path, kind, extension, pattern);
            self.files.push(file);
        }
    }

    fn app(&mut self, app: &Path) {
        for path in self.files_under(app, true) {
            let Ok(inside) = path.strip_prefix(app) else {
                continue;
            };
            let inside = inside.to_string_lossy().replace('\\', "/");
            let mut dirs: Vec<&str> = inside.split('/').collect();
            let Some(name) = dirs.pop() else { continue };
            let Some((stem, extension)) = self.split_extension(name) else {
                continue;
            };
            let kind = match stem {
                "route" => FileKind::AppRoute,
                "page" => FileKind::AppPage,
                _ => continue,
            };
            let Some(location) = app_location(&dirs, stem) else {
                continue;
            };
            let mut file = self.route_file(path, kind, extension, location.pattern);
            file.app_path = Some(location.app_path);
            file.intercepting = location.intercepting;
            self.files.push(file);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majors() {
        assert_eq!(major_of("16.4.6"), Some(16));
        assert_eq!(major_of("^15.1.0"), Some(15));
        assert_eq!(major_of(">=14"), Some(14));
        assert_eq!(major_of("latest"), None);
        assert_eq!(major_of("workspace:*"), None);
    }
}
