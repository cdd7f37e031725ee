// "+" in the middle of every edge of an editable canvas: pick a block and it goes between the
// two nodes, wired in (store-edits.ts insertOnEdge). Triggers are not offered: nothing can
// flow into them.
import {
  BaseEdge,
  EdgeLabelRenderer,
  getBezierPath,
  useReactFlow,
  type EdgeProps,
} from '@xyflow/react'
import { Plus } from 'lucide-react'
import { useMemo, useState, type KeyboardEvent } from 'react'
import type { BlockSpec } from '@/api/types'
import { useBlocks } from '@/features/blocks/api'
import { BlockIcon } from '@/features/blocks/block-icon'
import { blockMatches } from '@/features/blocks/search'
import { defaultsFor } from '@/features/schema-form/schema'
import type { CanvasEdge } from '@/lib/graph'
import { nodePorts } from '@/lib/ports'
import { useCanvasStore } from './store'

const SHOWN = 8

function insertable(blocks: BlockSpec[], query: string): BlockSpec[] {
  return blocks
    .filter((b) => !b.deprecated && b.inputs.length > 0 && blockMatches(b, query))
    .slice(0, SHOWN)
}

function BlockChooser({ edge, onDone }: { edge: CanvasEdge; onDone: () => void }) {
  const blocks = useBlocks()
  const [query, setQuery] = useState('')
  const insertOnEdge = useCanvasStore((s) => s.insertOnEdge)
  const { setCenter, getZoom } = useReactFlow()
  const all = useMemo(
    () => blocks.data?.catalog.categories.flatMap((c) => c.blocks) ?? [],
    [blocks.data],
  )
  const shown = insertable(all, query)

  const pick = (block: BlockSpec) => {
    const config = defaultsFor(block.config_schema)
    const ports = nodePorts(block, config)
    const id = insertOnEdge(
      edge.id,
      { key: block.key, version: block.version, config },
      { input: ports.inputs[0]?.id ?? null, output: ports.outputs[0]?.id ?? null },
    )
    const added = useCanvasStore.getState().nodes.find((n) => n.id === id)
    if (added && !added.parentId) {
      void setCenter(added.position.x + 100, added.position.y + 40, { zoom: getZoom() })
    }
    onDone()
  }
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') onDone()
    if (event.key === 'Enter' && shown[0]) {
      event.preventDefault()
      pick(shown[0])
    }
  }

  return (
    <div className="edge-insert__menu" role="dialog" aria-label="Insert a block">
      <input
        type="search"
        autoFocus
        aria-label="Find a block to insert"
        placeholder="Find a block"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <ul>
        {shown.map((block) => (
          <li key={`${block.key}@${block.version}`}>
            <button type="button" onClick={() => pick(block)} onKeyDown={onKeyDown}>
              <BlockIcon icon={block.icon} title={block.title} category={block.category} />
              {block.title}
            </button>
          </li>
        ))}
        {blocks.isSuccess && shown.length === 0 && <li className="muted">No block matches.</li>}
      </ul>
    </div>
  )
}

export function InsertableEdge(props: EdgeProps<CanvasEdge>) {
  const [path, labelX, labelY] = getBezierPath(props)
  const [open, setOpen] = useState(false)
  const edge = { id: props.id, source: props.source, target: props.target }
  return (
    <>
      <BaseEdge id={props.id} path={path} markerEnd={props.markerEnd} style={props.style} />
      <EdgeLabelRenderer>
        <div
          className={`edge-insert nodrag nopan${open ? ' edge-insert--open' : ''}`}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
        >
          <button
            type="button"
            className="edge-insert__button"
            aria-label={`Insert a block between ${props.source} and ${props.target}`}
            aria-expanded={open}
            title="Insert a block here"
            onClick={() => setOpen((was) => !was)}
          >
            <Plus size={12} aria-hidden />
          </button>
          {open && <BlockChooser edge={edge} onDone={() => setOpen(false)} />}
        </div>
      </EdgeLabelRenderer>
    </>
  )
}
