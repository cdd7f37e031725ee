import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { describe, expect, it } from 'vitest'
import type { JsonSchema } from '@/api/types'
import { json, mockFetch } from '@/test/fetch'
import { renderWithProviders } from '@/test/render'
import { FormWorkspaceContext } from './form-context'
import { SchemaForm } from './schema-form'

const schema: JsonSchema = {
  type: 'object',
  properties: { credential_id: { type: ['string', 'null'], default: null } },
}
const ui = {
  credential_id: {
    widget: 'credential' as const,
    placeholder: '',
    group: '',
    show_when: {},
    inline: false,
    hidden: false,
  },
}

let last: Record<string, unknown> = {}

function Form({ initial }: { initial: Record<string, unknown> }) {
  const [value, setValue] = useState(initial)
  return (
    <SchemaForm
      schema={schema}
      ui={ui}
      value={value}
      onChange={(next) => {
        last = next
        setValue(next)
      }}
    />
  )
}

describe('credential widget', () => {
  it('picks one of the workspace credentials by name', async () => {
    const asked: string[] = []
    mockFetch((url) => {
      if (url.pathname !== '/api/v1/credentials/') return undefined
      asked.push(url.searchParams.get('workspace') ?? '')
      const results = [{ id: 'c-1', name: 'Stripe key' }]
      return json({ count: 1, next: null, previous: null, results })
    })
    const user = userEvent.setup()
    renderWithProviders(
      <FormWorkspaceContext value="w1">
        <Form initial={{ credential_id: 'c-gone' }} />
      </FormWorkspaceContext>,
    )
    const picker = await screen.findByRole('option', { name: 'Stripe key' })
    // A saved id the list does not have stays selected rather than vanishing.
    expect(screen.getByLabelText('Credential id')).toHaveValue('c-gone')
    await user.selectOptions(screen.getByLabelText('Credential id'), picker)
    expect(last).toEqual({ credential_id: 'c-1' })
    await user.selectOptions(screen.getByLabelText('Credential id'), 'None')
    expect(last).toEqual({})
    expect(asked[0]).toBe('w1')
  })
})
