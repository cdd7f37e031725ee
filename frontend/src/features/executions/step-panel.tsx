// The picked node of a run: its input, output, error, logs and attempts. A node inside a loop
// ran once per item; the item picker switches between them.
import { X } from 'lucide-react'
import { useState } from 'react'
import type { Execution, ExecutionLog, ExecutionStep } from '@/api/types'
import { formatDateTime, formatDuration } from '@/lib/format'
import { ErrorView } from './error-view'
import { JsonView } from './json-view'
import { RunNodeActions } from './run-node-actions'
import { nodeSteps, useRunOverlayStore } from './run-store'
import { StatusBadge } from './status-badge'

type Tab = 'output' | 'input' | 'error' | 'logs'

export function StepPanel({
  nodeId,
  logs,
  onClose,
  onRerun,
}: {
  nodeId: string
  logs: ExecutionLog[]
  onClose: () => void
  /** Given to those who may act on the run: shows Cancel and Re-run from here. */
  onRerun?: (run: Execution) => void
}) {
  const allSteps = useRunOverlayStore((s) => s.steps)
  const steps = nodeSteps(allSteps, nodeId)
  const [index, setIndex] = useState(0)
  const step: ExecutionStep | undefined = steps[Math.min(index, steps.length - 1)]
  // Until the user picks a tab: the error of a failed step, else its output (the step may
  // arrive after the panel opened).
  const [picked, setPicked] = useState<Tab | null>(null)
  const tab = picked ?? (step?.error ? 'error' : 'output')
  const nodeLogs = logs.filter((log) => log.node_id === nodeId)

  return (
    <aside className="config-panel step-panel" aria-label="Step details">
      <header className="config-panel__header">
        <div>
          <h2>{nodeId}</h2>
          <code className="config-panel__id">{step?.block_type ?? 'did not run'}</code>
        </div>
        <button
          type="button"
          className="btn btn--ghost btn--small"
          aria-label="Close"
          onClick={onClose}
        >
          <X size={16} aria-hidden="true" />
        </button>
      </header>
      {onRerun && <RunNodeActions nodeId={nodeId} onRerun={onRerun} />}
      {!step ? (
        <p className="muted">This node has not run in this execution.</p>
      ) : (
        <>
          {steps.length > 1 && (
            <label className="step-panel__items">
              Item
              <select value={index} onChange={(e) => setIndex(Number(e.target.value))}>
                {steps.map((s, i) => (
                  <option key={s.key} value={i}>
                    {s.item_key || 'node'} · {s.status}
                  </option>
                ))}
              </select>
            </label>
          )}
          <dl className="step-panel__facts">
            <dt>Status</dt>
            <dd>
              <StatusBadge status={step.status} />
            </dd>
            <dt>Attempts</dt>
            <dd>{step.attempts}</dd>
            <dt>Started</dt>
            <dd>{formatDateTime(step.started_at)}</dd>
            <dt>Duration</dt>
            <dd>
              {step.started_at && step.finished_at
                ? formatDuration(Date.parse(step.finished_at) - Date.parse(step.started_at))
                : '–'}
            </dd>
          </dl>
          <div className="tabs" role="tablist">
            {(['output', 'input', 'error', 'logs'] as Tab[]).map((name) => (
              <button
                key={name}
                type="button"
                role="tab"
                aria-selected={tab === name}
                className={`tabs__tab${tab === name ? ' tabs__tab--active' : ''}`}
                onClick={() => setPicked(name)}
              >
                {name === 'logs'
                  ? `Logs (${nodeLogs.length})`
                  : name[0].toUpperCase() + name.slice(1)}
                {name === 'error' && step.error ? ' •' : ''}
              </button>
            ))}
          </div>
          <div role="tabpanel" className="step-panel__body">
            {tab === 'output' && <JsonView value={step.output} empty="No output" />}
            {tab === 'input' && <JsonView value={step.input} empty="No input" />}
            {tab === 'error' && <ErrorView error={step.error} />}
            {tab === 'logs' && <LogList logs={nodeLogs} />}
          </div>
        </>
      )}
    </aside>
  )
}

export function LogList({ logs }: { logs: ExecutionLog[] }) {
  if (logs.length === 0) return <p className="muted">No log lines.</p>
  return (
    <ol className="log-list">
      {logs.map((log) => (
        <li key={log.id} className={`log-list__line log-list__line--${log.level}`}>
          <span className="log-list__time">{formatDateTime(log.created_at)}</span>
          <span className="log-list__level">{log.level}</span>
          <span>
            {log.event}
            {log.message && `: ${log.message}`}
          </span>
        </li>
      ))}
    </ol>
  )
}
