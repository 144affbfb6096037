// Types for pages-api.js, written by `migrate apply`: see that file.

/** The old `export const config` of a Pages API route. */
export interface PagesConfig {
  api?: {
    // `boolean`: a config object literal's `false` widens to it.
    bodyParser?: boolean | { sizeLimit?: string | number }
    responseLimit?: boolean | string | number
    externalResolver?: boolean
  }
  [key: string]: unknown
}

/** Wraps a Pages Router API handler `(req, res) => void` as a route handler. */
export function pagesRoute(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handler: (req: any, res: any) => unknown,
  options?: { config?: PagesConfig },
): (request: Request, context: { params?: unknown }) => Promise<Response>

/** `req.query` as Pages built it: search params (arrays for repeated keys), route params on top. */
export function pagesQuery(
  request: Request,
  params?: Record<string, string | string[]>,
): Partial<Record<string, string | string[]>>

/**
 * `req.body` as Pages parsed it, or the `Response` Pages answered instead (400 `Invalid JSON`,
 * 413 `Body exceeded … limit`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function pagesBody(request: Request, options?: { sizeLimit?: string | number }): Promise<any>

/** `req.cookies` as Pages parsed them: values URI-decoded, the first of a repeated name wins. */
export function pagesCookies(request: Request): Partial<Record<string, string>>

/** `req.headers` as Pages handed them: Node's `IncomingMessage.headers` (lowercase names). */
export function pagesHeaders(request: Request): import('node:http').IncomingHttpHeaders
