//! Files inside `pages/api` that other routes import. Large APIs keep per-method modules and
//! middleware beside their routes (`pages/api/users/index.ts` loading `./_get.ts`,
//! `./_auth-middleware.ts`). Next routes every one of them publicly (`/api/users/_get`), where
//! they run without the wrappers their importer applies, or answer 500 without a default
//! export. This module builds the import graph over `pages/api` to find them.

use std::path::Path;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::route::{FileKind, RouteFile};

/// A `pages/api` file that other `pages/api` files import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutedModule {
    /// Index of the imported file.
    pub module: usize,
    /// Indices of the files that import it, sorted.
    pub importers: Vec<usize>,
}

/// Every `pages/api` file imported by another one. `imports` gives, for a file index, the
/// relative module specifiers it loads (`./_get`, `../lib/db`).
pub fn find(files: &[RouteFile], imports: &[(usize, &[String])]) -> Vec<RoutedModule> {
    // `pages/api/users/_get.ts` answers to `…/users/_get` (and to `…/users/_get.ts`, `.js`,
    // as ESM TypeScript writes it); `users/index.ts` to `…/users` too.
    if imports.is_empty() {
        return Vec::new();
    }
    // Not gathered in a list: most projects need them only for the prefix below.
    let keys = || {
        files
            .iter()
            .enumerate()
            .filter_map(|(i, file)| Some((i, module_keys(file)?)))
    };
    // Most relative imports leave `pages/api` (`../../lib/db`): an import can only name a
    // routed file if it starts as every key does, and when none does, no table is built.
    let Some(prefix) = keys().flat_map(|(_, k)| k.all()).reduce(|prefix, key| {
        if key.starts_with(prefix) {
            prefix
        } else {
            common_prefix(prefix, key)
        }
    }) else {
        return Vec::new();
    };
    let targets: Vec<(usize, String)> = imports
        .par_iter()
        .flat_map_iter(|&(importer, specifiers)| {
            let dir = files[importer].path.parent().and_then(Path::to_str);
            specifiers
                .iter()
                .filter_map(move |specifier| Some((importer, join_normalized(dir?, specifier))))
        })
        .filter(|(_, target)| target.starts_with(prefix))
        .collect();
    if targets.is_empty() {
        return Vec::new();
    }
    // Keyed by text borrowed from the files' own paths: no allocation per file, and hashing a
    // string is far cheaper than hashing a `Path` component by component.
    let mut by_path: FxHashMap<&str, usize> =
        FxHashMap::with_capacity_and_hasher(files.len() * 2, rustc_hash::FxBuildHasher);
    for (i, ModuleKeys { path, stem, dir }) in keys() {
        if let Some(dir) = dir {
            by_path.entry(dir).or_insert(i);
        }
        by_path.entry(stem).or_insert(i);
        by_path.insert(path, i);
    }
    let mut importers: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
    for (importer, target) in &targets {
        let found = by_path.get(target.as_str()).or_else(|| {
            // `./_get.js` naming `_get.ts`.
            let name_start = target.rfind('/').map_or(0, |i| i + 1);
            let dot = target[name_start..].rfind('.').filter(|&d| d > 0)?;
            by_path.get(&target[..name_start + dot])
        });
        if let Some(&module) = found.filter(|&&m| m != *importer) {
            importers.entry(module).or_default().push(*importer);
        }
    }
    let mut modules: Vec<RoutedModule> = importers
        .into_iter()
        .map(|(module, mut importers)| {
            importers.sort_unstable();
            importers.dedup();
            RoutedModule { module, importers }
        })
        .collect();
    modules.sort_by_key(|m| m.module);
    modules
}

/// The texts an import of a `pages/api` file can name it by: its path, the path without the
/// extension, and for an `index` file its folder.
#[derive(Clone, Copy)]
struct ModuleKeys<'a> {
    path: &'a str,
    stem: &'a str,
    dir: Option<&'a str>,
}

impl<'a> ModuleKeys<'a> {
    fn all(self) -> impl Iterator<Item = &'a str> {
        [self.path, self.stem].into_iter().chain(self.dir)
    }
}

fn module_keys(file: &RouteFile) -> Option<ModuleKeys<'_>> {
    if file.kind != FileKind::PagesApi {
        return None;
    }
    let path = file.path.to_str()?;
    // Discovery's paths come from a directory walk: no `.` or `..` to normalise away.
    let stem = path
        .strip_suffix(file.extension.as_str())
        .and_then(|s| s.strip_suffix('.'))
        .unwrap_or(path);
    Some(ModuleKeys {
        path,
        stem,
        dir: stem.strip_suffix("/index"),
    })
}

/// The longest start `a` and `b` share, cut at a character boundary.
fn common_prefix<'a>(a: &'a str, b: &str) -> &'a str {
    let mut len = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !a.is_char_boundary(len) {
        len -= 1;
    }
    &a[..len]
}

/// `specifier` (`./_get`, `../lib/db`) taken from directory `dir`, with `.` and `..` worked out
/// without touching the file system (`a/./b/../c` is `a/c`; a `..` with nothing to undo
/// stays). Text, not `Path` components: this runs once per relative import of every route.
fn join_normalized(dir: &str, specifier: &str) -> String {
    let separator = std::path::MAIN_SEPARATOR;
    let mut parts: Vec<&str> = Vec::with_capacity(16);
    for part in dir
        .split(separator)
        .chain(specifier.split(['/', separator]))
    {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ => parts.push(".."),
            },
            part => parts.push(part),
        }
    }
    let mut joined = String::with_capacity(dir.len() + specifier.len() + 1);
    for (n, part) in parts.iter().enumerate() {
        if n > 0 || dir.starts_with(separator) {
            joined.push(separator);
        }
        joined.push_str(part);
    }
    joined
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn file(path: &str, kind: FileKind) -> RouteFile {
        RouteFile {
            path: PathBuf::from(path),
            display: path.to_owned(),
            rel: path.to_owned(),
            kind,
            extension: path.rsplit('.').next().unwrap().to_owned(),
            pattern: String::new(),
            app_path: None,
            intercepting: false,
        }
    }

    #[test]
    fn normalizes_without_the_file_system() {
        assert_eq!(
            join_normalized("../p/pages/./api/x", "../_get"),
            "../p/pages/api/_get"
        );
        assert_eq!(join_normalized("/p/a", "../../b"), "/b");
        assert_eq!(join_normalized("/p", "../../b"), "/../b");
        assert_eq!(join_normalized("p/api", "./_utils//x/"), "p/api/_utils/x");
        assert_eq!(join_normalized("./pages/api", "../../lib"), "lib");
        assert_eq!(join_normalized("pages", "../../lib"), "../lib");
        assert_eq!(join_normalized("", "./_get"), "_get");
    }

    #[test]
    fn common_prefixes_end_on_a_character() {
        assert_eq!(common_prefix("/p/api/é", "/p/api/è"), "/p/api/");
        assert_eq!(common_prefix("/p/api/x", "/p/api/x.ts"), "/p/api/x");
        assert_eq!(common_prefix("/p", "/q"), "/");
    }

    #[test]
    fn a_lone_module_is_found_by_its_stem() {
        let files = vec![
            file("/p/pages/api/x.ts", FileKind::PagesApi),
            file("/p/pages/api/y.ts", FileKind::PagesApi),
        ];
        let imports = vec!["./x".to_owned()];
        let found = find(&files[..1], &[(0, &imports)]);
        assert!(found.is_empty(), "a file importing itself is not a module");
        assert_eq!(
            find(&files, &[(1, &imports)]),
            vec![RoutedModule {
                module: 0,
                importers: vec![1]
            }]
        );
    }

    #[test]
    fn finds_the_modules_routes_import() {
        let files = vec![
            file("/p/pages/api/users/index.ts", FileKind::PagesApi),
            file("/p/pages/api/users/_get.ts", FileKind::PagesApi),
            file("/p/pages/api/users/_post.js", FileKind::PagesApi),
            file("/p/pages/api/_utils/index.ts", FileKind::PagesApi),
            file("/p/pages/api/other.ts", FileKind::PagesApi),
            file("/p/app/api/x/route.ts", FileKind::AppRoute),
        ];
        let users = vec![
            "./_get".to_owned(),
            "./_post.js".to_owned(),
            "../_utils".to_owned(),
            "../../../lib/db".to_owned(),
        ];
        let other = vec!["./users/_get.js".to_owned(), "./other".to_owned()];
        let found = find(&files, &[(0, &users), (4, &other)]);
        assert_eq!(
            found,
            vec![
                RoutedModule {
                    module: 1,
                    importers: vec![0, 4]
                },
                RoutedModule {
                    module: 2,
                    importers: vec![0]
                },
                RoutedModule {
                    module: 3,
                    importers: vec![0]
                },
            ]
        );
    }
}
