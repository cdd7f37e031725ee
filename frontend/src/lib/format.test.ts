import { describe, expect, it } from 'vitest'
import { formatDateTime, formatDuration } from './format'

describe('formatDuration', () => {
  it.each([
    [null, '–'],
    [850, '850 ms'],
    [1250, '1.3 s'],
    [42_000, '42 s'],
    [125_000, '2 min 5 s'],
    [3_720_000, '1 h 2 min'],
  ])('%s → %s', (ms, text) => expect(formatDuration(ms)).toBe(text))
})

describe('formatDateTime', () => {
  it('shows a dash for no date and an unparsable one as given', () => {
    expect(formatDateTime(null)).toBe('–')
    expect(formatDateTime('soon')).toBe('soon')
  })
})
