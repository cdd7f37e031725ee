// A schedule trigger's cron and time zone: presets for the common schedules, the raw
// expression for anything else, and the next five runs the server computes, so what is
// shown is exactly what the scheduler will do. Server errors show at their field.
import { CalendarClock } from 'lucide-react'
import { useId, useMemo, useState } from 'react'
import { ApiError } from '@/api/client'
import { FieldFrame } from '@/features/schema-form/fields'
import { formatDateTime } from '@/lib/format'
import { useDebounced } from '@/lib/use-debounced'
import { useCronPreview } from './api'
import {
  PRESET_LABELS,
  WEEKDAYS,
  presetCron,
  presetOf,
  timeZones,
  type Preset,
  type PresetKind,
} from './cron-presets'

interface CronEditorProps {
  config: Record<string, unknown>
  onChange: (config: Record<string, unknown>) => void
  /** Messages from the last save, keyed by config path ("cron", "timezone"). */
  errors?: Record<string, string[]>
}

export function CronEditor({ config, onChange, errors }: CronEditorProps) {
  const id = useId()
  const cron = typeof config.cron === 'string' ? config.cron : ''
  const zone = typeof config.timezone === 'string' ? config.timezone : 'UTC'
  // "Custom" is a choice, not only a fallback: a preset's expression may be edited by hand.
  const [custom, setCustom] = useState(false)
  const parsed = presetOf(cron)
  const preset: Preset = custom ? { ...parsed, kind: 'custom' } : parsed
  const zones = useMemo(() => timeZones(), [])
  const preview = useCronPreview(useDebounced(cron, 300), useDebounced(zone, 300))
  const fieldErrors = preview.error instanceof ApiError ? preview.error.fields : {}
  const general =
    preview.error && !fieldErrors.expression && !fieldErrors.timezone ? [preview.error.message] : []

  const choose = (next: Preset) => {
    setCustom(next.kind === 'custom')
    const expression = presetCron(next)
    if (expression !== undefined && expression !== cron) onChange({ ...config, cron: expression })
  }

  return (
    <section className="cron-editor" aria-label="Schedule">
      <h3>Schedule</h3>
      <FieldFrame id={`${id}-preset`} label="Repeat" errors={[]}>
        <select
          id={`${id}-preset`}
          value={preset.kind}
          onChange={(e) => choose({ ...preset, kind: e.target.value as PresetKind })}
        >
          {(Object.keys(PRESET_LABELS) as PresetKind[]).map((kind) => (
            <option key={kind} value={kind}>
              {PRESET_LABELS[kind]}
            </option>
          ))}
        </select>
      </FieldFrame>
      {preset.kind === 'weekly' && (
        <FieldFrame id={`${id}-day`} label="Day" errors={[]}>
          <select
            id={`${id}-day`}
            value={preset.weekday}
            onChange={(e) => choose({ ...preset, weekday: Number(e.target.value) })}
          >
            {WEEKDAYS.map((day, index) => (
              <option key={day} value={index}>
                {day}
              </option>
            ))}
          </select>
        </FieldFrame>
      )}
      {(preset.kind === 'daily' || preset.kind === 'weekly') && (
        <FieldFrame id={`${id}-time`} label="At" errors={[]}>
          <input
            id={`${id}-time`}
            type="time"
            value={preset.time}
            onChange={(e) => e.target.value && choose({ ...preset, time: e.target.value })}
          />
        </FieldFrame>
      )}
      <FieldFrame
        id={`${id}-cron`}
        label="Cron expression"
        required
        description="Minute, hour, day of month, month, day of week."
        errors={[...(errors?.cron ?? []), ...(fieldErrors.expression ?? [])]}
      >
        <input
          id={`${id}-cron`}
          value={cron}
          spellCheck={false}
          placeholder="*/15 * * * *"
          aria-invalid={Boolean(fieldErrors.expression?.length || errors?.cron?.length)}
          onChange={(e) => onChange({ ...config, cron: e.target.value })}
        />
      </FieldFrame>
      <FieldFrame
        id={`${id}-zone`}
        label="Time zone"
        errors={[...(errors?.timezone ?? []), ...(fieldErrors.timezone ?? [])]}
      >
        <select
          id={`${id}-zone`}
          value={zone}
          aria-invalid={Boolean(fieldErrors.timezone?.length)}
          onChange={(e) => onChange({ ...config, timezone: e.target.value })}
        >
          {!zones.includes(zone) && <option value={zone}>{zone}</option>}
          {zones.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </FieldFrame>
      <NextRuns
        loading={preview.isFetching}
        runs={preview.isError ? [] : (preview.data?.runs ?? [])}
        empty={cron.trim() === ''}
        general={general}
      />
    </section>
  )
}

function NextRuns(props: {
  loading: boolean
  runs: { at: string; local: string }[]
  empty: boolean
  general: string[]
}) {
  const { loading, runs, empty, general } = props
  return (
    <div className="cron-editor__runs" aria-live="polite">
      <h4>
        <CalendarClock size={14} aria-hidden="true" /> Next runs
      </h4>
      {general.map((message) => (
        <p key={message} className="field__error" role="alert">
          {message}
        </p>
      ))}
      {empty ? (
        <p className="muted">Enter a cron expression to see when it runs.</p>
      ) : loading && runs.length === 0 ? (
        <p className="muted">Computing…</p>
      ) : runs.length > 0 ? (
        <ol aria-label="Next five runs">
          {runs.map((run) => (
            <li key={run.at}>
              <time dateTime={run.at}>{run.local.replace('T', ' ').slice(0, 16)}</time>{' '}
              <span className="muted">({formatDateTime(run.at)} your time)</span>
            </li>
          ))}
        </ol>
      ) : null}
    </div>
  )
}
