import { Link } from 'react-router'
import type { Execution } from '@/api/types'
import { formatDateTime, formatDuration, formatRelative } from '@/lib/format'
import { MODE_LABELS } from './labels'
import { StatusBadge } from './status-badge'

/** What started the run: its trigger node when a trigger did, else who asked. */
function triggerText(run: Execution): string {
  if (run.trigger_node) return `${run.trigger_node} (${run.trigger_kind ?? 'trigger'})`
  if (run.parent) return 'Parent run'
  return run.mode === 'api' ? 'API call' : run.mode === 'retry' ? 'Re-run' : 'Editor'
}

/** Running runs count up from their start; finished ones show what the server measured. */
function duration(run: Execution): string {
  if (run.duration_ms !== null) return formatDuration(run.duration_ms)
  if (run.started_at && (run.status === 'running' || run.status === 'waiting')) {
    return `${formatDuration(Date.now() - Date.parse(run.started_at))}…`
  }
  return '–'
}

export function ExecutionTable({
  runs,
  showWorkflow = true,
}: {
  runs: Execution[]
  showWorkflow?: boolean
}) {
  return (
    <table className="table run-table">
      <thead>
        <tr>
          <th>Status</th>
          {showWorkflow && <th>Workflow</th>}
          <th>Mode</th>
          <th>Trigger</th>
          <th>Started</th>
          <th className="run-table__number">Duration</th>
          <th>
            <span className="visually-hidden">Open</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => {
          const started = run.started_at ?? run.created_at
          return (
            <tr key={run.id}>
              <td>
                <StatusBadge status={run.status} />
              </td>
              {showWorkflow && (
                <td>
                  <Link to={`/app/workflows/${run.workflow}`} className="table__title">
                    {run.workflow_name}
                  </Link>
                  <div className="table__sub">
                    {run.version !== null ? `v${run.version}` : 'draft'}
                  </div>
                </td>
              )}
              <td>{MODE_LABELS[run.mode] ?? run.mode}</td>
              <td>{triggerText(run)}</td>
              <td title={formatDateTime(started)}>
                {formatRelative(started)}
                <div className="table__sub">{formatDateTime(started)}</div>
              </td>
              <td className="run-table__number">{duration(run)}</td>
              <td>
                <Link to={`/app/executions/${run.id}`} aria-label={`View run ${run.id}`}>
                  View run
                </Link>
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
