//! Project files that stay where they are and import a file `apply` moves (a page importing
//! `authOptions` from `pages/api/auth/[...nextauth]`, a `lib/` module reaching into
//! `pages/api`, an API test importing a handler), whether relatively or through a tsconfig
//! alias (`@/pages/api/…`). An import of a module that keeps its exports where it moves (a
//! module moved beside its new route file, a per-method module) is re-pointed there; an import
//! of what becomes a route file is reported instead — a route file exports `GET`/`POST`, not
//! the old default handler — so that nothing breaks silently.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::specifiers::{self, Specifier};
use crate::parse::{self, SOURCE_EXTENSIONS};
use crate::tsconfig::PathAliases;

/// Folders that hold no project source.
const SKIPPED: &[&str] = &[
    "node_modules",
    ".next",
    ".git",
    "out",
    "dist",
    "build",
    "coverage",
];

/// A file of the project that imports a moved file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Importer {
    pub file: PathBuf,
    pub specifier: Specifier,
    /// Where the imported file goes (without extension).
    pub moved: PathBuf,
}

/// One file's imports of moved files, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportingFile {
    pub file: PathBuf,
    pub text: String,
    pub imports: Vec<Importer>,
}

/// Every project file not moving in this run (`moving` says which do) that imports a file in
/// `moved` (paths without extension, as specifiers name them, and for `index` files their
/// folder too).
pub fn find(
    root: &Path,
    moving: &dyn Fn(&Path) -> bool,
    moved: &dyn Fn(&Path) -> Option<PathBuf>,
    aliases: Option<&PathAliases>,
) -> Vec<ImportingFile> {
    let mut found = Vec::new();
    let walk = WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            !(e.file_type().is_dir()
                && e.depth() > 0
                && SKIPPED.iter().any(|s| e.file_name() == *s))
        });
    for entry in walk.filter_map(Result::ok) {
        let path = entry.path();
        let is_source = entry.file_type().is_file()
            && path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| SOURCE_EXTENSIONS.contains(&e));
        if !is_source || moving(path) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        // Most files name no `api` folder at all: skip them before parsing.
        if !text.contains("api") {
            continue;
        }
        let Some(extension) = path.extension().and_then(|e| e.to_str()) else {
            continue;
        };
        let Ok(program) = parse::parse_syntax(&text, extension) else {
            continue;
        };
        let dir = path.parent().unwrap_or(root);
        let mut imports = Vec::new();
        for specifier in specifiers::local(&program, aliases) {
            let found_move = |target: &Path| {
                // `./x.js` may name `x.ts`: try the specifier without a source extension too.
                let text_path = target.to_string_lossy();
                let without_extension = SOURCE_EXTENSIONS
                    .iter()
                    .find_map(|e| text_path.strip_suffix(&format!(".{e}")))
                    .map(PathBuf::from);
                moved(target).or_else(|| without_extension.and_then(|p| moved(&p)))
            };
            let known = |target: &Path| found_move(target).is_some();
            let Some((target, _)) = specifiers::target(&specifier.value, dir, aliases, &known)
            else {
                continue;
            };
            if let Some(moved) = found_move(&target) {
                imports.push(Importer {
                    file: path.to_owned(),
                    specifier,
                    moved,
                });
            }
        }
        if !imports.is_empty() {
            found.push(ImportingFile {
                file: path.to_owned(),
                text,
                imports,
            });
        }
    }
    found
}
