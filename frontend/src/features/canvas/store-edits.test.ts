import { beforeEach, describe, expect, it } from 'vitest'
import type { WorkflowGraph } from '@/api/types'
import { FRAGMENT_FORMAT, PASTE_OFFSET, parseFragment } from './clipboard'
import { NODE_HEIGHT, NODE_SPACING, NODE_WIDTH } from './layout'
import { useCanvasStore } from './store'

// hook -> greet (reads the hook's output) -> done; a note beside them.
const graph: WorkflowGraph = {
  nodes: [
    { id: 'hook', type: 'webhook_trigger', position: { x: 0, y: 0 }, data: { config: {} } },
    {
      id: 'greet',
      type: 'transform',
      position: { x: 300, y: 50 },
      data: { config: { mapping: { text: 'Hi {{ nodes.hook.output.name }}' } }, label: 'Greet' },
    },
    {
      id: 'done',
      type: 'transform',
      position: { x: 600, y: 50 },
      data: { config: { mapping: { from: '{{ nodes.greet.output.text }}' } } },
    },
  ],
  edges: [
    { id: 'e1', source: 'hook', target: 'greet' },
    { id: 'e2', source: 'greet', target: 'done', sourceHandle: 'out' },
  ],
}

const store = () => useCanvasStore.getState()
const nodeIds = () => store().nodes.map((n) => n.id)
const node = (id: string) => store().nodes.find((n) => n.id === id)
const selectOnly = (...ids: string[]) =>
  useCanvasStore.setState({
    nodes: store().nodes.map((n) => ({ ...n, selected: ids.includes(n.id) })),
  })

describe('copy and paste', () => {
  beforeEach(() => store().load('wf1', graph, 1))

  it('copies the selected nodes with only the edges between them', () => {
    selectOnly('greet', 'done')
    const fragment = parseFragment(store().copySelection() ?? '')
    expect(fragment?.format).toBe(FRAGMENT_FORMAT)
    expect(fragment?.nodes.map((n) => n.id)).toEqual(['greet', 'done'])
    expect(fragment?.edges.map((e) => e.id)).toEqual(['e2']) // e1 leaves the selection
    expect(store().dirty).toBe(false)
    selectOnly()
    expect(store().copySelection()).toBeNull()
  })

  it('pastes with fresh ids, remapped edges and expressions, as one undo step', () => {
    selectOnly('greet', 'done')
    const text = store().copySelection() ?? ''
    expect(store().paste(text)).toBe(true)
    expect(nodeIds()).toEqual(['hook', 'greet', 'done', 'greet_1', 'done_1'])
    expect(store().toGraph().edges.at(-1)).toEqual({
      id: 'e_greet_1_out_done_1',
      source: 'greet_1',
      target: 'done_1',
      sourceHandle: 'out',
    })
    // The copy reads the copied greet; a reference outside the fragment stays as it was.
    expect(node('done_1')?.data.config).toEqual({
      mapping: { from: '{{ nodes.greet_1.output.text }}' },
    })
    expect(node('greet_1')?.data.config).toEqual({
      mapping: { text: 'Hi {{ nodes.hook.output.name }}' },
    })
    expect(node('greet_1')?.data.label).toBe('Greet')
    // Offset from the originals; only the pasted nodes are selected.
    expect(node('greet_1')?.position).toEqual({ x: 300 + PASTE_OFFSET, y: 50 + PASTE_OFFSET })
    expect(
      store()
        .nodes.filter((n) => n.selected)
        .map((n) => n.id),
    ).toEqual(['greet_1', 'done_1'])
    expect(store().dirty).toBe(true)
    expect(store().past).toHaveLength(1)
    store().undo()
    expect(store().toGraph()).toStrictEqual(graph)
  })

  it('pastes into another workflow at the pointer, keeping the fragment’s shape', () => {
    selectOnly('greet', 'done')
    const text = store().copySelection() ?? ''
    store().load('wf2', { nodes: [graph.nodes[1]], edges: [] }, 7) // has a `greet` already
    store().paste(text, { x: 1000, y: 500 })
    expect(nodeIds()).toEqual(['greet', 'greet_1', 'done'])
    expect(node('greet_1')?.position).toEqual({ x: 1000, y: 500 })
    expect(node('done')?.position).toEqual({ x: 1300, y: 500 })
    expect(node('done')?.data.config).toEqual({
      mapping: { from: '{{ nodes.greet_1.output.text }}' },
    })
  })

  it('ignores clipboard text that is not a fragment', () => {
    for (const text of ['hello', '{"nodes": []}', JSON.stringify({ format: FRAGMENT_FORMAT })]) {
      expect(store().paste(text)).toBe(false)
    }
    expect(store().past).toHaveLength(0)
  })

  it('duplicates the selection beside it, never exactly on an earlier copy', () => {
    selectOnly('hook')
    expect(store().duplicate()).toBe(true)
    expect(nodeIds()).toEqual(['hook', 'greet', 'done', 'hook_1'])
    expect(store().selectedNodeId).toBe('hook_1')
    expect(node('hook_1')?.position).toEqual({ x: PASTE_OFFSET, y: PASTE_OFFSET })
    selectOnly('hook')
    store().duplicate()
    expect(node('hook_2')?.position).toEqual({ x: 2 * PASTE_OFFSET, y: 2 * PASTE_OFFSET })
    selectOnly()
    expect(store().duplicate()).toBe(false)
  })

  it('brings a loop’s body along and makes a lone body node top-level', () => {
    store().load(
      'wf1',
      {
        nodes: [
          { id: 'loop', type: 'loop', position: { x: 100, y: 100 }, data: { config: {} } },
          {
            id: 'inner',
            type: 'transform',
            position: { x: 10, y: 20 },
            parentId: 'loop',
            data: { config: {} },
          },
        ],
        edges: [],
      },
      1,
    )
    selectOnly('loop')
    store().paste(store().copySelection() ?? '')
    expect(node('inner_1')?.parentId).toBe('loop_1')
    expect(node('inner_1')?.position).toEqual({ x: 10, y: 20 })

    selectOnly('inner')
    store().paste(store().copySelection() ?? '', { x: 0, y: 0 })
    expect(node('inner_2')?.parentId).toBeUndefined()
    expect(node('inner_2')?.position).toEqual({ x: 0, y: 0 })
  })
})

describe('rename, notes and placement', () => {
  beforeEach(() => store().load('wf1', graph, 1))

  it('renames a node into data.label; empty goes back to the block title; undo', () => {
    store().startRename('hook')
    store().renameNode('hook', '  Incoming order ')
    expect(store().renamingId).toBeNull()
    expect(store().toGraph().nodes[0].data).toEqual({ config: {}, label: 'Incoming order' })
    store().renameNode('greet', '')
    expect(store().toGraph().nodes[1].data).not.toHaveProperty('label')
    expect(store().past).toHaveLength(2)
    store().renameNode('hook', 'Incoming order') // unchanged: no undo step
    expect(store().past).toHaveLength(2)
    store().undo()
    store().undo()
    expect(store().toGraph()).toStrictEqual(graph)
  })

  it('adds a note that saves as a `note` node; typing in it is one undo step', () => {
    const id = store().addNote({ x: 5, y: 5 })
    expect(id).toBe('note_1')
    expect(node(id)?.type).toBe('note')
    store().setNoteText(id, 'Ask')
    store().setNoteText(id, 'Ask Ann')
    expect(store().past).toHaveLength(2)
    expect(store().toGraph().nodes.at(-1)).toEqual({
      id: 'note_1',
      type: 'note',
      position: { x: 5, y: 5 },
      data: { config: {}, text: 'Ask Ann' },
    })
  })

  it('places a new node right of the selected one, below anything in the way', () => {
    store().select('hook')
    const first = store().addNode({ key: 'transform' })
    // Right of hook is free of greet (it starts 300px over, at y 50 that overlaps): moved down.
    const spot = node(first)?.position
    expect(spot?.x).toBe(NODE_SPACING)
    expect(spot && spot.y >= 50 + NODE_HEIGHT).toBe(true)
    // The new node is selected, so the next one goes right of it; none overlap.
    const second = store().addNode({ key: 'transform' })
    expect(node(second)?.position.x).toBe(NODE_SPACING * 2)
    const boxes = store().nodes.map((n) => n.position)
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        const apart = Math.abs(a.x - b.x) >= NODE_WIDTH || Math.abs(a.y - b.y) >= NODE_HEIGHT
        expect(apart).toBe(true)
      }
    }
  })

  it('lays the graph out left to right in one undo step', async () => {
    useCanvasStore.setState({
      nodes: store().nodes.map((n) => ({ ...n, position: { x: 0, y: 0 } })),
    })
    await store().autoLayout()
    const [hook, greet, done] = ['hook', 'greet', 'done'].map((id) => node(id)?.position.x ?? NaN)
    expect(hook < greet && greet < done).toBe(true)
    expect(greet - hook).toBeGreaterThanOrEqual(NODE_WIDTH)
    expect(store().past).toHaveLength(1)
    store().undo()
    expect(node('done')?.position).toEqual({ x: 0, y: 0 })
  })

  it('still lays out when React Flow measures the nodes meanwhile, not when one is added', async () => {
    const measuring = store().autoLayout()
    // What a dimensions change does: a new nodes array, the same nodes.
    useCanvasStore.setState({
      nodes: store().nodes.map((n) => ({ ...n, measured: { width: 200, height: 90 } })),
    })
    await measuring
    expect(store().past).toHaveLength(1)
    const moved = store().nodes.map((n) => n.position)

    const adding = store().autoLayout()
    store().addNode({ key: 'transform' })
    await adding
    expect(store().past).toHaveLength(2) // the add only: the layout was dropped
    expect(
      store()
        .nodes.slice(0, 3)
        .map((n) => n.position),
    ).toEqual(moved)
  })
})

describe('insert on an edge', () => {
  beforeEach(() => store().load('wf1', graph, 1))
  const condition = { key: 'condition', version: 1, config: { conditions: [] } }

  it('wires the new node between the two ends and makes room after it', () => {
    const id = store().insertOnEdge('e2', condition, { input: null, output: 'true' })
    expect(id).toBe('condition_1')
    const edges = store().edges.map((e) => [e.source, e.sourceHandle, e.target, e.targetHandle])
    expect(edges).toEqual([
      ['hook', undefined, 'greet', undefined],
      ['greet', 'out', 'condition_1', null], // keeps the handle it left greet by
      ['condition_1', 'true', 'done', null],
    ])
    expect(node('condition_1')?.position).toEqual({ x: 300 + NODE_SPACING, y: 50 })
    expect(node('done')?.position.x).toBe(600 + NODE_SPACING) // the gap was one node wide
    expect(node('greet')?.position.x).toBe(300) // upstream stays put
    expect(store().selectedNodeId).toBe('condition_1')
    expect(store().dirty).toBe(true)
  })

  it('is one undo step, and a gone edge inserts nothing', () => {
    store().insertOnEdge('e1', condition, { input: null, output: 'true' })
    store().undo()
    expect(nodeIds()).toEqual(['hook', 'greet', 'done'])
    expect(store().edges.map((e) => e.id)).toEqual(['e1', 'e2'])
    expect(node('greet')?.position.x).toBe(300)
    expect(store().insertOnEdge('nope', condition, { input: null, output: null })).toBeNull()
    expect(store().past).toHaveLength(0)
  })
})
