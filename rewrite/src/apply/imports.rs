//! Imports a rewrite leaves unused (Pages' `NextApiRequest`/`NextApiResponse` types, the tRPC
//! Next adapter) are removed. Which ones is decided on a draft of the rewritten text, the
//! edits in the original's coordinates: no second parse.

use swc_common::Spanned;
use swc_ecma_ast::{ImportSpecifier, ModuleDecl, ModuleItem, Program};

use super::edit::{statement_line, Edit};
use crate::diagnostic::TextRange;
use crate::parse;

/// The deletions of the specifiers of imports from `source` that `keep` does not keep and
/// that the draft no longer uses (their only occurrence is the import itself); a whole import
/// goes when all of its specifiers do.
pub fn unused(
    program: &Program,
    text: &str,
    draft: &str,
    source: &str,
    removable: &dyn Fn(&str) -> bool,
) -> Vec<Edit> {
    let Program::Module(module) = program else {
        return Vec::new();
    };
    let mut edits = Vec::new();
    for item in &module.body {
        let ModuleItem::ModuleDecl(ModuleDecl::Import(import)) = item else {
            continue;
        };
        if import.src.value.as_atom().map(|a| a.as_str()) != Some(source) {
            continue;
        }
        let unused: Vec<TextRange> = import
            .specifiers
            .iter()
            .filter_map(|specifier| {
                let local = match specifier {
                    ImportSpecifier::Named(n) => &n.local,
                    ImportSpecifier::Default(d) => &d.local,
                    ImportSpecifier::Namespace(n) => &n.local,
                };
                let name = local.sym.as_str();
                (removable(name) && occurrences(draft, name) == 1)
                    .then(|| parse::range(specifier.span()))
            })
            .collect();
        if unused.is_empty() {
            continue;
        }
        if unused.len() == import.specifiers.len() {
            edits.push(Edit::deletion(statement_line(
                text,
                parse::range(import.span),
            )));
        } else {
            edits.extend(
                unused
                    .into_iter()
                    .map(|range| Edit::deletion(with_comma(text, range))),
            );
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

/// A list item's range with the comma and space that follow it (or precede it, for the last).
fn with_comma(text: &str, item: TextRange) -> TextRange {
    let after = &text[item.end as usize..];
    let trimmed = after.trim_start_matches(' ');
    if let Some(rest) = trimmed.strip_prefix(',') {
        let spaces = rest.len() - rest.trim_start_matches(' ').len();
        return TextRange::new(
            item.start,
            item.end + (after.len() - rest.len() + spaces) as u32,
        );
    }
    let before = &text[..item.start as usize];
    let trimmed = before.trim_end_matches(' ');
    match trimmed.strip_suffix(',') {
        Some(rest) => TextRange::new(rest.len() as u32, item.end),
        None => item,
    }
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
}
