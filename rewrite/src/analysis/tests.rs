//! Focused checks of the analysis on small handlers; whole fixture projects are covered by the
//! snapshot tests in the top-level tests/ folder.

use super::dispatch::{DispatchStyle, Fallback};
use super::handler::HandlerKind;
use super::uses::UseKind;
use super::{analyse_app_route, analyse_pages_api, Analysis, RouteContext, Verdict};
use crate::diagnostic::Code;

fn pages(text: &str) -> Analysis {
    pages_with(text, &[])
}

fn pages_with(text: &str, params: &[&str]) -> Analysis {
    let params: Vec<String> = params.iter().map(|p| (*p).to_owned()).collect();
    analyse_pages_api(
        text,
        "ts",
        &RouteContext {
            params: &params,
            next_major: Some(16),
            file: "pages/api/x.ts",
            aliases: None,
            imported_helpers: None,
        },
    )
}

/// `pages/api/x.ts` of a project with these path aliases and helper modules.
fn pages_in(
    text: &str,
    aliases: Option<&crate::tsconfig::PathAliases>,
    imported_helpers: Option<&dyn super::fallback::ImportedHelpers>,
) -> Analysis {
    analyse_pages_api(
        text,
        "ts",
        &RouteContext {
            params: &[],
            next_major: Some(16),
            file: "pages/api/x.ts",
            aliases,
            imported_helpers,
        },
    )
}

fn methods(a: &Analysis) -> Vec<String> {
    a.dispatch.method_list()
}

/// The dispatch in one tuple: style, methods, fallback.
fn shape(a: &Analysis) -> (DispatchStyle, Vec<String>, Fallback) {
    (a.dispatch.style, methods(a), a.dispatch.fallback)
}

/// Analyses with the model built, as `apply` will.
fn model_of(text: &str, extension: &str) -> Analysis {
    super::model_pages_api(
        text,
        extension,
        &RouteContext {
            params: &[],
            next_major: Some(16),
            file: "pages/api/x.ts",
            aliases: None,
            imported_helpers: None,
        },
    )
}

fn codes(a: &Analysis) -> Vec<Code> {
    a.diagnostics.iter().map(|d| d.code).collect()
}

/// The diagnostics with this code.
fn with_code(a: &Analysis, code: Code) -> Vec<&crate::diagnostic::Diagnostic> {
    a.diagnostics.iter().filter(|d| d.code == code).collect()
}

#[test]
fn dispatch_styles() {
    let switch = pages("export default function h(req, res) { switch (req.method) { case 'GET': return res.json(1); case 'post': return res.json(2); default: res.setHeader('Allow', ['GET']); res.status(405).end() } }");
    assert_eq!(
        (switch.dispatch.style, methods(&switch)),
        (DispatchStyle::Switch, vec!["GET".into(), "POST".into()])
    );
    assert_eq!(
        switch.dispatch.fallback,
        Fallback::MethodNotAllowedWithAllow
    );

    let alias = pages("export default async (req, res) => { const { method } = req; if (method === 'PUT' || method === 'PATCH') { res.json(1) } else { res.status(405).end() } }");
    assert_eq!(
        (alias.dispatch.style, methods(&alias)),
        (DispatchStyle::IfChain, vec!["PATCH".into(), "PUT".into()])
    );

    let guard = pages("export default function h(req, res) { if (req.method !== 'POST' && req.method !== 'PUT') return res.status(405).end(); res.json(req.body) }");
    assert_eq!(
        (guard.dispatch.style, methods(&guard)),
        (DispatchStyle::Guard, vec!["POST".into(), "PUT".into()])
    );

    let includes = pages("const OK = ['GET', 'HEAD']; export default function h(req, res) { if (!OK.includes(req.method!)) { return res.status(405).end() } res.end() }");
    assert_eq!(
        (includes.dispatch.style, methods(&includes)),
        (DispatchStyle::Guard, vec!["GET".into(), "HEAD".into()])
    );

    let table = pages("const t = { GET: a, DELETE: b }; export default function h(req, res) { return t[req.method](req, res) }");
    assert_eq!(
        (table.dispatch.style, methods(&table)),
        (DispatchStyle::Table, vec!["DELETE".into(), "GET".into()])
    );

    let upper = pages("export default function h(req, res) { switch (req.method?.toUpperCase()) { case 'get': res.end() } }");
    assert_eq!(methods(&upper), vec!["GET".to_owned()]);
    // Nothing follows the switch: the other methods get no answer.
    assert_eq!(upper.dispatch.fallback, Fallback::NoResponse);

    let none = pages("export default function h(req, res) { res.json({}) }");
    assert_eq!(
        (none.dispatch.style, methods(&none)),
        (DispatchStyle::None, vec!["*".into()])
    );

    let special = pages("export default function h(req, res) { if (req.method === 'OPTIONS') return res.end(); res.json({}) }");
    assert_eq!(methods(&special), vec!["*".to_owned()]);
    assert!(special.dispatch.special_cased.contains("OPTIONS"));

    let dynamic =
        pages("export default function h(req, res) { if (req.method === allowed) res.end() }");
    assert!(codes(&dynamic).contains(&Code::DynamicMethodDispatch));
}

#[test]
fn handler_shapes() {
    let kind = |text: &str| pages(text).handler.unwrap().kind;
    assert_eq!(
        kind("const h = async (req, res) => res.end(); export default h"),
        HandlerKind::Function
    );
    assert_eq!(
        kind("function h(req, res) {}; export { h as default }"),
        HandlerKind::Function
    );
    assert_eq!(
        kind("module.exports = function (req, res) {}"),
        HandlerKind::Function
    );
    assert_eq!(
        kind(
            "import { withA } from '../a'; export default withA((req, res) => res.end(), { x: 1 })"
        ),
        HandlerKind::Wrapped
    );
    assert_eq!(
        kind("import NextAuth from 'next-auth'; export default NextAuth({})"),
        HandlerKind::Library
    );
    assert_eq!(
        kind("import nc from 'next-connect'; export default nc().get((req, res) => res.end())"),
        HandlerKind::NextConnect
    );
    assert_eq!(
        kind("import h from '../lib/h'; export default h"),
        HandlerKind::Unresolved
    );
    assert_eq!(kind("export const x = 1"), HandlerKind::Missing);
    assert_eq!(
        kind("const a = b; const b = a; export default a"),
        HandlerKind::Unresolved
    );

    let wrapped = pages("import { withA } from '../a'; const withB = (h) => h; const h = (req, res) => res.json(req.query.id); export default withB(withA(h, 'admin'))");
    let summary = wrapped.handler.unwrap();
    assert_eq!(
        summary
            .wrappers
            .iter()
            .map(|w| (w.name.as_str(), w.local, w.extra_arguments))
            .collect::<Vec<_>>(),
        vec![("withB", true, false), ("withA", false, true)]
    );
    assert!(wrapped
        .uses
        .iter()
        .any(|u| u.kind == UseKind::Query && u.key.as_deref() == Some("id")));
    assert_eq!(wrapped.verdict, Some(Verdict::Adapter));
}

#[test]
fn uses_have_kinds_keys_and_spans() {
    let text = "export default async function h(req, res) {\n  const { id, q } = req.query\n  const t = req.headers['x-token']\n  if (!req.cookies.sid) return res.status(401).json({})\n  await cors(req, res)\n  res.status(200).json({ id, body: req.body })\n}";
    let a = pages_with(text, &["id"]);
    let got: Vec<(UseKind, Option<&str>, &str)> = a
        .uses
        .iter()
        .map(|u| {
            (
                u.kind,
                u.key.as_deref(),
                &text[u.range.start as usize..u.range.end as usize],
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (UseKind::Query, Some("id"), "id"),
            (UseKind::Query, Some("q"), "q"),
            (UseKind::Headers, Some("x-token"), "req.headers['x-token']"),
            (UseKind::Cookies, Some("sid"), "req.cookies.sid"),
            (UseKind::Json, None, "res.status(401).json({})"),
            (UseKind::Escape, None, "cors(req, res)"),
            (UseKind::Escape, None, "cors(req, res)"),
            (
                UseKind::Json,
                None,
                "res.status(200).json({ id, body: req.body })"
            ),
            (UseKind::Body, None, "req.body"),
        ]
    );
    // A response chain is one use: its status, its arguments, the statement it sits in.
    let slice = |r: crate::diagnostic::TextRange| &text[r.start as usize..r.end as usize];
    let unauthorized = &a.uses[4];
    assert_eq!(unauthorized.status, Some(401));
    assert_eq!(
        unauthorized
            .args
            .iter()
            .map(|r| slice(*r))
            .collect::<Vec<_>>(),
        vec!["{}"]
    );
    assert_eq!(
        slice(unauthorized.statement),
        "return res.status(401).json({})"
    );
    assert_eq!(
        unauthorized
            .chain
            .iter()
            .map(|c| &*c.name)
            .collect::<Vec<_>>(),
        vec!["status"]
    );
    let ok = &a.uses[7];
    assert_eq!(
        (ok.status, slice(ok.args[0])),
        (Some(200), "{ id, body: req.body }")
    );
    assert_eq!(slice(a.uses[5].statement), "await cors(req, res)");
    assert_eq!(
        codes(&a).iter().filter(|c| **c == Code::ResEscapes).count(),
        1
    );
    assert!(codes(&a).contains(&Code::QueryKeyIsParam));
}

#[test]
fn response_then_continue() {
    let a = pages("export default async function h(req, res) { if (x) { res.status(400).json({}) } await save(); res.json({}) }");
    assert_eq!(
        codes(&a)
            .iter()
            .filter(|c| **c == Code::ResponseThenContinue)
            .count(),
        1
    );
    let fine = pages("export default async function h(req, res) { if (x) { res.status(400).json({}); return } try { res.json(await f()) } catch { res.status(500).end() } }");
    assert!(!codes(&fine).contains(&Code::ResponseThenContinue));
}

#[test]
fn uses_are_followed_into_local_method_handlers() {
    let a = pages_with(
        "export default async function h(req, res) { switch (req.method) { case 'GET': return handleGET(req, res); default: res.status(405).end() } }\n\
         async function handleGET(request, response) { response.json({ id: request.query.id }) }",
        &["id"],
    );
    let kinds: Vec<UseKind> = a.uses.iter().map(|u| u.kind).collect();
    assert!(
        kinds.contains(&UseKind::Delegate) && kinds.contains(&UseKind::Json),
        "{kinds:?}"
    );
    assert!(a
        .uses
        .iter()
        .any(|u| u.kind == UseKind::Query && u.key.as_deref() == Some("id")));
    assert!(!codes(&a).contains(&Code::ResEscapes), "{:?}", codes(&a));
    assert_eq!(a.verdict, Some(Verdict::Auto));
    let json = a.uses.iter().find(|u| u.kind == UseKind::Json).unwrap();
    assert_eq!(json.site, super::uses::Site::Helper("handleGET".to_owned()));
    // Recursion ends.
    let recursive = pages("export default function h(req, res) { again(req, res) }\nfunction again(q, s) { again(q, s) }");
    assert!(recursive.uses.iter().any(|u| u.kind == UseKind::Delegate));
}

#[test]
fn method_tables_handed_to_a_helper() {
    let a = pages(
        "import { apiHandler } from '../lib/api'\nexport default apiHandler({ get: getAll, POST: async (req, res) => res.status(201).json(req.body) })\n\
         async function getAll(rq, rs) { rs.json({ page: rq.query.page }) }",
    );
    assert_eq!(
        (a.dispatch.style, methods(&a)),
        (
            DispatchStyle::Table,
            vec!["GET".to_owned(), "POST".to_owned()]
        )
    );
    assert!(a
        .uses
        .iter()
        .any(|u| u.kind == UseKind::Query && u.key.as_deref() == Some("page")));
    assert!(a.uses.iter().any(|u| u.kind == UseKind::Body));
    assert!(codes(&a).contains(&Code::WrappedHandler));
}

#[test]
fn response_in_a_callback() {
    let a = pages("export default function h(req, res) { return new Promise((resolve) => { setTimeout(() => { res.json({}); resolve() }) }) }");
    assert_eq!(
        codes(&a)
            .iter()
            .filter(|c| **c == Code::ResponseInCallback)
            .count(),
        1
    );
    assert_eq!(a.verdict, Some(Verdict::Adapter));
}

#[test]
fn config_and_edge() {
    let a = pages("export const config = { api: { bodyParser: { sizeLimit: '10mb' }, externalResolver: true }, maxDuration: 30 }\nexport default function h(req, res) { res.end() }");
    let config = a.config.clone().unwrap();
    assert_eq!(
        (
            config.size_limit.as_deref(),
            config.external_resolver,
            config.max_duration.as_deref()
        ),
        (Some("10mb"), Some(true), Some("30"))
    );
    assert!(
        codes(&a).contains(&Code::SizeLimitDropped) && codes(&a).contains(&Code::ConfigCarried)
    );
    // Keys Next does not read for an API route are dropped with `config`, and said so.
    let unknown = pages("export const config = { supportsResponseStreaming: true, regoins: ['iad1'], api: { bodyParser: false, bodyParsr: true } }\nexport default function h(req, res) { res.end() }");
    let messages: Vec<&str> = unknown
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::ConfigUnknown)
        .map(|d| d.message.as_ref())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].contains("`api.bodyParsr`") || messages[1].contains("`api.bodyParsr`"));
    assert_eq!(unknown.verdict, Some(Verdict::Auto));
    // Vercel's streaming opt-in is known, and needless in a route handler.
    assert!(codes(&unknown).contains(&Code::ConfigDropped));
    assert!(!messages
        .iter()
        .any(|m| m.contains("supportsResponseStreaming")));
    // `regions` as written, a string or an array of strings; anything else is unreadable.
    for (written, read) in [
        ("'iad1'", Some("'iad1'")),
        ("[\"iad1\", 'sfo1']", Some("[\"iad1\", 'sfo1']")),
        ("REGIONS", None),
    ] {
        let text = format!("export const config = {{ regions: {written} }}\nexport default function h(req, res) {{ res.end() }}");
        let config = pages(&text).config.unwrap();
        assert_eq!(config.regions.as_deref(), read, "{written}");
        assert_eq!(config.unreadable.is_empty(), read.is_some(), "{written}");
    }

    let edge = pages("export const config = { runtime: 'edge' }\nexport default async function h(req) { if (req.method !== 'POST') return new Response(null, { status: 405 }); return Response.json(await req.json()) }");
    assert!(edge.handler.as_ref().unwrap().edge);
    assert!(edge.uses.is_empty());
    assert_eq!(
        (methods(&edge), edge.verdict),
        (vec!["POST".to_owned()], Some(Verdict::Auto))
    );

    let computed =
        pages("export const config = makeConfig()\nexport default function h(req, res) {}");
    assert!(codes(&computed).contains(&Code::ConfigNotLiteral));
}

#[test]
fn app_route_exports() {
    let a = analyse_app_route(
        "export async function GET() {}\nexport const { POST, PUT } = handlers\nexport function patch() {}\nexport default 1",
        "ts",
        &RouteContext { params: &[], next_major: Some(16), file: "app/api/x/route.ts", aliases: None, imported_helpers: None },
    );
    assert_eq!(
        methods(&a),
        vec!["GET".to_owned(), "POST".to_owned(), "PUT".to_owned()]
    );
    assert_eq!(
        codes(&a),
        vec![Code::LowercaseMethodExport, Code::DefaultExportInRoute]
    );
}

#[test]
fn parse_errors_are_diagnostics() {
    let a = pages("export default function (req, res) {");
    assert_eq!(codes(&a), vec![Code::ParseError]);
    assert_eq!(a.verdict, Some(Verdict::Manual));
}

#[test]
fn req_and_res_are_followed_by_binding_not_by_name() {
    // A callback's own `res` and a local `res` in a nested function are other variables.
    let shadowed = pages("export default async function h(req, res) { const data = await fetch(u).then((res) => res.json()); const n = await (async () => { const res = await db.find(); return res.count() })(); return res.status(200).json({ data, n }) }");
    assert_eq!(
        shadowed.verdict,
        Some(Verdict::Auto),
        "{:?}",
        codes(&shadowed)
    );
    assert!(!shadowed.uses.iter().any(|u| u.kind == UseKind::Unknown));
    assert_eq!(
        shadowed
            .uses
            .iter()
            .filter(|u| u.kind == UseKind::Json)
            .count(),
        1
    );

    // Renamed parameters are the request and the response.
    let renamed = pages("export default function h(request, response) { response.status(200).json({ q: request.query.q }) }");
    assert!(renamed
        .uses
        .iter()
        .any(|u| u.kind == UseKind::Query && u.key.as_deref() == Some("q")));
    assert!(renamed.uses.iter().any(|u| u.kind == UseKind::Json));

    // Another name for the response: followed, and the route fails closed to the adapter.
    let alias = pages(
        "export default function h(req, res) { const r = res; r.setHeader('x', '1'); r.json({}) }",
    );
    assert!(alias.uses.iter().any(|u| u.kind == UseKind::SetHeader));
    assert!(codes(&alias).contains(&Code::Alias));
    assert_eq!(alias.verdict, Some(Verdict::Adapter));

    // Rest parameters: `args[1]` is the response; any other use of `args` fails closed.
    let rest = pages(
        "export default function h(...args) { args[1].status(200).json({ q: args[0].query.q }) }",
    );
    assert!(rest.uses.iter().any(|u| u.kind == UseKind::Json));
    assert!(rest
        .uses
        .iter()
        .any(|u| u.kind == UseKind::Query && u.key.as_deref() == Some("q")));
    let spread = pages("export default function h(...args) { return inner(...args) }");
    assert_eq!(
        spread.verdict,
        Some(Verdict::Adapter),
        "{:?}",
        codes(&spread)
    );

    // `arguments` and a destructured response cannot be followed: adapter at least.
    for text in [
        "export default function h() { arguments[1].status(200).json({}) }",
        "export default function h(req, { status }) { status(200).json({}) }",
    ] {
        assert_eq!(pages(text).verdict, Some(Verdict::Adapter), "{text}");
    }
    // A nested `function`'s own `arguments` is not the handler's.
    let nested = pages("export default function h(req, res) { const f = function () { return arguments.length }; res.json({ n: f() }) }");
    assert_eq!(nested.verdict, Some(Verdict::Auto), "{:?}", codes(&nested));

    // A parameter named like a module-level helper is not that helper.
    let param_shadows_helper = pages("function send(req, res) { res.json({}) }\nexport default function h(req, res) { const run = (send) => send(req, res); return run(other) }");
    assert!(
        codes(&param_shadows_helper).contains(&Code::ResEscapes),
        "{:?}",
        codes(&param_shadows_helper)
    );
}

#[test]
fn response_then_continue_through_switch_cases_and_helpers() {
    let count = |a: &Analysis| {
        codes(a)
            .iter()
            .filter(|c| **c == Code::ResponseThenContinue)
            .count()
    };
    // A case that responds and has no `break` falls into the next case.
    let falls = pages("export default function h(req, res) { switch (req.method) { case 'GET': res.json(1)\n case 'POST': res.status(201).json(2); break; default: res.status(405).end() } }");
    assert_eq!(count(&falls), 1, "{:?}", codes(&falls));
    assert_eq!(falls.verdict, Some(Verdict::Adapter));
    // Every case breaks or returns: nothing runs after a response.
    let breaks = pages("export default function h(req, res) { switch (req.method) { case 'GET': res.json(1); break; case 'POST': { if (!req.body) { res.status(400).end(); break } res.json(2); break } default: res.status(405).end() } }");
    assert_eq!(count(&breaks), 0, "{:?}", codes(&breaks));
    // Inside a helper the handler hands `res` to.
    let helper = pages("async function handleGET(req, res) { if (!req.query.id) { res.status(400).json({}) } res.json({ id: req.query.id }) }\nexport default function h(req, res) { switch (req.method) { case 'GET': return handleGET(req, res); default: return res.status(405).end() } }");
    assert_eq!(count(&helper), 1, "{:?}", codes(&helper));
    // A call to a helper that sends the response, with code after it.
    let sends = pages("function ok(res, data) { res.status(200).json(data) }\nexport default function h(req, res) { if (req.method === 'GET') { ok(res, { a: 1 }) } res.status(405).end() }");
    assert_eq!(count(&sends), 1, "{:?}", codes(&sends));
    let returns = pages("function ok(res, data) { return res.status(200).json(data) }\nexport default function h(req, res) { if (req.method === 'GET') { return ok(res, { a: 1 }) } res.status(405).end() }");
    assert_eq!(count(&returns), 0, "{:?}", codes(&returns));
}

#[test]
fn dispatch_as_real_handlers_write_it() {
    // A run of independent method blocks with no tail: the other methods get no response.
    let no_tail = pages("export default async function h(req, res) {\n  if (req.method === 'GET') {\n    const items = await db.list()\n    return res.status(200).json(items)\n  }\n  if (req.method === 'POST') {\n    return res.status(201).json(await db.create(req.body))\n  }\n}");
    assert_eq!(
        shape(&no_tail),
        (
            DispatchStyle::IfChain,
            vec!["GET".into(), "POST".into()],
            Fallback::NoResponse
        )
    );
    // The same run with an error tail.
    let tail = pages("export default async function h(req, res) { if (req.method === 'GET') { return res.json(1) } if (req.method === 'DELETE') { return res.status(204).end() } return res.status(400).json({ error: 'bad method' }) }");
    assert_eq!(
        (methods(&tail), tail.dispatch.fallback),
        (vec!["DELETE".into(), "GET".into()], Fallback::Custom)
    );
    // A special case before code every method runs is not a dispatch.
    let special = pages("export default function h(req, res) { if (req.method === 'OPTIONS') { return res.status(200).end() } const data = load(); res.json(data) }");
    assert_eq!(methods(&special), vec!["*".to_owned()]);
    assert!(special.dispatch.special_cased.contains("OPTIONS"));

    // Guards mixing the method with other conditions.
    let mixed = pages("export default function h(req, res) { const q = req.query.q; if (req.method !== 'GET' || !q) return res.status(400).json({ error: 'bad' }); res.json({ q }) }");
    assert_eq!(
        shape(&mixed),
        (DispatchStyle::Guard, vec!["GET".into()], Fallback::Custom)
    );
    let negated = pages("export default function h(req, res) { if (!(req.method === 'POST' || req.method === 'PUT')) { res.setHeader('Allow', 'POST, PUT'); return res.status(405).end() } res.json(req.body) }");
    assert_eq!(
        (methods(&negated), negated.dispatch.fallback),
        (
            vec!["POST".into(), "PUT".into()],
            Fallback::MethodNotAllowedWithAllow
        )
    );
    // A condition on something besides the method guards no method away.
    let partial = pages("export default function h(req, res) { if (req.method === 'POST' && !req.body) return res.status(400).end(); res.json(1) }");
    assert_eq!(methods(&partial), vec!["*".to_owned()]);

    // A thrown plain object is not an ApiError: Next answers 500.
    let throws = pages("export default async function h(req, res) { switch (req.method) { case 'GET': return res.json(1); default: throw { statusCode: 405, message: 'Method not allowed' } } }");
    assert_eq!(throws.dispatch.fallback, Fallback::Throws);
    // …unless the handler's own try catches it.
    let caught = pages("export default async function h(req, res) { try { if (req.method !== 'GET') { throw new Error('405') } res.json(1) } catch (e) { res.status(405).json({ error: String(e) }) } }");
    assert_eq!(
        (methods(&caught), caught.dispatch.fallback),
        (vec!["GET".into()], Fallback::Custom)
    );
}

#[test]
fn verdicts_match_what_an_adapter_can_do() {
    // `export const runtime` is read before `config.runtime`, as Next does.
    let edge = pages("export const runtime = 'edge'\nexport default async function h(req) { return new Response('hi') }");
    assert!(edge.handler.as_ref().unwrap().edge);
    assert!(codes(&edge).contains(&Code::EdgeHandler));
    let node = pages("export const runtime = 'nodejs'\nexport const config = { runtime: 'edge' }\nexport default function h(req, res) { res.end() }");
    assert!(!node.handler.as_ref().unwrap().edge);

    // Library entry points and handlers we cannot follow run unchanged behind the adapter;
    // their methods are unknown, not every method.
    for text in [
        "import NextAuth from 'next-auth'; import { opts } from '../../lib/auth'; export default NextAuth(opts)",
        "import { createNextApiHandler } from '@trpc/server/adapters/next'; export default createNextApiHandler({ router })",
        "export { default } from '../../lib/handler'",
    ] {
        let a = pages(text);
        assert_eq!(a.verdict, Some(Verdict::Adapter), "{text}: {:?}", codes(&a));
        assert_eq!(methods(&a), vec!["unknown".to_owned()], "{text}");
    }
    let library = pages("import NextAuth from 'next-auth/next'; export default NextAuth({})");
    assert_eq!(
        library.handler.unwrap().library.as_deref(),
        Some("next-auth")
    );
    // A method compared with something we cannot resolve: unknown, through the adapter.
    let dynamic = pages("import { M } from '../m'; export default function h(req, res) { if (req.method === M.GET) return res.json(1); res.status(405).end() }");
    assert_eq!(
        (methods(&dynamic), dynamic.verdict),
        (vec!["unknown".to_owned()], Some(Verdict::Adapter))
    );
    assert_eq!(
        codes(&dynamic)
            .iter()
            .filter(|c| **c == Code::DynamicMethodDispatch)
            .count(),
        1,
        "one finding per comparison"
    );

    // WebSocket servers hung on the socket need a person; the client address does not.
    let ws = pages("export default function h(req, res) { if (!res.socket.server.io) { res.socket.server.io = new Server(res.socket.server) } res.end() }");
    assert_eq!(ws.verdict, Some(Verdict::Manual));
    let ip =
        pages("export default function h(req, res) { res.json({ ip: req.socket.remoteAddress }) }");
    assert_eq!(ip.verdict, Some(Verdict::Adapter), "{:?}", codes(&ip));

    // A path relative to the file changes meaning when the file moves.
    let asset = pages("export const config = { runtime: 'edge' }\nconst font = fetch(new URL('./Inter.ttf', import.meta.url)).then((r) => r.arrayBuffer())\nexport default async function h(req) { return new Response(await font) }");
    assert!(codes(&asset).contains(&Code::FileRelativeUrl));
    assert_eq!(asset.verdict, Some(Verdict::Manual));
    // A mention in a comment or a string is not a use.
    let mention = pages(
        "// the old version used import.meta.url here
export default function h(req, res) { res.send('import.meta.url') }",
    );
    assert!(!codes(&mention).contains(&Code::FileRelativeUrl));
}

#[test]
fn the_model_a_rewrite_walks() {
    let text = "import type { NextApiRequest, NextApiResponse } from 'next'\nimport { db, type Row } from '../../lib/db'\n\nexport const config = { api: { bodyParser: false } }\nexport const maxDuration = 30\n\n// Lists and creates users.\nexport default async function handler(req: NextApiRequest, res: NextApiResponse) {\n  const session = req.cookies.sid\n  switch (req.method) {\n    case 'GET':\n    case 'HEAD': {\n      return res.status(200).json(await db.list())\n    }\n    case 'POST':\n      /* create */\n      return res.status(201).json(await db.create(req.body))\n    default:\n      res.setHeader('Allow', ['GET', 'HEAD', 'POST'])\n      return res.status(405).end()\n  }\n}\n";
    let a = model_of(text, "ts");
    let model = a.model.expect("the model is built on request");
    let slice = |r: crate::diagnostic::TextRange| &text[r.start as usize..r.end as usize];

    let function = model.function.as_ref().unwrap();
    assert!(function.is_async && !function.is_arrow);
    assert_eq!(
        function
            .params
            .iter()
            .map(|p| (p.name.as_deref(), slice(p.range)))
            .collect::<Vec<_>>(),
        vec![
            (Some("req"), "req: NextApiRequest"),
            (Some("res"), "res: NextApiResponse")
        ]
    );
    assert!(slice(model.export.unwrap()).starts_with("export default async function handler("));
    assert_eq!(
        slice(model.prelude.unwrap()),
        "const session = req.cookies.sid"
    );

    let branches: Vec<(Vec<&str>, &str)> = model
        .branches
        .iter()
        .map(|b| {
            (
                b.methods.iter().map(String::as_str).collect(),
                slice(b.body),
            )
        })
        .collect();
    assert_eq!(
        branches,
        vec![
            (
                vec!["GET", "HEAD"],
                "{\n      return res.status(200).json(await db.list())\n    }"
            ),
            (
                vec!["POST"],
                "return res.status(201).json(await db.create(req.body))"
            ),
        ]
    );
    assert_eq!(model.fallback, Fallback::MethodNotAllowedWithAllow);
    assert_eq!(
        slice(model.fallback_range.unwrap()),
        "res.setHeader('Allow', ['GET', 'HEAD', 'POST'])\n      return res.status(405).end()"
    );
    let created = a.uses.iter().find(|u| u.status == Some(201)).unwrap();
    assert_eq!(model.branch_of(created.range), Some(1));

    assert_eq!(model.imports.len(), 2);
    assert!(model.imports[0].type_only);
    let db = &model.imports[1];
    assert_eq!(
        db.specifiers
            .iter()
            .map(|s| (s.local.as_str(), s.type_only))
            .collect::<Vec<_>>(),
        vec![("db", false), ("Row", true)]
    );
    let config = model.config.as_ref().unwrap();
    assert_eq!(
        slice(config.statement),
        "export const config = { api: { bodyParser: false } }"
    );
    assert_eq!(config.values.body_parser, Some(false));
    assert_eq!(model.segment_exports.len(), 1);
    assert_eq!(
        (
            model.segment_exports[0].name.as_str(),
            &model.segment_exports[0].value
        ),
        ("maxDuration", &super::model::Literal::Number(30.0))
    );
    assert_eq!(
        model
            .comments
            .iter()
            .map(|c| slice(c.range))
            .collect::<Vec<_>>(),
        vec!["// Lists and creates users.", "/* create */"]
    );
    let post = model.branches[1].body;
    let whole_case = crate::diagnostic::TextRange::new(post.start - 20, post.end);
    assert_eq!(model.comments_in(whole_case).count(), 1);
}

#[test]
fn model_branches_of_guards_and_runs() {
    let slice = |text: &'static str, r: crate::diagnostic::TextRange| {
        &text[r.start as usize..r.end as usize]
    };
    let guard: &'static str = "export default (req, res) => {\n  if (req.method !== 'POST') return res.status(405).end()\n  const body = req.body\n  res.json(body)\n}";
    let a = model_of(guard, "js");
    let m = a.model.unwrap();
    assert_eq!(
        (
            m.branches[0]
                .methods
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            slice(guard, m.branches[0].body)
        ),
        (vec!["POST"], "const body = req.body\n  res.json(body)")
    );
    assert_eq!(
        slice(guard, m.fallback_range.unwrap()),
        "return res.status(405).end()"
    );
    assert!(m.function.unwrap().is_arrow);

    let run: &'static str = "export default async function h(req, res) {\n  if (req.method === 'GET') {\n    return res.json(1)\n  }\n  if (req.method === 'PUT') return res.json(2)\n  return res.status(400).json({})\n}";
    let m = model_of(run, "js").model.unwrap();
    assert_eq!(
        m.branches
            .iter()
            .map(|b| slice(run, b.body))
            .collect::<Vec<_>>(),
        vec!["return res.json(1)", "return res.json(2)"]
    );
    assert_eq!(
        slice(run, m.fallback_range.unwrap()),
        "return res.status(400).json({})"
    );
}

#[test]
fn method_tables_as_big_apis_write_them() {
    // A lookup through a local, with a check for a missing entry.
    let lookup = pages("const handlers = { GET: async (req, res) => res.json(1), DELETE: async (req, res) => res.status(204).end() }\nexport default async function h(req, res) { const run = handlers[req.method ?? '']; if (!run) return res.status(405).json({ error: 'nope' }); await run(req, res) }");
    assert_eq!(
        shape(&lookup),
        (
            DispatchStyle::Table,
            vec!["DELETE".into(), "GET".into()],
            Fallback::MethodNotAllowed
        )
    );
    // A table handed to a helper together with the request.
    let helper = pages("import { apiHandler } from '../../lib/api'\nexport default function h(req, res) { return apiHandler(req, res, { GET: async () => res.json(1), PUT: async () => res.json(2) }) }");
    assert_eq!(
        (methods(&helper), helper.dispatch.fallback),
        (vec!["GET".into(), "PUT".into()], Fallback::Unknown)
    );
    // A curried wrapper around a table of lazy imports of per-method modules.
    let lazy = pages("import { defaultHandler, withMiddleware } from '../../../lib/server'\nexport default withMiddleware()(defaultHandler({ GET: import('./_get'), POST: import('./_post') }))");
    assert_eq!(
        (lazy.dispatch.style, methods(&lazy)),
        (DispatchStyle::Table, vec!["GET".into(), "POST".into()])
    );
    let message = &lazy
        .diagnostics
        .iter()
        .find(|d| d.code == Code::WrappedHandler)
        .unwrap()
        .message;
    assert!(
        message.contains("`withMiddleware(…)(defaultHandler({ … }))`")
            && message.contains("GET from `./_get`"),
        "{message}"
    );
    // next-connect: the routes' methods; `onNoMatch` answers the others.
    let nc = pages("import nc from 'next-connect'\nconst handler = nc({ onNoMatch: (req, res) => res.status(404).end() }).get((req, res) => res.json(1)).post((req, res) => res.json(2))\nexport default handler");
    assert_eq!(
        (methods(&nc), nc.dispatch.fallback, nc.verdict),
        (
            vec!["GET".into(), "POST".into()],
            Fallback::Custom,
            Some(Verdict::Adapter)
        )
    );
    let all = pages("import { createRouter } from 'next-connect'\nconst router = createRouter()\nrouter.all((req, res) => res.json(1))\nexport default router.handler()");
    assert_eq!(methods(&all), vec!["*".to_owned()]);
}

#[test]
fn response_methods_taken_off_res_fail_closed() {
    for text in [
        "export default function h(req, res) { return load().then(res.json) }",
        "export default function h(req, res) { const { json, status } = res; status(200); json({}) }",
        "export default function h(req, res) { res?.status(200)?.json({ a: 1 }) }",
    ] {
        let a = pages(text);
        assert!(
            codes(&a).contains(&Code::DetachedResponseMethod),
            "{text}: {:?}",
            codes(&a)
        );
        assert_eq!(a.verdict, Some(Verdict::Adapter), "{text}");
    }
    // A chain through setHeader is one use, still a plain response.
    let chain = pages("export default function h(req, res) { res.setHeader('Cache-Control', 's-maxage=60').status(200).json({ a: 1 }) }");
    assert_eq!(chain.verdict, Some(Verdict::Auto), "{:?}", codes(&chain));
    // Optional reads of the request are followed as usual.
    let optional_req = pages("export default function h(req, res) { res.json({ m: req.body?.message, id: req.query?.id }) }");
    assert_eq!(
        optional_req.verdict,
        Some(Verdict::Auto),
        "{:?}",
        codes(&optional_req)
    );
}

#[test]
fn curried_tables_and_lazy_imports() {
    let a = pages("import { defaultHandler } from '@calcom/lib/server/defaultHandler'\nimport { defaultResponder } from '@calcom/lib/server/defaultResponder'\nimport { withMiddleware } from '~/lib/helpers/withMiddleware'\nimport authMiddleware from './_auth-middleware'\nexport default withMiddleware()(defaultResponder(async (req, res) => { await authMiddleware(req); return defaultHandler({ GET: import('./_get'), PATCH: import('./_patch') })(req, res) }))");
    assert_eq!(
        (a.dispatch.style, methods(&a)),
        (DispatchStyle::Table, vec!["GET".into(), "PATCH".into()])
    );
    assert_eq!(
        a.relative_imports,
        vec!["./_auth-middleware", "./_get", "./_patch"]
    );
}

#[test]
fn local_wrappers_narrow_the_methods() {
    let allow = pages("const allowMethods = (methods) => (handler) => async (req, res) => {\n  if (req.method === 'OPTIONS') { return res.status(204).end() }\n  if (req.method !== 'GET' && req.method !== 'POST') { res.setHeader('Allow', methods.join(', ')); return res.status(405).json({}) }\n  return handler(req, res)\n}\nasync function handler(req, res) { res.json({ m: req.method }) }\nexport default allowMethods(['GET', 'POST'])(handler)");
    assert_eq!(
        (methods(&allow), allow.dispatch.fallback),
        (
            vec!["GET".into(), "OPTIONS".into(), "POST".into()],
            Fallback::MethodNotAllowedWithAllow
        )
    );
    // OPTIONS is answered by the wrapper before the handler's own methods are told apart.
    assert!(allow.dispatch.special_cased.contains("OPTIONS"));
    assert!(!allow.dispatch.methods.contains("OPTIONS"));
    // A wrapper that checks something else leaves the handler's methods as they are.
    let auth = pages("const withAuth = (h) => async (req, res) => { if (!req.headers.authorization) return res.status(401).end(); return h(req, res) }\nexport default withAuth(async (req, res) => { if (req.method !== 'PUT') return res.status(405).end(); res.json(1) })");
    assert_eq!(methods(&auth), vec!["PUT".to_owned()]);
    // A wrapper whose test we cannot resolve: the methods are unknown.
    let dynamic = pages("const only = (list) => (h) => (req, res) => list.includes(req.method) ? h(req, res) : res.status(405).end()\nexport default only(METHODS)((req, res) => res.json(1))");
    assert_eq!(methods(&dynamic), vec!["unknown".to_owned()]);
    // A conditional expression on the method is a dispatch.
    let ternary = pages(
        "export default (req, res) => req.method === 'GET' ? res.json(1) : res.status(405).end()",
    );
    assert_eq!(
        (methods(&ternary), ternary.dispatch.fallback),
        (vec!["GET".to_owned()], Fallback::MethodNotAllowed)
    );
}

#[test]
fn plain_responses_written_the_node_way() {
    for text in [
        "export default function h(req, res) { res.writeHead(307, { Location: '/login' }); res.end() }",
        "export default function h(req, res) { res.statusCode = 404; res.statusMessage = 'Nope'; res.end('missing') }",
    ] {
        let a = pages(text);
        assert_eq!(a.verdict, Some(Verdict::Auto), "{text}: {:?}", codes(&a));
    }
    let status = pages("export default function h(req, res) { res.statusCode = 404; res.end() }");
    let set = status
        .uses
        .iter()
        .find(|u| u.kind == UseKind::SetStatus)
        .unwrap();
    assert_eq!(set.args.len(), 1);
    // Writing in pieces streams; reading the status is response state.
    let streamed = pages("export default function h(req, res) { res.writeHead(200, { 'Content-Type': 'text/event-stream' }); res.write('data: 1\\n\\n'); res.end() }");
    assert!(codes(&streamed).contains(&Code::StreamingResponse));
    let read =
        pages("export default function h(req, res) { if (res.statusCode === 200) res.end() }");
    assert!(codes(&read).contains(&Code::ResponseState));
}

#[test]
fn paths_without_a_response() {
    let at = |a: &Analysis, text: &str| {
        a.diagnostics
            .iter()
            .filter(|d| d.code == Code::NoResponsePath)
            .map(|d| text[d.range.start as usize..d.range.end as usize].to_owned())
            .collect::<Vec<_>>()
    };
    let bare_return = "export default async function h(req, res) { if (!req.query.token) { return } res.json(1) }";
    assert_eq!(at(&pages(bare_return), bare_return), vec!["return"]);
    let falls_off = "export default async function h(req, res) { const { url } = await f(); if (url) { res.redirect(302, url) } }";
    assert_eq!(at(&pages(falls_off), falls_off), vec!["}"]);
    let case_breaks = "export default async function h(req, res) { switch (req.query.kind) { case 'a': res.json(1); break; case 'b': break; default: res.json(2) } }";
    // The case whose path runs off the `switch` unanswered is named.
    assert_eq!(
        at(&pages(case_breaks), case_breaks),
        vec!["case 'b': break;"]
    );
    // A method the dispatch serves whose case never answers: reported, although the other
    // methods' path past the `switch` is the dispatch's fallback (no response) and is not.
    let stub = "export default async function h(req, res) { switch (req.method) { case 'GET': return res.json(1); case 'PUT': {} } }";
    assert_eq!(at(&pages(stub), stub), vec!["case 'PUT': {}"]);
    // The same for a method block of a run without a tail, and for an `else if` branch.
    let open_block = "export default async function h(req, res) { if (req.method === 'GET') { return res.json(1) } if (req.method === 'POST') { if (req.body.name) { return res.json(2) } } }";
    assert_eq!(
        at(&pages(open_block), open_block),
        vec!["if (req.method === 'POST') { if (req.body.name) { return res.json(2) } }"]
    );
    let open_else_if = "export default function h(req, res) { if (req.method === 'GET') { res.json(1) } else if (req.method === 'PUT') { if (ok) res.json(2) } }";
    assert_eq!(
        at(&pages(open_else_if), open_else_if),
        vec!["if (req.method === 'PUT') { if (ok) res.json(2) }"]
    );
    // A block that is no method branch is not named: the path runs on to the end.
    let not_a_branch = "export default function h(req, res) { if (req.method === 'GET') { return res.json(1) } if (debug) { log(req.url) } }";
    assert_eq!(at(&pages(not_a_branch), not_a_branch), vec!["}"]);
    // What comes after the `switch` answers the case's path.
    let answered_after = "export default async function h(req, res) { let x; switch (req.method) { case 'GET': x = 1; break; default: return res.status(405).end() } res.json(x) }";
    assert!(at(&pages(answered_after), answered_after).is_empty());
    // Every path answers, throws, or hands `res` on.
    for text in [
        "export default async function h(req, res) { try { if (!x) throw new Error('no'); res.json(1) } catch (e) { res.status(500).end() } }",
        "export default async function h(req, res) { switch (req.method) { case 'GET': return res.json(1); default: res.status(405).end() } }",
        "export default async function h(req, res) { await cors(req, res); if (x) return ok(res, 1); fail(res) }",
        "export default function h(req, res) { form.parse(req, (err, fields) => { res.json(fields) }) }",
        "export default async function h(req, res) { for (const x of xs) { await x() } res.end() }",
        // A failed POST falls into `default`, which answers.
        "export default async function h(req, res) { switch (req.method) { case 'POST': try { await send(); res.status(200).end(); return } catch (e) { log(e) } default: res.status(404).end(); return } }",
    ] {
        assert!(at(&pages(text), text).is_empty(), "{text}");
    }
    // A wrapper may answer for the function it wraps.
    let wrapped = "import { defaultResponder } from '../lib'; export default defaultResponder(async (req) => ({ a: 1 }))";
    assert!(at(&pages(wrapped), wrapped).is_empty());
}

#[test]
fn a_method_block_that_ends_in_try_catch_returns() {
    let a = pages("export default async function h(req, res) {\n  if (req.method === 'POST') {\n    try { await save(req.body); return res.status(200).json({}) } catch (e) { return res.status(500).json({}) }\n  }\n  res.setHeader('Allow', ['POST'])\n  return res.status(405).end()\n}");
    assert_eq!(
        shape(&a),
        (
            DispatchStyle::IfChain,
            vec!["POST".to_owned()],
            Fallback::MethodNotAllowedWithAllow
        )
    );
}

#[test]
fn the_model_names_the_modules_of_a_method_table() {
    let a = model_of(
        "import { defaultHandler, withMiddleware } from '../../lib/server'\nexport default withMiddleware()(defaultHandler({ GET: import('./_get'), POST: () => import('./_post') }))",
        "ts",
    );
    let modules: Vec<(String, String)> = a
        .model
        .unwrap()
        .method_modules
        .into_iter()
        .map(|m| (m.method, m.source))
        .collect();
    assert_eq!(
        modules,
        vec![
            ("GET".to_owned(), "./_get".to_owned()),
            ("POST".to_owned(), "./_post".to_owned())
        ]
    );
}

#[test]
fn edge_only_code() {
    let event = pages("export const config = { runtime: 'edge' }\nexport default async function h(req, event) { event.waitUntil(log(req.url)); return new Response('ok') }");
    assert!(codes(&event).contains(&Code::EdgeEventArgument));
    assert_eq!(event.verdict, Some(Verdict::Adapter));
    let geo = pages("export const runtime = 'edge'\nexport default async function h(req) { return Response.json({ country: req.geo?.country, ip: req.ip }) }");
    assert_eq!(
        codes(&geo)
            .iter()
            .filter(|c| **c == Code::EdgeRemovedMember)
            .count(),
        1
    );
    assert_eq!(geo.verdict, Some(Verdict::Manual));
    let plain = pages("export const runtime = 'edge'\nexport default async function h(req) { const { searchParams } = new URL(req.url); return Response.json({ q: searchParams.get('q') }) }");
    assert_eq!(plain.verdict, Some(Verdict::Auto), "{:?}", codes(&plain));
}

#[test]
fn a_fallback_that_sets_a_status_and_sends_nothing_answers_nothing() {
    // A 405 set and never sent: the request hangs, whatever the status.
    let default_case = pages("export default async function h(req, res) { switch (req.method) { case 'GET': res.json(1); break; default: res.statusCode = 405; res.setHeader('Allow', 'GET'); break } }");
    assert_eq!(default_case.dispatch.fallback, Fallback::NoResponse);
    let guard = pages("export default async function h(req, res) { if (req.method !== 'POST') { return res.status(405) } res.json(1) }");
    assert_eq!(guard.dispatch.fallback, Fallback::NoResponse);
    assert_eq!(guard.dispatch.method_list(), ["POST"]);
    let else_branch = pages("export default function h(req, res) { if (req.method === 'GET') { res.json(1) } else { res.status(405) } }");
    assert_eq!(else_branch.dispatch.fallback, Fallback::NoResponse);
    let tail = pages("export default function h(req, res) { if (req.method === 'GET') return res.json(1); if (req.method === 'PUT') return res.json(2); res.statusCode = 405 }");
    assert_eq!(tail.dispatch.fallback, Fallback::NoResponse);
    assert_eq!(tail.dispatch.method_list(), ["GET", "PUT"]);
    // Code after the dispatch answers: what it does is the fallback.
    let after = pages("export default function h(req, res) { switch (req.method) { case 'GET': return res.json(1); default: res.statusCode = 405 } res.end() }");
    assert_eq!(after.dispatch.fallback, Fallback::FallsThrough);
    // Sent: a 405.
    for text in [
        "export default async function h(req, res) { switch (req.method) { case 'GET': return res.json(1); default: res.statusCode = 405; res.end() } }",
        "export default async function h(req, res) { if (req.method !== 'POST') { return res.status(405).end() } res.json(1) }",
    ] {
        assert_eq!(pages(text).dispatch.fallback, Fallback::MethodNotAllowed, "{text}");
    }
}

#[test]
fn empty_cases_that_run_into_default_are_not_served() {
    let into_default = pages("export default async function h(req, res) { switch (req.method) { case 'GET': case 'POST': default: return res.status(405).end() } }");
    assert_eq!(into_default.dispatch.served().count(), 0);
    assert_eq!(into_default.dispatch.fallback, Fallback::MethodNotAllowed);
    // Shared statements are served as before.
    let shared = pages("export default async function h(req, res) { switch (req.method) { case 'GET': case 'HEAD': return res.json(1); default: return res.status(405).end() } }");
    assert_eq!(shared.dispatch.method_list(), ["GET", "HEAD"]);
    // An empty last case runs nothing: PUT leaves the `switch` unanswered.
    let trailing = pages("export default async function h(req, res) { switch (req.method) { case 'GET': return res.json(1); case 'PUT': } }");
    assert_eq!(trailing.dispatch.method_list(), ["GET"]);
    assert_eq!(trailing.dispatch.fallback, Fallback::NoResponse);
}

#[test]
fn a_dispatch_without_default_that_ends_the_handler_answers_nothing() {
    let switch = pages("export default async function h(req, res) { switch (req.method) { case 'GET': res.json(1); break; case 'POST': res.status(201).json(2); break } }");
    assert_eq!(switch.dispatch.fallback, Fallback::NoResponse);
    let chain = pages("export default function h(req, res) { if (req.method === 'GET') { res.json(1) } else if (req.method === 'PUT') { res.json(2) } }");
    assert_eq!(chain.dispatch.fallback, Fallback::NoResponse);
    // Reported once, as the dispatch's fallback, not again as a path without a response.
    assert!(!codes(&chain).contains(&Code::NoResponsePath));
    // Code after the dispatch answers the others.
    let after = pages("export default function h(req, res) { switch (req.method) { case 'GET': return res.json(1) } res.status(405).end() }");
    assert_eq!(after.dispatch.fallback, Fallback::FallsThrough);
}

#[test]
fn early_returns_on_a_method_destructured_first_end_in_their_tail() {
    // The alias is declared in the same block as the run of early returns: it must be known
    // before the run is read, or the tail's 405 is taken for code every method runs.
    for text in [
        "export default function h(req, res) { const { method } = req; if (method === 'GET') { return res.json(1) } if (method === 'DELETE') { return res.status(204).end() } res.status(405).end() }",
        "export default function h(req, res) { const method = req.method; if (method === 'GET') return res.json(1); if (method === 'DELETE') return res.status(204).end(); return res.status(405).json({ error: 'no' }) }",
    ] {
        let route = pages(text);
        assert_eq!(
            (methods(&route), route.dispatch.fallback),
            (
                vec!["DELETE".to_owned(), "GET".to_owned()],
                Fallback::MethodNotAllowed
            ),
            "{text}"
        );
    }
}

#[test]
fn a_test_kept_in_a_constant_and_a_set_of_methods_dispatch() {
    let condition = pages("export default function h(req, res) { const isGet = req.method === 'GET'; if (isGet) return res.json(1); res.status(405).end() }");
    assert_eq!(
        (methods(&condition), condition.dispatch.fallback),
        (vec!["GET".to_owned()], Fallback::MethodNotAllowed)
    );
    // A `let` may hold another value by the time it is tested: not a dispatch.
    let reassigned = pages("export default function h(req, res) { let isGet = req.method === 'GET'; isGet = true; if (isGet) return res.json(1); res.status(405).end() }");
    assert_eq!(methods(&reassigned), vec!["*".to_owned()]);
    let set = pages("const ALLOWED = new Set(['GET', 'POST'])\nexport default function h(req, res) { if (!ALLOWED.has(req.method)) return res.status(405).end(); res.json(1) }");
    assert_eq!(
        (methods(&set), set.dispatch.fallback),
        (
            vec!["GET".to_owned(), "POST".to_owned()],
            Fallback::MethodNotAllowed
        )
    );
}

/// `buffer(req)` from `micro` (or `getRawBody(req)`) reads the whole body: with the parser off
/// a route handler reads the same bytes, so the route stays `auto`; with it on, Pages had
/// already consumed the stream.
#[test]
fn whole_body_reads_by_known_packages() {
    let off = "import { buffer } from 'micro'\nexport const config = { api: { bodyParser: false } }\nexport default async function h(req, res) {\n  const b = await buffer(req)\n  res.json({ n: b.length })\n}\n";
    let a = pages(off);
    let read = a
        .uses
        .iter()
        .find(|u| u.kind == UseKind::WholeBody)
        .expect("a whole-body use");
    assert_eq!(read.key.as_deref(), Some("buffer"));
    assert!(codes(&a).contains(&Code::WholeBodyRead), "{:?}", codes(&a));
    assert_eq!(a.verdict, Some(Verdict::Auto));

    let parsed_first = off.replace("export const config = { api: { bodyParser: false } }\n", "");
    let a = pages(&parsed_first);
    assert!(codes(&a).contains(&Code::RawBodyStream), "{:?}", codes(&a));
    assert_eq!(a.verdict, Some(Verdict::Adapter));

    // What it gives follows the imported name, not the local one.
    let renamed = off.replace(
        "import { buffer } from 'micro'",
        "import { text as buffer } from 'micro'",
    );
    let a = pages(&renamed);
    let read = a
        .uses
        .iter()
        .find(|u| u.kind == UseKind::WholeBody)
        .expect("a whole-body use");
    assert_eq!(read.key.as_deref(), Some("text"));

    let raw_body = "import getRawBody from 'raw-body'\nexport const config = { api: { bodyParser: false } }\nexport default async function h(req, res) {\n  res.send((await getRawBody(req)).toString())\n}\n";
    assert!(pages(raw_body)
        .uses
        .iter()
        .any(|u| u.kind == UseKind::WholeBody));

    // A local function of the same name is not the package's.
    let local = off.replace(
        "import { buffer } from 'micro'\n",
        "async function buffer(r) { return r }\n",
    );
    assert!(!pages(&local)
        .uses
        .iter()
        .any(|u| u.kind == UseKind::WholeBody));
}

/// The helper Stripe's examples paste into webhook files reads the whole body; the same loop
/// doing more is not recognised.
#[test]
fn the_pasted_chunk_collector_is_a_whole_body_reader() {
    let pasted = "import type { Readable } from 'node:stream'\nexport const config = { api: { bodyParser: false } }\nasync function buffer(readable: Readable) {\n  const chunks = []\n  for await (const chunk of readable) {\n    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)\n  }\n  return Buffer.concat(chunks)\n}\nexport default async function h(req, res) {\n  const b = await buffer(req)\n  res.json({ n: b.length })\n}\n";
    let a = pages(pasted);
    assert!(
        a.uses.iter().any(|u| u.kind == UseKind::WholeBody),
        "{:?}",
        a.uses
    );
    assert_eq!(a.verdict, Some(Verdict::Auto), "{:?}", codes(&a));
    let logging = pasted.replace(
        "    chunks.push(",
        "    console.log(chunk)\n    chunks.push(",
    );
    let a = pages(&logging);
    assert!(!a.uses.iter().any(|u| u.kind == UseKind::WholeBody));
    assert_eq!(a.verdict, Some(Verdict::Adapter), "{:?}", codes(&a));
}

/// `withSentry(h)` wraps whatever it is given: the library inside is the entry point, named by
/// its package, and Sentry is a wrapper.
#[test]
fn sentry_wraps_what_it_is_given() {
    let text = "import NextAuth from 'next-auth'\nimport { withSentry } from '@sentry/nextjs'\nconst handler = NextAuth({ providers: [] })\nexport default withSentry(handler)\n";
    let summary = pages(text).handler.expect("a handler");
    assert_eq!(summary.library.as_deref(), Some("next-auth"));
    let wrappers: Vec<&str> = summary.wrappers.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(wrappers, ["withSentry"]);

    let function = "import { withSentry } from '@sentry/nextjs'\nfunction handler(req, res) { res.json({}) }\nexport default withSentry(handler)\n";
    let summary = pages(function).handler.expect("a handler");
    assert_eq!(summary.library, None);
    assert_eq!(summary.kind, HandlerKind::Wrapped);
}

/// Every source file under `fixtures/` (handlers, their modules and helpers), with its
/// extension.
fn fixture_sources() -> Vec<(std::path::PathBuf, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            !e.path()
                .components()
                .any(|c| c.as_os_str() == "node_modules")
        })
        .filter_map(|e| {
            let extension = e.path().extension()?.to_str()?.to_owned();
            crate::parse::SOURCE_EXTENSIONS
                .contains(&extension.as_str())
                .then(|| (e.into_path(), extension))
        })
        .collect()
}

#[test]
fn resolving_less_where_names_are_bindings_changes_nothing() {
    use crate::parse::Resolution;
    use crate::parse::{resolution, Parsed};
    let route = RouteContext {
        params: &[],
        next_major: Some(16),
        file: "pages/api/x.ts",
        aliases: None,
        imported_helpers: None,
    };
    let (mut by_name, mut by_separating, mut by_statement, mut whole) = (0, 0, 0, 0);
    // The fixtures, and CommonJS scripts (resolved statement by statement too).
    let scripts = [
        "const db = require('db')\nmodule.exports = async function (req, res) { const rows = await db.all().then((res) => res.rows); res.json(rows) }",
        "function helper(req, res) { res.status(500).end() }\nmodule.exports = (req, res) => { if (req.method !== 'GET') return helper(req, res); fetch('/x').then((res) => res.json()); res.end() }",
        // The handler's alias `r` of `res` and the followed helper's own `r`, bound once in each
        // statement: told apart without the resolver.
        "function helper(req, res) { const r = { json() {} }; r.json(); res.status(500).end() }\nexport default function h(req, res) { const r = res; if (req.method !== 'GET') return helper(req, res); r.json({ ok: true }) }",
        "function send(res, data) { const status = data ? 200 : 404; res.status(status).json(data) }\nexport default async function h(req, res) { const data = await fetch('/x'); const status = 1; send(res, data) }",
    ];
    let sources = fixture_sources()
        .into_iter()
        .map(|(path, extension)| (std::fs::read_to_string(&path).unwrap(), extension, path))
        .chain(
            scripts
                .iter()
                .map(|text| ((*text).to_owned(), "js".to_owned(), "script".into())),
        );
    for (text, extension, path) in sources {
        let Ok(mut always) = crate::parse::parse_resolving_always(&text, &extension) else {
            continue;
        };
        match resolution(&always.program) {
            Resolution::NotNeeded => by_name += 1,
            Resolution::Statements { resolve, .. } if resolve.is_empty() => by_separating += 1,
            Resolution::Statements { .. } => by_statement += 1,
            Resolution::WholeFile => {
                whole += 1;
                continue;
            }
        }
        let mut fast = crate::parse::parse_with(&text, &extension, true).unwrap();
        let analyse = |parsed: &mut Parsed| {
            let comments = std::mem::take(&mut parsed.comments);
            format!(
                "{:#?}",
                super::analyse_parsed(parsed, comments, &text, &route, true)
            )
        };
        assert_eq!(
            analyse(&mut fast),
            analyse(&mut always),
            "{}: the analysis differs from the whole file's resolution",
            path.display()
        );
    }
    // Every way is taken by the fixtures, so each was compared (or is the resolver itself).
    assert!(
        by_name > 50 && by_separating > 5 && by_statement > 10 && whole > 2,
        "{by_name} by name, {by_separating} by separating statements only, {by_statement} by statement, {whole} whole"
    );
}

/// Names as [`crate::parse::Resolution`] lists them: in the empty context.
fn ids(names: &[&str]) -> Vec<swc_ecma_ast::Id> {
    names
        .iter()
        .map(|name| swc_ecma_ast::Ident::new_no_ctxt((*name).into(), swc_common::DUMMY_SP).to_id())
        .collect()
}

#[test]
fn how_much_is_resolved() {
    use crate::parse::Resolution;
    let of =
        |text: &str| crate::parse::resolution(&crate::parse::parse_syntax(text, "ts").unwrap());
    let once = "import x from 'x'\nexport default function h(req, res) { const { a } = req.body; res.json(a) }";
    assert_eq!(of(once), Resolution::NotNeeded);
    // An assignment binds nothing, and types are not values.
    let assigned = "type H = (req: Req, res: Res) => void\nexport default function h(req, res) { let x; x = res }";
    assert_eq!(of(assigned), Resolution::NotNeeded);
    // A statement that binds a name twice itself is resolved (and what it binds once that
    // another statement binds too needs nothing more).
    for (inside, resolve, separate) in [
        ("export default function h(req, res) { fetch('/x').then((res) => res.json()) }", vec![0], vec![]),
        ("import x from 'x'\nexport default function h(req, res) { if (req.body) { const res = 1 } }", vec![1], vec![]),
        ("export default function h(req, res) { try {} catch (res) {} }", vec![0], vec![]),
        ("export default function h(req, res) { class res {} }", vec![0], vec![]),
        ("export default function h(req, res) { [req, res] = [res, req] }", vec![0], vec![]),
        ("const a = (req) => 1\nfunction c(req) { const f = (req) => 1 }", vec![1], vec![(0, ids(&["req"]))]),
    ] {
        assert_eq!(of(inside), Resolution::Statements { resolve, separate }, "{inside}");
    }
    // Statements that each bind a name once, that other statements bind too, are told apart by
    // a context of their own, without the resolver.
    for (inside, separate) in [
        ("const a = (req) => 1\nconst b = 2\nfunction c(req) {}", vec![(0, ids(&["req"])), (2, ids(&["req"]))]),
        (
            "function helper(req, res) { const r = 1 }\nexport default function h(req, res) { const r = res; helper(req, res) }",
            vec![(0, ids(&["req", "res", "r"])), (1, ids(&["req", "res", "r"]))],
        ),
    ] {
        assert_eq!(
            of(inside),
            Resolution::Statements { resolve: Vec::new(), separate },
            "{inside}"
        );
    }
    // A CommonJS file is a script: its statements are resolved the same way.
    let script = crate::parse::parse_syntax(
        "const db = require('db')\nmodule.exports = function (req, res) { db.then((res) => 1) }",
        "js",
    )
    .unwrap();
    assert!(matches!(script, swc_ecma_ast::Program::Script(_)));
    assert_eq!(
        crate::parse::resolution(&script),
        Resolution::Statements {
            resolve: vec![1],
            separate: Vec::new()
        }
    );
    for outside in [
        "function res() {}\nexport default function h(req, res) {}",
        "import res from 'x'\nexport default (req, { res }) => {}",
        "try {} catch (e) {}\nconst e = 1",
        "var a = 1\nvar a = 2",
    ] {
        assert_eq!(of(outside), Resolution::WholeFile, "{outside}");
    }
}

#[test]
fn header_names_with_capitals_are_never_found_under_node() {
    let spelled = pages("export default function h(req, res) { const key = req.headers['X-Api-Key']; const auth = req.headers.Authorization; res.json({ key, auth }) }");
    let found = with_code(&spelled, Code::HeaderNameCase);
    assert_eq!(found.len(), 2, "{:?}", spelled.diagnostics);
    assert!(found[0].message.contains("`X-Api-Key`"));
    assert_eq!(spelled.verdict, Some(Verdict::Adapter));

    // Lower case is what Node stores; a callback's own `req` is another variable.
    let lower = pages("export default async function h(req, res) { const key = req.headers['x-api-key']; const r = await fetch('/x').then((req) => req.headers['X-Other']); res.json({ key, r }) }");
    assert!(
        !codes(&lower).contains(&Code::HeaderNameCase),
        "{:?}",
        lower.diagnostics
    );
    assert_eq!(lower.verdict, Some(Verdict::Auto));
}

#[test]
fn writing_the_request_needs_the_adapter() {
    for (source, what) in [
        (
            "if (typeof req.body === 'string') req.body = JSON.parse(req.body)",
            "`req.body`",
        ),
        (
            "req.headers.authorization ||= 'Bearer anonymous'",
            "`req.headers.authorization`",
        ),
        (
            "if (req.body?._method) req.method = req.body._method",
            "`req.method`",
        ),
        ("delete req.headers['cookie']", "`req.headers.cookie`"),
    ] {
        let a = pages(&format!(
            "export default function h(req, res) {{ {source}; res.json({{ ok: true }}) }}"
        ));
        let written = with_code(&a, Code::RequestAssigned);
        assert_eq!(written.len(), 1, "{source}: {:?}", a.diagnostics);
        assert!(
            written[0].message.starts_with(what),
            "{}",
            written[0].message
        );
        assert_eq!(a.verdict, Some(Verdict::Adapter), "{source}");
    }
    // Writing inside the body or the query is writing a plain object, as in a route handler.
    let inside = pages("export default function h(req, res) { req.body.seen = true; delete req.body.secret; req.query.page ||= '1'; res.json(req.body) }");
    assert!(
        !codes(&inside).contains(&Code::RequestAssigned),
        "{:?}",
        inside.diagnostics
    );
    assert_eq!(inside.verdict, Some(Verdict::Auto));
}

/// A method answered before code every other method runs (a session check) is served: it is in
/// the methods users see and in what the 405 message says is served.
#[test]
fn a_method_answered_before_the_dispatch_is_served() {
    let a = pages("export default async function handler(req, res) {\n  const { id } = req.query\n  if (req.method === 'GET') { return res.status(200).json({ id }) }\n  const session = await getSession(req)\n  if (!session) return res.status(401).json({})\n  if (req.method === 'POST') { return res.status(201).json({}) }\n  if (req.method === 'DELETE') { return res.status(204).end() }\n  res.setHeader('Allow', ['GET', 'POST', 'DELETE'])\n  return res.status(405).end()\n}");
    assert_eq!(methods(&a), vec!["DELETE", "GET", "POST"]);
    assert!(a.dispatch.special_cased.contains("GET"));
    let d002 = a
        .diagnostics
        .iter()
        .find(|d| d.code == Code::FallbackBecomes405)
        .unwrap();
    assert!(
        d002.message
            .starts_with("methods other than DELETE, GET, POST get"),
        "{}",
        d002.message
    );
}

/// A conditional on the method that picks a value is not a dispatch; one whose value is the
/// answer is.
#[test]
fn a_conditional_dispatches_only_when_its_value_is_the_answer() {
    for text in [
        "export default async function h(req, res) { const token = req.method === 'POST' ? req.body.token : req.query.token; if (!token) return res.status(400).end(); res.json({ token }) }",
        "export default (req, res) => res.status(req.method === 'POST' ? 201 : 200).json({})",
    ] {
        let a = pages(text);
        assert_eq!(methods(&a), vec!["*"], "{text}");
        assert_eq!(a.dispatch.fallback, Fallback::Served, "{text}");
    }
    for text in [
        "export default (req, res) => req.method === 'GET' ? res.json(1) : res.status(405).end()",
        "export default async function h(req, res) { return req.method === 'GET' ? res.json(1) : req.method === 'PUT' ? res.json(2) : res.status(405).end() }",
        "export default async function h(req, res) { req.method === 'GET' ? res.json(1) : res.status(405).end() }",
    ] {
        let a = pages(text);
        assert_eq!(a.dispatch.fallback, Fallback::MethodNotAllowed, "{text}");
        assert!(!methods(&a).contains(&"*".to_owned()), "{text}");
    }
}

/// A wrapper imported through one of the project's path aliases is the project's own code, not
/// a library: the route is not named after a package that does not exist.
#[test]
fn a_wrapper_behind_a_path_alias_is_not_a_library() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("tsconfig.json"),
        r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@libs/*": ["libs/*"] } } }"#,
    )
    .unwrap();
    let aliases = crate::tsconfig::PathAliases::read(dir.path()).unwrap();
    let text = "import withHandler from '@libs/server/withHandler'\nimport { withApiSession } from '@libs/server/withSession'\nasync function handler(req, res) { res.json({ ok: true }) }\nexport default withApiSession(withHandler({ methods: ['GET'], handler }))";
    let analyse = |aliases| pages_in(text, aliases, None);
    let without = analyse(None);
    let handler = without.handler.as_ref().unwrap();
    assert_eq!(handler.kind, HandlerKind::Library);
    let with = analyse(Some(&aliases));
    let handler = with.handler.as_ref().unwrap();
    assert_eq!(handler.kind, HandlerKind::Unresolved, "{:?}", codes(&with));
    assert!(!codes(&with).contains(&Code::LibraryHandler));
    assert_eq!(with.verdict, Some(Verdict::Adapter));
}

/// A dispatch that serves no method answers every method itself: no claim about the methods
/// "other than" none.
#[test]
fn a_dispatch_that_serves_no_method_makes_no_405_claim() {
    let a = pages("function handler(req, res) { switch (req.method) { default: return res.status(405).send({ code: 405 }) } }\nexport default handler");
    assert!(methods(&a).is_empty());
    assert_eq!(a.dispatch.fallback, Fallback::MethodNotAllowed);
    assert!(
        !codes(&a).contains(&Code::FallbackBecomes405),
        "{:?}",
        codes(&a)
    );
}

/// A response typed with a socket server and handed on is a socket.io server being attached:
/// manual. The type alone (a handler that only answers) or a plain escape is not.
#[test]
fn a_socket_typed_response_handed_on_is_manual() {
    let attaches = pages("import ServerSocket, { NextApiResponseWithSocket } from '../../socket.io/ServerSocket'\nexport default function SocketHandler(req: NextApiRequest, res: NextApiResponseWithSocket) { new ServerSocket(res, true); res.end() }");
    assert!(
        codes(&attaches).contains(&Code::SocketAccess),
        "{:?}",
        codes(&attaches)
    );
    assert_eq!(attaches.verdict, Some(Verdict::Manual));
    let answers_only = pages("export default async function h(req: NextApiRequest, res: NextApiResponseServerIo) { if (req.method !== 'POST') return res.status(405).json({}); res.json({ ok: true }) }");
    assert!(
        !codes(&answers_only).contains(&Code::SocketAccess),
        "{:?}",
        codes(&answers_only)
    );
    let plain_escape = pages("import { ok } from 'next-basics'\nexport default async function h(req: NextApiRequest, res: NextApiResponse) { return ok(res, {}) }");
    assert!(
        !codes(&plain_escape).contains(&Code::SocketAccess),
        "{:?}",
        codes(&plain_escape)
    );
    assert_eq!(plain_escape.verdict, Some(Verdict::Adapter));
}

#[test]
fn allow_set_before_the_dispatch_goes_out_with_its_405() {
    // Set for every request ahead of a guard, a switch or a run of method blocks.
    for text in [
        "export default function h(req, res) { res.setHeader('Allow', 'GET'); if (req.method !== 'GET') { return res.status(405).end() } res.json(1) }",
        "export default function h(req, res) { res.setHeader('allow', ['GET']); switch (req.method) { case 'GET': return res.json(1); default: return res.status(405).end() } }",
        "export default function h(req, res) { res.setHeader('Allow', 'GET'); if (req.method === 'GET') { return res.json(1) } res.status(405).end() }",
        "export default function h(req, res) { res.setHeader('Allow', 'GET'); if (req.method === 'GET') { res.json(1) } else { res.status(405).end() } }",
        // Set in a block around the dispatch.
        "export default async function h(req, res) { res.setHeader('Allow', ['GET']); try { switch (req.method) { case 'GET': return res.json(1); default: return res.status(405).end() } } catch (e) { res.status(500).end() } }",
    ] {
        assert_eq!(pages(text).dispatch.fallback, Fallback::MethodNotAllowedWithAllow, "{text}");
    }
    // Another header, another object's header, or `Allow` set only after the guard: none.
    for text in [
        "export default function h(req, res) { res.setHeader('Cache-Control', 'no-store'); if (req.method !== 'GET') { return res.status(405).end() } res.json(1) }",
        "export default function h(req, res) { headers.setHeader('Allow', 'GET'); if (req.method !== 'GET') { return res.status(405).end() } res.json(1) }",
        "export default function h(req, res) { if (req.method !== 'GET') { return res.status(405).end() } res.setHeader('Allow', 'GET'); res.json(1) }",
        // Set in a block the dispatch is not in.
        "export default function h(req, res) { if (req.query.x) { res.setHeader('Allow', 'GET') } if (req.method !== 'GET') { return res.status(405).end() } res.json(1) }",
    ] {
        assert_eq!(pages(text).dispatch.fallback, Fallback::MethodNotAllowed, "{text}");
    }
    // An edge handler's `Allow` is a key of the headers it answers with.
    let edge = pages("export const runtime = 'edge'\nexport default async function h(request) { if (request.method !== 'POST') { return new Response(null, { status: 405, headers: { Allow: 'POST' } }) } return new Response('ok') }");
    assert_eq!(edge.dispatch.fallback, Fallback::MethodNotAllowedWithAllow);
}

#[test]
fn allow_written_with_the_status_is_read() {
    let written = pages("export default function h(req, res) { if (req.method !== 'POST') { res.writeHead(405, { Allow: 'POST' }); return res.end() } res.json(1) }");
    assert_eq!(
        written.dispatch.fallback,
        Fallback::MethodNotAllowedWithAllow
    );
    let quoted = pages("export default function h(req, res) { if (req.method !== 'POST') { res.writeHead(405, { 'allow': 'POST' }); return res.end() } res.json(1) }");
    assert_eq!(
        quoted.dispatch.fallback,
        Fallback::MethodNotAllowedWithAllow
    );
    let shorthand = pages("const Allow = 'POST'\nexport default function h(req, res) { if (req.method !== 'POST') { res.writeHead(405, { Allow }); return res.end() } res.json(1) }");
    assert_eq!(
        shorthand.dispatch.fallback,
        Fallback::MethodNotAllowedWithAllow
    );
    let other = pages("export default function h(req, res) { if (req.method !== 'POST') { res.writeHead(405, { 'Content-Type': 'text/plain' }); return res.end() } res.json(1) }");
    assert_eq!(other.dispatch.fallback, Fallback::MethodNotAllowed);
}

#[test]
fn a_same_file_helper_that_runs_straight_through_is_read_with_the_fallback() {
    let read = |text: &str| pages(text).dispatch.fallback;
    // What the helper sends is what the fallback sends.
    assert_eq!(
        read("function notAllowed(res, allowed) { res.setHeader('Allow', allowed); return res.status(405).end() }\nexport default function h(req, res) { if (req.method === 'GET') return res.json(1); return notAllowed(res, ['GET']) }"),
        Fallback::MethodNotAllowedWithAllow
    );
    assert_eq!(
        read("const reject = (res) => res.status(405).end()\nexport default function h(req, res) { if (req.method !== 'GET') return reject(res); res.json(1) }"),
        Fallback::MethodNotAllowed
    );
    assert_eq!(
        read("const send = (res, status) => res.status(status).end()\nexport default function h(req, res) { if (req.method !== 'GET') return send(res, 405); res.json(1) }"),
        Fallback::MethodNotAllowed
    );
    // A helper with branches of its own answers 405 for one call among others: this call's
    // 400 is not read as its 405, nor its `Allow`.
    assert_eq!(
        read("function sendError(res, status) { if (status === 405) { res.setHeader('Allow', 'GET') } res.status(status).json({ status }) }\nexport default function h(req, res) { if (req.method !== 'GET') return sendError(res, 400); res.json(1) }"),
        Fallback::Custom
    );
    // Defaults give values only: not read with the body.
    assert_eq!(
        read("const fail = (res, status = 405) => res.status(status).end()\nexport default function h(req, res) { if (req.method !== 'GET') return fail(res, 400); res.json(1) }"),
        Fallback::Custom
    );
    assert_eq!(
        read("function notAllowed(res, allowed = ['GET']) { res.setHeader('Allow', allowed); res.status(405).end() }\nexport default function h(req, res) { if (req.method !== 'GET') return notAllowed(res); res.json(1) }"),
        Fallback::MethodNotAllowedWithAllow
    );
    // Calling a generator runs none of its body.
    assert_eq!(
        read("function* reject(res) { res.status(405).end() }\nexport default function h(req, res) { if (req.method !== 'GET') return reject(res); res.json(1) }"),
        Fallback::Custom
    );
    // A helper that calls itself is followed a bounded number of times.
    assert_eq!(
        read("function again(res) { res.status(400); again(res) }\nexport default function h(req, res) { if (req.method !== 'GET') return again(res); res.json(1) }"),
        Fallback::Custom
    );
}

#[test]
fn a_helper_imported_from_the_project_is_read_through_the_caller() {
    use crate::analysis::fallback::{HelperSends, ImportedHelpers};
    /// `./http` exports `methodNotAllowed`, which sets `Allow`; nothing else is known.
    struct Http;
    impl ImportedHelpers for Http {
        fn sends(&self, source: &str, name: &str) -> Option<HelperSends> {
            (source == "./http" && name == "methodNotAllowed").then_some(HelperSends {
                status_405: true,
                allow: true,
            })
        }
    }
    let read = |text: &str| pages_in(text, None, Some(&Http)).dispatch.fallback;
    let handler = "export default function h(req, res) { if (req.method !== 'GET') return methodNotAllowed(res); res.json(1) }";
    assert_eq!(
        read(&format!(
            "import {{ methodNotAllowed }} from './http'\n{handler}"
        )),
        Fallback::MethodNotAllowedWithAllow
    );
    // Renamed on import: the export's name is what is read.
    assert_eq!(
        read(&format!(
            "import {{ methodNotAllowed as reject }} from './http'\n{}",
            handler.replace("methodNotAllowed(", "reject(")
        )),
        Fallback::MethodNotAllowedWithAllow
    );
    // A default import, a package, or a local that shadows the import: not asked; the name
    // alone still says 405.
    for text in [
        format!("import methodNotAllowed from './http'\n{handler}"),
        format!("import {{ methodNotAllowed }} from 'http-helpers'\n{handler}"),
        "import { methodNotAllowed } from './http'\nexport default function h(req, res) { const methodNotAllowed = (r) => r.status(405).end(); if (req.method !== 'GET') return methodNotAllowed(res); res.json(1) }".to_owned(),
    ] {
        assert_eq!(read(&text), Fallback::MethodNotAllowed, "{text}");
    }
}
