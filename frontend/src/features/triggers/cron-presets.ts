// The schedule editor's presets and the cron expressions they stand for. Anything a preset
// cannot express stays "custom": the raw expression is always the source of truth.

export type PresetKind = 'every5' | 'hourly' | 'daily' | 'weekly' | 'custom'

export interface Preset {
  kind: PresetKind
  /** "HH:MM", for daily and weekly. */
  time: string
  /** 0 (Sunday) to 6, for weekly. */
  weekday: number
}

export const PRESET_LABELS: Record<PresetKind, string> = {
  every5: 'Every 5 minutes',
  hourly: 'Every hour',
  daily: 'Every day at…',
  weekly: 'Every week on…',
  custom: 'Custom (cron)',
}

export const WEEKDAYS = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
]

const pad = (n: number) => String(n).padStart(2, '0')

function parseTime(time: string): [number, number] {
  const [h, m] = time.split(':').map(Number)
  const ok = (v: number, max: number) => Number.isInteger(v) && v >= 0 && v <= max
  return ok(h, 23) && ok(m, 59) ? [h, m] : [9, 0]
}

/** The cron expression of a preset; undefined for custom (the user types it). */
export function presetCron(preset: Preset): string | undefined {
  const [h, m] = parseTime(preset.time)
  switch (preset.kind) {
    case 'every5':
      return '*/5 * * * *'
    case 'hourly':
      return '0 * * * *'
    case 'daily':
      return `${m} ${h} * * *`
    case 'weekly':
      return `${m} ${h} * * ${preset.weekday}`
    default:
      return undefined
  }
}

const NUMBER = /^\d{1,2}$/

/** Which preset an expression is, so a saved schedule reopens on its preset. */
export function presetOf(expression: string): Preset {
  const fallback: Preset = { kind: 'custom', time: '09:00', weekday: 1 }
  const parts = expression.trim().split(/\s+/)
  if (parts.length !== 5) return fallback
  const [m, h, dom, month, dow] = parts
  if (parts.join(' ') === '*/5 * * * *') return { ...fallback, kind: 'every5' }
  if (parts.join(' ') === '0 * * * *') return { ...fallback, kind: 'hourly' }
  if (!NUMBER.test(m) || !NUMBER.test(h) || dom !== '*' || month !== '*') return fallback
  if (Number(m) > 59 || Number(h) > 23) return fallback
  const time = `${pad(Number(h))}:${pad(Number(m))}`
  if (dow === '*') return { kind: 'daily', time, weekday: 1 }
  if (/^[0-6]$/.test(dow)) return { kind: 'weekly', time, weekday: Number(dow) }
  return fallback
}

/** IANA zones of this browser, UTC first (some engines leave it out of the list). */
export function timeZones(): string[] {
  const supported =
    typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []
  return ['UTC', ...supported.filter((zone) => zone !== 'UTC')]
}
