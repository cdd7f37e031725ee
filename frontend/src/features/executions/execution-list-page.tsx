// /app/executions: the workspace's runs, newest first; ?workflow= narrows it to one workflow
// (the editor's "Runs" link). Filters and the page live in the URL, so reloads keep them.
import { ChevronLeft, ChevronRight } from 'lucide-react'
import { Link, useSearchParams } from 'react-router'
import type { ExecutionMode, ExecutionStatus } from '@/api/types'
import { EmptyState, ErrorMessage, Loading } from '@/components/ui/feedback'
import { useMe } from '@/features/auth/api'
import { pickWorkspace, useWorkspaceStore } from '@/features/auth/workspace-store'
import { useWorkflowList } from '@/features/workflows/api'
import { useExecutionList } from './api'
import { ExecutionTable } from './execution-table'
import { MODE_LABELS } from './labels'
import { statusLabel } from './labels'

const STATUSES: ExecutionStatus[] = [
  'queued',
  'running',
  'waiting',
  'succeeded',
  'failed',
  'cancelled',
]

export function ExecutionListPage() {
  const me = useMe()
  const workspaceId = useWorkspaceStore((s) => s.workspaceId)
  const workspace = pickWorkspace(me.data, workspaceId)
  const [params, setParams] = useSearchParams()
  const status = (params.get('status') || undefined) as ExecutionStatus | undefined
  const mode = (params.get('mode') || undefined) as ExecutionMode | undefined
  const workflow = params.get('workflow') || undefined
  const page = params.get('page')
  const runs = useExecutionList({
    workspace: String(workspace?.id ?? ''),
    status,
    mode,
    workflow,
    page,
  })
  const workflows = useWorkflowList(workspace ? String(workspace.id) : null, '')
  const workflowOptions = workflows.data?.pages.flatMap((p) => p.results) ?? []
  const workflowName =
    workflowOptions.find((w) => w.id === workflow)?.name ?? runs.data?.results[0]?.workflow_name

  /** Change one filter and go back to the first page. */
  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(params)
    if (value) next.set(key, value)
    else next.delete(key)
    next.delete('page')
    setParams(next)
  }
  const goTo = (link: string | null) => {
    if (!link) return
    const next = new URLSearchParams(params)
    next.set('page', link)
    setParams(next)
  }

  return (
    <div className="page page--wide">
      <div className="page__header">
        <h1>{workflow && workflowName ? `Runs of ${workflowName}` : 'Runs'}</h1>
        {workflow && (
          <Link to={`/app/workflows/${workflow}`} className="btn">
            Open workflow
          </Link>
        )}
      </div>
      <div className="filters" role="search" aria-label="Filter runs">
        <label>
          Status
          <select value={status ?? ''} onChange={(e) => setFilter('status', e.target.value)}>
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Mode
          <select value={mode ?? ''} onChange={(e) => setFilter('mode', e.target.value)}>
            <option value="">Any mode</option>
            {Object.entries(MODE_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Workflow
          <select value={workflow ?? ''} onChange={(e) => setFilter('workflow', e.target.value)}>
            <option value="">All workflows</option>
            {workflow && !workflowOptions.some((w) => w.id === workflow) && (
              <option value={workflow}>{workflowName ?? workflow}</option>
            )}
            {workflowOptions.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
          </select>
        </label>
      </div>

      {runs.isPending ? (
        <Loading label="Loading runs…" />
      ) : runs.isError ? (
        <ErrorMessage error={runs.error} onRetry={() => void runs.refetch()} />
      ) : runs.data.results.length === 0 ? (
        <EmptyState title={status || mode || workflow ? 'No run matches' : 'No runs yet'}>
          <p>Runs appear here when a workflow is run from the editor, a trigger or the API.</p>
        </EmptyState>
      ) : (
        <>
          <ExecutionTable runs={runs.data.results} showWorkflow={!workflow} />
          <div className="page__footer">
            <span>
              {runs.isFetching
                ? 'Refreshing…'
                : `${runs.data.results.length} run${runs.data.results.length === 1 ? '' : 's'} shown`}
            </span>
            <div className="pager">
              <button
                type="button"
                className="btn btn--small"
                disabled={!runs.data.previous}
                onClick={() => goTo(runs.data.previous)}
              >
                <ChevronLeft size={16} aria-hidden="true" /> Newer
              </button>
              <button
                type="button"
                className="btn btn--small"
                disabled={!runs.data.next}
                onClick={() => goTo(runs.data.next)}
              >
                Older <ChevronRight size={16} aria-hidden="true" />
              </button>
            </div>
          </div>
        </>
      )}
    </div>
  )
}
