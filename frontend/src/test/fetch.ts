// A tiny fetch stand-in: route table in, Response out. Records every call for assertions.
import { vi } from 'vitest'

export interface FakeResponse {
  status?: number
  body?: unknown
  headers?: Record<string, string>
}

export type Route = (url: URL, init: RequestInit) => FakeResponse | undefined

export function json(body: unknown, status = 200): FakeResponse {
  return { status, body }
}

/** fetch(url, init) from client.ts or fetch(Request) from the typed client, as one shape. */
async function normalise(input: RequestInfo | URL, init: RequestInit): Promise<[URL, RequestInit]> {
  if (input instanceof Request) {
    const body = input.method === 'GET' || input.method === 'HEAD' ? undefined : await input.text()
    const headers = Object.fromEntries(input.headers.entries())
    return [new URL(input.url), { method: input.method, headers, body: body || undefined }]
  }
  return [new URL(String(input), window.location.origin), init]
}

export function mockFetch(route: Route) {
  const spy = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const [url, request] = await normalise(input, init)
    const answer = route(url, request) ?? {
      status: 404,
      body: { type: 'not_found', detail: 'Not found.' },
    }
    const status = answer.status ?? 200
    const text =
      answer.body === undefined
        ? ''
        : typeof answer.body === 'string'
          ? answer.body
          : JSON.stringify(answer.body)
    const contentType = typeof answer.body === 'string' ? 'text/html' : 'application/json'
    return new Response(status === 204 ? null : text, {
      status,
      headers: { 'content-type': contentType, ...answer.headers },
    })
  })
  vi.stubGlobal('fetch', spy)
  return spy
}
