// Pure shaping for the Monitoring page: the time window of a range, chart rows, figures and
// the links into the runs list. Kept apart from the components so it is tested directly.
import type { ExecutionStatus } from '@/api/types'
import type { Timeline, TimelineBucket } from './api'

export const RANGES = [
  { key: '1h', label: '1 h', ms: 3_600_000 },
  { key: '24h', label: '24 h', ms: 86_400_000 },
  { key: '7d', label: '7 d', ms: 7 * 86_400_000 },
  { key: '30d', label: '30 d', ms: 30 * 86_400_000 },
] as const
export type RangeKey = (typeof RANGES)[number]['key']
export const DEFAULT_RANGE: RangeKey = '24h'

export function isRange(value: string | null): value is RangeKey {
  return RANGES.some((r) => r.key === value)
}

/** `from`/`to` (ISO) of a range ending at `now`, to the second so equal clicks share a key. */
export function rangeWindow(range: RangeKey, now: Date): { from: string; to: string } {
  const end = Math.floor(now.getTime() / 1000) * 1000
  const span = RANGES.find((r) => r.key === range)?.ms ?? RANGES[1].ms
  return { from: new Date(end - span).toISOString(), to: new Date(end).toISOString() }
}

/** Stacking order, bottom up; colours follow the status badges. */
export const STATUS_SERIES: { key: ExecutionStatus; label: string; color: string }[] = [
  { key: 'succeeded', label: 'Succeeded', color: '#2f9e44' },
  { key: 'failed', label: 'Failed', color: '#e03131' },
  { key: 'cancelled', label: 'Cancelled', color: '#868e96' },
  { key: 'running', label: 'Running', color: '#1c7ed6' },
  { key: 'waiting', label: 'Waiting', color: '#f08c00' },
  { key: 'queued', label: 'Queued', color: '#9775fa' },
]

export function formatBucket(start: string, bucket: Timeline['bucket'], timeZone?: string) {
  const options: Intl.DateTimeFormatOptions =
    bucket === 'day'
      ? { month: 'short', day: 'numeric', timeZone }
      : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }
  return new Intl.DateTimeFormat('en', options).format(new Date(start))
}

export interface TimelineRow extends Omit<TimelineBucket, 'start'> {
  start: string
  label: string
  /** Succeeded / (succeeded + failed) of the bucket in percent; null when neither. */
  rate: number | null
}

export function timelineRows(timeline: Timeline, timeZone?: string): TimelineRow[] {
  return timeline.buckets.map((bucket) => {
    const ended = bucket.succeeded + bucket.failed
    return {
      ...bucket,
      label: formatBucket(bucket.start, timeline.bucket, timeZone),
      rate: ended ? Math.round((bucket.succeeded / ended) * 1000) / 10 : null,
    }
  })
}

export function formatRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)} %`
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—'
  if (ms < 10) return `${ms.toFixed(1)} ms` // fast blocks take well under a millisecond
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
  return `${(ms / 60_000).toFixed(1)} min`
}

/** The runs list narrowed to a workflow and/or a status (the filters it reads from the URL). */
export function runsLink(filters: { workflow?: string; status?: ExecutionStatus }): string {
  const query = new URLSearchParams()
  if (filters.workflow) query.set('workflow', filters.workflow)
  if (filters.status) query.set('status', filters.status)
  const text = query.toString()
  return text ? `/app/executions?${text}` : '/app/executions'
}
