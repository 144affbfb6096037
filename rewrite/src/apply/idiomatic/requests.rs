//! The places the handler reads `req.query`, `req.body` and `req.headers.x`, found by binding
//! (a callback's own `req` is another variable).

use std::collections::BTreeSet;

use swc_common::{Spanned, SyntaxContext};
use swc_ecma_ast::{
    ArrowFunctionBody, Decl, Expr, Function, Lit, MemberExpr, MemberProp, ObjectPat, ObjectPatProp,
    Pat, Program, PropName, Stmt, VarDeclKind, VarDeclarator,
};
use swc_ecma_visit::{Visit, VisitWith};

use crate::analysis::model::FunctionModel;
use crate::analysis::syntax::unwrap;
use crate::analysis::uses::header_name_never_matches;
use crate::diagnostic::TextRange;
use crate::parse;

/// The places `req.query` and `req.headers.x` are read in the handler, found by binding.
#[derive(Default)]
pub struct RequestUses {
    /// `req.query` member expressions; `true` when the whole initialiser of a declaration
    /// (`const { id } = req.query`), where `await params` needs no parentheses.
    pub query: Vec<(TextRange, bool)>,
    /// `req.headers.x` / `req.headers['x']` and the header name, lowercase.
    pub headers: Vec<(TextRange, String)>,
    /// Every `req.headers` (the object, alone or read from), when it is used whole or read
    /// with a computed name: the reads then go through Pages' object too.
    pub header_objects: Vec<TextRange>,
    pub headers_as_object: bool,
    /// `req.body`.
    pub body: Vec<TextRange>,
    /// `req.cookies`.
    pub cookies: Vec<TextRange>,
    /// `const { method, query, body } = req`, a statement of the handler's own body.
    pub destructured: Option<Destructured>,
}

/// `const { method, query: { id }, body } = req` as a statement of the handler's body: the
/// Pages fields it takes, each rewritten to where the route finds that value.
#[derive(Debug)]
pub struct Destructured {
    /// The whole statement (`const`, semicolon included) and its declarator.
    pub statement: TextRange,
    pub declarator: TextRange,
    /// Every property of the pattern, in order, and whether it is kept as written (`method`,
    /// `method: m`: a `Request` has the same).
    pub props: Vec<(TextRange, bool)>,
    /// The end of the initialiser (`req`).
    pub init_end: u32,
    /// `query`, `body`, `cookies` taken whole under their own name: the route's local for that
    /// field is declared under this name instead.
    pub whole: Vec<&'static str>,
    /// `query: { id }`, `body: payload`: the field and the pattern (its range) that takes it.
    pub taken_apart: Vec<(&'static str, TextRange)>,
}

/// The Pages request fields a destructuring of `req` may take in the rewritten route.
fn pages_field(name: &str) -> Option<&'static str> {
    ["query", "body", "cookies"]
        .into_iter()
        .find(|f| *f == name)
}

impl Destructured {
    /// Whether the statement takes `field`, whole or apart.
    pub fn takes(&self, field: &str) -> bool {
        self.whole.contains(&field) || self.taken_apart.iter().any(|(f, _)| *f == field)
    }

    /// The statement as a `Destructured`, or why it cannot be rewritten exactly.
    fn of(
        statement: TextRange,
        declarator: &VarDeclarator,
        kind: VarDeclKind,
        pattern: &ObjectPat,
    ) -> Result<Self, String> {
        let refuse = |why: &str| Err(format!("`req` destructured in the body: {why}"));
        if pattern.type_ann.is_some() {
            return refuse("the pattern has a type");
        }
        let mut found = Destructured {
            statement,
            declarator: parse::range(declarator.span),
            props: Vec::new(),
            init_end: declarator
                .init
                .as_ref()
                .map_or(parse::range(declarator.span).end, |init| {
                    parse::range(init.span()).end
                }),
            whole: Vec::new(),
            taken_apart: Vec::new(),
        };
        for prop in &pattern.props {
            let kept = takes_only_method(prop);
            found.props.push((parse::range(prop.span()), kept));
            match prop {
                _ if kept => {}
                ObjectPatProp::Assign(assign) if assign.value.is_none() => {
                    let Some(field) = pages_field(&assign.key.sym) else {
                        return refuse(&format!("`{}` has no exact rewrite", assign.key.sym));
                    };
                    // The local is declared at the top of the function, as `const`.
                    if kind != VarDeclKind::Const {
                        return refuse("not a `const`");
                    }
                    found.whole.push(field);
                }
                ObjectPatProp::KeyValue(kv) => {
                    let field = match &kv.key {
                        PropName::Ident(key) => pages_field(&key.sym),
                        PropName::Str(key) => key.value.as_atom().and_then(|k| pages_field(k)),
                        _ => None,
                    };
                    let Some(field) = field else {
                        return refuse("a field with no exact rewrite");
                    };
                    // A default applies to `undefined` only, which the rewrite cannot tell.
                    if matches!(&*kv.value, Pat::Assign(_)) {
                        return refuse("a default value");
                    }
                    found
                        .taken_apart
                        .push((field, parse::range(kv.value.span())));
                }
                _ => return refuse("a default value or a rest element"),
            }
        }
        Ok(found)
    }
}

impl RequestUses {
    /// The reads of the request that `function` takes as its parameter at `req_index`.
    pub fn find(
        program: &Program,
        function: &FunctionModel,
        req_name: &str,
        req_index: usize,
    ) -> Result<Self, String> {
        let mut finder = Finder {
            function: function.range,
            req_index,
            req_name,
            req: None,
            found: RequestUses::default(),
            bare: BTreeSet::new(),
            unsupported: None,
            destructuring: None,
        };
        program.visit_with(&mut finder);
        if let Some(reason) = finder.unsupported {
            return Err(reason);
        }
        let mut found = finder.found;
        for (range, bare) in &mut found.query {
            *bare = finder.bare.contains(&range.start);
        }
        found.query.sort_by_key(|(r, _)| r.start);
        found.query.dedup();
        Ok(found)
    }
}

struct Finder<'a> {
    function: TextRange,
    /// The position of the request among the function's parameters.
    req_index: usize,
    req_name: &'a str,
    /// The binding of the handler's request parameter, once its function is reached.
    req: Option<SyntaxContext>,
    found: RequestUses,
    bare: BTreeSet<u32>,
    unsupported: Option<String>,
    /// The declarator of the statement in [`RequestUses::destructured`], or of the one refused.
    destructuring: Option<swc_common::Span>,
}

impl Finder<'_> {
    fn is_req(&self, expr: &Expr) -> bool {
        matches!(unwrap(expr), Expr::Ident(i) if Some(i.ctxt) == self.req && i.sym == *self.req_name)
    }

    fn is_req_field(&self, member: &MemberExpr, field: &str) -> bool {
        self.is_req(&member.obj) && matches!(&member.prop, MemberProp::Ident(p) if p.sym == *field)
    }

    /// The handler's function is reached: its request parameter, and a statement of its body
    /// destructuring the request.
    fn enter_handler(&mut self, req_param: Option<&Pat>, body: Option<&[Stmt]>) {
        if let Some(Pat::Ident(ident)) = req_param {
            self.req = Some(ident.ctxt);
        }
        for stmt in body.unwrap_or_default() {
            let Stmt::Decl(Decl::Var(var)) = stmt else {
                continue;
            };
            let [declarator] = var.decls.as_slice() else {
                continue;
            };
            let (Pat::Object(pattern), Some(init)) = (&declarator.name, declarator.init.as_deref())
            else {
                continue;
            };
            if !self.is_req(init) || pattern.props.iter().all(takes_only_method) {
                continue;
            }
            if self.found.destructured.is_some() {
                self.unsupported = Some("`req` destructured twice".to_owned());
                return;
            }
            match Destructured::of(parse::range(var.span), declarator, var.kind, pattern) {
                Ok(found) => {
                    self.found.destructured = Some(found);
                    self.destructuring = Some(declarator.span);
                }
                Err(why) => {
                    // Said once, with the reason (not again as any destructuring below).
                    self.unsupported = Some(why);
                    self.destructuring = Some(declarator.span);
                }
            }
        }
    }
}

impl Visit for Finder<'_> {
    fn visit_function(&mut self, function: &Function) {
        if parse::range(function.span) == self.function {
            self.enter_handler(
                function.params.get(self.req_index).map(|p| &p.pat),
                function.body.as_ref().map(|b| b.stmts.as_slice()),
            );
        }
        function.visit_children_with(self);
    }

    fn visit_arrow_expr(&mut self, arrow: &swc_ecma_ast::ArrowExpr) {
        if parse::range(arrow.span) == self.function {
            let body = match &*arrow.body {
                ArrowFunctionBody::FunctionBody(block) => Some(block.stmts.as_slice()),
                ArrowFunctionBody::Expr(_) => None,
            };
            self.enter_handler(arrow.params.get(self.req_index), body);
        }
        arrow.visit_children_with(self);
    }

    fn visit_var_declarator(&mut self, declarator: &VarDeclarator) {
        if let Some(Expr::Member(member)) = declarator.init.as_deref() {
            if self.is_req_field(member, "query") {
                self.bare.insert(parse::range(member.span).start);
            }
        }
        // `const { query, body } = req` anywhere else: the fields would be read off the Web
        // `Request`, where `query` and `cookies` do not exist and `body` is a stream. Only
        // `method` means the same on both.
        if let (Pat::Object(pattern), Some(init)) = (&declarator.name, declarator.init.as_deref()) {
            if self.is_req(init)
                && !pattern.props.iter().all(takes_only_method)
                && self.destructuring != Some(declarator.span)
            {
                self.unsupported = Some("`req` destructured in the body".to_owned());
            }
        }
        declarator.visit_children_with(self);
    }

    fn visit_member_expr(&mut self, member: &MemberExpr) {
        if self.req.is_some() {
            // `req['query']`: the reads below are found by name only.
            if self.is_req(&member.obj) && matches!(member.prop, MemberProp::Computed(_)) {
                self.unsupported = Some("a member of `req` read with a computed name".to_owned());
            }
            if self.is_req_field(member, "query") {
                self.found.query.push((parse::range(member.span), false));
            }
            if self.is_req_field(member, "body") {
                self.found.body.push(parse::range(member.span));
            }
            if self.is_req_field(member, "cookies") {
                self.found.cookies.push(parse::range(member.span));
            }
            if let Expr::Member(inner) = unwrap(&member.obj) {
                if self.is_req_field(inner, "headers") {
                    let key = match &member.prop {
                        MemberProp::Ident(p) => Some(p.sym.to_string()),
                        MemberProp::Computed(c) => match unwrap(&c.expr) {
                            Expr::Lit(Lit::Str(s)) => s.value.as_atom().map(|a| a.to_string()),
                            _ => None,
                        },
                        MemberProp::PrivateName(_) => None,
                    };
                    match key {
                        // Node lower-cases the names it stores: `req.headers['X-Api-Key']` is
                        // always `undefined`, where `headers.get` would find the header.
                        Some(key) if header_name_never_matches(&key) => {
                            self.unsupported = Some(format!(
                                "`req.headers` read as `{key}`, with upper-case letters Node never matches"
                            ));
                        }
                        Some(key) => self.found.headers.push((parse::range(member.span), key)),
                        None => self.found.headers_as_object = true,
                    }
                    self.found.header_objects.push(parse::range(inner.span));
                    // The computed name's own reads (`req.headers[names[i]]`).
                    if let MemberProp::Computed(computed) = &member.prop {
                        computed.visit_with(self);
                    }
                    return;
                }
            }
            if self.is_req_field(member, "headers") {
                self.found.headers_as_object = true;
                self.found.header_objects.push(parse::range(member.span));
                return;
            }
        }
        member.visit_children_with(self);
    }
}

/// `method` or `method: m` in a pattern destructuring the request.
fn takes_only_method(prop: &ObjectPatProp) -> bool {
    let key = match prop {
        ObjectPatProp::Assign(assign) => Some(&*assign.key.sym),
        ObjectPatProp::KeyValue(kv) => match &kv.key {
            PropName::Ident(ident) => Some(&*ident.sym),
            _ => None,
        },
        ObjectPatProp::Rest(_) => None,
    };
    key == Some("method")
}
