// The fields a block marks `inline` in its hints (an HTTP node's method and URL, a cron),
// edited on the node card itself. `nodrag` keeps React Flow from dragging the node while
// the user selects text; the side panel still has the full form.
import { useStore } from '@xyflow/react'
import type { BlockSpec } from '@/api/types'
import { inlineFields } from '@/features/schema-form/hints'
import { fieldKind, humanize } from '@/features/schema-form/schema'
import { nodeSteps, useRunOverlayStore } from '@/features/executions/run-store'
import { useCanvasStore } from '../store'
import './inline-params.css'

interface InlineParamsProps {
  id: string
  block: BlockSpec
  config: Record<string, unknown>
  errors?: Record<string, string[]>
}

const text = (value: unknown) =>
  value === undefined || value === null
    ? ''
    : typeof value === 'string'
      ? value
      : JSON.stringify(value)

export function InlineParams({ id, block, config, errors }: InlineParamsProps) {
  const update = useCanvasStore((s) => s.updateNodeConfig)
  // The canvas is read-only (a published version, no edit right) when nodes cannot be dragged.
  const editable = useStore((s) => s.nodesDraggable)
  const fields = inlineFields(block.config_schema, block.ui)
  if (fields.length === 0) return null
  // Read-only (a run's page, a viewer): plain text, so a click on it still selects the node
  // (a disabled input swallows the click).
  if (!editable) {
    return (
      <div className="inline-params">
        {fields.map((key) => {
          const schema = block.config_schema.properties?.[key] ?? {}
          return (
            <span key={key} className="inline-params__value" title={schema.title ?? humanize(key)}>
              {text(config[key] ?? schema.default) || '—'}
            </span>
          )
        })}
      </div>
    )
  }
  const set = (key: string, next: unknown) => {
    const rest = Object.fromEntries(Object.entries(config).filter(([k]) => k !== key))
    update(id, next === undefined || next === '' ? rest : { ...config, [key]: next })
  }
  return (
    <div className="inline-params nodrag">
      {fields.map((key) => {
        const schema = block.config_schema.properties?.[key] ?? {}
        const label = schema.title ?? humanize(key)
        const hint = block.ui?.[key]
        const invalid = (errors?.[key]?.length ?? 0) > 0 || undefined
        const common = {
          className: 'inline-params__input nodrag',
          'aria-label': `${label} of node ${id}`,
          'aria-invalid': invalid,
          title: errors?.[key]?.join('\n') || label,
        }
        if (fieldKind(schema) === 'enum') {
          const options = (schema.enum ?? []).map(String)
          const current = text(config[key] ?? schema.default)
          return (
            <select
              key={key}
              {...common}
              value={current}
              onChange={(e) => set(key, e.target.value)}
            >
              {!options.includes(current) && <option value={current}>{current || '—'}</option>}
              {options.map((option) => (
                <option key={option}>{option}</option>
              ))}
            </select>
          )
        }
        return (
          <input
            key={key}
            type="text"
            {...common}
            placeholder={hint?.placeholder || label}
            value={text(config[key])}
            onChange={(e) => set(key, e.target.value)}
          />
        )
      })}
    </div>
  )
}

/** One line of what the node produced in the run being watched (its last step). */
export function LastRunPreview({ id }: { id: string }) {
  const last = useRunOverlayStore((s) => nodeSteps(s.steps, id).at(-1))
  if (!last) return null
  const failed = last.error != null
  const shown = failed ? last.error : last.output
  const line = shown === undefined || shown === null ? 'No output' : JSON.stringify(shown)
  return (
    <div
      className={`inline-params__result${failed ? ' inline-params__result--error' : ''}`}
      title={line.slice(0, 500)}
      data-testid={`node-result-${id}`}
    >
      {line.length > 60 ? `${line.slice(0, 59)}…` : line}
    </div>
  )
}
