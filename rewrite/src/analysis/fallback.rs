//! What a dispatch's fallback branch sends: a 405 (with or without `Allow`), a throw, other
//! code, or nothing of its own.
//!
//! The branch is read with the helpers it calls when what they send is certain: a helper of the
//! same file, or one a relative import names in a module of the project (read through
//! [`ImportedHelpers`]), whose body runs straight through (no branch: everything in it runs on
//! every call), so that what its body sends is what the call sends. A helper with branches of
//! its own (`sendError(res, status)`, answering 405 for one status among others) is not read: a
//! 405 in one branch says nothing of this call.

use swc_ecma_ast::{CallExpr, Callee, Expr, Stmt};
use swc_ecma_visit::{noop_visit_type, Visit, VisitWith};

use super::module_index::{Binding, ModuleIndex};
use super::syntax::{member_name, unwrap, FnLike};

/// Helpers one fallback's reading follows, at most (calls of helpers, helpers calling helpers):
/// bounds the reading of a helper that calls itself.
const HELPERS_FOLLOWED: u8 = 4;

/// What a helper's body sends, read as a fallback is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelperSends {
    pub status_405: bool,
    pub allow: bool,
}

/// Reads the helpers a file imports from modules of the project (`import { methodNotAllowed }
/// from '../../lib/http'`): what the named export sends, when it is a function whose body runs
/// straight through, else `None`.
pub trait ImportedHelpers: Sync {
    fn sends(&self, source: &str, name: &str) -> Option<HelperSends>;
}

/// What a fallback branch does, as [`super::dispatch::Fallback`] tells it (the caller sees to
/// responses that send nothing and throws caught by the handler).
pub fn classify(stmts: &[Stmt], index: &ModuleIndex) -> super::dispatch::Fallback {
    use super::dispatch::Fallback;
    if stmts.last().is_some_and(ends_in_throw) {
        return Fallback::Throws;
    }
    let mut scan = Scan::new(index);
    stmts.visit_with(&mut scan);
    if scan.status_405 && scan.allow {
        Fallback::MethodNotAllowedWithAllow
    } else if scan.status_405 {
        Fallback::MethodNotAllowed
    } else if scan.anything
        || stmts
            .iter()
            .any(|s| matches!(s, Stmt::Return(_) | Stmt::Throw(_)))
    {
        Fallback::Custom
    } else {
        Fallback::FallsThrough
    }
}

/// What the body of `function` sends, when it runs straight through: for [`ImportedHelpers`],
/// with the index of the helper's own module.
pub fn helper_sends(function: FnLike, index: &ModuleIndex) -> Option<HelperSends> {
    if !runs_straight_through(function) {
        return None;
    }
    let mut scan = Scan::new(index);
    function.visit_body(&mut scan);
    Some(HelperSends {
        status_405: scan.status_405,
        allow: scan.allow,
    })
}

/// True when a statement ends by throwing.
fn ends_in_throw(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Throw(_) => true,
        Stmt::Block(b) => b.stmts.last().is_some_and(ends_in_throw),
        _ => false,
    }
}

/// A 405 status and an `Allow` header anywhere in the code read, and whether there is code.
struct Scan<'i> {
    status_405: bool,
    allow: bool,
    anything: bool,
    index: &'i ModuleIndex<'i>,
    helpers_followed: u8,
}

impl<'i> Scan<'i> {
    fn new(index: &'i ModuleIndex<'i>) -> Self {
        Scan {
            status_405: false,
            allow: false,
            anything: false,
            index,
            helpers_followed: 0,
        }
    }

    /// Reads what a helper the call calls sends, when that is certain (see the module's docs).
    fn follow(&mut self, call: &CallExpr) {
        if self.helpers_followed >= HELPERS_FOLLOWED {
            return;
        }
        let Callee::Expr(callee) = &call.callee else {
            return;
        };
        let Expr::Ident(name) = unwrap(callee) else {
            return;
        };
        if let Some(helper) = self
            .index
            .function_of(name)
            .filter(|helper| runs_straight_through(*helper))
        {
            self.helpers_followed += 1;
            helper.visit_body(self);
        } else if let Some(sends) = imported_sends(name, self.index) {
            self.helpers_followed += 1;
            self.status_405 |= sends.status_405;
            self.allow |= sends.allow;
        }
    }
}

/// What a helper imported by name from a module of the project sends, when it is known.
fn imported_sends(name: &swc_ecma_ast::Ident, index: &ModuleIndex) -> Option<HelperSends> {
    if name.ctxt != index.top_level {
        return None;
    }
    let Binding::Import {
        source,
        imported: Some(imported),
    } = index.binding(&name.sym)?
    else {
        return None;
    };
    if !source.starts_with('.') || imported == "default" {
        return None;
    }
    index.imported_helpers?.sends(source, imported)
}

impl Visit for Scan<'_> {
    // Type annotations hold no `req`/`res` uses: do not walk them.
    noop_visit_type!();

    fn visit_lit(&mut self, lit: &swc_ecma_ast::Lit) {
        match lit {
            swc_ecma_ast::Lit::Num(n) if (n.value - 405.0).abs() < f64::EPSILON => {
                self.status_405 = true;
            }
            swc_ecma_ast::Lit::Str(s)
                if s.value
                    .as_atom()
                    .is_some_and(|a| a.eq_ignore_ascii_case("allow")) =>
            {
                self.allow = true;
            }
            _ => {}
        }
    }
    fn visit_expr(&mut self, e: &Expr) {
        self.anything = true;
        e.visit_children_with(self);
    }
    // `new Response(null, { status: 405, headers: { Allow: 'POST' } })`: a key names the
    // header too.
    fn visit_prop_name(&mut self, name: &swc_ecma_ast::PropName) {
        let key = match name {
            swc_ecma_ast::PropName::Ident(i) => Some(&*i.sym),
            swc_ecma_ast::PropName::Str(s) => s.value.as_str(),
            _ => None,
        };
        if key.is_some_and(|k| k.eq_ignore_ascii_case("allow")) {
            self.allow = true;
        }
        name.visit_children_with(self);
    }
    // `{ Allow }`: a shorthand key is a name too.
    fn visit_prop(&mut self, prop: &swc_ecma_ast::Prop) {
        if let swc_ecma_ast::Prop::Shorthand(i) = prop {
            if i.sym.eq_ignore_ascii_case("allow") {
                self.allow = true;
            }
        }
        prop.visit_children_with(self);
    }
    // Response helpers such as `methodNotAllowed(res)` answer 405 too.
    fn visit_call_expr(&mut self, call: &CallExpr) {
        let name = match &call.callee {
            Callee::Expr(callee) => match unwrap(callee) {
                Expr::Ident(i) => Some(&*i.sym),
                Expr::Member(m) => member_name(&m.prop),
                _ => None,
            },
            _ => None,
        };
        let not_allowed = |n: &str| {
            n.as_bytes()
                .windows(10)
                .any(|w| w.eq_ignore_ascii_case(b"notallowed"))
        };
        if name.is_some_and(not_allowed) {
            self.status_405 = true;
        }
        call.visit_children_with(self);
        self.follow(call);
    }
}

/// True when a function's body has no branch: no `if`, `switch`, conditional or logical
/// expression, loop, `try`, or function of its own. Everything in it runs on every call.
/// Parameters' defaults only give values, and are not read with the body: a `status = 405`
/// default says nothing of a call that passes 400.
fn runs_straight_through(function: FnLike) -> bool {
    struct Branches(bool);
    impl Visit for Branches {
        noop_visit_type!();
        fn visit_stmt(&mut self, stmt: &Stmt) {
            match stmt {
                Stmt::If(_)
                | Stmt::Switch(_)
                | Stmt::Try(_)
                | Stmt::For(_)
                | Stmt::ForIn(_)
                | Stmt::ForOf(_)
                | Stmt::While(_)
                | Stmt::DoWhile(_)
                | Stmt::Labeled(_) => self.0 = true,
                _ => stmt.visit_children_with(self),
            }
        }
        fn visit_expr(&mut self, expr: &Expr) {
            match expr {
                Expr::Cond(_) | Expr::Fn(_) | Expr::Arrow(_) | Expr::Class(_) => self.0 = true,
                Expr::Bin(b) if b.op.may_short_circuit() => self.0 = true,
                Expr::OptChain(_) => self.0 = true,
                _ => expr.visit_children_with(self),
            }
        }
        fn visit_decl(&mut self, decl: &swc_ecma_ast::Decl) {
            match decl {
                swc_ecma_ast::Decl::Fn(_) | swc_ecma_ast::Decl::Class(_) => self.0 = true,
                _ => decl.visit_children_with(self),
            }
        }
    }
    // A generator's body does not run when it is called.
    if matches!(function, FnLike::Function(f) if f.is_generator) {
        return false;
    }
    let mut branches = Branches(false);
    function.visit_body(&mut branches);
    !branches.0
}
