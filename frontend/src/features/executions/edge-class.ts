import type { CanvasEdge } from '@/lib/graph'
import { ERROR_HANDLE } from '@/lib/ports'
import type { NodeRun } from './run-store'

/** Error branches are drawn apart; an edge the watched run went along is drawn solid. */
export function edgeClass(edge: CanvasEdge, ran: Record<string, NodeRun>): string | undefined {
  const classes = [
    edge.sourceHandle === ERROR_HANDLE && 'edge--error',
    ran[edge.source]?.status === 'succeeded' && ran[edge.target] && 'edge--ran',
  ]
  return classes.filter(Boolean).join(' ') || undefined
}
