//! Project discovery: the Next.js root(s) under a directory, their routers, page extensions,
//! Next.js version and every routed file.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use walkdir::WalkDir;

use crate::next_config::{self, PageExtensions};
use crate::route::collisions::Bundler;
use crate::route::{app_location, pages_pattern, FileKind, RouteFile};

/// A Next.js project found on disk.
#[derive(Debug)]
pub struct Project {
    pub root: PathBuf,
    /// The root relative to where `migrate` runs (`.` for itself).
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

/// The first Next.js major with an App Router (stable from 13.4): before it, a route handler is a
/// file Next ignores.
pub const FIRST_APP_ROUTER_MAJOR: u32 = 13;

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
    // The cause is printed after this, as the error chain.
    #[error("cannot read {path}")]
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
    // Paths are shown relative to where `migrate` runs, as compilers and linters do, so that
    // editors and CI annotations can open them.
    let base = std::env::current_dir()
        .and_then(|d| d.canonicalize())
        .unwrap_or_else(|_| dir.clone());
    if let Some(root) = dir.ancestors().find(|d| depends_on_next(d)) {
        return Ok(vec![load_project(root, &base)]);
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
    Ok(roots.iter().map(|root| load_project(root, &base)).collect())
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
    // Paths are unique, so an unstable sort gives the one order; in parallel, as the walk was.
    walk.files
        .par_sort_unstable_by(|a, b| a.display.cmp(&b.display));
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

/// `path` relative to `base` with `/` separators (`../` where it lies outside), or `None` when
/// they are the same directory.
fn relative(path: &Path, base: &Path) -> Option<String> {
    let rel = pathdiff::diff_paths(path, base)?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// How a router directory's files are named: its path relative to where `migrate` runs,
/// and to the project root, each with a trailing `/` (or empty).
struct RouterDir {
    display: String,
    rel: String,
}

/// A file's path inside `dir`, with `/` separators. Walked paths start with `dir` byte for
/// byte, so slicing the string is enough (and far cheaper than `Path::strip_prefix`).
fn inside(dir: &Path, path: &Path) -> Option<String> {
    let (dir, path) = (dir.to_str()?, path.to_str()?);
    let rest = path.strip_prefix(dir)?.trim_start_matches('/');
    Some(if std::path::MAIN_SEPARATOR == '/' {
        rest.to_owned()
    } else {
        rest.replace(std::path::MAIN_SEPARATOR, "/")
    })
}

/// Files, symlinks and unreadable paths found under a directory.
#[derive(Default)]
struct Listing {
    files: Vec<PathBuf>,
    links: Vec<PathBuf>,
    errors: Vec<(PathBuf, std::io::Error)>,
}

impl Listing {
    /// The listings of many directories as one, each path moved once: merged level by level
    /// up the tree, a large `pages/api` had every path copied once per level, into vectors
    /// grown (and their memory first touched) as many times.
    fn concat(listings: Vec<Listing>) -> Listing {
        let total = |count: fn(&Listing) -> usize| listings.iter().map(count).sum::<usize>();
        let mut all = Listing {
            files: Vec::with_capacity(total(|l| l.files.len())),
            links: Vec::with_capacity(total(|l| l.links.len())),
            errors: Vec::with_capacity(total(|l| l.errors.len())),
        };
        for listing in listings {
            all.files.extend(listing.files);
            all.links.extend(listing.links);
            all.errors.extend(listing.errors);
        }
        all
    }
}

/// Everything under `dir`, links not followed, each subdirectory listed in parallel; with
/// `skip_private`, folders named `_…` are left out (the App Router's private folders). The
/// directory entry says what each entry is: no `stat` per file. One listing per directory, in
/// no particular order, for [`Listing::concat`].
fn list_tree(dir: &Path, skip_private: bool) -> Vec<Listing> {
    let mut listing = Listing::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            listing.errors.push((dir.to_owned(), error));
            return vec![listing];
        }
    };
    let mut subdirs = Vec::new();
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                listing.errors.push((dir.to_owned(), error));
                continue;
            }
        };
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => {
                let private = skip_private && entry.file_name().to_string_lossy().starts_with('_');
                if !private {
                    subdirs.push(entry.path());
                }
            }
            Ok(kind) if kind.is_file() => listing.files.push(entry.path()),
            Ok(kind) if kind.is_symlink() => listing.links.push(entry.path()),
            Ok(_) => {}
            Err(error) => listing.errors.push((entry.path(), error)),
        }
    }
    let mut listings = list_trees(&subdirs, skip_private);
    listings.push(listing);
    listings
}

/// [`list_tree`] of each of `dirs`, in parallel.
fn list_trees(dirs: &[PathBuf], skip_private: bool) -> Vec<Listing> {
    dirs.par_iter()
        .flat_map_iter(|dir| list_tree(dir, skip_private))
        .collect()
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
    /// The walk itself does not follow links, so it needs no `stat` per entry (the directory
    /// listing says what each entry is); the rare symlink is resolved on its own.
    fn files_under(&mut self, dir: &Path, skip_private: bool) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut links = Vec::new();
        self.walk(dir, false, skip_private, &mut out, &mut links);
        for link in links {
            match std::fs::metadata(&link) {
                Ok(meta) if meta.is_file() => out.push(link),
                Ok(meta) if meta.is_dir() => {
                    if skip_private
                        && link
                            .file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with('_'))
                    {
                        continue;
                    }
                    let target = link.canonicalize().ok();
                    let parent = link.parent().and_then(|p| p.canonicalize().ok());
                    match (target, parent) {
                        (Some(target), Some(parent)) if parent.starts_with(&target) => {
                            let display = relative(&link, self.base)
                                .unwrap_or_else(|| link.display().to_string());
                            let ancestor = relative(&target, self.base)
                                .unwrap_or_else(|| target.display().to_string());
                            self.problems.push(WalkProblem {
                                display,
                                message: format!("symlink loop: this link leads back to {ancestor}; not followed"),
                                io_failure: false,
                            });
                        }
                        _ => self.walk(&link, true, skip_private, &mut out, &mut Vec::new()),
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    let display =
                        relative(&link, self.base).unwrap_or_else(|| link.display().to_string());
                    self.problems.push(WalkProblem {
                        display,
                        message: format!("cannot read: {e}"),
                        io_failure: true,
                    });
                }
            }
        }
        // Paths are handled as text from here on; say which ones cannot be (as good as never:
        // the list is then kept as it is, not copied).
        if out.iter().all(|p| p.to_str().is_some()) {
            return out;
        }
        let (text, not_text): (Vec<PathBuf>, Vec<PathBuf>) =
            out.into_iter().partition(|p| p.to_str().is_some());
        for path in not_text {
            self.problems.push(WalkProblem {
                display: relative(&path, self.base).unwrap_or_else(|| path.display().to_string()),
                message: "the path is not valid UTF-8; it is not analysed".to_owned(),
                io_failure: false,
            });
        }
        text
    }

    /// Walks `dir`; its subdirectories are walked in parallel (a large `pages/api` spends
    /// most of its discovery time listing directories).
    fn walk(
        &mut self,
        dir: &Path,
        follow: bool,
        skip_private: bool,
        out: &mut Vec<PathBuf>,
        links: &mut Vec<PathBuf>,
    ) {
        let private = |e: &walkdir::DirEntry| {
            skip_private
                && e.file_type().is_dir()
                && e.file_name().to_string_lossy().starts_with('_')
        };
        let mut subdirs = Vec::new();
        for entry in WalkDir::new(dir)
            .follow_links(follow)
            .min_depth(1)
            .max_depth(1)
        {
            match entry {
                Ok(e) if private(&e) => {}
                Ok(e) if e.file_type().is_dir() => subdirs.push(e.into_path()),
                Ok(e) if e.file_type().is_file() => out.push(e.into_path()),
                Ok(e) if e.file_type().is_symlink() => links.push(e.into_path()),
                Ok(_) => {}
                Err(e) => self.problem(&e),
            }
        }
        if !follow {
            // Without links to follow there are no loops to detect: every level is listed in
            // parallel (`pages/api` alone often holds the whole tree).
            let listing = Listing::concat(list_trees(&subdirs, skip_private));
            out.extend(listing.files);
            links.extend(listing.links);
            for (path, error) in &listing.errors {
                self.io_problem(path, error);
            }
            return;
        }
        let walked: Vec<(Vec<PathBuf>, Vec<PathBuf>, Vec<walkdir::Error>)> = subdirs
            .par_iter()
            .map(|subdir| {
                let (mut files, mut links, mut errors) = (Vec::new(), Vec::new(), Vec::new());
                for entry in WalkDir::new(subdir)
                    .follow_links(follow)
                    .into_iter()
                    .filter_entry(|e| e.depth() == 0 || !private(e))
                {
                    match entry {
                        Ok(e) if e.file_type().is_file() => files.push(e.into_path()),
                        Ok(e) if e.file_type().is_symlink() => links.push(e.into_path()),
                        Ok(_) => {}
                        Err(e) => errors.push(e),
                    }
                }
                (files, links, errors)
            })
            .collect();
        for (files, found_links, errors) in walked {
            out.extend(files);
            links.extend(found_links);
            for error in &errors {
                self.problem(error);
            }
        }
    }

    fn io_problem(&mut self, path: &Path, error: &std::io::Error) {
        let display = relative(path, self.base).unwrap_or_else(|| path.display().to_string());
        self.problems.push(WalkProblem {
            display,
            message: format!("cannot read: {error}"),
            io_failure: true,
        });
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

    /// A routed file, given its path inside the router directory (`inside`, with `/`).
    fn route_file(
        router: &RouterDir,
        path: PathBuf,
        inside: &str,
        kind: FileKind,
        extension: String,
        pattern: String,
    ) -> RouteFile {
        RouteFile {
            display: [router.display.as_str(), inside].concat(),
            rel: [router.rel.as_str(), inside].concat(),
            path,
            kind,
            extension,
            pattern,
            app_path: None,
            intercepting: false,
        }
    }

    fn router_dir(&self, dir: &Path) -> RouterDir {
        let prefix =
            |base: &Path| relative(dir, base).map_or_else(String::new, |r| format!("{r}/"));
        RouterDir {
            display: prefix(self.base),
            rel: prefix(self.root),
        }
    }

    fn pages(&mut self, pages: &Path) {
        let router = self.router_dir(pages);
        let paths = self.files_under(pages, false);
        let this = &*self;
        // Mapped, not filtered, in parallel: rayon then writes each result in its place in one
        // vector (a filter gathers them in a list of vectors grown one push at a time).
        let files: Vec<Option<RouteFile>> = paths
            .into_par_iter()
            .map(|path| this.page_file(&router, pages, path))
            .collect();
        // In place: an `Option<RouteFile>` is as large as a `RouteFile`.
        let mut files: Vec<RouteFile> = files.into_iter().flatten().collect();
        if self.files.is_empty() {
            self.files = files;
        } else {
            self.files.append(&mut files);
        }
    }

    /// The route a file under `pages/` is, if it is one.
    fn page_file(&self, router: &RouterDir, pages: &Path, path: PathBuf) -> Option<RouteFile> {
        let inside = inside(pages, &path)?;
        let (dir, name) = inside.rsplit_once('/').unwrap_or(("", &inside));
        let (stem, extension) = self.split_extension(name)?;
        if dir.is_empty() && matches!(stem, "_app" | "_document" | "_error") {
            return None;
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
        Some(Self::route_file(
            router, path, &inside, kind, extension, pattern,
        ))
    }

    fn app(&mut self, app: &Path) {
        let router = self.router_dir(app);
        for path in self.files_under(app, true) {
            let Some(inside) = inside(app, &path) else {
                continue;
            };
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
            let mut file =
                Self::route_file(&router, path, &inside, kind, extension, location.pattern);
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
