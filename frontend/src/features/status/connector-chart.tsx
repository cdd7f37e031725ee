import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts'
import { EmptyState, ErrorMessage, Loading } from '@/components/ui/feedback'
import { formatDateTime } from '@/lib/format'
import { useConnectorSeries, type Series } from './api'
import { chartRows, tickLabel, type RangeKey } from './range'

const STEP_LABELS: Record<string, string> = { minute: 'minute', hour: 'hour', day: 'day' }

export function ConnectorDetail({
  workspaceId,
  slug,
  name,
  range,
}: {
  workspaceId: string
  slug: string
  name: string
  range: RangeKey
}) {
  const series = useConnectorSeries(workspaceId, slug, range)
  if (series.isPending) return <Loading label={`Loading calls of ${name}…`} />
  if (series.isError)
    return <ErrorMessage error={series.error} onRetry={() => void series.refetch()} />
  const rows = chartRows(series.data)
  const total = rows.reduce((sum, row) => sum + row.ok + row.failures + row.limited, 0)
  const step = STEP_LABELS[series.data.step] ?? series.data.step
  return (
    <section className="card status-detail" aria-labelledby="status-detail-title">
      <h2 id="status-detail-title">
        {name}: calls per {step}
      </h2>
      {total === 0 ? (
        <p className="muted">No calls in this range.</p>
      ) : (
        <div
          className="status-chart"
          role="img"
          aria-label={`${total} calls of ${name}, per ${step}, with failures and p95 latency`}
        >
          {/* No animations: the chart refreshes every half minute and would replay them. */}
          <ResponsiveContainer width="100%" height={220}>
            <ComposedChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis
                dataKey="at"
                tickFormatter={(iso: string) => tickLabel(iso, series.data.step)}
                minTickGap={24}
              />
              <YAxis yAxisId="calls" allowDecimals={false} width={40} />
              <YAxis yAxisId="ms" orientation="right" width={56} unit=" ms" />
              <Tooltip labelFormatter={(iso) => formatDateTime(String(iso))} />
              <Legend />
              <Bar
                yAxisId="calls"
                dataKey="ok"
                name="OK"
                isAnimationActive={false}
                stackId="c"
                fill="#16a34a"
              />
              <Bar
                yAxisId="calls"
                dataKey="failures"
                name="Failed"
                isAnimationActive={false}
                stackId="c"
                fill="#dc2626"
              />
              <Bar
                yAxisId="calls"
                dataKey="limited"
                name="429"
                isAnimationActive={false}
                stackId="c"
                fill="#d97706"
              />
              <Line
                yAxisId="ms"
                dataKey="p95"
                name="p95 latency"
                stroke="#4f46e5"
                dot={{ r: 2 }}
                connectNulls
                isAnimationActive={false}
              />
            </ComposedChart>
          </ResponsiveContainer>
        </div>
      )}
      <RecentFailures series={series.data} />
    </section>
  )
}

/** The log of the connector's latest failing minutes: when, how many, the last error. */
function RecentFailures({ series }: { series: Series }) {
  return (
    <div className="status-log" id={`status-log-${series.connector}`}>
      <h3>Recent failures</h3>
      {series.recent_failures.length === 0 ? (
        <EmptyState title="No failed calls in this range" />
      ) : (
        <ul className="log-list">
          {series.recent_failures.map((failure) => (
            <li key={failure.at}>
              <time dateTime={failure.at}>{formatDateTime(failure.at)}</time>{' '}
              <span>
                {failure.failures > 0 && `${failure.failures} failed`}
                {failure.failures > 0 && failure.rate_limited > 0 && ', '}
                {failure.rate_limited > 0 && `${failure.rate_limited} rate limited`}
              </span>
              {failure.error && <code className="status-log__error">{failure.error}</code>}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
