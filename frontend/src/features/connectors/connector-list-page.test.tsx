import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { json, mockFetch } from '@/test/fetch'
import { me } from '@/test/fixtures'
import { renderApp } from '@/test/render'
import { page, summary } from './fixtures'

const CATEGORIES = [
  { value: 'messaging', label: 'Messaging', count: 2 },
  { value: 'developer', label: 'Developer tools', count: 1 },
  { value: 'database', label: 'Database', count: 0 },
]
const CONNECTORS = [
  summary({ connected: true }),
  summary({ slug: 'github', name: 'GitHub', category: 'developer', popularity: 1 }),
  summary({ slug: 'discord', name: 'Discord', icon: 'https://x/discord.png', popularity: 0 }),
]

function backend(options: { fail?: boolean } = {}) {
  const queries: URLSearchParams[] = []
  mockFetch((url) => {
    if (url.pathname === '/api/v1/me/') return json(me)
    if (url.pathname === '/api/v1/connectors/categories/') return json(CATEGORIES)
    if (url.pathname === '/api/v1/connectors/') {
      queries.push(url.searchParams)
      if (options.fail) return json({ type: 'server_error', detail: 'Catalogue is down.' }, 500)
      const search = (url.searchParams.get('search') ?? '').toLowerCase()
      const category = url.searchParams.get('category')
      return json(
        page(
          CONNECTORS.filter(
            (c) => c.name.toLowerCase().includes(search) && (!category || c.category === category),
          ),
        ),
      )
    }
    return undefined
  })
  return queries
}

describe('ConnectorListPage', () => {
  it('shows the catalogue as cards, most used first, with the connected badge', async () => {
    const queries = backend()
    renderApp('/app/connectors')
    const grid = await screen.findByRole('list', { name: 'Connectors' })
    const links = within(grid).getAllByRole('link')
    expect(links.map((link) => link.textContent)).toEqual([
      'Slack (connected)',
      'GitHub',
      'Discord',
    ])
    expect(links[0]).toHaveAttribute('href', '/app/connectors/slack')
    const cards = within(grid).getAllByRole('listitem')
    expect(within(cards[0]).getByText('Connected')).toBeInTheDocument()
    expect(within(cards[0]).getByText('60 operations')).toBeInTheDocument()
    expect(within(cards[0]).getByText('AWS Signature v4 · OAuth2')).toBeInTheDocument()
    expect(within(cards[1]).queryByText('Connected')).toBeNull()
    expect(screen.getByText('3 connectors')).toBeInTheDocument()
    expect(queries[0].get('workspace')).toBe('w1')
    expect(queries[0].get('ordering')).toBe('-popularity,name')
    // Empty categories get no chip.
    expect(screen.getByRole('button', { name: /Messaging/ })).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: /Database/ })).toBeNull()
  })

  it('searches on the server, filters by category and sorts by name', async () => {
    const user = userEvent.setup()
    const queries = backend()
    const { router } = renderApp('/app/connectors')
    await screen.findByRole('list', { name: 'Connectors' })

    await user.type(screen.getByLabelText('Search connectors'), 'sla')
    await waitFor(() => expect(queries.at(-1)?.get('search')).toBe('sla'))
    await waitFor(() =>
      expect(
        within(screen.getByRole('list', { name: 'Connectors' })).getAllByRole('link'),
      ).toHaveLength(1),
    )
    expect(router.state.location.search).toContain('q=sla')

    await user.clear(screen.getByLabelText('Search connectors'))
    await waitFor(() => expect(router.state.location.search).not.toContain('q='))
    await user.click(screen.getByRole('button', { name: /Developer tools/ }))
    await waitFor(() => expect(queries.at(-1)?.get('category')).toBe('developer'))
    expect(screen.getByRole('button', { name: /Developer tools/ })).toHaveAttribute(
      'aria-pressed',
      'true',
    )

    await user.selectOptions(screen.getByLabelText('Sort by'), 'name')
    await waitFor(() => expect(queries.at(-1)?.get('ordering')).toBe('name'))
    expect(router.state.location.search).toContain('sort=name')
  })

  it('says when nothing matches and clears the filters', async () => {
    const user = userEvent.setup()
    backend()
    renderApp('/app/connectors?q=zzz')
    expect(await screen.findByRole('heading', { name: 'No connector matches' })).toBeVisible()
    await user.click(screen.getByRole('button', { name: 'Clear search and filters' }))
    expect(await screen.findByRole('list', { name: 'Connectors' })).toBeVisible()
  })

  it('shows the error with a retry', async () => {
    backend({ fail: true })
    renderApp('/app/connectors')
    expect(await screen.findByRole('alert')).toHaveTextContent('Catalogue is down.')
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument()
  })

  it('is linked from the header', async () => {
    backend()
    renderApp('/app/executions')
    const nav = await screen.findByRole('navigation', { name: 'Main' })
    expect(within(nav).getByRole('link', { name: 'Connectors' })).toHaveAttribute(
      'href',
      '/app/connectors',
    )
  })
})
