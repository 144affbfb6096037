//! The Pages API compatibility module `apply` writes once into a project: a private App Router
//! folder (`app/_migrate/`, never routed) holding `pages-api.js` (and its types for TypeScript
//! projects). The same code is the Pages core `migrate serve` runs handlers on.

use std::path::{Path, PathBuf};

use super::FileChange;

/// The module's source: Next's Pages API semantics over a Web `Request`/`Response`.
pub const PAGES_API_JS: &str = include_str!("../../runtime/pages-api.js");
/// Its TypeScript declarations.
pub const PAGES_API_DTS: &str = include_str!("../../runtime/pages-api.d.ts");

/// Where the module lives in one project.
pub struct Runtime {
    dir: PathBuf,
}

impl Runtime {
    pub fn new(app_dir: &Path) -> Self {
        Runtime {
            dir: app_dir.join("_migrate"),
        }
    }

    /// The specifier a file in `from` imports the module with (`../../_migrate/pages-api`).
    pub fn specifier_from(&self, from: &Path) -> String {
        let path = pathdiff::diff_paths(self.dir.join("pages-api"), from)
            .unwrap_or_else(|| self.dir.join("pages-api"));
        let text = path
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if text.starts_with("../") {
            text
        } else {
            format!("./{text}")
        }
    }

    /// The files to create: those missing. A module already there is kept as it is (the
    /// project may have changed it), and a note says so when it differs from ours.
    pub fn files(&self, typescript: bool, notes: &mut Vec<String>) -> Vec<FileChange> {
        let mut wanted = vec![("pages-api.js", PAGES_API_JS)];
        if typescript {
            wanted.push(("pages-api.d.ts", PAGES_API_DTS));
        }
        let mut changes = Vec::new();
        for (name, text) in wanted {
            let path = self.dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(existing) if existing == text => {}
                Ok(_) => notes.push(format!(
                    "{} differs from this version's adapter and was kept as it is",
                    super::display(&path)
                )),
                Err(_) => changes.push(FileChange::Create {
                    path,
                    text: text.to_owned(),
                    from: None,
                }),
            }
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specifiers_are_relative_to_the_route_folder() {
        let runtime = Runtime::new(Path::new("/p/app"));
        assert_eq!(
            runtime.specifier_from(Path::new("/p/app/api/users")),
            "../../_migrate/pages-api"
        );
        assert_eq!(
            runtime.specifier_from(Path::new("/p/app")),
            "./_migrate/pages-api"
        );
    }
}
