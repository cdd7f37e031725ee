import { beforeEach, describe, expect, it } from 'vitest'
import type { WorkflowGraph } from '@/api/types'
import { mapFieldErrors } from '@/lib/field-errors'
import { useCanvasStore } from './store'

const graph: WorkflowGraph = {
  nodes: [
    { id: 'hook', type: 'webhook_trigger', position: { x: 0, y: 0 }, data: { config: {} } },
    { id: 'check', type: 'condition', position: { x: 240, y: 0 }, data: { config: { expr: 'a' } } },
  ],
  edges: [{ id: 'e1', source: 'hook', target: 'check' }],
}

const store = () => useCanvasStore.getState()
const nodeIds = () => store().nodes.map((n) => n.id)
const edgeIds = () => store().edges.map((e) => e.id)

describe('useCanvasStore', () => {
  beforeEach(() => store().load('wf1', graph, 3))

  it('loads a graph clean, with no history', () => {
    expect(store()).toMatchObject({
      workflowId: 'wf1',
      baseVersion: 3,
      dirty: false,
      past: [],
      future: [],
    })
    expect(store().toGraph()).toStrictEqual(graph)
  })

  it('adds a node with a unique id, selects it and marks the canvas dirty', () => {
    const id = store().addNode(
      { key: 'http_request', version: 1, config: { method: 'GET' } },
      { x: 5, y: 6 },
    )
    expect(id).toBe('http_request_1')
    expect(store().selectedNodeId).toBe(id)
    expect(store().dirty).toBe(true)
    expect(store().toGraph().nodes.at(-1)).toStrictEqual({
      id,
      type: 'http_request',
      position: { x: 5, y: 6 },
      data: { config: { method: 'GET' }, version: 1 },
    })
    expect(store().addNode({ key: 'http_request' }, { x: 0, y: 0 })).toBe('http_request_2')
  })

  it('connects nodes through named handles, once, and never to themselves', () => {
    store().onConnect({ source: 'check', target: 'hook', sourceHandle: 'true', targetHandle: null })
    expect(store().toGraph().edges.at(-1)).toStrictEqual({
      id: 'e_check_true_hook',
      source: 'check',
      target: 'hook',
      sourceHandle: 'true',
    })
    store().onConnect({ source: 'check', target: 'hook', sourceHandle: 'true', targetHandle: null })
    store().onConnect({ source: 'hook', target: 'hook', sourceHandle: null, targetHandle: null })
    expect(edgeIds()).toEqual(['e1', 'e_check_true_hook'])
    expect(store().past).toHaveLength(1)
  })

  it('deletes a node with its edges, and undo brings both back', () => {
    store().removeNodes(['check'])
    expect(nodeIds()).toEqual(['hook'])
    expect(edgeIds()).toEqual([])
    expect(store().dirty).toBe(true)
    store().undo()
    expect(store().toGraph()).toStrictEqual(graph)
    store().redo()
    expect(nodeIds()).toEqual(['hook'])
  })

  it('treats a React Flow deletion of nodes and edges as one undo step', async () => {
    store().onNodesChange([{ type: 'remove', id: 'check' }])
    store().onEdgesChange([{ type: 'remove', id: 'e1' }])
    expect(store().past).toHaveLength(1)
    store().undo()
    expect(store().toGraph()).toStrictEqual(graph)
    await Promise.resolve()
    store().removeEdges(['e1'])
    expect(store().past).toHaveLength(1) // a later deletion is a new step (redo stack cleared)
  })

  it('does not dirty the canvas for selection or measurement changes', () => {
    store().onNodesChange([{ type: 'select', id: 'hook', selected: true }])
    store().onNodesChange([
      { type: 'dimensions', id: 'hook', dimensions: { width: 100, height: 40 } },
    ])
    store().onEdgesChange([{ type: 'select', id: 'e1', selected: true }])
    expect(store().dirty).toBe(false)
    expect(store().past).toHaveLength(0)
    expect(store().selectedNodeId).toBe('hook')
  })

  it('makes one undo step of a whole drag', () => {
    for (const x of [10, 20, 30]) {
      store().onNodesChange([
        { type: 'position', id: 'hook', position: { x, y: 0 }, dragging: true },
      ])
    }
    store().onNodesChange([
      { type: 'position', id: 'hook', position: { x: 40, y: 0 }, dragging: false },
    ])
    expect(store().nodes[0].position).toEqual({ x: 40, y: 0 })
    expect(store().past).toHaveLength(1)
    store().onNodesChange([
      { type: 'position', id: 'hook', position: { x: 50, y: 0 }, dragging: true },
    ])
    expect(store().past).toHaveLength(2)
    store().undo()
    store().undo()
    expect(store().nodes[0].position).toEqual({ x: 0, y: 0 })
  })

  it('coalesces typing into one node config, and undo restores it', () => {
    store().updateNodeConfig('check', { expr: 'ab' })
    store().updateNodeConfig('check', { expr: 'abc' })
    expect(store().past).toHaveLength(1)
    expect(store().nodes[1].data.config).toEqual({ expr: 'abc' })
    store().undo()
    expect(store().nodes[1].data.config).toEqual({ expr: 'a' })
    expect(store().future).toHaveLength(1)
    store().redo()
    expect(store().nodes[1].data.config).toEqual({ expr: 'abc' })
  })

  it('clears the redo stack on a new change', () => {
    store().removeEdges(['e1'])
    store().undo()
    store().addNode({ key: 'x' }, { x: 0, y: 0 })
    expect(store().future).toEqual([])
  })

  it('is clean after a save, unless edited while saving', () => {
    store().addNode({ key: 'x' }, { x: 0, y: 0 })
    const snapshot = { nodes: store().nodes, edges: store().edges }
    store().markSaved(snapshot, 4)
    expect(store()).toMatchObject({ dirty: false, baseVersion: 4 })

    store().addNode({ key: 'y' }, { x: 0, y: 0 })
    const inFlight = { nodes: store().nodes, edges: store().edges }
    store().updateNodeConfig('y_1', { late: true })
    store().markSaved(inFlight, 5)
    expect(store().dirty).toBe(true)
  })

  it('keeps save issues until the next save or load', () => {
    store().setIssues(mapFieldErrors({ 'graph.nodes[1].data.config.expr': ['Bad.'] }, graph))
    expect(store().issues.byNode.check.config.expr).toEqual(['Bad.'])
    store().markSaved({ nodes: store().nodes, edges: store().edges }, 4)
    expect(store().issues.byNode).toEqual({})
  })
})
