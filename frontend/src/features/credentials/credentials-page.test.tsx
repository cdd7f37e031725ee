import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Credential } from '@/api/types'
import { json, mockFetch } from '@/test/fetch'
import { me } from '@/test/fixtures'
import { renderApp } from '@/test/render'
import { credential } from './test-fixtures'

const soon = new Date(Date.now() + 3 * 24 * 3600_000).toISOString()

function backend(initial: Credential[], meOverride = me) {
  let credentials = [...initial]
  const sent: { method: string; path: string; body: unknown }[] = []
  mockFetch((url, init) => {
    const method = init.method ?? 'GET'
    if (method !== 'GET') {
      const body = init.body ? (JSON.parse(String(init.body)) as unknown) : null
      sent.push({ method, path: url.pathname, body })
    }
    if (url.pathname === '/api/v1/me/') return json(meOverride)
    if (url.pathname === '/api/v1/credentials/') {
      return json({ count: credentials.length, next: null, previous: null, results: credentials })
    }
    if (url.pathname === '/api/v1/credentials/c1/usage/') {
      return json([{ id: 'wf1', name: 'Sync issues', status: 'published' }])
    }
    if (url.pathname === '/api/v1/credentials/c2/usage/') return json([])
    if (url.pathname === '/api/v1/credentials/c1/test/') {
      return json({ ok: true, status: 200, detail: 'HTTP 200', elapsed_ms: 40 })
    }
    if (url.pathname === '/api/v1/credentials/c2/oauth/start/') {
      return json({ authorization_url: 'http://127.0.0.1:9/authorize?state=s' })
    }
    if (url.pathname === '/api/v1/credentials/c2/' && method === 'GET') {
      return json(credentials.find((c) => c.id === 'c2'))
    }
    if (url.pathname === '/api/v1/credentials/c1/' && method === 'PATCH') {
      return json(credentials[0])
    }
    const match = /^\/api\/v1\/credentials\/(\w+)\/$/.exec(url.pathname)
    if (match && method === 'DELETE') {
      credentials = credentials.filter((c) => c.id !== match[1])
      return { status: 204 }
    }
    return undefined
  })
  return sent
}

const rows = () => [
  credential({ last_used_at: new Date(Date.now() - 3 * 3600_000).toISOString() }),
  credential({
    id: 'c2',
    name: 'Gmail',
    kind: 'oauth2_code',
    connector: 'gmail',
    status: 'error',
    needs_reauth: true,
    secret_fields: ['client_secret', 'access_token', 'refresh_token'],
  }),
  credential({ id: 'c3', name: 'Stripe', connector: '', status: 'warning', expires_at: soon }),
]

describe('CredentialsPage', () => {
  it('lists kind, connector, status and last use', async () => {
    backend(rows())
    renderApp('/app/credentials')
    const table = await screen.findByRole('table')
    const [, github, gmail, stripe] = within(table).getAllByRole('row')
    expect(within(github).getByText('API key')).toBeInTheDocument()
    expect(within(github).getByText('github')).toBeInTheDocument()
    expect(within(github).getByText('Connected')).toBeInTheDocument()
    expect(within(github).getByText('3 hours ago')).toBeInTheDocument()
    expect(within(gmail).getByText('Needs re-auth')).toBeInTheDocument()
    expect(within(gmail).getByRole('button', { name: 'Reconnect Gmail' })).toBeInTheDocument()
    expect(within(gmail).queryByRole('button', { name: /Replace secret/ })).toBeNull()
    expect(within(stripe).getByText('Expires soon')).toBeInTheDocument()
    expect(within(stripe).getByText(/Expires in (3|2) days/)).toBeInTheDocument()
    expect(within(stripe).getByText('Generic')).toBeInTheDocument()
    expect(within(stripe).getByText('Never')).toBeInTheDocument()
  })

  it('lists the workflows that use a credential before deleting it', async () => {
    const user = userEvent.setup()
    const sent = backend(rows())
    renderApp('/app/credentials')
    await user.click(await screen.findByRole('button', { name: 'Delete GitHub' }))
    const dialog = screen.getByRole('alertdialog', { name: 'Delete GitHub?' })
    const used = await within(dialog).findByRole('list', {
      name: 'Workflows using this credential',
    })
    expect(within(used).getByRole('link', { name: 'Sync issues' })).toHaveAttribute(
      'href',
      '/app/workflows/wf1',
    )
    expect(within(dialog).getByText(/1 workflow uses/)).toBeInTheDocument()
    await user.click(within(dialog).getByRole('button', { name: 'Delete anyway' }))
    await waitFor(() => expect(screen.queryByText('GitHub')).not.toBeInTheDocument())
    expect(sent).toContainEqual({ method: 'DELETE', path: '/api/v1/credentials/c1/', body: null })
  })

  it('replaces a secret through a masked form and tests the connection', async () => {
    const user = userEvent.setup()
    const sent = backend(rows())
    renderApp('/app/credentials')
    await user.click(await screen.findByRole('button', { name: 'Test GitHub' }))
    expect(await screen.findByText('Connection works: HTTP 200')).toBeInTheDocument()

    await user.click(screen.getByRole('button', { name: 'Replace secret of GitHub' }))
    const dialog = screen.getByRole('dialog', { name: 'Replace secret of GitHub' })
    const input = within(dialog).getByLabelText('API key')
    expect(input).toHaveAttribute('type', 'password')
    expect(input).toHaveValue('')
    expect(input).toHaveFocus()
    await user.type(input, 'sk_new_value')
    await user.click(within(dialog).getByRole('button', { name: 'Save secret' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument())
    expect(sent).toContainEqual({
      method: 'PATCH',
      path: '/api/v1/credentials/c1/',
      body: { secret: { api_key: 'sk_new_value' } },
    })
  })

  it('shows viewers no actions, and an empty workspace says so', async () => {
    const viewer = { ...me, workspaces: me.workspaces.map((w) => ({ ...w, role: 'viewer' })) }
    backend(rows(), viewer)
    const first = renderApp('/app/credentials')
    await screen.findByRole('table')
    expect(screen.queryByRole('button', { name: /Delete/ })).toBeNull()
    first.unmount()

    backend([], viewer)
    renderApp('/app/credentials')
    expect(await screen.findByText('No credentials yet')).toBeInTheDocument()
    // A viewer cannot connect an account: no button that leads nowhere.
    expect(screen.queryByRole('link', { name: /Browse connectors/ })).toBeNull()
  })

  it('sends an editor with no credential to the connectors', async () => {
    backend([])
    renderApp('/app/credentials')
    const link = await screen.findByRole('link', { name: /Browse connectors/ })
    expect(link).toHaveAttribute('href', '/app/connectors')
  })

  it('reports the outcome of an OAuth consent', async () => {
    backend(rows())
    renderApp('/app/credentials?oauth=failed&detail=access_denied')
    expect(await screen.findByText('Connecting the account failed: access_denied')).toBeVisible()
  })

  describe('Reconnect', () => {
    afterEach(() => vi.unstubAllGlobals())

    it('runs the consent in a popup that returns to the app, and can stop waiting', async () => {
      const user = userEvent.setup()
      const popup = { location: { href: '' }, close: vi.fn() }
      const open = vi.fn(() => popup)
      vi.stubGlobal('open', open)
      const sent = backend(rows())
      renderApp('/app/credentials')
      await user.click(await screen.findByRole('button', { name: 'Reconnect Gmail' }))
      const stop = await screen.findByRole('button', {
        name: 'Stop waiting for the sign-in of Gmail',
      })
      expect(open).toHaveBeenCalledOnce()
      await waitFor(() => expect(popup.location.href).toBe('http://127.0.0.1:9/authorize?state=s'))
      expect(sent).toContainEqual({
        method: 'POST',
        path: '/api/v1/credentials/c2/oauth/start/',
        body: { return_to: '/app/oauth/return' },
      })
      expect(screen.getByRole('heading', { name: 'Credentials' })).toBeVisible() // the page stays

      await user.click(stop)
      expect(await screen.findByText('Sign-in stopped before access was granted.')).toBeVisible()
      expect(popup.close).toHaveBeenCalled()
      expect(screen.getByRole('button', { name: 'Reconnect Gmail' })).toBeEnabled()
    })

    it('says so when the browser blocks the popup', async () => {
      const user = userEvent.setup()
      vi.stubGlobal(
        'open',
        vi.fn(() => null),
      )
      const sent = backend(rows())
      renderApp('/app/credentials')
      await user.click(await screen.findByRole('button', { name: 'Reconnect Gmail' }))
      expect(await screen.findByText(/blocked the sign-in window/)).toBeVisible()
      expect(sent.filter((call) => call.path.includes('oauth'))).toEqual([])
    })
  })
})
