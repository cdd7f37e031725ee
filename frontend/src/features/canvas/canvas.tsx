import {
  Background,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type DefaultEdgeOptions,
  type IsValidConnection,
  type OnBeforeDelete,
} from '@xyflow/react'
import { useCallback, useMemo, type DragEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useBlocks } from '@/features/blocks/api'
import { edgeClass } from '@/features/executions/edge-class'
import { useRunOverlayStore, type NodeRun } from '@/features/executions/run-store'
import { defaultsFor } from '@/features/schema-form/schema'
import type { CanvasEdge, CanvasNode } from '@/lib/graph'
import { nodeTypes } from './nodes/node-types'
import { useCanvasStore } from './store'

export const BLOCK_DRAG_TYPE = 'application/x-flowplane-block'

const DELETE_KEYS = ['Backspace', 'Delete']
const defaultEdgeOptions: DefaultEdgeOptions = { markerEnd: { type: MarkerType.ArrowClosed } }
const isValidConnection: IsValidConnection = (c) => c.source !== c.target
const onBeforeDelete: OnBeforeDelete<CanvasNode, CanvasEdge> = async () => {
  useCanvasStore.getState().beginDelete()
  return true
}
const onDragOver = (event: DragEvent) => {
  if (event.dataTransfer.types.includes(BLOCK_DRAG_TYPE)) {
    event.preventDefault()
    event.dataTransfer.dropEffect = 'copy'
  }
}

function withEdgeClass(edge: CanvasEdge, ran: Record<string, NodeRun>): CanvasEdge {
  const className = edgeClass(edge, ran)
  return className ? { ...edge, className } : edge
}

export function Canvas({ readOnly = false }: { readOnly?: boolean }) {
  const { nodes, edges, onNodesChange, onEdgesChange, onConnect, addNode } = useCanvasStore(
    useShallow((s) => ({
      nodes: s.nodes,
      edges: s.edges,
      onNodesChange: s.onNodesChange,
      onEdgesChange: s.onEdgesChange,
      onConnect: s.onConnect,
      addNode: s.addNode,
    })),
  )
  const { screenToFlowPosition } = useReactFlow()
  const blocks = useBlocks()
  const find = blocks.data?.find

  const ran = useRunOverlayStore((s) => s.byNode)
  // Error branches are drawn apart so the happy path stays readable; a watched run's path is
  // drawn solid.
  const styledEdges = useMemo(() => edges.map((e) => withEdgeClass(e, ran)), [edges, ran])

  const onDrop = useCallback(
    (event: DragEvent) => {
      const payload = event.dataTransfer.getData(BLOCK_DRAG_TYPE)
      if (!payload || !find) return
      event.preventDefault()
      const { key, version } = JSON.parse(payload) as { key: string; version?: string | number }
      const block = find(key, version)
      if (!block) return
      const position = screenToFlowPosition({ x: event.clientX, y: event.clientY })
      addNode({ key, version: block.version, config: defaultsFor(block.config_schema) }, position)
    },
    [find, screenToFlowPosition, addNode],
  )

  return (
    <div className="canvas" onDrop={onDrop} onDragOver={onDragOver}>
      <ReactFlow<CanvasNode, CanvasEdge>
        nodes={nodes}
        edges={styledEdges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        onBeforeDelete={onBeforeDelete}
        isValidConnection={isValidConnection}
        defaultEdgeOptions={defaultEdgeOptions}
        deleteKeyCode={readOnly ? null : DELETE_KEYS}
        fitView
        fitViewOptions={{ maxZoom: 1 }}
        proOptions={{ hideAttribution: false }}
      >
        <Background gap={16} />
        <Controls />
        <MiniMap pannable zoomable />
      </ReactFlow>
    </div>
  )
}
