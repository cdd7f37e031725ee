import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { Trigger } from '@/api/types'
import { json, mockFetch } from '@/test/fetch'
import { renderWithProviders } from '@/test/render'
import { TriggerStatus } from './trigger-status'

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
  test_url: null,
  test_url_expires_at: null,
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

/** The server: one trigger whose switch the PATCH flips (or refuses with `refusal`). */
function server(refusal?: { status: number; body: unknown }) {
  let current = trigger()
  const patches: unknown[] = []
  mockFetch((url, init) => {
    if (url.pathname === '/api/v1/triggers/t1/' && init.method === 'PATCH') {
      patches.push(JSON.parse(String(init.body)))
      if (refusal) return json(refusal.body, refusal.status)
      const enabled = (JSON.parse(String(init.body)) as { enabled: boolean }).enabled
      current = trigger({ enabled, status: enabled ? 'active' : 'disabled' })
      return json(current)
    }
    if (url.pathname === '/api/v1/triggers/')
      return json({ count: 1, next: null, previous: null, results: [current] })
    return undefined
  })
  return patches
}

describe('TriggerSwitch', () => {
  it('switches a live trigger off and on, and says what off means', async () => {
    const user = userEvent.setup()
    const patches = server()
    renderWithProviders(<TriggerStatus workflowId="wf1" nodeId="hook" canSwitch />)
    const toggle = await screen.findByRole('switch', { name: 'Trigger on' })
    expect(toggle).toBeChecked()
    expect(screen.getByText('On: it starts runs')).toBeVisible()

    await user.click(toggle)
    expect(await screen.findByText('Switched off: it starts no runs')).toBeVisible()
    expect(screen.getByRole('switch', { name: 'Trigger on' })).not.toBeChecked()
    expect(screen.getByText(/refuses deliveries \(HTTP 409\)/)).toBeVisible()
    expect(screen.getByText(/Manual and API runs still work/)).toBeVisible()

    await user.click(screen.getByRole('switch', { name: 'Trigger on' }))
    await waitFor(() => expect(screen.getByRole('switch', { name: 'Trigger on' })).toBeChecked())
    expect(screen.getByText('On: it starts runs')).toBeVisible()
    expect(patches).toEqual([{ enabled: false }, { enabled: true }])
  })

  it('shows the server’s refusal and leaves the switch as it was', async () => {
    const user = userEvent.setup()
    server({
      status: 403,
      body: { type: 'permission_denied', detail: 'Editors only.' },
    })
    renderWithProviders(<TriggerStatus workflowId="wf1" nodeId="hook" canSwitch />)
    await user.click(await screen.findByRole('switch', { name: 'Trigger on' }))
    expect(await screen.findByText(/Editors only/)).toBeVisible()
    expect(screen.getByRole('switch', { name: 'Trigger on' })).toBeChecked()
  })

  it('is not offered where the panel is read-only', async () => {
    server()
    renderWithProviders(<TriggerStatus workflowId="wf1" nodeId="hook" />)
    expect(await screen.findByText('On: it starts runs')).toBeVisible()
    expect(screen.queryByRole('switch')).not.toBeInTheDocument()
  })
})
