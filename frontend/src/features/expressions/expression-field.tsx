// A string config field in the editor: the expression editor, the server's preview of its
// value on the scope's data (pinned, else the last run's), and warnings about `nodes.<id>`
// it should not read.
import { useId } from 'react'
import { AlertTriangle, Eye } from 'lucide-react'
import { ApiError } from '@/api/client'
import { useExpressionPreview } from './api'
import { ExpressionEditor } from './expression-editor'
import './expressions.css'
import { referenceWarnings } from './references'
import type { ExpressionScope } from './scope'
import type { JsonSchema } from '@/api/types'
import { placeholderOf } from '@/features/schema-form/schema'

export interface ExpressionFieldProps {
  id: string
  label: string
  value: unknown
  onChange: (value: string | undefined) => void
  schema: JsonSchema
  scope: ExpressionScope
  multiline?: boolean
  invalid: boolean
}

const show = (value: unknown) =>
  value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value, null, 1)

export function ExpressionField(props: ExpressionFieldProps) {
  const { id, label, value, onChange, schema, scope, multiline, invalid } = props
  const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value)
  const warningsId = useId()
  const previewId = useId()
  const warnings = referenceWarnings(text, scope.nodeId, scope.known, scope.upstream)
  const preview = useExpressionPreview(scope.workspaceId, text, scope.data)
  const hasExpression = text.includes('{{')
  const failure =
    preview.error instanceof ApiError
      ? (Object.values(preview.error.fields).flat()[0] ?? preview.error.detail)
      : preview.error
        ? 'The preview is not available.'
        : null
  return (
    <>
      <ExpressionEditor
        id={id}
        label={label}
        value={text}
        onChange={(next) => onChange(next === '' ? undefined : next)}
        scope={scope}
        multiline={multiline}
        placeholder={placeholderOf(schema) ?? 'Text or {{ expression }}'}
        invalid={invalid || failure !== null}
        disabled={scope.readOnly}
        describedBy={[warnings.length ? warningsId : '', hasExpression ? previewId : '']
          .filter(Boolean)
          .join(' ')}
      />
      {warnings.length > 0 && (
        <div id={warningsId} role="status">
          {warnings.map((message) => (
            <p key={message} className="field__warning">
              <AlertTriangle size={14} aria-hidden="true" /> {message}
            </p>
          ))}
        </div>
      )}
      {hasExpression && (
        <div id={previewId} className="expression-preview" aria-live="polite">
          <Eye size={14} aria-hidden="true" />
          {failure ? (
            <span className="field__error" data-testid="expression-preview-error">
              {failure}
            </span>
          ) : preview.isFetching && !preview.data ? (
            <span className="field__help">Evaluating…</span>
          ) : preview.data ? (
            <pre className="expression-preview__value" data-testid="expression-preview">
              {show(preview.data.value) || '""'}
            </pre>
          ) : (
            <span className="field__help">Preview after a run or once typing pauses.</span>
          )}
        </div>
      )}
    </>
  )
}
