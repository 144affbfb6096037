//! Fallback code that sets the status or headers and sends nothing:
//!
//! ```js
//! default:
//!   res.statusCode = 405
//!   res.setHeader('Allow', 'GET')
//!   break
//! ```
//!
//! A status is only sent with the response (`end`, `json`, `send`, …); without one, Next leaves
//! the request hanging. Such a fallback is no 405, whatever number it sets: the dispatch reports
//! what happens after it instead. Only statements that surely send nothing count (a status or a
//! header set to a plain value, a `console` call); anything else may answer, and the scan gives
//! up.

use swc_ecma_ast::{AssignTarget, Callee, Expr, SimpleAssignTarget, Stmt};

use super::syntax::{member_name, unwrap};

/// Where control goes after fallback statements that send nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaves {
    /// A `return`: the handler ends without a response.
    Returns,
    /// A `break`: out of the enclosing `switch`.
    Breaks,
    /// Past the last statement.
    RunsOn,
}

/// How `stmts` leave when none of them can send anything; `None` when one may.
pub fn sends_nothing(stmts: &[Stmt]) -> Option<Leaves> {
    for stmt in stmts {
        match stmt {
            Stmt::Break(b) if b.label.is_none() => return Some(Leaves::Breaks),
            Stmt::Return(r) => {
                return r
                    .arg
                    .as_deref()
                    .is_none_or(sets_state_only)
                    .then_some(Leaves::Returns);
            }
            Stmt::Expr(e) if sets_state_only(&e.expr) => {}
            Stmt::Empty(_) => {}
            Stmt::Block(block) => match sends_nothing(&block.stmts)? {
                Leaves::RunsOn => {}
                leaves => return Some(leaves),
            },
            _ => return None,
        }
    }
    Some(Leaves::RunsOn)
}

/// `res.statusCode = 405`, `res.statusMessage = '…'`, `res.status(405)`,
/// `res.setHeader('Allow', ['GET'])`, `console.log('…')`: nothing is sent.
fn sets_state_only(expr: &Expr) -> bool {
    match unwrap(expr) {
        Expr::Assign(assign) => {
            let AssignTarget::Simple(SimpleAssignTarget::Member(target)) = &assign.left else {
                return false;
            };
            matches!(
                member_name(&target.prop),
                Some("statusCode" | "statusMessage")
            ) && is_plain(&target.obj)
                && is_plain(&assign.right)
        }
        Expr::Call(call) => {
            let Callee::Expr(callee) = &call.callee else {
                return false;
            };
            let Expr::Member(member) = unwrap(callee) else {
                return false;
            };
            let quiet = match member_name(&member.prop) {
                Some("status" | "setHeader") => is_plain(&member.obj),
                Some(_) => matches!(unwrap(&member.obj), Expr::Ident(i) if i.sym == *"console"),
                None => false,
            };
            quiet
                && call
                    .args
                    .iter()
                    .all(|a| a.spread.is_none() && is_plain(&a.expr))
        }
        _ => false,
    }
}

/// A value that runs no code of the handler's: a literal, a name, a member, a template or an
/// array of those, or `[…].join(…)` of them.
fn is_plain(expr: &Expr) -> bool {
    match unwrap(expr) {
        Expr::Lit(_) | Expr::Ident(_) => true,
        Expr::Member(m) => {
            is_plain(&m.obj) && !matches!(m.prop, swc_ecma_ast::MemberProp::Computed(_))
        }
        Expr::Tpl(tpl) => tpl.exprs.iter().all(|e| is_plain(e)),
        Expr::Array(array) => array.elems.iter().all(|e| {
            e.as_ref()
                .is_some_and(|e| e.spread.is_none() && is_plain(&e.expr))
        }),
        Expr::Call(call) => {
            let Callee::Expr(callee) = &call.callee else {
                return false;
            };
            matches!(unwrap(callee), Expr::Member(m)
                if member_name(&m.prop) == Some("join") && is_plain(&m.obj))
                && call
                    .args
                    .iter()
                    .all(|a| a.spread.is_none() && is_plain(&a.expr))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{sends_nothing, Leaves};

    /// What the statements of a `default:` case do.
    fn leaves(case: &str) -> Option<Leaves> {
        use swc_ecma_ast::{Decl, Program, Stmt};
        let text = format!("function f(res) {{ switch (x) {{ default: {case} }} }}");
        let parsed = crate::parse::parse(&text, "js").unwrap();
        let Program::Script(script) = &parsed.program else {
            panic!("a script")
        };
        let Stmt::Decl(Decl::Fn(f)) = &script.body[0] else {
            panic!("a function")
        };
        let Stmt::Switch(switch) = &f.function.body.as_ref().unwrap().stmts[0] else {
            panic!("a switch")
        };
        sends_nothing(&switch.cases[0].cons)
    }

    #[test]
    fn a_status_or_header_alone_sends_nothing() {
        assert_eq!(
            leaves("res.statusCode = 405; res.setHeader('Allowed', 'GET DELETE PUT'); break"),
            Some(Leaves::Breaks)
        );
        assert_eq!(leaves("return res.status(405)"), Some(Leaves::Returns));
        assert_eq!(
            leaves("{ res.setHeader('Allow', ['GET', 'POST'].join(', ')); console.warn(`no ${res.x}`) }"),
            Some(Leaves::RunsOn)
        );
        assert_eq!(leaves("return"), Some(Leaves::Returns));
    }

    #[test]
    fn anything_that_may_answer_stops_the_scan() {
        for body in [
            "res.status(405).end()",
            "res.statusCode = 405; res.end()",
            "return res.status(405).json({})",
            "notAllowed()",
            "res.setHeader('Allow', allowed()); break",
            "res.statusCode = code(); break",
            "throw { statusCode: 405 }",
            "if (x) res.statusCode = 405",
            "return sendError(res, 405)",
        ] {
            assert_eq!(leaves(body), None, "{body}");
        }
    }
}
