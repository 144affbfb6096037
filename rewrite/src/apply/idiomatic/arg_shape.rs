//! What kind of expression a response call's argument is, read from the syntax tree (its text
//! alone cannot tell `[a, b]` from `[a, b].join(',')`).

use swc_common::Spanned;
use swc_ecma_ast::{Expr, Lit, Program};
use swc_ecma_visit::{noop_visit_type, Visit, VisitWith};

use crate::analysis::syntax::{member_name, unwrap};
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
    found(program, range).map_or(ArgShape::Computed, |(shape, _)| shape)
}

/// Whether the expression at `range` is a string whenever it has a value: a string literal, a
/// template, or a call of a method that answers with a string on every value that has it
/// (`limit.toString()`, `expires.toUTCString()`, `n.toFixed(2)`). A value without the method
/// throws before the call it is an argument of, in Pages and in a route handler alike.
pub fn is_string(program: &Program, range: TextRange) -> bool {
    found(program, range).is_some_and(|(_, string)| string)
}

fn found(program: &Program, range: TextRange) -> Option<(ArgShape, bool)> {
    let mut finder = Finder { range, found: None };
    program.visit_with(&mut finder);
    finder.found
}

struct Finder {
    range: TextRange,
    found: Option<(ArgShape, bool)>,
}

impl Visit for Finder {
    noop_visit_type!();

    fn visit_expr(&mut self, expr: &Expr) {
        if self.found.is_some() {
            return;
        }
        let range = parse::range(expr.span());
        if range == self.range {
            self.found = Some((shape(expr), string_valued(expr)));
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

fn string_valued(expr: &Expr) -> bool {
    /// Methods of the built-ins that always answer with a string.
    const TO_STRING: &[&str] = &[
        "toString",
        "toUTCString",
        "toISOString",
        "toFixed",
        "toPrecision",
        "toLowerCase",
        "toUpperCase",
        "trim",
    ];
    match unwrap(expr) {
        Expr::Lit(Lit::Str(_)) | Expr::Tpl(_) => true,
        Expr::Call(call) => call
            .callee
            .as_expr()
            .and_then(|callee| match unwrap(callee) {
                Expr::Member(member) => member_name(&member.prop),
                _ => None,
            })
            .is_some_and(|method| TO_STRING.contains(&method)),
        _ => false,
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

    #[test]
    fn strings_by_shape() {
        let string = |code: &str| {
            let program = parse::parse_syntax(code, "ts").unwrap();
            let open = code.find("f(").unwrap() + 2;
            let close = code.rfind(')').unwrap();
            is_string(&program, TextRange::new(open as u32, close as u32))
        };
        for yes in [
            "f('x')",
            "f(`a${b}`)",
            "f(limit.toString())",
            "f(reset.toString(10))",
            "f(new Date().toUTCString())",
            "f(n.toFixed(2))",
        ] {
            assert!(string(yes), "{yes}");
        }
        for no in [
            "f(x)",
            "f(42)",
            "f(null)",
            "f(JSON.stringify(x))",
            "f(buffer.length)",
            "f(toString())",
            "f(x.toJSON())",
        ] {
            assert!(!string(no), "{no}");
        }
    }
}
