// The editing comforts of the canvas store: copy/paste/duplicate, rename, sticky notes,
// auto-layout and inserting a node on an edge. Each change is one undo step (typing in one
// note or label coalesces).
import type { XYPosition } from '@xyflow/react'
import type { StoreApi } from 'zustand'
import {
  BLOCK_NODE_TYPE,
  NOTE_NODE_TYPE,
  uniqueEdgeId,
  uniqueNodeId,
  type CanvasEdge,
  type CanvasNode,
} from '@/lib/graph'
import { copyFragment, parseFragment, remapFragment } from './clipboard'
import { freeSpot, layoutPositions, NODE_SPACING } from './layout'
import type { CanvasState, NewBlock } from './store'

export interface EditActions {
  /** The node whose title is being edited in place, if any. */
  renamingId: string | null
  /** The selection as clipboard text, or null when nothing is selected. */
  copySelection: () => string | null
  /** Add a copied fragment (at `at`, else beside the original); false if `text` is not one. */
  paste: (text: string, at?: XYPosition | null) => boolean
  duplicate: () => boolean
  /** Select every node (Ctrl+A). */
  selectAll: () => void
  startRename: (nodeId: string | null) => void
  /** An empty label goes back to the block's title. */
  renameNode: (nodeId: string, label: string) => void
  addNote: (position?: XYPosition) => string
  setNoteText: (nodeId: string, text: string) => void
  /** Resolves once the layout is applied (dagre loads on first use). */
  autoLayout: () => Promise<void>
  /**
   * Put a new node on an edge: source -> new (entering by `ports.input`) -> target (leaving
   * by `ports.output`), moving the target and what follows it right to make room. Returns
   * the new node's id, or null if the edge is gone.
   */
  insertOnEdge: (edgeId: string, block: NewBlock, ports: InsertPorts) => string | null
}

/** The handles of the inserted node that the two new edges use (null: the default one). */
export interface InsertPorts {
  input: string | null
  output: string | null
}

/** Every node reachable from `start` along the edges (a loop back to `start` ends the walk). */
function downstream(start: string, edges: CanvasEdge[]): Set<string> {
  const seen = new Set([start])
  const queue = [start]
  while (queue.length > 0) {
    const current = queue.shift() as string
    for (const edge of edges) {
      if (edge.source === current && !seen.has(edge.target)) {
        seen.add(edge.target)
        queue.push(edge.target)
      }
    }
  }
  return seen
}

type SetState = StoreApi<CanvasState>['setState']
type Get = StoreApi<CanvasState>['getState']

export const blankEdits = () => ({ renamingId: null })

export function editActions(
  set: SetState,
  get: Get,
  checkpoint: (key?: string | null) => void,
): Omit<EditActions, 'renamingId'> {
  const setData = (nodeId: string, patch: (data: CanvasNode['data']) => CanvasNode['data']) =>
    set({
      nodes: get().nodes.map((node) =>
        node.id === nodeId ? { ...node, data: patch(node.data) } : node,
      ),
      dirty: true,
    })

  return {
    copySelection: () => {
      const fragment = copyFragment(get().nodes, get().edges)
      return fragment ? JSON.stringify(fragment) : null
    },

    paste: (text, at = null) => {
      const fragment = parseFragment(text)
      if (!fragment) return false
      const { nodes, edges } = get()
      const added = remapFragment(fragment, { nodes, edges }, at)
      checkpoint()
      set({
        nodes: [...nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...added.nodes],
        edges: [...edges.map((e) => (e.selected ? { ...e, selected: false } : e)), ...added.edges],
        selectedNodeId: added.nodes.length === 1 ? added.nodes[0].id : null,
        dirty: true,
      })
      return true
    },

    duplicate: () => {
      const text = get().copySelection()
      return text !== null && get().paste(text)
    },

    selectAll: () =>
      set({
        nodes: get().nodes.map((node) => (node.selected ? node : { ...node, selected: true })),
        selectedNodeId: get().nodes.length === 1 ? get().nodes[0].id : null,
      }),

    startRename: (nodeId) => set({ renamingId: nodeId }),

    renameNode: (nodeId, label) => {
      const node = get().nodes.find((n) => n.id === nodeId)
      const next = label.trim()
      set({ renamingId: null })
      if (!node || (node.data.label ?? '') === next) return
      checkpoint()
      setData(nodeId, (data) => {
        const rest = { ...data }
        delete rest.label
        return next ? { ...rest, label: next } : rest
      })
    },

    addNote: (position) => {
      checkpoint()
      const { nodes, selectedNodeId } = get()
      const id = uniqueNodeId(
        NOTE_NODE_TYPE,
        nodes.map((node) => node.id),
      )
      const note: CanvasNode = {
        id,
        type: NOTE_NODE_TYPE,
        position: position ?? freeSpot(nodes, selectedNodeId),
        data: { config: {}, blockType: NOTE_NODE_TYPE, text: '' },
        selected: true,
      }
      set({
        nodes: [...nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), note],
        selectedNodeId: id,
        dirty: true,
      })
      return id
    },

    setNoteText: (nodeId, text) => {
      checkpoint(`text:${nodeId}`)
      setData(nodeId, (data) => ({ ...data, text }))
    },

    autoLayout: async () => {
      const before = get()
      if (before.nodes.length === 0) return
      const positions = await layoutPositions(before.nodes, before.edges)
      // React Flow measuring or selecting nodes meanwhile is normal (dagre loads on first
      // use); nodes or edges added or removed meanwhile make this layout out of date.
      const { nodes, edges } = get()
      const ids = (list: CanvasNode[]) => list.map((node) => node.id).join()
      if (edges !== before.edges || ids(nodes) !== ids(before.nodes)) return
      checkpoint()
      set({
        nodes: nodes.map((node) => {
          const position = positions.get(node.id)
          return position ? { ...node, position } : node
        }),
        dirty: true,
      })
    },

    insertOnEdge: (edgeId, block, ports) => {
      const { nodes, edges } = get()
      const edge = edges.find((e) => e.id === edgeId)
      const source = nodes.find((n) => n.id === edge?.source)
      const target = nodes.find((n) => n.id === edge?.target)
      if (!edge || !source || !target) return null
      checkpoint()
      const id = uniqueNodeId(
        block.key,
        nodes.map((n) => n.id),
      )
      // Inside a loop both ends share the loop as parent, and positions are relative to it.
      const parentId = source.parentId === target.parentId ? source.parentId : undefined
      const position = { x: source.position.x + NODE_SPACING, y: source.position.y }
      const room = target.position.x - source.position.x < 2 * NODE_SPACING ? NODE_SPACING : 0
      const moved = room ? downstream(target.id, edges) : new Set<string>()
      moved.delete(source.id) // a cycle back to the source leaves it where it is
      const data: CanvasNode['data'] = { config: block.config ?? {}, blockType: block.key }
      if (block.version !== undefined) data.version = block.version
      const node: CanvasNode = { id, type: BLOCK_NODE_TYPE, position, data, selected: true }
      if (parentId) node.parentId = parentId
      const taken = edges.map((e) => e.id)
      const into = { source: edge.source, sourceHandle: edge.sourceHandle ?? null }
      const first = { ...into, target: id, targetHandle: ports.input }
      const second = {
        source: id,
        sourceHandle: ports.output,
        target: edge.target,
        targetHandle: edge.targetHandle ?? null,
      }
      const firstId = uniqueEdgeId(first, taken)
      const secondId = uniqueEdgeId(second, [...taken, firstId])
      set({
        nodes: [
          ...nodes.map((n) => {
            const shifted =
              moved.has(n.id) && n.parentId === target.parentId
                ? { ...n, position: { x: n.position.x + room, y: n.position.y } }
                : n
            return shifted.selected ? { ...shifted, selected: false } : shifted
          }),
          node,
        ],
        edges: [
          ...edges.filter((e) => e.id !== edgeId),
          { id: firstId, ...first },
          { id: secondId, ...second },
        ],
        selectedNodeId: id,
        dirty: true,
      })
      return id
    },
  }
}
