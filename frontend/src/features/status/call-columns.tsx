// The call figures' columns, shared by the connectors' and the MCP servers' tables: calls,
// failures, 429s, error rate, p95, last success and last error.
import { formatDuration, formatRelative } from '@/lib/format'
import type { CallFigures } from './api'
import { errorTone, formatRate } from './range'

interface LastCalls {
  last_success_at: string | null
  last_failure_at: string | null
  last_error: string
}

/** A past moment as "3 minutes ago", its full date on hover; "Never" without one. */
function When({ iso }: { iso: string | null }) {
  if (!iso) return <span className="muted">Never</span>
  return (
    <time dateTime={iso} title={new Date(iso).toLocaleString()}>
      {formatRelative(iso)}
    </time>
  )
}

export function CallHeaders() {
  return (
    <>
      <th scope="col" className="num">
        Calls
      </th>
      <th scope="col" className="num">
        Failed
      </th>
      <th scope="col" className="num">
        429
      </th>
      <th scope="col" className="num">
        Error rate
      </th>
      <th scope="col" className="num">
        p95
      </th>
      <th scope="col">Last success</th>
      <th scope="col">Last error</th>
    </>
  )
}

export function CallCells({ figures, last }: { figures: CallFigures; last: LastCalls }) {
  return (
    <>
      <td className="num">{figures.calls}</td>
      <td className="num">{figures.failures}</td>
      <td className="num">{figures.rate_limited}</td>
      <td className={`num status-tone status-tone--${errorTone(figures.error_rate)}`}>
        {formatRate(figures.error_rate)}
      </td>
      <td className="num">{formatDuration(figures.p95_ms)}</td>
      <td>
        <When iso={last.last_success_at} />
      </td>
      <td>
        <When iso={last.last_failure_at} />
        {last.last_error && <span className="table__sub status-error">{last.last_error}</span>}
      </td>
    </>
  )
}
