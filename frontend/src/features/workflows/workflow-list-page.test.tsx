import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { json, mockFetch } from '@/test/fetch'
import { listItem, me } from '@/test/fixtures'
import { renderApp } from '@/test/render'

function backend() {
  return mockFetch((url, init) => {
    if (url.pathname === '/api/v1/me/') return json(me)
    if (url.pathname === '/api/v1/workflows/' && (init.method ?? 'GET') === 'GET') {
      const search = url.searchParams.get('search') ?? ''
      const all = [
        listItem(),
        listItem({
          id: 'wf2',
          name: 'Nightly report',
          status: 'published',
          published_version: 2,
          description: '',
        }),
      ]
      const results = all.filter((w) => w.name.toLowerCase().includes(search.toLowerCase()))
      return json({ count: results.length, next: null, previous: null, results })
    }
    if (url.pathname === '/api/v1/workflows/' && init.method === 'POST') {
      return json(
        { ...listItem({ id: 'wf9', name: 'Fresh' }), graph: { nodes: [], edges: [] } },
        201,
      )
    }
    return undefined
  })
}

describe('WorkflowListPage', () => {
  it('lists the workflows of the current workspace', async () => {
    const fetch = backend()
    renderApp('/app/')
    const table = await screen.findByRole('table')
    const rows = within(table).getAllByRole('row')
    expect(rows).toHaveLength(3)
    expect(within(rows[1]).getByRole('link', { name: 'Greet new users' })).toHaveAttribute(
      'href',
      '/app/workflows/wf1',
    )
    expect(within(rows[1]).getByText('5 minutes ago')).toBeInTheDocument()
    expect(within(rows[2]).getByText('published')).toBeInTheDocument()
    expect(within(rows[2]).getByText(/live v2/)).toBeInTheDocument()
    expect(screen.getByText('2 of 2')).toBeInTheDocument()
    expect(screen.getByRole('combobox')).toHaveValue('w1')
    expect(screen.getByText('ada')).toBeInTheDocument()

    const listCall = fetch.mock.calls
      .map(([u]) => String(u))
      .find((u) => u.startsWith('/api/v1/workflows/'))
    expect(listCall).toBe('/api/v1/workflows/?workspace=w1&ordering=-updated_at')
  })

  it('searches on the server and switches workspace', async () => {
    const user = userEvent.setup()
    const fetch = backend()
    renderApp('/app/')
    await screen.findByRole('table')
    await user.type(screen.getByLabelText('Search workflows'), 'night')
    await waitFor(() => expect(screen.queryByText('Greet new users')).not.toBeInTheDocument())
    expect(screen.getByText('Nightly report')).toBeInTheDocument()
    expect(fetch.mock.calls.some(([u]) => String(u).includes('search=night'))).toBe(true)

    await user.selectOptions(screen.getByRole('combobox'), 'w2')
    await waitFor(() =>
      expect(fetch.mock.calls.some(([u]) => String(u).includes('workspace=w2'))).toBe(true),
    )
  })

  it('creates a workflow and opens it in the editor', async () => {
    const user = userEvent.setup()
    const fetch = backend()
    const { router } = renderApp('/app/')
    await user.click(await screen.findByRole('button', { name: 'New workflow' }))
    await user.type(screen.getByLabelText('Name'), 'Fresh')
    await user.click(screen.getByRole('button', { name: 'Create' }))
    await waitFor(() => expect(router.state.location.pathname).toBe('/app/workflows/wf9'))
    const post = fetch.mock.calls.find(([, init]) => init?.method === 'POST')
    expect(JSON.parse(String(post?.[1]?.body))).toEqual({
      workspace: 'w1',
      name: 'Fresh',
      description: '',
      graph: { nodes: [], edges: [] },
    })
  })

  it('says so when there is nothing yet', async () => {
    mockFetch((url) =>
      url.pathname === '/api/v1/me/'
        ? json(me)
        : json({ count: 0, next: null, previous: null, results: [] }),
    )
    renderApp('/app/')
    expect(await screen.findByText('No workflows yet')).toBeInTheDocument()
  })
})
