// Run the saved draft with an input. The JSON is checked as it is typed; an invalid input
// keeps the dialog open with the error, it is never replaced by {} behind the user's back.
import { Play } from 'lucide-react'
import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { parseRunInput } from '@/lib/run-input'

const remembered = (workflowId: string) => `flowplane.run-input.${workflowId}`

export function RunDialog({
  workflowId,
  starting,
  onRun,
  onClose,
}: {
  workflowId: string
  starting: boolean
  onRun: (input: Record<string, unknown>) => void
  onClose: () => void
}) {
  const [text, setText] = useState(
    () => sessionStorage.getItem(remembered(workflowId)) ?? '{\n  \n}',
  )
  const parsed = parseRunInput(text)
  const errorId = useId()
  const area = useRef<HTMLTextAreaElement>(null)

  useEffect(() => area.current?.focus(), [])
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && onClose()
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [onClose])

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (!parsed.ok || starting) return
    sessionStorage.setItem(remembered(workflowId), text)
    onRun(parsed.value)
  }

  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <form
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${errorId}-title`}
        onSubmit={submit}
      >
        <h2 id={`${errorId}-title`}>Test run</h2>
        <p className="muted">
          Runs the saved draft. The input is what the trigger hands on: reach it in expressions as{' '}
          <code>{'{{ trigger.<field> }}'}</code>.
        </p>
        <label className="field">
          <span className="field__label">Input (JSON object)</span>
          <textarea
            ref={area}
            className="dialog__json"
            rows={10}
            spellCheck={false}
            value={text}
            aria-invalid={!parsed.ok}
            aria-describedby={parsed.ok ? undefined : errorId}
            onChange={(event) => setText(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) submit(event)
            }}
          />
        </label>
        {!parsed.ok && (
          <p id={errorId} className="field__error" role="alert">
            {parsed.error}
          </p>
        )}
        <div className="dialog__actions">
          <button type="button" className="btn btn--ghost" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="btn btn--primary"
            disabled={!parsed.ok || starting}
            title="Run (Ctrl+Enter)"
          >
            <Play size={14} aria-hidden="true" />
            {starting ? 'Starting…' : 'Run'}
          </button>
        </div>
      </form>
    </div>
  )
}
