// The condition list builder: rows of `left operator right`, for arrays whose items are
// `{left, operator, right}` objects (the condition block). Unary operators hide `right`.
import { Plus, Trash2 } from 'lucide-react'
import type { JsonSchema } from '@/api/types'
import { isPlainObject } from './schema'
import './widgets.css'

type Condition = { left?: unknown; operator?: string; right?: unknown }

const UNARY = new Set(['is_empty', 'is_not_empty', 'exists', 'not_exists', 'is_true', 'is_false'])

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}
const show = (v: unknown) =>
  v === undefined ? '' : typeof v === 'string' && !parsesAsJson(v) ? v : JSON.stringify(v)
const read = (text: string): unknown =>
  text === '' ? undefined : parsesAsJson(text) ? JSON.parse(text) : text

interface Props {
  id: string
  label: string
  schema: JsonSchema
  value: unknown
  onChange: (value: Condition[] | undefined) => void
}

export function ConditionListInput({ id, label, schema, value, onChange }: Props) {
  const rows: Condition[] = Array.isArray(value) ? value.filter(isPlainObject) : []
  const operators = (schema.items?.properties?.operator?.enum ?? []).map(String)
  const set = (next: Condition[]) => onChange(next.length ? next : undefined)
  const edit = (index: number, patch: Condition) =>
    set(
      rows.map((row, i) => {
        if (i !== index) return row
        const next = { ...row, ...patch }
        if (next.right === undefined || UNARY.has(next.operator ?? '')) delete next.right
        return next
      }),
    )
  return (
    <div className="kv" id={id} role="group" aria-label={label}>
      {rows.length === 0 && <p className="field__help">No conditions yet.</p>}
      {rows.map((row, index) => (
        <div key={index} className="kv__row kv__row--condition">
          <input
            type="text"
            aria-label={`Condition ${index + 1} left value`}
            placeholder="{{ nodes.x.output.status }}"
            value={show(row.left)}
            onChange={(e) => edit(index, { left: read(e.target.value) ?? '' })}
          />
          <select
            aria-label={`Condition ${index + 1} operator`}
            value={row.operator ?? ''}
            onChange={(e) => edit(index, { operator: e.target.value })}
          >
            {operators.map((op) => (
              <option key={op} value={op}>
                {op.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
          {!UNARY.has(row.operator ?? '') && (
            <input
              type="text"
              aria-label={`Condition ${index + 1} right value`}
              placeholder="Value"
              value={show(row.right)}
              onChange={(e) => edit(index, { right: read(e.target.value) })}
            />
          )}
          <button
            type="button"
            className="btn btn--ghost btn--small"
            aria-label={`Remove condition ${index + 1}`}
            onClick={() => set(rows.filter((_, i) => i !== index))}
          >
            <Trash2 size={14} aria-hidden="true" />
          </button>
        </div>
      ))}
      <button
        type="button"
        className="btn btn--small kv__add"
        onClick={() => set([...rows, { left: '', operator: operators[0] ?? 'eq', right: '' }])}
      >
        <Plus size={14} aria-hidden="true" /> Add condition
      </button>
    </div>
  )
}
