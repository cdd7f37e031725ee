// The actions on one node of the run being watched, shared by the run detail's step panel and
// the editor's last-run view: stop a run still going, or re-run a finished run from a node
// that failed (upstream outputs are reused, so a flaky call is retried without redoing the rest).
import { RotateCcw, Square } from 'lucide-react'
import type { Execution } from '@/api/types'
import { ErrorMessage } from '@/components/ui/feedback'
import { isFinished, useCancelExecution, useRerunExecution } from './api'
import './run-node-actions.css'
import { nodeSteps, useRunOverlayStore } from './run-store'

export function RunNodeActions({
  nodeId,
  onRerun,
}: {
  nodeId: string
  /** Told of the run the re-run started, to follow it. */
  onRerun: (run: Execution) => void
}) {
  const runId = useRunOverlayStore((s) => s.executionId)
  if (!runId) return null
  return <Actions key={runId} runId={runId} nodeId={nodeId} onRerun={onRerun} />
}

function Actions({
  runId,
  nodeId,
  onRerun,
}: {
  runId: string
  nodeId: string
  onRerun: (run: Execution) => void
}) {
  const status = useRunOverlayStore((s) => s.status)
  const steps = useRunOverlayStore((s) => s.steps)
  const failed = nodeSteps(steps, nodeId).some((step) => step.status === 'failed')
  const cancel = useCancelExecution(runId)
  const rerun = useRerunExecution(runId)
  const finished = isFinished(status ?? undefined)
  const error = cancel.error ?? rerun.error
  if (!status || (finished && !failed)) return null

  return (
    <div className="run-node-actions">
      {!finished && (
        <button
          type="button"
          className="btn btn--small btn--danger"
          // A running step stops at its next boundary: until then the run still runs.
          disabled={cancel.isPending || cancel.isSuccess}
          onClick={() =>
            cancel.mutate(undefined, {
              onSuccess: (run) => useRunOverlayStore.getState().applyStatus(run.status),
            })
          }
        >
          <Square size={12} aria-hidden="true" />
          {cancel.isPending || cancel.isSuccess ? 'Cancelling…' : 'Cancel run'}
        </button>
      )}
      {finished && failed && (
        <button
          type="button"
          className="btn btn--small"
          disabled={rerun.isPending}
          title="Run again from this node, reusing what ran before it"
          onClick={() => rerun.mutate(nodeId, { onSuccess: onRerun })}
        >
          <RotateCcw size={12} aria-hidden="true" />
          {rerun.isPending ? 'Starting…' : 'Re-run from here'}
        </button>
      )}
      {error && <ErrorMessage error={error} />}
    </div>
  )
}
