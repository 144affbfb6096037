//! The idiomatic rewrite: the handler becomes a route handler of its own — `(req: Request,
//! { params })` returning `Response`s — exported for the methods it serves. Only what can be
//! made exact is rewritten (or differs only in ways the report declares); anything else is a
//! reason, and the route goes through the adapter.
//!
//! - responses → returned `Response`s ([`responses`]);
//! - `req.query.id` where `id` is a `[id]` or `[...id]` segment (the route param always wins
//!   there) → `(await params).id` (`params.id` before Next 15); any other query read → `query`
//!   from `pagesQuery(req, await params)` (Pages' arrays and precedence);
//! - `req.body` → `body` from `pagesBody(req)`, read first as Pages did (400/413 answered as
//!   before);
//! - `req.cookies` → `cookies` from `pagesCookies(req)` (Pages' parser: decoded, first wins);
//! - `req.headers.x` / `req.headers['x']` → a local `x` read once with `req.headers.get('x') ??
//!   undefined` (the same `string | undefined`);
//! - `req.method` stays (a `Request` has it, with the same value);
//! - `const { method, query, body } = req` takes the fields from those locals
//!   ([`destructured`]).
//!
//! Dispatch code stays as written: the handler keeps answering the methods it turned away
//! itself where Next still sends them to it (HEAD runs GET's handler).

mod arg_shape;
mod destructured;
mod handler_type;
mod helpers;
mod made_unused;
mod pure_declarations;
mod requests;
mod responses;
mod split;

use std::collections::BTreeSet;

use serde::Serialize;
use swc_ecma_ast::Program;

use super::adapter::{export_list, handler_edit, import_edit, segment_config_exports};
use super::edit::{self, statement_with_line, Edit};
use super::imports;
use super::module_shape::ModuleShape;
use super::names;
use super::style::{self, Style};
use crate::analysis::dispatch::{DispatchStyle, Fallback};
use crate::analysis::model::FunctionModel;
use crate::analysis::uses::{Object, Site, Use, UseKind};
use crate::analysis::Analysis;
use crate::diagnostic::{TextRange, Verdict};
use crate::parse;
use crate::route::Segment;
use requests::RequestUses;
use responses::{response_edits, set_header_edit, Responses};

/// A way the rewritten route answers differently from the Pages handler, declared in the
/// report (and the one thing the end-to-end comparison forgives).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Declared {
    /// JSON answers: `application/json` without `; charset=utf-8`, no `ETag`/304.
    JsonCharsetAndEtag,
    /// Text answers: no `ETag`/304; a `Response` may add `text/plain;charset=UTF-8` where
    /// Pages sent no `Content-Type`.
    TextEtagAndContentType,
    /// A thrown error: 500 with an empty body instead of `Internal Server Error`.
    ErrorBody,
    /// A request the handler never answered gets Next's 500 instead of hanging.
    NoResponse500,
    /// `getServerSession(options)`: the session cookies NextAuth.js refreshes are not sent, and
    /// the session has no `expires`.
    SessionCookies,
    /// A header set to several values (an array, `appendHeader`) goes out as one line joined
    /// with `, ` (a `Headers` joins them) where Node wrote a line per value.
    JoinedHeaderLines,
    /// `res.json(x)` with `x` computed: `undefined` when it runs answered 200 with an empty
    /// body; `Response.json` throws (500).
    JsonUndefined,
    /// The handler never reads the body, which Pages parsed before running it anyway: a body
    /// its parser rejected (400 `Invalid JSON`, 413 over the limit) now reaches the route.
    BodyNotParsed,
    /// `res.status(x)` with `x` computed: a status a `Response` cannot carry fails (500) where
    /// Node sent it, and `undefined` gives 200 where Pages failed (both seen on `next start`).
    ComputedStatus,
    /// `buffer(req)`/`text(req)` from `micro`: micro refused bodies over 1 MB (Next answered
    /// 500) and gave a string when the request's `Content-Type` names a charset; the Web
    /// request's `arrayBuffer()`/`text()` read any size, as bytes or as UTF-8.
    MicroBodyReader,
}

impl Declared {
    pub fn message(self) -> &'static str {
        match self {
            Declared::JsonCharsetAndEtag => "JSON answers carry `application/json` without `; charset=utf-8`, and no ETag (Pages' `res.json` computed one and answered 304 to a matching `If-None-Match`)",
            Declared::TextEtagAndContentType => "text answers carry no ETag (Pages' `res.send` computed one and answered 304 to a matching `If-None-Match`), and a text or redirect body without a `Content-Type` of its own may be sent as `text/plain;charset=UTF-8`",
            Declared::ErrorBody => "a thrown error answers 500 with an empty body and without the headers set before it (Pages answered `Internal Server Error` as text, keeping them)",
            Declared::NoResponse500 => "a request the handler never answered (it hung under Pages) now gets Next's 500 (the function returns no `Response`)",
            Declared::SessionCookies => "`getServerSession(options)` in a route handler cannot send the session cookies NextAuth refreshes on the way (Pages' form set them on `res`), and the session it returns has no `expires`",
            Declared::JsonUndefined => "`res.json(x)` where `x` is `undefined` when it runs (an `Array.find` miss, a missing field) answered 200 with an empty body; `Response.json` throws on it, so the route answers 500",
            Declared::BodyNotParsed => "the handler never reads the request body, which Pages parsed before running it: a body Pages rejected there (malformed JSON: 400 `Invalid JSON`; over the size limit, 1mb by default: 413) now reaches the route and gets its usual answer",
            Declared::ComputedStatus => "a status computed when the route runs (`res.status(error.status || 500)`) goes into the `Response` as it is: one a `Response` cannot carry (100–199 or 600–999, or 204, 205 or 304 with a body) answers 500 where Pages sent it, and `undefined` answers 200 where Pages answered 500",
            Declared::MicroBodyReader => "the body is read with the request's `arrayBuffer()`/`text()` where micro's `buffer`/`text` read it: micro refused a body over 1 MB (an error, so Next answered 500) and `buffer` gave a string, not a `Buffer`, when the `Content-Type` names a charset (`application/json; charset=utf-8`); the route reads a body of any size, `buffer`'s as bytes and `text`'s as UTF-8",
            Declared::JoinedHeaderLines => "a header set to several values (`res.setHeader('Allow', ['GET', 'POST'])`) goes out as one line joined with `, ` (`Allow: GET, POST`), which HTTP reads as the same header, where Pages wrote one line per value (`Set-Cookie` keeps one line per cookie)",
        }
    }
}

/// What the rewrite of one handler needs.
pub struct Idiomatic<'a> {
    pub text: &'a str,
    pub program: &'a Program,
    /// The identifiers the module uses, so that new names capture none of them.
    pub taken: &'a names::Names,
    pub analysis: &'a Analysis,
    pub style: Style,
    pub typescript: bool,
    /// The route's segments, to type `params` and tell route params from search params.
    pub segments: &'a [Segment],
    /// `params` is a Promise (Next 15 and later).
    pub params_promise: bool,
    /// The name the route's params are bound to: `params`, unless the module already uses
    /// that name (it would capture it).
    pub params_name: String,
    /// `config.api.bodyParser` is `false`.
    pub body_parser_off: bool,
    /// `config.api.bodyParser.sizeLimit`, as written.
    pub size_limit: Option<&'a str>,
}

/// The edits inside the handler function, and the helpers of the compatibility module they call.
pub struct Rewritten {
    /// Edits inside the function's statements (responses, reads of `req`).
    pub inner: Vec<Edit>,
    /// Edits of its frame: the new parameters, the statements added at the top, `async`.
    pub frame: Vec<Edit>,
    /// The statements added at the top of the body, and the new parameter list.
    pub prelude: Vec<String>,
    pub signature: String,
    /// The function is (or becomes) `async`.
    pub is_async: bool,
    /// `pagesQuery`, `pagesBody`.
    pub helpers: BTreeSet<&'static str>,
    pub declared: BTreeSet<Declared>,
    /// Edits of the same-file helpers the handler hands `res` to, outside the handler.
    pub outside: Vec<Edit>,
    /// The handler reads the body itself (first, for every method, as Pages did).
    pub reads_body: bool,
}

/// The edits inside the handler function (signature, uses, responses), or why it cannot be
/// rewritten exactly.
/// What the analysis alone tells against an idiomatic rewrite (checked before any parse).
pub fn preconditions(analysis: &Analysis) -> Result<(), String> {
    if analysis.verdict != Some(Verdict::Auto) {
        return Err("its analysis is not `auto`".to_owned());
    }
    let summary = analysis.handler.as_ref().ok_or("no handler")?;
    if !summary.wrappers.is_empty() || summary.library.is_some() || summary.edge {
        return Err("it is wrapped or a library entry point".to_owned());
    }
    Ok(())
}

pub fn function_edits(input: &Idiomatic) -> Result<Rewritten, String> {
    let analysis = input.analysis;
    preconditions(analysis)?;
    let model = analysis.model.as_ref().ok_or("no model")?;
    let function = model.function.as_ref().ok_or("no handler function")?;
    let [req_param, rest @ ..] = function.params.as_slice() else {
        return Err("the handler takes no parameters".to_owned());
    };
    let req_name = req_param.name.clone().ok_or("`req` is destructured")?;
    if rest.len() > 1 || rest.first().is_some_and(|p| p.name.is_none()) {
        return Err("`res` is destructured or more parameters are taken".to_owned());
    }

    let requests = RequestUses::find(input.program, function, &req_name, 0)?;
    let route_params = route_params(input.segments);
    let taken = input.taken;
    let own = handler_uses(analysis)?;
    let (mut edits, mut needs) = classify_uses(input, function, &own, &route_params, taken)?;
    let reads_body = needs.reads_body;
    let delegated = delegated_edits(input, function, &req_name, rest, &own, reads_body)?;
    edits.extend(delegated.calls);
    needs.declared.extend(delegated.declared);
    let mut helpers = delegated.helpers;
    let mut prelude = Vec::new();
    if let Some(headers) = &needs.headers {
        prelude.push(format!(
            "const {headers} = new Headers(){}",
            input.style.semi()
        ));
    }
    let mut pieces = Pieces {
        edits: &mut edits,
        prelude: &mut prelude,
        helpers: &mut helpers,
    };
    let (body, cookies) = field_locals(input, &requests, &needs, &req_name, function, &mut pieces)?;
    let (uses_params, query) =
        query_edits(input, &requests, &needs, &req_name, function, &mut pieces)?;
    if let Some(statement) = &requests.destructured {
        let locals = destructured::Locals {
            query,
            body,
            cookies,
        };
        edits.extend(destructured::statement_edits(
            input.text, statement, &locals,
        )?);
    }
    let (header_reads, pages_headers) =
        header_edits(input, &requests, &req_name, taken, &mut prelude);
    edits.extend(header_reads);
    if pages_headers {
        helpers.insert("pagesHeaders");
    }
    let mut frame = Vec::new();
    if !prelude.is_empty() {
        frame.push(prelude_edit(input.text, function, &prelude)?);
    }
    frame.extend(handler_type::removals(input.program, function.range));
    // A helper handed the route's `{ params }` needs them from the handler.
    let signature = signature_edit(
        input,
        function,
        &req_name,
        uses_params || delegated.uses_params,
    );
    let needs_async = (uses_params && input.params_promise) || reads_body;
    if needs_async && !function.is_async {
        frame.push(Edit::insertion(function.range.start, "async "));
    }
    Ok(Rewritten {
        outside: delegated.outside,
        reads_body,
        inner: edits,
        prelude,
        signature: signature.text.clone(),
        is_async: function.is_async || needs_async,
        frame: vec![signature].into_iter().chain(frame).collect(),
        helpers,
        declared: needs.declared.into_iter().collect(),
    })
}

/// The uses in the handler's own body (the calls handing `res` to a helper aside). Reads of the
/// request may sit in its callbacks (`ids.map((id) => req.query[id])`: the same values, read
/// later); anything else there, or any callback where helpers are involved (their callbacks'
/// uses could not be told from the handler's), is refused.
fn handler_uses(analysis: &Analysis) -> Result<Vec<&Use>, String> {
    let delegates = analysis
        .uses
        .iter()
        .any(|u| u.kind == UseKind::Delegate || matches!(u.site, Site::Helper(_)));
    let mut own = Vec::new();
    for use_ in &analysis.uses {
        match use_.site {
            Site::Handler if use_.kind != UseKind::Delegate => own.push(use_),
            Site::Callback
                if !delegates
                    && use_.object == Object::Req
                    && matches!(
                        use_.kind,
                        UseKind::Method
                            | UseKind::Query
                            | UseKind::Headers
                            | UseKind::Body
                            | UseKind::Cookies
                    ) =>
            {
                own.push(use_);
            }
            Site::Callback => {
                return Err(format!(
                    "`{}` is used inside a callback, outside the handler's own body",
                    use_.name
                ))
            }
            _ => {}
        }
    }
    Ok(own)
}

/// The same-file helpers the handler hands `res` to, rewritten with their calls.
fn delegated_edits(
    input: &Idiomatic,
    function: &FunctionModel,
    req_name: &str,
    rest: &[crate::analysis::model::Param],
    own: &[&Use],
    reads_body: bool,
) -> Result<helpers::HelperEdits, String> {
    helpers::rewrite(
        input,
        &helpers::Handler {
            req_name,
            res_name: rest.first().and_then(|p| p.name.as_deref()),
            reads_body,
            header_sets: own
                .iter()
                .filter(|u| u.kind == UseKind::SetHeader)
                .map(|u| u.range.start)
                .collect(),
            blocks: helpers::Blocks::of(input.program, function.range),
        },
    )
}

/// The locals of the body and the cookies, where the handler reads them (a destructuring of
/// `req` takes them from there too).
fn field_locals(
    input: &Idiomatic,
    requests: &RequestUses,
    needs: &Needs,
    req_name: &str,
    function: &FunctionModel,
    pieces: &mut Pieces,
) -> Result<(Option<String>, Option<String>), String> {
    // The route's local for a Pages field, its helper imported and every read replaced by it.
    let mut local = |field: &'static str, helper: &'static str, reads: &[TextRange]| {
        let name =
            destructured::local_name(field, requests, input.text, function.body, input.taken)?;
        pieces.helpers.insert(helper);
        for range in reads {
            pieces.edits.push(Edit::replacement(*range, name.clone()));
        }
        Ok::<String, String>(name)
    };
    let (mut body, mut cookies) = (None, None);
    if needs.reads_body {
        if input.body_parser_off {
            return Err("`req.body` with `bodyParser: false`".to_owned());
        }
        body = Some(local("body", "pagesBody", &requests.body)?);
    }
    if needs.reads_cookies {
        cookies = Some(local("cookies", "pagesCookies", &requests.cookies)?);
    }
    if let Some(name) = &body {
        pieces.prelude.extend(body_prelude(input, req_name, name));
    }
    if let Some(name) = &cookies {
        pieces.prelude.push(format!(
            "const {name} = pagesCookies({req_name}){}",
            input.style.semi()
        ));
    }
    Ok((body, cookies))
}

/// What the rewrite of a function accumulates.
struct Pieces<'a> {
    edits: &'a mut Vec<Edit>,
    prelude: &'a mut Vec<String>,
    helpers: &'a mut BTreeSet<&'static str>,
}

/// `req.query` reads: the route's params when every key is a `[id]`/`[...id]` segment, else
/// Pages' merged query from `pagesQuery`. Returns whether the function now needs `params`, and
/// what a destructuring of `req` takes its `query` from.
fn query_edits(
    input: &Idiomatic,
    requests: &RequestUses,
    needs: &Needs,
    req_name: &str,
    function: &FunctionModel,
    pieces: &mut Pieces,
) -> Result<(bool, String), String> {
    let has_params = input
        .segments
        .iter()
        .any(|s| !matches!(s, Segment::Static(_)));
    // Next 15+ hands a Promise; 13 and 14 a plain object.
    let name = &input.params_name;
    let (awaited, awaited_bare) = if input.params_promise {
        (format!("(await {name})"), format!("await {name}"))
    } else {
        (name.clone(), name.clone())
    };
    let destructures_query = requests
        .destructured
        .as_ref()
        .is_some_and(|d| d.takes("query"));
    if needs.query_keys_are_params {
        for (range, bare) in &requests.query {
            let text = if *bare { &awaited_bare } else { &awaited };
            pieces.edits.push(Edit::replacement(*range, text.clone()));
        }
        let uses_params = !requests.query.is_empty() || destructures_query;
        return Ok((uses_params, awaited_bare));
    }
    let query =
        destructured::local_name("query", requests, input.text, function.body, input.taken)?;
    let semi = input.style.semi();
    let params = if has_params {
        format!(", {awaited_bare}")
    } else {
        String::new()
    };
    pieces.prelude.push(format!(
        "const {query} = pagesQuery({req_name}{params}){semi}"
    ));
    pieces.helpers.insert("pagesQuery");
    for (range, _) in &requests.query {
        pieces.edits.push(Edit::replacement(*range, query.clone()));
    }
    Ok((has_params, query))
}

/// Each header read once into a local: `Headers` are immutable on a request, and checks like
/// `if (!authorization) return …` still narrow its type. Where `req.headers` is used whole
/// (`getIp(req.headers)`) or read with a computed name, every `req.headers` is instead Pages'
/// own object, built once by `pagesHeaders` (returns whether it is).
fn header_edits(
    input: &Idiomatic,
    requests: &RequestUses,
    req_name: &str,
    taken: &names::Names,
    prelude: &mut Vec<String>,
) -> (Vec<Edit>, bool) {
    let semi = input.style.semi();
    if requests.headers_as_object {
        let local = names::fresh("requestHeaders", taken);
        prelude.push(format!("const {local} = pagesHeaders({req_name}){semi}"));
        let edits = requests
            .header_objects
            .iter()
            .map(|range| Edit::replacement(*range, local.clone()))
            .collect();
        return (edits, true);
    }
    let mut locals: Vec<(String, String)> = Vec::new();
    let mut edits = Vec::new();
    for (range, key) in &requests.headers {
        let local = if let Some((_, local)) = locals.iter().find(|(k, _)| k == key) {
            local.clone()
        } else {
            let local = names::fresh(&camel_case(key), taken);
            let q = input.style.quote;
            prelude.push(format!(
                "const {local} = {req_name}.headers.get({q}{key}{q}) ?? undefined{semi}"
            ));
            locals.push((key.clone(), local.clone()));
            local
        };
        edits.push(Edit::replacement(*range, local));
    }
    (edits, false)
}

/// `x-api-key` → `xApiKey`, a name for a local holding that header.
fn camel_case(header: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in header.chars() {
        if c.is_ascii_alphanumeric() {
            if upper && !out.is_empty() {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "header");
    }
    out
}

/// Pages parsed the body before the handler ran: so does the route, first, for every method.
fn body_prelude(input: &Idiomatic, req_name: &str, body: &str) -> [String; 2] {
    let options = input
        .size_limit
        .map(|limit| {
            let value = if limit.parse::<f64>().is_ok() {
                limit.to_owned()
            } else {
                input.style.string(limit)
            };
            format!(", {{ sizeLimit: {value} }}")
        })
        .unwrap_or_default();
    let semi = input.style.semi();
    [
        format!("const {body} = await pagesBody({req_name}{options}){semi}"),
        format!("if ({body} instanceof Response) return {body}{semi}"),
    ]
}

/// What the handler's uses need.
struct Needs {
    query_keys_are_params: bool,
    reads_body: bool,
    reads_cookies: bool,
    /// The `Headers` local, when the handler sets headers.
    headers: Option<String>,
    declared: Vec<Declared>,
}

/// The exports at the end of the file: `exports` (the handler under each method, or the
/// aliases of split functions), `maxDuration` and `preferredRegion`.
fn tail_edit(module: &Module, style: style::Style, mut tail: String) -> Option<Edit> {
    let adapter_like = super::adapter::Adapter {
        text: module.text,
        shape: module.shape,
        style,
        methods: module.methods,
        runtime_specifier: "",
        edge: false,
        max_duration: module.max_duration,
        preferred_region: module.preferred_region,
        taken: module.taken,
    };
    segment_config_exports(&adapter_like, &mut tail);
    let text = module.text;
    let separator = if text.ends_with('\n') { "\n" } else { "\n\n" };
    (!tail.is_empty()).then(|| Edit::insertion(text.len() as u32, format!("{separator}{tail}")))
}

/// Imports the rewrite may leave unused whether or not the original used them: Pages' types,
/// the body readers a whole-body read called.
fn pages_only_import(import: &swc_ecma_ast::ImportDecl, name: &str) -> bool {
    match import.src.value.as_atom().map(|a| a.as_str()) {
        Some("next") => name.starts_with("NextApi"),
        Some("micro") => matches!(name, "buffer" | "text"),
        Some("raw-body") => true,
        _ => false,
    }
}

/// Whether `local` is a name the module imports from `package` (`import { buffer } from
/// 'micro'`).
fn imported_from(program: &Program, local: &str, package: &str) -> bool {
    let Program::Module(module) = program else {
        return false;
    };
    module.body.iter().any(|item| match item {
        swc_ecma_ast::ModuleItem::ModuleDecl(swc_ecma_ast::ModuleDecl::Import(import)) => {
            import.src.value == *package
                && import.specifiers.iter().any(|s| match s {
                    swc_ecma_ast::ImportSpecifier::Named(named) => named.local.sym == *local,
                    _ => false,
                })
        }
        _ => false,
    })
}

/// `await buffer(req)` (micro, raw-body's `getRawBody`) → `Buffer.from(await req.arrayBuffer())`,
/// `await text(req)` → `await req.text()`: the same bytes, read from the Web request. Only an
/// awaited call is rewritten (the `await` is part of what is replaced).
fn whole_body_edit(text: &str, use_: &crate::analysis::uses::Use) -> Result<Edit, String> {
    let refuse = || format!("`{}(…)` is not awaited where it is called", use_.name);
    let request = use_
        .args
        .first()
        .map(|r| &text[r.start as usize..r.end as usize])
        .ok_or_else(refuse)?;
    let before = text[..use_.range.start as usize].trim_end();
    let awaited = before.strip_suffix("await").filter(|rest| {
        !rest
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '.')
    });
    let Some(rest) = awaited else {
        return Err(refuse());
    };
    let replacement = match use_.key.as_deref() {
        Some("text") => format!("await {request}.text()"),
        _ => format!("Buffer.from(await {request}.arrayBuffer())"),
    };
    Ok(Edit::replacement(
        TextRange::new(rest.len() as u32, use_.range.end),
        replacement,
    ))
}

/// Checks every use of one function (the handler or a helper) has an exact rewrite; returns
/// the response edits and what the rest need.
fn classify_uses(
    input: &Idiomatic,
    function: &FunctionModel,
    uses: &[&Use],
    route_params: &[(String, &'static str)],
    taken: &names::Names,
) -> Result<(Vec<Edit>, Needs), String> {
    let set_headers: Vec<_> = uses
        .iter()
        .filter(|u| u.kind == UseKind::SetHeader)
        .collect();
    let header_name = |u: &crate::analysis::uses::Use| {
        u.args.first().map(|r| {
            input.text[r.start as usize..r.end as usize]
                .trim_matches(['\'', '"', '`'])
                .to_ascii_lowercase()
        })
    };
    let responses = Responses {
        headers: None,
        expression_body: responses::expression_body(function),
        sets_content_type: set_headers
            .iter()
            .any(|u| header_name(u).as_deref() == Some("content-type")),
        header_sets: set_headers.iter().map(|u| u.range.start).collect(),
        // Only a redirect after header sets asks where the loops are.
        loops: if set_headers.is_empty() || !uses.iter().any(|u| u.kind == UseKind::Redirect) {
            Vec::new()
        } else {
            helpers::Blocks::of(input.program, function.range).loops
        },
    };
    let headers = (!set_headers.is_empty()).then(|| names::fresh("headers", taken));
    let responses = Responses {
        headers: headers.as_deref(),
        ..responses
    };
    let mut edits = Vec::new();
    let mut needs = Needs {
        query_keys_are_params: true,
        reads_body: false,
        reads_cookies: false,
        headers: headers.clone(),
        declared: Vec::new(),
    };
    for &use_ in uses {
        match (use_.object, use_.kind) {
            (Object::Req, UseKind::Method) => {}
            (Object::Req, UseKind::Query) => {
                let is_param = use_
                    .key
                    .as_deref()
                    .is_some_and(|key| route_params.iter().any(|(name, _)| name == key));
                needs.query_keys_are_params &= is_param;
            }
            (Object::Req, UseKind::Body) => needs.reads_body = true,
            (Object::Req, UseKind::Cookies) => needs.reads_cookies = true,
            (Object::Req, UseKind::Headers) => {}
            (Object::Req, UseKind::WholeBody) => {
                edits.push(whole_body_edit(input.text, use_)?);
                if imported_from(input.program, &use_.name, "micro") {
                    needs.declared.push(Declared::MicroBodyReader);
                }
            }
            (Object::Res, UseKind::SessionRead) => {
                // `getServerSession(req, res, options)` → `getServerSession(options)`.
                let (Some(first), Some(options)) = (use_.args.first(), use_.args.get(2)) else {
                    return Err("`getServerSession` without its three arguments".to_owned());
                };
                edits.push(Edit::deletion(TextRange::new(first.start, options.start)));
                needs.declared.push(Declared::SessionCookies);
            }
            (Object::Res, UseKind::Json | UseKind::Send | UseKind::End | UseKind::Redirect) => {
                edits.extend(response_edits(
                    input,
                    &responses,
                    use_,
                    &mut needs.declared,
                )?);
            }
            (Object::Res, UseKind::SetHeader) => {
                let name = header_name(use_);
                let again = set_headers
                    .iter()
                    .filter(|u| header_name(u) == name)
                    .count()
                    > 1;
                let headers = headers.as_deref().expect("set when headers are set");
                let value = names::fresh("value", taken);
                edits.push(set_header_edit(
                    input,
                    headers,
                    &value,
                    use_,
                    again,
                    &mut needs.declared,
                )?);
            }
            (_, kind) => {
                return Err(format!(
                    "`{}` ({kind:?}) has no exact rewrite yet",
                    use_.name
                ))
            }
        }
    }
    Ok((edits, needs))
}

/// Statements inserted at the top of the handler's body, each on its own line, indented as
/// the body's first statement is.
fn prelude_edit(text: &str, function: &FunctionModel, lines: &[String]) -> Result<Edit, String> {
    let body = &text[function.body.start as usize..function.body.end as usize];
    let inner = body
        .strip_prefix('{')
        .ok_or("the handler's body is an expression")?;
    let first = inner.len() - inner.trim_start().len();
    let leading = &inner[..first];
    let Some(newline) = leading.rfind('\n') else {
        return Err("the handler's body starts on its opening line".to_owned());
    };
    let indent = &leading[newline + 1..];
    let at = function.body.start + 1 + first as u32;
    let mut insert = String::new();
    for line in lines {
        insert.push_str(line);
        insert.push('\n');
        insert.push_str(indent);
    }
    Ok(Edit::insertion(at, insert))
}

/// `[id]` → `string`, `[...slug]` → `string[]`: the params whose value Pages' `req.query`
/// always takes from the route. Optional catch-alls are left out: with no segments the key is
/// absent and a search param of the same name shows through.
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

/// The type of a route handler's `params` for these segments.
fn params_type(segments: &[Segment]) -> String {
    let fields: Vec<String> = segments
        .iter()
        .filter_map(|s| match s {
            Segment::Dynamic(n) => Some(format!("{}: string", property_key(n))),
            Segment::CatchAll(n) => Some(format!("{}: string[]", property_key(n))),
            Segment::OptionalCatchAll(n) => Some(format!("{}?: string[]", property_key(n))),
            Segment::Static(_) => None,
        })
        .collect();
    format!("{{ {} }}", fields.join("; "))
}

/// A segment's name as the key of a type literal: quoted unless it is an identifier
/// (`[post-id]` gives `'post-id'`).
fn property_key(name: &str) -> String {
    let mut chars = name.chars();
    let identifier = chars
        .next()
        .is_some_and(swc_ecma_ast::Ident::is_valid_start)
        && chars.all(swc_ecma_ast::Ident::is_valid_continue);
    if identifier {
        name.to_owned()
    } else {
        format!("'{}'", name.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

/// `(req: NextApiRequest, res: NextApiResponse)` → `(req: Request)` or `(req: Request, {
/// params }: { params: Promise<{ id: string }> })`.
fn signature_edit(
    input: &Idiomatic,
    function: &FunctionModel,
    req_name: &str,
    uses_params: bool,
) -> Edit {
    let first = function.params.first().expect("checked").range.start;
    let last = function.params.last().expect("checked").range.end;
    let mut signature = if input.typescript {
        format!("{req_name}: Request")
    } else {
        req_name.to_owned()
    };
    if uses_params {
        signature.push_str(", ");
        signature.push_str(&params_parameter(input));
    }
    Edit::replacement(TextRange::new(first, last), signature)
}

/// The route's second parameter, `{ params }` (typed `{ params: Promise<{ id: string }> }` in
/// TypeScript; `{ params: params2 }` where the module uses `params` already).
fn params_parameter(input: &Idiomatic) -> String {
    let pattern = params_object(input);
    if !input.typescript {
        return pattern;
    }
    let object = params_type(input.segments);
    let ty = if input.params_promise {
        format!("Promise<{object}>")
    } else {
        object
    };
    format!("{pattern}: {{ params: {ty} }}")
}

/// `{ params }`, the object holding the route's params under their local name.
fn params_object(input: &Idiomatic) -> String {
    match input.params_name.as_str() {
        "params" => "{ params }".to_owned(),
        name => format!("{{ params: {name} }}"),
    }
}

/// The globals the rewrite writes (`Response`, `Headers`, `Buffer`; `Request` and `Promise` as
/// types) and the
/// helpers it imports must mean those: a module that binds one of the names itself (`import {
/// Response } from 'express'`, a local `const Headers`) would capture what the rewrite adds.
fn no_name_captured(
    program: &Program,
    old: &str,
    new: &str,
    helpers: &BTreeSet<&'static str>,
) -> Result<(), String> {
    let written = ["Response", "Request", "Headers", "Buffer", "Promise"]
        .into_iter()
        .chain(helpers.iter().copied());
    for name in written {
        // `Request` and `Promise` are only written as types (`req: Request`, `params:
        // Promise<…>`).
        let namespace = if matches!(name, "Request" | "Promise") {
            names::Namespace::Type
        } else {
            names::Namespace::Value
        };
        if imports::occurrences(new, name) > imports::occurrences(old, name)
            && names::binds(program, name, namespace)
        {
            return Err(format!(
                "the module binds `{name}` itself, which the rewrite uses as {}",
                if helpers.contains(name) {
                    "the compatibility module's helper"
                } else {
                    "the global"
                }
            ));
        }
    }
    Ok(())
}

/// What [`module_text`] needs.
pub struct Module<'a> {
    pub text: &'a str,
    /// How the handler dispatches, and what the methods it does not serve get.
    pub dispatch: (DispatchStyle, Fallback),
    /// The text parsed with its scopes marked.
    pub program: &'a Program,
    /// Its top level, as the caller already read it.
    pub shape: &'a ModuleShape,
    pub taken: &'a names::Names,
    pub extension: &'a str,
    pub analysis: &'a Analysis,
    pub segments: &'a [Segment],
    pub params_promise: bool,
    pub methods: &'a [&'static str],
    /// `config.maxDuration` as written.
    pub max_duration: Option<&'a str>,
    /// `config.regions` as written.
    pub preferred_region: Option<&'a str>,
    /// Edits that re-point the module's relative imports.
    pub import_edits: Vec<Edit>,
    pub body_parser_off: bool,
    pub size_limit: Option<&'a str>,
    /// The compatibility module as the route file imports it.
    pub runtime_specifier: &'a str,
}

/// A rewritten module.
pub struct ModuleRewrite {
    pub text: String,
    /// It calls the compatibility module's helpers.
    pub helpers: bool,
    pub declared: BTreeSet<Declared>,
}

/// The route file an `auto` handler becomes, or why it cannot be rewritten exactly.
pub fn module_text(module: Module) -> Result<ModuleRewrite, String> {
    let text = module.text;
    let program = module.program;
    let shape = module.shape;
    if let Some((name, _)) = shape.other_exports.first() {
        return Err(format!("it exports `{name}` beside its handler"));
    }
    let handler = shape.handler.as_ref().ok_or("no default export")?;
    let style = style::of(program, text);
    let taken = module.taken;
    let input = Idiomatic {
        text,
        program,
        taken,
        analysis: module.analysis,
        style,
        typescript: module.extension.contains("ts"),
        segments: module.segments,
        params_promise: module.params_promise,
        params_name: names::fresh("params", taken),
        body_parser_off: module.body_parser_off,
        size_limit: module.size_limit,
    };
    let rewritten = function_edits(&input)?;
    let helpers = rewritten.helpers.clone();
    let mut declared = rewritten.declared.clone();
    // Pages parsed every body before the handler ran (GET and HEAD bodies aside, which a route
    // handler never gets): without `pagesBody`, nothing rejects a malformed one.
    let takes_bodies = module.methods.iter().any(|m| !matches!(*m, "GET" | "HEAD"));
    if !module.body_parser_off && takes_bodies && !rewritten.reads_body {
        declared.insert(Declared::BodyNotParsed);
    }
    // One exported function per method where the dispatch allows it exactly; else the handler
    // keeps its dispatch and is exported under each method.
    let split = split::functions(&input, module.dispatch, &rewritten, handler, module.methods);
    let mut edits = match &split {
        Ok(split) => {
            let mut edits = split.kept_inner.clone();
            edits.push(Edit::replacement(split.replaced, split.text.clone()));
            edits
        }
        Err(_) => rewritten
            .inner
            .iter()
            .chain(&rewritten.frame)
            .cloned()
            .collect(),
    };
    edits.extend(rewritten.outside.iter().cloned());
    if !helpers.is_empty() {
        let names: Vec<&str> = helpers.iter().copied().collect();
        let import = format!(
            "import {{ {} }} from {}{}",
            names.join(", "),
            style.string(module.runtime_specifier),
            style.semi()
        );
        edits.push(import_edit(text, shape, &import));
    }
    let handler_name = if split.is_ok() {
        None
    } else {
        let (edit, handler_name) = handler_edit(text, handler, taken, "handler");
        edits.push(edit);
        Some(handler_name)
    };
    // `config.api` has no App Router counterpart, and the handler reads no body.
    if let Some(config) = &shape.config {
        edits.push(Edit::deletion(statement_with_line(text, config.statement)));
    }
    let exports = match (&handler_name, &split) {
        (Some(name), _) => export_list(name, module.methods, style.semi()),
        (None, Ok(split)) => split.aliases.clone(),
        (None, Err(_)) => String::new(),
    };
    edits.extend(tail_edit(&module, style, exports));
    edits.extend(module.import_edits);
    let draft = edit::splice(text, edits.clone()).map_err(|e| e.to_string())?;
    no_name_captured(program, text, &draft, &helpers)?;
    let comments = module.analysis.model.as_ref().map(|m| &m.comments[..]);
    let unused = made_unused::after(
        program,
        text,
        &edits,
        comments.unwrap_or_default(),
        &pages_only_import,
    )?;
    edits.extend(unused);
    let rewritten = edit::splice(text, edits).map_err(|e| e.to_string())?;
    // The Pages types' import may have been the first line.
    let rewritten = rewritten.trim_start_matches(['\r', '\n']).to_owned();
    parse::parse_syntax(&rewritten, module.extension)
        .map_err(|e| format!("internal error: the rewrite does not parse ({})", e.message))?;
    Ok(ModuleRewrite {
        text: rewritten,
        helpers: !helpers.is_empty(),
        declared,
    })
}
