// The expression scope of the node being edited: the graph's ids, the nodes that run before
// it with their output fields, and the data previews evaluate on: what the user pinned for
// this node's test ("Test this node") first, else the last run's.
import { useMemo } from 'react'
import { useBlocks } from '@/features/blocks/api'
import type { ExpressionScope } from '@/features/expressions/scope'
import { outputFields } from '@/features/expressions/scope'
import { nodeSteps, useRunOverlayStore } from '@/features/executions/run-store'
import { useWorkflow } from '@/features/workflows/api'
import { upstreamNodeIds } from '@/lib/graph'
import { usePinnedData } from './pinned-data'
import { useCanvasStore } from './store'

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

export function useNodeExpressionScope(nodeId: string, readOnly: boolean): ExpressionScope {
  const nodes = useCanvasStore((s) => s.nodes)
  const edges = useCanvasStore((s) => s.edges)
  const workflowId = useCanvasStore((s) => s.workflowId)
  const steps = useRunOverlayStore((s) => s.steps)
  const blocks = useBlocks()
  const workflow = useWorkflow(workflowId ?? '')
  const workspaceId = workflow.data ? String(workflow.data.workspace) : null
  // A run's page shows that run's data, not what is pinned for editing.
  const pinned = usePinnedData(readOnly ? null : workflowId, nodeId)
  return useMemo(() => {
    // Pinned as the test endpoint takes it: {"trigger": …, "nodes": {id: output}, "vars": …}.
    const pinnedNodes = isObject(pinned?.nodes) ? pinned.nodes : {}
    const outputOf = (id: string) => {
      if (id in pinnedNodes) return pinnedNodes[id]
      const last = nodeSteps(steps, id).at(-1)
      return last?.status === 'succeeded' ? last.output : undefined
    }
    const upstream = upstreamNodeIds(nodeId, nodes, edges)
    const spec = (id: string) => {
      const node = nodes.find((n) => n.id === id)
      return node && blocks.data?.find(node.data.blockType, node.data.version)
    }
    const trigger = nodes.find((n) => !n.parentId && spec(n.id)?.category === 'trigger')
    const triggerOutput =
      pinned && 'trigger' in pinned ? pinned.trigger : trigger ? outputOf(trigger.id) : undefined
    const before = nodes.filter((n) => upstream.has(n.id))
    return {
      nodeId,
      workspaceId,
      readOnly,
      known: new Set(nodes.map((n) => n.id)),
      upstream,
      triggerFields: outputFields(undefined, triggerOutput),
      nodes: before.map((n) => ({
        id: n.id,
        title: spec(n.id)?.title ?? n.data.blockType,
        fields: outputFields(spec(n.id)?.output_fields, outputOf(n.id)),
      })),
      data: {
        trigger: triggerOutput ?? null,
        nodes: Object.fromEntries(
          before.flatMap((n) => {
            const output = outputOf(n.id)
            return output === undefined ? [] : [[n.id, { output }]]
          }),
        ),
        vars: isObject(pinned?.vars) ? pinned.vars : {},
      },
    }
  }, [nodeId, nodes, edges, steps, blocks.data, workspaceId, readOnly, pinned])
}
