// /app/monitoring: how the workspace's runs went over a time range (1 h .. 30 d): runs per
// bucket and status, success rate, durations per workflow and block, failing nodes and the
// backlog. The range lives in the URL (?range=7d) so a reload or a shared link keeps it.
import { RefreshCw } from 'lucide-react'
import { useMemo, useState } from 'react'
import { useSearchParams } from 'react-router'
import { useQueryClient } from '@tanstack/react-query'
import { useMe } from '@/features/auth/api'
import { pickWorkspace, useWorkspaceStore } from '@/features/auth/workspace-store'
import { type MonitoringWindow, monitoringKeys, useTimeline } from './api'
import { SuccessRateChart, TimelineChart } from './charts'
import {
  BacklogSection,
  BlocksSection,
  FailingNodesSection,
  Figure,
  Section,
  WorkflowsSection,
} from './sections'
import {
  DEFAULT_RANGE,
  formatRate,
  isRange,
  RANGES,
  type RangeKey,
  rangeWindow,
  runsLink,
  STATUS_SERIES,
  timelineRows,
} from './shape'
import './monitoring.css'

export function MonitoringPage() {
  const me = useMe()
  const workspaceId = useWorkspaceStore((s) => s.workspaceId)
  const workspace = pickWorkspace(me.data, workspaceId)
  const [params, setParams] = useSearchParams()
  // The range and the instant the window ends change together (a range click, Refresh), so
  // every section asks about the same instants and a re-render does not refetch.
  const [view, setView] = useState(() => {
    const raw = params.get('range')
    return { range: isRange(raw) ? raw : DEFAULT_RANGE, at: new Date(), refresh: 0 }
  })
  const range: RangeKey = view.range
  const window: MonitoringWindow = useMemo(
    () => ({ workspace: String(workspace?.id ?? ''), ...rangeWindow(view.range, view.at) }),
    [workspace?.id, view.range, view.at],
  )
  const queryClient = useQueryClient()

  const choose = (next: RangeKey) => {
    setView((current) => ({ ...current, range: next, at: new Date() }))
    const query = new URLSearchParams(params)
    query.set('range', next)
    setParams(query, { replace: true })
  }
  const reload = () => {
    setView((current) => ({ ...current, at: new Date(), refresh: current.refresh + 1 }))
    void queryClient.invalidateQueries({ queryKey: monitoringKeys.all })
  }

  if (!workspace) return null
  return (
    <div className="page page--wide monitoring">
      <div className="page__header">
        <h1>Monitoring</h1>
        <fieldset className="monitoring-range">
          <legend className="visually-hidden">Time range</legend>
          {RANGES.map((option) => (
            <label key={option.key} className={option.key === range ? 'is-active' : undefined}>
              <input
                type="radio"
                name="range"
                value={option.key}
                checked={option.key === range}
                onChange={() => choose(option.key)}
              />
              {option.label}
            </label>
          ))}
        </fieldset>
        <button type="button" className="btn" onClick={reload}>
          <RefreshCw size={16} aria-hidden="true" /> Refresh
        </button>
      </div>
      <RunsSection window={window} />
      <div className="monitoring-grid">
        <WorkflowsSection window={window} />
        <BlocksSection window={window} />
        <FailingNodesSection window={window} />
        <BacklogSection workspace={window.workspace} refresh={view.refresh} />
      </div>
    </div>
  )
}

function RunsSection({ window }: { window: MonitoringWindow }) {
  const query = useTimeline(window)
  return (
    <Section title="Runs" query={query} empty={(timeline) => timeline.totals.total === 0}>
      {(timeline) => {
        const rows = timelineRows(timeline)
        return (
          <>
            <dl className="monitoring-figures">
              <Figure label="Total runs" value={timeline.totals.total} />
              <Figure label="Success rate" value={formatRate(timeline.success_rate)} />
              {STATUS_SERIES.map((series) => (
                <Figure
                  key={series.key}
                  label={series.label}
                  value={timeline.totals[series.key]}
                  to={runsLink({ status: series.key })}
                />
              ))}
            </dl>
            <div className="monitoring-charts">
              <TimelineChart rows={rows} />
              <SuccessRateChart rows={rows} />
            </div>
            <p className="muted">
              One bar per {timeline.bucket}; success rate = succeeded / (succeeded + failed).
            </p>
          </>
        )
      }}
    </Section>
  )
}
