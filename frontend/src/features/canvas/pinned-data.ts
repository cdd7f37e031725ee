// Pinned data for "Test this node": the JSON a node is tested against, kept per workflow and
// node in this browser's localStorage. Kept out of the saved graph on purpose: it is scratch
// data (often a real payload copied from a run), it must not be versioned or published with
// the workflow, and it needs no server change.
import { useMemo, useSyncExternalStore } from 'react'
import type { ExecutionStep } from '@/api/types'

const PREFIX = 'flowplane.pinned'
/** A pinned payload larger than this is refused rather than filling the browser's storage. */
export const MAX_PINNED_CHARS = 200_000

const keyOf = (workflowId: string, nodeId: string) => `${PREFIX}.${workflowId}.${nodeId}`

export function loadPinned(workflowId: string, nodeId: string): string {
  try {
    return localStorage.getItem(keyOf(workflowId, nodeId)) ?? ''
  } catch {
    return '' // storage disabled (private mode): pinning still works for this visit
  }
}

// Whoever reads pinned data (the expression previews) hears of each edit at once.
const listeners = new Set<() => void>()

export function savePinned(workflowId: string, nodeId: string, text: string): void {
  try {
    if (text.trim()) localStorage.setItem(keyOf(workflowId, nodeId), text)
    else localStorage.removeItem(keyOf(workflowId, nodeId))
  } catch {
    // Quota or disabled storage: the text stays in the field, only not remembered.
  }
  listeners.forEach((listener) => listener())
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  window.addEventListener('storage', listener) // pinned in another tab
  return () => {
    listeners.delete(listener)
    window.removeEventListener('storage', listener)
  }
}

/** The node's pinned data as an object, kept current; null when none is pinned or it does
 * not parse (the Test this node field says why). */
export function usePinnedData(
  workflowId: string | null,
  nodeId: string,
): Record<string, unknown> | null {
  const text = useSyncExternalStore(subscribe, () =>
    workflowId ? loadPinned(workflowId, nodeId) : '',
  )
  return useMemo(() => {
    const parsed = parsePinned(text)
    return parsed.ok && text.trim() ? parsed.value : null
  }, [text])
}

export type Parsed = { ok: true; value: Record<string, unknown> } | { ok: false; error: string }

/** The pinned text as the endpoint's `pinned` object, or why it cannot be. Empty is `{}`. */
export function parsePinned(text: string): Parsed {
  if (!text.trim()) return { ok: true, value: {} }
  if (text.length > MAX_PINNED_CHARS)
    return { ok: false, error: `Too large: at most ${MAX_PINNED_CHARS} characters.` }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return { ok: false, error: `Invalid JSON: ${(error as Error).message}` }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, error: 'Must be a JSON object, like {"nodes": {"fetch": {...}}}.' }
  return { ok: true, value: value as Record<string, unknown> }
}

/** Pinned data taken from the watched run: every other node's output, as the node saw them. */
export function pinnedFromRun(steps: Record<string, ExecutionStep>, nodeId: string): string {
  const nodes: Record<string, unknown> = {}
  for (const step of Object.values(steps)) {
    // Loop items carry their own item key; the node's own output is what we are testing.
    if (step.node_id !== nodeId && !step.item_key && step.status === 'succeeded')
      nodes[step.node_id] = step.output
  }
  return Object.keys(nodes).length ? JSON.stringify({ nodes }, null, 2) : ''
}
