// The request an HTTP request node will send, under its settings: method, full URL, headers
// and body, updated as the user types. The server builds it with the block's own code (so
// it is what a run sends), evaluates expressions on the last run's or pinned data, and masks
// secrets: a credential shows as its scheme (`Authorization: Bearer ••••`), never its value.
import { AlertTriangle, Send } from 'lucide-react'
import { ApiError } from '@/api/client'
import type { PreviewData } from '@/features/expressions/scope'
import { useRequestPreview } from './api'
import './request-preview.css'

export interface RequestPreviewProps {
  workspaceId: string | null
  config: Record<string, unknown>
  /** The sample expressions are evaluated on; null shows them as typed. */
  sample: PreviewData | null
}

function failureText(error: unknown): string {
  if (!(error instanceof ApiError)) return 'The preview is not available.'
  const [field, messages] = Object.entries(error.fields)[0] ?? []
  return field ? `${field}: ${messages[0]}` : error.detail
}

export function RequestPreview({ workspaceId, config, sample }: RequestPreviewProps) {
  const preview = useRequestPreview(workspaceId, config, sample)
  const request = preview.data
  const hasUrl = typeof config.url === 'string' && config.url.trim() !== ''
  return (
    <section className="request-preview" aria-label="Request preview">
      <h3>
        <Send size={14} aria-hidden="true" /> Request preview
      </h3>
      {!hasUrl ? (
        <p className="muted">Type a URL to see the request this node sends.</p>
      ) : preview.isError ? (
        <p className="field__error" role="alert">
          {failureText(preview.error)}
        </p>
      ) : !request ? (
        <p className="muted">Building the request…</p>
      ) : (
        <>
          <pre className="request-preview__http" data-testid="request-preview" tabIndex={0}>
            <span className="request-preview__line">
              <strong>{request.method}</strong> {request.url}
            </span>
            {request.headers.map((header) => (
              <span key={header.name} className="request-preview__line">
                {header.name}: {header.value}
              </span>
            ))}
            {request.body !== null && (
              <span className="request-preview__body">
                {request.body}
                {request.body_truncated && `\n… (${request.body_bytes} bytes in all)`}
              </span>
            )}
          </pre>
          {request.unresolved.length > 0 && (
            <p className="muted">
              Shown as typed, for want of run data: {request.unresolved.join(', ')}. Run the
              workflow or pin data to see their values.
            </p>
          )}
          {request.warnings.length > 0 && (
            <ul className="request-preview__warnings" aria-label="Request warnings">
              {request.warnings.map((warning) => (
                <li key={warning} className="field__warning">
                  <AlertTriangle size={14} aria-hidden="true" /> {warning}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  )
}
