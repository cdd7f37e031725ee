import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { json, mockFetch } from '@/test/fetch'
import { execution, listItem, me } from '@/test/fixtures'
import { renderApp } from '@/test/render'

function backend(pages: Record<string, ReturnType<typeof execution>[]>) {
  const queries: URLSearchParams[] = []
  const fetch = mockFetch((url) => {
    if (url.pathname === '/api/v1/me/') return json(me)
    if (url.pathname === '/api/v1/workflows/') {
      return json({ count: 1, next: null, previous: null, results: [listItem()] })
    }
    if (url.pathname === '/api/v1/executions/') {
      queries.push(url.searchParams)
      const cursor = url.searchParams.get('cursor') ?? 'first'
      const next =
        cursor === 'first' && pages.older ? 'http://x/api/v1/executions/?cursor=older' : null
      return json({
        next,
        previous: cursor === 'first' ? null : 'http://x/',
        results: pages[cursor],
      })
    }
    return undefined
  })
  return { fetch, queries }
}

describe('ExecutionListPage', () => {
  it('lists the workspace’s runs with status, workflow, mode, trigger, start and duration', async () => {
    backend({
      first: [
        execution(),
        execution({
          id: 'ex2',
          status: 'failed',
          mode: 'webhook',
          trigger_kind: 'webhook',
          trigger_node: 'hook',
          version: 2,
          duration_ms: 420,
        }),
      ],
    })
    renderApp('/app/executions')
    const rows = await screen.findAllByRole('row')
    expect(rows).toHaveLength(3)
    expect(within(rows[1]).getByText('Succeeded')).toBeInTheDocument()
    expect(within(rows[1]).getByRole('link', { name: 'Greet new users' })).toBeInTheDocument()
    expect(within(rows[1]).getByText('Test (draft)')).toBeInTheDocument()
    expect(within(rows[1]).getByText('Editor')).toBeInTheDocument()
    expect(within(rows[1]).getByText('1.3 s')).toBeInTheDocument()
    expect(within(rows[2]).getByText('Failed')).toBeInTheDocument()
    expect(within(rows[2]).getByText('hook (webhook)')).toBeInTheDocument()
    expect(within(rows[2]).getByText('420 ms')).toBeInTheDocument()
    expect(within(rows[2]).getByRole('link', { name: 'View run ex2' })).toHaveAttribute(
      'href',
      '/app/executions/ex2',
    )
  })

  it('filters on the server and pages with the cursor', async () => {
    const user = userEvent.setup()
    const { queries } = backend({
      first: [execution()],
      older: [execution({ id: 'ex0', workflow_name: 'Older one' })],
    })
    renderApp('/app/executions?workflow=wf1')
    expect(await screen.findByRole('heading', { name: 'Runs of Greet new users' })).toBeVisible()
    expect(queries.at(-1)?.get('workflow')).toBe('wf1')
    expect(queries.at(-1)?.get('workspace')).toBe('w1')

    await user.selectOptions(screen.getByLabelText('Status'), 'failed')
    await user.selectOptions(screen.getByLabelText('Mode'), 'webhook')
    await waitFor(() => expect(queries.at(-1)?.get('mode')).toBe('webhook'))
    expect(queries.at(-1)?.get('status')).toBe('failed')

    await user.click(screen.getByRole('button', { name: /Older/ }))
    await waitFor(() => expect(queries.at(-1)?.get('cursor')).toBe('older'))
    expect(queries.at(-1)?.get('status')).toBe('failed')
  })

  it('says when no run matches', async () => {
    backend({ first: [] })
    renderApp('/app/executions?status=cancelled')
    expect(await screen.findByText('No run matches')).toBeInTheDocument()
  })
})
