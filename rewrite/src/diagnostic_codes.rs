//! Every diagnostic code `migrate` emits, with its docs. Codes are stable: they appear in every
//! output format and users put them in CI configuration, so a code is never renumbered.
//!
//! Prefixes: `F` file, `R` routing, `C` collision, `H` handler shape, `D` method dispatch,
//! `U` a `req`/`res` use, `K` `export const config`, `A` an App Router route file.

use serde::Serialize;

use crate::diagnostic::{Severity, Verdict};

macro_rules! codes {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $code:literal, $name:literal, $severity:ident, $verdict:ident, $help:expr;
    )*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as shown to users, e.g. `U002`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// A kebab-case name, e.g. `res-escapes`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// The least a route with this finding needs: `Auto` means it does not stand in
            /// the way of a generated route handler.
            pub fn verdict_floor(self) -> Verdict {
                match self { $(Code::$variant => Verdict::$verdict,)* }
            }

            pub fn default_help(self) -> Option<&'static str> {
                match self { $(Code::$variant => $help,)* }
            }

            /// The full documentation of the code (its doc comment).
            pub fn docs(self) -> &'static str {
                match self { $(Code::$variant => concat!($($doc, "\n"),*),)* }
            }
        }
    };
}

codes! {
    /// The file does not parse as TypeScript/JavaScript. Next.js would fail to build it.
    ParseError = "F001", "parse-error", Error, Manual, Some("fix the syntax error; the other files were still checked");
    /// The file could not be read as source text: unreadable, binary, not UTF-8, too large, or
    /// nested too deeply to analyse safely.
    UnreadableFile = "F002", "unreadable-file", Error, Manual, None;
    /// `next.config.*` sets `pageExtensions` in a way we cannot read statically; the default
    /// extensions are used instead.
    NextConfigUnreadable = "F003", "next-config-unreadable", Warning, Auto, Some("write `pageExtensions` as a literal array of strings");
    /// A TypeScript declaration file (`types.d.ts`) under `pages/`: Next routes every file with a
    /// page extension, so it becomes a route (`/api/types.d`), and `next build` fails on it
    /// (observed with 16.4.6: a Turbopack panic).
    DeclarationFileRouted = "F004", "declaration-file-routed", Error, Manual, Some("move declaration files out of `pages/`, e.g. to `types/`");

    /// Next.js's route sorter rejects this route (the message is Next's own wording).
    InvalidRoute = "R001", "invalid-route", Error, Manual, None;
    /// An intercepting-route marker (`(.)`, `(..)`, `(...)`) above a `route` file. Markers are
    /// meant for pages; a route handler under one is served at the literal path.
    InterceptingRouteHandler = "R002", "intercepting-route-handler", Warning, Auto, Some("move the route handler out of the intercepting folder");
    /// `pages` and `app` were found in different folders (e.g. `app/` at the root and
    /// `src/pages`): Next looks each up on its own (root first, then `src/`) and then refuses to
    /// build.
    RoutersInDifferentFolders = "R003", "routers-in-different-folders", Error, Manual, Some("move `pages` and `app` under the same folder: both at the project root, or both under `src/`");
    /// The project's Next.js is older than 13: there is no App Router, so a route handler would
    /// be a file Next ignores. `migrate apply` moves nothing (every route is manual) until `next`
    /// is upgraded, or `--next-version` names the version it is being upgraded to.
    NoAppRouter = "R004", "no-app-router", Warning, Manual, Some("upgrade `next` to 13.4 or later before moving routes");

    /// The same URL path in both routers: Next.js refuses to build.
    AppPagesConflict = "C001", "app-pages-conflict", Error, Auto, Some("remove one of the two files, usually the `pages/api` one once its `route` twin is ready");
    /// The same dynamic position has different parameter names in the two routers: `next build`
    /// succeeds, then `next start` exits.
    SlugNameMismatch = "C002", "slug-name-mismatch", Error, Auto, Some("use one parameter name for this position in both routers");
    /// Two `pages` files resolve to one path (`users.ts` and `users/index.ts`). Next warns in
    /// development; which one production serves is unspecified.
    DuplicatePage = "C003", "duplicate-page", Warning, Auto, Some("delete or rename one of the two files");
    /// A `route` file and a `page` file resolve to one App Router path: Next refuses to build.
    RoutePageConflict = "C004", "route-page-conflict", Error, Auto, Some("move the route handler to its own path, e.g. under `api/`");
    /// The same App Router path is defined twice (e.g. in two route groups): Next refuses to build.
    DuplicateAppRoute = "C005", "duplicate-app-route", Error, Auto, Some("keep one of the two route files");

    /// A `pages/api` file with no default export: Next.js answers every request with a 500.
    NoDefaultExport = "H001", "no-default-export", Error, Manual, Some("export the handler as the module's default export");
    /// The default export is a wrapped handler (`withAuth(handler)`); the wrapper expects Node's
    /// `(req, res)` and must be ported or run through an adapter.
    WrappedHandler = "H002", "wrapped-handler", Warning, Adapter, Some("port the wrapper to take and return Web `Request`/`Response`, or keep it behind the compatibility adapter");
    /// The default export comes from a library (`NextAuth`, tRPC, GraphQL servers, …), named by
    /// its package. Most have their own App Router entry point; until it is wired up, the
    /// compatibility adapter runs the handler unchanged, so the route is `adapter` at worst.
    LibraryHandler = "H003", "library-handler", Warning, Adapter, None;
    /// A next-connect router: methods are registered on the router, and middleware runs with
    /// Node's `(req, res)`. The compatibility adapter runs it unchanged.
    NextConnectRouter = "H004", "next-connect-router", Warning, Adapter, Some("next-connect v1 supports route handlers through `createEdgeRouter()` and `router.run(request, ctx)`; or export one function per method");
    /// An edge API route: it already takes a Web `Request` and returns a `Response`, so it
    /// ports almost verbatim to named method exports.
    EdgeHandler = "H005", "edge-handler", Info, Auto, None;
    /// The default export is something we cannot follow to a function (a computed value, a
    /// re-export from another module, a factory's result). The compatibility adapter calls the
    /// default export exactly as Next does, so the route still moves, through the adapter.
    UnresolvedHandler = "H006", "unresolved-handler", Warning, Adapter, Some("the adapter calls it as Next does; to move it idiomatically, define the handler function in this file");
    /// The module resolves a path against its own location (`new URL('./font.ttf',
    /// import.meta.url)`, the edge way of loading an asset). Moving the file to
    /// `app/…/route.ts` changes what the path points to, and on Node.js `fetch` does not read
    /// `file:` URLs.
    FileRelativeUrl = "H007", "file-relative-url", Warning, Manual, Some("load the asset with `fs` from a path under `process.cwd()`, or move it so the relative path still points at it");
    /// A file inside `pages/api` that other routes import (`./_get`, `./_auth-middleware`).
    /// Next also serves it publicly at its own URL, where it runs without the wrappers its
    /// importer applies (an auth check skipped), or answers 500 when it has no default export.
    /// It is analysed as a module of its importer, and `apply` moves it beside the importer's
    /// route file, where it is not routed: its public URL then answers 404.
    ImportedRouteModule = "H008", "imported-route-module", Warning, Auto, Some("move shared modules out of `pages/api` (`apply` does it), so that Next does not serve them");
    /// A route with a handler of its own that other routes import for its exports (`NextAuth`'s
    /// `authOptions` from `pages/api/auth/[...nextauth].ts`). It stays a route; moving it
    /// re-points its importers' imports.
    ImportedRoute = "H009", "imported-route", Info, Auto, None;
    /// An edge handler uses its second argument, the edge `event` (`event.waitUntil(…)`). A
    /// route handler's second argument is `{ params }`; work after the response goes through
    /// `after()` from `next/server`.
    EdgeEventArgument = "H010", "edge-event-argument", Warning, Adapter, Some("replace `event.waitUntil(promise)` with `after(promise)` from `next/server`");
    /// An edge handler reads `request.geo` or `request.ip`, which `NextRequest` no longer has
    /// from Next.js 15: the value is `undefined` there, silently.
    EdgeRemovedMember = "H011", "edge-removed-member", Warning, Manual, Some("read the client's address from `x-forwarded-for`, and geolocation from your platform (`geolocation()` from `@vercel/functions` on Vercel)");

    /// A route handler answers HEAD and OPTIONS on its own (HEAD runs GET, OPTIONS gets a 204
    /// with `Allow`), where the Pages handler was called with those methods.
    ImplicitHeadOptions = "D001", "implicit-head-options", Info, Auto, None;
    /// Methods the handler does not serve get Next's bare 405 (no body, no `Allow`) in the App
    /// Router, instead of the handler's own fallback.
    FallbackBecomes405 = "D002", "fallback-becomes-405", Info, Auto, None;
    /// `req.method` is compared in a way we cannot resolve to a set of methods: the methods are
    /// unknown, so the route moves through the adapter, exported for every method.
    DynamicMethodDispatch = "D003", "dynamic-method-dispatch", Warning, Adapter, Some("compare `req.method` against string literals so each method can become a named export");
    /// A path through the handler ends without touching the response (a bare `return`, or the
    /// end of the body). Under the Pages Router the request then hangs (Next adds no timeout);
    /// a route handler that returns nothing is answered with a 500 (`No response is returned
    /// from route handler`).
    NoResponsePath = "D004", "no-response-path", Warning, Auto, Some("answer on every path (for instance with a 4xx), so that both routers answer the same");

    /// `req` is passed to or stored in another function or value, which expects Node's request.
    ReqEscapes = "U001", "req-escapes", Warning, Adapter, Some("port the callee to take a Web `Request`, or keep this route behind the compatibility adapter");
    /// `res` is passed to another function (`ok(res, data)`, `await cors(req, res)`), which
    /// writes the response through Node's API.
    ResEscapes = "U002", "res-escapes", Warning, Adapter, Some("make the callee return a `Response` (or headers) instead of writing to `res`, or keep this route behind the compatibility adapter");
    /// A response is sent and the handler keeps running. A route handler's `return` ends it, so
    /// the code after the response would no longer run (or would run before it is sent).
    ResponseThenContinue = "U003", "response-then-continue", Warning, Adapter, Some("move the work after the response into `after()` from `next/server`, or return right after responding");
    /// The request body is read as a stream (`req.on('data')`, `buffer(req)`, `for await`).
    RawBodyStream = "U004", "raw-body-stream", Warning, Adapter, Some("read the body with `await request.arrayBuffer()` or `request.text()` in the route handler");
    /// The whole body is read at once by a package function (`buffer(req)` or `text(req)` from
    /// `micro`, `getRawBody(req)` from `raw-body`) with `bodyParser: false`: a route handler
    /// reads it with `Buffer.from(await request.arrayBuffer())` or `await request.text()`, the
    /// same bytes (webhook signatures still match).
    WholeBodyRead = "U019", "whole-body-read", Info, Auto, Some("read it with `Buffer.from(await request.arrayBuffer())` or `await request.text()`: `migrate apply` does");
    /// `getServerSession(req, res, options)` (NextAuth.js v4): a route handler asks for the same
    /// session with `getServerSession(options)`, NextAuth.js reading the request's cookies itself;
    /// there it cannot send the session cookies it refreshes on the way, and the session it
    /// returns has no `expires`.
    SessionRead = "U020", "session-read", Info, Auto, Some("call `getServerSession(options)` in the route handler: `migrate apply` does, and declares the difference");
    /// A header read with upper-case letters in its name (`req.headers['X-Api-Key']`,
    /// `req.headers.Authorization`). Node stores every header name in lower case, so the read is
    /// always `undefined` under Pages, whatever the client sends. A route handler's
    /// `headers.get` ignores case and would find the header: moving the read as it is would
    /// change what the route does, so the route goes through the adapter, which keeps the bug
    /// as it is until the name is fixed.
    HeaderNameCase = "U021", "header-name-case", Warning, Adapter, Some("write the header name in lower case (`req.headers['x-api-key']`): the read finds the header then, under Pages too");
    /// The request is written: `req.body = JSON.parse(req.body)`, `req.headers.authorization =
    /// …`, `req.method = 'POST'`, `delete req.headers.cookie`. A route handler's `Request` is
    /// read-only (assigning its `method` throws in a module), and the values an idiomatic
    /// rewrite reads once cannot be assigned, so the route goes through the adapter, whose `req`
    /// is writable as in Pages. Writing inside a value (`req.body.seen = true`) is not this.
    RequestAssigned = "U022", "request-assigned", Warning, Adapter, Some("keep the new value in a local variable (`let body = req.body`) and use that");
    /// `req.socket`/`req.connection`/`res.socket`: there is no socket in a route handler. Also a
    /// response typed with a socket server (`NextApiResponseWithSocket`,
    /// `NextApiResponseServerIO`, the socket.io guides' names) and handed to a function, which
    /// attaches a WebSocket server to it.
    SocketAccess = "U005", "socket-access", Warning, Manual, Some("use headers (`x-forwarded-for`) instead of the socket; upgrades (WebSockets) need a custom server");
    /// The response is written in pieces (`write`, `writeHead`, `pipe`, `flushHeaders`).
    StreamingResponse = "U006", "streaming-response", Warning, Adapter, Some("return a `Response` with a `ReadableStream` body");
    /// `res.revalidate()` has no route-handler method; `revalidatePath()` from `next/cache` is
    /// the App Router's way, with different timing.
    Revalidate = "U007", "revalidate", Warning, Adapter, Some("call `revalidatePath(path)` from `next/cache`");
    /// Preview and draft mode (`res.setDraftMode`, `setPreviewData`, `clearPreviewData`,
    /// `req.preview`, `req.previewData`, `req.draftMode`).
    PreviewMode = "U008", "preview-mode", Warning, Adapter, Some("use `(await draftMode()).enable()` from `next/headers`; preview data has no App Router equivalent");
    /// Response state that a Web `Response` does not expose the same way: `res.statusCode =`,
    /// `res.getHeader`, `res.headersSent`, `res.on(...)`.
    ResponseState = "U009", "response-state", Warning, Adapter, Some("build the status and headers up in local variables and pass them to `new Response(body, { status, headers })`");
    /// `req[x]` or `res[x]` with a computed key: we cannot tell what is used. The adapter gives
    /// the handler the whole Pages `req`/`res`.
    DynamicMember = "U010", "dynamic-member", Warning, Adapter, None;
    /// A query key that is also a route parameter. Pages merges them into `req.query` (the
    /// parameter wins); route handlers keep `params` and `searchParams` apart.
    QueryKeyIsParam = "U011", "query-key-is-param", Info, Auto, None;
    /// `req.body` relies on Pages body parsing (by content type, 1 MB limit, 400 on bad JSON);
    /// a route handler parses nothing itself.
    BodyParsing = "U012", "body-parsing", Info, Auto, None;
    /// A property of `req`/`res` that Node and Next do not define (e.g. `req.user` set by a
    /// wrapper): it only exists behind that wrapper or an adapter.
    UnknownMember = "U013", "unknown-member", Warning, Adapter, None;
    /// A Node request/response API with no direct Web counterpart (`req.aborted`,
    /// `res.cork()`, …).
    OtherNodeApi = "U014", "other-node-api", Warning, Adapter, None;
    /// The response is sent from inside a callback (`setTimeout`, `form.parse(req, cb)`, a
    /// `Promise` executor): a route handler must return the `Response` itself.
    ResponseInCallback = "U015", "response-in-callback", Warning, Adapter, Some("turn the callback into a value (`await new Promise(…)`) and return the `Response` from the handler");
    /// `req` or `res` is given another name (`const r = res`, `const res = args[1]`). Its uses are
    /// followed through the new name, but an idiomatic rewrite works on the response by its
    /// own name, so the route goes through the adapter until the alias is removed.
    Alias = "U016", "alias", Warning, Adapter, Some("use the handler's own parameter instead of another name for it");
    /// The handler takes its request or response in a form whose uses cannot be followed:
    /// `arguments`, a destructured response (`(req, { status })`), a rest parameter passed on
    /// whole (`inner(...args)`). The route fails closed to the adapter.
    UnfollowedParameter = "U017", "unfollowed-parameter", Warning, Adapter, Some("name the handler's parameters `(req, res)` and use them directly");
    /// A response method is taken off `res` without being called (`promise.then(res.json)`,
    /// `const { status, json } = res`), or called through optional chaining (`res?.json(x)`).
    /// Next binds these methods to the response, so the handler works, but a route handler has
    /// no `res`: only the adapter keeps it working.
    DetachedResponseMethod = "U018", "detached-response-method", Warning, Adapter, Some("call the method on `res` itself: `res.json(data)`");

    /// `bodyParser: false`: the route reads the raw body itself. That is the default in a route
    /// handler (`request.text()`, `arrayBuffer()`).
    BodyParserDisabled = "K001", "body-parser-disabled", Info, Auto, None;
    /// `bodyParser.sizeLimit` has no App Router equivalent: the limit will not be enforced.
    SizeLimitDropped = "K002", "size-limit-dropped", Warning, Auto, Some("check `content-length` (and count bytes while reading) in the handler if the limit matters");
    /// `responseLimit` and `externalResolver` only tune development warnings; they are dropped,
    /// as is Vercel's `supportsResponseStreaming`, which a route handler needs no more.
    ConfigDropped = "K003", "config-dropped", Info, Auto, None;
    /// `runtime`, `maxDuration` and `regions` (as `preferredRegion`) carry over as separate
    /// `export const` lines.
    ConfigCarried = "K004", "config-carried", Info, Auto, None;
    /// `export const config` is not a literal object, so we cannot tell what it sets. The
    /// adapter reads the module's `config` when it runs.
    ConfigNotLiteral = "K005", "config-not-literal", Warning, Adapter, Some("write `config` as an object literal so it can be migrated");
    /// `runtime: 'edge'` is deprecated in Next.js 16; route handlers default to Node.js.
    EdgeRuntimeDeprecated = "K006", "edge-runtime-deprecated", Info, Auto, None;
    /// A `config` key Next does not read for an API route (`supportsResponseStreaming`, a
    /// platform's own setting, a typo): `config` does not move to a route handler, so whatever
    /// reads it no longer sees it.
    ConfigUnknown = "K007", "config-unknown", Warning, Auto, Some("if a platform or tool reads this key, set its App Router form by hand in the route file");

    /// A lowercase method export (`export function get`) in a route file: Next ignores it.
    LowercaseMethodExport = "A001", "lowercase-method-export", Warning, Auto, None;
    /// A default export in a route file: Next ignores it.
    DefaultExportInRoute = "A002", "default-export-in-route", Warning, Auto, Some("export a named function for each HTTP method instead");
    /// A route file exporting no HTTP method: Next answers 405 to everything.
    NoMethodExports = "A003", "no-method-exports", Warning, Auto, Some("export a named function for each HTTP method (GET, POST, …)");
    /// `export const config` in a route file is ignored (with a build warning).
    ConfigInRoute = "A004", "config-in-route", Warning, Auto, Some("use individual exports (`export const runtime`, `maxDuration`, …) instead");
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "duplicate code {code}");
            assert!(seen.insert(code.name()), "duplicate name {}", code.name());
            assert!(!code.docs().trim().is_empty(), "{code} has no docs");
        }
    }
}
