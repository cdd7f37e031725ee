import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { ExecutionDetail } from '@/api/types'
import { json, mockFetch } from '@/test/fetch'
import { catalog, execution, executionDetail, me, step } from '@/test/fixtures'
import { renderApp } from '@/test/render'

function backend(run: ExecutionDetail, calls: string[] = []) {
  const steps = [
    step({ node_id: 'hook', key: 'hook', block_type: 'webhook_trigger' }),
    step({
      id: 2,
      key: 'check',
      node_id: 'check',
      block_type: 'condition',
      status: run.status === 'failed' ? 'failed' : 'succeeded',
      input: { body: { ok: false } },
      output: null,
      error: run.status === 'failed' ? { message: 'boom' } : null,
      attempts: 2,
    }),
  ]
  mockFetch((url, init) => {
    if (url.pathname === '/api/v1/me/') return json(me)
    if (url.pathname === '/api/v1/blocks/') return json(catalog)
    if (url.pathname === `/api/v1/executions/${run.id}/`) return json(run)
    if (url.pathname === `/api/v1/executions/${run.id}/steps/`) {
      return json({ count: steps.length, next: null, previous: null, results: steps })
    }
    if (url.pathname === `/api/v1/executions/${run.id}/logs/`) {
      return json([
        {
          id: 1,
          node_id: 'check',
          level: 'error',
          event: 'step.failed',
          message: 'boom',
          data: {},
          created_at: '2026-01-01T10:00:01Z',
        },
      ])
    }
    if (init.method === 'POST') {
      calls.push(url.pathname)
      if (url.pathname.endsWith('/cancel/')) return json(execution({ status: 'cancelled' }))
      if (url.pathname.endsWith('/rerun/')) return json(execution({ id: 'ex9' }), 202)
    }
    if (url.pathname === '/api/v1/executions/ex9/') return json(executionDetail({ id: 'ex9' }))
    return undefined
  })
}

describe('ExecutionDetailPage', () => {
  it('draws the graph it ran with each node’s status and opens a node’s data', async () => {
    const user = userEvent.setup()
    backend(executionDetail({ status: 'failed', error: { message: 'boom' } }))
    renderApp('/app/executions/ex1')
    expect(await screen.findByRole('heading', { name: /Run of Greet new users/ })).toBeVisible()
    await waitFor(() =>
      expect(screen.getByTestId('node-check')).toHaveAttribute('data-run-status', 'failed'),
    )
    expect(screen.getByTestId('node-hook')).toHaveAttribute('data-run-status', 'succeeded')
    expect(screen.getByTestId('node-hook')).not.toHaveClass('block-node--not-reached')
    expect(within(screen.getByTestId('node-check')).getByText('2 attempts')).toBeInTheDocument()
    const runData = screen.getByRole('complementary', { name: 'Run data' })
    expect(within(runData).getByText(/"name": "Ada"/)).toBeVisible()

    // A click alone: d3-zoom's mousedown handler needs a real window view.
    fireEvent.click(screen.getByTestId('node-check'))
    const panel = await screen.findByRole('complementary', { name: 'Step details' })
    expect(within(panel).getByRole('tab', { name: /Error/ })).toHaveAttribute(
      'aria-selected',
      'true',
    )
    expect(within(panel).getByRole('alert')).toHaveTextContent('boom')
    await user.click(within(panel).getByRole('tab', { name: 'Input' }))
    expect(within(panel).getByText(/"ok": false/)).toBeVisible()
    await user.click(within(panel).getByRole('tab', { name: 'Logs (1)' }))
    expect(within(panel).getByText('step.failed: boom')).toBeVisible()
  })

  it('cancels a running run', async () => {
    const user = userEvent.setup()
    const calls: string[] = []
    backend(executionDetail({ status: 'running', finished_at: null, duration_ms: null }), calls)
    renderApp('/app/executions/ex1')
    expect(screen.queryByRole('button', { name: 'Re-run' })).not.toBeInTheDocument()
    await user.click(await screen.findByRole('button', { name: 'Cancel run' }))
    await waitFor(() => expect(calls).toEqual(['/api/v1/executions/ex1/cancel/']))
    expect(await screen.findByText('Cancelled')).toBeInTheDocument()
  })

  it('re-runs a finished run and opens the new one', async () => {
    const user = userEvent.setup()
    const calls: string[] = []
    backend(executionDetail(), calls)
    const { router } = renderApp('/app/executions/ex1')
    await user.click(await screen.findByRole('button', { name: 'Re-run' }))
    await waitFor(() => expect(router.state.location.pathname).toBe('/app/executions/ex9'))
    expect(calls).toEqual(['/api/v1/executions/ex1/rerun/'])
  })

  it('re-runs from the failed node in the step panel and opens the new run', async () => {
    const user = userEvent.setup()
    const calls: string[] = []
    backend(executionDetail({ status: 'failed', error: { message: 'boom' } }), calls)
    const { router } = renderApp('/app/executions/ex1')
    await waitFor(() =>
      expect(screen.getByTestId('node-check')).toHaveAttribute('data-run-status', 'failed'),
    )
    fireEvent.click(screen.getByTestId('node-hook'))
    const hook = await screen.findByRole('complementary', { name: 'Step details' })
    // Only a failed node offers it: the succeeded trigger has nothing to retry.
    expect(within(hook).queryByRole('button', { name: 'Re-run from here' })).toBeNull()
    fireEvent.click(screen.getByTestId('node-check'))
    const panel = await screen.findByRole('complementary', { name: 'Step details' })
    await user.click(await within(panel).findByRole('button', { name: 'Re-run from here' }))
    await waitFor(() => expect(router.state.location.pathname).toBe('/app/executions/ex9'))
    expect(calls).toEqual(['/api/v1/executions/ex1/rerun/'])
  })

  it('cancels a running run from the step panel', async () => {
    const user = userEvent.setup()
    const calls: string[] = []
    backend(executionDetail({ status: 'running', finished_at: null, duration_ms: null }), calls)
    renderApp('/app/executions/ex1')
    await screen.findByTestId('node-check')
    fireEvent.click(screen.getByTestId('node-check'))
    const panel = await screen.findByRole('complementary', { name: 'Step details' })
    await user.click(await within(panel).findByRole('button', { name: 'Cancel run' }))
    await waitFor(() => expect(calls).toEqual(['/api/v1/executions/ex1/cancel/']))
  })

  it('offers no cancel or re-run to a viewer', async () => {
    const viewer = { ...me, workspaces: [{ ...me.workspaces[0], role: 'viewer' }] }
    backend(executionDetail())
    mockFetch((url) => {
      if (url.pathname === '/api/v1/me/') return json(viewer)
      if (url.pathname === '/api/v1/executions/ex1/') return json(executionDetail())
      if (url.pathname === '/api/v1/blocks/') return json(catalog)
      return json({ count: 0, next: null, previous: null, results: [] })
    })
    renderApp('/app/executions/ex1')
    await screen.findByRole('heading', { name: /Run of/ })
    expect(screen.queryByRole('button', { name: 'Re-run' })).not.toBeInTheDocument()
  })
})
