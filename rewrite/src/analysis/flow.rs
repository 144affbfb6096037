//! Response-then-continue: a Pages handler may send its response and keep running; a route
//! handler's `return` ends it. Finds every statement that sends the response while more code
//! would still run after it: code after it in the same block, the next `case` of a `switch`
//! that it falls into, the next loop iteration. The same-file functions the handler passes `res`
//! to (`return handleGET(req, res)`, `ok(res, data)`) are followed: a call that may send the
//! response counts as sending it, and their own bodies are checked the same way.

use swc_common::Span;
use swc_ecma_ast::{Callee, Expr, Stmt};
use swc_ecma_visit::{noop_visit_type, Visit, VisitWith};

use super::module_index::ModuleIndex;
use super::syntax::{member_name, pat_var, unwrap, FnLike, Var};

/// Spans of response-sending statements after which the handler (or a helper it hands `res`
/// to) keeps running.
pub fn sends_then_continues(function: FnLike, res: Option<Var>, index: &ModuleIndex) -> Vec<Span> {
    let Some(res) = res else {
        return Vec::new();
    };
    let mut flow = Flow {
        index,
        followed: Vec::new(),
        out: Vec::new(),
    };
    flow.function(function, res);
    flow.out.sort_unstable();
    flow.out.dedup();
    flow.out
}

/// Where control goes when a statement list ends or breaks.
#[derive(Clone, Copy)]
struct Exits {
    /// Code runs after the list's last statement (the rest of the enclosing block, the next
    /// `case`, the next iteration).
    at_end: bool,
    /// Code runs after a `break` (after the enclosing `switch` or loop).
    at_break: bool,
}

struct Flow<'i> {
    index: &'i ModuleIndex<'i>,
    /// Functions already checked, so each helper is checked once and recursion ends.
    followed: Vec<Span>,
    out: Vec<Span>,
}

/// How many same-file functions deep `res` is followed.
const MAX_DELEGATION: usize = 4;

impl<'i> Flow<'i> {
    fn function(&mut self, function: FnLike<'i>, res: Var<'i>) {
        self.followed.push(function.span());
        if let Some(body) = function.body_stmts() {
            let exits = Exits {
                at_end: false,
                at_break: false,
            };
            self.stmts(body, exits, res);
        }
    }

    fn stmts(&mut self, list: &[Stmt], exits: Exits, res: Var<'i>) {
        for (i, stmt) in list.iter().enumerate() {
            let after = match list.get(i + 1) {
                Some(Stmt::Return(_) | Stmt::Throw(_)) => false,
                Some(Stmt::Break(_)) => exits.at_break,
                Some(_) => true,
                None => exits.at_end,
            };
            self.one(
                stmt,
                Exits {
                    at_end: after,
                    at_break: exits.at_break,
                },
                res,
            );
        }
    }

    /// `exits.at_end`: whether code runs after this statement.
    fn one(&mut self, stmt: &Stmt, exits: Exits, res: Var<'i>) {
        let after = exits.at_end;
        match stmt {
            // `sends_response` first: it also checks the helpers the call hands `res` to.
            Stmt::Expr(e) if self.sends_response(&e.expr, res) && after => self.out.push(e.span),
            Stmt::Return(r) => {
                // `return handleGET(req, res)`: check the helper's own body.
                if let Some(arg) = &r.arg {
                    self.sends_response(arg, res);
                }
            }
            Stmt::Block(b) => self.stmts(&b.stmts, exits, res),
            Stmt::If(i) => {
                self.one(&i.cons, exits, res);
                if let Some(alt) = &i.alt {
                    self.one(alt, exits, res);
                }
            }
            Stmt::Try(t) => {
                let inner = Exits {
                    at_end: after || t.finalizer.is_some(),
                    at_break: exits.at_break,
                };
                self.stmts(&t.block.stmts, inner, res);
                if let Some(handler) = &t.handler {
                    self.stmts(&handler.body.stmts, inner, res);
                }
            }
            Stmt::Switch(s) => {
                let last = s.cases.len().saturating_sub(1);
                for (i, case) in s.cases.iter().enumerate() {
                    // A case that does not break or return falls into the next one.
                    let falls_into_next =
                        i < last && s.cases[i + 1..].iter().any(|c| !c.cons.is_empty());
                    let case_exits = Exits {
                        at_end: if i < last {
                            falls_into_next || after
                        } else {
                            after
                        },
                        at_break: after,
                    };
                    self.stmts(&case.cons, case_exits, res);
                }
            }
            Stmt::Labeled(l) => self.one(&l.body, exits, res),
            // A response inside a loop body runs again on the next iteration.
            Stmt::For(l) => self.loop_body(&l.body, after, res),
            Stmt::ForIn(l) => self.loop_body(&l.body, after, res),
            Stmt::ForOf(l) => self.loop_body(&l.body, after, res),
            Stmt::While(l) => self.loop_body(&l.body, after, res),
            Stmt::DoWhile(l) => self.loop_body(&l.body, after, res),
            _ => {}
        }
    }

    fn loop_body(&mut self, body: &Stmt, after: bool, res: Var<'i>) {
        let exits = Exits {
            at_end: true,
            at_break: after,
        };
        self.one(body, exits, res);
    }

    /// `res.json(…)`, `res.status(…).send(…)`, `res.end()`, `res.redirect(…)`, possibly
    /// awaited; or a call that hands `res` to a same-file function that may send it.
    fn sends_response(&mut self, expr: &Expr, res: Var<'i>) -> bool {
        let expr = match unwrap(expr) {
            Expr::Await(a) => unwrap(&a.arg),
            Expr::Unary(u) => unwrap(&u.arg),
            e => e,
        };
        let Expr::Call(call) = expr else { return false };
        let Callee::Expr(callee) = &call.callee else {
            return false;
        };
        match unwrap(callee) {
            Expr::Member(m) => {
                matches!(
                    member_name(&m.prop),
                    Some("json" | "send" | "end" | "redirect")
                ) && rooted_at(&m.obj, res)
            }
            Expr::Ident(name) => {
                let Some(position) = call.args.iter().position(|a| res.is(&a.expr)) else {
                    return false;
                };
                let Some(function) = self.index.function_of(name) else {
                    return false;
                };
                let Some(helper_res) = function.param(position).and_then(pat_var) else {
                    return false;
                };
                if !self.followed.contains(&function.span())
                    && self.followed.len() <= MAX_DELEGATION
                {
                    self.function(function, helper_res);
                }
                may_send(function, helper_res)
            }
            _ => false,
        }
    }
}

/// True when a function sends the response it receives as `res` somewhere in its body.
fn may_send(function: FnLike, res: Var) -> bool {
    struct Sends<'a> {
        res: Var<'a>,
        found: bool,
    }
    impl Visit for Sends<'_> {
        noop_visit_type!();
        fn visit_member_expr(&mut self, m: &swc_ecma_ast::MemberExpr) {
            if matches!(
                member_name(&m.prop),
                Some("json" | "send" | "end" | "redirect")
            ) && rooted_at(&m.obj, self.res)
            {
                self.found = true;
            }
            m.visit_children_with(self);
        }
    }
    let mut sends = Sends { res, found: false };
    function.visit_body(&mut sends);
    sends.found
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
