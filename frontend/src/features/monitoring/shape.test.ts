import { describe, expect, it } from 'vitest'
import type { Timeline } from './api'
import { formatMs, formatRate, isRange, rangeWindow, runsLink, timelineRows } from './shape'

const bucket = (start: string, counts: Partial<Record<string, number>> = {}) => ({
  start,
  queued: 0,
  running: 0,
  waiting: 0,
  succeeded: 0,
  failed: 0,
  cancelled: 0,
  ...counts,
})

describe('monitoring shaping', () => {
  it('turns a range into a window ending now, to the second', () => {
    const now = new Date('2026-01-02T10:30:15.678Z')
    expect(rangeWindow('1h', now)).toEqual({
      from: '2026-01-02T09:30:15.000Z',
      to: '2026-01-02T10:30:15.000Z',
    })
    expect(rangeWindow('30d', now).from).toBe('2025-12-03T10:30:15.000Z')
    expect(isRange('7d')).toBe(true)
    expect(isRange('2y')).toBe(false)
    expect(isRange(null)).toBe(false)
  })

  it('labels buckets and computes each bucket’s success rate', () => {
    const timeline: Timeline = {
      bucket: 'hour',
      start: '2026-01-01T00:00:00Z',
      end: '2026-01-01T02:00:00Z',
      buckets: [
        bucket('2026-01-01T00:00:00Z', { succeeded: 2, failed: 1, cancelled: 4 }),
        bucket('2026-01-01T01:00:00Z', { queued: 3 }),
      ],
      totals: { ...bucket(''), succeeded: 2, failed: 1, cancelled: 4, queued: 3, total: 10 },
      success_rate: 2 / 3,
    }
    const rows = timelineRows(timeline, 'UTC')
    expect(rows.map((r) => [r.label, r.rate, r.cancelled])).toEqual([
      ['00:00', 66.7, 4],
      ['01:00', null, 0],
    ])
    expect(timelineRows({ ...timeline, bucket: 'day' }, 'UTC')[0].label).toBe('Jan 1')
  })

  it('formats durations, rates and links into the runs list', () => {
    expect(formatMs(null)).toBe('—')
    expect(formatMs(0.4)).toBe('0.4 ms')
    expect(formatMs(350)).toBe('350 ms')
    expect(formatMs(1234)).toBe('1.23 s')
    expect(formatMs(42_000)).toBe('42.0 s')
    expect(formatMs(90_000)).toBe('1.5 min')
    expect(formatRate(5 / 6)).toBe('83.3 %')
    expect(formatRate(null)).toBe('—')
    expect(runsLink({ workflow: 'wf1', status: 'failed' })).toBe(
      '/app/executions?workflow=wf1&status=failed',
    )
    expect(runsLink({ status: 'queued' })).toBe('/app/executions?status=queued')
    expect(runsLink({})).toBe('/app/executions')
  })
})
