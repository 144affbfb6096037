// A `migrate serve` worker: a Node `http` server on a Unix socket that runs a project's compiled
// route modules. The Rust front has already routed the request; it says which module to run,
// for which router, with which params, in `x-migrate-*` headers, which are removed before a
// handler sees the request.
//
// Pages API handlers run on the Pages core `migrate apply` writes into projects
// (`pages-api.mjs`): one implementation of Pages semantics for both. App route handlers run as
// Next's app-route module runs them: named method exports, HEAD from GET, OPTIONS, 405, 400,
// `params` (a Promise from Next 15), `NextRequest`, `redirect()`/`notFound()` from
// `next/navigation`.

import http from 'node:http'
import { AsyncLocalStorage } from 'node:async_hooks'
import { createHash } from 'node:crypto'
import path from 'node:path'
import Module, { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { runPagesHandler } from './pages-api.mjs'

// Next's server sets this before any of its modules load; its request scope depends on it.
globalThis.AsyncLocalStorage = AsyncLocalStorage

// A handler's stray asynchronous error is logged and the worker serves on, as `next start` does.
process.on('uncaughtException', (error) => console.error(error))
process.on('unhandledRejection', (error) => console.error(error))

const [socketPath, root, nextMajorArgument] = process.argv.slice(2)
const nextMajor = Number(nextMajorArgument) || 16
const requireFromProject = createRequire(path.join(root, 'package.json'))

// ES-module-only packages (`exports` with only an `import` entry) cannot be found by
// `require`, which the compiled sources use: when `require` cannot resolve a package, it is
// resolved as `import` would (from the project, where this worker lives), and Node 20's
// `require` of an ES module loads it.
const resolveFilename = Module._resolveFilename
Module._resolveFilename = function resolveLikeImport(request, parent, isMain, options) {
  try {
    return resolveFilename.call(this, request, parent, isMain, options)
  } catch (error) {
    const bare = !/^(\.|\/|node:)/.test(request)
    if (!bare || (error.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED' && error.code !== 'MODULE_NOT_FOUND')) {
      throw error
    }
    let resolved
    try {
      resolved = import.meta.resolve(request)
    } catch {
      throw error
    }
    if (!resolved.startsWith('file:')) throw error
    return fileURLToPath(resolved)
  }
}

// `.env*` files, loaded as `next start` loads them (`.env.production.local`, `.env.local`,
// `.env.production`, `.env`), with Next's own loader when it is installed.
try {
  requireFromProject('@next/env').loadEnvConfig(root, false)
} catch {
  try {
    requireFromProject(requireFromProject.resolve('@next/env', { paths: [requireFromProject.resolve('next')] })).loadEnvConfig(root, false)
  } catch {}
}

// The project's own `NextRequest` when `next` is installed, so handlers get `nextUrl` and
// `cookies` exactly as under Next; a plain `Request` otherwise.
let NextRequest = null
try {
  NextRequest = requireFromProject('next/server').NextRequest
} catch {}

// Next's own route-handler runtime, from the project: it runs a handler inside Next's request
// scope, so `cookies()`, `headers()`, `draftMode()` and `after()` from `next/headers` and
// `next/server` work, and answers methods, redirects and errors exactly as `next start`. Next 14
// and 15 have it precompiled, with the server build of React it needs (14 at another path),
// each with its own constructor and context. Next 13 (and projects without `next`) use the port
// of its rules below.
let AppRouteRouteModule = null
const NEXT_ROUTE_MODULE =
  nextMajor >= 16
    ? 'next/dist/server/route-modules/app-route/module.js'
    : nextMajor === 15
      ? 'next/dist/server/route-modules/app-route/module.compiled.js'
      : nextMajor === 14
        ? 'next/dist/server/future/route-modules/app-route/module.compiled.js'
        : null
if (NEXT_ROUTE_MODULE) {
  try {
    const loaded = requireFromProject(NEXT_ROUTE_MODULE)
    AppRouteRouteModule = loaded.AppRouteRouteModule || (loaded.routeModule && loaded.routeModule.AppRouteRouteModule)
  } catch {}
}
const routeModules = new Map()
// Next's default `cacheLife` profiles (`revalidateTag(tag, 'max')` names one).
let CACHE_LIFE = {}
if (AppRouteRouteModule) {
  try {
    const defaults = requireFromProject('next/dist/server/config-shared').defaultConfig
    // 16 has `cacheLife` at the top level, 15 under `experimental`.
    CACHE_LIFE = defaults.cacheLife || (defaults.experimental && defaults.experimental.cacheLife) || {}
  } catch {}
}
// Draft mode cookies must verify across workers: one id per front.
const previewId = createHash('sha256').update(`${root}:${process.ppid}`).digest('hex')

/** What Pages' `res.setDraftMode`, `res.clearPreviewData` and `res.revalidate` need here. */
const PAGES_HOST = {
  previewModeId: previewId,
  async revalidate(path) {
    console.log(`migrate serve: res.revalidate(${path}): no pages are prerendered here (next start would regenerate it)`)
  },
}

const METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'DELETE', 'PATCH']
/** What the front tells the worker about the route; never part of the request a handler sees. */
const INTERNAL_HEADERS = new Set(['x-migrate-module', 'x-migrate-router', 'x-migrate-params', 'x-migrate-pattern'])
const VARY = 'rsc, next-router-state-tree, next-router-prefetch, next-router-segment-prefetch'

const server = http.createServer(async (req, res) => {
  const file = req.headers['x-migrate-module']
  const router = req.headers['x-migrate-router']
  const params = req.headers['x-migrate-params']
  const pattern = req.headers['x-migrate-pattern']
  for (const name of INTERNAL_HEADERS) {
    delete req.headers[name]
  }
  const onClose = []
  res.on('close', () => {
    for (const callback of onClose) callback()
  })
  let response
  try {
    // eslint-disable-next-line import/no-dynamic-require
    const loaded = requireFromProject(file)
    const request = toRequest(req, router === 'app')
    const routeParams = params === undefined ? undefined : JSON.parse(params)
    response =
      router !== 'app'
        ? await runPages(loaded, request, routeParams || {})
        : await runStaticOr(loaded, request, async (request) =>
            withWebHeaders(
              await (AppRouteRouteModule
                ? runAppWithNext(loaded, request, routeParams, file, pattern, onClose)
                : runApp(loaded, request, routeParams, file)),
            ),
          )
  } catch (error) {
    console.error(error)
    response = new Response(null, { status: 500 })
  }
  try {
    await send(res, response, req.method === 'HEAD')
  } catch (error) {
    console.error(error)
    res.destroy()
  }
})
server.keepAliveTimeout = 60_000
// The front holds our stdin: when it closes it (this worker is replaced) or goes away (even
// killed), we stop accepting, finish the requests in flight and exit.
function retire() {
  server.close(() => process.exit(0))
  server.closeIdleConnections()
  setTimeout(() => process.exit(0), 10_000).unref()
}
process.stdin.on('end', retire)
process.stdin.on('error', retire)
process.stdin.resume()
server.listen(socketPath, () => {
  process.stdout.write('ready\n')
})

/**
 * The Web `Request` for a Node request: absolute URL from the `Host` header, body streamed. A
 * route handler sees the query re-serialized as Next does (`URLSearchParams`: `%20` → `+`); the
 * Pages core does its own.
 */
function toRequest(req, reserializeQuery) {
  let url = `http://${req.headers.host || 'localhost'}${req.url}`
  if (reserializeQuery) {
    const parsed = new URL(url)
    if (parsed.search) {
      const search = new URLSearchParams(parsed.search).toString()
      parsed.search = search ? `?${search}` : ''
      url = parsed.href
    }
  }
  const headers = new Headers()
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (!INTERNAL_HEADERS.has(req.rawHeaders[i].toLowerCase())) {
      headers.append(req.rawHeaders[i], req.rawHeaders[i + 1])
    }
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
  return new Request(url, {
    method: req.method,
    headers,
    body: hasBody ? Readable.toWeb(req) : undefined,
    duplex: hasBody ? 'half' : undefined,
  })
}

// ---------------------------------------------------------------------------------------------
// Pages API routes

async function runPages(loaded, request, params) {
  const handler = typeof loaded === 'function' ? loaded : loaded && loaded.default
  const config = (loaded && loaded.config) || {}
  if (typeof handler !== 'function') {
    console.error(`The default export is not a function in ${request.url}`)
    return new Response(null, { status: 500 })
  }
  const runtime = config.runtime || (loaded && loaded.runtime)
  if (runtime === 'edge' || runtime === 'experimental-edge') {
    // An edge API route is given the request and answers with a `Response`.
    const answer = await handler(NextRequest ? new NextRequest(request) : request, {
      waitUntil() {},
    })
    return answer instanceof Response ? answer : new Response(null, { status: 500 })
  }
  return runPagesHandler(handler, request, params, config, PAGES_HOST)
}

// ---------------------------------------------------------------------------------------------
// App route handlers

async function runApp(loaded, request, params, file) {
  const method = request.method
  if (!METHODS.includes(method)) return new Response(null, { status: 400 })
  const exported = METHODS.filter((m) => typeof loaded[m] === 'function')
  let handler = loaded[method]
  if (typeof handler !== 'function' && method === 'HEAD' && typeof loaded.GET === 'function') {
    handler = loaded.GET
  }
  if (typeof handler !== 'function' && method === 'OPTIONS') {
    const allow = new Set([...exported, 'OPTIONS'])
    if (allow.has('GET')) allow.add('HEAD')
    return withVary(new Response(null, { status: 204, headers: { Allow: [...allow].sort().join(', ') } }))
  }
  if (typeof handler !== 'function') return withVary(new Response(null, { status: 405 }))
  const nextRequest = NextRequest ? new NextRequest(request) : request
  const context = {
    params: params === undefined ? undefined : nextMajor >= 15 ? Promise.resolve(params) : params,
  }
  let answer
  try {
    answer = await handler(nextRequest, context)
  } catch (error) {
    return withVary(navigationAnswer(error) || new Response(null, { status: 500 }), error)
  }
  if (!(answer instanceof Response)) {
    console.error(
      `No response is returned from route handler '${file}'. Expected a Response object but received '${typeof answer}' (method: ${method}, url: ${new URL(request.url).pathname}).`,
    )
    return withVary(new Response(null, { status: 500 }))
  }
  return withVary(answer)
}

// ---------------------------------------------------------------------------------------------
// Static route handlers: `next build` prerenders a GET handler with `dynamic = 'force-static'`
// or `revalidate = N` and `next start` serves that output (`x-nextjs-cache`, `cache-control`),
// regenerated every N seconds. `serve` has no build step: the output is made on the first
// request (with a request that has no query, headers or cookies, as at build time) and kept
// per path in this worker.

const YEAR = 31536000
const NON_STATIC_METHODS = ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']
const staticOutputs = new Map()

/** `revalidate` seconds (or `false`: never) for a statically generated handler, else null. */
function staticRevalidate(loaded) {
  if (loaded.dynamic === 'force-dynamic') return null
  if (NON_STATIC_METHODS.some((m) => typeof loaded[m] === 'function')) return null
  const revalidate = typeof loaded.revalidate === 'number' ? loaded.revalidate : null
  if (loaded.dynamic === 'force-static') return revalidate && revalidate > 0 ? revalidate : false
  return revalidate && revalidate > 0 ? revalidate : null
}

async function runStaticOr(loaded, request, run) {
  const revalidate = staticRevalidate(loaded)
  if (revalidate === null) return run(request)
  const method = request.method
  if (method !== 'GET' && method !== 'HEAD') {
    // A prerendered route is a file to `next start`: other methods get its 405.
    const response = new Response('Method Not Allowed', { status: 405 })
    Object.defineProperty(response, NODE_HEADERS, { value: [['allow', ['GET', 'HEAD']]] })
    return response
  }
  const url = new URL(request.url)
  const key = url.pathname
  let output = staticOutputs.get(key)
  let state = 'HIT'
  if (!output) {
    output = await generate(run, url)
    staticOutputs.set(key, output)
  } else if (revalidate !== false && Date.now() - output.at > revalidate * 1000) {
    state = 'STALE'
    if (!output.regenerating) {
      output.regenerating = true
      generate(run, url)
        .then((fresh) => staticOutputs.set(key, fresh))
        .catch((error) => console.error(error))
    }
  }
  const headers = new Headers(output.headers)
  headers.set(
    'cache-control',
    revalidate === false ? `s-maxage=${YEAR}` : `s-maxage=${revalidate}, stale-while-revalidate=${YEAR - revalidate}`,
  )
  headers.set('x-nextjs-cache', state)
  return new Response(method === 'HEAD' ? null : output.body, { status: output.status, headers })
}

/** The handler's answer to a build-time request for `url`'s path, read whole. */
async function generate(run, url) {
  const response = await run(new Request(`${url.origin}${url.pathname}`))
  const body = new Uint8Array(await response.arrayBuffer())
  return { at: Date.now(), status: response.status, headers: [...response.headers], body }
}

/**
 * `serve` keeps no rendered pages or fetch cache, so there is nothing to revalidate:
 * `revalidatePath`/`revalidateTag` succeed as under `next start` and say what they could not do.
 */
const NO_CACHE = {
  async get() {
    return null
  },
  async set() {},
  async revalidateTag(tags) {
    if ([].concat(tags || []).length === 0) return
    // `revalidatePath` tags a path as `_N_T_<path>`.
    const list = []
      .concat(tags)
      .map((tag) => (tag.startsWith('_N_T_') ? `path ${tag.slice(5)}` : `tag ${tag}`))
      .join(', ')
    console.log(`migrate serve: revalidate ${list}: nothing cached here to revalidate (next start would)`)
  },
}

/** A route handler run by Next's own app-route module, as `next start` runs it. */
async function runAppWithNext(loaded, request, params, file, pattern, onClose) {
  let routeModule = routeModules.get(file)
  const definition = {
    kind: 'APP_ROUTE',
    page: `${pattern === '/' ? '' : pattern}/route`,
    pathname: pattern,
    filename: 'route',
    bundlePath: `app${pattern === '/' ? '' : pattern}/route`,
  }
  if (!routeModule) {
    routeModule = newRouteModule(loaded, definition, file)
    routeModules.set(file, routeModule)
  }
  const context = handleContext(params, pattern, onClose)
  try {
    return withVary(await routeModule.handle(new NextRequest(request), context))
  } catch (error) {
    return withVary(navigationAnswer(error) || new Response(null, { status: 500 }))
  }
}

/** Next's app-route module for a compiled route file; its constructor's options by major. */
function newRouteModule(loaded, definition, file) {
  if (nextMajor === 14) {
    return new AppRouteRouteModule({ userland: loaded, definition, resolvedPagePath: file })
  }
  return new AppRouteRouteModule({
    definition,
    distDir: '.next',
    relativeProjectDir: '',
    resolvedPagePath: file,
    nextConfigOutput: undefined,
    // Next 16 takes the module as a function that loads it.
    userland: nextMajor === 15 ? loaded : () => loaded,
  })
}

const PREVIEW_PROPS = {
  previewModeId: previewId,
  previewModeSigningKey: previewId,
  previewModeEncryptionKey: previewId,
}

/** An empty prerender manifest (nothing was built), fresh for each request as Next's is. */
function prerenderManifest() {
  return { version: 4, routes: {}, dynamicRoutes: {}, notFoundRoutes: [], preview: PREVIEW_PROPS }
}

/** The context `handle()` takes, with what each major reads from it. */
function handleContext(params, pattern, onClose) {
  const waitUntil = (promise) => promise.catch((error) => console.error(error))
  // `after()` callbacks run when the response is closed (Next 15 and 16).
  const afterResponse = {
    cacheLifeProfiles: CACHE_LIFE,
    waitUntil,
    onClose: (callback) => onClose.push(callback),
    onAfterTaskError: undefined,
  }
  const sharedContext = { buildId: 'migrate-serve' }
  // Next 14 and 15 read the prerender manifest and these render options.
  const dynamic = { experimental: {}, supportsDynamicResponse: true, incrementalCache: NO_CACHE }
  if (nextMajor === 14) {
    return {
      params,
      prerenderManifest: prerenderManifest(),
      renderOpts: { ...dynamic, originalPathname: pattern, waitUntil },
    }
  }
  if (nextMajor === 15) {
    return {
      params,
      prerenderManifest: prerenderManifest(),
      renderOpts: { ...dynamic, ...afterResponse },
      sharedContext,
    }
  }
  return {
    params,
    previewProps: PREVIEW_PROPS,
    renderOpts: {
      experimental: { authInterrupts: false },
      cacheComponents: false,
      isDraftMode: false,
      incrementalCache: NO_CACHE,
      ...afterResponse,
    },
    sharedContext,
  }
}

/** What Next answers to the errors `redirect()`, `notFound()`, `forbidden()` and
 * `unauthorized()` throw (recognised by their `digest`, as Next does). */
function navigationAnswer(error) {
  const digest = error && typeof error.digest === 'string' ? error.digest : ''
  if (digest.startsWith('NEXT_REDIRECT;')) {
    const parts = digest.split(';')
    const status = Number(parts[parts.length - 2]) || 307
    const location = parts.slice(2, -2).join(';')
    return new Response(null, { status, headers: { Location: location } })
  }
  if (digest.startsWith('NEXT_HTTP_ERROR_FALLBACK;')) {
    return new Response(null, { status: Number(digest.split(';')[1]) || 404 })
  }
  if (error) console.error(error)
  return null
}

/** The headers Next's server adds to a route handler's answer and removes from it. */
function withVary(response) {
  try {
    // `NextResponse` records its cookies here for middleware; Next never sends it.
    response.headers.delete('x-middleware-set-cookie')
    const vary = response.headers.get('vary')
    response.headers.set('vary', vary ? `${VARY}, ${vary}` : VARY)
    return response
  } catch {
    // Immutable headers (`Response.redirect`): answered as they are.
    return response
  }
}

// ---------------------------------------------------------------------------------------------
// Writing the answer

/** The headers a Pages handler set, as it set them (the Pages core keeps them). */
const NODE_HEADERS = Symbol.for('migrate.nodeHeaders')
const FORBIDDEN_HEADERS = ['content-length', 'content-encoding', 'transfer-encoding']

/**
 * A route handler's answer as Next sends it: from its `Headers`, which join the values of one
 * name into one line. (A `Response` made by the Pages core, as `apply`'s adapter makes one
 * inside a route handler, also carries the Node headers, one line per value; Next never sees
 * them, so neither does `send`.)
 */
function withWebHeaders(response) {
  if (!response[NODE_HEADERS]) return response
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  })
}

async function send(res, response, head) {
  res.statusCode = response.status
  if (response.statusText) res.statusMessage = response.statusText
  const nodeHeaders = response[NODE_HEADERS]
  if (nodeHeaders) {
    for (const [name, value] of nodeHeaders) res.setHeader(name, value)
  } else {
    // As Next's `sendResponse`: framing headers dropped (the body may have been decoded),
    // `set-cookie` split into lines.
    for (const [name, value] of response.headers) {
      if (name === 'set-cookie' || FORBIDDEN_HEADERS.includes(name)) continue
      res.setHeader(name, value)
    }
    const cookies = response.headers.getSetCookie()
    if (cookies.length > 0) res.setHeader('set-cookie', cookies)
  }
  if (!response.body || head) {
    res.end()
    return
  }
  await pipeline(Readable.fromWeb(response.body), res)
}
