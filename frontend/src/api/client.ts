// The one way the SPA talks to Django: same-origin session cookies, the CSRF header on
// unsafe methods, JSON in and out, and every failure turned into a typed ApiError.
import type { ApiErrorBody } from './types'

export const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const AUTH_ERROR_TYPES = new Set(['not_authenticated', 'authentication_failed'])

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
export type QueryParams = Record<string, string | number | boolean | null | undefined>

export interface RequestOptions {
  method?: HttpMethod
  body?: unknown
  query?: QueryParams
  signal?: AbortSignal
}

export class ApiError extends Error {
  readonly status: number
  readonly type: string
  readonly detail: string
  readonly fields: Record<string, string[]>
  readonly body: ApiErrorBody | null

  constructor(status: number, body: ApiErrorBody | null, fallbackDetail: string) {
    const detail = body?.detail || fallbackDetail
    super(detail)
    this.name = 'ApiError'
    this.status = status
    this.type = body?.type || (status === 0 ? 'network_error' : 'http_error')
    this.detail = detail
    this.fields = body?.fields ?? {}
    this.body = body
  }

  /** A save based on an old version (409 with `current_version`); other 409s are plain errors. */
  get isStaleVersion(): boolean {
    return this.status === 409 && this.currentVersion !== undefined
  }

  get isNotFound(): boolean {
    return this.status === 404
  }

  /** The server's version on a 409 stale-version conflict. */
  get currentVersion(): number | undefined {
    const value = this.body?.current_version
    return typeof value === 'number' ? value : undefined
  }

  /** Authentication failures send the user to the login page. */
  get isUnauthenticated(): boolean {
    // A 403 for a signed-in user without the role is a permission error, not a login problem.
    return this.status === 401 || (this.status === 403 && AUTH_ERROR_TYPES.has(this.type))
  }
}

export function loginUrl(next: string = currentPath()): string {
  return `/accounts/login/?next=${encodeURIComponent(next)}`
}

function currentPath(): string {
  const { pathname, search } = window.location
  return pathname.startsWith('/app/') ? pathname + search : '/app/'
}

let onUnauthenticated: () => void = () => window.location.assign(loginUrl())

/** Tests and embedders replace the login redirect here. */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler
}

export function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return decodeURIComponent(rest.join('='))
  }
  return null
}

/** Relative to our origin, so absolute `next` links from the paginator stay same-origin. */
export function buildUrl(path: string, query?: QueryParams): string {
  const url = new URL(path, window.location.origin)
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue
    url.searchParams.set(key, String(value))
  }
  return url.pathname + url.search
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { detail?: unknown }).detail === 'string'
  )
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text()
  if (!text) return undefined
  const type = response.headers.get('content-type') ?? ''
  if (type.includes('json')) {
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
  return text
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET'
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (options.body !== undefined) headers['Content-Type'] = 'application/json'
  if (UNSAFE_METHODS.has(method)) {
    const token = readCookie('csrftoken')
    if (token) headers['X-CSRFToken'] = token
  }

  let response: Response
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    })
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause
    throw networkError()
  }

  const body = await readBody(response)
  if (response.ok) return body as T
  throw failure(response, body)
}

/** The typed ApiError for a failed response (sending the user to log in when that is why). */
export function failure(response: Response, body: unknown): ApiError {
  const error = new ApiError(
    response.status,
    isErrorBody(body) ? body : null,
    `${response.status} ${response.statusText || 'Request failed'}`.trim(),
  )
  if (error.isUnauthenticated) onUnauthenticated()
  return error
}

export const networkError = () =>
  new ApiError(0, null, 'Cannot reach the server. Check your connection and try again.')

export const api = {
  get: <T>(path: string, query?: QueryParams, signal?: AbortSignal) =>
    request<T>(path, { query, signal }),
  post: <T>(path: string, body?: unknown) => request<T>(path, { method: 'POST', body }),
  patch: <T>(path: string, body: unknown) => request<T>(path, { method: 'PATCH', body }),
  delete: <T = void>(path: string) => request<T>(path, { method: 'DELETE' }),
}

/** Retry network blips and 5xx, never a 4xx that would fail the same way again. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false
  return failureCount < 2
}
