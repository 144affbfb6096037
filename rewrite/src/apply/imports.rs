//! Imports a rewrite leaves unused (Pages' `NextApiRequest`/`NextApiResponse` types, the tRPC
//! Next adapter) are removed. Which ones is decided on a draft of the rewritten text, the
//! edits in the original's coordinates: no second parse.

use swc_common::Spanned;
use swc_ecma_ast::{ImportDecl, ImportSpecifier, ModuleDecl, ModuleItem, Program};

use super::edit::{statement_line, Edit};
use crate::diagnostic::TextRange;
use crate::parse;

/// The deletions of the specifiers of imports from `source` that `removable` allows and that
/// the draft no longer uses (their only occurrence is the import itself); a whole import goes
/// when all of its specifiers do.
pub fn unused(
    program: &Program,
    text: &str,
    draft: &str,
    source: &str,
    removable: &dyn Fn(&str) -> bool,
) -> Vec<Edit> {
    unused_where(program, text, draft, &|import, _, name| {
        import.src.value.as_atom().map(|a| a.as_str()) == Some(source) && removable(name)
    })
}

/// [`unused`] for the specifiers `removable` picks among every import, by the import, the
/// specifier and its local name.
pub fn unused_where(
    program: &Program,
    text: &str,
    draft: &str,
    removable: &dyn Fn(&ImportDecl, &ImportSpecifier, &str) -> bool,
) -> Vec<Edit> {
    let Program::Module(module) = program else {
        return Vec::new();
    };
    let mut edits = Vec::new();
    for item in &module.body {
        let ModuleItem::ModuleDecl(ModuleDecl::Import(import)) = item else {
            continue;
        };
        let ranges: Vec<TextRange> = import
            .specifiers
            .iter()
            .map(|specifier| parse::range(specifier.span()))
            .collect();
        let unused: Vec<bool> = import
            .specifiers
            .iter()
            .map(|specifier| {
                let local = match specifier {
                    ImportSpecifier::Named(n) => &n.local,
                    ImportSpecifier::Default(d) => &d.local,
                    ImportSpecifier::Namespace(n) => &n.local,
                };
                let name = local.sym.as_str();
                removable(import, specifier, name) && occurrences(draft, name) == 1
            })
            .collect();
        if !unused.contains(&true) {
            continue;
        }
        if unused.contains(&false) {
            edits.extend(
                removed_runs(&ranges, &unused)
                    .into_iter()
                    .map(Edit::deletion),
            );
        } else {
            edits.push(Edit::deletion(statement_line(
                text,
                parse::range(import.span),
            )));
        }
    }
    edits
}

/// How often `word` occurs in `text` as a whole identifier.
pub fn occurrences(text: &str, word: &str) -> usize {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    text.match_indices(word)
        .filter(|(at, _)| {
            let before = text[..*at].chars().next_back();
            let after = text[at + word.len()..].chars().next();
            !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
        })
        .count()
}

/// The deletions for the items of a list flagged `unused` (not all of them): each run of
/// neighbours goes up to the next item kept, or, at the end of the list, from the end of the
/// item kept before it, so that the separators left are the list's own (`{ A, B, C }` without
/// `B` and `C` is `{ A }`).
fn removed_runs(items: &[TextRange], unused: &[bool]) -> Vec<TextRange> {
    let mut deletions = Vec::new();
    let mut i = 0;
    while i < items.len() {
        if !unused[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < items.len() && unused[i] {
            i += 1;
        }
        deletions.push(match items.get(i) {
            Some(next_kept) => TextRange::new(items[start].start, next_kept.start),
            // A run at the end: some item before it is kept (not every item is unused).
            None => TextRange::new(items[start - 1].end, items[i - 1].end),
        });
    }
    deletions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::edit::splice;

    #[test]
    fn unused_pages_types_go() {
        let text =
            "import type { NextApiRequest, NextApiResponse } from 'next'\nimport { x } from 'y'\n";
        let program = parse::parse_syntax(text, "ts").unwrap();
        let draft = "import type { NextApiRequest, NextApiResponse } from 'next'\nfunction h(req: NextApiRequest) {}\n";
        let edits = unused(&program, text, draft, "next", &|n| n.starts_with("NextApi"));
        assert_eq!(
            splice(text, edits).unwrap(),
            "import type { NextApiRequest } from 'next'\nimport { x } from 'y'\n"
        );
    }

    #[test]
    fn neighbours_go_together_and_leave_the_list_tidy() {
        let text = "import type { NextApiHandler, NextApiRequest, NextApiResponse } from 'next'\nimport type { PageConfig as A, Keep, NextConfig as B, Also } from 'next'\n";
        let program = parse::parse_syntax(text, "ts").unwrap();
        let draft = "import type { NextApiHandler, NextApiRequest, NextApiResponse } from 'next'\nimport type { PageConfig as A, Keep, NextConfig as B, Also } from 'next'\nconst h: NextApiHandler = f\n";
        let edits = unused(&program, text, draft, "next", &|n| {
            n.starts_with("NextApi") || n.len() == 1
        });
        assert_eq!(
            splice(text, edits).unwrap(),
            "import type { NextApiHandler } from 'next'\nimport type { Keep, Also } from 'next'\n"
        );
    }
}
