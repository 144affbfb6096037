//! Functions that read a request's whole body and nothing else: the ones packages export
//! (`buffer`/`text` from `micro`, `getRawBody` from `raw-body`) and the helper Stripe's and
//! Vercel's webhook examples paste into the file:
//!
//! ```ts
//! async function buffer(readable: Readable) {
//!   const chunks = []
//!   for await (const chunk of readable) {
//!     chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
//!   }
//!   return Buffer.concat(chunks)
//! }
//! ```
//!
//! With `bodyParser: false`, `await buffer(req)` is the body's bytes, which a route handler
//! reads with `Buffer.from(await request.arrayBuffer())`.

use swc_ecma_ast::{Callee, Expr, ForHead, Ident, MemberProp, Pat, Stmt};

use super::module_index::{Binding, ModuleIndex};
use super::syntax::{unwrap, FnLike};

/// What the function named `callee` gives when called with the request alone: `buffer` or
/// `text`; `None` when it is not a whole-body reader.
pub fn gives(callee: &Ident, index: &ModuleIndex) -> Option<&'static str> {
    match index.binding(&callee.sym)? {
        Binding::Import {
            source: "micro",
            imported: Some("buffer"),
        }
        | Binding::Import {
            source: "raw-body",
            imported: Some("default"),
        } => Some("buffer"),
        Binding::Import {
            source: "micro",
            imported: Some("text"),
        } => Some("text"),
        Binding::Import { .. } | Binding::Other => None,
        Binding::Function(_) | Binding::Value(_) => {
            let function = index.function_of(callee)?;
            collects_chunks(&function).then_some("buffer")
        }
    }
}

/// The pasted helper: one parameter, an empty array, a `for await` over the parameter pushing
/// each chunk, `return Buffer.concat(array)`, and nothing else.
fn collects_chunks(function: &FnLike) -> bool {
    let is_async = match function {
        FnLike::Function(f) => f.is_async,
        FnLike::Arrow(a) => a.is_async,
    };
    let [Pat::Ident(param)] = function.params().as_slice() else {
        return false;
    };
    let Some([Stmt::Decl(swc_ecma_ast::Decl::Var(chunks)), Stmt::ForOf(each), Stmt::Return(ret)]) =
        function.body_stmts()
    else {
        return false;
    };
    let [declarator] = chunks.decls.as_slice() else {
        return false;
    };
    let Pat::Ident(array) = &declarator.name else {
        return false;
    };
    let empty_array = declarator
        .init
        .as_deref()
        .is_some_and(|init| matches!(unwrap(init), Expr::Array(a) if a.elems.is_empty()));
    let over_param = each.is_await
        && is_ident(&each.right, &param.id)
        && matches!(&each.left, ForHead::VarDecl(_));
    let pushes = match &*each.body {
        Stmt::Block(block) => {
            matches!(block.stmts.as_slice(), [Stmt::Expr(e)] if is_push_to(&e.expr, &array.id))
        }
        Stmt::Expr(e) => is_push_to(&e.expr, &array.id),
        _ => false,
    };
    let concatenates = ret
        .arg
        .as_deref()
        .is_some_and(|value| is_buffer_concat_of(value, &array.id));
    is_async && empty_array && over_param && pushes && concatenates
}

/// `array.push(x)` with one argument.
fn is_push_to(expr: &Expr, array: &Ident) -> bool {
    method_call(expr).is_some_and(|(object, method, args)| {
        method == "push" && args.len() == 1 && is_ident(object, array)
    })
}

/// `Buffer.concat(array)`.
fn is_buffer_concat_of(expr: &Expr, array: &Ident) -> bool {
    method_call(expr).is_some_and(|(object, method, args)| {
        method == "concat"
            && matches!(unwrap(object), Expr::Ident(b) if b.sym == *"Buffer")
            && matches!(args, [argument] if is_ident(&argument.expr, array))
    })
}

/// `object.method(args)`: the object, the method's name and the arguments.
fn method_call(expr: &Expr) -> Option<(&Expr, &str, &[swc_ecma_ast::ExprOrSpread])> {
    let Expr::Call(call) = unwrap(expr) else {
        return None;
    };
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    let Expr::Member(member) = unwrap(callee) else {
        return None;
    };
    let MemberProp::Ident(method) = &member.prop else {
        return None;
    };
    Some((&member.obj, &method.sym, &call.args))
}

/// The same binding as `ident` (name and scope).
fn is_ident(expr: &Expr, ident: &Ident) -> bool {
    matches!(unwrap(expr), Expr::Ident(i) if i.sym == ident.sym && i.ctxt == ident.ctxt)
}
