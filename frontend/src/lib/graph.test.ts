import { describe, expect, it } from 'vitest'
import type { WorkflowGraph } from '@/api/types'
import {
  fromCanvas,
  sameGraph,
  toCanvas,
  uniqueEdgeId,
  uniqueNodeId,
  upstreamNodeIds,
} from './graph'

const graph: WorkflowGraph = {
  nodes: [
    {
      id: 'hook',
      type: 'webhook_trigger',
      position: { x: 0, y: 0 },
      data: { version: '1', config: { method: 'POST' } },
    },
    { id: 'loop', type: 'loop', position: { x: 240, y: -10.5 }, data: { config: {} } },
    {
      id: 'greet',
      type: 'transform',
      position: { x: 20, y: 40 },
      parentId: 'loop',
      data: { config: { mapping: { text: 'Hello {{ trigger.body.name }}' } }, label: 'kept' },
    },
    {
      id: 'check',
      type: 'condition',
      position: { x: 480, y: 0 },
      data: { version: 2, config: { expr: 'a' } },
    },
  ],
  edges: [
    { id: 'e1', source: 'hook', target: 'loop' },
    { id: 'e2', source: 'check', target: 'greet', sourceHandle: 'true', targetHandle: 'in' },
    { id: 'e3', source: 'check', target: 'hook', sourceHandle: 'error' },
  ],
}

describe('graph ⇄ canvas', () => {
  it('round-trips positions, data, parentId and handles exactly', () => {
    const canvas = toCanvas(graph)
    expect(fromCanvas(canvas.nodes, canvas.edges)).toStrictEqual(graph)
  })

  it('renders every block through the generic node type and keeps the block key in data', () => {
    const { nodes } = toCanvas(graph)
    expect(nodes[0]).toMatchObject({
      type: 'block',
      data: { blockType: 'webhook_trigger', version: '1' },
    })
  })

  it('drops React Flow runtime fields on the way back', () => {
    const canvas = toCanvas(graph)
    const touched = canvas.nodes.map((node) => ({
      ...node,
      selected: true,
      dragging: false,
      measured: { width: 180, height: 60 },
    }))
    const edges = canvas.edges.map((edge) => ({
      ...edge,
      selected: true,
      sourceHandle: edge.sourceHandle ?? null,
    }))
    expect(fromCanvas(touched, edges)).toStrictEqual(graph)
  })

  it('puts parents before their children for React Flow', () => {
    const childFirst: WorkflowGraph = {
      nodes: [
        {
          id: 'child',
          type: 't',
          position: { x: 0, y: 0 },
          parentId: 'group',
          data: { config: {} },
        },
        { id: 'group', type: 'g', position: { x: 0, y: 0 }, data: { config: {} } },
      ],
      edges: [],
    }
    expect(toCanvas(childFirst).nodes.map((n) => n.id)).toEqual(['group', 'child'])
  })

  it('handles an empty or missing graph', () => {
    expect(toCanvas(undefined)).toEqual({ nodes: [], edges: [] })
    expect(fromCanvas([], [])).toEqual({ nodes: [], edges: [] })
  })

  it('compares graphs regardless of key order', () => {
    const reverseKeys = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(reverseKeys)
        : value && typeof value === 'object'
          ? Object.fromEntries(
              Object.entries(value)
                .reverse()
                .map(([k, v]) => [k, reverseKeys(v)]),
            )
          : value
    const reordered = reverseKeys(graph) as WorkflowGraph
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(graph))
    expect(sameGraph(graph, reordered)).toBe(true)
    const moved = structuredClone(graph)
    moved.nodes[0].position.x = 1
    expect(sameGraph(graph, moved)).toBe(false)
  })
})

describe('ids', () => {
  it('makes node ids usable in expressions and unique', () => {
    expect(uniqueNodeId('http_request', [])).toBe('http_request_1')
    expect(uniqueNodeId('http_request', ['http_request_1'])).toBe('http_request_2')
    expect(uniqueNodeId('Send-Mail', [])).toBe('send_mail_1')
  })

  it('names edges after their ends and keeps them unique', () => {
    const connection = { source: 'a', target: 'b', sourceHandle: 'true', targetHandle: null }
    expect(uniqueEdgeId(connection, [])).toBe('e_a_true_b')
    expect(uniqueEdgeId(connection, ['e_a_true_b'])).toBe('e_a_true_b_2')
  })
})

describe('upstreamNodeIds', () => {
  // The server's test_references_to_nodes_that_do_not_run_before_are_warnings, as a canvas.
  const node = (id: string, type = 'transform', parentId?: string) => ({
    id,
    type,
    position: { x: 0, y: 0 },
    data: { config: {} },
    ...(parentId ? { parentId } : {}),
  })
  const edge = (source: string, target: string) => ({ id: `${source}-${target}`, source, target })
  const { nodes, edges } = toCanvas({
    nodes: [
      node('t', 'manual_trigger'),
      node('a'),
      node('b'),
      node('c'),
      node('side'),
      node('l', 'loop'),
      node('body', 'transform', 'l'),
      node('body2', 'transform', 'l'),
      node('e', 'error_trigger'),
      node('h'),
    ],
    edges: [
      edge('t', 'a'),
      edge('a', 'b'),
      edge('b', 'c'),
      edge('a', 'side'),
      edge('c', 'l'),
      edge('body', 'body2'),
      edge('e', 'h'),
    ],
  })
  const upstream = (id: string) => [...upstreamNodeIds(id, nodes, edges)].sort()

  it('is the ancestors: not the node itself, later nodes or a parallel branch', () => {
    expect(upstream('b')).toEqual(['a', 't'])
    expect(upstream('side')).toEqual(['a', 't'])
    expect(upstream('t')).toEqual([])
  })

  it('inside a loop, adds what runs before the loop (not the loop itself)', () => {
    expect(upstream('body2')).toEqual(['a', 'b', 'body', 'c', 't'])
  })

  it('stops at loops that are each other’s parent', () => {
    const broken = toCanvas({
      nodes: [node('l1', 'loop', 'l2'), node('l2', 'loop', 'l1')],
      edges: [],
    })
    expect([...upstreamNodeIds('l1', broken.nodes, broken.edges)]).toEqual([])
  })

  it('in the error flow, adds the main flow (not a loop body)', () => {
    expect(upstream('h')).toEqual(['a', 'b', 'c', 'e', 'l', 'side', 't'])
  })
})
