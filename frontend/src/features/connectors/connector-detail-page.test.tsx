import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { json, mockFetch } from '@/test/fetch'
import { me } from '@/test/fixtures'
import { renderApp } from '@/test/render'
import { detail, operation, page } from './fixtures'

const OPERATIONS = [
  operation(),
  operation({
    key: 'users_list',
    name: 'List users',
    method: 'GET',
    path: '/users.list',
    parameters_schema: { type: 'object', properties: {} },
    body_schema: null,
  }),
]

function backend(options: { connected?: boolean; more?: boolean } = {}) {
  const searches: string[] = []
  mockFetch((url) => {
    if (url.pathname === '/api/v1/me/') return json(me)
    if (url.pathname === '/api/v1/connectors/slack/') {
      return json(detail({ connected: options.connected ?? false }))
    }
    if (url.pathname === '/api/v1/connectors/slack/operations/') {
      const search = url.searchParams.get('search') ?? ''
      searches.push(search)
      if (url.searchParams.get('page') === '2') {
        return json(page([operation({ key: 'zz_later', name: 'A later one' })]))
      }
      const found = OPERATIONS.filter((op) => op.name.toLowerCase().includes(search))
      return json(page(found, options.more ? 'http://x/?page=2' : null))
    }
    return undefined
  })
  return searches
}

describe('ConnectorDetailPage', () => {
  it('describes the connector: auth methods, limits, endpoint and a Connect link', async () => {
    backend()
    renderApp('/app/connectors/slack')
    expect(await screen.findByRole('heading', { level: 1, name: 'Slack' })).toBeVisible()
    expect(screen.getByRole('link', { name: 'Connect' })).toHaveAttribute(
      'href',
      '/app/connectors/slack/connect',
    )
    const facts = screen.getByRole('complementary', { name: 'About this connector' })
    expect(within(facts).getByText('OAuth2')).toBeInTheDocument()
    expect(within(facts).getByText('API key')).toBeInTheDocument()
    expect(within(facts).getByText('header X-Api-Key')).toBeInTheDocument()
    expect(within(facts).getByText('1 scope')).toBeInTheDocument()
    expect(within(facts).getByText('1 request per second')).toBeInTheDocument()
    expect(within(facts).getByText('Up to 4 attempts, exponential back-off')).toBeInTheDocument()
    expect(within(facts).getByText('https://slack.com/api')).toBeInTheDocument()
    expect(screen.queryByText('Connected')).toBeNull()
  })

  it('says when the workspace is already connected', async () => {
    backend({ connected: true })
    renderApp('/app/connectors/slack')
    expect(await screen.findByText('Connected')).toBeVisible()
    expect(screen.getByRole('link', { name: 'Connect another account' })).toBeInTheDocument()
  })

  it('lists operations, opens one to its parameters, searches and pages', async () => {
    const user = userEvent.setup()
    const searches = backend({ more: true })
    renderApp('/app/connectors/slack')
    const toggle = await screen.findByRole('button', { name: /Send a message to a channel/ })
    expect(toggle).toHaveAttribute('aria-expanded', 'false')
    await user.click(toggle)
    expect(toggle).toHaveAttribute('aria-expanded', 'true')
    const parameters = screen.getByRole('table', { name: 'Parameters' })
    expect(within(parameters).getByText('token')).toBeInTheDocument()
    expect(within(parameters).getByText('header')).toBeInTheDocument()
    const body = screen.getByRole('table', { name: 'Request body (application/json)' })
    expect(within(body).getByText('channel')).toBeInTheDocument()
    expect(within(body).getByText('required')).toBeInTheDocument()

    await user.click(screen.getByRole('button', { name: /List users/ }))
    expect(screen.getByText('This operation takes no parameters.')).toBeInTheDocument()

    await user.click(screen.getByRole('button', { name: 'Show more' }))
    expect(await screen.findByRole('button', { name: /A later one/ })).toBeInTheDocument()

    await user.type(screen.getByLabelText('Search operations'), 'users')
    await waitFor(() => expect(searches.at(-1)).toBe('users'))
    await waitFor(() => expect(screen.queryByRole('button', { name: /Send a message/ })).toBeNull())
    await user.clear(screen.getByLabelText('Search operations'))
    await user.type(screen.getByLabelText('Search operations'), 'nothing')
    expect(await screen.findByRole('heading', { name: 'No operation matches' })).toBeVisible()
  })

  it('answers an unknown connector with a not-found page', async () => {
    backend()
    renderApp('/app/connectors/nope')
    expect(await screen.findByRole('heading', { name: 'Connector not found' })).toBeVisible()
    expect(screen.getByRole('link', { name: 'Back to connectors' })).toBeInTheDocument()
  })
})
