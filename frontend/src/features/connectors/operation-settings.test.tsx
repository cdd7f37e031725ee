import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { describe, expect, it } from 'vitest'
import { ExpressionScopeContext, type ExpressionScope } from '@/features/expressions/scope'
import { json, mockFetch } from '@/test/fetch'
import { renderWithProviders } from '@/test/render'
import { operation, page, summary } from './fixtures'
import type { Choice } from './operation-choice'
import { ConnectorOperationSettings } from './operation-settings'

const desk = summary({ slug: 'desk', name: 'Desk', category_label: 'Support', connected: true })
const mail = summary({ slug: 'mail', name: 'Mail', category_label: 'Messaging' })
const list = operation({ key: 'tickets.list', name: 'List tickets', method: 'GET', path: '/t' })
const create = operation({
  key: 'tickets.create',
  name: 'Create a ticket',
  method: 'POST',
  path: '/queues/{queue}/tickets',
  description: 'Opens a ticket in a queue.',
  parameters_schema: {
    type: 'object',
    required: ['queue'],
    properties: {
      queue: { type: 'string', description: 'The queue.', 'x-in': 'path' },
      priority: { type: 'integer', 'x-in': 'query' },
    },
  },
})
const credentials = [
  { id: 'c-desk', name: 'Desk token', connector: 'desk' },
  { id: 'c-mail', name: 'Mail token', connector: 'mail' },
  { id: 'c-any', name: 'Any token', connector: '' },
]

/** The catalogue and the workspace's credentials; records the searches the server got. */
function serve(searches: string[]) {
  mockFetch((url) => {
    const path = url.pathname
    const search = url.searchParams.get('search') ?? ''
    if (path === '/api/v1/connectors/') {
      searches.push(`connectors:${search}`)
      return json(page([desk, mail].filter((c) => c.name.toLowerCase().includes(search))))
    }
    if (path === '/api/v1/connectors/desk/') return json({ ...desk, operations: [] })
    if (path === '/api/v1/connectors/desk/operations/') {
      searches.push(`operations:${search}`)
      return json(page([create, list].filter((op) => op.name.toLowerCase().includes(search))))
    }
    if (path === '/api/v1/connectors/desk/operations/tickets.create/') return json(create)
    if (path === '/api/v1/credentials/') return json(page(credentials))
    return undefined
  })
}

function Harness({ start = {}, seen }: { start?: Choice; seen: Choice[] }) {
  const [config, setConfig] = useState<Choice>(start)
  return (
    <ConnectorOperationSettings
      workspace="w1"
      config={config}
      onChange={(next) => {
        seen.push(next)
        setConfig(next)
      }}
    />
  )
}

describe('ConnectorOperationSettings', () => {
  it('picks a connector by typing, an operation, fills its parameters and a credential', async () => {
    const user = userEvent.setup()
    const searches: string[] = []
    serve(searches)
    const seen: Choice[] = []
    renderWithProviders(<Harness seen={seen} />)

    await user.type(screen.getByRole('combobox', { name: /Connector/ }), 'des')
    const connectors = await screen.findByRole('listbox')
    await waitFor(() => expect(within(connectors).getAllByRole('option')).toHaveLength(1))
    expect(within(connectors).getByRole('option')).toHaveTextContent(/Desk.*Support.*Connected/)
    expect(searches).toContain('connectors:des') // searched on the server
    await user.keyboard('{ArrowDown}{Enter}')
    expect(seen.at(-1)).toEqual({ connector: 'desk' })
    expect(screen.getByRole('combobox', { name: /Connector/ })).toHaveValue('Desk')

    await user.click(screen.getByRole('combobox', { name: /Operation/ }))
    const operations = await screen.findByRole('listbox')
    await waitFor(() => expect(within(operations).getAllByRole('option')).toHaveLength(2))
    const shown = within(operations).getAllByRole('option')[0]
    expect(shown).toHaveTextContent(/POST.*Create a ticket.*\/queues\/\{queue\}\/tickets/)
    expect(shown).toHaveTextContent('Opens a ticket in a queue.')
    await user.type(screen.getByRole('combobox', { name: /Operation/ }), 'create')
    await waitFor(() => expect(searches).toContain('operations:create'))
    await user.click(within(screen.getByRole('listbox')).getByRole('option', { name: /Create/ }))
    expect(seen.at(-1)).toEqual({ connector: 'desk', operation: 'tickets.create' })

    // The parameters' form comes from the operation's schema, names as the API spells them.
    const queue = await screen.findByLabelText(/^queue/)
    expect(screen.getByText('The queue. In the path.')).toBeVisible()
    await user.type(queue, 'support')
    await user.type(screen.getByLabelText('priority'), '2')
    expect(seen.at(-1)?.parameters).toEqual({ queue: 'support', priority: 2 })

    const credential = screen.getByLabelText('Credential')
    await waitFor(() => expect(within(credential).getAllByRole('option')).toHaveLength(3))
    expect(within(credential).queryByText('Mail token')).toBeNull() // made for another connector
    await user.selectOptions(credential, 'c-desk')
    expect(seen.at(-1)).toMatchObject({ credential_id: 'c-desk', operation: 'tickets.create' })
  })

  it('shows errors at their field and drops what belonged to another connector', async () => {
    const user = userEvent.setup()
    serve([])
    const seen: Choice[] = []
    const start = {
      connector: 'desk',
      operation: 'tickets.create',
      parameters: { queue: 'support', priority: 500 },
      credential_id: 'c-desk',
    }
    const errors = {
      'parameters.priority': ['500 is greater than the maximum of 100'],
      'parameters.queue': ['Required by desk.tickets.create.'],
    }
    function WithErrors() {
      const [config, setConfig] = useState<Choice>(start)
      return (
        <ConnectorOperationSettings
          workspace="w1"
          config={config}
          errors={errors}
          onChange={(next) => {
            seen.push(next)
            setConfig(next)
          }}
        />
      )
    }
    renderWithProviders(<WithErrors />)
    const priority = await screen.findByLabelText('priority')
    expect(priority).toHaveAttribute('aria-invalid', 'true')
    expect(priority.closest('.field')).toHaveTextContent('500 is greater than the maximum of 100')
    expect(screen.getByLabelText(/^queue/).closest('.field')).toHaveTextContent('Required by')

    await user.type(screen.getByRole('combobox', { name: /Connector/ }), 'mail')
    await user.click(
      within(await screen.findByRole('listbox')).getByRole('option', { name: /Mail/ }),
    )
    expect(seen.at(-1)).toEqual({ connector: 'mail' }) // no operation, parameters or desk token
  })

  it('takes expressions in the parameters, as every field of the editor does', async () => {
    serve([])
    const scope: ExpressionScope = {
      nodeId: 'call',
      workspaceId: null,
      known: new Set(['start', 'call']),
      upstream: new Set(['start']),
      readOnly: false,
      nodes: [],
      triggerFields: [],
      data: { trigger: null, nodes: {}, vars: {} },
    }
    const start = { connector: 'desk', operation: 'tickets.create' }
    renderWithProviders(
      <ExpressionScopeContext value={scope}>
        <Harness start={start} seen={[]} />
      </ExpressionScopeContext>,
    )
    const queue = await screen.findByRole('textbox', { name: 'queue' })
    expect(queue).toHaveAttribute('contenteditable', 'true') // the expression editor
  })
})
