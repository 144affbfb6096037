//! What `migrate` needs from `next.config.*`: `pageExtensions`, read statically with swc.
//! The config is code, so we only trust a literal array of strings; anything else falls back to
//! Next's default and says so.

use std::path::{Path, PathBuf};

use swc_ecma_ast::{Expr, Lit, Prop, PropName};
use swc_ecma_visit::{noop_visit_type, Visit, VisitWith};

use crate::parse;

/// Next's default `pageExtensions`.
pub const DEFAULT_PAGE_EXTENSIONS: [&str; 4] = ["tsx", "ts", "jsx", "js"];

/// The config file names Next looks for, in its order.
pub const CONFIG_FILES: [&str; 4] = [
    "next.config.js",
    "next.config.mjs",
    "next.config.cjs",
    "next.config.ts",
];

/// Where the page extensions in use came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageExtensions {
    /// No config file, or one that does not set `pageExtensions`.
    Default,
    /// A literal array in this config file.
    FromConfig {
        file: PathBuf,
        extensions: Vec<String>,
    },
    /// The config sets them in a way we cannot read; we use the default.
    Unreadable { file: PathBuf, reason: String },
}

impl PageExtensions {
    /// The extensions to route by.
    pub fn list(&self) -> Vec<String> {
        match self {
            PageExtensions::FromConfig { extensions, .. } => extensions.clone(),
            _ => DEFAULT_PAGE_EXTENSIONS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        }
    }
}

/// Reads `pageExtensions` from the first `next.config.*` in `root`.
pub fn page_extensions(root: &Path) -> PageExtensions {
    let Some(file) = CONFIG_FILES
        .iter()
        .map(|name| root.join(name))
        .find(|p| p.is_file())
    else {
        return PageExtensions::Default;
    };
    let unreadable = |reason: String| PageExtensions::Unreadable {
        file: file.clone(),
        reason,
    };
    let text = match crate::source::load(&file) {
        Ok(text) => text,
        Err(e) => return unreadable(e.to_string()),
    };
    let extension = file.extension().and_then(|e| e.to_str()).unwrap_or("js");
    let parsed = match parse::parse(&text, extension) {
        Ok(parsed) => parsed,
        Err(e) => return unreadable(format!("it does not parse: {}", e.message)),
    };
    let mut finder = Finder::default();
    parsed.program.visit_with(&mut finder);
    match finder.found {
        Found::NotSeen => PageExtensions::Default,
        Found::Literal(extensions) if !extensions.is_empty() => {
            PageExtensions::FromConfig { file, extensions }
        }
        Found::Literal(_) | Found::NotLiteral => {
            unreadable("`pageExtensions` is not a literal array of strings".to_owned())
        }
    }
}

/// Finds the first `pageExtensions: [...]` property anywhere in the file, which covers
/// `module.exports = {..}`, `const config = {..}; export default config` and wrapped configs.
#[derive(Default)]
struct Finder {
    found: Found,
}

#[derive(Default)]
enum Found {
    #[default]
    NotSeen,
    NotLiteral,
    Literal(Vec<String>),
}

impl Visit for Finder {
    // Type annotations hold no `req`/`res` uses: do not walk them.
    noop_visit_type!();

    fn visit_prop(&mut self, prop: &Prop) {
        if !matches!(self.found, Found::NotSeen) {
            return;
        }
        if let Prop::KeyValue(kv) = prop {
            let key = match &kv.key {
                PropName::Ident(i) => Some(i.sym.as_str()),
                PropName::Str(s) => s.value.as_atom().map(|a| a.as_str()),
                _ => None,
            };
            if key == Some("pageExtensions") {
                self.found = literal_strings(&kv.value).map_or(Found::NotLiteral, Found::Literal);
                return;
            }
        }
        prop.visit_children_with(self);
    }
}

fn literal_strings(expr: &Expr) -> Option<Vec<String>> {
    let Expr::Array(array) = expr else {
        return None;
    };
    array
        .elems
        .iter()
        .map(|elem| {
            match elem
                .as_ref()
                .filter(|e| e.spread.is_none())
                .map(|e| &*e.expr)
            {
                Some(Expr::Lit(Lit::Str(s))) => s.value.as_atom().map(|a| a.as_str().to_owned()),
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, text: &str) -> PageExtensions {
        let dir =
            std::env::temp_dir().join(format!("migrate-next-config-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), text).unwrap();
        let result = page_extensions(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        result
    }

    #[test]
    fn reads_literal_arrays_in_any_config_shape() {
        let got = read(
            "next.config.mjs",
            "const c = { pageExtensions: ['api.ts', 'tsx'] };\nexport default withX(c);",
        );
        assert_eq!(got.list(), vec!["api.ts", "tsx"]);
        let got = read(
            "next.config.ts",
            "const c: NextConfig = { reactStrictMode: true };\nexport default c;",
        );
        assert_eq!(got, PageExtensions::Default);
    }

    #[test]
    fn falls_back_on_computed_arrays() {
        let got = read(
            "next.config.js",
            "module.exports = { pageExtensions: exts.map(e => e) }",
        );
        assert!(matches!(got, PageExtensions::Unreadable { .. }));
        assert_eq!(got.list(), DEFAULT_PAGE_EXTENSIONS);
    }
}
