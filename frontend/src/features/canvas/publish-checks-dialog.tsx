// The problems found before publishing. Errors block it; warnings leave the choice to the
// user ("Publish anyway"). Choosing a problem closes the list and shows its node.
import { AlertTriangle, CircleX, Crosshair, Upload } from 'lucide-react'
import { useEffect, useId, useRef } from 'react'
import type { GraphIssue } from '@/api/types'
import { useModal } from '@/components/ui/use-modal'
import { checkKind, orderChecks } from './publish-checks'

interface PublishChecksDialogProps {
  issues: GraphIssue[]
  onShowNode: (nodeId: string) => void
  onPublishAnyway: () => void
  onClose: () => void
}

export function PublishChecksDialog(props: PublishChecksDialogProps) {
  const { issues, onShowNode, onPublishAnyway, onClose } = props
  const id = useId()
  const box = useRef<HTMLDivElement>(null)
  // The first problem (or the first action, when no problem names a node) takes focus.
  useEffect(() => box.current?.querySelector('button')?.focus(), [])
  useModal(box, onClose)
  const checks = orderChecks(issues)
  const errors = checks.filter((issue) => issue.severity === 'error').length
  const warnings = checks.length - errors

  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={box}
        className="dialog publish-checks"
        role="dialog"
        aria-modal="true"
        aria-labelledby={id}
        aria-describedby={`${id}-summary`}
      >
        <h2 id={id}>Publish checks</h2>
        <p id={`${id}-summary`}>
          {errors > 0
            ? `${errors} error(s) must be fixed before publishing.`
            : `${warnings} warning(s): the workflow can be published, but check them first.`}
        </p>
        <ul className="publish-checks__list" aria-label="Problems">
          {checks.map((issue, index) => {
            const Icon = issue.severity === 'error' ? CircleX : AlertTriangle
            const body = (
              <>
                <Icon size={14} aria-hidden="true" />
                <span className="publish-checks__kind">
                  {issue.severity === 'error' ? 'Error' : 'Warning'}: {checkKind(issue.code)}
                </span>
                {issue.node_id && <code className="publish-checks__node">{issue.node_id}</code>}
                <span className="publish-checks__message">{issue.message}</span>
              </>
            )
            return (
              <li
                key={`${issue.path}-${issue.code}-${index}`}
                className={`check--${issue.severity}`}
              >
                {issue.node_id ? (
                  <button
                    type="button"
                    className="publish-checks__item"
                    onClick={() => onShowNode(issue.node_id as string)}
                    title="Show this node on the canvas"
                  >
                    {body}
                    <Crosshair size={14} aria-hidden="true" />
                  </button>
                ) : (
                  <div className="publish-checks__item">{body}</div>
                )}
              </li>
            )
          })}
        </ul>
        <div className="dialog__actions">
          <button type="button" className="btn" onClick={onClose}>
            {errors > 0 ? 'Close' : 'Cancel'}
          </button>
          {errors === 0 && (
            <button type="button" className="btn btn--primary" onClick={onPublishAnyway}>
              <Upload size={14} aria-hidden="true" />
              Publish anyway
            </button>
          )}
        </div>
      </div>
    </div>
  )
}
