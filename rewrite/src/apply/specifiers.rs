//! Relative module specifiers (`import … from './x'`, `export … from`, `require('./x')`,
//! `import('./x')`, `import x = require('./x')`) re-pointed when a file moves to another
//! folder, so that each still loads the same module; specifiers written through tsconfig
//! aliases (`@/pages/api/auth/[...nextauth]`) re-pointed when what they name moves.

use std::path::{Path, PathBuf};

use crate::lexical_path::normalise;

use swc_ecma_ast::{
    CallExpr, Callee, ExportAll, ExportSpecifier, Expr, ImportDecl, ImportSpecifier, Lit,
    ModuleExportName, NamedExport, Program, Str, TsExternalModuleRef,
};
use swc_ecma_visit::{Visit, VisitWith};

use super::edit::Edit;
use crate::diagnostic::TextRange;
use crate::parse;
use crate::tsconfig::PathAliases;

/// A module specifier written as a string literal: where its text is (quotes excluded) and
/// what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Specifier {
    pub range: TextRange,
    pub value: String,
    /// The names an `import { a, b } from …` (or `export { a } from …`) takes; `None` for a
    /// default or namespace import, `require`, `import()`.
    pub names: Option<Vec<String>>,
}

/// Every relative specifier of the program, in source order.
pub fn relative(program: &Program) -> Vec<Specifier> {
    local(program, None)
}

/// Every specifier of the program that names a project file: relative ones and those written
/// through `aliases`, in source order.
pub fn local(program: &Program, aliases: Option<&PathAliases>) -> Vec<Specifier> {
    let mut finder = Finder {
        found: Vec::new(),
        aliases,
    };
    program.visit_with(&mut finder);
    finder.found.sort_by_key(|s| s.range.start);
    finder.found
}

/// The file (without extension) a specifier written in `dir` names, and whether it goes
/// through an alias: for an alias, the first of its targets that `known` accepts.
pub fn target(
    specifier: &str,
    dir: &Path,
    aliases: Option<&PathAliases>,
    known: &dyn Fn(&Path) -> bool,
) -> Option<(PathBuf, bool)> {
    if is_relative(specifier) {
        return Some((normalise(&dir.join(specifier)), false));
    }
    let targets = aliases?.targets(specifier);
    targets.into_iter().find(|t| known(t)).map(|t| (t, true))
}

fn is_relative(value: &str) -> bool {
    value.starts_with("./") || value.starts_with("../") || value == "." || value == ".."
}

/// The edits that make each relative specifier of a file moving from `old_dir` to `new_dir`
/// load the same file as before. `moved` gives the new place of files moving in the same run
/// (both without extension, as specifiers are usually written).
///
/// A specifier written through an alias stays as written unless what it names moves; then it
/// names the new place through the same aliases when one reaches it, else relatively.
pub fn repoint(
    specifiers: &[Specifier],
    old_dir: &Path,
    new_dir: &Path,
    moved: &dyn Fn(&Path) -> Option<PathBuf>,
    aliases: Option<&PathAliases>,
) -> Vec<Edit> {
    specifiers
        .iter()
        .filter_map(|s| {
            let known = |path: &Path| moved(path).is_some();
            let (target, through_alias) = target(&s.value, old_dir, aliases, &known)?;
            let new = match (moved(&target), through_alias) {
                (Some(new), true) => aliases
                    .and_then(|a| a.specifier_for(&new, &s.value))
                    .or_else(|| relative_specifier(new_dir, &new))?,
                (None, true) => return None,
                (new, false) => relative_specifier(new_dir, &new.unwrap_or(target))?,
            };
            (new != s.value).then(|| Edit::replacement(s.range, new))
        })
        .collect()
}

/// `target` as a specifier written in `from`: `./x`, `../lib/db`, with `/` separators.
fn relative_specifier(from: &Path, target: &Path) -> Option<String> {
    let path = pathdiff::diff_paths(target, from)?;
    let mut text = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    if text.is_empty() {
        ".".clone_into(&mut text);
    }
    if !text.starts_with("../") && text != ".." {
        text.insert_str(0, "./");
    }
    Some(text)
}

struct Finder<'a> {
    found: Vec<Specifier>,
    aliases: Option<&'a PathAliases>,
}

impl Finder<'_> {
    fn add(&mut self, string: &Str) {
        self.add_named(string, None);
    }

    fn add_named(&mut self, string: &Str, names: Option<Vec<String>>) {
        let Some(value) = string.value.as_atom().map(|a| a.as_str()) else {
            return;
        };
        if !(is_relative(value) || self.aliases.is_some_and(|a| a.rewrites(value))) {
            return;
        }
        let range = parse::range(string.span);
        // The literal's text without its quotes.
        self.found.push(Specifier {
            range: TextRange::new(range.start + 1, range.end - 1),
            value: value.to_owned(),
            names,
        });
    }
}

impl Visit for Finder<'_> {
    fn visit_import_decl(&mut self, import: &ImportDecl) {
        let names = import
            .specifiers
            .iter()
            .map(|s| match s {
                ImportSpecifier::Named(n) => Some(match &n.imported {
                    Some(name) => module_export_name(name),
                    None => n.local.sym.to_string(),
                }),
                ImportSpecifier::Default(_) | ImportSpecifier::Namespace(_) => None,
            })
            .collect();
        self.add_named(&import.src, names);
    }

    fn visit_named_export(&mut self, export: &NamedExport) {
        if let Some(src) = &export.src {
            let names = export
                .specifiers
                .iter()
                .map(|s| match s {
                    ExportSpecifier::Named(n) => Some(module_export_name(&n.orig)),
                    _ => None,
                })
                .collect();
            self.add_named(src, names);
        }
    }

    fn visit_export_all(&mut self, export: &ExportAll) {
        self.add(&export.src);
    }

    fn visit_ts_external_module_ref(&mut self, reference: &TsExternalModuleRef) {
        self.add(&reference.expr);
    }

    fn visit_call_expr(&mut self, call: &CallExpr) {
        let loads = match &call.callee {
            Callee::Import(_) => true,
            Callee::Expr(callee) => matches!(&**callee, Expr::Ident(i) if i.sym == *"require"),
            Callee::Super(_) => false,
        };
        if loads {
            if let Some(Expr::Lit(Lit::Str(source))) = call.args.first().map(|a| &*a.expr) {
                self.add(source);
            }
        }
        call.visit_children_with(self);
    }
}

fn module_export_name(name: &ModuleExportName) -> String {
    match name {
        ModuleExportName::Ident(i) => i.sym.to_string(),
        ModuleExportName::Str(s) => s.value.as_atom().map(|a| a.to_string()).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::edit::splice;

    fn moved_to(text: &str, old: &str, new: &str) -> String {
        let parsed = parse::parse(text, "ts").unwrap();
        let found = relative(&parsed.program);
        let edits = repoint(&found, Path::new(old), Path::new(new), &|_| None, None);
        splice(text, edits).unwrap()
    }

    #[test]
    fn every_form_is_repointed() {
        let text = "import a from '../../lib/a'\nimport type { B } from \"./b\"\nexport * from './c'\nconst d = require('../d')\nconst e = () => import('./_e')\nimport f = require('./f')\nimport g from 'pkg'\n";
        let out = moved_to(text, "/p/pages/api/x", "/p/app/api/x/y");
        assert_eq!(
            out,
            "import a from '../../../../pages/lib/a'\nimport type { B } from \"../../../../pages/api/x/b\"\nexport * from '../../../../pages/api/x/c'\nconst d = require('../../../../pages/api/d')\nconst e = () => import('../../../../pages/api/x/_e')\nimport f = require('../../../../pages/api/x/f')\nimport g from 'pkg'\n"
        );
    }

    #[test]
    fn files_moving_too_are_followed() {
        let text = "import { authOptions } from './auth/[...nextauth]'\n";
        let parsed = parse::parse(text, "ts").unwrap();
        let found = relative(&parsed.program);
        let edits = repoint(
            &found,
            Path::new("/p/pages/api"),
            Path::new("/p/app/api/me"),
            &|p| {
                (p == Path::new("/p/pages/api/auth/[...nextauth]"))
                    .then(|| PathBuf::from("/p/app/api/auth/[...nextauth]/route"))
            },
            None,
        );
        assert_eq!(
            splice(text, edits).unwrap(),
            "import { authOptions } from '../auth/[...nextauth]/route'\n"
        );
    }

    /// `@/…` imports keep their alias when what they name moves (also where the config has a
    /// `"/*": ["*"]` that sorts first, which would spell it `/app/…`); the others stay as
    /// written.
    #[test]
    fn aliased_imports_of_moving_files_are_followed() {
        let aliases = PathAliases {
            root: PathBuf::from("/p"),
            base_url: PathBuf::from("/p"),
            explicit_base_url: false,
            paths: vec![
                ("/*".to_owned(), vec!["*".to_owned()]),
                ("@/*".to_owned(), vec!["./*".to_owned()]),
            ],
        };
        let text = "import { authOptions } from '@/pages/api/auth/[...nextauth]'\nimport { db } from '@/lib/db'\nimport x from 'pkg'\n";
        let parsed = parse::parse(text, "ts").unwrap();
        let found = local(&parsed.program, Some(&aliases));
        assert_eq!(found.len(), 2, "{found:?}");
        let edits = repoint(
            &found,
            Path::new("/p/pages/api"),
            Path::new("/p/app/api/me"),
            &|p| {
                (p == Path::new("/p/pages/api/auth/[...nextauth]"))
                    .then(|| PathBuf::from("/p/app/api/auth/[...nextauth]/handler"))
            },
            Some(&aliases),
        );
        assert_eq!(
            splice(text, edits).unwrap(),
            "import { authOptions } from '@/app/api/auth/[...nextauth]/handler'\nimport { db } from '@/lib/db'\nimport x from 'pkg'\n"
        );
    }
}
