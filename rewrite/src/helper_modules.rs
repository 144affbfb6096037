//! The helpers `pages/api` files import from modules of the project (`import { methodNotAllowed }
//! from '../../lib/http'`), read for the analysis of a dispatch's fallback: whether the named
//! export answers 405, and with `Allow` (see [`crate::analysis::fallback`]).
//!
//! A project's routes import the same few helper modules: each module and name is read once per
//! check, on whichever thread asks first, and remembered.

use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use rustc_hash::FxHashMap;
use swc_common::SyntaxContext;

use crate::analysis::fallback::{helper_sends, HelperSends, ImportedHelpers};
use crate::analysis::module_index::ModuleIndex;
use crate::lexical_path::normalise;
use crate::parse::{self, SOURCE_EXTENSIONS};
use crate::source;

/// What each helper read so far sends, by module path (as imported, extension left out when
/// the import leaves it out) and export name.
pub struct HelperModules {
    /// The project's root: modules outside it are not read.
    root: PathBuf,
    read: Mutex<FxHashMap<(PathBuf, String), Option<HelperSends>>>,
}

impl HelperModules {
    pub fn new(root: &Path) -> Self {
        HelperModules {
            root: normalise(root),
            read: Mutex::default(),
        }
    }

    fn inside_root(&self, path: &Path) -> bool {
        path.strip_prefix(&self.root)
            .is_ok_and(|rest| !rest.components().any(|c| c == Component::ParentDir))
    }

    /// The reader for the imports of the file in `dir`.
    pub fn from_dir<'a>(&'a self, dir: &'a Path) -> FileHelpers<'a> {
        FileHelpers { dir, modules: self }
    }
}

/// [`HelperModules`] for the imports of one file.
pub struct FileHelpers<'a> {
    dir: &'a Path,
    modules: &'a HelperModules,
}

impl ImportedHelpers for FileHelpers<'_> {
    fn sends(&self, source: &str, name: &str) -> Option<HelperSends> {
        let key = (normalise(&self.dir.join(source)), name.to_owned());
        if !self.modules.inside_root(&key.0) {
            return None;
        }
        if let Some(known) = self.modules.read.lock().ok()?.get(&key) {
            return *known;
        }
        // Read without the lock: another thread may read the same helper meanwhile, and both
        // come to the same answer.
        let sends = module_file(&key.0).and_then(|file| read_export(&file, name));
        self.modules.read.lock().ok()?.insert(key, sends);
        sends
    }
}

/// The source file an import names, as bundlers find it: the path itself, the path with a
/// source extension, the folder's `index`, or for `./x.js` the TypeScript `./x.ts` beside it.
fn module_file(path: &Path) -> Option<PathBuf> {
    let with = |extension: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(".");
        name.push(extension);
        PathBuf::from(name)
    };
    let typescript_twin = path
        .extension()
        .is_some_and(|e| matches!(e.to_str(), Some("js" | "jsx" | "mjs" | "cjs")))
        .then(|| path.with_extension("ts"));
    let known_extension = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| SOURCE_EXTENSIONS.contains(&e));
    known_extension
        .then(|| path.to_owned())
        .into_iter()
        .chain(typescript_twin)
        .chain(SOURCE_EXTENSIONS.iter().map(|e| with(e)))
        .chain(
            SOURCE_EXTENSIONS
                .iter()
                .map(|e| path.join(format!("index.{e}"))),
        )
        .find(|candidate| candidate.is_file())
}

/// What the function `file` exports as `name` sends, when its body runs straight through.
fn read_export(file: &Path, name: &str) -> Option<HelperSends> {
    let text = source::load(file).ok()?;
    let extension = file.extension()?.to_str()?;
    let program = parse::parse_syntax(&text, extension).ok()?;
    // Without the resolver every identifier has the empty context, the module's top level's.
    let index = ModuleIndex::new(&program, SyntaxContext::empty());
    // `export function name`, `export const name = …`, `export { name }` (an alias exported
    // under another name is not found, and stays unknown).
    if !index.named_exports.iter().any(|(n, _)| n == name) {
        return None;
    }
    helper_sends(index.function_named(name)?, &index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exported_straight_helper_is_read_and_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        let lib = project.join("lib");
        std::fs::create_dir_all(&lib).unwrap();
        std::fs::write(
            lib.join("http.ts"),
            "export function methodNotAllowed(res: any, allowed = ['GET']) { res.setHeader('Allow', allowed); res.status(405).end() }\n\
             export const reject = (res: any) => res.status(405).end()\n\
             export function sendError(res: any, status: number) { if (status === 405) res.setHeader('Allow', 'GET'); res.status(status).end() }\n\
             function hidden(res: any) { res.status(405).end() }\n",
        )
        .unwrap();
        let modules = HelperModules::new(&project);
        let api = project.join("pages/api");
        let helpers = modules.from_dir(&api);
        let sends = |status_405, allow| Some(HelperSends { status_405, allow });
        assert_eq!(
            helpers.sends("../../lib/http", "methodNotAllowed"),
            sends(true, true)
        );
        assert_eq!(
            helpers.sends("../../lib/http.js", "reject"),
            sends(true, false)
        );
        // Branches of its own, not exported, not there: unknown.
        assert_eq!(helpers.sends("../../lib/http", "sendError"), None);
        assert_eq!(helpers.sends("../../lib/http", "hidden"), None);
        assert_eq!(helpers.sends("../../lib/missing", "reject"), None);
        // Outside the project: not read.
        std::fs::write(
            dir.path().join("http.ts"),
            "export const reject = (res: any) => res.status(405).end()\n",
        )
        .unwrap();
        assert_eq!(helpers.sends("../../../http", "reject"), None);
        // Remembered: the file gone, the answer stays.
        std::fs::remove_file(lib.join("http.ts")).unwrap();
        assert_eq!(
            helpers.sends("../../lib/./http", "methodNotAllowed"),
            sends(true, true)
        );
    }
}
