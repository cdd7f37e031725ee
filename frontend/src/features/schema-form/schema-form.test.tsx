import { fireEvent, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { describe, expect, it, vi } from 'vitest'
import type { JsonSchema } from '@/api/types'
import { defaultsFor } from './schema'
import { SchemaForm } from './schema-form'

const schema: JsonSchema = {
  type: 'object',
  required: ['url'],
  properties: {
    url: { type: 'string', title: 'URL', description: 'Where to send it' },
    method: { enum: ['GET', 'POST'], default: 'GET' },
    timeout_s: { type: 'integer', minimum: 1, default: 10 },
    follow_redirects: { type: 'boolean', default: true },
    auth: {
      type: 'object',
      properties: { username: { type: 'string' }, scheme: { enum: ['basic', 'bearer'] } },
    },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    tags: { type: 'array', items: { type: 'string' } },
    when: { description: 'Any value' },
    retries: { type: ['integer', 'null'], default: null },
  },
}

/** Holds the value like the canvas store does, and reports every change. */
function Harness({
  initial,
  onChange,
  errors,
}: {
  initial: Record<string, unknown>
  onChange: (v: Record<string, unknown>) => void
  errors?: Record<string, string[]>
}) {
  const [value, setValue] = useState(initial)
  return (
    <SchemaForm
      schema={schema}
      value={value}
      errors={errors}
      onChange={(next) => {
        setValue(next)
        onChange(next)
      }}
    />
  )
}

const last = (spy: ReturnType<typeof vi.fn>) =>
  spy.mock.calls.at(-1)?.[0] as Record<string, unknown>

describe('SchemaForm', () => {
  it('renders a field per property with the right control', () => {
    render(<Harness initial={{ url: 'https://x.test', tags: ['a'] }} onChange={() => {}} />)
    expect(screen.getByLabelText(/URL/)).toHaveValue('https://x.test')
    expect(screen.getByText('Where to send it')).toBeInTheDocument()
    expect(screen.getByLabelText('Method').tagName).toBe('SELECT')
    expect(screen.getByLabelText('Timeout s')).toHaveAttribute('placeholder', 'Default: 10')
    expect(screen.getByLabelText('Follow redirects')).toBeChecked()
    expect(screen.getByRole('group', { name: 'Auth' })).toBeInTheDocument()
    expect(screen.getByLabelText('Username')).toBeInTheDocument()
    expect(screen.getByLabelText('Tags')).toHaveValue('[\n  "a"\n]')
    expect(screen.getByLabelText('Headers').tagName).toBe('TEXTAREA')
  })

  it('edits strings, enums, booleans, numbers and nested objects', async () => {
    const user = userEvent.setup()
    const onChange = vi.fn()
    render(<Harness initial={{}} onChange={onChange} />)

    await user.type(screen.getByLabelText(/URL/), 'https://a.test')
    expect(last(onChange)).toEqual({ url: 'https://a.test' })

    await user.selectOptions(screen.getByLabelText('Method'), 'POST')
    expect(last(onChange).method).toBe('POST')

    await user.click(screen.getByLabelText('Follow redirects'))
    expect(last(onChange).follow_redirects).toBe(false)

    await user.type(screen.getByLabelText('Timeout s'), '30')
    expect(last(onChange).timeout_s).toBe(30)

    await user.type(screen.getByLabelText('Username'), 'bob')
    await user.selectOptions(screen.getByLabelText('Scheme'), 'bearer')
    expect(last(onChange).auth).toEqual({ username: 'bob', scheme: 'bearer' })

    await user.clear(screen.getByLabelText(/URL/))
    expect(last(onChange)).not.toHaveProperty('url')
  })

  it('accepts expressions in number fields and refuses other text', async () => {
    const user = userEvent.setup()
    const onChange = vi.fn()
    render(<Harness initial={{}} onChange={onChange} />)
    const timeout = screen.getByLabelText('Timeout s')
    fireEvent.change(timeout, { target: { value: '{{ vars.timeout }}' } })
    expect(last(onChange).timeout_s).toBe('{{ vars.timeout }}')
    await user.clear(timeout)
    await user.type(timeout, '2.5')
    expect(screen.getByText('Enter a whole number or an expression.')).toBeInTheDocument()
    expect(last(onChange).timeout_s).toBe(2) // the last valid value is kept
  })

  it('keeps untyped values as JSON when they parse and as text otherwise', () => {
    const onChange = vi.fn()
    render(<Harness initial={{ when: '42' }} onChange={onChange} />)
    const when = screen.getByLabelText('When')
    expect(when).toHaveValue('"42"') // a string that looks like JSON stays a string
    fireEvent.change(when, { target: { value: '{{ item.price > 10 }}' } })
    expect(last(onChange).when).toBe('{{ item.price > 10 }}')
    fireEvent.change(when, { target: { value: '[1, 2]' } })
    expect(last(onChange).when).toEqual([1, 2])
    expect(screen.getByLabelText('Retries')).toHaveValue('')
  })

  it('validates JSON fields and only commits valid JSON', () => {
    const onChange = vi.fn()
    render(<Harness initial={{}} onChange={onChange} />)
    const headers = screen.getByLabelText('Headers')
    fireEvent.change(headers, { target: { value: '{"X-Key": ' } })
    expect(screen.getByText(/Not valid JSON yet/)).toBeInTheDocument()
    expect(onChange).not.toHaveBeenCalled()
    fireEvent.change(headers, { target: { value: '{"X-Key": "1"}' } })
    expect(last(onChange)).toEqual({ headers: { 'X-Key': '1' } })
    expect(screen.queryByText(/Not valid JSON yet/)).not.toBeInTheDocument()
    expect(headers).toHaveValue('{"X-Key": "1"}')
  })

  it('shows server errors next to the fields they name', () => {
    render(
      <Harness
        initial={{}}
        onChange={() => {}}
        errors={{
          url: ['Enter a valid URL.'],
          'auth.username': ['Required.'],
          'tags[0]': ['Too short.'],
          '': ['Unknown key "x".'],
        }}
      />,
    )
    expect(screen.getByLabelText(/URL/)).toHaveAttribute('aria-invalid', 'true')
    expect(screen.getByText('Enter a valid URL.')).toBeInTheDocument()
    expect(screen.getByText('Required.')).toBeInTheDocument()
    expect(screen.getByText('[0]: Too short.')).toBeInTheDocument()
    expect(screen.getByText('Unknown key "x".')).toBeInTheDocument()
  })

  it('falls back to one JSON editor when the schema has no properties', () => {
    const onChange = vi.fn()
    render(<SchemaForm schema={{}} value={{ a: 1 }} onChange={onChange} />)
    const editor = screen.getByLabelText(/Config/)
    fireEvent.change(editor, { target: { value: '{"a": 2}' } })
    expect(onChange).toHaveBeenCalledWith({ a: 2 })
  })

  it('says so when a block has no settings', () => {
    render(
      <SchemaForm schema={{ type: 'object', properties: {} }} value={{}} onChange={() => {}} />,
    )
    expect(screen.getByText('This block has no settings.')).toBeInTheDocument()
  })

  it('seeds a new node with the schema defaults', () => {
    expect(defaultsFor(schema)).toEqual({
      method: 'GET',
      timeout_s: 10,
      follow_redirects: true,
      retries: null,
    })
  })
})
