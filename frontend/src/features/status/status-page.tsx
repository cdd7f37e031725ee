import { Activity } from 'lucide-react'
import { lazy, Suspense } from 'react'
import { useSearchParams } from 'react-router'
import { EmptyState, ErrorMessage, Loading } from '@/components/ui/feedback'
import { useMe } from '@/features/auth/api'
import { canEdit, pickWorkspace, useWorkspaceStore } from '@/features/auth/workspace-store'
import { useConnectorStatus } from './api'
import { CallHeaders } from './call-columns'
import { ConnectorStatusRow } from './connector-status-row'
import { McpServersTable } from './mcp-servers-table'
import { parseRange, RANGES, type RangeKey } from './range'
import '@/styles/status.css'

// Recharts is the heavy part: loaded when a connector is chosen.
const ConnectorDetail = lazy(() =>
  import('./connector-chart').then((m) => ({ default: m.ConnectorDetail })),
)

export function StatusPage() {
  const me = useMe()
  const workspaceId = useWorkspaceStore((s) => s.workspaceId)
  const workspace = pickWorkspace(me.data, workspaceId)
  if (!workspace) return null
  const id = String(workspace.id)
  return <StatusOf key={id} workspaceId={id} editable={canEdit(me.data, id)} />
}

/** The range and the selected connector live in the URL, so a view can be shared. */
function useStatusParams() {
  const [params, setParams] = useSearchParams()
  const range = parseRange(params.get('range'))
  const selected = params.get('connector')
  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params)
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) next.delete(key)
      else next.set(key, value)
    }
    setParams(next, { replace: true })
  }
  return { range, selected, update }
}

function StatusOf({ workspaceId, editable }: { workspaceId: string; editable: boolean }) {
  const { range, selected, update } = useStatusParams()
  const status = useConnectorStatus(workspaceId, range)
  const rows = status.data?.connectors ?? []
  const servers = status.data?.mcp_servers ?? []
  const current = rows.find((row) => row.slug === selected) ?? null

  return (
    <div className="page page--wide">
      <div className="page__header">
        <h1>Status</h1>
        <span className="muted">Calls of each connected connector, from runs and tests.</span>
        <label className="status-range">
          <span>Time range</span>
          <select
            value={range}
            onChange={(event) => update({ range: event.target.value as RangeKey })}
          >
            {RANGES.map((option) => (
              <option key={option.key} value={option.key}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
      </div>

      {status.isPending ? (
        <Loading label="Loading connector status…" />
      ) : status.isError ? (
        <ErrorMessage error={status.error} onRetry={() => void status.refetch()} />
      ) : rows.length === 0 && servers.length === 0 ? (
        <EmptyState title="No connected connectors">
          <p>
            <Activity size={16} aria-hidden="true" /> Add a credential for a connector, or run a
            workflow that calls one: its calls show here.
          </p>
        </EmptyState>
      ) : (
        <>
          {rows.length > 0 && (
            <table className="table status-table">
              <caption className="visually-hidden">
                Connected connectors and their calls in the range
              </caption>
              <thead>
                <tr>
                  <th scope="col">Connector</th>
                  <CallHeaders />
                  <th scope="col">Credentials</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <ConnectorStatusRow
                    key={row.slug}
                    row={row}
                    canEdit={editable}
                    selected={row.slug === current?.slug}
                    onSelect={() =>
                      update({ connector: row.slug === current?.slug ? null : row.slug })
                    }
                  />
                ))}
              </tbody>
            </table>
          )}
          {current ? (
            <Suspense fallback={<Loading label="Loading chart…" />}>
              <ConnectorDetail
                key={current.slug}
                workspaceId={workspaceId}
                slug={current.slug}
                name={current.name}
                range={range}
              />
            </Suspense>
          ) : (
            rows.length > 0 && (
              <p className="muted">Choose a connector for its chart and recent failures.</p>
            )
          )}
          {servers.length > 0 && <McpServersTable servers={servers} />}
        </>
      )}
    </div>
  )
}
