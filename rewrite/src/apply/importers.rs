//! Project files outside `pages/api` that import a file `apply` moves (API tests importing a
//! handler, a `lib/` module reaching into `pages/api`): they are not rewritten — a route file
//! exports `GET`/`POST`, not the old default handler — but reported, so that nothing breaks
//! silently.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::specifiers;
use crate::parse;

/// Source files, by extension.
const SOURCE_EXTENSIONS: &[&str] = &["js", "jsx", "ts", "tsx", "mjs", "cjs", "mts", "cts"];

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
    pub specifier: String,
    pub moved: PathBuf,
}

/// Every import, outside `pages_dir`, of a file in `moved` (paths without extension, as
/// specifiers name them, and for `index` files their folder too).
pub fn outside(
    root: &Path,
    pages_dir: &Path,
    moved: &dyn Fn(&Path) -> Option<PathBuf>,
) -> Vec<Importer> {
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
        if !is_source || path.starts_with(pages_dir) {
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
        for specifier in specifiers::relative(&program) {
            let target = specifiers::normalise(&dir.join(&specifier.value));
            // `./x.js` may name `x.ts`: try the specifier without a source extension too.
            let text_path = target.to_string_lossy().into_owned();
            let without_extension = SOURCE_EXTENSIONS
                .iter()
                .find_map(|e| text_path.strip_suffix(&format!(".{e}")))
                .map(PathBuf::from);
            let found_move = moved(&target).or_else(|| without_extension.and_then(|p| moved(&p)));
            if let Some(moved) = found_move {
                found.push(Importer {
                    file: path.to_owned(),
                    specifier: specifier.value.clone(),
                    moved,
                });
            }
        }
    }
    found
}
