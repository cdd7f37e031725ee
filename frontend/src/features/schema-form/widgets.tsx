// Structured widgets the block hints ask for: a key-value table (headers, mappings), a list
// of strings (rows, or checkboxes when the items are an enum) and a condition list builder.
// Each keeps half-finished rows locally and reports only complete values, saying why a row
// is not used yet instead of dropping it silently.
import { Plus, Trash2 } from 'lucide-react'
import { useState } from 'react'
import type { JsonSchema } from '@/api/types'
import { isPlainObject } from './schema'
import './widgets.css'

interface WidgetProps<T> {
  id: string
  label: string
  schema: JsonSchema
  value: unknown
  onChange: (value: T | undefined) => void
  invalid: boolean
}

/** Local rows that follow the value until the user edits; an outside edit (undo) resets them. */
function useRows<R>(value: unknown, toRows: (value: unknown) => R[]) {
  const [synced, setSynced] = useState(value)
  const [rows, setRows] = useState(() => toRows(value))
  if (!Object.is(synced, value)) {
    setSynced(value)
    setRows(toRows(value))
  }
  return { rows, setRows, setSynced }
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/** Text for a value that may be any JSON: strings as they are, the rest as JSON. */
const showAny = (v: unknown) =>
  v === undefined ? '' : typeof v === 'string' && !parsesAsJson(v) ? v : JSON.stringify(v)
const readAny = (text: string): unknown => (parsesAsJson(text) ? JSON.parse(text) : text)

function RemoveButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <button
      type="button"
      className="btn btn--ghost btn--small"
      aria-label={label}
      onClick={onClick}
    >
      <Trash2 size={14} aria-hidden="true" />
    </button>
  )
}

function AddButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <button type="button" className="btn btn--small kv__add" onClick={onClick}>
      <Plus size={14} aria-hidden="true" /> {label}
    </button>
  )
}

interface KvRow {
  key: string
  value: string
}

/** An object of strings (or of any JSON when the schema's values are not strings). */
export function KeyValueInput({
  id,
  label,
  schema,
  value,
  onChange,
  invalid,
}: WidgetProps<object>) {
  const extra = schema.additionalProperties
  const strings = isPlainObject(extra) && extra.type === 'string'
  const toRows = (v: unknown): KvRow[] =>
    isPlainObject(v)
      ? Object.entries(v).map(([key, item]) => ({
          key,
          value: strings && typeof item === 'string' ? item : showAny(item),
        }))
      : []
  const { rows, setRows, setSynced } = useRows(value, toRows)
  const keys = rows.map((r) => r.key.trim())
  const problem = (row: KvRow, index: number) =>
    !row.key.trim() && row.value
      ? 'Needs a name; not used yet.'
      : keys.indexOf(row.key.trim()) !== index && row.key.trim()
        ? 'Duplicate name; not used.'
        : null
  const commit = (next: KvRow[]) => {
    setRows(next)
    const object: Record<string, unknown> = {}
    for (const row of next) {
      const key = row.key.trim()
      if (key && !(key in object)) object[key] = strings ? row.value : readAny(row.value)
    }
    setSynced(object)
    onChange(object)
  }
  const edit = (index: number, patch: Partial<KvRow>) =>
    commit(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)))
  return (
    <div className="kv" id={id} role="group" aria-label={label}>
      {rows.length === 0 && <p className="field__help">None yet.</p>}
      {rows.map((row, index) => {
        const message = problem(row, index)
        return (
          <div key={index} className="kv__row">
            <input
              type="text"
              className="nodrag"
              aria-label={`${label} ${index + 1} name`}
              placeholder="Name"
              value={row.key}
              aria-invalid={message !== null || invalid || undefined}
              onChange={(e) => edit(index, { key: e.target.value })}
            />
            <input
              type="text"
              className="nodrag"
              aria-label={`${label} ${index + 1} value`}
              placeholder="Value or {{ expression }}"
              value={row.value}
              onChange={(e) => edit(index, { value: e.target.value })}
            />
            <RemoveButton
              label={`Remove ${label} ${index + 1}`}
              onClick={() => commit(rows.filter((_, i) => i !== index))}
            />
            {message && <p className="field__error kv__error">{message}</p>}
          </div>
        )
      })}
      <AddButton label="Add" onClick={() => setRows([...rows, { key: '', value: '' }])} />
    </div>
  )
}

/** An array of strings: checkboxes when the items are an enum, else editable rows. */
export function StringListInput({ id, label, schema, value, onChange }: WidgetProps<string[]>) {
  const list = Array.isArray(value) ? value.map(String) : []
  const { rows, setRows, setSynced } = useRows(value, () => list)
  const options = Array.isArray(schema.items?.enum) ? schema.items.enum.map(String) : null
  if (options) {
    // Unset, the default applies: show it ticked, as the run will see it.
    const ticked =
      value === undefined && Array.isArray(schema.default) ? schema.default.map(String) : list
    return (
      <div className="chips" id={id} role="group" aria-label={label}>
        {options.map((option) => (
          <label key={option} className="chip">
            <input
              type="checkbox"
              checked={ticked.includes(option)}
              onChange={(e) =>
                onChange(
                  e.target.checked
                    ? options.filter((o) => o === option || ticked.includes(o))
                    : ticked.filter((o) => o !== option),
                )
              }
            />
            {option}
          </label>
        ))}
      </div>
    )
  }
  const commit = (next: string[]) => {
    setRows(next)
    const kept = next.filter((item) => item.trim() !== '')
    setSynced(kept)
    onChange(kept)
  }
  return (
    <div className="kv" id={id} role="group" aria-label={label}>
      {rows.map((item, index) => (
        <div key={index} className="kv__row">
          <input
            type="text"
            aria-label={`${label} ${index + 1}`}
            value={item}
            onChange={(e) => commit(rows.map((r, i) => (i === index ? e.target.value : r)))}
          />
          <RemoveButton
            label={`Remove ${label} ${index + 1}`}
            onClick={() => commit(rows.filter((_, i) => i !== index))}
          />
        </div>
      ))}
      <AddButton label="Add" onClick={() => setRows([...rows, ''])} />
    </div>
  )
}
