// Graph ⇄ canvas mapping. The stored graph is already in React Flow's shape; the only
// translation is the node `type`: every registry block renders through the one generic
// `block` node component, so the block key travels in `data.blockType` while on the canvas.
// Only the contract's fields go back to the server; React Flow's runtime fields
// (selected, measured, dragging, …) never leave the browser.
import type { Connection, Edge, Node } from '@xyflow/react'
import type { GraphEdge, GraphNode, GraphNodeData, WorkflowGraph } from '@/api/types'

export const BLOCK_NODE_TYPE = 'block'

export type BlockNodeData = GraphNodeData & { blockType: string }
export type CanvasNode = Node<BlockNodeData, typeof BLOCK_NODE_TYPE>
export type CanvasEdge = Edge

export interface CanvasGraph {
  nodes: CanvasNode[]
  edges: CanvasEdge[]
}

export const emptyGraph = (): WorkflowGraph => ({ nodes: [], edges: [] })

export function nodeToCanvas(node: GraphNode): CanvasNode {
  const canvas: CanvasNode = {
    id: node.id,
    type: BLOCK_NODE_TYPE,
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
