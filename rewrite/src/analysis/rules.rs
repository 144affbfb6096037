//! The rules that turn what the analyses found into diagnostics. Each function covers one
//! concern; the codes and their docs live in `diagnostic_codes`.

use std::collections::BTreeMap;

use rustc_hash::FxHashSet;

use super::config::PageConfig;
use super::dispatch::{Dispatch, DispatchStyle, Fallback};
use super::edge::EdgeOnly;
use super::handler::{Handler, HandlerKind};
use super::libraries;
use super::module_index::{Binding, ModuleIndex};
use super::syntax::FnLike;
use super::uses::{Object, Site, Use, UseKind};
use super::RouteContext;
use crate::diagnostic::{Code, Diagnostic, TextRange};
use crate::parse;
use swc_ecma_ast::{Pat, TsEntityName, TsType};

/// The handler's shape: missing, wrapped, a library, a router, edge, or something opaque.
pub fn handler_shape(
    handler: &Handler,
    edge: bool,
    route: &RouteContext,
    out: &mut Vec<Diagnostic>,
) {
    let at = handler
        .span
        .map_or_else(TextRange::file_start, parse::range);
    match handler.kind {
        HandlerKind::Missing => out.push(Diagnostic::new(
            Code::NoDefaultExport,
            TextRange::file_start(),
            format!(
                "`{}` has no default export: Next.js answers every request to it with a 500",
                route.file
            ),
        )),
        HandlerKind::Wrapped => out.push(wrapped(handler, edge, at)),
        HandlerKind::Library => {
            let (package, library) = handler
                .library
                .as_ref()
                .map_or(("a library", None), |(p, l)| (p.as_str(), *l));
            let (name, help) = match library {
                Some(library) => (library.name.to_owned(), library.help.to_owned()),
                None => (format!("`{package}`"), format!("check whether `{package}` offers a route-handler (Web `Request`/`Response`) entry point")),
            };
            out.push(
                Diagnostic::new(
                    Code::LibraryHandler,
                    at,
                    format!("this route is a {name} entry point (`{package}`)"),
                )
                .with_help(help),
            );
        }
        HandlerKind::NextConnect => {
            out.push(Diagnostic::new(
                Code::NextConnectRouter,
                at,
                "this route is a next-connect router",
            ));
        }
        HandlerKind::Unresolved => out.push(Diagnostic::new(
            Code::UnresolvedHandler,
            at,
            handler
                .unresolved_reason
                .clone()
                .unwrap_or_else(|| "the handler could not be resolved".to_owned()),
        )),
        HandlerKind::Function => {}
    }
    if edge && handler.function.is_some() {
        out.push(Diagnostic::new(
            Code::EdgeHandler,
            at,
            "edge API route: it already takes a Web `Request` and returns a `Response`, so it becomes named method exports almost verbatim",
        ));
    }
}

/// H002: the chain of wrappers around the handler, each said to be local or imported.
fn wrapped(handler: &Handler, edge: bool, at: TextRange) -> Diagnostic {
    let mut chain = String::new();
    for wrapper in &handler.wrappers {
        chain.push_str(&wrapper.name);
        chain.push('(');
    }
    chain.push_str(if handler.method_table.is_empty() {
        "handler"
    } else {
        "{ … }"
    });
    chain.push_str(&")".repeat(handler.wrappers.len()));
    let details: Vec<String> = handler
        .wrappers
        .iter()
        .map(|w| {
            let place = if w.local {
                "defined in this file"
            } else {
                "imported"
            };
            let extra = if w.extra_arguments {
                ", with extra arguments"
            } else {
                ""
            };
            format!("`{}` is {place}{extra}", w.name)
        })
        .collect();
    let range = handler.wrappers.first().map_or(at, |w| w.range);
    let message = if edge {
        format!("the edge handler is wrapped: `{chain}` ({}); the wrapper takes a Web `Request` and returns a `Response`, as a route handler does, but it may rely on the edge `event` argument a route handler does not get", details.join("; "))
    } else if handler.method_table.is_empty() {
        format!("the handler is wrapped: `{chain}` ({})", details.join("; "))
    } else {
        let methods: Vec<String> = handler
            .method_table
            .iter()
            .map(|entry| match entry.module {
                Some(module) => format!("{} from `{module}`", entry.method),
                None => entry.method.to_owned(),
            })
            .collect();
        format!(
            "the handler is built by `{chain}` from a table of method handlers ({})",
            methods.join(", ")
        )
    };
    Diagnostic::new(Code::WrappedHandler, range, message)
}

/// `export const config`.
pub fn config(config: &PageConfig, route: &RouteContext, out: &mut Vec<Diagnostic>) {
    let at = config.range.unwrap_or_default();
    if config.body_parser == Some(false) {
        out.push(Diagnostic::new(
            Code::BodyParserDisabled,
            at,
            "`bodyParser: false`: route handlers never parse the body, so read it with `request.text()` or `arrayBuffer()`",
        ));
    }
    if let Some(limit) = &config.size_limit {
        out.push(Diagnostic::new(
            Code::SizeLimitDropped,
            at,
            format!("`sizeLimit: {limit}` has no App Router equivalent: bodies over it will no longer get a 413"),
        ));
    }
    let dropped: Vec<&str> = [
        config.response_limit.as_ref().map(|_| "responseLimit"),
        config.external_resolver.map(|_| "externalResolver"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !dropped.is_empty() {
        out.push(Diagnostic::new(
            Code::ConfigDropped,
            at,
            format!(
                "`{}` only tunes development warnings and is dropped",
                dropped.join("`, `")
            ),
        ));
    }
    let carried: Vec<String> = [
        config
            .runtime
            .as_ref()
            .filter(|_| !config.is_edge() && !config.runtime_exported)
            .map(|r| format!("runtime = '{r}'")),
        config
            .max_duration
            .as_ref()
            .map(|d| format!("maxDuration = {d}")),
        config
            .regions
            .as_ref()
            .map(|r| format!("preferredRegion = {r}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !carried.is_empty() {
        out.push(Diagnostic::new(
            Code::ConfigCarried,
            at,
            format!(
                "becomes `export const {}` in the route handler",
                carried.join("` and `export const ")
            ),
        ));
    }
    if config.is_edge() && route.next_major.is_none_or(|m| m >= 16) {
        out.push(Diagnostic::new(
            Code::EdgeRuntimeDeprecated,
            at,
            "the edge runtime is deprecated in Next.js 16 (\"The Edge Runtime is deprecated. You can use the \\\"nodejs\\\" runtime instead.\"); the route handler will run on Node.js",
        ));
    }
    if config.streaming_opt_in {
        out.push(Diagnostic::new(
            Code::ConfigDropped,
            at,
            "`supportsResponseStreaming` (Vercel's opt-in to streaming, and to `waitUntil`, for a Pages API route) is dropped: a route handler streams by default",
        ));
    }
    for (span, key) in &config.unknown {
        out.push(Diagnostic::new(
            Code::ConfigUnknown,
            parse::range(*span),
            format!("`{key}` is not a setting Next.js reads for an API route; it is dropped with `config`"),
        ));
    }
    for (span, what) in &config.unreadable {
        out.push(Diagnostic::new(
            Code::ConfigNotLiteral,
            parse::range(*span),
            format!("{what} is not a literal value; we cannot tell what it sets"),
        ));
    }
}

/// Method dispatch: what changes about methods the handler does not serve.
pub fn dispatch(dispatch: &Dispatch, out: &mut Vec<Diagnostic>) {
    for range in &dispatch.unresolved {
        out.push(Diagnostic::new(
            Code::DynamicMethodDispatch,
            *range,
            "`req.method` is compared with something other than a string literal",
        ));
    }
    let at = dispatch.span.unwrap_or_else(TextRange::file_start);
    let methods = dispatch.served().cloned().collect::<Vec<_>>().join(", ");
    match dispatch.style {
        DispatchStyle::None => out.push(Diagnostic::new(
            Code::ImplicitHeadOptions,
            at,
            "the handler serves every method; as a route handler it serves only the methods it exports, and Next answers HEAD (with GET) and OPTIONS (204 with `Allow`) itself",
        )),
        DispatchStyle::Router
        | DispatchStyle::Exports
        | DispatchStyle::Unknown
        | DispatchStyle::Module => {}
        _ => {
            if dispatch.served().any(|m| m == "GET") && !dispatch.served().any(|m| m == "HEAD") {
                out.push(Diagnostic::new(
                    Code::ImplicitHeadOptions,
                    at,
                    "HEAD requests reached this handler's fallback; a route handler answers HEAD with the GET export, and OPTIONS with 204 and `Allow`",
                ));
            }
            let fallback = match dispatch.fallback {
                Fallback::MethodNotAllowedWithAllow => Some("its own 405 with an `Allow` header"),
                Fallback::MethodNotAllowed => Some("its own 405"),
                Fallback::Custom => Some("its own fallback code"),
                Fallback::Throws => Some("the error it throws (Next answers 500 to an uncaught throw, unless a wrapper catches it)"),
                Fallback::NoResponse => Some("no response at all (the request hangs)"),
                Fallback::FallsThrough => Some("the code after the dispatch (no response, if there is none)"),
                Fallback::Unknown => Some("what the helper that picks the method answers"),
                Fallback::Served | Fallback::Framework => None,
            };
            // A handler that serves no method (`switch (req.method) { default: … }`) answers
            // every method itself: moved, it is exported for all of them and nothing changes.
            if let Some(fallback) = fallback.filter(|_| !methods.is_empty()) {
                out.push(Diagnostic::new(
                    Code::FallbackBecomes405,
                    at,
                    format!("methods other than {methods} get Next's bare 405 (empty body, no `Allow` header) instead of {fallback}"),
                ));
            }
        }
    }
}

/// Uses of `req` and `res` that a generated route handler cannot express directly.
pub fn uses(
    uses: &[Use],
    config: Option<&PageConfig>,
    route: &RouteContext,
    index: &ModuleIndex,
    out: &mut Vec<Diagnostic>,
) {
    // Escapes: one diagnostic per call, naming both objects when both are passed.
    let mut escapes: BTreeMap<(u32, u32), (String, Vec<Object>)> = BTreeMap::new();
    let mut seen_unknown = FxHashSet::default();
    let mut body_reported = false;
    let mut callback_reported = false;
    let streams = uses
        .iter()
        .any(|u| matches!(u.kind, UseKind::Write | UseKind::Pipe));
    for u in uses {
        let name = &u.name;
        let sends = matches!(
            u.kind,
            UseKind::Json | UseKind::Send | UseKind::End | UseKind::Redirect
        );
        if sends && u.site == Site::Callback && !callback_reported {
            callback_reported = true;
            out.push(Diagnostic::new(
                Code::ResponseInCallback,
                u.range,
                format!("the response is sent from inside a nested function (`res.{name}`)"),
            ));
        }
        let diagnostic = match u.kind {
            UseKind::Escape => {
                let entry = escapes.entry((u.range.start, u.range.end)).or_insert_with(|| (name.to_string(), Vec::new()));
                entry.1.push(u.object);
                None
            }
            UseKind::RawStream => Some(Diagnostic::new(Code::RawBodyStream, u.range, format!("the request body is read as a stream (`{name}`)"))),
            UseKind::SessionRead => Some(Diagnostic::new(Code::SessionRead, u.range, format!("`{name}(req, res, options)` reads the session through Pages' request and response"))),
            // With the parser on, Pages had consumed the stream before the handler ran.
            UseKind::WholeBody if config.and_then(|c| c.body_parser) == Some(false) => Some(Diagnostic::new(Code::WholeBodyRead, u.range, format!("the whole body is read by `{name}(…)`"))),
            UseKind::WholeBody => Some(Diagnostic::new(Code::RawBodyStream, u.range, format!("the request body is read as a stream (`{name}`) although the body parser has already read it"))),
            // `res.socket.server` (a WebSocket or socket.io server hung on Node's HTTP server)
            // needs a custom server; the client's address and the like the adapter provides.
            UseKind::Socket => Some(match u.key.as_deref() {
                Some(key) if key != "server" => Diagnostic::new(Code::OtherNodeApi, u.range, format!("`{}.{name}.{key}` is Node-only: a route handler has no socket; the adapter takes the client's address from `x-forwarded-for`", object(u.object))),
                _ => Diagnostic::new(Code::SocketAccess, u.range, format!("`{}.{name}` has no route-handler equivalent", object(u.object))),
            }),
            // `writeHead(307, { Location })` then `end()` is a plain response; only writes in
            // pieces (or a pipe) stream it.
            UseKind::WriteHead if !streams => None,
            UseKind::WriteHead | UseKind::Write | UseKind::Pipe => {
                let what = if u.kind == UseKind::Pipe { format!("a stream is piped into `res` (`{name}`)") } else { format!("`res.{name}` writes the response in pieces") };
                Some(Diagnostic::new(Code::StreamingResponse, u.range, what))
            }
            UseKind::Revalidate => Some(Diagnostic::new(Code::Revalidate, u.range, "`res.revalidate()` has no route-handler method")),
            UseKind::DraftMode | UseKind::PreviewData | UseKind::Preview => {
                Some(Diagnostic::new(Code::PreviewMode, u.range, format!("`{}.{name}` is Pages preview/draft mode", object(u.object))))
            }
            UseKind::StatusCode | UseKind::ResponseState => {
                Some(Diagnostic::new(Code::ResponseState, u.range, format!("`res.{name}` reads or sets response state a Web `Response` takes all at once")))
            }
            UseKind::Alias => Some(Diagnostic::new(Code::Alias, u.range, format!("`{name}` is another name for the {}", noun(u.object)))),
            UseKind::Detached => Some(Diagnostic::new(Code::DetachedResponseMethod, u.range, format!("`res.{name}` is taken off the response without being called"))),
            UseKind::Unfollowed if name == "?." => Some(Diagnostic::new(Code::DetachedResponseMethod, u.range, "the response is used through optional chaining (`res?.…`), which is not followed as a response")),
            UseKind::Unfollowed => Some(Diagnostic::new(Code::UnfollowedParameter, u.range, match &**name {
                "arguments" => "the handler reads its parameters through `arguments`: what it does with the request and response cannot be followed".to_owned(),
                "{…}" | "[…]" => format!("the {} is destructured in the signature: its uses cannot be followed", noun(u.object)),
                rest => format!("`{rest}` (the rest parameter) is used whole: what it does with the request and response cannot be followed"),
            })),
            UseKind::Headers => u.key.as_deref().filter(|k| super::uses::header_name_never_matches(k)).map(|key| {
                Diagnostic::new(
                    Code::HeaderNameCase,
                    u.range,
                    format!("`req.headers` read as `{key}` is always `undefined`: Node stores header names in lower case (a route handler's `headers.get` would find it)"),
                )
            }),
            UseKind::Assigned => {
                let what = match &u.key {
                    Some(key) => format!("`req.headers.{key}`"),
                    None => format!("`req.{name}`"),
                };
                Some(Diagnostic::new(Code::RequestAssigned, u.range, format!("{what} is written: a route handler's `Request` is read-only")))
            }
            UseKind::Dynamic => Some(Diagnostic::new(Code::DynamicMember, u.range, format!("`{}[…]` with a computed key", object(u.object)))),
            UseKind::Query => u.key.as_ref().filter(|k| route.params.contains(k)).map(|key| {
                Diagnostic::new(
                    Code::QueryKeyIsParam,
                    u.range,
                    format!("`{key}` is the route parameter `[{key}]`: it becomes `(await params).{key}`, and a search parameter of the same name no longer hides behind it"),
                )
            }),
            UseKind::Body if !body_reported && config.is_none_or(|c| c.body_parser != Some(false)) => {
                body_reported = true;
                Some(Diagnostic::new(
                    Code::BodyParsing,
                    u.range,
                    "`req.body` relies on Pages body parsing (by content type, 1 MB limit, 400 on bad JSON); the route handler parses it with a helper that keeps those rules",
                ))
            }
            UseKind::Unknown if seen_unknown.insert((u.object, name.clone())) => Some(Diagnostic::new(
                Code::UnknownMember,
                u.range,
                format!("`{}.{name}` is not a Node.js or Next.js property: it exists only where a wrapper or middleware sets it", object(u.object)),
            )),
            UseKind::OtherNode if name.starts_with("on") => Some(
                Diagnostic::new(Code::OtherNodeApi, u.range, format!("`req.{name}` watches for the client going away"))
                    .with_help("use `request.signal` (an `AbortSignal`) in the route handler"),
            ),
            UseKind::OtherNode => Some(Diagnostic::new(Code::OtherNodeApi, u.range, format!("`{}.{name}` is Node-only", object(u.object)))),
            _ => None,
        };
        out.extend(diagnostic);
    }
    escaped(escapes, index, out);
}

/// `req`/`res` handed to functions we do not follow: one diagnostic per call.
fn escaped(
    escapes: BTreeMap<(u32, u32), (String, Vec<Object>)>,
    index: &ModuleIndex,
    out: &mut Vec<Diagnostic>,
) {
    for ((start, end), (callee, objects)) in escapes {
        let range = TextRange::new(start, end);
        let has_res = objects.contains(&Object::Res);
        let both = objects.contains(&Object::Req) && has_res;
        let who = if both {
            "`req` and `res` are".to_owned()
        } else {
            format!("`{}` is", object(objects[0]))
        };
        let root = callee.split(['.', '(']).next().unwrap_or_default();
        let message = match index.binding(root) {
            _ if callee == "req" || callee == "res" || callee.is_empty() => {
                format!("{who} stored or passed on as a value")
            }
            Some(Binding::Import { source, .. }) => {
                format!("{who} passed to `{callee}(…)` from `{source}`")
            }
            _ => format!("{who} passed to `{callee}(…)`"),
        };
        // `return NextAuth(req, res, options)`: NextAuth's "advanced initialization" inside a
        // handler; its App Router form is the library's own.
        let library = match index.binding(&callee) {
            Some(Binding::Import { source, .. }) if callee == "NextAuth" => {
                libraries::known(source)
            }
            _ => None,
        };
        if let Some(library) = library {
            out.push(
                Diagnostic::new(
                    Code::LibraryHandler,
                    range,
                    format!(
                        "this route hands the request to {} (`{callee}(req, res, …)`)",
                        library.name
                    ),
                )
                .with_help(library.help),
            );
            continue;
        }
        let code = if has_res {
            Code::ResEscapes
        } else {
            Code::ReqEscapes
        };
        out.push(Diagnostic::new(code, range, message));
    }
}

/// `res` typed as a response with a socket server (`NextApiResponseWithSocket`,
/// `NextApiResponseServerIO`, as the socket.io guides name it) and handed on: the callee
/// attaches a WebSocket server to Node's socket, which no route handler (and no adapter) has.
/// Uses of `res.socket` in the handler itself are reported where they are (U005).
pub fn socket_server(function: FnLike, out: &mut Vec<Diagnostic>) {
    if !out.iter().any(|d| d.code == Code::ResEscapes) {
        return;
    }
    let Some(Pat::Ident(res)) = function.param(1) else {
        return;
    };
    let Some(annotation) = &res.type_ann else {
        return;
    };
    let TsType::TsTypeRef(reference) = &*annotation.type_ann else {
        return;
    };
    let TsEntityName::Ident(name) = &reference.type_name else {
        return;
    };
    let lower = name.sym.to_ascii_lowercase();
    if lower.contains("socket") || lower.ends_with("serverio") {
        out.push(Diagnostic::new(
            Code::SocketAccess,
            parse::range(reference.span),
            format!("`{}` is typed `{}` and handed on: a WebSocket server attached to its socket has no route-handler equivalent", res.id.sym, name.sym),
        ));
    }
}

fn noun(object: Object) -> &'static str {
    match object {
        Object::Req => "request",
        Object::Res => "response",
    }
}

fn object(object: Object) -> &'static str {
    match object {
        Object::Req => "req",
        Object::Res => "res",
    }
}

/// `import.meta.url`: a path relative to the file, which changes when the file moves. Only
/// files whose text mentions it are walked; comments and strings that mention it are not uses.
pub fn file_relative_urls(text: &str, program: &swc_ecma_ast::Program, out: &mut Vec<Diagnostic>) {
    use swc_ecma_ast::{Expr, MemberExpr, MetaPropKind};
    use swc_ecma_visit::{noop_visit_type, Visit, VisitWith};
    struct Finder(Vec<swc_common::Span>);
    impl Visit for Finder {
        noop_visit_type!();
        fn visit_member_expr(&mut self, m: &MemberExpr) {
            let meta = matches!(&*m.obj, Expr::MetaProp(p) if p.kind == MetaPropKind::ImportMeta);
            if meta && super::syntax::member_name(&m.prop) == Some("url") {
                self.0.push(m.span);
            }
            m.visit_children_with(self);
        }
    }
    // The searcher is built once: building one costs more than searching a handler file.
    static IMPORT_META: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("import.meta"));
    if IMPORT_META.find(text.as_bytes()).is_none() {
        return;
    }
    let mut finder = Finder(Vec::new());
    program.visit_with(&mut finder);
    out.extend(finder.0.into_iter().map(|span| {
        Diagnostic::new(
            Code::FileRelativeUrl,
            parse::range(span),
            "`import.meta.url` makes a path relative to this file: it points elsewhere once the file moves to `app/…/route`",
        )
    }));
}

/// U003: a response sent while the handler keeps running.
pub fn response_then_continue(spans: &[swc_common::Span], out: &mut Vec<Diagnostic>) {
    out.extend(spans.iter().map(|span| {
        Diagnostic::new(
            Code::ResponseThenContinue,
            parse::range(*span),
            "the response is sent here, and the handler keeps running",
        )
    }));
}

/// D004: a path of the handler that never answers.
pub fn no_response(at: Option<swc_common::Span>, out: &mut Vec<Diagnostic>) {
    if let Some(span) = at {
        out.push(Diagnostic::new(
            Code::NoResponsePath,
            parse::range(span),
            "a path through the handler ends here without a response: under the Pages Router the request hangs, a route handler answers 500",
        ));
    }
}

/// H010/H011: what an edge handler uses that a route handler does not give it; each once.
pub fn edge_only(found: &[EdgeOnly], route: &RouteContext, out: &mut Vec<Diagnostic>) {
    if let Some(EdgeOnly::Event { name, span }) =
        found.iter().find(|f| matches!(f, EdgeOnly::Event { .. }))
    {
        out.push(Diagnostic::new(
            Code::EdgeEventArgument,
            parse::range(*span),
            format!(
                "`{name}` is the edge `event`: a route handler's second argument is `{{ params }}`"
            ),
        ));
    }
    if route.next_major.is_none_or(|m| m >= 15) {
        if let Some(EdgeOnly::RemovedMember { name, span }) = found
            .iter()
            .find(|f| matches!(f, EdgeOnly::RemovedMember { .. }))
        {
            out.push(Diagnostic::new(
                Code::EdgeRemovedMember,
                parse::range(*span),
                format!("`request.{name}` is gone from `NextRequest` since Next.js 15: it reads `undefined`"),
            ));
        }
    }
}
