//! Types written on the handler as a whole (`const handler: NextApiHandler = …`, `(…) satisfies
//! NextApiHandler`, `… as NextApiHandler`, a return type `: Promise<void>`) describe a Pages
//! handler: once the function takes a `Request` and returns a `Response` they no longer hold
//! (the build fails its type check), so the rewrite removes them.

use swc_common::Spanned;
use swc_ecma_ast::{ArrowExpr, Expr, Function, Pat, Program, TsTypeAnn, VarDeclarator};
use swc_ecma_visit::{Visit, VisitWith};

use crate::analysis::syntax::unwrap;
use crate::apply::edit::Edit;
use crate::diagnostic::TextRange;
use crate::parse;

/// The deletions of the handler function's return type and of every type annotation,
/// `satisfies`, `as` and `<T>` assertion applied to it (`function` is its range).
pub fn removals(program: &Program, function: TextRange) -> Vec<Edit> {
    let mut finder = Finder {
        function,
        edits: Vec::new(),
    };
    program.visit_with(&mut finder);
    finder.edits
}

struct Finder {
    function: TextRange,
    edits: Vec<Edit>,
}

impl Finder {
    /// `expr` is the handler function, perhaps in parentheses or under type assertions.
    fn holds(&self, expr: &Expr) -> bool {
        let range = match unwrap(expr) {
            Expr::Arrow(arrow) => parse::range(arrow.span),
            Expr::Fn(function) => parse::range(function.function.span),
            _ => return false,
        };
        range == self.function
    }

    /// `): Promise<void> {` → `) {`.
    fn return_type(&mut self, annotation: Option<&TsTypeAnn>) {
        if let Some(annotation) = annotation {
            self.edits
                .push(Edit::deletion(parse::range(annotation.span)));
        }
    }
}

impl Visit for Finder {
    fn visit_function(&mut self, function: &Function) {
        if parse::range(function.span) == self.function {
            self.return_type(function.return_type.as_deref());
        }
        function.visit_children_with(self);
    }

    fn visit_arrow_expr(&mut self, arrow: &ArrowExpr) {
        if parse::range(arrow.span) == self.function {
            self.return_type(arrow.return_type.as_deref());
        }
        arrow.visit_children_with(self);
    }

    fn visit_var_declarator(&mut self, declarator: &VarDeclarator) {
        if let (Pat::Ident(binding), Some(init)) = (&declarator.name, declarator.init.as_deref()) {
            if let Some(annotation) = &binding.type_ann {
                if self.holds(init) {
                    self.edits.push(Edit::deletion(TextRange::new(
                        parse::range(binding.id.span).end,
                        parse::range(annotation.span).end,
                    )));
                }
            }
        }
        declarator.visit_children_with(self);
    }

    fn visit_expr(&mut self, expr: &Expr) {
        let (inner, whole) = match expr {
            Expr::TsAs(e) => (&e.expr, e.span),
            Expr::TsSatisfies(e) => (&e.expr, e.span),
            Expr::TsTypeAssertion(e) => (&e.expr, e.span),
            _ => {
                expr.visit_children_with(self);
                return;
            }
        };
        if self.holds(inner) {
            let inner_range = parse::range(inner.span());
            let whole = parse::range(whole);
            // `x as T`, `x satisfies T`: what follows the expression; `<T>x`: what precedes it.
            let removed = if whole.start < inner_range.start {
                TextRange::new(whole.start, inner_range.start)
            } else {
                TextRange::new(inner_range.end, whole.end)
            };
            self.edits.push(Edit::deletion(removed));
        }
        expr.visit_children_with(self);
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::{model_pages_api_and_tree, RouteContext};
    use crate::apply::edit::splice;

    /// The text with the handler's own types removed.
    fn without_types(text: &str) -> String {
        let context = RouteContext {
            params: &[],
            next_major: Some(16),
            file: "pages/api/x.ts",
            aliases: None,
            imported_helpers: None,
        };
        let (analysis, parsed) = model_pages_api_and_tree(text, "ts", &context);
        let function = analysis.model.unwrap().function.unwrap().range;
        splice(text, super::removals(&parsed.unwrap().program, function)).unwrap()
    }

    #[test]
    fn every_way_of_typing_the_handler_goes() {
        for (before, after) in [
            (
                "const h: NextApiHandler<Data> = async (req, res) => {}\nexport default h\n",
                "const h = async (req, res) => {}\nexport default h\n",
            ),
            (
                "const h: NextApiHandler = async function named(req, res) {}\nexport default h\n",
                "const h = async function named(req, res) {}\nexport default h\n",
            ),
            (
                "export default (async (req, res) => {}) satisfies NextApiHandler\n",
                "export default (async (req, res) => {})\n",
            ),
            (
                "const h = ((req, res) => {}) as unknown as NextApiHandler\nexport default h\n",
                "const h = ((req, res) => {})\nexport default h\n",
            ),
            (
                "export default <NextApiHandler>((req, res) => {})\n",
                "export default ((req, res) => {})\n",
            ),
            (
                "export default async function h(req, res): Promise<void> {}\n",
                "export default async function h(req, res) {}\n",
            ),
        ] {
            assert_eq!(without_types(before), after, "{before}");
        }
        // Types elsewhere in the file stay.
        let other =
            "const x: number = 1\nexport default function h(req, res) { const y: string = 'a' }\n";
        assert_eq!(without_types(other), other);
    }
}
