// The Status page's time ranges and how its figures read. Pure functions, no React.
import type { Series } from './api'

export const RANGES = [
  { key: '1h', label: 'Last hour', ms: 3600_000 },
  { key: '24h', label: 'Last 24 hours', ms: 24 * 3600_000 },
  { key: '7d', label: 'Last 7 days', ms: 7 * 24 * 3600_000 },
  { key: '30d', label: 'Last 30 days', ms: 30 * 24 * 3600_000 },
] as const

export type RangeKey = (typeof RANGES)[number]['key']

export const DEFAULT_RANGE: RangeKey = '24h'

export function parseRange(value: string | null): RangeKey {
  return RANGES.find((range) => range.key === value)?.key ?? DEFAULT_RANGE
}

/** `from`/`to` of a range ending now, as the API takes them. */
export function rangeWindow(key: RangeKey, now: Date = new Date()): { from: string; to: string } {
  const range = RANGES.find((r) => r.key === key) ?? RANGES[1]
  return { from: new Date(now.getTime() - range.ms).toISOString(), to: now.toISOString() }
}

/** "2.5 %"; no calls is an en dash. */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return '–'
  const percent = rate * 100
  return `${percent < 10 && percent !== 0 ? percent.toFixed(1) : Math.round(percent)} %`
}

export type Tone = 'ok' | 'warn' | 'bad' | 'idle'

/** How a connector is doing over the range: idle without calls, bad from 20 % errors. */
export function errorTone(rate: number | null | undefined): Tone {
  if (rate === null || rate === undefined) return 'idle'
  if (rate >= 0.2) return 'bad'
  if (rate > 0) return 'warn'
  return 'ok'
}

/** A chart tick: the time for minute and hour steps, the date for day steps. */
export function tickLabel(iso: string, step: string): string {
  const date = new Date(iso)
  return step === 'day'
    ? date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
    : date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
}

/** Rows for the chart: calls that went well, failed and were rate limited per step. */
export function chartRows(series: Series) {
  return series.points.map((point) => {
    const { calls, failures, rate_limited: limited, p95_ms: p95 } = point.figures
    return {
      at: point.at,
      ok: calls - failures - limited,
      failures,
      limited,
      p95,
    }
  })
}
