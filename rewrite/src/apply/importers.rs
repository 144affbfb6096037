//! Project files that stay where they are and import a file `apply` moves (a page importing
//! `authOptions` from `pages/api/auth/[...nextauth]`, a `lib/` module reaching into
//! `pages/api`, an API test importing a handler), whether relatively or through a tsconfig
//! alias (`@/pages/api/…`). An import of a module that keeps its exports where it moves (a
//! module moved beside its new route file, a per-method module) is re-pointed there; an import
//! of what becomes a route file is reported instead — a route file exports `GET`/`POST`, not
//! the old default handler — so that nothing breaks silently.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
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

/// The project's source files (outside dependencies and build output), in path order:
/// walked while the routes are analysed, searched once the run has settled.
pub fn sources(root: &Path) -> Vec<PathBuf> {
    WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            !(e.file_type().is_dir()
                && e.depth() > 0
                && SKIPPED.iter().any(|s| e.file_name() == *s))
        })
        .filter_map(Result::ok)
        .filter(|entry| {
            entry.file_type().is_file()
                && entry
                    .path()
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| SOURCE_EXTENSIONS.contains(&e))
        })
        .map(walkdir::DirEntry::into_path)
        .collect()
}

/// Every file of `sources` not moving in this run (`moving` says which do) that imports a
/// file in `moved` (paths without extension, as specifiers name them, and for `index` files
/// their folder too).
pub fn find(
    root: &Path,
    sources: &[PathBuf],
    moving: &(dyn Fn(&Path) -> bool + Sync),
    moved: &(dyn Fn(&Path) -> Option<PathBuf> + Sync),
    aliases: Option<&PathAliases>,
) -> Vec<ImportingFile> {
    sources
        .par_iter()
        .filter(|path| !moving(path))
        .filter_map(|path| importing_file(root, path, moved, aliases))
        .collect()
}

/// `path`'s imports of moved files, if it has any.
fn importing_file(
    root: &Path,
    path: &Path,
    moved: &(dyn Fn(&Path) -> Option<PathBuf> + Sync),
    aliases: Option<&PathAliases>,
) -> Option<ImportingFile> {
    let text = std::fs::read_to_string(path).ok()?;
    // Most files name no `api` folder at all: skip them before parsing.
    if !text.contains("api") {
        return None;
    }
    let extension = path.extension().and_then(|e| e.to_str())?;
    let program = parse::parse_syntax(&text, extension).ok()?;
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
        let Some((target, _)) = specifiers::target(&specifier.value, dir, aliases, &known) else {
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
    (!imports.is_empty()).then(|| ImportingFile {
        file: path.to_owned(),
        text,
        imports,
    })
}
