import { describe, expect, it } from 'vitest'
import type { Series } from './api'
import { chartRows, errorTone, formatRate, parseRange, rangeWindow } from './range'

describe('status range', () => {
  it('reads a known range from the URL and falls back to 24 hours', () => {
    expect(parseRange('7d')).toBe('7d')
    expect(parseRange('1y')).toBe('24h')
    expect(parseRange(null)).toBe('24h')
  })

  it('turns a range into the from/to the API takes, ending now', () => {
    const now = new Date('2026-03-01T12:00:00Z')
    expect(rangeWindow('1h', now)).toEqual({
      from: '2026-03-01T11:00:00.000Z',
      to: '2026-03-01T12:00:00.000Z',
    })
    expect(rangeWindow('7d', now).from).toBe('2026-02-22T12:00:00.000Z')
  })

  it('formats error rates and grades them', () => {
    expect(formatRate(null)).toBe('–')
    expect(formatRate(0)).toBe('0 %')
    expect(formatRate(0.025)).toBe('2.5 %')
    expect(formatRate(0.5)).toBe('50 %')
    expect([null, 0, 0.05, 0.2].map(errorTone)).toEqual(['idle', 'ok', 'warn', 'bad'])
  })

  it('splits each step into calls that went well, failed and were rate limited', () => {
    const figures = { calls: 5, failures: 1, rate_limited: 2, error_rate: 0.6, avg_ms: 10 }
    const series: Series = {
      from: '2026-03-01T11:00:00Z',
      to: '2026-03-01T12:00:00Z',
      connector: 'acme',
      step: 'minute',
      points: [{ at: '2026-03-01T11:00:00Z', figures: { ...figures, p95_ms: 40 } }],
      recent_failures: [],
    }
    expect(chartRows(series)).toEqual([
      { at: '2026-03-01T11:00:00Z', ok: 2, failures: 1, limited: 2, p95: 40 },
    ])
  })
})
