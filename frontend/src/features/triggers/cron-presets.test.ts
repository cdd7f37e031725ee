import { describe, expect, it } from 'vitest'
import { presetCron, presetOf, timeZones } from './cron-presets'

describe('cron presets', () => {
  it('turns each preset into its expression and reads it back', () => {
    const cases = [
      [{ kind: 'every5', time: '09:00', weekday: 1 }, '*/5 * * * *'],
      [{ kind: 'hourly', time: '09:00', weekday: 1 }, '0 * * * *'],
      [{ kind: 'daily', time: '07:30', weekday: 1 }, '30 7 * * *'],
      [{ kind: 'weekly', time: '18:05', weekday: 5 }, '5 18 * * 5'],
    ] as const
    for (const [preset, expression] of cases) {
      expect(presetCron(preset)).toBe(expression)
      expect(presetOf(expression).kind).toBe(preset.kind)
    }
    expect(presetOf('5 18 * * 5')).toEqual({ kind: 'weekly', time: '18:05', weekday: 5 })
  })

  it('leaves what no preset expresses as custom', () => {
    for (const expression of ['0 9 1 * *', '*/15 * * * *', '0 9 * * 1-5', '61 9 * * *', 'x', '']) {
      expect(presetOf(expression).kind).toBe('custom')
    }
    expect(presetCron({ kind: 'custom', time: '09:00', weekday: 1 })).toBeUndefined()
  })

  it('lists UTC first and once', () => {
    const zones = timeZones()
    expect(zones[0]).toBe('UTC')
    expect(zones.filter((zone) => zone === 'UTC')).toHaveLength(1)
  })
})
