// The page's Recharts charts. Each has a text alternative next to it (the totals, the tables),
// so the figures stay readable without the graphics and reachable from the keyboard.
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts'
import { formatMs, STATUS_SERIES, type TimelineRow } from './shape'

const HEIGHT = 240
// jsdom (tests) and the first paint have no layout yet; the container resizes after.
const INITIAL = { width: 640, height: HEIGHT }

export function TimelineChart({ rows }: { rows: TimelineRow[] }) {
  return (
    <figure className="monitoring-chart" aria-label="Runs over time by status">
      <ResponsiveContainer width="100%" height={HEIGHT} initialDimension={INITIAL}>
        <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" minTickGap={24} fontSize={12} />
          <YAxis allowDecimals={false} fontSize={12} />
          <Tooltip />
          <Legend />
          {STATUS_SERIES.map((series) => (
            <Bar
              key={series.key}
              dataKey={series.key}
              name={series.label}
              stackId="runs"
              fill={series.color}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  )
}

export function SuccessRateChart({ rows }: { rows: TimelineRow[] }) {
  return (
    <figure className="monitoring-chart" aria-label="Success rate over time">
      <ResponsiveContainer width="100%" height={HEIGHT} initialDimension={INITIAL}>
        <LineChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" minTickGap={24} fontSize={12} />
          <YAxis domain={[0, 100]} unit="%" fontSize={12} />
          <Tooltip formatter={(value) => `${String(value)} %`} />
          <Line
            type="monotone"
            dataKey="rate"
            name="Success rate"
            stroke="#2f9e44"
            dot={{ r: 2 }}
            connectNulls={false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  )
}

export interface DurationBar {
  name: string
  p50: number | null
  p95: number | null
}

/** p50 and p95 side by side per workflow or block type, slowest first (the server's order). */
export function DurationChart({ bars, label }: { bars: DurationBar[]; label: string }) {
  const height = Math.max(120, bars.length * 32 + 48)
  return (
    <figure className="monitoring-chart" aria-label={label}>
      <ResponsiveContainer width="100%" height={height} initialDimension={{ ...INITIAL, height }}>
        <BarChart data={bars} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" tickFormatter={(v: number) => formatMs(v)} fontSize={12} />
          <YAxis type="category" dataKey="name" width={140} fontSize={12} />
          <Tooltip formatter={(value) => formatMs(Number(value))} />
          <Legend />
          <Bar dataKey="p50" name="p50" fill="#74c0fc" isAnimationActive={false} />
          <Bar dataKey="p95" name="p95" fill="#1c7ed6" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  )
}
