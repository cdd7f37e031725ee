import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { json, mockFetch } from '@/test/fetch'
import { me } from '@/test/fixtures'
import { renderApp } from '@/test/render'
import type { ConnectorStatus, McpServerStatus, Series } from './api'

/** The length of the range a status request asked for, in ms. */
const span = (url: URL) =>
  Date.parse(url.searchParams.get('to') ?? '') - Date.parse(url.searchParams.get('from') ?? '')

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString()

const acme = (overrides: Partial<ConnectorStatus> = {}): ConnectorStatus => ({
  slug: 'acme',
  name: 'Acme CRM',
  icon: '',
  category: 'crm',
  figures: { calls: 40, failures: 3, rate_limited: 1, error_rate: 0.1, avg_ms: 80, p95_ms: 420 },
  last_success_at: ago(2),
  last_failure_at: ago(5),
  last_error: 'HTTP 500',
  credentials: [
    {
      id: 'c1',
      name: 'Acme OAuth',
      kind: 'oauth2_code',
      status: 'error',
      needs_reauth: true,
      expires_at: null,
      last_error: 'invalid_grant',
    },
  ],
  ...overrides,
})

const series: Series = {
  from: ago(60),
  to: ago(0),
  connector: 'acme',
  step: 'minute',
  points: [
    {
      at: ago(3),
      figures: { calls: 4, failures: 1, rate_limited: 0, error_rate: 0.25, avg_ms: 9, p95_ms: 50 },
    },
  ],
  recent_failures: [{ at: ago(5), failures: 1, rate_limited: 0, error: 'HTTP 500' }],
}

const tools: McpServerStatus = {
  server: 'tools.example.com:443',
  figures: { calls: 12, failures: 2, rate_limited: 0, error_rate: 0.1667, avg_ms: 90, p95_ms: 250 },
  last_success_at: ago(1),
  last_failure_at: ago(7),
  last_error: 'HTTP 503',
}

function backend(connectors: ConnectorStatus[] | 'error', servers: McpServerStatus[] = []) {
  const seen: URL[] = []
  const posted: string[] = []
  mockFetch((url, init) => {
    if (url.pathname === '/api/v1/me/') return json(me)
    if (url.pathname === '/api/v1/connectors/status/') {
      seen.push(url)
      if (connectors === 'error') return json({ type: 'server_error', detail: 'Boom.' }, 500)
      return json({
        from: url.searchParams.get('from'),
        to: url.searchParams.get('to'),
        connectors,
        mcp_servers: servers,
      })
    }
    if (url.pathname === '/api/v1/connectors/status/acme/series/') return json(series)
    if (init.method === 'POST') {
      posted.push(url.pathname)
      if (url.pathname === '/api/v1/credentials/c1/test/') {
        return json({ ok: false, status: 401, detail: 'GET answered HTTP 401.', elapsed_ms: 12 })
      }
    }
    return undefined
  })
  return { seen, posted }
}

// The machine running the suite may be busy: the first render can take over a second.
const SLOW = { timeout: 5000 }
const findConnector = () => screen.findByRole('button', { name: 'Acme CRM' }, SLOW)

describe('StatusPage', () => {
  it('lists each connected connector with its figures and credentials', async () => {
    const { seen } = backend([acme()])
    renderApp('/app/status')
    const row = (await findConnector()).closest('tr')
    if (!row) throw new Error('the connector is not in a table row')
    const cells = within(row)
      .getAllByRole('cell')
      .map((cell) => cell.textContent)
    expect(cells.slice(0, 5)).toEqual(['40', '3', '1', '10 %', '420 ms'])
    expect(within(row).getByText('HTTP 500')).toBeInTheDocument()
    expect(within(row).getByText('Needs re-auth')).toBeInTheDocument()
    expect(seen[0].searchParams.get('workspace')).toBe('w1')
    expect(span(seen[0])).toBe(24 * 3600_000)
  })

  it('asks again for the range chosen', async () => {
    const { seen } = backend([acme()])
    renderApp('/app/status')
    await findConnector()
    await userEvent.selectOptions(screen.getByLabelText('Time range'), '1h')
    await waitFor(() => expect(seen.length).toBe(2))
    expect(span(seen[1])).toBe(3600_000)
  })

  it('tests a credential and offers re-authentication', async () => {
    const { posted } = backend([acme()])
    renderApp('/app/status')
    await userEvent.click(await screen.findByRole('button', { name: 'Test Acme OAuth' }, SLOW))
    expect(await screen.findByText(/Test failed: GET answered HTTP 401/)).toBeInTheDocument()
    expect(posted).toEqual(['/api/v1/credentials/c1/test/'])
    expect(screen.getByRole('button', { name: 'Re-authenticate Acme OAuth' })).toBeEnabled()
  })

  it('opens the recent failures of a connector with the keyboard', async () => {
    backend([acme()])
    renderApp('/app/status')
    const logs = await screen.findByRole('button', { name: 'View logs of Acme CRM' }, SLOW)
    logs.focus()
    await userEvent.keyboard('{Enter}')
    // The chart's module (Recharts) loads on first use: slow in a cold test run.
    const heading = await screen.findByRole(
      'heading',
      { name: 'Recent failures' },
      { timeout: 10_000 },
    )
    expect(heading).toBeInTheDocument()
    expect(screen.getByRole('img', { name: /4 calls of Acme CRM, per minute/ })).toBeInTheDocument()
    expect(screen.getAllByText('HTTP 500')).toHaveLength(2) // the row and the log
  })

  it('says when nothing is connected, and shows errors', async () => {
    backend([])
    const first = renderApp('/app/status')
    expect(await screen.findByText('No connected connectors', {}, SLOW)).toBeInTheDocument()
    first.unmount()
    backend('error')
    renderApp('/app/status')
    expect(await screen.findByText('Boom.', {}, SLOW)).toBeInTheDocument()
  })

  it('lists the remote MCP servers the runs called, even with no connector', async () => {
    backend([], [tools])
    renderApp('/app/status')
    const table = await screen.findByRole(
      'table',
      { name: 'Remote MCP servers and their calls in the range' },
      SLOW,
    )
    const [, row] = within(table).getAllByRole('row')
    expect(within(row).getByRole('rowheader')).toHaveTextContent('tools.example.com:443')
    const cells = within(row)
      .getAllByRole('cell')
      .map((cell) => cell.textContent)
    expect(cells.slice(0, 5)).toEqual(['12', '2', '0', '17 %', '250 ms'])
    expect(within(row).getByText('HTTP 503')).toBeInTheDocument()
    expect(screen.queryByText('No connected connectors')).toBeNull()
    expect(screen.queryByRole('table', { name: /Connected connectors/ })).toBeNull()
  })
})
