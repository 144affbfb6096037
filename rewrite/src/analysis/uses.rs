//! Every use of `req` and `res` inside a handler, with its span and kind: what `apply` will
//! rewrite and what `check` reports.

use serde::Serialize;
use swc_common::Span;
use swc_ecma_ast::{
    AssignExpr, AssignTarget, CallExpr, Callee, Expr, ForOfStmt, MemberExpr, MemberProp,
    ObjectPatProp, Pat, SimpleAssignTarget, UnaryExpr, UnaryOp, UpdateExpr, VarDeclarator,
};
use swc_ecma_visit::{noop_visit_type, Visit, VisitWith};

use super::module_index::{Binding, ModuleIndex};
use super::syntax::{
    callee_text, expr_var, ident_name, member_name, pat_var, prop_name, unwrap, FnLike, Var,
};
use crate::diagnostic::{Text, TextRange};
use crate::parse;

/// Which object a use is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Object {
    Req,
    Res,
}

/// What a use does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UseKind {
    // `req`
    Query,
    Body,
    Cookies,
    Headers,
    Method,
    Url,
    RawStream,
    /// `getServerSession(req, res, options)` from NextAuth.js v4: the session of the request,
    /// which a route handler asks for with `getServerSession(options)`.
    SessionRead,
    /// The whole body read at once by a package function that only does that:
    /// `buffer(req)`/`text(req)` from `micro`, `getRawBody(req)` from `raw-body`. Its key is
    /// what it gives: `buffer` or `text`.
    WholeBody,
    Preview,
    /// `req.body = …`, `req.headers.authorization = …`, `req.method++`, `delete
    /// req.headers.cookie`: the request written, which a route handler's `Request` does not
    /// allow (its method, headers and body are read-only). Writing inside a value
    /// (`req.body.seen = true`, `req.query.page = '1'`) is not this.
    Assigned,
    // `res`
    Status,
    /// `res.statusCode = 404`, `res.statusMessage = '…'`: the status of a plain response.
    SetStatus,
    /// `res.statusCode` read: response state.
    StatusCode,
    Json,
    Send,
    End,
    Redirect,
    SetHeader,
    ResponseState,
    WriteHead,
    Write,
    Pipe,
    Revalidate,
    DraftMode,
    PreviewData,
    // both
    Socket,
    /// Passed to a function, stored or returned.
    Escape,
    /// Another name for it: `const r = res`.
    Alias,
    /// A response method taken off `res` without calling it (`promise.then(res.json)`,
    /// `const { status } = res`).
    Detached,
    /// A parameter the handler takes in a form whose uses cannot be followed: `arguments`, a
    /// destructured response, a rest parameter used other than as `args[0]`/`args[1]`.
    Unfollowed,
    /// Passed to a function of the same file, whose uses are collected as well.
    Delegate,
    /// `req[x]` with a computed key.
    Dynamic,
    /// A Node API with no Web counterpart.
    OtherNode,
    /// A property Node and Next do not define (`req.user`).
    Unknown,
}

/// One use of `req` or `res`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Use {
    pub object: Object,
    pub kind: UseKind,
    /// The property (`status`, `query`) or, for an escape, the callee (`cors`). Names Node
    /// and Next define are not copied (see [`name_text`]).
    pub name: Text,
    /// The query key, header or cookie name, when one is named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub range: TextRange,
    /// The statement the use sits in (the innermost one), for edits that replace it.
    #[serde(skip)]
    pub statement: TextRange,
    /// The function the use sits in.
    #[serde(skip)]
    pub site: Site,
    /// For a call (`res.json(x)`, `cors(req, res)`): the range of each argument.
    #[serde(skip)]
    pub args: Vec<TextRange>,
    /// For a response call: the status set earlier in its chain (`res.status(401).json(x)` is
    /// one use, of kind `json`, with status 401 and argument `x`).
    #[serde(skip)]
    pub status: Option<u16>,
    /// For a response call: the calls before it in its chain, innermost first
    /// (`res.setHeader('a', 'b').status(200).json(x)`: `setHeader`, then `status`).
    #[serde(skip)]
    pub chain: Vec<ChainCall>,
}

/// Where a use sits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Site {
    /// The handler's own body (or a method function of a table).
    #[default]
    Handler,
    /// A same-file function the handler hands `req`/`res` to (`handleGET(req, res)`).
    Helper(String),
    /// A function nested inside one of those (a callback, a Promise executor).
    Callback,
}

/// One call in a response chain before its last call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCall {
    pub name: Text,
    pub range: TextRange,
    pub args: Vec<TextRange>,
}

/// Functions that read a request body as a stream when given `req`.
const BODY_READERS: &[&str] = &[
    "buffer",
    "getRawBody",
    "rawBody",
    "raw",
    "text",
    "json",
    "urlencoded",
    "readBody",
    "getBody",
    "streamToBuffer",
    "streamToString",
    "parse",
    "parseForm",
    "arrayBuffer",
];

/// Packages whose functions consume the request stream.
const STREAM_PACKAGES: &[&str] = &[
    "micro",
    "raw-body",
    "formidable",
    "busboy",
    "multiparty",
    "stream/consumers",
    "node:stream/consumers",
    "multer",
];

/// The handler's request and response as the analyses see them: its parameters, followed by
/// binding (the resolver tells a callback's own `res` apart), or items of a rest parameter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Roles<'a> {
    pub req: Option<Var<'a>>,
    pub res: Option<Var<'a>>,
    /// `(...args)`: `args[0]` is the request and `args[1]` the response.
    pub rest: Option<Var<'a>>,
}

impl<'a> Roles<'a> {
    /// The roles of a handler's parameters.
    pub fn of(function: FnLike<'a>) -> Self {
        let first = function.param(0);
        let rest = match first {
            Some(Pat::Rest(rest)) => pat_var(&rest.arg),
            _ => None,
        };
        Roles {
            req: first.and_then(pat_var),
            res: function.param(1).and_then(pat_var),
            rest,
        }
    }

    /// Which object `expr` is: `req`, `res`, or `args[0]`/`args[1]` of a rest parameter.
    pub fn object_of(&self, expr: &Expr) -> Option<Object> {
        match unwrap(expr) {
            Expr::Ident(i) if self.req.is_some_and(|v| v.is_ident(i)) => Some(Object::Req),
            Expr::Ident(i) if self.res.is_some_and(|v| v.is_ident(i)) => Some(Object::Res),
            Expr::Member(m) if self.rest.is_some_and(|v| v.is(&m.obj)) => match &m.prop {
                MemberProp::Computed(c) => match unwrap(&c.expr) {
                    Expr::Lit(swc_ecma_ast::Lit::Num(n)) => match n.raw.as_deref() {
                        Some("0") => Some(Object::Req),
                        Some("1") => Some(Object::Res),
                        _ => None,
                    },
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        }
    }
}

/// Collects the uses inside `function`, whose parameters are `req` and `res`, and inside the
/// functions of the same file it hands them to (`case 'GET': return handleGET(req, res)`).
pub fn collect<'i>(function: FnLike<'i>, index: &'i ModuleIndex<'i>) -> Vec<Use> {
    let roles = Roles::of(function);
    let mut collector = Collector {
        roles,
        aliases: Vec::new(),
        index,
        // Room for a typical handler's uses, made once rather than grown three times.
        uses: Vec::with_capacity(8),
        nested: 0,
        nested_functions: 0,
        quiet_res: 0,
        statement: TextRange::default(),
        site: Site::Handler,
        followed: vec![function.span()],
    };
    match function.param(0).map(strip_assign) {
        // `({ query, body }, res) => …` destructures the request in the signature.
        Some(Pat::Object(object)) => collector.destructured(Object::Req, object, None),
        Some(Pat::Array(array)) => {
            collector.push(Object::Req, UseKind::Unfollowed, "[…]", None, array.span);
        }
        _ => {}
    }
    // A destructured response (`(req, { status })`) takes its methods off `res`: they lose
    // their `this`, and nothing of it can be followed as the response.
    if let Some(pattern @ (Pat::Object(_) | Pat::Array(_))) = function.param(1).map(strip_assign) {
        use swc_common::Spanned;
        collector.push(
            Object::Res,
            UseKind::Unfollowed,
            "{…}",
            None,
            pattern.span(),
        );
    }
    function.visit_body(&mut collector);
    collector
        .uses
        .sort_by_key(|u| (u.range.start, u.range.end, u.object));
    collector.uses
}

fn strip_assign(pat: &Pat) -> &Pat {
    match pat {
        Pat::Assign(a) => &a.left,
        p => p,
    }
}

struct Collector<'i> {
    roles: Roles<'i>,
    /// `const r = res`: other names of the request and response (owned: the visitor sees
    /// declarations only for the duration of a call).
    aliases: Vec<(swc_ecma_ast::Id, Object)>,
    index: &'i ModuleIndex<'i>,
    uses: Vec<Use>,
    /// How many functions deep inside the handler the visit is.
    nested: u32,
    /// How many `function`s (not arrows) deep: `arguments` is the handler's only outside them.
    nested_functions: u32,
    /// Inside an optional chain on `res`, already reported as a whole.
    quiet_res: u32,
    /// The innermost statement being visited.
    statement: TextRange,
    /// The function being visited: the handler or a helper it hands `req`/`res` to.
    site: Site,
    /// Functions whose bodies are being or were visited (the handler first), so that
    /// delegation is followed once and recursion ends.
    followed: Vec<Span>,
}

/// How many local functions deep `req`/`res` are followed.
const MAX_DELEGATION: usize = 4;

impl Collector<'_> {
    /// A call that hands `req`/`res` to a function of this file: visit that function with its
    /// own parameter names in their roles, as if its body were inline.
    fn follow_delegate(&mut self, call: &CallExpr, callee: &str) -> bool {
        let Callee::Expr(expr) = &call.callee else {
            return false;
        };
        let Expr::Ident(callee_ident) = unwrap(expr) else {
            return false;
        };
        let Some(function) = self.index.function_of(callee_ident) else {
            return false;
        };
        if self.followed.len() > MAX_DELEGATION || self.followed.contains(&function.span()) {
            return false;
        }
        let params = function.params();
        let role = |object| {
            let position = call
                .args
                .iter()
                .position(|a| self.object_of(&a.expr) == Some(object))?;
            params.get(position).and_then(|p| pat_var(p))
        };
        let roles = Roles {
            req: role(Object::Req),
            res: role(Object::Res),
            rest: None,
        };
        if roles.req.is_none() && roles.res.is_none() {
            return false;
        }
        for arg in &call.args {
            match self.object_of(&arg.expr) {
                Some(object) => self.push_call(object, UseKind::Delegate, callee, call),
                None => arg.visit_with(self),
            }
        }
        let saved = (
            self.roles,
            std::mem::take(&mut self.aliases),
            self.nested,
            self.nested_functions,
            std::mem::replace(&mut self.site, Site::Helper(callee.to_owned())),
        );
        (self.roles, self.nested, self.nested_functions) = (roles, 0, 0);
        self.followed.push(function.span());
        function.visit_body(self);
        (
            self.roles,
            self.aliases,
            self.nested,
            self.nested_functions,
            self.site,
        ) = saved;
        true
    }

    fn object_of(&self, expr: &Expr) -> Option<Object> {
        // Asked of nearly every expression: an identifier is looked up directly, and only a
        // member can be an item of a rest parameter.
        match unwrap(expr) {
            Expr::Ident(ident) => self.object_of_ident(ident),
            Expr::Member(_) if self.roles.rest.is_some() => self.roles.object_of(expr),
            _ => None,
        }
    }

    /// The object an identifier names: the request, the response, or an alias of either.
    fn object_of_ident(&self, ident: &swc_ecma_ast::Ident) -> Option<Object> {
        let is = |v: Option<Var>| v.is_some_and(|v| v.is_ident(ident));
        if is(self.roles.req) {
            Some(Object::Req)
        } else if is(self.roles.res) {
            Some(Object::Res)
        } else {
            self.alias_of(ident)
        }
    }

    fn alias_of(&self, ident: &swc_ecma_ast::Ident) -> Option<Object> {
        if self.aliases.is_empty() {
            return None;
        }
        self.aliases
            .iter()
            .find(|((name, ctxt), _)| *ctxt == ident.ctxt && *name == ident.sym)
            .map(|(_, object)| *object)
    }

    /// Records `m` as a write of the request when it is `req.x` or `req.headers.x` (the target of
    /// an assignment, `++`/`--` or `delete` spanning `span`).
    fn request_written(&mut self, m: &MemberExpr, span: Span) -> bool {
        if self.object_of(&m.obj) == Some(Object::Req) {
            if let Some(name) = member_name(&m.prop) {
                self.push(Object::Req, UseKind::Assigned, name, None, span);
                return true;
            }
        }
        if let Expr::Member(inner) = unwrap(&m.obj) {
            if self.object_of(&inner.obj) == Some(Object::Req)
                && member_name(&inner.prop) == Some("headers")
            {
                let key = member_name(&m.prop).map(str::to_owned);
                self.push(Object::Req, UseKind::Assigned, "headers", key, span);
                return true;
            }
        }
        false
    }

    fn push(&mut self, object: Object, kind: UseKind, name: &str, key: Option<String>, span: Span) {
        if object == Object::Res && self.quiet_res > 0 {
            return;
        }
        self.uses.push(Use {
            object,
            kind,
            name: name_text(name),
            key,
            range: parse::range(span),
            statement: self.statement,
            site: if self.nested > 0 {
                Site::Callback
            } else {
                self.site.clone()
            },
            args: Vec::new(),
            status: None,
            chain: Vec::new(),
        });
    }

    /// The object at the root of an optional chain (`res?.status(1)?.json(x)`: `res`).
    fn opt_chain_root(&self, chain: &swc_ecma_ast::OptChainExpr) -> Option<Object> {
        use swc_ecma_ast::OptChainBase;
        let mut expr: &Expr = match &*chain.base {
            OptChainBase::Member(m) => &m.obj,
            OptChainBase::Call(c) => &c.callee,
        };
        loop {
            if let Some(object) = self.object_of(expr) {
                return Some(object);
            }
            expr = match unwrap(expr) {
                Expr::Member(m) => &m.obj,
                Expr::Call(c) => match &c.callee {
                    Callee::Expr(callee) => callee,
                    _ => return None,
                },
                Expr::OptChain(inner) => match &*inner.base {
                    OptChainBase::Member(m) => &m.obj,
                    OptChainBase::Call(c) => &c.callee,
                },
                _ => return None,
            };
        }
    }

    /// A use that is a call: its range is the whole call, with each argument's range.
    fn push_call(&mut self, object: Object, kind: UseKind, name: &str, call: &CallExpr) {
        self.push(object, kind, name, None, call.span);
        if let Some(last) = self.uses.last_mut() {
            last.args = call
                .args
                .iter()
                .map(|a| parse::range(a.expr_span()))
                .collect();
        }
    }

    /// `res.status(401).json(x)`, `res.setHeader('a', 'b')`, `res.end()`: one use for the whole
    /// call chain on the response, named by its last call. Returns false when `call` is not one.
    fn response_call(&mut self, call: &CallExpr) -> bool {
        let Callee::Expr(callee) = &call.callee else {
            return false;
        };
        let Expr::Member(m) = unwrap(callee) else {
            return false;
        };
        let Some(name) = member_name(&m.prop) else {
            return false;
        };
        if !self.is_res_chain(&m.obj) {
            return false;
        }
        // The calls below the last one: `status`/`setHeader`/`appendHeader` that return `res`.
        let mut chain = Vec::new();
        let mut status = None;
        let mut inner = &*m.obj;
        while let Expr::Call(c) = unwrap(inner) {
            let Callee::Expr(callee) = &c.callee else {
                break;
            };
            let Expr::Member(im) = unwrap(callee) else {
                break;
            };
            let inner_name = member_name(&im.prop).unwrap_or_default();
            if inner_name == "status" {
                status = c.args.first().and_then(|a| status_literal(&a.expr));
            }
            chain.push(ChainCall {
                name: name_text(inner_name),
                range: parse::range(c.span),
                args: c.args.iter().map(|a| parse::range(a.expr_span())).collect(),
            });
            inner = &im.obj;
        }
        chain.reverse();
        if name == "status" {
            status = call.args.first().and_then(|a| status_literal(&a.expr));
        }
        self.push_call(Object::Res, member_kind(Object::Res, name), name, call);
        if let Some(last) = self.uses.last_mut() {
            last.status = status;
            last.chain = chain;
        }
        // Arguments anywhere in the chain may use `req` (`res.json(req.body)`).
        let mut inner = &*m.obj;
        while let Expr::Call(c) = unwrap(inner) {
            c.args.iter().for_each(|a| a.visit_with(self));
            let Callee::Expr(callee) = &c.callee else {
                break;
            };
            let Expr::Member(im) = unwrap(callee) else {
                break;
            };
            inner = &im.obj;
        }
        // `res[…](…)`: a computed name we cannot read.
        if let MemberProp::Computed(c) = &m.prop {
            c.expr.visit_with(self);
        }
        call.args.iter().for_each(|a| a.visit_with(self));
        true
    }

    /// `res`, or a call chain that returns it: `res.status(404)`, `res.setHeader(…).status(…)`.
    fn is_res_chain(&self, expr: &Expr) -> bool {
        if self.object_of(expr) == Some(Object::Res) {
            return true;
        }
        match unwrap(expr) {
            Expr::Call(call) => match &call.callee {
                Callee::Expr(callee) => match unwrap(callee) {
                    Expr::Member(m) => {
                        matches!(
                            member_name(&m.prop),
                            Some("status" | "setHeader" | "appendHeader")
                        ) && self.is_res_chain(&m.obj)
                    }
                    _ => false,
                },
                _ => false,
            },
            _ => false,
        }
    }

    /// `const { id } = req.query`, `const { query, method } = req`.
    fn destructured(
        &mut self,
        object: Object,
        pattern: &swc_ecma_ast::ObjectPat,
        field: Option<&str>,
    ) {
        for prop in &pattern.props {
            let (key, span, nested) = match prop {
                ObjectPatProp::Assign(a) => (Some(a.key.sym.to_string()), a.key.span, None),
                ObjectPatProp::KeyValue(kv) => {
                    let nested = match strip_assign(&kv.value) {
                        Pat::Object(o) => Some(o),
                        _ => None,
                    };
                    (
                        prop_name(&kv.key).map(str::to_owned),
                        kv.value_span(),
                        nested,
                    )
                }
                ObjectPatProp::Rest(r) => (None, r.span, None),
            };
            if let Some(field) = field {
                let kind = field_kind(object, field);
                self.push(object, kind, field, key, span);
            } else {
                let name = key.unwrap_or_else(|| "…rest".to_owned());
                match nested {
                    Some(inner) if matches!(name.as_str(), "query" | "headers" | "cookies") => {
                        self.destructured(object, inner, Some(&name));
                    }
                    _ => {
                        let kind = detached(object, &name);
                        self.push(object, kind, &name, None, span);
                    }
                }
            }
        }
    }

    /// `getServerSession(req, res, options)` (or `unstable_getServerSession`) from `next-auth`
    /// or `next-auth/next`, the options naming neither object.
    fn session_read(&self, call: &CallExpr) -> bool {
        let [req, res, options] = call.args.as_slice() else {
            return false;
        };
        let plain = [req, res, options].iter().all(|a| a.spread.is_none());
        let Callee::Expr(callee) = &call.callee else {
            return false;
        };
        let Expr::Ident(ident) = unwrap(callee) else {
            return false;
        };
        let from_next_auth = matches!(
            self.index.binding(&ident.sym),
            Some(Binding::Import {
                source: "next-auth" | "next-auth/next",
                imported: Some("getServerSession" | "unstable_getServerSession"),
            })
        );
        let options_free = !mentions_any(&options.expr, &|e| self.object_of(e).is_some());
        plain
            && from_next_auth
            && self.object_of(&req.expr) == Some(Object::Req)
            && self.object_of(&res.expr) == Some(Object::Res)
            && options_free
    }

    /// `buffer(req)`: a whole-body reader (see [`super::body_readers`]) called with the
    /// request alone; what it gives, `buffer` or `text`.
    fn whole_body_read(&self, call: &CallExpr) -> Option<&'static str> {
        let [argument] = call.args.as_slice() else {
            return None;
        };
        if argument.spread.is_some() || self.object_of(&argument.expr) != Some(Object::Req) {
            return None;
        }
        let Callee::Expr(callee) = &call.callee else {
            return None;
        };
        let Expr::Ident(ident) = unwrap(callee) else {
            return None;
        };
        super::body_readers::gives(ident, self.index)
    }

    fn reads_stream(&self, call: &CallExpr) -> bool {
        let Callee::Expr(callee) = &call.callee else {
            return false;
        };
        let last = match unwrap(callee) {
            Expr::Ident(i) => i.sym.to_string(),
            Expr::Member(m) => member_name(&m.prop).unwrap_or_default().to_owned(),
            _ => String::new(),
        };
        let root = match unwrap(callee) {
            Expr::Ident(i) => Some(i.sym.to_string()),
            Expr::Member(m) => ident_name(&m.obj).map(str::to_owned),
            _ => None,
        };
        let from_stream_package = root.and_then(|r| self.index.binding(&r)).is_some_and(
            |b| matches!(b, Binding::Import { source, .. } if STREAM_PACKAGES.contains(&source)),
        );
        BODY_READERS.contains(&last.as_str()) || from_stream_package
    }
}

/// Whether some expression inside `expr` satisfies `test`.
fn mentions_any(expr: &Expr, test: &dyn Fn(&Expr) -> bool) -> bool {
    struct Finder<'t> {
        test: &'t dyn Fn(&Expr) -> bool,
        found: bool,
    }
    impl Visit for Finder<'_> {
        noop_visit_type!();
        fn visit_expr(&mut self, expr: &Expr) {
            if (self.test)(expr) {
                self.found = true;
            } else {
                expr.visit_children_with(self);
            }
        }
    }
    let mut finder = Finder { test, found: false };
    expr.visit_with(&mut finder);
    finder.found
}

/// Every member name [`member_kind`] knows, sorted: a use of one of them names it without a
/// copy of its own (a large project has hundreds of thousands of uses). One list gives both
/// the table and the `match` that looks a name up in it (a jump on the length, then a compare
/// or two, where a binary search compared six times).
macro_rules! known_members {
    ($($name:literal,)*) => {
        /// The list, for the test that every name in it has a kind.
        #[cfg(test)]
        const KNOWN_MEMBERS: &[&str] = &[$($name),*];

        /// `name` as a use's name: borrowed when Node or Next defines it, else copied.
        fn name_text(name: &str) -> Text {
            match name {
                $($name => Text::Borrowed($name),)*
                _ => Text::Owned(name.to_owned()),
            }
        }
    };
}

known_members! {
    "aborted",
    "addTrailers",
    "appendHeader",
    "body",
    "clearPreviewData",
    "complete",
    "connection",
    "cookies",
    "cork",
    "destroy",
    "draftMode",
    "end",
    "env",
    "finished",
    "flush",
    "flushHeaders",
    "getHeader",
    "getHeaderNames",
    "getHeaders",
    "hasHeader",
    "headers",
    "headersDistinct",
    "headersSent",
    "httpVersion",
    "json",
    "method",
    "on",
    "once",
    "pause",
    "pipe",
    "preview",
    "previewData",
    "query",
    "rawHeaders",
    "rawTrailers",
    "read",
    "readable",
    "redirect",
    "removeHeader",
    "resume",
    "revalidate",
    "send",
    "sendDate",
    "setDraftMode",
    "setEncoding",
    "setHeader",
    "setPreviewData",
    "setTimeout",
    "socket",
    "status",
    "statusCode",
    "statusMessage",
    "strictContentLength",
    "trailers",
    "uncork",
    "url",
    "writableEnded",
    "write",
    "writeHead",
}

/// A header name Node never matches: it stores every name in lower case, so
/// `req.headers['X-Api-Key']` is always `undefined` (where `headers.get` ignores case).
pub fn header_name_never_matches(name: &str) -> bool {
    name.bytes().any(|b| b.is_ascii_uppercase())
}

/// The kind of a `req.x`/`res.x` member.
fn member_kind(object: Object, name: &str) -> UseKind {
    match (object, name) {
        (Object::Req, "query") => UseKind::Query,
        (Object::Req, "body") => UseKind::Body,
        (Object::Req, "cookies") => UseKind::Cookies,
        (Object::Req, "headers") => UseKind::Headers,
        (Object::Req, "method") => UseKind::Method,
        (Object::Req, "url") => UseKind::Url,
        (
            Object::Req,
            "on" | "once" | "pipe" | "read" | "setEncoding" | "readable" | "resume" | "pause",
        ) => UseKind::RawStream,
        (Object::Req, "preview" | "previewData" | "draftMode") => UseKind::Preview,
        (
            Object::Req,
            "httpVersion" | "aborted" | "complete" | "rawHeaders" | "trailers" | "rawTrailers"
            | "destroy" | "headersDistinct" | "env",
        ) => UseKind::OtherNode,
        (_, "socket" | "connection") => UseKind::Socket,
        (Object::Res, "status") => UseKind::Status,
        (Object::Res, "statusCode" | "statusMessage") => UseKind::StatusCode,
        (Object::Res, "json") => UseKind::Json,
        (Object::Res, "send") => UseKind::Send,
        (Object::Res, "end") => UseKind::End,
        (Object::Res, "redirect") => UseKind::Redirect,
        (Object::Res, "setHeader" | "appendHeader") => UseKind::SetHeader,
        (
            Object::Res,
            "getHeader" | "getHeaders" | "getHeaderNames" | "hasHeader" | "removeHeader"
            | "headersSent" | "writableEnded" | "finished" | "on" | "once",
        ) => UseKind::ResponseState,
        (Object::Res, "writeHead") => UseKind::WriteHead,
        (Object::Res, "write" | "flushHeaders" | "flush") => UseKind::Write,
        (Object::Res, "revalidate") => UseKind::Revalidate,
        (Object::Res, "setDraftMode") => UseKind::DraftMode,
        (Object::Res, "setPreviewData" | "clearPreviewData") => UseKind::PreviewData,
        (
            Object::Res,
            "cork"
            | "uncork"
            | "addTrailers"
            | "destroy"
            | "setTimeout"
            | "sendDate"
            | "strictContentLength",
        ) => UseKind::OtherNode,
        _ => UseKind::Unknown,
    }
}

/// The kind of `res.x` read without being called: a method taken off the response
/// (`promise.then(res.json)`, `const { status } = res`) is detached from it.
fn detached(object: Object, name: &str) -> UseKind {
    match member_kind(object, name) {
        UseKind::Status
        | UseKind::Json
        | UseKind::Send
        | UseKind::End
        | UseKind::Redirect
        | UseKind::SetHeader
        | UseKind::WriteHead
        | UseKind::Write
        | UseKind::Revalidate
        | UseKind::DraftMode
        | UseKind::PreviewData => UseKind::Detached,
        kind => kind,
    }
}

/// The kind for a keyed read inside `req.query`, `req.headers` or `req.cookies`.
fn field_kind(object: Object, field: &str) -> UseKind {
    member_kind(object, field)
}

impl Visit for Collector<'_> {
    // Type annotations hold no `req`/`res` uses: do not walk them.
    noop_visit_type!();

    /// `res?.status(200)?.json(x)`: optional calls on the response are not followed as a
    /// response chain, so the route fails closed. (`req.body?.x` reads are followed as usual.)
    fn visit_opt_chain_expr(&mut self, chain: &swc_ecma_ast::OptChainExpr) {
        if self.quiet_res == 0 && self.opt_chain_root(chain) == Some(Object::Res) {
            self.push(Object::Res, UseKind::Unfollowed, "?.", None, chain.span);
            // One finding for the whole chain; `req` uses in its arguments still count.
            self.quiet_res += 1;
            chain.visit_children_with(self);
            self.quiet_res -= 1;
            return;
        }
        chain.visit_children_with(self);
    }

    fn visit_stmt(&mut self, stmt: &swc_ecma_ast::Stmt) {
        use swc_common::Spanned;
        let saved = std::mem::replace(&mut self.statement, parse::range(stmt.span()));
        stmt.visit_children_with(self);
        self.statement = saved;
    }

    fn visit_arrow_expr(&mut self, arrow: &swc_ecma_ast::ArrowExpr) {
        self.nested += 1;
        arrow.visit_children_with(self);
        self.nested -= 1;
    }

    fn visit_function(&mut self, function: &swc_ecma_ast::Function) {
        self.nested += 1;
        self.nested_functions += 1;
        function.visit_children_with(self);
        self.nested_functions -= 1;
        self.nested -= 1;
    }

    fn visit_member_expr(&mut self, m: &MemberExpr) {
        // `req.query.id`, `req.headers['x-key']`, `req.cookies.token`: one keyed use.
        if let Expr::Member(inner) = unwrap(&m.obj) {
            if let (Some(object), Some(field)) =
                (self.object_of(&inner.obj), member_name(&inner.prop))
            {
                let keyed = match object {
                    Object::Req => matches!(
                        field,
                        "query" | "headers" | "cookies" | "socket" | "connection"
                    ),
                    Object::Res => matches!(field, "socket" | "connection"),
                };
                if keyed {
                    let key = member_name(&m.prop).map(str::to_owned);
                    self.push(object, field_kind(object, field), field, key, m.span);
                    if let MemberProp::Computed(c) = &m.prop {
                        c.expr.visit_with(self);
                    }
                    return;
                }
            }
        }
        if let Some(object) = self.object_of(&m.obj) {
            match member_name(&m.prop) {
                Some(name) => self.push(object, detached(object, name), name, None, m.span),
                None => self.push(object, UseKind::Dynamic, "[…]", None, m.span),
            }
            if let MemberProp::Computed(c) = &m.prop {
                c.expr.visit_with(self);
            }
            return;
        }
        // `res.status(404).json(…)`: the outer call of a chain on `res`.
        if !matches!(unwrap(&m.obj), Expr::Ident(_)) && self.is_res_chain(&m.obj) {
            if let Some(name) = member_name(&m.prop) {
                self.push(
                    Object::Res,
                    member_kind(Object::Res, name),
                    name,
                    None,
                    m.span,
                );
            }
        }
        m.visit_children_with(self);
    }

    fn visit_call_expr(&mut self, call: &CallExpr) {
        // `req.on('close', …)` watches for the client going away, not for the body.
        if let Callee::Expr(callee) = &call.callee {
            if let Expr::Member(m) = unwrap(callee) {
                let event = call
                    .args
                    .first()
                    .and_then(|a| super::syntax::string_value(&a.expr));
                let method = member_name(&m.prop);
                if self.object_of(&m.obj) == Some(Object::Req)
                    && matches!(method, Some("on" | "once"))
                    && matches!(event, Some("close" | "aborted"))
                {
                    let name = format!(
                        "{}('{}')",
                        method.unwrap_or_default(),
                        event.unwrap_or_default()
                    );
                    self.push(Object::Req, UseKind::OtherNode, &name, None, m.span);
                    call.args.iter().skip(1).for_each(|a| a.visit_with(self));
                    return;
                }
            }
        }
        if self.response_call(call) {
            return;
        }
        call.callee.visit_with(self);
        // Most calls take neither `req` nor `res`: name the callee only when one does.
        if !call.args.iter().any(|a| self.object_of(&a.expr).is_some()) {
            call.args.iter().for_each(|a| a.visit_with(self));
            return;
        }
        let callee = callee_text(&call.callee);
        if self.session_read(call) {
            self.push_call(Object::Res, UseKind::SessionRead, &callee, call);
            return;
        }
        if let Some(gives) = self.whole_body_read(call) {
            self.push_call(Object::Req, UseKind::WholeBody, &callee, call);
            if let Some(last) = self.uses.last_mut() {
                last.key = Some(gives.to_owned());
            }
            return;
        }
        if self.follow_delegate(call, &callee) {
            return;
        }
        #[allow(clippy::case_sensitive_file_extension_comparisons)] // a method name, not a file
        let is_pipe =
            callee.ends_with(".pipe") || callee == "pipeline" || callee.ends_with(".pipeline");
        for arg in &call.args {
            match self.object_of(&arg.expr) {
                Some(Object::Res) if is_pipe => {
                    self.push_call(Object::Res, UseKind::Pipe, &callee, call);
                }
                Some(Object::Req) if self.reads_stream(call) => {
                    self.push_call(Object::Req, UseKind::RawStream, &callee, call);
                }
                Some(object) => self.push_call(object, UseKind::Escape, &callee, call),
                None => arg.visit_with(self),
            }
        }
    }

    fn visit_assign_expr(&mut self, assign: &AssignExpr) {
        if let AssignTarget::Simple(SimpleAssignTarget::Member(m)) = &assign.left {
            if self.request_written(m, assign.span) {
                assign.right.visit_with(self);
                return;
            }
            if let (Some(Object::Res), Some(name)) = (self.object_of(&m.obj), member_name(&m.prop))
            {
                // `res.statusCode = 404` sets the status of a plain response, as `res.status`
                // does (and `statusMessage` its status text); other assignments are state.
                let kind = if matches!(name, "statusCode" | "statusMessage") {
                    UseKind::SetStatus
                } else {
                    member_kind(Object::Res, name)
                };
                self.push(Object::Res, kind, name, None, assign.span);
                if let Some(last) = self.uses.last_mut() {
                    last.args = vec![parse::range(assign.right.expr_span_plain())];
                }
                assign.right.visit_with(self);
                return;
            }
        }
        assign.visit_children_with(self);
    }

    fn visit_update_expr(&mut self, update: &UpdateExpr) {
        if let Expr::Member(m) = unwrap(&update.arg) {
            if self.request_written(m, update.span) {
                return;
            }
        }
        update.visit_children_with(self);
    }

    fn visit_unary_expr(&mut self, unary: &UnaryExpr) {
        if let (UnaryOp::Delete, Expr::Member(m)) = (unary.op, unwrap(&unary.arg)) {
            if self.request_written(m, unary.span) {
                return;
            }
        }
        unary.visit_children_with(self);
    }

    fn visit_var_declarator(&mut self, d: &VarDeclarator) {
        // `const r = res`: `r` is the response too, and every use of it is one of `res`.
        if let (Pat::Ident(alias), Some(init)) = (&d.name, d.init.as_deref()) {
            if let Some(object) = self.object_of(init) {
                self.aliases.push((alias.id.to_id(), object));
                self.push(object, UseKind::Alias, &alias.id.sym, None, d.span);
                return;
            }
        }
        if let (Pat::Object(pattern), Some(init)) = (&d.name, d.init.as_deref()) {
            if let Some(object) = self.object_of(init) {
                self.destructured(object, pattern, None);
                return;
            }
            if let Expr::Member(m) = unwrap(init) {
                if let (Some(Object::Req), Some(field)) =
                    (self.object_of(&m.obj), member_name(&m.prop))
                {
                    if matches!(field, "query" | "headers" | "cookies") {
                        self.destructured(Object::Req, pattern, Some(field));
                        return;
                    }
                }
            }
        }
        d.visit_children_with(self);
    }

    fn visit_for_of_stmt(&mut self, stmt: &ForOfStmt) {
        if self.object_of(&stmt.right) == Some(Object::Req) {
            self.push(
                Object::Req,
                UseKind::RawStream,
                "for await",
                None,
                stmt.span,
            );
            stmt.body.visit_with(self);
            return;
        }
        stmt.visit_children_with(self);
    }

    fn visit_prop(&mut self, prop: &swc_ecma_ast::Prop) {
        if let swc_ecma_ast::Prop::Shorthand(ident) = prop {
            if let Some(object) = self.object_of_ident(ident) {
                self.push(object, UseKind::Escape, &ident.sym, None, ident.span);
                return;
            }
        }
        prop.visit_children_with(self);
    }

    fn visit_expr(&mut self, expr: &Expr) {
        // A bare `req`/`res` anywhere else: stored, returned, spread, put in an object.
        if let Some(object) = self.object_of(expr) {
            let name = expr_var(expr).map_or("[…]", |v| v.name);
            self.push(object, UseKind::Escape, name, None, expr_span(expr));
            return;
        }
        if let Expr::Ident(ident) = unwrap(expr) {
            // The rest parameter other than `args[0]`/`args[1]` (`handler(...args)`,
            // `args.length`), or the handler's `arguments`: what it does with the request and
            // the response cannot be followed, so the route fails closed.
            let rest = self.roles.rest.is_some_and(|v| v.is_ident(ident));
            let arguments = &*ident.sym == "arguments" && self.nested_functions == 0;
            if rest || arguments {
                self.push(
                    Object::Res,
                    UseKind::Unfollowed,
                    &ident.sym,
                    None,
                    ident.span,
                );
                return;
            }
        }
        expr.visit_children_with(self);
    }
}

/// A literal status code (`res.status(401)`).
fn status_literal(expr: &Expr) -> Option<u16> {
    match unwrap(expr) {
        Expr::Lit(swc_ecma_ast::Lit::Num(n)) => n.raw.as_deref()?.parse().ok(),
        _ => None,
    }
}

trait PlainSpan {
    fn expr_span_plain(&self) -> Span;
}

impl PlainSpan for Expr {
    fn expr_span_plain(&self) -> Span {
        use swc_common::Spanned;
        self.span()
    }
}

trait ArgSpan {
    fn expr_span(&self) -> Span;
}

impl ArgSpan for swc_ecma_ast::ExprOrSpread {
    /// The argument with its spread, if any.
    fn expr_span(&self) -> Span {
        use swc_common::Spanned;
        self.spread
            .map_or_else(|| self.expr.span(), |s| s.to(self.expr.span()))
    }
}

fn expr_span(expr: &Expr) -> Span {
    use swc_common::Spanned;
    expr.span()
}

trait ValueSpan {
    fn value_span(&self) -> Span;
}

impl ValueSpan for swc_ecma_ast::KeyValuePatProp {
    fn value_span(&self) -> Span {
        use swc_common::Spanned;
        self.key.span().to(self.value.span())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_members_are_sorted_and_known() {
        assert!(
            KNOWN_MEMBERS.windows(2).all(|w| w[0] < w[1]),
            "sorted, once each"
        );
        for name in KNOWN_MEMBERS {
            let known = [Object::Req, Object::Res]
                .into_iter()
                .any(|object| member_kind(object, name) != UseKind::Unknown);
            assert!(known, "{name} has a kind");
            assert!(matches!(name_text(name), Text::Borrowed(_)));
        }
        assert!(matches!(name_text("userId"), Text::Owned(n) if n == "userId"));
    }
}
