//! The idiomatic rewrite: the handler becomes a route handler of its own — `(req: Request,
//! { params })` returning `Response`s — exported for the methods it serves. Only what can be
//! made exact is rewritten; anything else is a reason, and the route goes through the adapter.
//!
//! What it rewrites, and to what:
//! - `res.json(x)`, `res.status(s).json(x)`, `res.send(<object, array or number literal>)` →
//!   `return Response.json(x, { status: s })` (the media type stays `application/json`; the
//!   `; charset=utf-8` parameter and Pages' ETag go, which the report declares);
//! - `res.status(s).end()`, `res.end()`, and any response with a status that has no body (204,
//!   205, 304) → `return new Response(null, { status: s })`;
//! - `req.query.id` where `id` is a `[id]` or `[...id]` segment (the route param always wins
//!   there) → `(await params).id`;
//! - `req.headers.x` / `req.headers['x']` → `(req.headers.get('x') ?? undefined)`;
//! - `req.method` stays (a `Request` has it, with the same value).
//!
//! Dispatch code stays as written: the handler keeps answering the methods it turned away
//! itself where Next still sends them to it (HEAD runs GET's handler).

use std::collections::BTreeSet;

use swc_common::SyntaxContext;
use swc_ecma_ast::{Expr, Function, Lit, MemberExpr, MemberProp, Pat, Program, VarDeclarator};
use swc_ecma_visit::{Visit, VisitWith};

use super::adapter::{contains_word, export_list, handler_edit, max_duration_export};
use super::edit::{self, statement_with_line, Edit};
use super::module_shape;
use super::style::{self, Style};
use crate::analysis::model::FunctionModel;
use crate::analysis::syntax::unwrap;
use crate::analysis::uses::{Object, Site, Use, UseKind};
use crate::analysis::Analysis;
use crate::diagnostic::{TextRange, Verdict};
use crate::parse;
use crate::route::Segment;

/// What the rewrite of one handler needs.
pub struct Idiomatic<'a> {
    pub text: &'a str,
    pub program: &'a Program,
    pub analysis: &'a Analysis,
    pub style: Style,
    pub typescript: bool,
    /// The route's segments, to type `params` and tell route params from search params.
    pub segments: &'a [Segment],
    /// `params` is a Promise (Next 15 and later).
    pub params_promise: bool,
}

/// The edits inside the handler function (signature, uses, responses), or why it cannot be
/// rewritten exactly.
pub fn function_edits(input: &Idiomatic) -> Result<Vec<Edit>, String> {
    let analysis = input.analysis;
    if analysis.verdict != Some(Verdict::Auto) {
        return Err("its analysis is not `auto`".to_owned());
    }
    let summary = analysis.handler.as_ref().ok_or("no handler")?;
    if !summary.wrappers.is_empty() || summary.library.is_some() || summary.edge {
        return Err("it is wrapped or a library entry point".to_owned());
    }
    let model = analysis.model.as_ref().ok_or("no model")?;
    let function = model.function.as_ref().ok_or("no handler function")?;
    let [req_param, rest @ ..] = function.params.as_slice() else {
        return Err("the handler takes no parameters".to_owned());
    };
    let req_name = req_param.name.clone().ok_or("`req` is destructured")?;
    if rest.len() > 1 || rest.first().is_some_and(|p| p.name.is_none()) {
        return Err("`res` is destructured or more parameters are taken".to_owned());
    }
    if has_return_type(input.text, function) {
        return Err("the handler declares a return type".to_owned());
    }

    let requests = RequestUses::find(input.program, function, &req_name)?;
    let mut edits = Vec::new();
    let route_params = route_params(input.segments);
    for use_ in &analysis.uses {
        if use_.site != Site::Handler {
            return Err(format!("`{}` is used outside the handler's own body", use_.name));
        }
        match (use_.object, use_.kind) {
            (Object::Req, UseKind::Method) => {}
            (Object::Req, UseKind::Query) => {
                let key = use_.key.as_deref().ok_or("`req.query` is used whole")?;
                if !route_params.iter().any(|(name, _)| name == key) {
                    return Err(format!(
                        "`req.query.{key}` is a search parameter (a string or an array in Pages)"
                    ));
                }
            }
            (Object::Req, UseKind::Headers) if use_.key.is_some() => {}
            (Object::Res, UseKind::Json | UseKind::Send | UseKind::End) => {
                edits.push(response_edit(input, use_)?);
            }
            (_, kind) => return Err(format!("`{}` ({kind:?}) has no exact rewrite yet", use_.name)),
        }
    }
    let uses_params = !requests.query.is_empty();
    for (range, bare) in &requests.query {
        let text = if *bare { "await params" } else { "(await params)" };
        edits.push(Edit::replacement(*range, text));
    }
    for (range, key) in &requests.headers {
        let q = input.style.quote;
        edits.push(Edit::replacement(
            *range,
            format!("({req_name}.headers.get({q}{key}{q}) ?? undefined)"),
        ));
    }
    edits.push(signature_edit(input, function, &req_name, uses_params, &route_params));
    if uses_params && !function.is_async {
        edits.push(Edit::insertion(function.range.start, "async "));
    }
    Ok(edits)
}

/// `[id]` → `string`, `[...slug]` → `string[]`: the params a route handler gets. Optional
/// catch-alls are left out: with no segments the key is absent and a search param of the same
/// name shows through in Pages.
fn route_params(segments: &[Segment]) -> Vec<(String, &'static str)> {
    segments
        .iter()
        .filter_map(|s| match s {
            Segment::Dynamic(n) => Some((n.clone(), "string")),
            Segment::CatchAll(n) => Some((n.clone(), "string[]")),
            Segment::Static(_) | Segment::OptionalCatchAll(_) => None,
        })
        .collect()
}

fn has_return_type(text: &str, function: &FunctionModel) -> bool {
    let after_params = function.params.last().map_or(function.range.start, |p| p.range.end);
    let between = &text[after_params as usize..function.body.start as usize];
    between.contains(':')
}

/// `(req: NextApiRequest, res: NextApiResponse)` → `(req: Request)` or `(req: Request, {
/// params }: { params: Promise<{ id: string }> })`.
fn signature_edit(
    input: &Idiomatic,
    function: &FunctionModel,
    req_name: &str,
    uses_params: bool,
    route_params: &[(String, &'static str)],
) -> Edit {
    let first = function.params.first().expect("checked").range.start;
    let last = function.params.last().expect("checked").range.end;
    let mut signature = if input.typescript {
        format!("{req_name}: Request")
    } else {
        req_name.to_owned()
    };
    if uses_params {
        signature.push_str(", { params }");
        if input.typescript {
            let fields: Vec<String> = route_params
                .iter()
                .map(|(name, ty)| format!("{name}: {ty}"))
                .collect();
            let object = format!("{{ {} }}", fields.join("; "));
            let ty = if input.params_promise {
                format!("Promise<{object}>")
            } else {
                object
            };
            signature.push_str(&format!(": {{ params: {ty} }}"));
        }
    }
    Edit::replacement(TextRange::new(first, last), signature)
}

/// Statuses whose answers have no body (a `Response` with a body and one of them throws).
const NULL_BODY: [u16; 3] = [204, 205, 304];

/// One response call (with its `status(…)` chain) → a returned `Response`.
fn response_edit(input: &Idiomatic, use_: &Use) -> Result<Edit, String> {
    let text = input.text;
    if use_
        .chain
        .iter()
        .any(|c| c.name != "status")
    {
        return Err(format!("`res.{}` follows a header call", use_.name));
    }
    if !use_.chain.is_empty() && use_.status.is_none() {
        return Err("the status is not a literal".to_owned());
    }
    let status = use_.status.unwrap_or(200);
    let arg = use_.args.first().map(|r| &text[r.start as usize..r.end as usize]);
    let body_json = match use_.kind {
        UseKind::Json => Some(arg.unwrap_or("undefined")),
        UseKind::Send => match arg {
            Some(arg) if is_json_literal(arg) => Some(arg),
            None => None,
            Some(_) => return Err("`res.send` of a value that may be a string".to_owned()),
        },
        _ if use_.args.is_empty() => None,
        _ => return Err("`res.end` with a body".to_owned()),
    };
    if use_.kind == UseKind::Json && (use_.args.len() != 1 || arg == Some("undefined")) {
        return Err("`res.json` without exactly one value".to_owned());
    }
    let init = if status == 200 {
        String::new()
    } else {
        format!(", {{ status: {status} }}")
    };
    let response = match body_json {
        Some(body) if !NULL_BODY.contains(&status) => format!("Response.json({body}{init})"),
        _ => format!("new Response(null{init})"),
    };
    // The call is a statement or a returned value; any other place (`cond && res.json(x)`)
    // would need more than a local edit.
    let statement = &text[use_.statement.start as usize..use_.statement.end as usize];
    let call = &text[use_.range.start as usize..use_.range.end as usize];
    let semi = if statement.trim_end().ends_with(';') { ";" } else { "" };
    if statement.trim_end().trim_end_matches(';').trim_end() == call {
        return Ok(Edit::replacement(use_.statement, format!("return {response}{semi}")));
    }
    let returned = statement
        .strip_prefix("return")
        .map(|rest| rest.trim().trim_end_matches(';').trim_end());
    if returned == Some(call) {
        return Ok(Edit::replacement(use_.range, response));
    }
    Err(format!("`res.{}` sits inside an expression", use_.name))
}

/// `{ … }`, `[ … ]` or a number: `send` turns them into JSON as `json` does.
fn is_json_literal(arg: &str) -> bool {
    let arg = arg.trim();
    arg.starts_with('{') || arg.starts_with('[') || arg.parse::<f64>().is_ok()
}

/// The places `req.query` and `req.headers.x` are read in the handler, found by binding.
#[derive(Default)]
struct RequestUses {
    /// `req.query` member expressions; `true` when the whole initialiser of a declaration
    /// (`const { id } = req.query`), where `await params` needs no parentheses.
    query: Vec<(TextRange, bool)>,
    /// `req.headers.x` / `req.headers['x']` and the header name, lowercase.
    headers: Vec<(TextRange, String)>,
}

impl RequestUses {
    fn find(program: &Program, function: &FunctionModel, req_name: &str) -> Result<Self, String> {
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
        declarator.visit_children_with(self);
    }

    fn visit_member_expr(&mut self, member: &MemberExpr) {
        if self.req.is_some() {
            if self.is_req_field(member, "query") {
                self.found.query.push((parse::range(member.span), false));
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
                        Some(key) => self
                            .found
                            .headers
                            .push((parse::range(member.span), key.to_ascii_lowercase())),
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

/// The route file an `auto` handler becomes, or why it cannot be rewritten exactly.
pub struct Module<'a> {
    pub text: &'a str,
    pub extension: &'a str,
    pub analysis: &'a Analysis,
    pub segments: &'a [Segment],
    pub params_promise: bool,
    pub methods: &'a [&'static str],
    /// `config.maxDuration` as written.
    pub max_duration: Option<&'a str>,
    /// Edits that re-point the module's relative imports.
    pub import_edits: Vec<Edit>,
}

pub fn module_text(module: Module) -> Result<String, String> {
    let text = module.text;
    let parsed = parse::parse(text, module.extension).map_err(|e| e.message)?;
    let shape = module_shape::read(&parsed.program, text);
    if let Some((name, _)) = shape.other_exports.first() {
        return Err(format!("it exports `{name}` beside its handler"));
    }
    let handler = shape.handler.as_ref().ok_or("no default export")?;
    let style = style::of(&parsed.program, text);
    let input = Idiomatic {
        text,
        program: &parsed.program,
        analysis: module.analysis,
        style,
        typescript: module.extension.contains("ts"),
        segments: module.segments,
        params_promise: module.params_promise,
    };
    let mut edits = function_edits(&input)?;
    let taken = |name: &str| contains_word(text, name);
    let (edit, handler_name) = handler_edit(text, handler, &taken);
    edits.push(edit);
    edits.extend(module.import_edits);
    // `config.api` has no App Router counterpart, and the handler reads no body.
    if let Some(config) = &shape.config {
        edits.push(Edit::deletion(statement_with_line(text, config.statement)));
    }
    let adapter_like = super::adapter::Adapter {
        text,
        shape: &shape,
        style,
        methods: module.methods,
        runtime_specifier: "",
        edge: false,
        max_duration: module.max_duration,
    };
    let mut tail = export_list(&handler_name, module.methods, style.semi());
    max_duration_export(&adapter_like, &mut tail);
    let separator = if text.ends_with('\n') { "\n" } else { "\n\n" };
    edits.push(Edit::insertion(text.len() as u32, format!("{separator}{tail}")));
    let rewritten = edit::splice(text, edits).map_err(|e| e.to_string())?;
    let rewritten = drop_unused_type_imports(&rewritten, module.extension)?;
    parse::parse(&rewritten, module.extension).map_err(|e| {
        format!("internal error: the rewrite does not parse ({})", e.message)
    })?;
    Ok(rewritten)
}

/// Pages' types (`NextApiRequest`, `NextApiResponse`, …) imported from `next` and no longer
/// used go, and so does an import left empty.
fn drop_unused_type_imports(text: &str, extension: &str) -> Result<String, String> {
    let parsed = parse::parse(text, extension).map_err(|e| {
        format!("internal error: the rewrite does not parse ({})", e.message)
    })?;
    let Program::Module(module) = &parsed.program else {
        return Ok(text.to_owned());
    };
    let mut edits = Vec::new();
    for item in &module.body {
        let swc_ecma_ast::ModuleItem::ModuleDecl(swc_ecma_ast::ModuleDecl::Import(import)) = item
        else {
            continue;
        };
        if import.src.value.as_atom().map(|a| a.as_str()) != Some("next") {
            continue;
        }
        let unused: Vec<TextRange> = import
            .specifiers
            .iter()
            .filter_map(|s| match s {
                swc_ecma_ast::ImportSpecifier::Named(n)
                    if n.local.sym.starts_with("NextApi")
                        && text.matches(n.local.sym.as_str()).count() == 1 =>
                {
                    Some(parse::range(n.span))
                }
                _ => None,
            })
            .collect();
        if unused.is_empty() {
            continue;
        }
        if unused.len() == import.specifiers.len() {
            edits.push(Edit::deletion(statement_with_line(text, parse::range(import.span))));
        } else {
            for range in unused {
                edits.push(Edit::deletion(with_comma(text, range)));
            }
        }
    }
    edit::splice(text, edits).map_err(|e| e.to_string())
}

/// A list item's range with the comma and space that follow it (or precede it, for the last).
fn with_comma(text: &str, item: TextRange) -> TextRange {
    let after = &text[item.end as usize..];
    let trimmed = after.trim_start_matches(' ');
    if let Some(rest) = trimmed.strip_prefix(',') {
        let spaces = rest.len() - rest.trim_start_matches(' ').len();
        return TextRange::new(item.start, item.end + (after.len() - rest.len() + spaces) as u32);
    }
    let before = &text[..item.start as usize];
    let trimmed = before.trim_end_matches(' ');
    match trimmed.strip_suffix(',') {
        Some(rest) => TextRange::new(rest.len() as u32, item.end),
        None => item,
    }
}

