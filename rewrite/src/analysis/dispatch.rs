//! Method dispatch: which HTTP methods a Pages handler serves, how it decides (switch, if/else,
//! guard, `includes`, a lookup table, a next-connect router), and what happens to the others.

use std::collections::BTreeSet;

use rustc_hash::{FxHashMap, FxHashSet};

use serde::Serialize;
use swc_common::Span;
use swc_ecma_ast::{
    BinaryOp, Callee, Expr, IfStmt, MemberExpr, MemberProp, OptChainBase, Pat, Program, Stmt,
    SwitchStmt, UnaryOp, VarDeclarator,
};
use swc_ecma_visit::{noop_visit_type, Visit, VisitWith};

use super::handler::{chain_root_import, TableEntry};
use super::libraries;
use super::module_index::{Binding, ModuleIndex};
use super::sends_nothing::{sends_nothing, Leaves};
use super::syntax::{ident_name, member_name, prop_name, string_value, unwrap, FnLike};
use super::uses::{Object, Roles};
use crate::diagnostic::TextRange;
use crate::parse;

/// The methods an App Router route file may export.
pub const ROUTE_METHODS: [&str; 7] = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH"];

/// How the handler tells methods apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DispatchStyle {
    /// Every method runs the same code.
    None,
    Switch,
    IfChain,
    /// `if (req.method !== 'POST') return …` before the real work.
    Guard,
    /// `['GET', 'HEAD'].includes(req.method)`.
    Includes,
    /// `handlers[req.method]` over an object keyed by method.
    Table,
    /// Methods registered on a next-connect router.
    Router,
    /// App Router: one named export per method.
    Exports,
    /// The methods cannot be known: a library or a handler we cannot follow decides, or
    /// `req.method` is compared with values we cannot resolve. Not the same as every method.
    Unknown,
    /// Not a handler: a file inside `pages/api` that other routes import, analysed as a
    /// module of its importer.
    Module,
}

/// What a request with a method the handler does not list gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fallback {
    /// There is no dispatch: every method is served.
    Served,
    /// The handler answers 405 itself.
    MethodNotAllowed,
    /// The handler answers 405 itself and sets an `Allow` header.
    MethodNotAllowedWithAllow,
    /// The handler runs some other code (an error response, a default branch).
    Custom,
    /// The fallback throws, and nothing in the handler catches it: Next answers 500 (a thrown
    /// `{ statusCode: 405 }` is not an `ApiError`), unless a wrapper catches it.
    Throws,
    /// The handler ends without responding: Next never answers (the request hangs).
    NoResponse,
    /// The dispatch has no default and control falls through to whatever follows.
    FallsThrough,
    /// Next.js answers 405 (App Router) or the library does.
    Framework,
    /// We cannot tell.
    Unknown,
}

/// The method dispatch of one handler.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dispatch {
    pub style: DispatchStyle,
    /// Uppercase, sorted; empty when `style` is `None` (every method).
    pub methods: BTreeSet<String>,
    pub fallback: Fallback,
    /// Methods answered early by an `if` that returns, before code every method runs
    /// (`if (req.method === 'OPTIONS') return res.end()`).
    pub special_cased: BTreeSet<String>,
    /// Where `req.method` is compared in a way we could not resolve.
    #[serde(skip)]
    pub unresolved: Vec<TextRange>,
    /// The first dispatch construct, for diagnostics.
    #[serde(skip)]
    pub span: Option<TextRange>,
    /// Each branch: the methods it serves and the statements that serve them, in source order.
    #[serde(skip)]
    pub branches: Vec<Branch>,
    /// The statements the other methods run (a `default:` case, a final `else`, a guard's
    /// body, the code after a run of method blocks).
    #[serde(skip)]
    pub fallback_range: Option<TextRange>,
}

/// One branch of a dispatch: `case 'GET': case 'HEAD': …`, `if (req.method === 'POST') { … }`,
/// the code after a guard, a method table's entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    pub methods: BTreeSet<String>,
    /// The statements of the branch (a block's braces excluded), or the function of a table
    /// entry.
    pub body: TextRange,
}

impl Dispatch {
    pub fn none() -> Self {
        Dispatch {
            style: DispatchStyle::None,
            methods: BTreeSet::new(),
            fallback: Fallback::Served,
            special_cased: BTreeSet::new(),
            unresolved: Vec::new(),
            span: None,
            branches: Vec::new(),
            fallback_range: None,
        }
    }

    /// Methods that cannot be known (see [`DispatchStyle::Unknown`]).
    pub fn unknown(span: Option<TextRange>) -> Self {
        Dispatch {
            style: DispatchStyle::Unknown,
            fallback: Fallback::Unknown,
            span,
            ..Dispatch::none()
        }
    }

    /// The methods as shown to users: the sorted list, `*` for every method, `unknown` when
    /// they cannot be known.
    pub fn method_list(&self) -> Vec<String> {
        match self.style {
            DispatchStyle::None => vec!["*".to_owned()],
            DispatchStyle::Unknown => vec!["unknown".to_owned()],
            DispatchStyle::Module => Vec::new(),
            _ => self.served().cloned().collect(),
        }
    }

    /// Every method the handler answers itself, sorted: the dispatch's and those answered early,
    /// before it (`if (req.method === 'GET') return …` ahead of a session check and an if-chain).
    pub fn served(&self) -> impl Iterator<Item = &String> {
        self.methods.union(&self.special_cased)
    }
}

/// Analyses the dispatch inside a handler function whose parameters play `roles` (the request
/// may also be destructured in the signature: `({ method, query }, res)`).
pub fn analyse<'a>(function: FnLike<'a>, roles: Roles<'a>, index: &ModuleIndex) -> Dispatch {
    let mut finder = Finder {
        roles,
        aliases: function.param(0).map(method_aliases).unwrap_or_default(),
        arrays: FxHashMap::default(),
        tables: FxHashMap::default(),
        index,
        found: Found::default(),
        early_returns: FxHashSet::default(),
        body: function.body_stmts(),
        try_depth: 0,
        after_if: FxHashMap::default(),
        selections: Vec::new(),
        else_of: FxHashMap::default(),
        conditions: Vec::new(),
        answers: FxHashSet::default(),
        allow_set: false,
    };
    finder.collect_module_collections();
    if let FnLike::Arrow(arrow) = function {
        if let swc_ecma_ast::ArrowFunctionBody::Expr(body) = &*arrow.body {
            finder.mark_answer(body);
        }
    }
    function.visit_body(&mut finder);
    finder.found.into_dispatch()
}

#[derive(Default)]
struct Found {
    positive: BTreeSet<String>,
    positive_style: Option<DispatchStyle>,
    guard: Option<BTreeSet<String>>,
    special_cased: BTreeSet<String>,
    fallback: Option<Fallback>,
    unresolved: Vec<Span>,
    span: Option<Span>,
    branches: Vec<Branch>,
    fallback_range: Option<TextRange>,
}

impl Found {
    fn into_dispatch(self) -> Dispatch {
        // `req.method` compared with something we cannot resolve: the methods are unknown,
        // whatever else the handler compares it with.
        // A test is read twice when an early-return `if` turns out not to be one.
        let mut unresolved: Vec<TextRange> =
            self.unresolved.iter().map(|s| parse::range(*s)).collect();
        unresolved.sort_unstable();
        unresolved.dedup();
        let span = self.span.map(parse::range);
        if !unresolved.is_empty() {
            let mut unknown = Dispatch::unknown(span);
            unknown.methods = self.positive;
            unknown.unresolved = unresolved;
            return unknown;
        }
        let (style, methods) = match (self.guard, self.positive_style) {
            (Some(guard), Some(style)) => {
                let both: BTreeSet<String> = guard.intersection(&self.positive).cloned().collect();
                (style, if both.is_empty() { guard } else { both })
            }
            (Some(guard), None) => (DispatchStyle::Guard, guard),
            (None, Some(style)) => (style, self.positive),
            (None, None) => {
                let mut none = Dispatch::none();
                none.unresolved = unresolved;
                none.special_cased = self.special_cased;
                return none;
            }
        };
        let mut branches = self.branches;
        branches.sort_by_key(|b| b.body.start);
        // A table lookup with no check for a missing entry: what the lookup's user does.
        let default_fallback = if style == DispatchStyle::Table {
            Fallback::Custom
        } else {
            Fallback::FallsThrough
        };
        Dispatch {
            style,
            methods,
            fallback: self.fallback.unwrap_or(default_fallback),
            special_cased: self.special_cased,
            unresolved,
            span,
            branches,
            fallback_range: self.fallback_range,
        }
    }

    fn note(&mut self, style: DispatchStyle, methods: BTreeSet<String>, span: Span) {
        self.positive.extend(methods);
        self.positive_style.get_or_insert(style);
        self.span.get_or_insert(span);
    }

    /// A branch serving `methods` with the statements `body`.
    fn branch(&mut self, methods: BTreeSet<String>, body: Option<TextRange>) {
        if let Some(body) = body {
            self.branches.push(Branch { methods, body });
        }
    }

    /// The first fallback found is the dispatch's fallback.
    fn fallback(&mut self, fallback: Fallback, range: Option<TextRange>) {
        if self.fallback.is_none() {
            self.fallback = Some(fallback);
            self.fallback_range = range;
        }
    }
}

struct Finder<'a, 'i> {
    roles: Roles<'a>,
    /// Local variables holding the method: `const { method } = req`, `const m = req.method`.
    aliases: Vec<swc_ecma_ast::Id>,
    /// Local arrays of method strings: `const allowed = ['GET', 'POST']`.
    arrays: FxHashMap<String, BTreeSet<String>>,
    /// Local objects keyed by method: `const handlers = { GET: …, POST: … }`.
    tables: FxHashMap<String, BTreeSet<String>>,
    index: &'i ModuleIndex<'i>,
    found: Found,
    /// Early-return `if`s already classified by `visit_stmts`.
    early_returns: FxHashSet<Span>,
    /// The handler's top-level statements: a dispatch that ends them ends the handler.
    body: Option<&'a [Stmt]>,
    /// How many `try` blocks deep the visit is: a throw there goes where the `catch` sends it.
    try_depth: u32,
    /// The statements after each `if` of a statement list, by the `if`'s span.
    after_if: FxHashMap<Span, TextRange>,
    /// Locals holding a method table's entry for the request: `const run = handlers[method]`.
    selections: Vec<swc_ecma_ast::Id>,
    /// `else if` statements, by span, to the first `if` of their chain.
    else_of: FxHashMap<Span, Span>,
    /// Constants holding a test of the method: `const isGet = req.method === 'GET'`.
    conditions: Vec<(swc_ecma_ast::Id, Truth)>,
    /// Conditional expressions whose value is the answer: a whole expression statement, a
    /// `return`'s value, an arrow's body, or a branch of one of those. Only they dispatch: a
    /// conditional that picks a value (`const token = req.method === 'POST' ? req.body.token :
    /// req.query.token`) serves every method alike.
    answers: FxHashSet<Span>,
    /// Whether a statement setting `Allow` on the response (`res.setHeader('Allow', …)`) ran
    /// before the statement being visited, in its block or a block around it: a 405 sent
    /// from there carries it.
    allow_set: bool,
}

impl Finder<'_, '_> {
    /// Notes `expr` as an answer when it is a conditional (through parentheses, casts and
    /// `await`).
    fn mark_answer(&mut self, mut expr: &Expr) {
        loop {
            match unwrap(expr) {
                Expr::Await(awaited) => expr = &awaited.arg,
                Expr::Cond(cond) => {
                    self.answers.insert(cond.span);
                    return;
                }
                _ => return,
            }
        }
    }

    /// Module-level arrays and tables are visible in the handler too. Local aliases and
    /// collections are picked up as the body is visited (`visit_var_declarator`): JavaScript
    /// declares them before they are used.
    fn collect_module_collections(&mut self) {
        for (name, binding) in &self.index.bindings {
            if let Binding::Value(init) = binding {
                self.remember_collection(name, init);
            }
        }
    }

    /// Learns what a declaration binds. Idempotent: a block's declarations are learned before
    /// its statements are read ([`Visit::visit_stmts`]) and again when the walk reaches them.
    fn declarator(&mut self, d: &VarDeclarator) {
        let Some(init) = d.init.as_deref() else {
            return;
        };
        let add = |list: &mut Vec<swc_ecma_ast::Id>, id: swc_ecma_ast::Id| {
            if !list.contains(&id) {
                list.push(id);
            }
        };
        match &d.name {
            Pat::Object(_) if self.roles.object_of(init) == Some(Object::Req) => {
                for alias in method_aliases(&d.name) {
                    add(&mut self.aliases, alias);
                }
            }
            Pat::Ident(binding) => {
                if self.is_method(init) {
                    add(&mut self.aliases, binding.id.to_id());
                } else if self.table_lookup(init).is_some() {
                    // `const run = handlers[req.method]`: `if (!run)` is then the fallback.
                    add(&mut self.selections, binding.id.to_id());
                } else {
                    self.remember_collection(&binding.id.sym, init);
                }
            }
            _ => {}
        }
    }

    /// `const isGet = req.method === 'GET'`: `isGet` then stands for the test. Only a `const`
    /// (a `let` may be assigned another value later). Idempotent, as [`Self::declarator`].
    fn remember_conditions(&mut self, var: &swc_ecma_ast::VarDecl) {
        if var.kind != swc_ecma_ast::VarDeclKind::Const {
            return;
        }
        for declarator in &var.decls {
            let (Pat::Ident(binding), Some(init)) = (&declarator.name, declarator.init.as_deref())
            else {
                continue;
            };
            let id = binding.id.to_id();
            if self.conditions.iter().any(|(known, _)| *known == id) {
                continue;
            }
            if let Some(truth) = self.truth(init) {
                self.conditions.push((id, truth));
            }
        }
    }

    fn remember_collection(&mut self, name: &str, init: &Expr) {
        match unwrap(init) {
            // `new Set(['GET', 'POST'])`: the array's methods.
            Expr::New(new) if matches!(&*new.callee, Expr::Ident(i) if &*i.sym == "Set") => {
                if let Some([first]) = new.args.as_deref() {
                    self.remember_collection(name, &first.expr);
                }
            }
            Expr::Array(array) => {
                let strings: Option<BTreeSet<String>> = array
                    .elems
                    .iter()
                    .map(|e| {
                        e.as_ref()
                            .and_then(|e| string_value(&e.expr))
                            .map(|s| s.to_uppercase())
                    })
                    .collect();
                if let Some(strings) =
                    strings.filter(|s| !s.is_empty() && s.iter().all(|m| is_method_name(m)))
                {
                    self.arrays.insert(name.to_owned(), strings);
                }
            }
            Expr::Object(object) => {
                if let Some(keys) = method_keys(object) {
                    self.tables.insert(name.to_owned(), keys);
                }
            }
            _ => {}
        }
    }

    /// `req.method`, an alias of it, or either with `.toUpperCase()`/`.toLowerCase()`.
    fn is_method(&self, expr: &Expr) -> bool {
        match unwrap(expr) {
            Expr::Member(m) => self.is_req_method(m),
            // `req.method ?? ''`, `req.method || 'GET'`.
            Expr::Bin(bin)
                if matches!(bin.op, BinaryOp::NullishCoalescing | BinaryOp::LogicalOr) =>
            {
                self.is_method(&bin.left)
            }
            Expr::Ident(i) => self
                .aliases
                .iter()
                .any(|(name, ctxt)| *ctxt == i.ctxt && *name == i.sym),
            Expr::Call(call) => match &call.callee {
                Callee::Expr(callee) => match unwrap(callee) {
                    Expr::Member(m) => is_case_call(&m.prop) && self.is_method(&m.obj),
                    Expr::OptChain(o) => match &*o.base {
                        OptChainBase::Member(m) => is_case_call(&m.prop) && self.is_method(&m.obj),
                        OptChainBase::Call(_) => false,
                    },
                    _ => false,
                },
                _ => false,
            },
            Expr::OptChain(o) => match &*o.base {
                OptChainBase::Member(m) => self.is_req_method(m),
                OptChainBase::Call(c) => match unwrap(&c.callee) {
                    Expr::Member(m) => is_case_call(&m.prop) && self.is_method(&m.obj),
                    Expr::OptChain(inner) => match &*inner.base {
                        OptChainBase::Member(m) => is_case_call(&m.prop) && self.is_method(&m.obj),
                        OptChainBase::Call(_) => false,
                    },
                    _ => false,
                },
            },
            _ => false,
        }
    }

    fn is_req_method(&self, m: &MemberExpr) -> bool {
        self.roles.object_of(&m.obj) == Some(Object::Req) && member_name(&m.prop) == Some("method")
    }

    /// For each method, whether `test` holds: `None` when the test does not look at the method.
    /// Parts that do not involve the method (`!q`, `isAdmin(user)`) are unknown, and `&&`,
    /// `||` and `!` combine the three values as logic does, so `req.method !== 'GET' || !q` is
    /// true for every method but GET and unknown for GET.
    fn truth(&mut self, test: &Expr) -> Option<Truth> {
        match unwrap(test) {
            Expr::Bin(bin) => {
                let equality = match bin.op {
                    BinaryOp::EqEqEq | BinaryOp::EqEq => Some(true),
                    BinaryOp::NotEqEq | BinaryOp::NotEq => Some(false),
                    _ => None,
                };
                if let Some(positive) = equality {
                    let other = if self.is_method(&bin.left) {
                        &bin.right
                    } else if self.is_method(&bin.right) {
                        &bin.left
                    } else {
                        return None;
                    };
                    let Some(method) = string_value(other) else {
                        self.found.unresolved.push(bin.span);
                        return Some(Truth::UNKNOWN);
                    };
                    let is = Truth::method(&method.to_uppercase());
                    return Some(if positive { is } else { is.not() });
                }
                let left = self.truth(&bin.left);
                let right = self.truth(&bin.right);
                if left.is_none() && right.is_none() {
                    return None;
                }
                let (left, right) = (
                    left.unwrap_or(Truth::UNKNOWN),
                    right.unwrap_or(Truth::UNKNOWN),
                );
                match bin.op {
                    BinaryOp::LogicalOr => Some(left.or(right)),
                    BinaryOp::LogicalAnd => Some(left.and(right)),
                    _ => Some(Truth::UNKNOWN),
                }
            }
            Expr::Unary(u) if u.op == UnaryOp::Bang => self.truth(&u.arg).map(Truth::not),
            Expr::Ident(i) => {
                let id = i.to_id();
                self.conditions
                    .iter()
                    .find(|(known, _)| *known == id)
                    .map(|(_, truth)| *truth)
            }
            Expr::Call(call) => {
                let Callee::Expr(callee) = &call.callee else {
                    return None;
                };
                let Expr::Member(m) = unwrap(callee) else {
                    return None;
                };
                if !matches!(member_name(&m.prop), Some("includes" | "has"))
                    || !call.args.first().is_some_and(|a| self.is_method(&a.expr))
                {
                    return None;
                }
                let set = match unwrap(&m.obj) {
                    Expr::Array(_) => {
                        let mut scratch = FxHashMap::default();
                        std::mem::swap(&mut scratch, &mut self.arrays);
                        self.remember_collection("\0", &m.obj);
                        std::mem::swap(&mut scratch, &mut self.arrays);
                        scratch.remove("\0")
                    }
                    Expr::Ident(i) => self.arrays.get(&*i.sym).cloned(),
                    _ => None,
                };
                let Some(set) = set else {
                    self.found.unresolved.push(call.span);
                    return Some(Truth::UNKNOWN);
                };
                Some(
                    set.iter()
                        .fold(Truth::FALSE, |acc, method| acc.or(Truth::method(method))),
                )
            }
            _ => None,
        }
    }

    /// `handlers[req.method]` over a known table: the table's methods.
    fn table_lookup(&self, expr: &Expr) -> Option<BTreeSet<String>> {
        let Expr::Member(member) = unwrap(expr) else {
            return None;
        };
        let MemberProp::Computed(computed) = &member.prop else {
            return None;
        };
        if !self.is_method(&computed.expr) {
            return None;
        }
        ident_name(&member.obj)
            .and_then(|t| self.tables.get(t))
            .cloned()
    }

    /// `if (!run)` on a table selection.
    fn is_missing_selection(&self, test: &Expr) -> bool {
        let Expr::Unary(u) = unwrap(test) else {
            return false;
        };
        u.op == UnaryOp::Bang
            && matches!(unwrap(&u.arg), Expr::Ident(i)
                if self.selections.iter().any(|(name, ctxt)| *ctxt == i.ctxt && *name == i.sym))
    }

    /// `if (req.method === 'GET') { …; return … }` with no `else`: the methods it may take.
    fn early_return(&mut self, stmt: &Stmt) -> Option<BTreeSet<String>> {
        let Stmt::If(early) = stmt else { return None };
        if early.alt.is_some() || !exits(&early.cons) {
            return None;
        }
        let may_hold = self.truth(&early.test)?.may_hold();
        (may_hold & OTHER == 0 && may_hold != 0).then(|| Truth::names(may_hold))
    }

    /// Visits `stmts` in order, noting where `Allow` has been set on the response by then.
    fn visit_in_order(&mut self, stmts: &[Stmt]) {
        let around = self.allow_set;
        for stmt in stmts {
            stmt.visit_with(self);
            if self.sets_allow(stmt) {
                self.allow_set = true;
            }
        }
        self.allow_set = around;
    }

    /// `res.setHeader('Allow', …)` as a statement of its own: every answer after it carries
    /// `Allow` (Pages keeps a header set on the response until the response is sent).
    fn sets_allow(&self, stmt: &Stmt) -> bool {
        let Stmt::Expr(statement) = stmt else {
            return false;
        };
        let Expr::Call(call) = unwrap(&statement.expr) else {
            return false;
        };
        let Callee::Expr(callee) = &call.callee else {
            return false;
        };
        let Expr::Member(member) = unwrap(callee) else {
            return false;
        };
        self.roles.object_of(&member.obj) == Some(Object::Res)
            && member_name(&member.prop) == Some("setHeader")
            && call
                .args
                .first()
                .and_then(|a| string_value(&a.expr))
                .is_some_and(|name| name.eq_ignore_ascii_case("allow"))
    }

    /// What the methods a dispatch without a default get: the code after it, or no response
    /// at all when it is the handler's last statement.
    fn falls_through_from(&self, dispatch: Span) -> Fallback {
        use swc_common::Spanned;
        let last = self.body.and_then(|body| body.last()).map(Spanned::span);
        if last == Some(dispatch) {
            Fallback::NoResponse
        } else {
            Fallback::FallsThrough
        }
    }

    /// What a fallback branch does; a throw inside the handler's own `try` goes where the
    /// `catch` sends it. A branch that sends nothing (`res.statusCode = 405; break`) answers
    /// nothing itself, whatever status it sets: when it returns, the request hangs; when it
    /// leaves the statement `leaving` (with a `break` or past its end), what follows that
    /// statement decides; without one, control falls through to code we do not look at here.
    fn classify(&self, stmts: &[Stmt], leaving: Option<Span>) -> Fallback {
        match (sends_nothing(stmts), leaving) {
            (Some(Leaves::Returns), _) => return Fallback::NoResponse,
            (Some(Leaves::Breaks | Leaves::RunsOn), Some(dispatch)) => {
                return self.falls_through_from(dispatch);
            }
            (Some(Leaves::Breaks | Leaves::RunsOn), None) => return Fallback::FallsThrough,
            (None, _) => {}
        }
        match super::fallback::classify(stmts, self.index) {
            Fallback::Throws if self.try_depth > 0 => Fallback::Custom,
            fallback => fallback,
        }
    }
}

/// The methods a three-valued test is decided for, as bits over [`UNIVERSE`]: the last bit
/// stands for every other method (PROPFIND, …).
const UNIVERSE: [&str; 9] = [
    "GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH", "CONNECT", "TRACE",
];
const OTHER: u16 = 1 << UNIVERSE.len();
const ALL: u16 = (OTHER << 1) - 1;

/// A condition's value for each method: known true, known false, or neither (it depends on
/// more than the method).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Truth {
    true_for: u16,
    false_for: u16,
}

impl Truth {
    const UNKNOWN: Truth = Truth {
        true_for: 0,
        false_for: 0,
    };
    const FALSE: Truth = Truth {
        true_for: 0,
        false_for: ALL,
    };

    /// `req.method === method`.
    fn method(method: &str) -> Truth {
        match UNIVERSE.iter().position(|m| *m == method) {
            Some(i) => Truth {
                true_for: 1 << i,
                false_for: ALL & !(1 << i),
            },
            // Some other method: false for the known ones, unknown for the rest.
            None => Truth {
                true_for: 0,
                false_for: ALL & !OTHER,
            },
        }
    }

    fn not(self) -> Truth {
        Truth {
            true_for: self.false_for,
            false_for: self.true_for,
        }
    }

    fn or(self, other: Truth) -> Truth {
        Truth {
            true_for: self.true_for | other.true_for,
            false_for: self.false_for & other.false_for,
        }
    }

    fn and(self, other: Truth) -> Truth {
        Truth {
            true_for: self.true_for & other.true_for,
            false_for: self.false_for | other.false_for,
        }
    }

    /// Methods for which the condition may hold.
    fn may_hold(self) -> u16 {
        ALL & !self.false_for
    }

    fn names(bits: u16) -> BTreeSet<String> {
        UNIVERSE
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, m)| (*m).to_owned())
            .collect()
    }
}

/// `method` (or its renamed binding) in a destructured request.
fn method_aliases(pat: &Pat) -> Vec<swc_ecma_ast::Id> {
    let pat = match pat {
        Pat::Assign(a) => &*a.left,
        p => p,
    };
    let Pat::Object(object) = pat else {
        return Vec::new();
    };
    object
        .props
        .iter()
        .filter_map(|prop| match prop {
            swc_ecma_ast::ObjectPatProp::Assign(a) if &*a.key.sym == "method" => {
                Some(a.key.to_id())
            }
            swc_ecma_ast::ObjectPatProp::KeyValue(kv) if prop_name(&kv.key) == Some("method") => {
                match strip_default(&kv.value) {
                    Pat::Ident(binding) => Some(binding.id.to_id()),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect()
}

fn strip_default(pat: &Pat) -> &Pat {
    match pat {
        Pat::Assign(a) => &a.left,
        p => p,
    }
}

fn is_case_call(prop: &MemberProp) -> bool {
    matches!(member_name(prop), Some("toUpperCase" | "toLowerCase"))
}

/// The keys of an object literal keyed by HTTP methods (any case), uppercased:
/// `{ GET: …, post: … }`. `None` when a key is something else.
fn method_keys(object: &swc_ecma_ast::ObjectLit) -> Option<BTreeSet<String>> {
    let keys: BTreeSet<String> = object
        .props
        .iter()
        .map(|p| match p {
            swc_ecma_ast::PropOrSpread::Prop(prop) => match &**prop {
                swc_ecma_ast::Prop::KeyValue(kv) => method_key(prop_name(&kv.key)?),
                swc_ecma_ast::Prop::Method(m) => method_key(prop_name(&m.key)?),
                swc_ecma_ast::Prop::Shorthand(i) => method_key(&i.sym),
                _ => None,
            },
            swc_ecma_ast::PropOrSpread::Spread(_) => None,
        })
        .collect::<Option<_>>()?;
    (!keys.is_empty()).then_some(keys)
}

/// A key naming a method, in upper case: `get`, `GET`. Every object literal of a handler file
/// is asked, so a key that is no method is turned down before anything is allocated.
fn method_key(key: &str) -> Option<String> {
    let upper = if key.is_ascii() {
        let len_fits = (3..=7).contains(&key.len());
        len_fits.then(|| key.to_ascii_uppercase())?
    } else {
        key.to_uppercase()
    };
    is_method_name(&upper).then_some(upper)
}

fn is_method_name(name: &str) -> bool {
    ROUTE_METHODS.contains(&name) || matches!(name, "CONNECT" | "TRACE")
}

impl Visit for Finder<'_, '_> {
    // Type annotations hold no `req`/`res` uses: do not walk them.
    noop_visit_type!();

    fn visit_var_decl(&mut self, var: &swc_ecma_ast::VarDecl) {
        var.visit_children_with(self);
        self.remember_conditions(var);
    }

    fn visit_var_declarator(&mut self, d: &VarDeclarator) {
        self.declarator(d);
        d.visit_children_with(self);
    }

    /// `if (req.method === 'GET') return …` with no `else`, alone or in a run of such blocks,
    /// is a dispatch when the code after the run answers 405 or an error, or when nothing
    /// follows it in the handler (the other methods then get no response at all); otherwise it
    /// is a special case before code that every method runs
    /// (`if (req.method === 'OPTIONS') return res.end()`).
    fn visit_stmts(&mut self, stmts: &[Stmt]) {
        // Most blocks hold no `if`: nothing below applies to them.
        if !stmts.iter().any(|stmt| matches!(stmt, Stmt::If(_))) {
            self.visit_in_order(stmts);
            return;
        }
        let is_body = self.body.is_some_and(|body| std::ptr::eq(body, stmts));
        // What runs after each `if`: the branch of the methods a guard lets through.
        for (i, stmt) in stmts.iter().enumerate() {
            if let (Stmt::If(guard), Some(rest)) = (stmt, stmts_range(&stmts[i + 1..])) {
                self.after_if.insert(guard.span, rest);
            }
        }
        // `const { method } = req` before `if (method === 'GET') return …`: the alias must be
        // known when the run of early returns is read, before the walk reaches the declaration.
        for stmt in stmts {
            if let Stmt::Decl(swc_ecma_ast::Decl::Var(var)) = stmt {
                for declarator in &var.decls {
                    self.declarator(declarator);
                }
                self.remember_conditions(var);
            }
        }
        let early: Vec<Option<BTreeSet<String>>> =
            stmts.iter().map(|stmt| self.early_return(stmt)).collect();
        for (i, stmt) in stmts.iter().enumerate() {
            let (Stmt::If(early_if), Some(methods)) = (stmt, &early[i]) else {
                continue;
            };
            self.early_returns.insert(early_if.span);
            // The tail: what follows the run of early-return method blocks.
            let run_end = (i + 1..stmts.len())
                .find(|j| early[*j].is_none())
                .unwrap_or(stmts.len());
            let tail = &stmts[run_end..];
            // A tail that branches (`if (req.method !== 'GET' …) return 405`) answers only
            // some requests: it is code every other method runs, not a fallback.
            let branches = tail
                .iter()
                .any(|s| matches!(s, Stmt::If(_) | Stmt::Switch(_) | Stmt::Try(_)));
            let fallback = if tail.is_empty() && is_body {
                Some(Fallback::NoResponse)
            } else if branches {
                None
            } else {
                // Past the body's last statement, the handler ends.
                let leaving = tail
                    .last()
                    .filter(|_| is_body)
                    .map(swc_common::Spanned::span);
                // `Allow` set before the run of method blocks goes out with the tail's 405.
                let allow_before =
                    self.allow_set || stmts[..run_end].iter().any(|s| self.sets_allow(s));
                match with_allow(self.classify(tail, leaving), allow_before) {
                    // A tail that sets a status and sends nothing: no response at all.
                    Fallback::NoResponse => Some(Fallback::NoResponse),
                    f @ (Fallback::MethodNotAllowed
                    | Fallback::MethodNotAllowedWithAllow
                    | Fallback::Throws) => Some(f),
                    Fallback::Custom if answers_error(tail) => Some(Fallback::Custom),
                    _ => None,
                }
            };
            match fallback {
                Some(fallback) => {
                    self.found
                        .note(DispatchStyle::IfChain, methods.clone(), early_if.span);
                    self.found
                        .branch(methods.clone(), stmt_body(&early_if.cons));
                    self.found.fallback(fallback, stmts_range(tail));
                }
                None => self.found.special_cased.extend(methods.iter().cloned()),
            }
        }
        self.visit_in_order(stmts);
    }

    fn visit_try_stmt(&mut self, stmt: &swc_ecma_ast::TryStmt) {
        self.try_depth += 1;
        stmt.block.visit_with(self);
        self.try_depth -= 1;
        stmt.handler.visit_with(self);
        stmt.finalizer.visit_with(self);
    }

    fn visit_switch_stmt(&mut self, switch: &SwitchStmt) {
        if self.is_method(&switch.discriminant) {
            let mut methods = BTreeSet::new();
            let mut has_default = false;
            // `case 'GET': case 'HEAD': …`: empty cases share the next case's statements.
            let mut pending = BTreeSet::new();
            for case in &switch.cases {
                match case.test.as_deref().map(string_value) {
                    Some(Some(method)) => {
                        methods.insert(method.to_uppercase());
                        pending.insert(method.to_uppercase());
                        if !case.cons.is_empty() {
                            self.found
                                .branch(std::mem::take(&mut pending), stmts_range(&case.cons));
                        }
                    }
                    Some(None) => self.found.unresolved.push(case.span),
                    None => {
                        has_default = true;
                        // `case 'GET': case 'POST': default: return res.status(405).end()`:
                        // the empty cases run the default's code, as every other method does.
                        for method in std::mem::take(&mut pending) {
                            methods.remove(&method);
                        }
                        // A `default:` that runs past its end without a `break` leaves the
                        // `switch` only when it is the last case.
                        let last = std::ptr::eq(case, switch.cases.last().unwrap_or(case));
                        let leaving = (last || sends_nothing(&case.cons) == Some(Leaves::Breaks))
                            .then_some(switch.span);
                        let fallback = self.classify(&case.cons, leaving);
                        self.found.fallback(
                            with_allow(fallback, self.allow_set),
                            stmts_range(&case.cons),
                        );
                    }
                }
            }
            // Empty cases at the end run nothing: those methods leave the `switch` as the
            // methods without a case do.
            for method in pending {
                methods.remove(&method);
            }
            if !has_default {
                let fallback = self.falls_through_from(switch.span);
                self.found.fallback(fallback, None);
            }
            self.found.note(DispatchStyle::Switch, methods, switch.span);
        }
        switch.visit_children_with(self);
    }

    fn visit_if_stmt(&mut self, stmt: &IfStmt) {
        if self.early_returns.contains(&stmt.span) {
            stmt.visit_children_with(self);
            return;
        }
        if self.is_missing_selection(&stmt.test) {
            let fallback = self.classify(std::slice::from_ref(&*stmt.cons), None);
            self.found.fallback(fallback, stmt_body(&stmt.cons));
        }
        let Some(truth) = self.truth(&stmt.test) else {
            stmt.visit_children_with(self);
            return;
        };
        let may_hold = truth.may_hold();
        if truth.true_for & OTHER != 0 && exits(&stmt.cons) {
            // A guard: every method it is surely true for leaves here (`req.method !== 'GET'`,
            // also `req.method !== 'GET' || !q`); the others go on, some of them perhaps only
            // when the rest of the condition allows.
            let served = Truth::names(ALL & !truth.true_for);
            self.found.guard = Some(match self.found.guard.take() {
                Some(previous) => previous.intersection(&served).cloned().collect(),
                None => served,
            });
            self.found.span.get_or_insert(stmt.span);
            // The last guard decides what the others get.
            let fallback = self.classify(std::slice::from_ref(&*stmt.cons), None);
            self.found.fallback = Some(with_allow(fallback, self.allow_set));
            self.found.fallback_range = stmt_body(&stmt.cons);
            let rest = self.after_if.get(&stmt.span).copied();
            self.found.branch(Truth::names(ALL & !truth.true_for), rest);
        } else if may_hold & OTHER == 0 && may_hold != 0 {
            let style = if matches!(unwrap(&stmt.test), Expr::Call(_)) {
                DispatchStyle::Includes
            } else {
                DispatchStyle::IfChain
            };
            self.found.note(style, Truth::names(may_hold), stmt.span);
            self.found
                .branch(Truth::names(may_hold), stmt_body(&stmt.cons));
            // The final `else` of a chain is the fallback.
            match stmt.alt.as_deref() {
                Some(Stmt::If(alt)) => {
                    let head = self.else_of.get(&stmt.span).copied().unwrap_or(stmt.span);
                    self.else_of.insert(alt.span, head);
                }
                Some(alt) => {
                    let head = self.else_of.get(&stmt.span).copied().unwrap_or(stmt.span);
                    let fallback = self.classify(std::slice::from_ref(alt), Some(head));
                    let fallback = with_allow(fallback, self.allow_set);
                    self.found.fallback(fallback, stmt_body(alt));
                }
                None => {
                    // The chain's first `if` is the statement that ends the handler, or not.
                    let head = self.else_of.get(&stmt.span).copied().unwrap_or(stmt.span);
                    let fallback = self.falls_through_from(head);
                    self.found.fallback(fallback, None);
                }
            }
        }
        stmt.visit_children_with(self);
    }

    fn visit_expr_stmt(&mut self, stmt: &swc_ecma_ast::ExprStmt) {
        self.mark_answer(&stmt.expr);
        stmt.visit_children_with(self);
    }

    fn visit_return_stmt(&mut self, stmt: &swc_ecma_ast::ReturnStmt) {
        if let Some(value) = &stmt.arg {
            self.mark_answer(value);
        }
        stmt.visit_children_with(self);
    }

    /// `req.method === 'GET' ? handler(req, res) : res.status(405).end()`, as a statement or
    /// the value returned: a dispatch too.
    fn visit_cond_expr(&mut self, cond: &swc_ecma_ast::CondExpr) {
        let answers = self.answers.contains(&cond.span);
        if answers {
            self.mark_answer(&cond.cons);
            self.mark_answer(&cond.alt);
        }
        if let Some(truth) = self.truth(&cond.test).filter(|_| answers) {
            let may_hold = truth.may_hold();
            if may_hold & OTHER == 0 && may_hold != 0 {
                use swc_common::Spanned;
                self.found
                    .note(DispatchStyle::IfChain, Truth::names(may_hold), cond.span);
                self.found
                    .branch(Truth::names(may_hold), Some(parse::range(cond.cons.span())));
                let alt = Stmt::Expr(swc_ecma_ast::ExprStmt {
                    span: cond.alt.span(),
                    expr: cond.alt.clone(),
                });
                let fallback = self.classify(std::slice::from_ref(&alt), None);
                self.found
                    .fallback(fallback, Some(parse::range(cond.alt.span())));
            }
        }
        cond.visit_children_with(self);
    }

    /// `apiHandler(req, res, { GET: …, PUT: … })`: a method table handed to a helper with the
    /// request; the helper picks the entry, and answers the other methods as it sees fit.
    fn visit_call_expr(&mut self, call: &swc_ecma_ast::CallExpr) {
        let hands_request = call
            .args
            .iter()
            .any(|a| self.roles.object_of(&a.expr).is_some());
        // `defaultHandler({ GET: import('./_get') })(req, res)`: the table in a curried call.
        let curried = match &call.callee {
            Callee::Expr(callee) => match unwrap(callee) {
                Expr::Call(inner) => inner.args.as_slice(),
                _ => &[],
            },
            _ => &[],
        };
        if hands_request {
            for arg in call.args.iter().chain(curried) {
                let Expr::Object(object) = unwrap(&arg.expr) else {
                    continue;
                };
                let Some(keys) = method_keys(object) else {
                    continue;
                };
                self.found.note(DispatchStyle::Table, keys, call.span);
                self.found.fallback(Fallback::Unknown, None);
                for prop in &object.props {
                    if let swc_ecma_ast::PropOrSpread::Prop(prop) = prop {
                        if let swc_ecma_ast::Prop::KeyValue(kv) = &**prop {
                            use swc_common::Spanned;
                            let method = prop_name(&kv.key).map(str::to_uppercase);
                            self.found.branch(
                                method.into_iter().collect(),
                                Some(parse::range(kv.value.span())),
                            );
                        }
                    }
                }
            }
        }
        call.visit_children_with(self);
    }

    fn visit_member_expr(&mut self, member: &MemberExpr) {
        if let MemberProp::Computed(computed) = &member.prop {
            if self.is_method(&computed.expr) {
                match ident_name(&member.obj)
                    .and_then(|t| self.tables.get(t))
                    .cloned()
                {
                    Some(keys) => self.found.note(DispatchStyle::Table, keys, member.span),
                    None => self.found.unresolved.push(member.span),
                }
            }
        }
        member.visit_children_with(self);
    }

    // A nested function has its own `req` only if it rebinds it; we keep looking either way,
    // since helpers defined inside the handler usually close over the outer one.
}

/// True when a statement always leaves the function (ends in `return` or `throw`).
fn exits(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Return(_) | Stmt::Throw(_) => true,
        Stmt::Block(b) => b.stmts.last().is_some_and(exits),
        Stmt::If(i) => exits(&i.cons) && i.alt.as_deref().is_some_and(exits),
        // `try { …; return … } catch { return … }`: both ways out leave.
        Stmt::Try(t) => {
            t.block.stmts.last().is_some_and(exits)
                && t.handler
                    .as_ref()
                    .is_none_or(|h| h.body.stmts.last().is_some_and(exits))
        }
        _ => false,
    }
}

/// The range from the first to the last of some statements.
fn stmts_range(stmts: &[Stmt]) -> Option<TextRange> {
    use swc_common::Spanned;
    let (first, last) = (stmts.first()?, stmts.last()?);
    Some(parse::range(first.span().with_hi(last.span().hi)))
}

/// The statements of a branch: a block's contents, or the single statement.
pub(super) fn stmt_body(stmt: &Stmt) -> Option<TextRange> {
    match stmt {
        Stmt::Block(block) => stmts_range(&block.stmts),
        other => stmts_range(std::slice::from_ref(other)),
    }
}

/// True when the code after a run of method blocks only answers an error: one or two plain
/// statements (no condition) with a 4xx/5xx status (`return res.status(400).json(…)`).
fn answers_error(tail: &[Stmt]) -> bool {
    struct ErrorStatus(bool);
    impl Visit for ErrorStatus {
        noop_visit_type!();
        fn visit_lit(&mut self, lit: &swc_ecma_ast::Lit) {
            if let swc_ecma_ast::Lit::Num(n) = lit {
                self.0 |= (400.0..600.0).contains(&n.value);
            }
        }
    }
    if tail.is_empty()
        || tail.len() > 2
        || !tail
            .iter()
            .all(|s| matches!(s, Stmt::Expr(_) | Stmt::Return(_)))
    {
        return false;
    }
    let mut found = ErrorStatus(false);
    tail.visit_with(&mut found);
    found.0
}

/// A 405 sent after `Allow` was set on the response carries it.
fn with_allow(fallback: Fallback, allow_before: bool) -> Fallback {
    if allow_before && fallback == Fallback::MethodNotAllowed {
        Fallback::MethodNotAllowedWithAllow
    } else {
        fallback
    }
}

/// The dispatch of a method table handed to a helper: `apiHandler({ get, post })`.
pub fn from_table(table: &[TableEntry], span: Option<TextRange>) -> Dispatch {
    Dispatch {
        style: DispatchStyle::Table,
        methods: table.iter().map(|e| e.method.to_owned()).collect(),
        // The helper that builds the handler answers the other methods.
        fallback: Fallback::Unknown,
        span,
        branches: table
            .iter()
            .filter_map(|e| {
                Some(Branch {
                    methods: BTreeSet::from([e.method.to_owned()]),
                    body: parse::range(e.function?.span()),
                })
            })
            .collect(),
        ..Dispatch::none()
    }
}

/// The methods registered on next-connect routers anywhere in the module (`router.get(…)`,
/// `nc().post(…)`); `.all(…)` serves every method.
pub fn next_connect(program: &Program, index: &ModuleIndex) -> Dispatch {
    struct Calls<'i, 'a> {
        index: &'i ModuleIndex<'a>,
        methods: BTreeSet<String>,
        all: bool,
        span: Option<Span>,
        /// `nc({ onNoMatch })`, `router.handler({ onNoMatch })`: the handler's own answer to
        /// the methods no route matches (next-connect's default is a 404).
        on_no_match: bool,
    }
    impl Visit for Calls<'_, '_> {
        // Type annotations hold no `req`/`res` uses: do not walk them.
        noop_visit_type!();

        fn visit_call_expr(&mut self, call: &swc_ecma_ast::CallExpr) {
            if let Callee::Expr(callee) = &call.callee {
                if let Expr::Member(m) = unwrap(callee) {
                    let is_router = chain_root_import(self.index, &m.obj, 0)
                        .is_some_and(libraries::is_next_connect);
                    match member_name(&m.prop).map(|n| n.to_uppercase()) {
                        Some(name) if is_router && name == "ALL" => self.all = true,
                        Some(name) if is_router && ROUTE_METHODS.contains(&name.as_str()) => {
                            self.methods.insert(name);
                            self.span.get_or_insert(call.span);
                        }
                        _ => {}
                    }
                }
            }
            call.visit_children_with(self);
        }

        fn visit_prop(&mut self, prop: &swc_ecma_ast::Prop) {
            let key = match prop {
                swc_ecma_ast::Prop::KeyValue(kv) => prop_name(&kv.key),
                swc_ecma_ast::Prop::Shorthand(i) => Some(&*i.sym),
                swc_ecma_ast::Prop::Method(m) => prop_name(&m.key),
                _ => None,
            };
            self.on_no_match |= key == Some("onNoMatch");
            prop.visit_children_with(self);
        }
    }
    let mut calls = Calls {
        index,
        methods: BTreeSet::new(),
        all: false,
        span: None,
        on_no_match: false,
    };
    program.visit_with(&mut calls);
    if calls.all {
        return Dispatch::none();
    }
    Dispatch {
        style: DispatchStyle::Router,
        methods: calls.methods,
        fallback: if calls.on_no_match {
            Fallback::Custom
        } else {
            Fallback::Framework
        },
        span: calls.span.map(parse::range),
        ..Dispatch::none()
    }
}
