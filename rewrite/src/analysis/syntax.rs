//! Small helpers over swc's AST shared by the analyses.

use swc_common::SyntaxContext;
use swc_ecma_ast::{
    ArrowExpr, ArrowFunctionBody, Callee, Expr, Function, Ident, Lit, MemberExpr, MemberProp, Pat,
    PropName, Stmt,
};
use swc_ecma_visit::{Visit, VisitWith};

/// Strips what does not change a value: parentheses and TypeScript casts.
pub fn unwrap(mut expr: &Expr) -> &Expr {
    loop {
        expr = match expr {
            Expr::Paren(e) => &e.expr,
            Expr::TsAs(e) => &e.expr,
            Expr::TsSatisfies(e) => &e.expr,
            Expr::TsNonNull(e) => &e.expr,
            Expr::TsTypeAssertion(e) => &e.expr,
            Expr::TsConstAssertion(e) => &e.expr,
            _ => return expr,
        };
    }
}

/// The value of a string literal or a template literal without substitutions (borrowed: this
/// runs on every member access and comparison, and allocating showed in the profile).
pub fn string_value(expr: &Expr) -> Option<&str> {
    match unwrap(expr) {
        Expr::Lit(Lit::Str(s)) => s.value.as_atom().map(|a| a.as_str()),
        Expr::Tpl(t) if t.exprs.is_empty() => t
            .quasis
            .first()?
            .cooked
            .as_ref()?
            .as_atom()
            .map(|a| a.as_str()),
        _ => None,
    }
}

/// The name of a plain identifier expression.
pub fn ident_name(expr: &Expr) -> Option<&str> {
    match unwrap(expr) {
        Expr::Ident(i) => Some(&i.sym),
        _ => None,
    }
}

/// The property name of `a.b` or `a['b']`.
pub fn member_name(prop: &MemberProp) -> Option<&str> {
    match prop {
        MemberProp::Ident(i) => Some(&i.sym),
        MemberProp::Computed(c) => string_value(&c.expr),
        MemberProp::PrivateName(_) => None,
    }
}

/// The name of an object key.
pub fn prop_name(key: &PropName) -> Option<&str> {
    match key {
        PropName::Ident(i) => Some(&i.sym),
        PropName::Str(s) => s.value.as_atom().map(|a| a.as_str()),
        _ => None,
    }
}

/// A short text for a callee, for messages: `cors`, `Sentry.wrapApiHandler`, `(…)`.
pub fn callee_text(callee: &Callee) -> String {
    match callee {
        Callee::Expr(e) => expr_text(e),
        Callee::Super(_) => "super".to_owned(),
        Callee::Import(_) => "import".to_owned(),
    }
}

fn expr_text(expr: &Expr) -> String {
    match unwrap(expr) {
        Expr::Ident(i) => i.sym.to_string(),
        Expr::Member(MemberExpr { obj, prop, .. }) => {
            format!("{}.{}", expr_text(obj), member_name(prop).unwrap_or("[…]"))
        }
        Expr::Call(c) => format!("{}(…)", callee_text(&c.callee)),
        Expr::This(_) => "this".to_owned(),
        _ => "(…)".to_owned(),
    }
}

/// True when `expr` is the identifier `name`.
pub fn is_ident(expr: &Expr, name: &str) -> bool {
    ident_name(expr) == Some(name)
}

/// A function we can analyse: a declaration, a function expression or an arrow.
#[derive(Clone, Copy)]
pub enum FnLike<'a> {
    Function(&'a Function),
    Arrow(&'a ArrowExpr),
}

impl<'a> FnLike<'a> {
    pub fn from_expr(expr: &'a Expr) -> Option<Self> {
        match unwrap(expr) {
            Expr::Fn(f) => Some(FnLike::Function(&f.function)),
            Expr::Arrow(a) => Some(FnLike::Arrow(a)),
            _ => None,
        }
    }

    pub fn params(&self) -> Vec<&'a Pat> {
        match self {
            FnLike::Function(f) => f.params.iter().map(|p| &p.pat).collect(),
            FnLike::Arrow(a) => a.params.iter().collect(),
        }
    }

    /// The parameter at `index`, without collecting the list ([`FnLike::params`] allocates,
    /// and the analyses ask for the first two of every handler several times).
    pub fn param(&self, index: usize) -> Option<&'a Pat> {
        match self {
            FnLike::Function(f) => f.params.get(index).map(|p| &p.pat),
            FnLike::Arrow(a) => a.params.get(index),
        }
    }

    pub fn param_count(&self) -> usize {
        match self {
            FnLike::Function(f) => f.params.len(),
            FnLike::Arrow(a) => a.params.len(),
        }
    }

    pub fn span(&self) -> swc_common::Span {
        match self {
            FnLike::Function(f) => f.span,
            FnLike::Arrow(a) => a.span,
        }
    }

    /// The statements of the body, if the function has a block (an arrow may have an
    /// expression body).
    pub fn body_stmts(&self) -> Option<&'a [Stmt]> {
        match self {
            FnLike::Function(f) => f.body.as_ref().map(|b| b.stmts.as_slice()),
            FnLike::Arrow(a) => match &*a.body {
                ArrowFunctionBody::FunctionBody(b) => Some(&b.stmts),
                ArrowFunctionBody::Expr(_) => None,
            },
        }
    }

    pub fn visit_body<V: Visit>(&self, visitor: &mut V) {
        match self {
            FnLike::Function(f) => f.body.visit_with(visitor),
            FnLike::Arrow(a) => a.body.visit_with(visitor),
        }
    }
}

/// The identifier a parameter binds, seeing through defaults (`req = x`).
pub fn pat_ident(pat: &Pat) -> Option<&str> {
    match pat {
        Pat::Ident(b) => Some(&b.id.sym),
        Pat::Assign(a) => pat_ident(&a.left),
        _ => None,
    }
}

/// A variable, as swc's resolver marked it: the same name bound in another scope (a callback's
/// own `res`, a local `const res = await db.find()`) has another context, so it is another
/// variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Var<'a> {
    pub name: &'a str,
    pub ctxt: SyntaxContext,
    /// The name as swc interned it: comparing two atoms is comparing two integers where
    /// comparing their text is a call (this runs for every identifier the analyses meet).
    sym: &'a swc_atoms::Atom,
}

impl<'a> Var<'a> {
    pub fn of(ident: &'a Ident) -> Self {
        Var {
            name: &ident.sym,
            ctxt: ident.ctxt,
            sym: &ident.sym,
        }
    }

    /// True when `ident` refers to this variable.
    pub fn is_ident(self, ident: &Ident) -> bool {
        ident.ctxt == self.ctxt && ident.sym == *self.sym
    }

    /// True when `expr` is this variable (through parentheses and casts).
    pub fn is(self, expr: &Expr) -> bool {
        matches!(unwrap(expr), Expr::Ident(i) if self.is_ident(i))
    }
}

/// The variable of a plain identifier expression.
pub fn expr_var(expr: &Expr) -> Option<Var<'_>> {
    match unwrap(expr) {
        Expr::Ident(i) => Some(Var::of(i)),
        _ => None,
    }
}

/// The variable a parameter binds, seeing through defaults (`req = x`).
pub fn pat_var(pat: &Pat) -> Option<Var<'_>> {
    match pat {
        Pat::Ident(b) => Some(Var::of(&b.id)),
        Pat::Assign(a) => pat_var(&a.left),
        _ => None,
    }
}
