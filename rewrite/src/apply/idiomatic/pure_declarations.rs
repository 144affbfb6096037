//! Statements of a split handler's prelude that have no effect beyond the locals they declare —
//! reads of the request (`const { method } = req`, `const method = req.method`, `const { id } =
//! req.query`) and lists of literals (`const allowed = ['GET', 'POST']`, `new Set([…])`) — and
//! that a method's own function may not need. Every method's function gets a copy of the
//! prelude; the dispatch or guard read `method` and the allowed list, and with it gone most
//! functions never do, which a project with `noUnusedLocals` reports as an error. A function
//! that uses none of such a statement's locals goes without it.
//!
//! Uses are found by binding (name and syntax context), not by text: `const { method: verb } =
//! req` mentions `method` without using the local `method`.

use swc_ecma_ast::{
    ArrayLit, Callee, Decl, Expr, Id, Ident, Lit, MemberExpr, MemberProp, ObjectPatProp,
    OptChainBase, Pat, Stmt,
};
use swc_ecma_visit::{Visit, VisitWith};

use crate::diagnostic::TextRange;
use crate::parse;

/// A local a declaration binds: its name, its binding, and whether it stays on the request.
pub type Binding = (String, Id, bool);

/// A prelude statement without an effect beyond its locals.
pub struct PureDeclaration {
    /// The statement: what a function without it leaves out.
    pub statement: TextRange,
    /// The locals it declares, by name and binding, and whether each stays on the request in
    /// the rewrite (`method` of `const { method, query: { id } } = req`, where `id` is taken
    /// from the route's params instead).
    pub bindings: Vec<Binding>,
    /// For a destructuring of the request: its declarator up to the end of `req`, which a
    /// function that uses none of the locals staying on the request can go without while
    /// keeping what the rewrite takes apart.
    pub on_request: Option<TextRange>,
}

/// The statements of `prelude` that only read `req` (the handler's request parameter) or list
/// literals, without a comment inside (deleting one would take the comment along).
pub fn pure_declarations(text: &str, prelude: &[Stmt], req: &str) -> Vec<PureDeclaration> {
    prelude
        .iter()
        .filter_map(|stmt| {
            let (bindings, on_request) = read_bindings(stmt, req)?;
            let statement = parse::range(swc_common::Spanned::span(stmt));
            let code = &text[statement.start as usize..statement.end as usize];
            let commented = code.contains("//") || code.contains("/*");
            (!commented).then_some(PureDeclaration {
                statement,
                bindings,
                on_request,
            })
        })
        .collect()
}

/// Where each identifier of `stmts` stands: references and declarations alike (a property
/// name is not an identifier here; a shorthand `{ method }` is).
pub fn identifiers(stmts: &[Stmt]) -> Vec<(Id, u32)> {
    #[derive(Default)]
    struct Collect(Vec<(Id, u32)>);
    impl Visit for Collect {
        fn visit_ident(&mut self, ident: &Ident) {
            self.0.push((ident.to_id(), parse::range(ident.span).start));
        }
    }
    let mut collect = Collect::default();
    stmts.visit_with(&mut collect);
    collect.0
}

/// The bindings of a `const`/`let` when each of its declarators reads `req` itself or one of
/// its fields ([`reads_request`]) or lists literals ([`literal_list`]), into a name or an object
/// pattern (no defaults or rest; a Pages field taken apart one level deep: `query: { id }`),
/// and for one declarator destructuring `req`, its range up to the end of `req`.
fn read_bindings(stmt: &Stmt, req: &str) -> Option<(Vec<Binding>, Option<TextRange>)> {
    let Stmt::Decl(Decl::Var(var)) = stmt else {
        return None;
    };
    let mut bindings = Vec::new();
    let mut on_request = None;
    for declarator in &var.decls {
        let init = declarator.init.as_deref()?;
        if !reads_request(init, req) && !literal_list(init) {
            return None;
        }
        let is_req = matches!(init, Expr::Ident(i) if &*i.sym == req);
        let mut bind = |ident: &Ident, stays: bool| {
            bindings.push((ident.sym.to_string(), ident.to_id(), is_req && stays));
        };
        match &declarator.name {
            Pat::Ident(binding) => bind(&binding.id, false),
            Pat::Object(object) => {
                for prop in &object.props {
                    pattern_bindings(prop, &mut bind)?;
                }
                if is_req && var.decls.len() == 1 {
                    let start = parse::range(declarator.span).start;
                    on_request = Some(TextRange::new(
                        start,
                        parse::range(swc_common::Spanned::span(init)).end,
                    ));
                }
            }
            _ => return None,
        }
    }
    Some((bindings, on_request))
}

/// The locals of one property of an object pattern, each with whether it stays on the request
/// (anything but a Pages field: `method`, `method: m`).
fn pattern_bindings(prop: &ObjectPatProp, bind: &mut dyn FnMut(&Ident, bool)) -> Option<()> {
    let field = |key: &str| matches!(key, "query" | "body" | "cookies");
    match prop {
        ObjectPatProp::Assign(a) if a.value.is_none() => bind(&a.key.id, !field(&a.key.sym)),
        ObjectPatProp::KeyValue(kv) => {
            let key = match &kv.key {
                swc_ecma_ast::PropName::Ident(i) => i.sym.to_string(),
                _ => return None,
            };
            match &*kv.value {
                Pat::Ident(binding) => bind(&binding.id, !field(&key)),
                Pat::Object(inner) if field(&key) => {
                    for prop in &inner.props {
                        match prop {
                            ObjectPatProp::Assign(a) if a.value.is_none() => bind(&a.key.id, false),
                            ObjectPatProp::KeyValue(kv) => match &*kv.value {
                                Pat::Ident(binding) => bind(&binding.id, false),
                                _ => return None,
                            },
                            _ => return None,
                        }
                    }
                }
                _ => return None,
            }
        }
        _ => return None,
    }
    Some(())
}

/// `req`, `req.method` (also upper- or lower-cased: `req.method?.toLowerCase()`), `req.query`,
/// `req.cookies` or `req.headers`: none has an effect of its own, nor has what the rewrite
/// makes of it (`await params`, `pagesQuery(req)`, …; a `Request`'s method is always a string).
/// `req.body` is not one: its rewrite parses the body, which may answer 400.
fn reads_request(init: &Expr, req: &str) -> bool {
    let is_req = |e: &Expr| matches!(e, Expr::Ident(i) if &*i.sym == req);
    let is_method = |m: &MemberExpr| is_req(&m.obj) && prop_is(&m.prop, &["method"]);
    let recased = |callee: &Expr| match callee {
        Expr::Member(m) => {
            prop_is(&m.prop, &["toLowerCase", "toUpperCase"])
                && matches!(&*m.obj, Expr::Member(inner) if is_method(inner))
        }
        Expr::OptChain(o) => matches!(&*o.base, OptChainBase::Member(m)
            if prop_is(&m.prop, &["toLowerCase", "toUpperCase"]) && matches!(&*m.obj, Expr::Member(inner) if is_method(inner))),
        _ => false,
    };
    match init {
        Expr::Ident(_) => is_req(init),
        Expr::Member(m) => {
            is_req(&m.obj) && prop_is(&m.prop, &["method", "query", "cookies", "headers"])
        }
        Expr::Call(call) => {
            call.args.is_empty() && matches!(&call.callee, Callee::Expr(callee) if recased(callee))
        }
        Expr::OptChain(o) => match &*o.base {
            OptChainBase::Call(call) => call.args.is_empty() && recased(&call.callee),
            OptChainBase::Member(_) => false,
        },
        _ => false,
    }
}

/// `['GET', 'POST']` or `new Set(['GET', 'POST'])`: strings, numbers and booleans only.
fn literal_list(init: &Expr) -> bool {
    let literals = |array: &ArrayLit| {
        array.elems.iter().all(|e| {
            e.as_ref().is_some_and(|e| {
                e.spread.is_none()
                    && matches!(
                        &*e.expr,
                        Expr::Lit(Lit::Str(_) | Lit::Num(_) | Lit::Bool(_))
                    )
            })
        })
    };
    match init {
        Expr::Array(array) => literals(array),
        Expr::New(new) => {
            matches!(&*new.callee, Expr::Ident(i) if &*i.sym == "Set")
                && matches!(new.args.as_deref(), Some([arg]) if arg.spread.is_none() && matches!(&*arg.expr, Expr::Array(array) if literals(array)))
        }
        _ => false,
    }
}

fn prop_is(prop: &MemberProp, names: &[&str]) -> bool {
    matches!(prop, MemberProp::Ident(p) if names.contains(&&*p.sym))
}
