// Pages Router API semantics for App Router route handlers.
//
// Written by `migrate apply`. Each `route` file that imports
// `pagesRoute` from here still holds its Pages Router handler, unchanged: this module gives that
// handler the `req` and `res` it was written for (a Node stream with `query`, `cookies` and a
// parsed `body`; a response with `status`, `json`, `send`, `redirect`, `setHeader`, `write`,
// `end`, …) and turns what it writes into the `Response` a route handler returns.
//
// It follows Next.js 16's own Pages API code (`api-resolver.js`, `parse-body.js`, `etag.js`),
// including its small helpers (`cookie`, `content-type`, `fresh`, `bytes`), so the migrated
// endpoints answer as before. Differences a route handler cannot avoid: Next answers HEAD and
// OPTIONS itself for methods a route does not export, and sends bodies chunked (no
// `Content-Length`).
//
// To retire it: rewrite each importing route with `Request`/`Response` (`migrate check` lists
// them), then delete this folder.

import { Readable, Writable } from 'node:stream'
import querystring from 'node:querystring'

/**
 * Wraps a Pages Router API handler `(req, res) => void` as a route handler
 * `(request, context) => Promise<Response>`.
 *
 * `options.config` is the handler's old `export const config` (`api.bodyParser`,
 * `api.responseLimit`).
 */
export function pagesRoute(handler, options = {}) {
  const config = options.config || {}
  return async function route(request, context) {
    // `params` is a Promise from Next 15 and a plain object before: awaiting serves both.
    const params = (context && (await context.params)) || {}
    return runPagesHandler(handler, request, params, config)
  }
}

/**
 * Runs `handler` on `request` as Next's `apiResolver` would, and resolves to the response.
 *
 * `host` is for a server that runs Pages handlers outside the App Router (`migrate serve`):
 * `previewModeId` makes `res.setDraftMode`/`res.clearPreviewData` set Pages' cookies, and
 * `revalidate(path)` stands for `res.revalidate`. Inside a route handler (the adapter) both are
 * the App Router's business instead.
 */
export function runPagesHandler(handler, request, params, config = {}, host = {}) {
  return new Promise((resolve) => {
    const res = new PagesResponse(request, resolve, config)
    res.host = host
    serve(handler, request, params, config, res)
  })
}

async function serve(handler, request, params, config, res) {
  const api = config.api || {}
  try {
    const req = await pagesRequest(request, params, api)
    res.req = req
    await handler(req, res)
  } catch (error) {
    if (error instanceof ApiError) {
      sendError(res, error.statusCode, error.message)
    } else {
      console.error(error)
      sendError(res, 500, 'Internal Server Error')
    }
  }
}

/**
 * `req.query` as Pages built it: the search params (repeated keys as arrays, `?a` as "") with
 * the route params on top.
 */
export function pagesQuery(request, params) {
  return { ...searchQuery(new URL(request.url)), ...(params || {}) }
}

/** `req.cookies` as Pages parsed them: the `Cookie` header, values URI-decoded, first wins. */
export function pagesCookies(request) {
  return parseCookies(request.headers.get('cookie'))
}

/** `req.headers` as Pages handed them: Node's `IncomingMessage.headers`, as `req.headers` of
 * `pagesRoute` is built. */
export function pagesHeaders(request) {
  return nodeHeaders(request.headers)
}

/**
 * `req.body` as Pages parsed it (by content type, under `sizeLimit`, `'1mb'` by default), or
 * the `Response` Pages answered instead (400 `Invalid JSON`, 413 `Body exceeded … limit`).
 */
export async function pagesBody(request, options = {}) {
  const limit = options.sizeLimit || '1mb'
  try {
    return await parseBody(request, limit)
  } catch (error) {
    if (!(error instanceof ApiError)) throw error
    return new Response(new TextEncoder().encode(error.message), {
      status: error.statusCode,
      statusText: error.message,
    })
  }
}

// ---------------------------------------------------------------------------------------------
// The request

/** Pages re-serializes the query the way `URLSearchParams` does (`?a&b=%20` → `?a=&b=+`). */
function searchString(url) {
  return new URLSearchParams(url.search).toString()
}

/** What `querystring` reads back from it: repeated keys as arrays, `+` as a space, malformed
 * escapes kept. */
function searchQuery(url) {
  return querystring.parse(searchString(url))
}

class ApiError extends Error {
  constructor(statusCode, message) {
    super(message)
    this.statusCode = statusCode
  }
}

async function pagesRequest(request, params, api) {
  const url = new URL(request.url)
  const query = searchString(url)
  const bodyParser = api.bodyParser !== false
  let body
  let stream
  if (bodyParser) {
    const limit = (api.bodyParser && api.bodyParser.sizeLimit) || '1mb'
    body = await parseBody(request, limit)
    stream = Readable.from([])
  } else {
    stream = request.body ? Readable.fromWeb(request.body) : Readable.from([])
  }
  const req = stream
  const headers = nodeHeaders(request.headers)
  req.method = request.method
  req.url = url.pathname + (query ? `?${query}` : '')
  req.headers = headers
  req.rawHeaders = Object.entries(headers).flatMap(([name, value]) =>
    Array.isArray(value) ? value.flatMap((v) => [name, v]) : [name, value],
  )
  req.httpVersion = '1.1'
  req.httpVersionMajor = 1
  req.httpVersionMinor = 1
  // Route params win over search params of the same name, as in Pages.
  req.query = pagesQuery(request, params)
  req.body = body
  lazy(req, 'cookies', () => parseCookies(headers.cookie))
  lazy(req, 'previewData', () => false)
  lazy(req, 'preview', () => undefined)
  lazy(req, 'draftMode', () => undefined)
  return req
}

function lazy(object, name, compute) {
  Object.defineProperty(object, name, {
    configurable: true,
    enumerable: true,
    get() {
      const value = compute()
      Object.defineProperty(object, name, { configurable: true, enumerable: true, writable: true, value })
      return value
    },
    set(value) {
      Object.defineProperty(object, name, { configurable: true, enumerable: true, writable: true, value })
    },
  })
}

/** Node's `IncomingMessage.headers`: lowercase names, `set-cookie` as an array. */
function nodeHeaders(headers) {
  const out = {}
  headers.forEach((value, name) => {
    out[name] = name === 'set-cookie' ? headers.getSetCookie() : value
  })
  return out
}

/** The `cookie` package's `parse`, as Next uses it: first value wins, values URI-decoded. */
function parseCookies(header) {
  const cookies = {}
  if (!header) return cookies
  for (const pair of header.split(/; */)) {
    const eq = pair.indexOf('=')
    if (eq < 0) continue
    const name = pair.slice(0, eq).trim()
    let value = pair.slice(eq + 1).trim()
    if (value[0] === '"') value = value.slice(1, -1)
    if (cookies[name] === undefined) {
      try {
        cookies[name] = decodeURIComponent(value)
      } catch {
        cookies[name] = value
      }
    }
  }
  return cookies
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const PARAM =
  /; *([!#$%&'*+.^_`|~0-9A-Za-z-]+) *= *("(?:[\u000b\u0020\u0021\u0023-\u005b\u005d-\u007e\u0080-\u00ff]|\\[\u000b\u0020-\u00ff])*"|[!#$%&'*+.^_`|~0-9A-Za-z-]+) */g

/** The `content-type` package's `parse`; `null` where it would throw. */
function parseContentType(header) {
  const semicolon = header.indexOf(';')
  const type = (semicolon === -1 ? header : header.slice(0, semicolon)).trim()
  if (!TOKEN.test(type)) return null
  const parameters = {}
  if (semicolon !== -1) {
    PARAM.lastIndex = semicolon
    let match
    let end = semicolon
    while ((match = PARAM.exec(header))) {
      if (match.index !== end) return null
      end += match[0].length
      let value = match[2]
      if (value[0] === '"') value = value.slice(1, -1).replace(/\\([\u000b\u0020-\u00ff])/g, '$1')
      parameters[match[1].toLowerCase()] = value
    }
    if (end !== header.length) return null
  }
  return { type: type.toLowerCase(), parameters }
}

/** Next's `parseBody`: the whole body under `limit`, converted by media type. */
async function parseBody(request, limit) {
  const contentType = parseContentType(request.headers.get('content-type') || 'text/plain') ||
    parseContentType('text/plain')
  const encoding = contentType.parameters.charset || 'utf-8'
  const bytes = await readLimited(request, parseBytes(limit), limit)
  let text
  try {
    text = new TextDecoder(encoding).decode(bytes)
  } catch {
    throw new ApiError(400, 'Invalid body')
  }
  const { type } = contentType
  if (type === 'application/json' || type === 'application/ld+json') {
    if (text.length === 0) return {}
    try {
      return JSON.parse(text)
    } catch {
      throw new ApiError(400, 'Invalid JSON')
    }
  }
  if (type === 'application/x-www-form-urlencoded') return querystring.decode(text)
  return text
}

async function readLimited(request, max, limit) {
  if (!request.body) return new Uint8Array(0)
  const declared = Number(request.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > max) throw new ApiError(413, `Body exceeded ${limit} limit`)
  const chunks = []
  let length = 0
  try {
    for await (const chunk of request.body) {
      length += chunk.byteLength
      if (length > max) throw new ApiError(413, `Body exceeded ${limit} limit`)
      chunks.push(chunk)
    }
  } catch (error) {
    if (error instanceof ApiError) throw error
    throw new ApiError(400, 'Invalid body')
  }
  return Buffer.concat(chunks, length)
}

const UNITS = { b: 1, kb: 1 << 10, mb: 1 << 20, gb: 1 << 30, tb: 1024 ** 4, pb: 1024 ** 5 }

/** The `bytes` package's `parse` (`'1mb'` is 1,048,576 bytes; a number is bytes). */
function parseBytes(value) {
  if (typeof value === 'number') return value
  const match = /^((-|\+)?(\d+(?:\.\d+)?)) *(kb|mb|gb|tb|pb)$/i.exec(value)
  if (!match) return Number.parseInt(value, 10)
  return Math.floor(UNITS[match[4].toLowerCase()] * Number.parseFloat(match[1]))
}

// ---------------------------------------------------------------------------------------------
// The response

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304])
const NODE_HEADERS = Symbol.for('migrate.nodeHeaders')

/**
 * A Node `ServerResponse` look-alike with Next's Pages helpers. It is a `Writable`, so streams
 * can be piped into it; the `Response` is handed over as soon as the headers are sent (the
 * first `write` or `end`), and what is written later streams into its body.
 */
class PagesResponse extends Writable {
  constructor(request, resolve, config) {
    super()
    this.statusCode = 200
    this.statusMessage = undefined
    this.headersSent = false
    this.request = request
    this.resolveResponse = resolve
    this.headerMap = new Map()
    this.controller = null
    this.discardBody = false
    // A write after `end()` is an error event on a Node response too; Pages never crashes on it.
    this.on('error', () => {})
  }

  // Headers ------------------------------------------------------------------------------------

  // Next patches every response's `setHeader` (`patchSetHeaderWithCookieSupport`): once the
  // headers are sent it does nothing, and a `Set-Cookie` list is copied without exact
  // duplicates (so a helper that pushes onto `getHeader('Set-Cookie')` and sets it again, as
  // NextAuth's `getServerSession` does, sends each cookie once).
  setHeader(name, value) {
    if (this.headersSent) return this
    const key = name.toLowerCase()
    if (key === 'set-cookie') {
      value = [...new Set(typeof value === 'string' ? [value] : Array.isArray(value) ? value : [])]
    }
    this.headerMap.set(key, [name, value])
    return this
  }

  appendHeader(name, value) {
    const previous = this.getHeader(name)
    const list = previous === undefined ? [] : Array.isArray(previous) ? previous : [previous]
    return this.setHeader(name, list.concat(value))
  }

  getHeader(name) {
    const entry = this.headerMap.get(String(name).toLowerCase())
    return entry && entry[1]
  }

  getHeaders() {
    const headers = Object.create(null)
    for (const [key, [, value]] of this.headerMap) headers[key] = value
    return headers
  }

  getHeaderNames() {
    return [...this.headerMap.keys()]
  }

  hasHeader(name) {
    return this.headerMap.has(String(name).toLowerCase())
  }

  removeHeader(name) {
    if (this.headersSent) throw headersSentError('remove')
    this.headerMap.delete(String(name).toLowerCase())
  }

  writeHead(statusCode, message, headers) {
    if (typeof message !== 'string') {
      headers = message
      message = undefined
    }
    this.statusCode = statusCode
    if (message !== undefined) this.statusMessage = message
    if (Array.isArray(headers)) {
      for (let i = 0; i + 1 < headers.length; i += 2) this.appendHeader(headers[i], headers[i + 1])
    } else if (headers) {
      for (const name of Object.keys(headers)) this.setHeader(name, headers[name])
    }
    this.sendHeaders()
    return this
  }

  flushHeaders() {
    this.sendHeaders()
  }

  get finished() {
    return this.writableEnded
  }

  // Body ---------------------------------------------------------------------------------------

  write(chunk, encoding, callback) {
    this.sendHeaders()
    return super.write(chunk, encoding, callback)
  }

  end(chunk, encoding, callback) {
    if (this.writableEnded) {
      if (typeof chunk === 'function') chunk()
      return this
    }
    this.sendHeaders()
    return super.end(chunk, encoding, callback)
  }

  _write(chunk, encoding, callback) {
    if (!this.discardBody && chunk.length > 0) this.controller.enqueue(new Uint8Array(chunk))
    callback()
  }

  _final(callback) {
    if (this.controller) this.controller.close()
    callback()
  }

  /** Hands the `Response` over: status, status text and headers are fixed from here on. */
  sendHeaders() {
    if (this.headersSent) return
    const headers = new Headers()
    for (const [, [name, value]] of this.headerMap) {
      for (const item of Array.isArray(value) ? value : [value]) headers.append(name, String(item))
    }
    let body = null
    if (NULL_BODY_STATUSES.has(this.statusCode)) {
      this.discardBody = true
    } else {
      body = new ReadableStream({
        start: (controller) => {
          this.controller = controller
        },
      })
    }
    const init = { status: this.statusCode, headers }
    if (this.statusMessage !== undefined) init.statusText = this.statusMessage
    // Throws on a status or header Node would refuse too; the handler's error then answers 500.
    const response = new Response(body, init)
    // The headers as Node would write them (an array value as one line per item), for
    // `migrate serve`, which answers through a Node response; a `Headers` joins them.
    Object.defineProperty(response, NODE_HEADERS, {
      value: [...this.headerMap.values()].map(([name, value]) =>
        Array.isArray(value) ? [name, value.map(String)] : [name, String(value)],
      ),
    })
    this.headersSent = true
    this.resolveResponse(response)
  }

  // Next's Pages helpers -----------------------------------------------------------------------

  status(statusCode) {
    this.statusCode = statusCode
    return this
  }

  send(body) {
    sendData(this, body)
    return this
  }

  json(body) {
    this.setHeader('Content-Type', JSON_CONTENT_TYPE)
    this.send(JSON.stringify(body))
    return this
  }

  redirect(statusOrUrl, url) {
    if (typeof statusOrUrl === 'string') {
      url = statusOrUrl
      statusOrUrl = 307
    }
    if (typeof statusOrUrl !== 'number' || typeof url !== 'string') {
      throw new Error(
        "Invalid redirect arguments. Please use a single argument URL, e.g. res.redirect('/destination') or use a status code and URL, e.g. res.redirect(307, '/destination').",
      )
    }
    this.writeHead(statusOrUrl, { Location: url })
    this.write(url)
    this.end()
    return this
  }

  async revalidate(urlPath) {
    if (typeof urlPath !== 'string' || !urlPath.startsWith('/')) {
      throw new Error(
        `Invalid urlPath provided to revalidate(), must be a path e.g. /blog/post-1, received ${urlPath}`,
      )
    }
    if (this.host && this.host.revalidate) return this.host.revalidate(urlPath)
    // The App Router's on-demand revalidation of the same path.
    const { revalidatePath } = await import('next/cache')
    revalidatePath(urlPath)
  }

  /** Pages' draft mode cookie (`api-utils`'s `setDraftMode`), where the host has a preview id. */
  setDraftMode(options = {}) {
    if (!this.host || !this.host.previewModeId) {
      throw new Error('res.setDraftMode() is not available here: use draftMode() from next/headers')
    }
    this.appendPreviewCookies([['__prerender_bypass', this.host.previewModeId]], !options.enable)
    return this
  }

  setPreviewData() {
    throw new Error('res.setPreviewData() is not available in the App Router: use draftMode()')
  }

  /** Both preview cookies, expired (`clearPreviewData`). */
  clearPreviewData() {
    if (!this.host || !this.host.previewModeId) {
      throw new Error('res.clearPreviewData() is not available in the App Router: use draftMode()')
    }
    this.appendPreviewCookies(
      [
        ['__prerender_bypass', ''],
        ['__next_preview_data', ''],
      ],
      true,
    )
    return this
  }

  /** Adds `Set-Cookie` lines as Next's `cookie.serialize` writes them for preview cookies. */
  appendPreviewCookies(cookies, expired) {
    const previous = this.getHeader('Set-Cookie')
    const list = typeof previous === 'string' ? [previous] : Array.isArray(previous) ? previous : []
    const expires = expired ? '; Expires=Thu, 01 Jan 1970 00:00:00 GMT' : ''
    for (const [name, value] of cookies) {
      list.push(`${name}=${value}; Path=/${expires}; HttpOnly; Secure; SameSite=None`)
    }
    this.setHeader('Set-Cookie', list)
  }
}

function headersSentError(action) {
  const error = new Error(`Cannot ${action} headers after they are sent to the client`)
  error.code = 'ERR_HTTP_HEADERS_SENT'
  return error
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8'

/** Next's `sendData`: status-less bodies, streams, ETag and 304, Buffers, JSON, strings. */
function sendData(res, body) {
  if (body === null || body === undefined) {
    res.end()
    return
  }
  if (res.statusCode === 204 || res.statusCode === 304) {
    res.removeHeader('Content-Type')
    res.removeHeader('Content-Length')
    res.removeHeader('Transfer-Encoding')
    res.end()
    return
  }
  const contentType = res.getHeader('Content-Type')
  if (body instanceof Readable || (body && typeof body.pipe === 'function')) {
    if (!contentType) res.setHeader('Content-Type', 'application/octet-stream')
    body.pipe(res)
    return
  }
  const isJsonLike = ['object', 'number', 'boolean'].includes(typeof body)
  const text = isJsonLike ? JSON.stringify(body) : body
  const etag = generateETag(text)
  res.setHeader('ETag', etag)
  if (fresh(res.req ? res.req.headers : {}, { etag })) {
    res.statusCode = 304
    res.end()
    return
  }
  if (Buffer.isBuffer(body)) {
    if (!contentType) res.setHeader('Content-Type', 'application/octet-stream')
    res.setHeader('Content-Length', body.length)
    res.end(body)
    return
  }
  if (isJsonLike) res.setHeader('Content-Type', JSON_CONTENT_TYPE)
  res.setHeader('Content-Length', Buffer.byteLength(text))
  res.end(text)
}

function sendError(res, statusCode, message) {
  if (res.headersSent) {
    res.end()
    return
  }
  res.statusCode = statusCode
  res.statusMessage = message
  res.end(message)
}

/** Next's strong ETag: FNV-1a (52 bits) of the payload, then its length, both base 36. */
function generateETag(payload) {
  return `"${fnv1a52(payload).toString(36)}${payload.length.toString(36)}"`
}

function fnv1a52(str) {
  const len = str.length
  let i = 0
  let t0 = 0
  let v0 = 0x2325
  let t1 = 0
  let v1 = 0x8422
  let t2 = 0
  let v2 = 0x9ce4
  let t3 = 0
  let v3 = 0xcbf2
  while (i < len) {
    v0 ^= str.charCodeAt(i++)
    t0 = v0 * 435
    t1 = v1 * 435
    t2 = v2 * 435
    t3 = v3 * 435
    t2 += v0 << 8
    t3 += v1 << 8
    t1 += t0 >>> 16
    v0 = t0 & 65535
    t2 += t1 >>> 16
    v1 = t1 & 65535
    v3 = (t3 + (t2 >>> 16)) & 65535
    v2 = t2 & 65535
  }
  return (v3 & 15) * 281474976710656 + v2 * 4294967296 + v1 * 65536 + (v0 ^ (v3 >> 4))
}

/** The `fresh` package: is the client's cached copy (`If-None-Match`) still good? */
function fresh(requestHeaders, responseHeaders) {
  const modifiedSince = requestHeaders['if-modified-since']
  const noneMatch = requestHeaders['if-none-match']
  if (!modifiedSince && !noneMatch) return false
  const cacheControl = requestHeaders['cache-control']
  if (cacheControl && /(?:^|,)\s*?no-cache\s*?(?:,|$)/.test(cacheControl)) return false
  if (noneMatch && noneMatch !== '*') {
    const etag = responseHeaders.etag
    if (!etag) return false
    const matches = noneMatch.split(',').map((token) => token.trim())
    if (!matches.some((m) => m === etag || m === `W/${etag}` || `W/${m}` === etag)) return false
  }
  if (modifiedSince) {
    const lastModified = responseHeaders['last-modified']
    if (!lastModified || !(Date.parse(lastModified) <= Date.parse(modifiedSince))) return false
  }
  return true
}
