import { afterEach, describe, expect, it, vi } from 'vitest'
import { json, mockFetch } from '@/test/fetch'
import { api, ApiError, buildUrl, loginUrl, setUnauthenticatedHandler } from './client'

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof ApiError) return error
    throw error
  }
  throw new Error('expected the request to fail')
}

describe('api client', () => {
  const redirect = vi.fn()
  setUnauthenticatedHandler(redirect)
  afterEach(() => redirect.mockReset())

  it('sends JSON with the CSRF token on unsafe methods only', async () => {
    document.cookie = 'csrftoken=tok%3D1'
    const fetch = mockFetch(() => json({ ok: true }))
    await api.patch('/api/v1/workflows/1/', { version: 2 })
    await api.get('/api/v1/me/')
    const [url, init] = fetch.mock.calls[0]
    expect(url).toBe('/api/v1/workflows/1/')
    expect(init).toMatchObject({
      method: 'PATCH',
      credentials: 'same-origin',
      body: '{"version":2}',
    })
    expect(init?.headers).toMatchObject({
      'X-CSRFToken': 'tok=1',
      'Content-Type': 'application/json',
    })
    expect(fetch.mock.calls[1][1]?.headers).not.toHaveProperty('X-CSRFToken')
  })

  it('parses a stale-version 409 into a conflict with the current version', async () => {
    mockFetch(() => json({ type: 'conflict', detail: 'Stale.', current_version: 7 }, 409))
    const error = await failure(api.patch('/api/v1/workflows/1/', { version: 6 }))
    expect(error.isStaleVersion).toBe(true)
    expect(error.currentVersion).toBe(7)
    expect(error.type).toBe('conflict')
    expect(error.message).toBe('Stale.')
  })

  it('does not mistake other 409s for a stale version', async () => {
    mockFetch(() => json({ type: 'workflow_not_published', detail: 'Not published.' }, 409))
    const error = await failure(api.post('/api/v1/workflows/1/run/', {}))
    expect(error.isStaleVersion).toBe(false)
  })

  it('exposes field errors of a validation failure', async () => {
    const fields = { 'graph.nodes[2].data.config.url': ['Enter a valid URL.'] }
    mockFetch(() => json({ type: 'validation_error', detail: 'Invalid input.', fields }, 400))
    const error = await failure(api.post('/api/v1/workflows/', {}))
    expect(error.status).toBe(400)
    expect(error.fields).toEqual(fields)
    expect(redirect).not.toHaveBeenCalled()
  })

  it('sends the user to the login page on 401 and on unauthenticated 403', async () => {
    mockFetch(() => json({ type: 'not_authenticated', detail: 'Log in.' }, 403))
    expect((await failure(api.get('/api/v1/me/'))).isUnauthenticated).toBe(true)
    mockFetch(() => json({ type: 'authentication_failed', detail: 'Bad token.' }, 401))
    await failure(api.get('/api/v1/me/'))
    expect(redirect).toHaveBeenCalledTimes(2)
  })

  it('keeps a signed-in user on the page for a permission 403', async () => {
    mockFetch(() => json({ type: 'permission_denied', detail: 'Editors only.' }, 403))
    const error = await failure(api.post('/api/v1/workflows/1/publish/'))
    expect(error.detail).toBe('Editors only.')
    expect(redirect).not.toHaveBeenCalled()
  })

  it('copes with non-JSON errors and network failures', async () => {
    mockFetch(() => ({ status: 502, body: '<html>Bad gateway</html>' }))
    const error = await failure(api.get('/api/v1/me/'))
    expect(error).toMatchObject({ status: 502, type: 'http_error', fields: {} })
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')))
    expect(await failure(api.get('/api/v1/me/'))).toMatchObject({
      status: 0,
      type: 'network_error',
    })
  })

  it('returns nothing for an empty 204', async () => {
    mockFetch(() => ({ status: 204 }))
    await expect(api.delete('/api/v1/workflows/1/')).resolves.toBeUndefined()
  })

  it('keeps paginator links same-origin and drops empty query values', () => {
    expect(buildUrl('http://backend:8000/api/v1/workflows/?page=2')).toBe(
      '/api/v1/workflows/?page=2',
    )
    expect(
      buildUrl('/api/v1/workflows/', { workspace: 'w1', search: '', ordering: '-updated_at' }),
    ).toBe('/api/v1/workflows/?workspace=w1&ordering=-updated_at')
    expect(loginUrl('/app/workflows/1')).toBe('/accounts/login/?next=%2Fapp%2Fworkflows%2F1')
  })
})
