// The node panel's run tools: Test this node with pinned data, and Re-run from a failed node.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { json, mockFetch, type Route } from '@/test/fetch'
import { catalog, execution, executionDetail, me, step, workflow } from '@/test/fixtures'
import { renderApp } from '@/test/render'
import { loadPinned } from './pinned-data'
import { useCanvasStore } from './store'

function backend(extra: Route) {
  return mockFetch((url, init) => {
    const answer = extra(url, init)
    if (answer) return answer
    if (url.pathname === '/api/v1/me/') return json(me)
    if (url.pathname === '/api/v1/blocks/') return json(catalog)
    if (url.pathname === '/api/v1/workflows/wf1/') return json(workflow())
    return undefined
  })
}

async function openPanel(nodeId: string) {
  renderApp('/app/workflows/wf1')
  await screen.findByTestId(`node-${nodeId}`)
  act(() => useCanvasStore.getState().select(nodeId))
  return screen.findByRole('complementary', { name: 'Node settings' })
}

const page = (results: unknown[]) =>
  json({ count: results.length, next: null, previous: null, results })

describe('node run tools', () => {
  beforeAll(() => import('./editor-page'), 30_000)
  beforeEach(() => localStorage.clear())

  it('tests one node against pinned data, refusing invalid JSON at the field', async () => {
    const user = userEvent.setup()
    const bodies: unknown[] = []
    backend((url, init) => {
      if (url.pathname !== '/api/v1/workflows/wf1/test-node/' || init.method !== 'POST') return
      bodies.push(JSON.parse(String(init.body)))
      return json({
        status: 'succeeded',
        output: { routed: 'true' },
        error: null,
        started_at: '2026-01-01T10:00:00.000Z',
        finished_at: '2026-01-01T10:00:00.250Z',
      })
    })
    const panel = await openPanel('check')
    await user.click(within(panel).getByText('Test this node'))
    const field = within(panel).getByLabelText('Pinned data (JSON)')
    fireEvent.change(field, { target: { value: '{"nodes": ' } })
    expect(within(panel).getByRole('alert')).toHaveTextContent(/Invalid JSON/)
    expect(field).toHaveAttribute('aria-invalid', 'true')
    expect(within(panel).getByRole('button', { name: 'Test node' })).toBeDisabled()
    // Kept as typed, never silently dropped.
    expect(loadPinned('wf1', 'check')).toBe('{"nodes": ')

    fireEvent.change(field, { target: { value: '{"nodes": {"hook": {"body": {"ok": true}}}}' } })
    await user.click(within(panel).getByRole('button', { name: 'Test node' }))
    const result = await within(panel).findByRole('region', { name: 'Test result' })
    expect(bodies).toEqual([
      { node_id: 'check', pinned: { nodes: { hook: { body: { ok: true } } } } },
    ])
    expect(within(result).getByText('Succeeded')).toBeInTheDocument()
    expect(within(result).getByText(/"routed": "true"/)).toBeInTheDocument()
    expect(within(result).getByText(/250 ms/)).toBeInTheDocument()
  })

  it('re-runs the watched run from its failed node and follows the new run', async () => {
    const user = userEvent.setup()
    const reruns: unknown[] = []
    const failed = [
      step(),
      step({
        id: 2,
        key: 'check',
        node_id: 'check',
        block_type: 'condition',
        status: 'failed',
        error: { message: 'boom' },
      }),
    ]
    backend((url, init) => {
      if (url.pathname === '/api/v1/workflows/wf1/run/')
        return json(execution({ status: 'queued' }), 202)
      if (url.pathname === '/api/v1/executions/ex1/rerun/' && init.method === 'POST') {
        reruns.push(JSON.parse(String(init.body)))
        return json(execution({ id: 'ex9', status: 'queued' }), 202)
      }
      if (url.pathname === '/api/v1/executions/ex1/')
        return json(executionDetail({ status: 'failed' }))
      if (url.pathname === '/api/v1/executions/ex1/steps/') return page(failed)
      if (url.pathname === '/api/v1/executions/ex9/') return json(executionDetail({ id: 'ex9' }))
      if (url.pathname === '/api/v1/executions/ex9/steps/')
        return page([
          step(),
          step({ id: 3, key: 'check', node_id: 'check', block_type: 'condition' }),
        ])
      return undefined
    })
    const panel = await openPanel('check')
    await user.click(screen.getByRole('button', { name: 'Run' }))
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Run' }))
    await waitFor(() =>
      expect(screen.getByTestId('node-check')).toHaveAttribute('data-run-status', 'failed'),
    )
    await user.click(await within(panel).findByRole('button', { name: 'Re-run from here' }))
    expect(reruns).toEqual([{ from_node: 'check' }])
    await waitFor(() =>
      expect(screen.getByTestId('node-check')).toHaveAttribute('data-run-status', 'succeeded'),
    )
    expect(screen.getByRole('link', { name: /Open run/ })).toHaveAttribute(
      'href',
      '/app/executions/ex9',
    )
  })

  it('listens for the next call to the test URL and follows the run it started', async () => {
    const user = userEvent.setup()
    const lists: string[] = []
    backend((url) => {
      if (url.pathname === '/api/v1/executions/') {
        lists.push(url.search)
        // Before listening an older test run exists; the second poll finds a new one.
        return page([execution({ id: lists.length >= 3 ? 'ex7' : 'ex0', mode: 'test' })])
      }
      if (url.pathname === '/api/v1/executions/ex7/') return json(executionDetail({ id: 'ex7' }))
      if (url.pathname === '/api/v1/executions/ex7/steps/') return page([step()])
      return undefined
    })
    const panel = await openPanel('hook')
    await user.click(within(panel).getByRole('button', { name: 'Listen for test event' }))
    expect(await within(panel).findByText(/Waiting for a call to the test URL/)).toBeVisible()
    const link = await screen.findByRole('link', { name: /Open run/ }, { timeout: 6000 })
    expect(link).toHaveAttribute('href', '/app/executions/ex7')
    expect(lists[0]).toContain('mode=test')
    expect(lists[0]).toContain('workflow=wf1')
    expect(within(panel).getByRole('button', { name: 'Listen for test event' })).toBeVisible()
  }, 15_000)
})
