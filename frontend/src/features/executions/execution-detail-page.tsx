// /app/executions/:id: one run, live until it finishes. The graph it ran, coloured per node;
// the picked node's steps on the right (the run's own input and output when none is picked).
import { ReactFlowProvider } from '@xyflow/react'
import { ArrowLeft, RotateCcw, Square } from 'lucide-react'
import { useEffect, useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router'
import type { ExecutionDetail } from '@/api/types'
import { Banner, ErrorMessage, Loading } from '@/components/ui/feedback'
import { useMe } from '@/features/auth/api'
import { canEdit } from '@/features/auth/workspace-store'
import { formatDateTime, formatDuration } from '@/lib/format'
import {
  isFinished,
  useCancelExecution,
  useExecution,
  useExecutionLogs,
  useRerunExecution,
} from './api'
import { MODE_LABELS } from './labels'
import { ErrorView } from './error-view'
import { JsonView } from './json-view'
import { RunGraph } from './run-graph'
import { useRunOverlayStore } from './run-store'
import { StatusBadge } from './status-badge'
import { LogList, StepPanel } from './step-panel'
import { useLiveExecution } from './use-live-execution'

export function ExecutionDetailPage() {
  const { id = '' } = useParams()
  const run = useExecution(id)
  useLiveExecution(run.data ? id : null)
  useEffect(() => () => useRunOverlayStore.getState().clear(), [id])

  if (run.isPending) return <Loading label="Loading run…" />
  if (run.isError) {
    return (
      <div className="page">
        <ErrorMessage error={run.error} onRetry={() => void run.refetch()} />
      </div>
    )
  }
  return <RunView key={id} run={run.data} />
}

function RunView({ run }: { run: ExecutionDetail }) {
  const [selected, setSelected] = useState<string | null>(null)
  const live = !isFinished(run.status)
  const logs = useExecutionLogs(run.id, live)
  const transport = useRunOverlayStore((s) => s.transport)
  const me = useMe()
  const navigate = useNavigate()
  const editor = canEdit(me.data, String(run.workspace))

  return (
    <div className="run-detail">
      <RunHeader run={run} />
      {live && transport === 'polling' && (
        <Banner kind="info">Live updates are polled every few seconds (no event stream).</Banner>
      )}
      <div className="editor__body">
        <ReactFlowProvider>
          {run.graph ? (
            <RunGraph graph={run.graph} selectedNodeId={selected} onSelect={setSelected} />
          ) : (
            <div className="canvas">
              <Banner kind="warning">The graph of this run is no longer available.</Banner>
            </div>
          )}
        </ReactFlowProvider>
        {selected ? (
          <StepPanel
            key={selected}
            nodeId={selected}
            logs={logs.data ?? []}
            onClose={() => setSelected(null)}
            onRerun={editor ? (next) => navigate(`/app/executions/${next.id}`) : undefined}
          />
        ) : (
          <aside className="config-panel step-panel" aria-label="Run data">
            <h2>Run input</h2>
            <JsonView value={run.input} empty="No input" />
            {run.error != null && (
              <>
                <h2>Error</h2>
                <ErrorView error={run.error} />
              </>
            )}
            <h2>Run output</h2>
            <JsonView value={run.output} empty={live ? 'Not finished yet' : 'No output'} />
            <h2>Logs</h2>
            <LogList logs={logs.data ?? []} />
            <p className="muted">Click a node to see its input, output, error and attempts.</p>
          </aside>
        )}
      </div>
    </div>
  )
}

function RunHeader({ run }: { run: ExecutionDetail }) {
  const me = useMe()
  const navigate = useNavigate()
  const editor = canEdit(me.data, String(run.workspace))
  const cancel = useCancelExecution(run.id)
  const rerun = useRerunExecution(run.id)
  const finished = isFinished(run.status)
  const error = cancel.error ?? rerun.error

  return (
    <>
      <div className="toolbar">
        <Link
          to={`/app/executions?workflow=${run.workflow}`}
          className="btn btn--ghost btn--small"
          aria-label="Back to runs"
        >
          <ArrowLeft size={16} aria-hidden="true" />
        </Link>
        <div className="toolbar__title">
          <h1>
            Run of <Link to={`/app/workflows/${run.workflow}`}>{run.workflow_name}</Link>
          </h1>
          <StatusBadge status={run.status} />
          <span className="toolbar__meta">
            {MODE_LABELS[run.mode] ?? run.mode}
            {run.version ? ` · v${run.version}` : run.mode !== 'test' && ' · draft'} · started{' '}
            {formatDateTime(run.started_at ?? run.created_at)} · {formatDuration(run.duration_ms)}
            {run.attempt > 1 && ` · attempt ${run.attempt}`}
          </span>
        </div>
        {editor && (
          <div className="toolbar__actions">
            {!finished && (
              <button
                type="button"
                className="btn btn--danger"
                disabled={cancel.isPending || cancel.isSuccess}
                onClick={() => cancel.mutate()}
              >
                <Square size={14} aria-hidden="true" />
                {cancel.isPending || cancel.isSuccess ? 'Cancelling…' : 'Cancel run'}
              </button>
            )}
            <button
              type="button"
              className="btn"
              disabled={!finished || rerun.isPending}
              title={finished ? 'Run again with the same input' : 'Wait for this run to finish'}
              onClick={() =>
                rerun.mutate('', { onSuccess: (next) => navigate(`/app/executions/${next.id}`) })
              }
            >
              <RotateCcw size={14} aria-hidden="true" />
              {rerun.isPending ? 'Starting…' : 'Re-run'}
            </button>
          </div>
        )}
      </div>
      {error && <ErrorMessage error={error} />}
    </>
  )
}
