// The page's sections: each reads one endpoint and shows its own loading, error and empty
// state. Names and counts link into the runs list, filtered.
import type { UseQueryResult } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { Link } from 'react-router'
import { EmptyState, ErrorMessage, Loading } from '@/components/ui/feedback'
import {
  type MonitoringWindow,
  useBacklog,
  useBlockDurations,
  useFailingNodes,
  useWorkflowDurations,
} from './api'
import { DurationChart } from './charts'
import { formatMs, formatRate, runsLink } from './shape'

/** A section's frame: heading, then the query's state or its content. */
export function Section<T>({
  title,
  query,
  empty,
  children,
}: {
  title: string
  query: UseQueryResult<T>
  empty: (data: T) => boolean
  children: (data: T) => ReactNode
}) {
  const id = `monitoring-${title.toLowerCase().replace(/\W+/g, '-')}`
  return (
    <section className="monitoring-section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {query.isPending ? (
        <Loading label={`Loading ${title.toLowerCase()}…`} />
      ) : query.isError ? (
        <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />
      ) : empty(query.data) ? (
        <EmptyState title="Nothing in this range">
          <p>Runs appear here once workflows run in the selected time range.</p>
        </EmptyState>
      ) : (
        children(query.data)
      )}
    </section>
  )
}

export function WorkflowsSection({ window }: { window: MonitoringWindow }) {
  const query = useWorkflowDurations(window)
  return (
    <Section title="Duration per workflow" query={query} empty={(rows) => rows.length === 0}>
      {(rows) => (
        <>
          <DurationChart
            label="p50 and p95 run duration per workflow"
            bars={rows
              .filter((r) => r.p95_ms !== null)
              .map((r) => ({ name: r.workflow_name, p50: r.p50_ms, p95: r.p95_ms }))}
          />
          <table className="table monitoring-table">
            <thead>
              <tr>
                <th scope="col">Workflow</th>
                <th scope="col">Runs</th>
                <th scope="col">Failed</th>
                <th scope="col">Success rate</th>
                <th scope="col">p50</th>
                <th scope="col">p95</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.workflow}>
                  <td>
                    <Link to={runsLink({ workflow: row.workflow })}>{row.workflow_name}</Link>
                  </td>
                  <td>{row.runs}</td>
                  <td>
                    {row.failed > 0 ? (
                      <Link
                        to={runsLink({ workflow: row.workflow, status: 'failed' })}
                        aria-label={`${row.failed} failed runs of ${row.workflow_name}`}
                      >
                        {row.failed}
                      </Link>
                    ) : (
                      0
                    )}
                  </td>
                  <td>{formatRate(row.success_rate)}</td>
                  <td>{formatMs(row.p50_ms)}</td>
                  <td>{formatMs(row.p95_ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Section>
  )
}

export function BlocksSection({ window }: { window: MonitoringWindow }) {
  const query = useBlockDurations(window)
  return (
    <Section title="Slowest blocks" query={query} empty={(rows) => rows.length === 0}>
      {(rows) => (
        <>
          <DurationChart
            label="p50 and p95 step duration per block type"
            bars={rows.map((r) => ({ name: r.block_type, p50: r.p50_ms, p95: r.p95_ms }))}
          />
          <table className="table monitoring-table">
            <thead>
              <tr>
                <th scope="col">Block</th>
                <th scope="col">Steps</th>
                <th scope="col">Failed</th>
                <th scope="col">p50</th>
                <th scope="col">p95</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.block_type}>
                  <td>
                    <code>{row.block_type}</code>
                  </td>
                  <td>{row.steps}</td>
                  <td>{row.failed}</td>
                  <td>{formatMs(row.p50_ms)}</td>
                  <td>{formatMs(row.p95_ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Section>
  )
}

export function FailingNodesSection({ window }: { window: MonitoringWindow }) {
  const query = useFailingNodes(window)
  return (
    <Section title="Most failing nodes" query={query} empty={(rows) => rows.length === 0}>
      {(rows) => (
        <table className="table monitoring-table">
          <thead>
            <tr>
              <th scope="col">Workflow</th>
              <th scope="col">Node</th>
              <th scope="col">Failures</th>
              <th scope="col">Last error</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={`${row.workflow}:${row.node_id}`}>
                <td>
                  <Link to={runsLink({ workflow: row.workflow, status: 'failed' })}>
                    {row.workflow_name}
                  </Link>
                </td>
                <td>
                  <code>{row.node_id}</code> <span className="muted">{row.block_type}</span>
                </td>
                <td>{row.failures}</td>
                <td className="monitoring-error">{row.last_error || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  )
}

export function BacklogSection({ workspace, refresh }: { workspace: string; refresh: number }) {
  const query = useBacklog(workspace, refresh)
  return (
    <Section title="Backlog now" query={query} empty={() => false}>
      {(backlog) => (
        <>
          <dl className="monitoring-figures">
            <Figure label="Queued" value={backlog.queued} to={runsLink({ status: 'queued' })} />
            <Figure label="Waiting" value={backlog.waiting} to={runsLink({ status: 'waiting' })} />
            <Figure label="Running" value={backlog.running} to={runsLink({ status: 'running' })} />
          </dl>
          {backlog.oldest_queued_at && (
            <p className="muted">
              Oldest queued since {new Date(backlog.oldest_queued_at).toLocaleString()}
            </p>
          )}
          {backlog.workflows.length > 0 && (
            <ul className="monitoring-backlog">
              {backlog.workflows.map((row) => (
                <li key={row.workflow}>
                  {row.workflow_name}:{' '}
                  <Link to={runsLink({ workflow: row.workflow, status: 'queued' })}>
                    {row.queued} queued
                  </Link>
                  ,{' '}
                  <Link to={runsLink({ workflow: row.workflow, status: 'waiting' })}>
                    {row.waiting} waiting
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Section>
  )
}

export function Figure({ label, value, to }: { label: string; value: ReactNode; to?: string }) {
  return (
    <div className="monitoring-figure">
      <dt>{label}</dt>
      <dd>
        {to ? (
          <Link to={to} aria-label={`${label}: ${String(value)}, show the runs`}>
            {value}
          </Link>
        ) : (
          value
        )}
      </dd>
    </div>
  )
}
