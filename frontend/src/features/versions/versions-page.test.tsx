import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { json, mockFetch } from '@/test/fetch'
import { me, workflow } from '@/test/fixtures'
import { renderApp } from '@/test/render'
import type { WorkflowDiff, WorkflowVersion } from './api'

const version = (number: number, live = false): WorkflowVersion => ({
  id: `v${number}`,
  number,
  note: number === 1 ? 'first' : '',
  published_by: 'ada',
  published_at: '2026-01-01T00:00:00Z',
  is_live: live,
})

const noChange = { added: [], removed: [], changed: [], moved: [] }
const noEdges = { added: [], removed: [], changed: [] }

function backend(versions: WorkflowVersion[]) {
  const asked: string[] = []
  const sent: unknown[] = []
  mockFetch((url, init) => {
    const method = init.method ?? 'GET'
    if (url.pathname === '/api/v1/me/') return json(me)
    if (url.pathname === '/api/v1/workflows/wf1/') return json(workflow())
    if (url.pathname === '/api/v1/workflows/wf1/versions/')
      return json({ count: versions.length, next: null, previous: null, results: versions })
    if (url.pathname === '/api/v1/workflows/wf1/diff/') {
      asked.push(url.search)
      const diff: WorkflowDiff = {
        base: url.searchParams.get('base') ?? 'draft',
        head: url.searchParams.get('head') ?? 'draft',
        nodes: {
          ...noChange,
          changed: [
            {
              id: 'check',
              type: 'condition',
              label: '',
              fields: [{ path: 'config.expression', before: 'body.ok', after: 'body.done' }],
            },
          ],
        },
        edges: noEdges,
      }
      return json(diff)
    }
    if (url.pathname === '/api/v1/workflows/wf1/rollback/' && method === 'POST') {
      sent.push(JSON.parse(String(init.body)))
      return json(version(1, true))
    }
    return undefined
  })
  return { asked, sent }
}

describe('VersionsPage', () => {
  it('compares the live version with the draft and shows each changed setting', async () => {
    const { asked } = backend([version(2, true), version(1)])
    renderApp('/app/workflows/wf1/versions')
    const changed = await screen.findByRole('region', { name: 'Nodes changed' }, { timeout: 5000 })
    expect(within(changed).getByText('config.expression')).toBeInTheDocument()
    expect(within(changed).getByText('body.done')).toBeInTheDocument()
    expect(asked).toEqual(['?base=2&head=draft'])
    await userEvent.selectOptions(screen.getByLabelText('To'), '1')
    await waitFor(() => expect(asked).toContain('?base=2&head=1'))
  })

  it('rolls back to an earlier version after asking', async () => {
    const { sent } = backend([version(2, true), version(1)])
    renderApp('/app/workflows/wf1/versions')
    await userEvent.click(await screen.findByRole('button', { name: 'Roll back to v1' }))
    expect(screen.queryByRole('button', { name: 'Roll back to v2' })).not.toBeInTheDocument()
    await userEvent.click(screen.getByRole('button', { name: 'Make v1 live' }))
    await waitFor(() => expect(sent).toEqual([{ version: 1 }]))
  })

  it('says so when nothing was published', async () => {
    backend([])
    renderApp('/app/workflows/wf1/versions')
    expect(await screen.findByText('Not published yet')).toBeInTheDocument()
  })
})
