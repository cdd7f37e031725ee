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
import { useCallback, useMemo, useRef, useState, type DragEvent, type MouseEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useBlocks } from '@/features/blocks/api'
import { edgeClass } from '@/features/executions/edge-class'
import { useRunOverlayStore, type NodeRun } from '@/features/executions/run-store'
import { defaultsFor } from '@/features/schema-form/schema'
import type { CanvasEdge, CanvasNode } from '@/lib/graph'
import { ContextMenu, type MenuTarget } from './context-menu'
import './editing.css'
import { InsertableEdge } from './insert-on-edge'
import { nodeTypes } from './nodes/node-types'
import { useCanvasStore } from './store'
import { useClipboard } from './use-clipboard'

export const BLOCK_DRAG_TYPE = 'application/x-flowplane-block'

const DELETE_KEYS = ['Backspace', 'Delete']
// Shift-click adds to the selection like Ctrl/Cmd-click; Shift-drag selects a box.
const MULTI_SELECT_KEYS = ['Shift', 'Meta', 'Control']
const edgeTypes = { insertable: InsertableEdge }
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

function styled(edge: CanvasEdge, ran: Record<string, NodeRun>, readOnly: boolean): CanvasEdge {
  const className = edgeClass(edge, ran)
  // An editable canvas draws its edges with a "+" to insert a block (insert-on-edge.tsx).
  return {
    ...edge,
    ...(className ? { className } : {}),
    ...(readOnly ? {} : { type: 'insertable' }),
  }
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
  const element = useRef<HTMLDivElement>(null)
  useClipboard(element, readOnly)
  const [menu, setMenu] = useState<MenuTarget | null>(null)
  const closeMenu = useCallback(() => setMenu(null), [])
  const openMenu = useCallback(
    (event: MouseEvent | globalThis.MouseEvent, nodeId: string | null) => {
      event.preventDefault()
      if (readOnly) return
      // Shift+F10 on a focused node reports no pointer: open the menu on the node itself.
      const box = (event.target as HTMLElement).getBoundingClientRect()
      const keyboard = event.clientX === 0 && event.clientY === 0
      const x = keyboard ? box.left + 16 : event.clientX
      const y = keyboard ? box.top + 16 : event.clientY
      if (nodeId && !useCanvasStore.getState().nodes.find((n) => n.id === nodeId)?.selected) {
        useCanvasStore.getState().select(nodeId)
      }
      setMenu({ x, y, flow: screenToFlowPosition({ x, y }), nodeId })
    },
    [readOnly, screenToFlowPosition],
  )
  const onNodeContextMenu = useCallback(
    (event: MouseEvent, node: CanvasNode) => openMenu(event, node.id),
    [openMenu],
  )
  const onPaneContextMenu = useCallback(
    (event: MouseEvent | globalThis.MouseEvent) => openMenu(event, null),
    [openMenu],
  )
  const blocks = useBlocks()
  const find = blocks.data?.find

  const ran = useRunOverlayStore((s) => s.byNode)
  // Error branches are drawn apart so the happy path stays readable; a watched run's path is
  // drawn solid.
  const styledEdges = useMemo(
    () => edges.map((e) => styled(e, ran, readOnly)),
    [edges, ran, readOnly],
  )

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
    <div className="canvas" ref={element} onDrop={onDrop} onDragOver={onDragOver}>
      <ReactFlow<CanvasNode, CanvasEdge>
        nodes={nodes}
        edges={styledEdges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        onBeforeDelete={onBeforeDelete}
        isValidConnection={isValidConnection}
        defaultEdgeOptions={defaultEdgeOptions}
        deleteKeyCode={readOnly ? null : DELETE_KEYS}
        multiSelectionKeyCode={MULTI_SELECT_KEYS}
        onNodeContextMenu={onNodeContextMenu}
        onPaneContextMenu={onPaneContextMenu}
        onMoveStart={closeMenu}
        fitView
        fitViewOptions={{ maxZoom: 1 }}
        proOptions={{ hideAttribution: false }}
      >
        <Background gap={16} />
        {/* Fit view zooms no closer than 100 %, or a two-node graph fills the screen at 200 %. */}
        <Controls fitViewOptions={{ maxZoom: 1 }} />
        <MiniMap pannable zoomable />
      </ReactFlow>
      {menu && <ContextMenu target={menu} onClose={closeMenu} />}
    </div>
  )
}
