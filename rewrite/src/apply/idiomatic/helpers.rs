//! Same-file functions the handler hands `res` to (`case 'POST': return handlePOST(req, res)`,
//! `ok(res, data)`). Each becomes a function that returns its `Response` — its responses and
//! reads of the request rewritten as the handler's are — called without `res`, its result
//! returned where the handler called it:
//!
//! ```text
//! case 'POST':                               case 'POST':
//!   await handlePOST(req, res)          →      return await handlePOST(req)
//!   break
//! ```
//!
//! Only helpers that answer (their body sends a response) qualify: the analysis then reports any
//! code that would still run after the call (`response-then-continue`), so returning there
//! skips nothing. A helper whose query reads need the route's params is handed the route's `{
//! params }` where it took `res`. A helper that is used in any other way, nested delegation,
//! headers set by the handler before a call, or a body read by both the handler and a helper
//! keep the route on the adapter.

use std::collections::BTreeSet;

use swc_ecma_ast::{Decl, ModuleItem, Pat, Program, Stmt};
use swc_ecma_visit::{noop_visit_type, Visit, VisitWith};

use super::requests::RequestUses;
use super::responses::unreachable_exit;
use super::{
    classify_uses, field_locals, handler_type, header_edits, params_object, params_parameter,
    prelude_edit, query_edits, route_params, Declared, Idiomatic, Pieces,
};
use crate::analysis::model::{function_model, FunctionModel};
use crate::analysis::no_response;
use crate::analysis::syntax::{pat_var, FnLike};
use crate::analysis::uses::{Object, Site, Use, UseKind};
use crate::apply::edit::Edit;
use crate::diagnostic::TextRange;

/// The edits that turn the helpers the handler calls into functions returning `Response`s.
#[derive(Default)]
pub struct HelperEdits {
    /// The calls, inside the handler: `res` dropped, the result returned.
    pub calls: Vec<Edit>,
    /// The helpers themselves, outside the handler.
    pub outside: Vec<Edit>,
    /// `pagesBody`, `pagesQuery`, … the helpers now call.
    pub helpers: BTreeSet<&'static str>,
    pub declared: Vec<Declared>,
    /// A helper reads the body (the handler then may not: a body is read once).
    pub reads_body: bool,
    /// A helper is handed the route's `{ params }` where it took `res`.
    pub uses_params: bool,
}

/// What the handler's own rewrite tells the helpers' one.
pub struct Handler<'a> {
    pub req_name: &'a str,
    pub res_name: Option<&'a str>,
    pub reads_body: bool,
    /// Where the handler sets headers on `res`.
    pub header_sets: Vec<u32>,
    /// The `try` statements (with their `catch` and `finally`) and the loops of the handler.
    pub blocks: Blocks,
}

/// Statements of the handler a call may sit in.
#[derive(Default)]
pub struct Blocks {
    pub tries: Vec<TextRange>,
    pub loops: Vec<TextRange>,
}

impl Blocks {
    /// The `try` statements and loops inside `function`.
    pub fn of(program: &Program, function: TextRange) -> Self {
        struct Finder(TextRange, Blocks);
        impl Finder {
            fn add(&mut self, span: swc_common::Span, is_loop: bool) {
                let range = crate::parse::range(span);
                if self.0.start <= range.start && range.end <= self.0.end {
                    let list = if is_loop {
                        &mut self.1.loops
                    } else {
                        &mut self.1.tries
                    };
                    list.push(range);
                }
            }
        }
        impl Visit for Finder {
            noop_visit_type!();
            fn visit_stmt(&mut self, stmt: &Stmt) {
                match stmt {
                    Stmt::Try(t) => self.add(t.span, false),
                    Stmt::For(_)
                    | Stmt::ForIn(_)
                    | Stmt::ForOf(_)
                    | Stmt::While(_)
                    | Stmt::DoWhile(_) => self.add(swc_common::Spanned::span(stmt), true),
                    _ => {}
                }
                stmt.visit_children_with(self);
            }
        }
        let mut finder = Finder(function, Blocks::default());
        program.visit_with(&mut finder);
        finder.1
    }

    fn inside(list: &[TextRange], range: TextRange) -> bool {
        list.iter()
            .any(|b| b.start <= range.start && range.end <= b.end)
    }
}

/// One call that hands `res` (and maybe `req`) to a helper.
struct Call<'u> {
    callee: &'u str,
    range: TextRange,
    statement: TextRange,
    args: &'u [TextRange],
}

pub fn rewrite(input: &Idiomatic, handler: &Handler) -> Result<HelperEdits, String> {
    let uses = &input.analysis.uses;
    let mut calls: Vec<Call> = Vec::new();
    for use_ in uses
        .iter()
        .filter(|u| u.site == Site::Handler && u.kind == UseKind::Delegate)
    {
        if !calls.iter().any(|c| c.range == use_.range) {
            calls.push(Call {
                callee: &use_.name,
                range: use_.range,
                statement: use_.statement,
                args: &use_.args,
            });
        }
    }
    let mut out = HelperEdits::default();
    // Every use in a helper is rewritten with its helper's calls, or the route is refused.
    let called = |helper: &str| calls.iter().any(|c| c.callee == helper);
    if let Some(use_) = uses
        .iter()
        .find(|u| matches!(&u.site, Site::Helper(helper) if !called(helper)))
    {
        return Err(format!(
            "`{}` is used in a helper reached otherwise",
            use_.name
        ));
    }
    if calls.is_empty() {
        return Ok(out);
    }
    // A header the handler set before the call would be missing from the helper's response.
    // Nothing runs after a call (it is returned), so a header set later in the text is set on
    // another path, unless a loop comes back to the call.
    let last_call = calls.iter().map(|c| c.range.start).max().unwrap_or(0);
    let in_loop = calls
        .iter()
        .any(|c| Blocks::inside(&handler.blocks.loops, c.range));
    if handler
        .header_sets
        .iter()
        .any(|&at| at < last_call || in_loop)
    {
        return Err("headers set on `res` before it is handed to a helper".to_owned());
    }
    let mut names: Vec<&str> = calls.iter().map(|c| c.callee).collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        let own: Vec<&Call> = calls.iter().filter(|c| c.callee == name).collect();
        helper(input, handler, name, &own, &mut out)?;
    }
    if handler.reads_body && out.reads_body {
        return Err("the body is read by the handler and by a helper".to_owned());
    }
    Ok(out)
}

/// One helper and its calls.
fn helper(
    input: &Idiomatic,
    handler: &Handler,
    name: &str,
    calls: &[&Call],
    out: &mut HelperEdits,
) -> Result<(), String> {
    let refuse = |why: &str| Err(format!("the helper `{name}` {why}"));
    let Some(function) = top_level_function(input.program, name) else {
        return refuse("is not a function of this file");
    };
    // Its declaration and the calls: it is used in no other way.
    if input.taken.count(name) != 1 + calls.len() {
        return refuse("is used otherwise than called with `res`");
    }
    let params = function.params();
    if params.iter().any(|p| !matches!(p, Pat::Ident(_))) {
        return refuse("takes a parameter with a default, a pattern or a rest");
    }
    let (request_at, response_at) = places(input.text, handler, name, calls, params.len())?;
    let own = helper_uses(input, name)?;
    let model = function_model(function);
    let (mut edits, needs) = classify_uses(
        input,
        &model,
        &own,
        &route_params(input.segments),
        input.taken,
    )?;
    // Pages kept the headers a helper set on `res` when it then threw and the handler's
    // `catch` answered; the helper's own `Headers` would be lost with it.
    if needs.headers.is_some()
        && calls
            .iter()
            .any(|c| Blocks::inside(&handler.blocks.tries, c.range))
    {
        return refuse("sets headers and is called inside a `try`");
    }
    let mut prelude = Vec::new();
    if let Some(headers) = &needs.headers {
        prelude.push(format!(
            "const {headers} = new Headers(){}",
            input.style.semi()
        ));
    }
    let mut uses_params = false;
    if let Some(request_at) = request_at {
        let req = arg_name(&params, request_at).ok_or("a request parameter without a name")?;
        uses_params = request_edits(
            input,
            &model,
            &req,
            request_at,
            &needs,
            &mut prelude,
            out,
            &mut edits,
        )?;
    } else if own.iter().any(|u| u.object == Object::Req) {
        return refuse("reads a request it is not handed");
    }
    if !prelude.is_empty() {
        edits.push(prelude_edit(input.text, &model, &prelude)?);
    }
    // Where the helper took `res`, it is handed the route's `{ params }`, or nothing.
    let context = uses_params.then(|| params_parameter(input));
    edits.extend(signature_edits(
        input,
        &model,
        request_at,
        response_at,
        context.as_deref(),
    ));
    edits.extend(handler_type::removals(input.program, model.range));
    let awaits_params = uses_params && input.params_promise;
    if (needs.reads_body || awaits_params) && !model.is_async {
        edits.push(Edit::insertion(model.range.start, "async "));
    }
    out.outside.extend(edits);
    out.declared.extend(needs.declared);
    // A path of the helper that never answered hung under Pages; it now returns nothing, and
    // Next answers 500.
    let res_var = params.get(response_at).and_then(|p| pat_var(p));
    if no_response::silent_end(function, res_var, &[]).is_some() {
        out.declared.push(Declared::NoResponse500);
    }
    let argument = uses_params.then(|| params_object(input));
    for call in calls {
        out.calls.extend(call_edits(
            input.text,
            call,
            response_at,
            argument.as_deref(),
        )?);
    }
    out.uses_params |= uses_params;
    Ok(())
}

/// The uses of `req`/`res` in the helper: responses among them, no handing on.
fn helper_uses<'a>(input: &'a Idiomatic, name: &str) -> Result<Vec<&'a Use>, String> {
    let site = Site::Helper(name.to_owned());
    let own: Vec<&Use> = input
        .analysis
        .uses
        .iter()
        .filter(|u| u.site == site)
        .collect();
    if own.iter().any(|u| u.kind == UseKind::Delegate) {
        return Err(format!(
            "the helper `{name}` hands `req` or `res` on to another function"
        ));
    }
    let answers = own.iter().any(|u| {
        u.object == Object::Res
            && matches!(
                u.kind,
                UseKind::Json | UseKind::Send | UseKind::End | UseKind::Redirect
            )
    });
    if !answers {
        return Err(format!("the helper `{name}` never sends a response"));
    }
    Ok(own)
}

/// Where the helper takes `req` (if it does) and `res`: the same place in every call, which
/// passes as many arguments as it takes.
fn places(
    text: &str,
    handler: &Handler,
    name: &str,
    calls: &[&Call],
    params: usize,
) -> Result<(Option<usize>, usize), String> {
    let arg_text = |r: &TextRange| text[r.start as usize..r.end as usize].trim();
    let position = |wanted: Option<&str>| -> Result<Option<usize>, String> {
        let mut found = None;
        for (i, call) in calls.iter().enumerate() {
            if call.args.len() != params {
                return Err(format!(
                    "the helper `{name}` is called with other arguments than it takes"
                ));
            }
            let at = call.args.iter().position(|a| Some(arg_text(a)) == wanted);
            if i > 0 && at != found {
                return Err(format!(
                    "the helper `{name}` takes `req` and `res` at other places in its calls"
                ));
            }
            found = at;
        }
        Ok(found)
    };
    let response = position(handler.res_name)?.ok_or(format!("`{name}` is not handed `res`"))?;
    Ok((position(Some(handler.req_name))?, response))
}

/// The helper's reads of the request: the body, cookies, query and headers, as the handler's.
/// Returns whether the query needs the route's `params`: the helper is then handed the route's
/// `{ params }` where it took `res`.
#[allow(clippy::too_many_arguments)]
fn request_edits(
    input: &Idiomatic,
    model: &FunctionModel,
    req: &str,
    request_at: usize,
    needs: &super::Needs,
    prelude: &mut Vec<String>,
    out: &mut HelperEdits,
    edits: &mut Vec<Edit>,
) -> Result<bool, String> {
    let requests = RequestUses::find(input.program, model, req, request_at)?;
    if requests.destructured.is_some() {
        return Err("`req` destructured in a helper".to_owned());
    }
    out.reads_body |= needs.reads_body;
    let mut pieces = Pieces {
        edits,
        prelude,
        helpers: &mut out.helpers,
    };
    field_locals(input, &requests, needs, req, model, &mut pieces)?;
    let mut uses_params = false;
    if !requests.query.is_empty() {
        (uses_params, _) = query_edits(input, &requests, needs, req, model, &mut pieces)?;
    }
    let (header_reads, pages_headers) = header_edits(input, &requests, req, input.taken, prelude);
    edits.extend(header_reads);
    if pages_headers {
        out.helpers.insert("pagesHeaders");
    }
    Ok(uses_params)
}

/// `res` leaves the helper's parameters (or becomes the route's `{ params }`, `context`);
/// `req: NextApiRequest` becomes `req: Request`.
fn signature_edits(
    input: &Idiomatic,
    model: &FunctionModel,
    request_at: Option<usize>,
    response_at: usize,
    context: Option<&str>,
) -> Vec<Edit> {
    let params = &model.params;
    let mut edits = vec![match context {
        Some(context) => Edit::replacement(params[response_at].range, context),
        None => Edit::deletion(list_item(
            &params.iter().map(|p| p.range).collect::<Vec<_>>(),
            response_at,
        )),
    }];
    if let Some(param) = request_at.map(|i| &params[i]) {
        let text = &input.text[param.range.start as usize..param.range.end as usize];
        if let (true, Some(name)) = (text.contains(':'), &param.name) {
            edits.push(Edit::replacement(param.range, format!("{name}: Request")));
        }
    }
    edits
}

/// The call without `res` (or with the route's `{ params }` in its place, `argument`), its
/// result returned: `await f(req, res)` → `return await f(req)`.
fn call_edits(
    text: &str,
    call: &Call,
    response_at: usize,
    argument: Option<&str>,
) -> Result<Vec<Edit>, String> {
    let statement = text[call.statement.start as usize..call.statement.end as usize]
        .trim_end()
        .trim_end_matches(';')
        .trim_end();
    let called = &text[call.range.start as usize..call.range.end as usize];
    let bare =
        |s: &str| s == called || s.strip_prefix("await").map(str::trim_start) == Some(called);
    let mut edits = vec![match argument {
        Some(argument) => Edit::replacement(call.args[response_at], argument),
        None => Edit::deletion(list_item(call.args, response_at)),
    }];
    if bare(statement) {
        edits.push(Edit::insertion(call.statement.start, "return "));
        edits.extend(unreachable_exit(text, call.statement.end).map(Edit::deletion));
    } else if !statement
        .strip_prefix("return")
        .is_some_and(|rest| rest.starts_with(char::is_whitespace) && bare(rest.trim_start()))
    {
        return Err(format!(
            "`{}(…)` is called inside an expression, its result not returned",
            call.callee
        ));
    }
    Ok(edits)
}

/// The range that removes item `at` of a comma-separated list with its separator.
fn list_item(items: &[TextRange], at: usize) -> TextRange {
    match (at.checked_sub(1), items.get(at + 1)) {
        (_, Some(next)) => TextRange::new(items[at].start, next.start),
        (Some(previous), None) => TextRange::new(items[previous].end, items[at].end),
        (None, None) => items[at],
    }
}

fn arg_name(params: &[&Pat], at: usize) -> Option<String> {
    match params.get(at)? {
        Pat::Ident(ident) => Some(ident.id.sym.to_string()),
        _ => None,
    }
}

/// `function name(…) {…}` or `const name = (…) => {…}` at the top of the module.
fn top_level_function<'p>(program: &'p Program, name: &str) -> Option<FnLike<'p>> {
    let statements: Vec<&Stmt> = match program {
        Program::Module(module) => module
            .body
            .iter()
            .filter_map(|item| match item {
                ModuleItem::Stmt(stmt) => Some(stmt),
                ModuleItem::ModuleDecl(_) => None,
            })
            .collect(),
        Program::Script(script) => script.body.iter().collect(),
    };
    statements.into_iter().find_map(|stmt| match stmt {
        Stmt::Decl(Decl::Fn(f)) if f.ident.sym == *name => Some(FnLike::Function(&f.function)),
        Stmt::Decl(Decl::Var(var)) => var.decls.iter().find_map(|d| match &d.name {
            Pat::Ident(id) if id.id.sym == *name => d.init.as_deref().and_then(FnLike::from_expr),
            _ => None,
        }),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_items_go_with_their_separator() {
        let text = "f(req, res, x)";
        let items = [
            TextRange::new(2, 5),
            TextRange::new(7, 10),
            TextRange::new(12, 13),
        ];
        let cut = |at| {
            let r = list_item(&items, at);
            format!("{}{}", &text[..r.start as usize], &text[r.end as usize..])
        };
        assert_eq!(cut(0), "f(res, x)");
        assert_eq!(cut(1), "f(req, x)");
        assert_eq!(cut(2), "f(req, res)");
        assert_eq!(list_item(&items[..1], 0), items[0]);
    }
}
