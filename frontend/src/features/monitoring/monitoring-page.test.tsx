import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { json, mockFetch } from '@/test/fetch'
import { me } from '@/test/fixtures'
import { renderApp } from '@/test/render'
// The route loads the page lazily; importing it here keeps Recharts' load out of the timings.
import './monitoring-page'

const counts = { queued: 0, running: 0, waiting: 0, succeeded: 0, failed: 0, cancelled: 0 }
const timeline = {
  bucket: 'hour',
  start: '2026-01-01T00:00:00Z',
  end: '2026-01-01T02:00:00Z',
  buckets: [
    { ...counts, start: '2026-01-01T00:00:00Z', succeeded: 3, failed: 1 },
    { ...counts, start: '2026-01-01T01:00:00Z', waiting: 1 },
  ],
  totals: { ...counts, succeeded: 3, failed: 1, waiting: 1, total: 5 },
  success_rate: 0.75,
}
const workflows = [
  {
    workflow: 'wf1',
    workflow_name: 'Greet new users',
    runs: 5,
    succeeded: 3,
    failed: 1,
    success_rate: 0.75,
    p50_ms: 350,
    p95_ms: 1234,
  },
]
const blocks = [{ block_type: 'http_request', steps: 4, failed: 1, p50_ms: 25, p95_ms: 38.5 }]
const nodes = [
  {
    workflow: 'wf1',
    workflow_name: 'Greet new users',
    node_id: 'call',
    block_type: 'http_request',
    failures: 1,
    last_failed_at: '2026-01-01T00:10:00Z',
    last_error: 'HTTP 502 from upstream',
  },
]
const backlog = {
  queued: 2,
  waiting: 1,
  running: 0,
  oldest_queued_at: '2026-01-01T00:00:00Z',
  next_wake_at: null,
  workflows: [
    { workflow: 'wf1', workflow_name: 'Greet new users', queued: 2, waiting: 1, running: 0 },
  ],
}

function backend(answers: Record<string, unknown>, status = 200) {
  const queries: Record<string, URLSearchParams[]> = {}
  mockFetch((url) => {
    if (url.pathname === '/api/v1/me/') return json(me)
    const name = url.pathname.match(/^\/api\/v1\/monitoring\/([\w-]+)\/$/)?.[1]
    if (!name) return undefined
    ;(queries[name] ??= []).push(url.searchParams)
    return status === 200
      ? json(answers[name])
      : json({ type: 'server_error', detail: 'Something broke.' }, status)
  })
  return queries
}

/** Milliseconds between a query's `from` and `to`. */
const spanOf = (query: URLSearchParams) =>
  Date.parse(query.get('to') ?? '') - Date.parse(query.get('from') ?? '')

const full = { timeline, workflows, blocks, 'failing-nodes': nodes, backlog }

// Recharts makes the first render slow on a busy machine.
describe('MonitoringPage', { timeout: 20_000 }, () => {
  it('shows the figures of every section, with links into the filtered runs list', async () => {
    const queries = backend(full)
    renderApp('/app/monitoring')
    const runs = await screen.findByRole('region', { name: 'Runs' })
    expect(await within(runs).findByText('75.0 %')).toBeVisible()
    expect(within(runs).getByRole('link', { name: 'Failed: 1, show the runs' })).toHaveAttribute(
      'href',
      '/app/executions?status=failed',
    )
    expect(within(runs).getByRole('figure', { name: 'Runs over time by status' })).toBeVisible()

    const perWorkflow = screen.getByRole('region', { name: 'Duration per workflow' })
    const row = (await within(perWorkflow).findAllByRole('row'))[1]
    expect(within(row).getByRole('link', { name: 'Greet new users' })).toHaveAttribute(
      'href',
      '/app/executions?workflow=wf1',
    )
    expect(
      within(row).getByRole('link', { name: '1 failed runs of Greet new users' }),
    ).toHaveAttribute('href', '/app/executions?workflow=wf1&status=failed')
    expect(within(row).getByText('350 ms')).toBeVisible()
    expect(within(row).getByText('1.23 s')).toBeVisible()

    const slow = screen.getByRole('region', { name: 'Slowest blocks' })
    expect(await within(slow).findByText('39 ms')).toBeVisible()
    const failing = screen.getByRole('region', { name: 'Most failing nodes' })
    expect(await within(failing).findByText('HTTP 502 from upstream')).toBeVisible()
    const waiting = screen.getByRole('region', { name: 'Backlog now' })
    expect(await within(waiting).findByRole('link', { name: '2 queued' })).toHaveAttribute(
      'href',
      '/app/executions?workflow=wf1&status=queued',
    )

    const asked = queries.timeline[0]
    expect(asked.get('workspace')).toBe('w1')
    expect(spanOf(asked)).toBe(86_400_000)
  })

  it('asks again for the chosen range, from the keyboard too', async () => {
    const user = userEvent.setup()
    const queries = backend(full)
    const { router } = renderApp('/app/monitoring')
    await screen.findByText('75.0 %')
    await user.click(screen.getByRole('radio', { name: '7 d' }))
    await waitFor(() => expect(queries.workflows).toHaveLength(2))
    expect(spanOf(queries.workflows[1])).toBe(7 * 86_400_000)
    expect(router.state.location.search).toBe('?range=7d')
    await user.keyboard('{ArrowRight}')
    expect(screen.getByRole('radio', { name: '30 d' })).toBeChecked()
  })

  it('says when the range holds no run', async () => {
    backend({
      timeline: { ...timeline, buckets: [], totals: { ...counts, total: 0 }, success_rate: null },
      workflows: [],
      blocks: [],
      'failing-nodes': [],
      backlog: { ...backlog, queued: 0, waiting: 0, workflows: [], oldest_queued_at: null },
    })
    renderApp('/app/monitoring?range=1h')
    const runs = await screen.findByRole('region', { name: 'Runs' })
    expect(await within(runs).findByText('Nothing in this range')).toBeVisible()
    expect(screen.getByRole('radio', { name: '1 h' })).toBeChecked()
    expect(await screen.findAllByText('Nothing in this range')).toHaveLength(4)
  })

  it('shows an error with a retry per section', async () => {
    backend(full, 500)
    renderApp('/app/monitoring')
    const runs = await screen.findByRole('region', { name: 'Runs' })
    expect(await within(runs).findByRole('button', { name: 'Try again' })).toBeVisible()
    await waitFor(() =>
      expect(screen.getAllByRole('button', { name: 'Try again' })).toHaveLength(5),
    )
  })
})
