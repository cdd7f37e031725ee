// Editor state for the open workflow: nodes, edges, selection, dirty flag, undo/redo and the
// issues of the last save. Server state (the workflow, the block catalogue) stays in
// TanStack Query; `load` is the only way a server graph gets in here. Copy/paste, notes,
// rename and layout live in store-edits.ts.
import {
  addEdge,
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type XYPosition,
} from '@xyflow/react'
import { create } from 'zustand'
import type { WorkflowGraph } from '@/api/types'
import { noIssues, type SaveIssues } from '@/lib/field-errors'
import {
  BLOCK_NODE_TYPE,
  fromCanvas,
  toCanvas,
  uniqueEdgeId,
  uniqueNodeId,
  type CanvasEdge,
  type CanvasNode,
} from '@/lib/graph'
import { freeSpot } from './layout'
import { blankEdits, editActions, type EditActions } from './store-edits'

const HISTORY_LIMIT = 100

export interface Snapshot {
  nodes: CanvasNode[]
  edges: CanvasEdge[]
}

export interface NewBlock {
  key: string
  version?: string | number
  config?: Record<string, unknown>
}

export interface CanvasState extends Snapshot, EditActions {
  workflowId: string | null
  /** The server version the canvas is based on; sent with every save to detect conflicts. */
  baseVersion: number | null
  selectedNodeId: string | null
  dirty: boolean
  past: Snapshot[]
  future: Snapshot[]
  /** Consecutive changes with the same key (a drag, typing in one form) make one undo step. */
  coalesceKey: string | null
  issues: SaveIssues

  load: (workflowId: string, graph: WorkflowGraph | undefined, version: number | null) => void
  /** Forget the workflow when the editor closes, so the next visit loads fresh. */
  unload: () => void
  toGraph: () => WorkflowGraph
  onNodesChange: (changes: NodeChange<CanvasNode>[]) => void
  onEdgesChange: (changes: EdgeChange<CanvasEdge>[]) => void
  onConnect: (connection: Connection) => void
  /** Called before React Flow deletes a selection, so the whole deletion is one undo step. */
  beginDelete: () => void
  /** Without a position, the node goes right of the selected (or last) node, in a free spot. */
  addNode: (block: NewBlock, position?: XYPosition) => string
  updateNodeConfig: (nodeId: string, config: Record<string, unknown>) => void
  removeNodes: (nodeIds: string[]) => void
  removeEdges: (edgeIds: string[]) => void
  select: (nodeId: string | null) => void
  undo: () => void
  redo: () => void
  /** Clean again, unless the user edited while the save was in flight. */
  markSaved: (saved: Snapshot, version: number) => void
  setIssues: (issues: SaveIssues) => void
  /** The server moved to `version` with the same graph (e.g. after publishing). */
  rebase: (version: number) => void
}

const blankEditor = () => ({
  workflowId: null,
  baseVersion: null,
  nodes: [],
  edges: [],
  selectedNodeId: null,
  dirty: false,
  past: [],
  future: [],
  coalesceKey: null,
  issues: noIssues(),
  ...blankEdits(),
})

function soleSelected(nodes: CanvasNode[]): string | null {
  const selected = nodes.filter((node) => node.selected)
  return selected.length === 1 ? selected[0].id : null
}

export const useCanvasStore = create<CanvasState>()((set, get) => {
  /** Remember the current graph for undo, unless this change continues the last step. */
  const checkpoint = (key: string | null = null) => {
    const state = get()
    if (key !== null && key === state.coalesceKey) return
    set({
      past: [...state.past, { nodes: state.nodes, edges: state.edges }].slice(-HISTORY_LIMIT),
      future: [],
      coalesceKey: key,
    })
  }

  const endStep = (key: string) => {
    if (get().coalesceKey === key) set({ coalesceKey: null })
  }

  const restore = (snapshot: Snapshot) => ({
    nodes: snapshot.nodes,
    edges: snapshot.edges,
    selectedNodeId: soleSelected(snapshot.nodes),
    dirty: true,
    coalesceKey: null,
    renamingId: null,
  })

  return {
    ...blankEditor(),
    ...editActions(set, get, checkpoint),

    load: (workflowId, graph, version) =>
      set({ ...blankEditor(), ...toCanvas(graph), workflowId, baseVersion: version }),

    unload: () => set(blankEditor()),

    toGraph: () => fromCanvas(get().nodes, get().edges),

    onNodesChange: (changes) => {
      const edits = changes.filter((c) => c.type !== 'select' && c.type !== 'dimensions')
      const moves = edits.filter((c) => c.type === 'position' && c.position)
      if (edits.some((c) => c.type === 'remove')) get().beginDelete()
      else if (moves.length > 0) checkpoint('move')
      else if (edits.length > 0) checkpoint()

      const nodes = applyNodeChanges(changes, get().nodes)
      const selectionChanged = changes.some((c) => c.type === 'select')
      set({
        nodes,
        dirty: get().dirty || moves.length > 0 || edits.some((c) => c.type !== 'position'),
        selectedNodeId: soleSelected(nodes),
        ...(selectionChanged && get().coalesceKey !== 'move' ? { coalesceKey: null } : {}),
      })
      // A drag ends with dragging=false; the next drag is a new undo step.
      if (moves.some((c) => c.type === 'position' && !c.dragging)) endStep('move')
    },

    onEdgesChange: (changes) => {
      const edits = changes.filter((c) => c.type !== 'select')
      if (edits.some((c) => c.type === 'remove')) get().beginDelete()
      else if (edits.length > 0) checkpoint()
      set({ edges: applyEdgeChanges(changes, get().edges), dirty: get().dirty || edits.length > 0 })
    },

    beginDelete: () => {
      checkpoint('delete')
      // React Flow reports node and edge removals of one deletion back to back.
      queueMicrotask(() => endStep('delete'))
    },

    onConnect: (connection) => {
      if (connection.source === connection.target) return
      const { edges } = get()
      const id = uniqueEdgeId(
        connection,
        edges.map((edge) => edge.id),
      )
      const next = addEdge({ ...connection, id }, edges)
      if (next.length === edges.length) return // the same connection already exists
      checkpoint()
      set({ edges: next, dirty: true })
    },

    addNode: (block, position) => {
      checkpoint()
      const { nodes, selectedNodeId } = get()
      const id = uniqueNodeId(
        block.key,
        nodes.map((node) => node.id),
      )
      const data: CanvasNode['data'] = { config: block.config ?? {}, blockType: block.key }
      if (block.version !== undefined) data.version = block.version
      const node: CanvasNode = {
        id,
        type: BLOCK_NODE_TYPE,
        position: position ?? freeSpot(nodes, selectedNodeId),
        data,
        selected: true,
      }
      set({
        nodes: [...nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node],
        selectedNodeId: id,
        dirty: true,
      })
      return id
    },

    updateNodeConfig: (nodeId, config) => {
      checkpoint(`config:${nodeId}`)
      set({
        nodes: get().nodes.map((node) =>
          node.id === nodeId ? { ...node, data: { ...node.data, config } } : node,
        ),
        dirty: true,
      })
    },

    removeNodes: (nodeIds) => {
      const doomed = new Set(nodeIds)
      const { nodes, edges } = get()
      if (!nodes.some((node) => doomed.has(node.id))) return
      checkpoint()
      set({
        nodes: nodes.filter((node) => !doomed.has(node.id) && !doomed.has(node.parentId ?? '')),
        edges: edges.filter((edge) => !doomed.has(edge.source) && !doomed.has(edge.target)),
        selectedNodeId: doomed.has(get().selectedNodeId ?? '') ? null : get().selectedNodeId,
        dirty: true,
      })
    },

    removeEdges: (edgeIds) => {
      const doomed = new Set(edgeIds)
      if (!get().edges.some((edge) => doomed.has(edge.id))) return
      checkpoint()
      set({ edges: get().edges.filter((edge) => !doomed.has(edge.id)), dirty: true })
    },

    select: (nodeId) =>
      set({
        nodes: get().nodes.map((node) =>
          node.selected === (node.id === nodeId) ? node : { ...node, selected: node.id === nodeId },
        ),
        edges: get().edges.map((edge) => (edge.selected ? { ...edge, selected: false } : edge)),
        selectedNodeId: nodeId,
        coalesceKey: null,
      }),

    undo: () => {
      const { past, future, nodes, edges } = get()
      const previous = past.at(-1)
      if (!previous) return
      set({ ...restore(previous), past: past.slice(0, -1), future: [{ nodes, edges }, ...future] })
    },

    redo: () => {
      const { past, future, nodes, edges } = get()
      const next = future[0]
      if (!next) return
      set({ ...restore(next), past: [...past, { nodes, edges }], future: future.slice(1) })
    },

    markSaved: (saved, version) => {
      const { nodes, edges } = get()
      set({
        baseVersion: version,
        dirty: nodes !== saved.nodes || edges !== saved.edges,
        issues: noIssues(),
      })
    },

    setIssues: (issues) => set({ issues }),

    rebase: (version) => set({ baseVersion: version }),
  }
})
