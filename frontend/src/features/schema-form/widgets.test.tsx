import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { describe, expect, it } from 'vitest'
import type { JsonSchema } from '@/api/types'
import type { UiHints } from './hints'
import { SchemaForm } from './schema-form'

const schema: JsonSchema = {
  type: 'object',
  required: ['url'],
  properties: {
    url: { type: 'string' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    mapping: { type: 'object' },
    body_type: { enum: ['none', 'json', 'raw'], default: 'none' },
    body: {},
    method: { enum: ['GET', 'POST'] },
    methods: { type: 'array', items: { enum: ['GET', 'POST', 'PUT'] }, default: ['POST'] },
    tags: { type: 'array', items: { type: 'string' } },
    conditions: {
      type: 'array',
      items: {
        type: 'object',
        properties: { left: {}, operator: { enum: ['eq', 'gt', 'exists'] }, right: {} },
      },
    },
    timeout_s: { type: 'number' },
  },
}

const hint = (h: Partial<UiHints[string]>): UiHints[string] => ({
  widget: null,
  placeholder: '',
  group: '',
  show_when: {},
  inline: false,
  hidden: false,
  ...h,
})

const ui: UiHints = {
  url: hint({ placeholder: 'https://api.example.com', inline: true }),
  headers: hint({ widget: 'key_value' }),
  mapping: hint({ widget: 'key_value' }),
  body: hint({ widget: 'code', show_when: { body_type: ['json', 'raw'] } }),
  method: hint({ hidden: true }),
  methods: hint({ widget: 'string_list' }),
  tags: hint({ widget: 'string_list' }),
  conditions: hint({ widget: 'condition_list' }),
  timeout_s: hint({ group: 'Advanced' }),
}

let last: Record<string, unknown> = {}

function Harness({ initial = {} }: { initial?: Record<string, unknown> }) {
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

describe('schema form hints and widgets', () => {
  it('edits headers as key-value rows, from the keyboard only', async () => {
    const user = userEvent.setup()
    render(<Harness initial={{ url: 'x', headers: { Accept: 'text/plain' } }} />)
    const table = screen.getByRole('group', { name: 'Headers' })
    expect(within(table).getByLabelText('Headers 1 value')).toHaveValue('text/plain')
    // Tab to "Add" and press Enter: a new empty row, nothing reported yet.
    within(table).getByRole('button', { name: /Add/ }).focus()
    await user.keyboard('{Enter}')
    await user.type(within(table).getByLabelText('Headers 2 name'), 'X-Key')
    await user.tab()
    await user.keyboard('secret-ish')
    expect(last.headers).toEqual({ Accept: 'text/plain', 'X-Key': 'secret-ish' })
    await user.click(within(table).getByRole('button', { name: 'Remove Headers 1' }))
    expect(last.headers).toEqual({ 'X-Key': 'secret-ish' })
  })

  it('says why a row is not used instead of dropping it silently', async () => {
    const user = userEvent.setup()
    render(<Harness initial={{ headers: { A: '1' } }} />)
    const table = screen.getByRole('group', { name: 'Headers' })
    await user.click(within(table).getByRole('button', { name: /Add/ }))
    await user.type(within(table).getByLabelText('Headers 2 value'), 'orphan')
    expect(within(table).getByText('Needs a name; not used yet.')).toBeInTheDocument()
    await user.type(within(table).getByLabelText('Headers 2 name'), 'A')
    expect(within(table).getByText('Duplicate name; not used.')).toBeInTheDocument()
    expect(last.headers).toEqual({ A: '1' })
    expect(within(table).getByLabelText('Headers 2 value')).toHaveValue('orphan')
  })

  it('keeps mapping values typed: JSON when it parses, text otherwise', async () => {
    const user = userEvent.setup()
    render(<Harness />)
    const table = screen.getByRole('group', { name: 'Mapping' })
    await user.click(within(table).getByRole('button', { name: /Add/ }))
    await user.type(within(table).getByLabelText('Mapping 1 name'), 'n')
    await user.type(within(table).getByLabelText('Mapping 1 value'), '42')
    expect(last.mapping).toEqual({ n: 42 })
    await user.type(within(table).getByLabelText('Mapping 1 value'), ' {{{{ x }}')
    expect(last.mapping).toEqual({ n: '42 {{ x }}' })
  })

  it('shows a field only while show_when holds, hides hidden ones, groups the rest', async () => {
    const user = userEvent.setup()
    render(<Harness initial={{ method: 'GET' }} />)
    expect(screen.queryByLabelText('Body')).not.toBeInTheDocument()
    expect(screen.queryByLabelText('Method')).not.toBeInTheDocument()
    expect(screen.getByPlaceholderText('https://api.example.com')).toBeInTheDocument()
    await user.selectOptions(screen.getByLabelText('Body type'), 'json')
    expect(screen.getByLabelText('Body')).toHaveClass('field__json')
    const advanced = screen.getByRole('group', { name: 'Advanced' })
    expect(within(advanced).getByLabelText('Timeout s')).toBeInTheDocument()
    expect(last.method).toBe('GET') // hidden, but kept
  })

  it('edits enum arrays as checkboxes and string arrays as rows', async () => {
    const user = userEvent.setup()
    render(<Harness />)
    const methods = screen.getByRole('group', { name: 'Methods' })
    // Unset: the default (POST) is what runs, so it shows ticked.
    expect(within(methods).getByLabelText('POST')).toBeChecked()
    expect(within(methods).getByLabelText('GET')).not.toBeChecked()
    await user.click(within(methods).getByLabelText('GET'))
    expect(last.methods).toEqual(['GET', 'POST'])
    await user.click(within(methods).getByLabelText('POST'))
    expect(last.methods).toEqual(['GET'])
    const tags = screen.getByRole('group', { name: 'Tags' })
    await user.click(within(tags).getByRole('button', { name: /Add/ }))
    await user.type(within(tags).getByLabelText('Tags 1'), 'alpha')
    expect(last.tags).toEqual(['alpha'])
  })

  it('builds a condition list; unary operators drop the right side', async () => {
    const user = userEvent.setup()
    render(<Harness />)
    const list = screen.getByRole('group', { name: 'Conditions' })
    await user.click(within(list).getByRole('button', { name: /Add condition/ }))
    await user.type(within(list).getByLabelText('Condition 1 left value'), 'status')
    await user.selectOptions(within(list).getByLabelText('Condition 1 operator'), 'gt')
    await user.type(within(list).getByLabelText('Condition 1 right value'), '200')
    expect(last.conditions).toEqual([{ left: 'status', operator: 'gt', right: 200 }])
    await user.selectOptions(within(list).getByLabelText('Condition 1 operator'), 'exists')
    expect(last.conditions).toEqual([{ left: 'status', operator: 'exists' }])
    expect(within(list).queryByLabelText('Condition 1 right value')).not.toBeInTheDocument()
  })
})
