import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { describe, expect, it } from 'vitest'
import { json, mockFetch } from '@/test/fetch'
import { renderWithProviders } from '@/test/render'
import { PollSource } from './poll-source'
import type { Config } from './poll-source-config'

const page = (results: unknown[]) => ({
  count: results.length,
  next: null,
  previous: null,
  results,
})

function Harness({ seen }: { seen: Config[] }) {
  const [config, setConfig] = useState<Config>({ source: { kind: 'http', url: 'https://x.test' } })
  return (
    <PollSource
      workflowId="wf1"
      config={config}
      onChange={(next) => {
        seen.push(next)
        setConfig(next)
      }}
    />
  )
}

describe('PollSource', () => {
  it('picks a read operation and a fitting credential, then fills the proposed paths', async () => {
    const user = userEvent.setup()
    const proposals: unknown[] = []
    mockFetch((url, init) => {
      const path = url.pathname
      if (path === '/api/v1/workflows/wf1/') return json({ id: 'wf1', workspace: 'w1' })
      if (path === '/api/v1/connectors/') return json(page([{ slug: 'desk', name: 'Desk' }]))
      if (path === '/api/v1/connectors/desk/operations/')
        return json(
          page([
            { key: 'tickets.list', name: 'List tickets', method: 'GET', path: '/tickets' },
            { key: 'tickets.create', name: 'Create a ticket', method: 'POST', path: '/tickets' },
          ]),
        )
      if (path === '/api/v1/credentials/')
        return json(
          page([
            { id: 'c-desk', name: 'Desk token', connector: 'desk' },
            { id: 'c-other', name: 'Other token', connector: 'other' },
            { id: 'c-any', name: 'Any token', connector: null },
          ]),
        )
      if (path === '/api/v1/triggers/poll-defaults/' && init.method === 'POST') {
        proposals.push(JSON.parse(String(init.body)))
        return json({ items_path: 'tickets', id_path: 'id', cursor_path: null, items_found: 3 })
      }
      return undefined
    })
    const seen: Config[] = []
    renderWithProviders(<Harness seen={seen} />)

    await user.selectOptions(screen.getByLabelText('Source'), 'connector')
    await user.type(screen.getByLabelText('Connector'), 'desk')
    await user.click(
      within(await screen.findByRole('listbox')).getByRole('option', { name: /Desk/ }),
    )
    await user.click(screen.getByLabelText('Operation (reads only)'))
    const reads = await screen.findByRole('listbox')
    await waitFor(() => expect(within(reads).getAllByRole('option')).toHaveLength(1))
    expect(within(reads).queryByText(/Create a ticket/)).toBeNull() // a POST cannot be polled
    await user.click(within(reads).getByRole('option', { name: /List tickets/ }))

    const credential = await screen.findByLabelText('Credential')
    await waitFor(() => expect(within(credential).getAllByRole('option')).toHaveLength(3))
    expect(within(credential).queryByText('Other token')).toBeNull() // bound to another connector
    await user.selectOptions(credential, 'c-desk')

    await user.click(screen.getByRole('button', { name: /Propose paths/ }))
    expect(await screen.findByRole('status')).toHaveTextContent('3 items in the sample')
    expect(proposals).toEqual([
      {
        workspace: 'w1',
        source: {
          kind: 'connector',
          url: 'https://x.test',
          connector: 'desk',
          operation: 'tickets.list',
          credential_id: 'c-desk',
        },
      },
    ])
    expect(seen.at(-1)).toMatchObject({ items_path: 'tickets', id_path: 'id' })
    expect(seen.at(-1)).not.toHaveProperty('cursor_path')
  })

  it('shows why the sample could not be fetched', async () => {
    const user = userEvent.setup()
    mockFetch((url) => {
      if (url.pathname === '/api/v1/workflows/wf1/') return json({ id: 'wf1', workspace: 'w1' })
      if (url.pathname === '/api/v1/credentials/') return json(page([]))
      if (url.pathname === '/api/v1/triggers/poll-defaults/')
        return json(
          {
            type: 'trigger_config_invalid',
            detail: 'The source could not be fetched.',
            fields: { source: ['The source answered HTTP 401.'] },
          },
          400,
        )
      return undefined
    })
    renderWithProviders(<Harness seen={[]} />)
    await user.click(await screen.findByRole('button', { name: /Propose paths/ }))
    expect(await screen.findByText(/could not be fetched|HTTP 401/)).toBeVisible()
  })
})
