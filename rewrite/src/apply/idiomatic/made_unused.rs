//! Declarations whose last use the rewrite removed. `NextApiResponse<Data>` goes with the
//! Pages signature, and with it the only use of `type Data` or of an `import type { User }`:
//! a project with `noUnusedLocals` (or a lint rule against unused names) then fails to build.
//! A type-only import goes (it has no effect at run time); a type declared in the module is
//! exported instead, which keeps what the user wrote and uses it (a route file may export
//! types: Next checks only its values).
//!
//! Uses are counted on the text with its comments blanked out, so that a comment naming a type
//! (`// NextApiHandler no longer describes it`) is not taken for a use.

use swc_ecma_ast::{Decl, ImportDecl, ImportSpecifier, ModuleItem, Program, Stmt};

use crate::apply::edit::{self, Edit};
use crate::apply::imports::{self, occurrences};
use crate::parse::{self, Comment};

/// `text` with `edits` made and every comment they leave in place blanked out (a comment an
/// edit touches stays: counting a name in it too only keeps a declaration).
pub fn code_of(text: &str, edits: &[Edit], comments: &[Comment]) -> Result<String, String> {
    let touches = |c: &Comment| {
        edits
            .iter()
            .any(|e| e.range.start < c.range.end && c.range.start < e.range.end)
            || edits
                .iter()
                .any(|e| e.range.start == e.range.end && e.range.start == c.range.start)
    };
    let blanks = comments
        .iter()
        .filter(|c| !touches(c))
        .map(|c| Edit::replacement(c.range, " ".to_owned()));
    edit::splice(text, edits.iter().cloned().chain(blanks).collect()).map_err(|e| e.to_string())
}

/// The edits for what `edits` leave unused ([`edits`]), the comments blanked out.
pub fn after(
    program: &Program,
    text: &str,
    edits: &[Edit],
    comments: &[Comment],
    also: &dyn Fn(&ImportDecl, &str) -> bool,
) -> Result<Vec<Edit>, String> {
    let before = code_of(text, &[], comments)?;
    let after = code_of(text, edits, comments)?;
    Ok(self::edits(program, text, (&before, &after), also))
}

/// The edits for what the rewrite left unused: type-only imports go, and the imports `also`
/// picks (used before or not); types declared in the module are exported. `code` is the code
/// of the original and of the draft ([`code_of`]).
pub fn edits(
    program: &Program,
    text: &str,
    (before, after): (&str, &str),
    also: &dyn Fn(&ImportDecl, &str) -> bool,
) -> Vec<Edit> {
    let was_used = |name: &str| occurrences(before, name) >= 2;
    let mut edits = imports::unused_where(program, text, after, &|import, specifier, name| {
        let type_only =
            import.type_only || matches!(specifier, ImportSpecifier::Named(n) if n.is_type_only);
        (type_only && was_used(name)) || also(import, name)
    });
    let Program::Module(module) = program else {
        return edits;
    };
    for item in &module.body {
        let ModuleItem::Stmt(Stmt::Decl(decl)) = item else {
            continue;
        };
        let (name, span) = match decl {
            Decl::TsTypeAlias(alias) => (&alias.id.sym, alias.span),
            Decl::TsInterface(interface) => (&interface.id.sym, interface.span),
            _ => continue,
        };
        if was_used(name) && type_uses(after, name) == 1 {
            let at = parse::range(span).start;
            edits.push(Edit::insertion(at, "export ".to_owned()));
        }
    }
    edits
}

/// How often `name` occurs in `code` other than as a value the rewrite may write (`new
/// Response(`, `Response.json(`, `instanceof Response`): a type named like a global the
/// rewrite uses (`type Response = …`) is told from that global. Counting too few only exports
/// a type still used, which changes nothing.
fn type_uses(code: &str, name: &str) -> usize {
    let values = [
        format!("new {name}("),
        format!("{name}.json("),
        format!("{name}.redirect("),
        format!("instanceof {name}"),
    ];
    let as_value: usize = values
        .iter()
        .map(|v| code.matches(v.as_str()).count())
        .sum();
    occurrences(code, name).saturating_sub(as_value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::TextRange;

    /// `text` with `removed` deleted and what that leaves unused seen to.
    fn rewritten(text: &str, removed: &str) -> String {
        let parsed = crate::parse::parse_with(text, "ts", true).unwrap();
        let at = text.find(removed).unwrap() as u32;
        let removal = vec![Edit::deletion(TextRange::new(
            at,
            at + removed.len() as u32,
        ))];
        let before = code_of(text, &[], &parsed.comments).unwrap();
        let after = code_of(text, &removal, &parsed.comments).unwrap();
        let mut all = removal;
        all.extend(edits(&parsed.program, text, (&before, &after), &|_, _| {
            false
        }));
        edit::splice(text, all).unwrap()
    }

    #[test]
    fn a_type_whose_last_use_went_is_exported_and_a_type_import_goes() {
        let text = "import type { User, Team } from './types'\nimport { db } from './db'\n// Data and Extra describe the answer\ntype Data = { name: string }\ninterface Extra { team: Team }\nexport function f(res: Res<Data, Extra, User>) { db() }\n";
        assert_eq!(
            rewritten(text, "res: Res<Data, Extra, User>"),
            "import type { Team } from './types'\nimport { db } from './db'\n// Data and Extra describe the answer\nexport type Data = { name: string }\nexport interface Extra { team: Team }\nexport function f() { db() }\n"
        );
    }

    #[test]
    fn a_type_named_like_a_global_the_rewrite_writes_is_told_from_it() {
        let text = "type Response = { open: number }\nexport function f(res: Res<Response>) { return 1 }\n";
        let parsed = crate::parse::parse_with(text, "ts", true).unwrap();
        let at = text.find("res: Res<Response>").unwrap() as u32;
        let removal = Edit::replacement(
            TextRange::new(at, at + "res: Res<Response>".len() as u32),
            String::new(),
        );
        let returned = Edit::replacement(
            TextRange::new(
                text.find("1 }").unwrap() as u32,
                text.find("1 }").unwrap() as u32 + 1,
            ),
            "Response.json(1, { status: 201 }) instanceof Response".to_owned(),
        );
        let edits = vec![removal, returned];
        let found = after(&parsed.program, text, &edits, &parsed.comments, &|_, _| {
            false
        })
        .unwrap();
        assert_eq!(found, vec![Edit::insertion(0, "export ".to_owned())]);
    }

    #[test]
    fn what_was_never_used_or_is_still_used_stays() {
        // `Unused` was unused before the rewrite: not ours to touch. `Kept` is still used.
        let text = "import type { Unused } from './types'\ntype Kept = string\ntype Data = Kept\nconst k: Kept = 'k'\nexport function f(res: Res<Data>) { return k }\n";
        assert_eq!(
            rewritten(text, "res: Res<Data>"),
            "import type { Unused } from './types'\ntype Kept = string\nexport type Data = Kept\nconst k: Kept = 'k'\nexport function f() { return k }\n"
        );
    }
}
