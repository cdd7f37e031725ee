// The live state of the run being watched (the editor's last test run, or the run detail
// page): its status and each node's steps as the stream or the poller reports them. The run
// record itself stays in TanStack Query; this store only folds step events into per-node
// summaries so every node on the canvas can select its own.
import { create } from 'zustand'
import type { ExecutionStatus, ExecutionStep, StepStatus } from '@/api/types'

export interface NodeRun {
  status: StepStatus
  /** First start to last finish over the node's steps; null while none has finished. */
  durationMs: number | null
  /** Loop iterations (one step each), else the length of an array output, else 0 or 1. */
  items: number
  /** The most attempts any of its steps took (retries). */
  attempts: number
}

export type Transport = 'stream' | 'polling'

interface RunOverlayState {
  executionId: string | null
  status: ExecutionStatus | null
  transport: Transport | null
  /** Steps by key (node id plus the loop item), newest report wins. */
  steps: Record<string, ExecutionStep>
  byNode: Record<string, NodeRun>

  watch: (executionId: string) => void
  applyStep: (step: ExecutionStep) => void
  applySteps: (steps: ExecutionStep[]) => void
  applyStatus: (status: ExecutionStatus | undefined) => void
  setTransport: (transport: Transport) => void
  clear: () => void
}

// A node shows its most telling step: a failure outranks a success, work in progress both.
const RANK: Record<StepStatus, number> = {
  running: 5,
  waiting: 4,
  failed: 3,
  succeeded: 2,
  skipped: 1,
}

const time = (iso: string | null | undefined) => (iso ? Date.parse(iso) : NaN)

export function summarise(steps: ExecutionStep[]): NodeRun | undefined {
  if (steps.length === 0) return undefined
  const status = steps.reduce<StepStatus>(
    (best, step) => (RANK[step.status] > RANK[best] ? step.status : best),
    steps[0].status,
  )
  const starts = steps.map((s) => time(s.started_at)).filter(Number.isFinite)
  const ends = steps.map((s) => time(s.finished_at)).filter(Number.isFinite)
  const durationMs =
    starts.length > 0 && ends.length > 0
      ? Math.max(0, Math.max(...ends) - Math.min(...starts))
      : null
  const iterations = steps.filter((s) => s.item_key !== '').length
  const output = steps.length === 1 ? steps[0].output : undefined
  const items =
    iterations > 0
      ? iterations
      : Array.isArray(output)
        ? output.length
        : output !== undefined && output !== null
          ? 1
          : 0
  return { status, durationMs, items, attempts: Math.max(...steps.map((s) => s.attempts || 1)) }
}

const blank = () => ({
  executionId: null,
  status: null,
  transport: null,
  steps: {},
  byNode: {},
})

export const useRunOverlayStore = create<RunOverlayState>()((set, get) => {
  const fold = (incoming: ExecutionStep[]) => {
    if (incoming.length === 0) return
    const steps = { ...get().steps }
    for (const step of incoming) steps[step.key] = step
    const touched = new Set(incoming.map((step) => step.node_id))
    const byNode = { ...get().byNode }
    for (const nodeId of touched) {
      const summary = summarise(Object.values(steps).filter((s) => s.node_id === nodeId))
      if (summary) byNode[nodeId] = summary
    }
    set({ steps, byNode })
  }

  return {
    ...blank(),
    watch: (executionId) => {
      if (get().executionId !== executionId) set({ ...blank(), executionId })
    },
    applyStep: (step) => fold([step]),
    applySteps: fold,
    applyStatus: (status) => set({ status: status ?? null }),
    setTransport: (transport) => set({ transport }),
    clear: () => set(blank()),
  }
})

/** The steps of one node, in the order they ran (loop items in item order). */
export function nodeSteps(steps: Record<string, ExecutionStep>, nodeId: string): ExecutionStep[] {
  return Object.values(steps)
    .filter((step) => step.node_id === nodeId)
    .sort((a, b) => a.id - b.id)
}
