// The graph a run executed, read only, each node coloured by its steps (the canvas's own
// node component reads the run overlay store). Clicking a node picks it for the step panel.
import { Background, Controls, MarkerType, ReactFlow, type NodeMouseHandler } from '@xyflow/react'
import { useMemo } from 'react'
import type { WorkflowGraph } from '@/api/types'
import { nodeTypes } from '@/features/canvas/nodes/node-types'
import { toCanvas, type CanvasEdge, type CanvasNode } from '@/lib/graph'
import { edgeClass } from './edge-class'
import { useRunOverlayStore } from './run-store'

const defaultEdgeOptions = { markerEnd: { type: MarkerType.ArrowClosed } }

export function RunGraph({
  graph,
  selectedNodeId,
  onSelect,
}: {
  graph: WorkflowGraph
  selectedNodeId: string | null
  onSelect: (nodeId: string | null) => void
}) {
  const byNode = useRunOverlayStore((s) => s.byNode)
  const canvas = useMemo(() => toCanvas(graph), [graph])
  const nodes = useMemo(
    () => canvas.nodes.map((node) => ({ ...node, selected: node.id === selectedNodeId })),
    [canvas, selectedNodeId],
  )
  const edges = useMemo(
    () => canvas.edges.map((edge) => ({ ...edge, className: edgeClass(edge, byNode) })),
    [canvas, byNode],
  )
  const onNodeClick: NodeMouseHandler<CanvasNode> = (_, node) => onSelect(node.id)

  return (
    <div className="canvas run-graph">
      <ReactFlow<CanvasNode, CanvasEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodeClick={onNodeClick}
        onPaneClick={() => onSelect(null)}
        nodesDraggable={false}
        nodesConnectable={false}
        deleteKeyCode={null}
        defaultEdgeOptions={defaultEdgeOptions}
        fitView
        fitViewOptions={{ maxZoom: 1 }}
      >
        <Background gap={16} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  )
}
