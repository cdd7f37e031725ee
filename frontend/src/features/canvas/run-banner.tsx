// The editor's last test run, live: its status as the nodes report in, and the way to its page.
import { ExternalLink, Square, X } from 'lucide-react'
import { Link } from 'react-router'
import { useShallow } from 'zustand/react/shallow'
import { isFinished, useCancelExecution } from '@/features/executions/api'
import { useRunOverlayStore } from '@/features/executions/run-store'
import { statusLabel } from '@/features/executions/labels'
import { StatusIcon } from '@/features/executions/status-badge'
import { useCanvasStore } from './store'

export function RunBanner({
  runId,
  onDismiss,
  canStop,
}: {
  runId: string
  onDismiss: () => void
  canStop: boolean
}) {
  const cancel = useCancelExecution(runId)
  const { status, done } = useRunOverlayStore(
    useShallow((s) => ({
      status: s.status,
      done: Object.values(s.byNode).filter((n) => n.status !== 'running' && n.status !== 'waiting')
        .length,
    })),
  )
  const total = useCanvasStore((s) => s.nodes.length)
  const shown = status ?? 'queued'
  return (
    <div className={`run-banner run-banner--${shown}`} role="status" aria-live="polite">
      <StatusIcon status={shown} size={16} />
      <span>
        Test run <strong>{statusLabel(shown).toLowerCase()}</strong>
        {total > 0 && ` · ${done} of ${total} node${total === 1 ? '' : 's'} done`}
      </span>
      {canStop && !isFinished(shown) && (
        <button
          type="button"
          className="btn btn--small btn--danger"
          // A running step is stopped at its next boundary: until then the run still runs.
          disabled={cancel.isPending || cancel.isSuccess}
          onClick={() =>
            cancel.mutate(undefined, {
              onSuccess: (run) => useRunOverlayStore.getState().applyStatus(run.status),
            })
          }
        >
          <Square size={12} aria-hidden="true" />
          {cancel.isPending || cancel.isSuccess ? 'Stopping…' : 'Stop'}
        </button>
      )}
      <Link to={`/app/executions/${runId}`} className="run-banner__link">
        Open run <ExternalLink size={13} aria-hidden="true" />
      </Link>
      <button
        type="button"
        className="btn btn--ghost btn--small"
        aria-label="Hide run statuses"
        onClick={onDismiss}
      >
        <X size={14} aria-hidden="true" />
      </button>
    </div>
  )
}
