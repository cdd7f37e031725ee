import { CircleX } from 'lucide-react'
import { JsonView } from './json-view'

/** An error as a person reads it: its message first, the full record underneath. */
export function ErrorView({ error }: { error: unknown }) {
  if (error === null || error === undefined) return <p className="muted">No error</p>
  const record = typeof error === 'object' ? (error as Record<string, unknown>) : {}
  const message = typeof error === 'string' ? error : record.message
  const code = typeof record.code === 'string' ? record.code : null
  return (
    <div className="error-view">
      {typeof message === 'string' && (
        <p className="error-view__message" role="alert">
          <CircleX size={16} aria-hidden="true" />
          <span>
            {message}
            {code && <code className="error-view__code">{code}</code>}
          </span>
        </p>
      )}
      {typeof error === 'object' && (
        <details>
          <summary className="muted">Details</summary>
          <JsonView value={error} />
        </details>
      )}
    </div>
  )
}
