//! What kind of expression a response call's argument is, read from the syntax tree (its text
//! alone cannot tell `[a, b]` from `[a, b].join(',')`).

use swc_common::Spanned;
use swc_ecma_ast::{Expr, Lit, Program};
use swc_ecma_visit::{noop_visit_type, Visit, VisitWith};

use crate::analysis::syntax::unwrap;
use crate::diagnostic::TextRange;
use crate::parse;

/// The kinds of argument a rewrite tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgShape {
    /// `{ … }`: Pages' `res.send` answers it as JSON.
    Object,
    /// `[ … ]`: JSON for `res.send`, one header line per item for `res.setHeader`.
    Array,
    /// A number literal: JSON for `res.send` too.
    Number,
    /// A string, boolean or `null` literal, or a template: never `undefined`.
    OtherLiteral,
    /// Anything else (a name, a call, a member): its value is known only when it runs.
    Computed,
}

impl ArgShape {
    /// The value cannot be `undefined` (or a function), which `Response.json` refuses where
    /// Pages' `res.json` answered an empty body.
    pub fn always_serializable(self) -> bool {
        self != ArgShape::Computed
    }
}

/// The shape of the expression spanning `range` in `program` (`Computed` if none does).
pub fn of(program: &Program, range: TextRange) -> ArgShape {
    let mut finder = Finder { range, shape: None };
    program.visit_with(&mut finder);
    finder.shape.unwrap_or(ArgShape::Computed)
}

struct Finder {
    range: TextRange,
    shape: Option<ArgShape>,
}

impl Visit for Finder {
    noop_visit_type!();

    fn visit_expr(&mut self, expr: &Expr) {
        if self.shape.is_some() {
            return;
        }
        let range = parse::range(expr.span());
        if range == self.range {
            self.shape = Some(shape(expr));
            return;
        }
        // Only an expression around the range can hold it.
        if range.start <= self.range.start && self.range.end <= range.end {
            expr.visit_children_with(self);
        }
    }
}

fn shape(expr: &Expr) -> ArgShape {
    match unwrap(expr) {
        Expr::Object(_) => ArgShape::Object,
        Expr::Array(_) => ArgShape::Array,
        Expr::Lit(Lit::Num(_)) => ArgShape::Number,
        Expr::Lit(Lit::Str(_) | Lit::Bool(_) | Lit::Null(_)) | Expr::Tpl(_) => {
            ArgShape::OtherLiteral
        }
        _ => ArgShape::Computed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape of the first argument of the call `f(…)` in `code`.
    fn first_arg(code: &str) -> ArgShape {
        let program = parse::parse_syntax(code, "ts").unwrap();
        let open = code.find("f(").unwrap() + 2;
        let close = code.rfind(')').unwrap();
        let range = TextRange::new(open as u32, close as u32);
        of(&program, range)
    }

    #[test]
    fn tells_literals_from_expressions_that_start_like_them() {
        assert_eq!(first_arg("f({ a: 1 })"), ArgShape::Object);
        assert_eq!(first_arg("f([1, 2])"), ArgShape::Array);
        assert_eq!(first_arg("f(({ a: 1 } as const))"), ArgShape::Object);
        assert_eq!(first_arg("f(42)"), ArgShape::Number);
        assert_eq!(first_arg("f('x')"), ArgShape::OtherLiteral);
        assert_eq!(first_arg("f(`a${b}`)"), ArgShape::OtherLiteral);
        assert_eq!(first_arg("f(null)"), ArgShape::OtherLiteral);
        assert_eq!(first_arg("f(['a', 'b'].join(','))"), ArgShape::Computed);
        assert_eq!(first_arg("f([a][0])"), ArgShape::Computed);
        assert_eq!(first_arg("f(items.find((i) => i.ok))"), ArgShape::Computed);
        assert_eq!(first_arg("f(undefined)"), ArgShape::Computed);
        assert_eq!(first_arg("f(x)"), ArgShape::Computed);
    }
}
