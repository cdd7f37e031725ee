import { describe, expect, it } from 'vitest'
import type { WorkflowGraph } from '@/api/types'
import { issueCount, mapFieldErrors } from './field-errors'

const sent: WorkflowGraph = {
  nodes: [
    { id: 'hook', type: 'webhook_trigger', position: { x: 0, y: 0 }, data: { config: {} } },
    { id: 'fetch', type: 'http_request', position: { x: 1, y: 0 }, data: { config: {} } },
  ],
  edges: [{ id: 'e1', source: 'hook', target: 'fetch' }],
}

describe('mapFieldErrors', () => {
  it('puts a missing required property on the field itself', () => {
    const issues = mapFieldErrors(
      {
        'graph.nodes[1].data.config': [
          "config: 'url' is a required property",
          'config: Additional properties are not allowed',
        ],
        'graph.nodes[1].data.config.auth': ["config.auth: 'token' is a required property"],
      },
      sent,
    )
    expect(issues.byNode.fetch.config).toEqual({
      url: ['This field is required.'],
      '': ['config: Additional properties are not allowed'],
      'auth.token': ['This field is required.'],
    })
  })

  it('puts config errors on the node the index names', () => {
    const issues = mapFieldErrors(
      {
        'graph.nodes[1].data.config.url': ['Enter a valid URL.'],
        'graph.nodes[1].data.config.headers.auth': ['Required.'],
        'graph.nodes[1].data.config': ['Unknown key "x".'],
        'graph.nodes[0].type': ['Unknown block.'],
      },
      sent,
    )
    expect(issues.byNode.fetch.config).toEqual({
      url: ['Enter a valid URL.'],
      'headers.auth': ['Required.'],
      '': ['Unknown key "x".'],
    })
    expect(issues.byNode.hook.node).toEqual(['type: Unknown block.'])
    expect(issueCount(issues.byNode.fetch)).toBe(3)
    expect(issues.general).toEqual([])
  })

  it('also understands node ids in the path', () => {
    const issues = mapFieldErrors({ 'graph.nodes.fetch.data.config.url': ['Bad.'] }, sent)
    expect(issues.byNode.fetch.config.url).toEqual(['Bad.'])
  })

  it('reports edges, unknown nodes and other fields as general problems', () => {
    const issues = mapFieldErrors(
      {
        'graph.edges[0].target': ['Cycle.'],
        'graph.nodes[7].data': ['Gone.'],
        name: ['Too long.'],
        non_field_errors: ['Graph has no trigger.'],
      },
      sent,
    )
    expect(issues.byNode).toEqual({})
    expect(issues.general).toEqual([
      'Connection hook → fetch: target: Cycle.',
      'graph.nodes[7].data: Gone.',
      'name: Too long.',
      'Graph has no trigger.',
    ])
  })
})
