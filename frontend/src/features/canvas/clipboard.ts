// Copy and paste of canvas fragments: the selected nodes with the edges between them, as JSON
// text on the system clipboard, so a copy pastes into another workflow or another tab. On
// paste every node gets a fresh id (expressions inside the fragment follow) and the fragment
// lands at the pointer or beside where it came from.
import type { XYPosition } from '@xyflow/react'
import type { GraphEdge, GraphNode } from '@/api/types'
import {
  edgeFromCanvas,
  edgeToCanvas,
  nodeFromCanvas,
  nodeToCanvas,
  uniqueEdgeId,
  uniqueNodeId,
  type CanvasEdge,
  type CanvasGraph,
  type CanvasNode,
} from '@/lib/graph'

export const FRAGMENT_FORMAT = 'flowplane/canvas-fragment'
/** Where a paste without a pointer lands, relative to the copied nodes. */
export const PASTE_OFFSET = 40

export interface Fragment {
  format: typeof FRAGMENT_FORMAT
  nodes: GraphNode[]
  edges: GraphEdge[]
}

/** The selected nodes (a selected loop brings its body) and the edges inside the selection. */
export function copyFragment(nodes: CanvasNode[], edges: CanvasEdge[]): Fragment | null {
  const picked = new Set(nodes.filter((node) => node.selected).map((node) => node.id))
  for (const node of nodes) if (node.parentId && picked.has(node.parentId)) picked.add(node.id)
  if (picked.size === 0) return null
  const byId = new Map(nodes.map((node) => [node.id, node]))
  const copied = nodes
    .filter((node) => picked.has(node.id))
    .map((node) => {
      const graphNode = nodeFromCanvas(node)
      const parent = node.parentId ? byId.get(node.parentId) : undefined
      // Copied without its loop: it becomes a top-level node where it was drawn.
      if (parent && !picked.has(parent.id)) {
        delete graphNode.parentId
        graphNode.position = {
          x: parent.position.x + node.position.x,
          y: parent.position.y + node.position.y,
        }
      }
      return graphNode
    })
  const inner = edges.filter((edge) => picked.has(edge.source) && picked.has(edge.target))
  return { format: FRAGMENT_FORMAT, nodes: copied, edges: inner.map(edgeFromCanvas) }
}

/** A fragment from clipboard text, or null when the text is anything else. */
export function parseFragment(text: string): Fragment | null {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  if (!value || typeof value !== 'object') return null
  const fragment = value as Partial<Fragment>
  if (fragment.format !== FRAGMENT_FORMAT) return null
  if (!Array.isArray(fragment.nodes) || !Array.isArray(fragment.edges)) return null
  const nodesOk = fragment.nodes.every(
    (node) =>
      node &&
      typeof node.id === 'string' &&
      typeof node.type === 'string' &&
      typeof node.position?.x === 'number' &&
      typeof node.position?.y === 'number',
  )
  const edgesOk = fragment.edges.every(
    (edge) => edge && typeof edge.source === 'string' && typeof edge.target === 'string',
  )
  if (!nodesOk || !edgesOk || fragment.nodes.length === 0) return null
  return {
    format: FRAGMENT_FORMAT,
    nodes: fragment.nodes.map((node) => ({ ...node, data: node.data ?? { config: {} } })),
    edges: fragment.edges,
  }
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** `nodes.<old>` → `nodes.<new>` in every string of a config, for ids of the fragment. */
function renameReferences(value: unknown, rename: (text: string) => string): unknown {
  if (typeof value === 'string') return rename(value)
  if (Array.isArray(value)) return value.map((item) => renameReferences(item, rename))
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, renameReferences(item, rename)]),
    )
  }
  return value
}

/**
 * The fragment's nodes and edges, selected, with ids free in `into` (kept where already
 * free), moved so its top-left corner is at `at`; without `at`, PASTE_OFFSET steps from where
 * it was copied, as many as it takes not to land exactly on an earlier paste.
 */
export function remapFragment(
  fragment: Fragment,
  into: CanvasGraph,
  at: XYPosition | null,
): CanvasGraph {
  const used = new Set(into.nodes.map((node) => node.id))
  const ids = new Map<string, string>()
  for (const node of fragment.nodes) {
    // An id free in the target workflow is kept, so pasted expressions need no change.
    const id = used.has(node.id) ? uniqueNodeId(node.id, used) : node.id
    used.add(id)
    ids.set(node.id, id)
  }
  const pattern = new RegExp(`\\bnodes\\.(${[...ids.keys()].map(escape).join('|')})\\b`, 'g')
  const newId = (old: string) => ids.get(old) ?? old
  const rename = (text: string) => text.replace(pattern, (_, old: string) => `nodes.${newId(old)}`)

  const top = fragment.nodes.filter((node) => !node.parentId || !ids.has(node.parentId))
  const left = Math.min(...top.map((node) => node.position.x))
  const upper = Math.min(...top.map((node) => node.position.y))
  let shift = at ? { x: at.x - left, y: at.y - upper } : { x: PASTE_OFFSET, y: PASTE_OFFSET }
  const first = top[0].position
  const taken = (x: number, y: number) =>
    into.nodes.some((node) => !node.parentId && node.position.x === x && node.position.y === y)
  while (!at && taken(first.x + shift.x, first.y + shift.y)) {
    shift = { x: shift.x + PASTE_OFFSET, y: shift.y + PASTE_OFFSET }
  }

  const nodes = fragment.nodes.map((node): CanvasNode => {
    const parentId = node.parentId !== undefined ? ids.get(node.parentId) : undefined
    const canvas = nodeToCanvas({
      ...node,
      id: newId(node.id),
      // Children keep their place inside the loop; everything else moves together.
      position: parentId
        ? node.position
        : { x: node.position.x + shift.x, y: node.position.y + shift.y },
      data: { ...node.data, config: renameReferences(node.data.config ?? {}, rename) as never },
      parentId,
    })
    return { ...canvas, selected: true }
  })

  const edgeIds = new Set(into.edges.map((edge) => edge.id))
  const edges = fragment.edges
    .filter((edge) => ids.has(edge.source) && ids.has(edge.target))
    .map((edge): CanvasEdge => {
      const source = newId(edge.source)
      const target = newId(edge.target)
      const id = uniqueEdgeId(
        { source, target, sourceHandle: edge.sourceHandle ?? null, targetHandle: null },
        edgeIds,
      )
      edgeIds.add(id)
      return edgeToCanvas({ ...edge, id, source, target })
    })
  return { nodes, edges }
}
