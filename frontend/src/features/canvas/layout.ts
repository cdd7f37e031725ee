// Where nodes go: a left-to-right auto-layout of the whole graph (dagre), and a free spot for
// a new node next to the one the user is working on, never on top of another node.
import type { XYPosition } from '@xyflow/react'
import type { CanvasEdge, CanvasNode } from '@/lib/graph'

/** Sizes for nodes React Flow has not measured yet (tests, nodes still off screen). */
export const NODE_WIDTH = 220
export const NODE_HEIGHT = 100
/** Gap between a node and the one placed to its right. */
export const NODE_SPACING = 280
const ROW_STEP = NODE_HEIGHT + 40

const size = (node: CanvasNode) => ({
  width: node.measured?.width ?? node.width ?? NODE_WIDTH,
  height: node.measured?.height ?? node.height ?? NODE_HEIGHT,
})

/**
 * New top-left positions for the top-level nodes, ranked left to right along the edges.
 * Loop bodies keep their positions inside their loop; notes are laid out like isolated nodes.
 */
export async function layoutPositions(
  nodes: CanvasNode[],
  edges: CanvasEdge[],
): Promise<Map<string, XYPosition>> {
  // Loaded on first use: most visits never lay out, and dagre is the editor's largest module.
  const { default: dagre } = await import('@dagrejs/dagre')
  const top = nodes.filter((node) => !node.parentId)
  const ids = new Set(top.map((node) => node.id))
  const graph = new dagre.graphlib.Graph()
  graph.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 80, marginx: 0, marginy: 0 })
  graph.setDefaultEdgeLabel(() => ({}))
  for (const node of top) graph.setNode(node.id, size(node))
  for (const edge of edges) {
    if (ids.has(edge.source) && ids.has(edge.target)) graph.setEdge(edge.source, edge.target)
  }
  dagre.layout(graph)
  const positions = new Map<string, XYPosition>()
  for (const node of top) {
    const placed = graph.node(node.id)
    const { width, height } = size(node)
    // dagre gives centres; React Flow wants top-left corners.
    positions.set(node.id, { x: placed.x - width / 2, y: placed.y - height / 2 })
  }
  return positions
}

function overlaps(spot: XYPosition, node: CanvasNode): boolean {
  if (node.parentId) return false
  const { width, height } = size(node)
  return (
    spot.x < node.position.x + width &&
    spot.x + NODE_WIDTH > node.position.x &&
    spot.y < node.position.y + height &&
    spot.y + NODE_HEIGHT > node.position.y
  )
}

/** Right of the anchor (the selected node, else the last one), moved down until it is free. */
export function freeSpot(nodes: CanvasNode[], anchorId: string | null): XYPosition {
  const top = nodes.filter((node) => !node.parentId)
  const anchor = top.find((node) => node.id === anchorId) ?? top.at(-1)
  const spot = anchor
    ? { x: anchor.position.x + NODE_SPACING, y: anchor.position.y }
    : { x: 0, y: 0 }
  while (top.some((node) => overlaps(spot, node))) spot.y += ROW_STEP
  return spot
}
