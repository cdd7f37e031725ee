// The OpenAPI-typed client (openapi-fetch over the generated schema) for new code: paths,
// parameters and answers are checked against the server's published contract. Same rules as
// client.ts: session cookie, CSRF header on unsafe methods, failures as ApiError.
import createClient, { type Middleware } from 'openapi-fetch'
import { failure, networkError, readCookie, UNSAFE_METHODS } from './client'
import type { paths } from './generated/schema'

const csrf: Middleware = {
  onRequest({ request }) {
    if (UNSAFE_METHODS.has(request.method)) {
      const token = readCookie('csrftoken')
      if (token) request.headers.set('X-CSRFToken', token)
    }
    return request
  },
}

export const typedApi = createClient<paths>({
  baseUrl: window.location.origin,
  credentials: 'same-origin',
  headers: { Accept: 'application/json' },
  // Looked up per call, so a stubbed fetch (tests) is the one used.
  fetch: (request) => globalThis.fetch(request),
})
typedApi.use(csrf)

interface FetchResult<T> {
  data?: T
  error?: unknown
  response: Response
}

/** The answer's data, or the typed ApiError of a failure. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>
  try {
    result = await call
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause
    throw networkError()
  }
  if (result.response.ok) return result.data as T
  throw failure(result.response, result.error)
}

/** The `cursor` of a paginator's next/previous link, for the typed query parameters. */
export function cursorOf(link: string | null | undefined): string | undefined {
  if (!link) return undefined
  return new URL(link, window.location.origin).searchParams.get('cursor') ?? undefined
}
