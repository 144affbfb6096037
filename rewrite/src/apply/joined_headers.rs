//! Whether a route served through the adapter may answer a header in one line where Pages
//! wrote several.
//!
//! Node writes `res.setHeader('Allow', ['GET', 'DELETE'])` as two `Allow` lines. A route
//! handler answers with a `Response`, whose `Headers` join the values of one name into a single
//! line, `Allow: GET, DELETE` (only `Set-Cookie` keeps a line per value). HTTP reads both forms
//! as the same field (RFC 9110, 5.3), but they are not the same bytes, so the report declares
//! it wherever it can happen: a header set in the file to a value that is not a single literal
//! or added with `appendHeader`, or the response handed to code the analysis does not read (a
//! wrapper, a library, a helper of another module), which may set one.

use swc_ecma_ast::{CallExpr, Callee, Expr, Lit, MemberProp, Program, Prop, PropOrSpread};
use swc_ecma_visit::{noop_visit_type, Visit, VisitWith};

use super::idiomatic::Declared;
use crate::analysis::syntax::{string_value, unwrap};
use crate::analysis::uses::{Object, UseKind};
use crate::check::RouteReport;

/// What a route served through the adapter declares about header lines (see the module docs),
/// its prose added to `differences`.
pub fn declared(
    route: &RouteReport,
    program: &Program,
    differences: &mut Vec<String>,
) -> Vec<Declared> {
    if !may_join(route, program) {
        return Vec::new();
    }
    differences.push(Declared::JoinedHeaderLines.message().to_owned());
    vec![Declared::JoinedHeaderLines]
}

/// True when the route's answers may carry a header joined into one line.
fn may_join(route: &RouteReport, program: &Program) -> bool {
    let unseen_code = route
        .handler
        .as_ref()
        .is_some_and(|handler| !handler.wrappers.is_empty() || handler.library.is_some())
        || route.uses.iter().any(|u| {
            u.object == Object::Res
                && matches!(
                    u.kind,
                    UseKind::Escape
                        | UseKind::Alias
                        | UseKind::Detached
                        | UseKind::Unfollowed
                        | UseKind::Dynamic
                )
        });
    if unseen_code {
        return true;
    }
    let mut finder = ListValues { found: false };
    program.visit_with(&mut finder);
    finder.found
}

/// Finds a `setHeader`/`appendHeader` value or a `writeHead` header that is not one literal.
struct ListValues {
    found: bool,
}

impl Visit for ListValues {
    noop_visit_type!();

    fn visit_call_expr(&mut self, call: &CallExpr) {
        if let Callee::Expr(callee) = &call.callee {
            if let Expr::Member(member) = unwrap(callee) {
                if let MemberProp::Ident(method) = &member.prop {
                    // Each call writes a line of its own under Node.
                    if &*method.sym == "appendHeader" && !names_set_cookie(call) {
                        self.found = true;
                    }
                    let values: Vec<&Expr> = match &*method.sym {
                        // A `Response` keeps a line per `Set-Cookie` value too.
                        "setHeader" | "appendHeader" if !names_set_cookie(call) => {
                            call.args.get(1).map(|a| &*a.expr).into_iter().collect()
                        }
                        // `writeHead(status, [message,] headers)`.
                        "writeHead" => call
                            .args
                            .iter()
                            .skip(1)
                            .flat_map(|a| header_values(&a.expr))
                            .collect(),
                        _ => Vec::new(),
                    };
                    if values.into_iter().any(|v| !is_single_literal(v)) {
                        self.found = true;
                    }
                }
            }
        }
        call.visit_children_with(self);
    }
}

/// `setHeader('Set-Cookie', …)`, in any case.
fn names_set_cookie(call: &CallExpr) -> bool {
    call.args
        .first()
        .and_then(|name| string_value(&name.expr))
        .is_some_and(|name| name.eq_ignore_ascii_case("set-cookie"))
}

/// The values of a `writeHead` argument: an object literal's property values; a string (the
/// status message) has none; anything else may hold lists, so it is its own value.
fn header_values(expr: &Expr) -> Vec<&Expr> {
    match unwrap(expr) {
        Expr::Object(object) => object
            .props
            .iter()
            .map(|prop| match prop {
                PropOrSpread::Prop(prop) => match &**prop {
                    Prop::KeyValue(kv) => &*kv.value,
                    _ => expr,
                },
                PropOrSpread::Spread(_) => expr,
            })
            .collect(),
        Expr::Lit(Lit::Str(_)) | Expr::Tpl(_) => Vec::new(),
        _ => vec![expr],
    }
}

/// A string, number or boolean literal, or a template: one value, one line.
fn is_single_literal(expr: &Expr) -> bool {
    matches!(
        unwrap(expr),
        Expr::Lit(Lit::Str(_) | Lit::Num(_) | Lit::Bool(_)) | Expr::Tpl(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists(code: &str) -> bool {
        let program = crate::parse::parse_syntax(code, "ts").unwrap();
        let mut finder = ListValues { found: false };
        program.visit_with(&mut finder);
        finder.found
    }

    #[test]
    fn finds_header_values_that_may_be_lists() {
        assert!(lists("res.setHeader('Allow', ['GET', 'POST'])"));
        assert!(lists("res.setHeader('Allow', ALLOWED)"));
        assert!(lists("res.appendHeader('Vary', list)"));
        assert!(lists("res.appendHeader('Vary', 'Accept')"));
        assert!(lists("res.writeHead(200, { Allow: ['GET', 'POST'] })"));
        assert!(lists("res.writeHead(200, 'OK', headers)"));
        assert!(lists("res.writeHead(200, { ...base })"));
        assert!(!lists("res.setHeader('Allow', 'GET, POST')"));
        assert!(!lists("res.setHeader('Content-Length', 12)"));
        assert!(!lists("res.setHeader('X-Id', `id-${id}`)"));
        assert!(!lists("res.writeHead(307, { Location: '/x' })"));
        assert!(!lists("res.writeHead(200, 'OK')"));
        assert!(!lists("res.status(200).json({ a: [1, 2] })"));
        assert!(!lists("res.setHeader('Set-Cookie', ['a=1', 'b=2'])"));
        assert!(lists("res.setHeader('Set-Cookie-Policy', ['a', 'b'])"));
    }
}
