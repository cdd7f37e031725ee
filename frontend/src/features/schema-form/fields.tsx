// Leaf inputs of the schema form. Each takes the raw config value and reports the next one;
// `undefined` means "remove the key" so optional settings fall back to the block's default.
import { useId, useState, type ReactNode } from 'react'
import type { JsonSchema } from '@/api/types'
import { isExpression, placeholderOf } from './schema'

export interface FieldFrameProps {
  id: string
  label: string
  required?: boolean
  description?: string
  errors: string[]
  children: ReactNode
  inline?: boolean
  /** For widgets made of several inputs (each labelled itself): the title is not a <label>. */
  composite?: boolean
}

export function FieldFrame({
  id,
  label,
  required,
  description,
  errors,
  children,
  inline,
  composite,
}: FieldFrameProps) {
  const Title = composite ? 'span' : 'label'
  return (
    <div
      className={`field${inline ? ' field--inline' : ''}${errors.length ? ' field--invalid' : ''}`}
    >
      <Title htmlFor={composite ? undefined : id} className="field__label">
        {label}
        {required && (
          <span className="field__required" aria-hidden="true">
            {' '}
            *
          </span>
        )}
      </Title>
      {children}
      {description && <p className="field__help">{description}</p>}
      {errors.map((message) => (
        <p key={message} className="field__error" role="alert">
          {message}
        </p>
      ))}
    </div>
  )
}

interface InputProps<T> {
  id: string
  schema: JsonSchema
  value: unknown
  onChange: (value: T | undefined) => void
  invalid: boolean
}

export function TextInput({
  id,
  schema,
  value,
  onChange,
  invalid,
  multiline,
}: InputProps<string> & { multiline?: boolean }) {
  const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value)
  const props = {
    id,
    value: text,
    placeholder: placeholderOf(schema),
    'aria-invalid': invalid || undefined,
    onChange: (event: { target: { value: string } }) =>
      onChange(event.target.value === '' ? undefined : event.target.value),
  }
  return multiline ? <textarea rows={4} {...props} /> : <input type="text" {...props} />
}

export function BooleanInput({ id, schema, value, onChange }: InputProps<boolean>) {
  const checked = typeof value === 'boolean' ? value : schema.default === true
  return (
    <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
  )
}

export function EnumInput({
  id,
  schema,
  value,
  onChange,
  invalid,
  required,
}: InputProps<unknown> & { required: boolean }) {
  const options = schema.enum ?? []
  const index = options.findIndex((option) => JSON.stringify(option) === JSON.stringify(value))
  return (
    <select
      id={id}
      value={index < 0 ? '' : String(index)}
      aria-invalid={invalid || undefined}
      onChange={(event) =>
        onChange(event.target.value === '' ? undefined : options[Number(event.target.value)])
      }
    >
      {(!required || index < 0) && (
        <option value="">
          {schema.default !== undefined ? `Default (${String(schema.default)})` : '—'}
        </option>
      )}
      {options.map((option, i) => (
        <option key={JSON.stringify(option)} value={String(i)}>
          {String(option)}
        </option>
      ))}
    </select>
  )
}

/**
 * Keeps what the user typed until it is valid; an edit from outside (undo, reload) replaces it.
 * Returns [text, setText, localError, setLocalError].
 */
function useDraft(value: unknown, format: (value: unknown) => string) {
  const [synced, setSynced] = useState(value)
  const [text, setText] = useState(() => format(value))
  const [error, setError] = useState<string | null>(null)
  if (!Object.is(synced, value)) {
    setSynced(value)
    setText(format(value))
    setError(null)
  }
  return { text, setText, error, setError, setSynced }
}

const formatNumber = (value: unknown) => (value == null ? '' : String(value))

export function NumberInput({
  id,
  schema,
  value,
  onChange,
  invalid,
  integer,
}: InputProps<number | string> & { integer: boolean }) {
  const draft = useDraft(value, formatNumber)
  const commit = (text: string) => {
    draft.setText(text)
    const trimmed = text.trim()
    let next: number | string | undefined
    if (trimmed === '') next = undefined
    else if (isExpression(trimmed)) next = trimmed
    else if (
      /^-?\d+(\.\d*)?([eE][-+]?\d+)?$/.test(trimmed) &&
      (!integer || Number.isInteger(Number(trimmed)))
    )
      next = Number(trimmed)
    else {
      draft.setError(
        integer ? 'Enter a whole number or an expression.' : 'Enter a number or an expression.',
      )
      return
    }
    draft.setError(null)
    draft.setSynced(next)
    onChange(next)
  }
  return (
    <>
      <input
        id={id}
        type="text"
        inputMode={integer ? 'numeric' : 'decimal'}
        value={draft.text}
        placeholder={placeholderOf(schema)}
        aria-invalid={invalid || draft.error !== null || undefined}
        onChange={(event) => commit(event.target.value)}
      />
      {draft.error && <p className="field__error">{draft.error}</p>}
    </>
  )
}

const formatJson = (value: unknown) => (value === undefined ? '' : JSON.stringify(value, null, 2))

export function JsonInput({ id, schema, value, onChange, invalid }: InputProps<unknown>) {
  const draft = useDraft(value, formatJson)
  const hintId = useId()
  const commit = (text: string) => {
    draft.setText(text)
    if (text.trim() === '') {
      draft.setError(null)
      draft.setSynced(undefined)
      onChange(undefined)
      return
    }
    try {
      const parsed: unknown = JSON.parse(text)
      draft.setError(null)
      draft.setSynced(parsed)
      onChange(parsed)
    } catch {
      draft.setError('Not valid JSON yet; the last valid value is kept.')
    }
  }
  return (
    <>
      <textarea
        id={id}
        className="field__json"
        rows={5}
        spellCheck={false}
        value={draft.text}
        placeholder={placeholderOf(schema)}
        aria-invalid={invalid || draft.error !== null || undefined}
        aria-describedby={hintId}
        onChange={(event) => commit(event.target.value)}
      />
      <p id={hintId} className={draft.error ? 'field__error' : 'field__help'}>
        {draft.error ?? 'JSON'}
      </p>
    </>
  )
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/** Plain text stays text; text that reads as JSON is shown quoted so it stays a string. */
const formatAny = (value: unknown) =>
  value === undefined
    ? ''
    : typeof value === 'string' && !parsesAsJson(value)
      ? value
      : JSON.stringify(value)

/** An untyped value: JSON when it parses (42, true, [1]), else the text itself ({{ expr }}). */
export function AnyInput({
  id,
  schema,
  value,
  onChange,
  invalid,
  code,
}: InputProps<unknown> & { code?: boolean }) {
  const draft = useDraft(value, formatAny)
  const commit = (text: string) => {
    draft.setText(text)
    const next =
      text.trim() === '' ? undefined : parsesAsJson(text) ? (JSON.parse(text) as unknown) : text
    draft.setSynced(next)
    onChange(next)
  }
  return (
    <textarea
      id={id}
      rows={code ? 6 : 2}
      className={code ? 'field__json' : undefined}
      spellCheck={false}
      value={draft.text}
      placeholder={placeholderOf(schema) ?? 'Text, JSON or {{ expression }}'}
      aria-invalid={invalid || undefined}
      onChange={(event) => commit(event.target.value)}
    />
  )
}
