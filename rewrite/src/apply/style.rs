//! The file's own style, so that the code a rewrite adds reads like the code around it:
//! its quote character and whether its statements end with semicolons.

use swc_common::Spanned;
use swc_ecma_ast::{ModuleItem, Program, Stmt};

use crate::parse;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub quote: char,
    pub semicolons: bool,
}

impl Style {
    /// A string literal in the file's quotes (the value needs no escaping: paths and names).
    pub fn string(self, value: &str) -> String {
        format!("{q}{value}{q}", q = self.quote)
    }

    /// `;` when the file ends its statements with one.
    pub fn semi(self) -> &'static str {
        if self.semicolons {
            ";"
        } else {
            ""
        }
    }
}

/// Reads the style from the top-level statements: the quote of the first import (or string)
/// and the semicolons of the statements that would take one.
pub fn of(program: &Program, text: &str) -> Style {
    let mut with = 0usize;
    let mut without = 0usize;
    let mut quote = None;
    let mut count = |range: crate::diagnostic::TextRange| {
        let statement = text[range.start as usize..range.end as usize].trim_end();
        if statement.ends_with(';') {
            with += 1;
        } else if !statement.ends_with('}') {
            without += 1;
        }
    };
    let items: Vec<&ModuleItem> = match program {
        Program::Module(m) => m.body.iter().collect(),
        Program::Script(_) => Vec::new(),
    };
    for item in &items {
        let range = parse::range(item.span());
        match item {
            ModuleItem::ModuleDecl(swc_ecma_ast::ModuleDecl::Import(import)) => {
                let source = parse::range(import.src.span);
                quote = quote.or_else(|| text[source.start as usize..].chars().next());
                count(range);
            }
            ModuleItem::Stmt(Stmt::Decl(swc_ecma_ast::Decl::Fn(_))) => {}
            _ => count(range),
        }
    }
    if let Program::Script(script) = program {
        for stmt in &script.body {
            if !matches!(stmt, Stmt::Decl(swc_ecma_ast::Decl::Fn(_))) {
                count(parse::range(stmt.span()));
            }
        }
    }
    let quote = quote
        .filter(|q| *q == '"' || *q == '\'')
        .unwrap_or_else(|| {
            if text.matches('"').count() > text.matches('\'').count() {
                '"'
            } else {
                '\''
            }
        });
    // Without top-level evidence (a file that is one function), count the lines inside.
    if with == 0 && without == 0 {
        for line in text.lines().map(str::trim_end) {
            if line.ends_with(';') {
                with += 1;
            } else if line
                .ends_with(|c: char| c == ')' || c == '\'' || c == '"' || c.is_alphanumeric())
            {
                without += 1;
            }
        }
    }
    Style {
        quote,
        semicolons: with > without,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(text: &str) -> Style {
        of(&parse::parse(text, "ts").unwrap().program, text)
    }

    #[test]
    fn follows_the_file() {
        assert_eq!(
            style("import a from 'a'\nconst b = 1\nexport default a\n"),
            Style {
                quote: '\'',
                semicolons: false
            }
        );
        assert_eq!(
            style("import a from \"a\";\nconst b = 1;\nexport default function h() {}\n"),
            Style {
                quote: '"',
                semicolons: true
            }
        );
    }
}
