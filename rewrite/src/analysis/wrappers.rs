//! Wrappers of the same file that turn methods away before the handler runs:
//! `const allow = (handler) => (req, res) => req.method === 'GET' ? handler(req, res) : …`.
//! Their dispatch narrows the handler's: the route serves only the methods both let through.
//! A wrapper whose test cannot be resolved (`methods.includes(req.method)` over its own
//! parameter) makes the methods unknown; an imported wrapper is not looked into.

use std::collections::BTreeSet;

use swc_ecma_ast::{ArrowFunctionBody, Expr, Stmt};

use super::dispatch::{self, Dispatch, DispatchStyle, Fallback};
use super::handler::Wrapper;
use super::module_index::ModuleIndex;
use super::syntax::FnLike;
use super::uses::Roles;

/// How many functions deep a curried wrapper is followed to the `(req, res)` function it
/// returns (`(options) => (handler) => (req, res) => …`).
const MAX_CURRYING: usize = 4;

/// The handler's dispatch, narrowed by the local wrappers around it.
pub fn narrow(handler: Dispatch, wrappers: &[Wrapper], index: &ModuleIndex) -> Dispatch {
    let mut dispatch = handler;
    // Curried wrappers (`allow(['GET'])(handler)`) are not marked local: look each up.
    for wrapper in wrappers {
        let root = wrapper.name.split(['(', '.']).next().unwrap_or_default();
        let Some(function) = index.function_named(root) else {
            continue;
        };
        let Some(inner) = request_function(function) else {
            continue;
        };
        let outer = dispatch::analyse(inner, Roles::of(inner), index);
        dispatch = combine(dispatch, outer);
    }
    dispatch
}

/// The function a wrapper returns that takes the request: the innermost of its curried
/// functions.
fn request_function(wrapper: FnLike) -> Option<FnLike> {
    let mut function = returned_function(wrapper)?;
    for _ in 0..MAX_CURRYING {
        match returned_function(function) {
            Some(next) => function = next,
            None => return Some(function),
        }
    }
    Some(function)
}

/// The function a function returns: `() => (req, res) => …`, `function () { return … }`.
fn returned_function(function: FnLike) -> Option<FnLike> {
    match function {
        FnLike::Arrow(arrow) => match &*arrow.body {
            ArrowFunctionBody::Expr(body) => FnLike::from_expr(body),
            ArrowFunctionBody::FunctionBody(block) => returned_in(&block.stmts),
        },
        FnLike::Function(f) => returned_in(&f.body.as_ref()?.stmts),
    }
}

fn returned_in(stmts: &[Stmt]) -> Option<FnLike<'_>> {
    stmts.iter().find_map(|stmt| match stmt {
        Stmt::Return(r) => r.arg.as_deref().and_then(|e: &Expr| FnLike::from_expr(e)),
        _ => None,
    })
}

/// The handler's dispatch inside a wrapper's. Methods the wrapper answers early (a CORS
/// preflight) stay answered early.
fn combine(mut inner: Dispatch, mut outer: Dispatch) -> Dispatch {
    inner
        .special_cased
        .extend(outer.special_cased.iter().cloned());
    outer
        .special_cased
        .extend(inner.special_cased.iter().cloned());
    match outer.style {
        DispatchStyle::None => inner,
        DispatchStyle::Unknown => Dispatch {
            unresolved: outer.unresolved,
            ..Dispatch::unknown(outer.span)
        },
        _ if matches!(inner.style, DispatchStyle::None) => outer,
        _ if matches!(inner.style, DispatchStyle::Unknown) => inner,
        _ => {
            let methods: BTreeSet<String> = inner
                .methods
                .intersection(&outer.methods)
                .cloned()
                .collect();
            let fallback = if inner.fallback == outer.fallback {
                inner.fallback
            } else {
                Fallback::Custom
            };
            Dispatch {
                methods,
                fallback,
                ..inner
            }
        }
    }
}
