import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import type { Trigger } from '@/api/types'
import { json, mockFetch } from '@/test/fetch'
import { renderWithProviders } from '@/test/render'
import { WebhookUrls } from './webhook-urls'

const trigger = (overrides: Partial<Trigger> = {}): Trigger => ({
  id: 't1',
  workspace: 'w1',
  workflow: 'wf1',
  node_id: 'hook',
  kind: 'webhook',
  is_active: true,
  enabled: true,
  status: 'active',
  config: {},
  webhook_url: 'http://flowplane.test/hooks/prod-token/',
  test_url: 'http://flowplane.test/hooks/test/test-token/',
  test_url_expires_at: new Date(Date.now() + 3600_000).toISOString(),
  has_secret: true,
  last_fired_at: null,
  next_fire_at: null,
  consecutive_errors: 0,
  last_error: '',
  recent_errors: [],
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  ...overrides,
})

describe('WebhookUrls', () => {
  it('shows the production and test URLs of the node’s trigger and copies them', async () => {
    const user = userEvent.setup()
    const writeText = vi.fn().mockResolvedValue(undefined)
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    const fetch = mockFetch((url) =>
      url.pathname === '/api/v1/triggers/'
        ? json({
            count: 2,
            next: null,
            previous: null,
            results: [trigger({ node_id: 'other' }), trigger()],
          })
        : undefined,
    )
    renderWithProviders(<WebhookUrls workflowId="wf1" nodeId="hook" />)
    expect(await screen.findByLabelText('Production URL')).toHaveValue(
      'http://flowplane.test/hooks/prod-token/',
    )
    expect(screen.getByLabelText('Test URL')).toHaveValue(
      'http://flowplane.test/hooks/test/test-token/',
    )
    expect(new URL((fetch.mock.calls[0][0] as Request).url).searchParams.get('workflow')).toBe(
      'wf1',
    )
    await user.click(screen.getByRole('button', { name: 'Copy test url' }))
    expect(writeText).toHaveBeenCalledWith('http://flowplane.test/hooks/test/test-token/')
    expect(await screen.findByText('Copied')).toBeInTheDocument()
  })

  it('before publishing, arms a test URL for the draft on request', async () => {
    const user = userEvent.setup()
    let armed = false
    const bodies: unknown[] = []
    mockFetch((url, init) => {
      if (url.pathname === '/api/v1/triggers/draft/' && init.method === 'POST') {
        armed = true
        bodies.push(JSON.parse(String(init.body)))
        return json({ ...trigger({ webhook_url: null }), signing_secret: 's3cret-once' })
      }
      if (url.pathname === '/api/v1/triggers/') {
        const results = armed ? [trigger({ webhook_url: null })] : []
        return json({ count: results.length, next: null, previous: null, results })
      }
      return undefined
    })
    renderWithProviders(<WebhookUrls workflowId="wf1" nodeId="hook" />)
    expect(await screen.findByText(/appears once the workflow is published/)).toBeVisible()
    await user.click(screen.getByRole('button', { name: 'Get a test URL' }))
    await waitFor(() => expect(screen.getByLabelText('Test URL')).toBeVisible())
    expect(bodies).toEqual([{ workflow: 'wf1', node_id: 'hook' }])
    expect(screen.getByLabelText('Signing secret (shown once)')).toHaveValue('s3cret-once')
  })

  it('rotates the signing secret after asking, and shows the new one once', async () => {
    const user = userEvent.setup()
    const rotations: string[] = []
    mockFetch((url, init) => {
      if (url.pathname === '/api/v1/triggers/t1/secret/' && init.method === 'POST') {
        rotations.push(String(init.body))
        return json({ signing_secret: 'whsec-new' })
      }
      if (url.pathname === '/api/v1/triggers/')
        return json({ count: 1, next: null, previous: null, results: [trigger()] })
      return undefined
    })
    renderWithProviders(<WebhookUrls workflowId="wf1" nodeId="hook" />)
    await user.click(await screen.findByRole('button', { name: 'Rotate signing secret' }))
    await user.click(screen.getByRole('button', { name: 'Cancel' }))
    expect(rotations).toEqual([])
    await user.click(screen.getByRole('button', { name: 'Rotate signing secret' }))
    await user.click(screen.getByRole('button', { name: 'Rotate now' }))
    expect(await screen.findByLabelText('New signing secret (shown once)')).toHaveValue('whsec-new')
    expect(rotations).toEqual(['{}'])
    expect(screen.queryByRole('button', { name: 'Rotate signing secret' })).not.toBeInTheDocument()
  })
})
