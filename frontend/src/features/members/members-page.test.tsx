import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { Member } from '@/api/types'
import { json, mockFetch } from '@/test/fetch'
import { me } from '@/test/fixtures'
import { renderApp } from '@/test/render'

const member = (overrides: Partial<Member>): Member => ({
  id: 1,
  user: 1,
  username: 'ada',
  email: 'ada@example.com',
  role: 'owner',
  created_at: '2025-01-01T00:00:00Z',
  ...overrides,
})

function backend(initial: Member[], meOverride = me) {
  let members = [...initial]
  const sent: { method: string; path: string; body: unknown }[] = []
  mockFetch((url, init) => {
    const method = init.method ?? 'GET'
    if (method !== 'GET') {
      sent.push({
        method,
        path: url.pathname,
        body: init.body ? JSON.parse(String(init.body)) : null,
      })
    }
    if (url.pathname === '/api/v1/me/') return json(meOverride)
    if (url.pathname === '/api/v1/workspaces/w1/members/' && method === 'GET') return json(members)
    if (url.pathname === '/api/v1/workspaces/w1/members/' && method === 'POST') {
      const body = JSON.parse(String(init.body)) as { user: string; role: Member['role'] }
      if (body.user === 'nobody') {
        return json({ type: 'not_found', detail: 'No user has that username or email.' }, 404)
      }
      const added = member({ id: 9, user: 9, username: body.user, role: body.role })
      members = [...members, added]
      return json(added, 201)
    }
    const match = /^\/api\/v1\/workspaces\/w1\/members\/(\d+)\/$/.exec(url.pathname)
    if (match && method === 'PATCH') {
      const { role } = JSON.parse(String(init.body)) as { role: Member['role'] }
      members = members.map((m) => (m.id === Number(match[1]) ? { ...m, role } : m))
      return json(members.find((m) => m.id === Number(match[1])))
    }
    if (match && method === 'DELETE') {
      members = members.filter((m) => m.id !== Number(match[1]))
      return { status: 204 }
    }
    return undefined
  })
  return sent
}

describe('MembersPage', () => {
  it('lists members with their roles; the last owner cannot be demoted or removed', async () => {
    backend([member({}), member({ id: 2, user: 2, username: 'grace', role: 'viewer' })])
    renderApp('/app/members')
    const table = await screen.findByRole('table')
    const rows = within(table).getAllByRole('row')
    expect(rows).toHaveLength(3)
    expect(within(rows[1]).getByText('(you)')).toBeInTheDocument()
    expect(screen.getByLabelText('Role of grace')).toHaveValue('viewer')
    const mine = screen.getByLabelText('Role of ada')
    expect(within(mine).getByRole('option', { name: 'Viewer' })).toBeDisabled()
    expect(screen.getByRole('button', { name: 'Remove ada' })).toBeDisabled()
    expect(screen.getByRole('button', { name: 'Remove grace' })).toBeEnabled()
  })

  it('invites by username, shows errors, changes a role and removes after confirming', async () => {
    const user = userEvent.setup()
    const sent = backend([member({})])
    renderApp('/app/members')
    await screen.findByRole('table')

    const who = screen.getByLabelText('Username or email')
    await user.type(who, 'nobody')
    await user.click(screen.getByRole('button', { name: 'Invite' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('No user has that username')

    await user.clear(who)
    await user.type(who, 'grace')
    await user.selectOptions(screen.getByLabelText('Role'), 'viewer')
    await user.click(screen.getByRole('button', { name: 'Invite' }))
    expect(await screen.findByText('grace can now open this workspace.')).toBeInTheDocument()
    expect(sent.filter((s) => s.method === 'POST').at(-1)?.body).toEqual({
      user: 'grace',
      role: 'viewer',
    })

    await user.selectOptions(await screen.findByLabelText('Role of grace'), 'editor')
    await waitFor(() => expect(screen.getByLabelText('Role of grace')).toHaveValue('editor'))

    await user.click(screen.getByRole('button', { name: 'Remove grace' }))
    const dialog = screen.getByRole('alertdialog', { name: 'Remove grace?' })
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus()
    await user.tab()
    expect(within(dialog).getByRole('button', { name: 'Remove member' })).toHaveFocus()
    await user.tab() // Tab stays inside the dialog
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus()
    await user.click(within(dialog).getByRole('button', { name: 'Remove member' }))
    await waitFor(() => expect(screen.queryByLabelText('Role of grace')).not.toBeInTheDocument())
    expect(sent.at(-1)).toEqual({
      method: 'DELETE',
      path: '/api/v1/workspaces/w1/members/9/',
      body: null,
    })
    expect(sent.find((s) => s.method === 'PATCH')?.body).toEqual({ role: 'editor' })
  })

  it('shows roles read-only to members who are not owners', async () => {
    const editorMe = {
      ...me,
      workspaces: me.workspaces.map((w) => ({ ...w, role: 'editor' as const })),
    }
    backend([member({ id: 5, user: 5, username: 'boss' }), member({ role: 'editor' })], editorMe)
    renderApp('/app/members')
    await screen.findByRole('table')
    expect(screen.queryByLabelText('Username or email')).not.toBeInTheDocument()
    expect(screen.queryByRole('combobox', { name: /Role of/ })).not.toBeInTheDocument()
    expect(screen.getByText(/Only owners/)).toBeInTheDocument()
    expect(screen.getByText('Owner')).toBeInTheDocument()
  })

  it('says so when the list cannot be loaded', async () => {
    mockFetch((url) =>
      url.pathname === '/api/v1/me/'
        ? json(me)
        : json({ type: 'error', detail: 'Server is down.' }, 500),
    )
    renderApp('/app/members')
    expect(await screen.findByText(/Server is down/)).toBeInTheDocument()
  })
})
