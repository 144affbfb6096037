//! The places the handler reads `req.query`, `req.body` and `req.headers.x`, found by binding
//! (a callback's own `req` is another variable).

use std::collections::BTreeSet;

use swc_common::SyntaxContext;
use swc_ecma_ast::{
    Expr, Function, Lit, MemberExpr, MemberProp, ObjectPatProp, Pat, Program, PropName,
    VarDeclarator,
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
    /// `req.body`.
    pub body: Vec<TextRange>,
    /// `req.cookies`.
    pub cookies: Vec<TextRange>,
}

impl RequestUses {
    pub fn find(
        program: &Program,
        function: &FunctionModel,
        req_name: &str,
    ) -> Result<Self, String> {
        let mut finder = Finder {
            function: function.range,
            req_name,
            req: None,
            found: RequestUses::default(),
            bare: BTreeSet::new(),
            unsupported: None,
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
    req_name: &'a str,
    /// The binding of the handler's request parameter, once its function is reached.
    req: Option<SyntaxContext>,
    found: RequestUses,
    bare: BTreeSet<u32>,
    unsupported: Option<String>,
}

impl Finder<'_> {
    fn is_req(&self, expr: &Expr) -> bool {
        matches!(unwrap(expr), Expr::Ident(i) if Some(i.ctxt) == self.req && i.sym == *self.req_name)
    }

    fn is_req_field(&self, member: &MemberExpr, field: &str) -> bool {
        self.is_req(&member.obj) && matches!(&member.prop, MemberProp::Ident(p) if p.sym == *field)
    }
}

impl Visit for Finder<'_> {
    fn visit_function(&mut self, function: &Function) {
        if parse::range(function.span) == self.function {
            if let Some(Pat::Ident(ident)) = function.params.first().map(|p| &p.pat) {
                self.req = Some(ident.ctxt);
            }
        }
        function.visit_children_with(self);
    }

    fn visit_arrow_expr(&mut self, arrow: &swc_ecma_ast::ArrowExpr) {
        if parse::range(arrow.span) == self.function {
            if let Some(Pat::Ident(ident)) = arrow.params.first() {
                self.req = Some(ident.ctxt);
            }
        }
        arrow.visit_children_with(self);
    }

    fn visit_var_declarator(&mut self, declarator: &VarDeclarator) {
        if let Some(Expr::Member(member)) = declarator.init.as_deref() {
            if self.is_req_field(member, "query") {
                self.bare.insert(parse::range(member.span).start);
            }
        }
        // `const { query, body } = req`: the fields would be read off the Web `Request`, where
        // `query` and `cookies` do not exist and `body` is a stream. Only `method` means the
        // same on both.
        if let (Pat::Object(pattern), Some(init)) = (&declarator.name, declarator.init.as_deref()) {
            if self.is_req(init) && !pattern.props.iter().all(takes_only_method) {
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
                        None => {
                            self.unsupported =
                                Some("a header read with a computed name".to_owned());
                        }
                    }
                    return;
                }
            }
            if self.is_req_field(member, "headers") {
                self.unsupported = Some("`req.headers` used whole".to_owned());
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
