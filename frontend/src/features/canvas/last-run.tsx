// In the editor's node panel: what this node did in the run being watched (n8n users expect
// to see a node's output next to its settings).
import { RunNodeActions } from '@/features/executions/run-node-actions'
import { JsonView } from '@/features/executions/json-view'
import { nodeSteps, useRunOverlayStore } from '@/features/executions/run-store'
import { StatusBadge } from '@/features/executions/status-badge'

export function LastRun({
  nodeId,
  onWatchRun,
}: {
  nodeId: string
  /** Given to those who may act on the run: shows Cancel and Re-run from here. */
  onWatchRun?: (runId: string) => void
}) {
  const steps = useRunOverlayStore((s) => s.steps)
  const last = nodeSteps(steps, nodeId).at(-1)
  if (!last) return null
  return (
    <details className="last-run" open>
      <summary>
        Last run <StatusBadge status={last.status} />
      </summary>
      {onWatchRun && <RunNodeActions nodeId={nodeId} onRerun={(run) => onWatchRun(run.id)} />}
      {last.error != null && <JsonView value={last.error} />}
      <JsonView value={last.output} empty="No output" />
    </details>
  )
}
