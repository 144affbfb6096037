//! Finding the handler of a `pages/api` module: what the default export is, through
//! identifiers, re-exports, wrappers (`withAuth(handler)`, stacked, with extra arguments) and
//! `CommonJS`, down to the function that takes `(req, res)`.

use serde::Serialize;
use swc_common::Span;
use swc_ecma_ast::{Callee, Expr};

use super::dispatch::ROUTE_METHODS;
use super::libraries::{self, Library};
use super::module_index::{Binding, DefaultExport, ModuleIndex};
use super::syntax::{callee_text, prop_name, unwrap, FnLike};
use crate::diagnostic::TextRange;
use crate::parse;

/// What kind of thing the default export is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HandlerKind {
    /// A function taking `(req, res)`, exported directly or through a name.
    Function,
    /// A function wrapped by one or more higher-order functions.
    Wrapped,
    /// A handler made by a library (`NextAuth`, tRPC, …).
    Library,
    /// A next-connect router.
    NextConnect,
    /// There is no default export.
    Missing,
    /// Something we cannot follow.
    Unresolved,
}

/// A higher-order function around the handler.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wrapper {
    pub name: String,
    /// Defined in this file (as opposed to imported).
    pub local: bool,
    /// Called with arguments besides the handler (`withAuth(handler, { role: 'admin' })`).
    pub extra_arguments: bool,
    /// The wrapper call, `withAuth(handler, { role })`.
    #[serde(skip)]
    pub range: TextRange,
}

/// The resolved handler.
pub struct Handler<'a> {
    pub kind: HandlerKind,
    /// The default export statement (or the file start when there is none).
    pub span: Option<Span>,
    /// The innermost function taking `(req, res)`, when we found one.
    pub function: Option<FnLike<'a>>,
    /// Outermost first.
    pub wrappers: Vec<Wrapper>,
    /// For `Library`: the package and, if known, how it mounts in the App Router.
    pub library: Option<(String, Option<&'static Library>)>,
    /// For `Unresolved`: why.
    pub unresolved_reason: Option<String>,
    /// `apiHandler({ get: getUsers, post: register })`: the methods of a table handed to a
    /// helper that builds the handler, with their functions where we can follow them.
    pub method_table: Vec<TableEntry<'a>>,
}

/// One method of a method table handed to a helper.
#[derive(Clone, Copy)]
pub struct TableEntry<'a> {
    /// Uppercase.
    pub method: &'a str,
    /// The function, when it is defined in this file.
    pub function: Option<FnLike<'a>>,
    /// The module that holds it, when it is imported (`import('./_get')`, a lazy
    /// `() => import('./_get')`, or an imported name).
    pub module: Option<&'a str>,
}

/// Resolves the module's handler.
/// `is_package` tells an npm package from a file of the project behind a path alias.
pub fn resolve<'a>(index: &ModuleIndex<'a>, is_package: &dyn Fn(&str) -> bool) -> Handler<'a> {
    let mut handler = Handler {
        kind: HandlerKind::Missing,
        span: None,
        function: None,
        wrappers: Vec::new(),
        library: None,
        unresolved_reason: None,
        method_table: Vec::new(),
    };
    let Some(default) = index.default_export else {
        return handler;
    };
    handler.span = Some(default.span());
    match default {
        DefaultExport::Function(f, _) => found(&mut handler, FnLike::Function(f)),
        DefaultExport::Expr(e, _) => follow(index, is_package, e, &mut handler, 0),
        DefaultExport::Name(name, _) => follow_name(index, is_package, name, &mut handler, 0),
        DefaultExport::ReExport(source, _) => unresolved(
            &mut handler,
            format!("the handler is re-exported from `{source}`"),
        ),
        DefaultExport::Class(_) => {
            unresolved(&mut handler, "the default export is a class".to_owned());
        }
    }
    handler
}

fn found<'a>(handler: &mut Handler<'a>, function: FnLike<'a>) {
    handler.kind = if handler.wrappers.is_empty() {
        HandlerKind::Function
    } else {
        HandlerKind::Wrapped
    };
    handler.function = Some(function);
}

fn unresolved(handler: &mut Handler, reason: String) {
    handler.kind = HandlerKind::Unresolved;
    handler.unresolved_reason = Some(reason);
}

/// Deep enough for any real chain of names and wrappers; stops cycles like `const a = b, b = a`.
const MAX_DEPTH: usize = 16;

fn follow_name<'a>(
    index: &ModuleIndex<'a>,
    is_package: &dyn Fn(&str) -> bool,
    name: &str,
    handler: &mut Handler<'a>,
    depth: usize,
) {
    match index.binding(name) {
        Some(Binding::Function(f)) => found(handler, FnLike::Function(f)),
        Some(Binding::Value(e)) => follow(index, is_package, e, handler, depth + 1),
        Some(Binding::Import { source, .. }) if libraries::is_next_connect(source) => {
            handler.kind = HandlerKind::NextConnect;
        }
        Some(Binding::Import { source, .. }) => unresolved(
            handler,
            format!("the handler `{name}` is imported from `{source}`"),
        ),
        Some(Binding::Other) => {
            unresolved(handler, format!("`{name}` is not a function we can follow"));
        }
        None => unresolved(handler, format!("`{name}` is not defined in this file")),
    }
}

fn follow<'a>(
    index: &ModuleIndex<'a>,
    is_package: &dyn Fn(&str) -> bool,
    expr: &'a Expr,
    handler: &mut Handler<'a>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return unresolved(
            handler,
            "the default export is defined in a cycle".to_owned(),
        );
    }
    if let Some(function) = FnLike::from_expr(expr) {
        return found(handler, function);
    }
    match unwrap(expr) {
        Expr::Ident(i) => follow_name(index, is_package, &i.sym, handler, depth + 1),
        Expr::Call(call) => {
            let Callee::Expr(callee) = &call.callee else {
                return unresolved(handler, "the default export is not a function".to_owned());
            };
            if let Some(source) = chain_root_import(index, callee, depth) {
                if libraries::is_next_connect(source) {
                    handler.kind = HandlerKind::NextConnect;
                    return;
                }
                if let Some(library) = libraries::known(source) {
                    // Wrappers such as Sentry's still take the handler as an argument, whatever
                    // builds it (`withSentry(NextAuth(options))`).
                    let wraps = libraries::is_wrapper(source) && !call.args.is_empty();
                    if !wraps && !has_function_argument(index, call) {
                        handler.kind = HandlerKind::Library;
                        handler.library =
                            Some((libraries::package_name(source).to_owned(), Some(library)));
                        return;
                    }
                }
            }
            // A wrapper: follow the first argument that leads to a function.
            let name = callee_text(&call.callee);
            if let Some(table) = call.args.iter().find_map(|a| method_table(index, &a.expr)) {
                handler.kind = HandlerKind::Wrapped;
                handler.wrappers.push(Wrapper {
                    name,
                    local: false,
                    extra_arguments: call.args.len() > 1,
                    range: parse::range(call.span),
                });
                handler.method_table = table;
                return;
            }
            // `withA(h)` and curried `allow(['GET'])(h)` alike: the name at the chain's root.
            let local = matches!(
                callee_root(callee).and_then(|name| index.binding(name)),
                Some(Binding::Function(_) | Binding::Value(_))
            );
            let wrapper_library =
                chain_root_import(index, callee, depth).is_some_and(libraries::is_wrapper);
            let argument = call.args.iter().position(|a| {
                a.spread.is_none() && (wrapper_library || leads_to_function(index, &a.expr, depth))
            });
            match argument {
                Some(position) => {
                    handler.wrappers.push(Wrapper {
                        name,
                        local,
                        extra_arguments: call.args.len() > 1,
                        range: parse::range(call.span),
                    });
                    follow(
                        index,
                        is_package,
                        &call.args[position].expr,
                        handler,
                        depth + 1,
                    );
                }
                None => match chain_root_import(index, callee, depth) {
                    Some(source) if is_package(source) => {
                        handler.kind = HandlerKind::Library;
                        handler.library = Some((
                            libraries::package_name(source).to_owned(),
                            libraries::known(source),
                        ));
                    }
                    _ => unresolved(
                        handler,
                        format!(
                            "the handler is built by `{name}(…)`, whose result we cannot follow"
                        ),
                    ),
                },
            }
        }
        _ => unresolved(handler, "the default export is not a function".to_owned()),
    }
}

fn has_function_argument(index: &ModuleIndex, call: &swc_ecma_ast::CallExpr) -> bool {
    call.args
        .iter()
        .any(|a| leads_to_function(index, &a.expr, 0))
}

/// True when an argument is, or names, a function (possibly wrapped again).
fn leads_to_function(index: &ModuleIndex, expr: &Expr, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    if FnLike::from_expr(expr).is_some() {
        return true;
    }
    match unwrap(expr) {
        Expr::Ident(i) => match index.binding(&i.sym) {
            Some(Binding::Function(_)) => true,
            Some(Binding::Value(e)) => leads_to_function(index, e, depth + 1),
            _ => false,
        },
        // `defaultHandler({ GET: import('./_get') })` inside a wrapper builds the handler too.
        Expr::Call(c) => c.args.iter().any(|a| {
            leads_to_function(index, &a.expr, depth + 1)
                || matches!(unwrap(&a.expr), Expr::Object(o) if is_method_keyed(o))
        }),
        _ => false,
    }
}

/// An object literal whose keys are all HTTP methods.
fn is_method_keyed(object: &swc_ecma_ast::ObjectLit) -> bool {
    !object.props.is_empty()
        && object.props.iter().all(|p| match p {
            swc_ecma_ast::PropOrSpread::Prop(prop) => {
                let key = match &**prop {
                    swc_ecma_ast::Prop::KeyValue(kv) => prop_name(&kv.key),
                    swc_ecma_ast::Prop::Shorthand(i) => Some(&*i.sym),
                    swc_ecma_ast::Prop::Method(m) => prop_name(&m.key),
                    _ => None,
                };
                key.is_some_and(|k| ROUTE_METHODS.iter().any(|m| m.eq_ignore_ascii_case(k)))
            }
            swc_ecma_ast::PropOrSpread::Spread(_) => false,
        })
}

/// The identifier a callee chain starts from: `withA` in `withA`, `allow(['GET'])`, `lib.wrap`.
fn callee_root(expr: &Expr) -> Option<&str> {
    match unwrap(expr) {
        Expr::Ident(i) => Some(&i.sym),
        Expr::Member(m) => callee_root(&m.obj),
        Expr::Call(c) => match &c.callee {
            Callee::Expr(callee) => callee_root(callee),
            _ => None,
        },
        _ => None,
    }
}

/// The import at the root of a callee chain (`nc()`, `createRouter().get(…)`, `Sentry.wrap`,
/// `router.handler` where `router = createRouter()`).
pub fn chain_root_import<'a>(
    index: &ModuleIndex<'a>,
    expr: &Expr,
    depth: usize,
) -> Option<&'a str> {
    if depth > MAX_DEPTH {
        return None;
    }
    match unwrap(expr) {
        Expr::Ident(i) => match index.binding(&i.sym)? {
            Binding::Import { source, .. } => Some(source),
            Binding::Value(e) => chain_root_import(index, e, depth + 1),
            _ => None,
        },
        Expr::Member(m) => chain_root_import(index, &m.obj, depth + 1),
        Expr::Call(c) => match &c.callee {
            Callee::Expr(callee) => chain_root_import(index, callee, depth + 1),
            _ => None,
        },
        _ => None,
    }
}

/// An object literal keyed by HTTP methods (any case): `{ get: getUsers, POST: register }`,
/// `{ GET: import('./_get') }`.
fn method_table<'a>(index: &ModuleIndex<'a>, expr: &'a Expr) -> Option<Vec<TableEntry<'a>>> {
    let Expr::Object(object) = unwrap(expr) else {
        return None;
    };
    let mut table = Vec::new();
    for prop in &object.props {
        let swc_ecma_ast::PropOrSpread::Prop(prop) = prop else {
            return None;
        };
        let (key, function, module) = match &**prop {
            swc_ecma_ast::Prop::KeyValue(kv) => (
                prop_name(&kv.key)?,
                function_of(index, &kv.value),
                module_of(index, &kv.value),
            ),
            swc_ecma_ast::Prop::Shorthand(i) => (
                &*i.sym,
                index.function_named(&i.sym),
                match index.binding(&i.sym) {
                    Some(Binding::Import { source, .. }) => Some(source),
                    _ => None,
                },
            ),
            swc_ecma_ast::Prop::Method(m) => (
                prop_name(&m.key)?,
                Some(FnLike::Function(&m.function)),
                None,
            ),
            _ => return None,
        };
        let method = ROUTE_METHODS.iter().find(|m| m.eq_ignore_ascii_case(key))?;
        table.push(TableEntry {
            method,
            function,
            module,
        });
    }
    (!table.is_empty()).then_some(table)
}

/// The module a table value comes from: `import('./_get')`, `() => import('./_get')`, or a
/// name imported from it.
fn module_of<'a>(index: &ModuleIndex<'a>, expr: &'a Expr) -> Option<&'a str> {
    match unwrap(expr) {
        Expr::Call(call) if matches!(call.callee, Callee::Import(_)) => {
            super::syntax::string_value(&call.args.first()?.expr)
        }
        Expr::Arrow(arrow) => match &*arrow.body {
            swc_ecma_ast::ArrowFunctionBody::Expr(body) => module_of(index, body),
            swc_ecma_ast::ArrowFunctionBody::FunctionBody(_) => None,
        },
        Expr::Ident(i) => match index.binding(&i.sym)? {
            Binding::Import { source, .. } => Some(source),
            _ => None,
        },
        _ => None,
    }
}

/// The function an expression is or names, in this file.
fn function_of<'a>(index: &ModuleIndex<'a>, expr: &'a Expr) -> Option<FnLike<'a>> {
    match unwrap(expr) {
        Expr::Ident(i) => index.function_named(&i.sym),
        e => FnLike::from_expr(e),
    }
}
