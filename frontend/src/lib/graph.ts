// Graph ⇄ canvas mapping. The stored graph is already in React Flow's shape; the only
// translation is the node `type`: every registry block renders through the one generic
// `block` node component, so the block key travels in `data.blockType` while on the canvas.
// Sticky notes (type `note`, never run by the engine) render through the `note` component.
// Only the contract's fields go back to the server; React Flow's runtime fields
// (selected, measured, dragging, …) never leave the browser.
import type { Connection, Edge, Node } from '@xyflow/react'
import type { GraphEdge, GraphNode, GraphNodeData, WorkflowGraph } from '@/api/types'

export const BLOCK_NODE_TYPE = 'block'
/** The stored and the canvas type of a sticky note. */
export const NOTE_NODE_TYPE = 'note'

export type BlockNodeData = GraphNodeData & { blockType: string; label?: string; text?: string }
export type CanvasNode = Node<BlockNodeData, typeof BLOCK_NODE_TYPE | typeof NOTE_NODE_TYPE>

export const isNote = (node: CanvasNode) => node.data.blockType === NOTE_NODE_TYPE
export type CanvasEdge = Edge

export interface CanvasGraph {
  nodes: CanvasNode[]
  edges: CanvasEdge[]
}

export const emptyGraph = (): WorkflowGraph => ({ nodes: [], edges: [] })

export function nodeToCanvas(node: GraphNode): CanvasNode {
  const canvas: CanvasNode = {
    id: node.id,
    type: node.type === NOTE_NODE_TYPE ? NOTE_NODE_TYPE : BLOCK_NODE_TYPE,
    position: { x: node.position.x, y: node.position.y },
    data: { ...node.data, config: node.data.config ?? {}, blockType: node.type },
  }
  if (node.parentId !== undefined) canvas.parentId = node.parentId
  return canvas
}

export function nodeFromCanvas(node: CanvasNode): GraphNode {
  const { blockType, ...data } = node.data
  const graph: GraphNode = {
    id: node.id,
    type: blockType,
    position: { x: node.position.x, y: node.position.y },
    data,
  }
  if (node.parentId) graph.parentId = node.parentId
  return graph
}

export function edgeToCanvas(edge: GraphEdge): CanvasEdge {
  const canvas: CanvasEdge = { id: edge.id, source: edge.source, target: edge.target }
  if (edge.sourceHandle != null) canvas.sourceHandle = edge.sourceHandle
  if (edge.targetHandle != null) canvas.targetHandle = edge.targetHandle
  return canvas
}

export function edgeFromCanvas(edge: CanvasEdge): GraphEdge {
  const graph: GraphEdge = { id: edge.id, source: edge.source, target: edge.target }
  if (edge.sourceHandle != null) graph.sourceHandle = edge.sourceHandle
  if (edge.targetHandle != null) graph.targetHandle = edge.targetHandle
  return graph
}

/** React Flow needs a parent before its children; otherwise the stored order is kept. */
function parentsFirst(nodes: GraphNode[]): GraphNode[] {
  const ids = new Set(nodes.map((node) => node.id))
  const placed = new Set<string>()
  const ordered: GraphNode[] = []
  let pending = nodes
  while (pending.length > 0) {
    const next: GraphNode[] = []
    for (const node of pending) {
      const ready = !node.parentId || !ids.has(node.parentId) || placed.has(node.parentId)
      if (ready) {
        ordered.push(node)
        placed.add(node.id)
      } else next.push(node)
    }
    // A parent cycle cannot be drawn; keep the rest in stored order rather than loop forever.
    if (next.length === pending.length) return [...ordered, ...next]
    pending = next
  }
  return ordered
}

export function toCanvas(graph: WorkflowGraph | null | undefined): CanvasGraph {
  return {
    nodes: parentsFirst(graph?.nodes ?? []).map(nodeToCanvas),
    edges: (graph?.edges ?? []).map(edgeToCanvas),
  }
}

export function fromCanvas(nodes: CanvasNode[], edges: CanvasEdge[]): WorkflowGraph {
  return { nodes: nodes.map(nodeFromCanvas), edges: edges.map(edgeFromCanvas) }
}

/** Node ids appear in expressions (`nodes.<id>.output`), so keep them JMESPath identifiers. */
export function uniqueNodeId(blockType: string, taken: Iterable<string>): string {
  const used = new Set(taken)
  const base =
    blockType
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '_')
      .replace(/_\d+$/, '') // a copy of `greet_1` is `greet_2`, not `greet_1_1`
      .replace(/^(?=\d)/, 'n_') || 'node'
  for (let n = 1; ; n += 1) {
    const id = `${base}_${n}`
    if (!used.has(id)) return id
  }
}

export function uniqueEdgeId(connection: Connection, taken: Iterable<string>): string {
  const used = new Set(taken)
  const handle = connection.sourceHandle ? `_${connection.sourceHandle}` : ''
  const base = `e_${connection.source}${handle}_${connection.target}`
  if (!used.has(base)) return base
  for (let n = 2; ; n += 1) {
    if (!used.has(`${base}_${n}`)) return `${base}_${n}`
  }
}

/** JSON with sorted keys, so two graphs compare equal whatever order the server wrote keys in. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical)
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    )
  }
  return value
}

export function sameGraph(a: WorkflowGraph, b: WorkflowGraph): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))
}

/** The block of the error flow's entry: that flow runs after the main flow failed. */
export const ERROR_TRIGGER_BLOCK = 'error_trigger'

function walk(start: Iterable<string>, next: Map<string, string[]>): Set<string> {
  const seen = new Set<string>()
  const queue = [...start]
  for (let current = queue.pop(); current !== undefined; current = queue.pop()) {
    for (const id of next.get(current) ?? []) {
      if (!seen.has(id)) {
        seen.add(id)
        queue.push(id)
      }
    }
  }
  return seen
}

/**
 * The nodes that have run before `nodeId`, so that its expressions can read them as
 * `nodes.<id>` (the server's engine/topology.py `Upstream`): its ancestors, for a loop body
 * also what runs before its loop, for the error flow also the main flow.
 */
export function upstreamNodeIds(
  nodeId: string,
  nodes: CanvasNode[],
  edges: CanvasEdge[],
): Set<string> {
  const sources = new Map<string, string[]>()
  const targets = new Map<string, string[]>()
  for (const edge of edges) {
    sources.set(edge.target, [...(sources.get(edge.target) ?? []), edge.source])
    targets.set(edge.source, [...(targets.get(edge.source) ?? []), edge.target])
  }
  const parents = new Map(nodes.map((node) => [node.id, node.parentId]))
  const errorEntries = nodes.filter((n) => n.data.blockType === ERROR_TRIGGER_BLOCK && !n.parentId)
  const errorFlow = walk(
    errorEntries.map((n) => n.id),
    targets,
  )
  errorEntries.forEach((n) => errorFlow.add(n.id))
  const upstream = new Set<string>()
  const seen = new Set<string>() // parents may cycle in a broken graph
  for (let current = nodeId as string | undefined; current; current = parents.get(current)) {
    if (seen.has(current)) break
    seen.add(current)
    walk([current], sources).forEach((id) => upstream.add(id))
    if (errorFlow.has(current)) {
      nodes.filter((n) => !n.parentId && !errorFlow.has(n.id)).forEach((n) => upstream.add(n.id))
    }
  }
  return upstream
}
