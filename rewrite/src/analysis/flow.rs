//! Response-then-continue: a Pages handler may send its response and keep running; a route
//! handler's `return` ends it. Finds every statement that sends the response while more code
//! would still run after it.

use swc_common::Span;
use swc_ecma_ast::{Callee, Expr, Stmt};

use super::syntax::Var;
use super::syntax::{member_name, unwrap, FnLike};

/// Spans of response-sending statements after which the handler keeps running.
pub fn sends_then_continues(function: FnLike, res: Option<Var>) -> Vec<Span> {
    let (Some(body), Some(res)) = (function.body_stmts(), res) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    stmts(body, false, res, &mut out);
    out
}

/// `continues`: whether code runs after this list of statements ends.
fn stmts(list: &[Stmt], continues: bool, res: Var, out: &mut Vec<Span>) {
    for (i, stmt) in list.iter().enumerate() {
        let after = match list.get(i + 1) {
            Some(Stmt::Return(_) | Stmt::Throw(_)) => false,
            Some(Stmt::Break(_)) => continues,
            Some(_) => true,
            None => continues,
        };
        one(stmt, after, res, out);
    }
}

fn one(stmt: &Stmt, after: bool, res: Var, out: &mut Vec<Span>) {
    match stmt {
        Stmt::Expr(e) if after && sends_response(&e.expr, res) => out.push(e.span),
        Stmt::Block(b) => stmts(&b.stmts, after, res, out),
        Stmt::If(i) => {
            one(&i.cons, after, res, out);
            if let Some(alt) = &i.alt {
                one(alt, after, res, out);
            }
        }
        Stmt::Try(t) => {
            stmts(&t.block.stmts, after || t.finalizer.is_some(), res, out);
            if let Some(handler) = &t.handler {
                stmts(
                    &handler.body.stmts,
                    after || t.finalizer.is_some(),
                    res,
                    out,
                );
            }
        }
        Stmt::Switch(s) => {
            for case in &s.cases {
                stmts(&case.cons, after, res, out);
            }
        }
        Stmt::Labeled(l) => one(&l.body, after, res, out),
        // A response inside a loop body runs again on the next iteration.
        Stmt::For(l) => one(&l.body, true, res, out),
        Stmt::ForIn(l) => one(&l.body, true, res, out),
        Stmt::ForOf(l) => one(&l.body, true, res, out),
        Stmt::While(l) => one(&l.body, true, res, out),
        Stmt::DoWhile(l) => one(&l.body, true, res, out),
        _ => {}
    }
}

/// `res.json(…)`, `res.status(…).send(…)`, `res.end()`, `res.redirect(…)`, possibly awaited.
fn sends_response(expr: &Expr, res: Var) -> bool {
    let expr = match unwrap(expr) {
        Expr::Await(a) => unwrap(&a.arg),
        Expr::Unary(u) => unwrap(&u.arg),
        e => e,
    };
    let Expr::Call(call) = expr else { return false };
    let Callee::Expr(callee) = &call.callee else {
        return false;
    };
    let Expr::Member(m) = unwrap(callee) else {
        return false;
    };
    matches!(
        member_name(&m.prop),
        Some("json" | "send" | "end" | "redirect")
    ) && rooted_at(&m.obj, res)
}

fn rooted_at(expr: &Expr, res: Var) -> bool {
    if res.is(expr) {
        return true;
    }
    match unwrap(expr) {
        Expr::Call(call) => match &call.callee {
            Callee::Expr(callee) => match unwrap(callee) {
                Expr::Member(m) => rooted_at(&m.obj, res),
                _ => false,
            },
            _ => false,
        },
        _ => false,
    }
}
