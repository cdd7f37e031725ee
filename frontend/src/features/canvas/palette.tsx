import { useReactFlow } from '@xyflow/react'
import { useState, type DragEvent } from 'react'
import type { BlockSpec } from '@/api/types'
import { ErrorMessage, Loading } from '@/components/ui/feedback'
import { useBlocks } from '@/features/blocks/api'
import { BlockIcon } from '@/features/blocks/block-icon'
import { blockMatches } from '@/features/blocks/search'
import { defaultsFor } from '@/features/schema-form/schema'
import { BLOCK_DRAG_TYPE } from './canvas'
import { useCanvasStore } from './store'

export function Palette() {
  const blocks = useBlocks()
  const [query, setQuery] = useState('')
  const addNode = useCanvasStore((s) => s.addNode)
  const { setCenter, getZoom } = useReactFlow()

  const add = (block: BlockSpec) => {
    // Placed right of the selected (or last) node, in a free spot (layout.ts).
    const id = addNode({
      key: block.key,
      version: block.version,
      config: defaultsFor(block.config_schema),
    })
    const added = useCanvasStore.getState().nodes.find((node) => node.id === id)
    if (added) {
      const { x, y } = added.position
      void setCenter(x + 100, y + 40, { zoom: getZoom(), duration: 200 })
    }
  }
  const onDragStart = (event: DragEvent, block: BlockSpec) => {
    event.dataTransfer.setData(
      BLOCK_DRAG_TYPE,
      JSON.stringify({ key: block.key, version: block.version }),
    )
    event.dataTransfer.effectAllowed = 'copy'
  }

  return (
    <aside className="palette" aria-label="Blocks">
      <input
        type="search"
        className="palette__search"
        placeholder="Find a block"
        aria-label="Find a block"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
      />
      {blocks.isPending && <Loading label="Loading blocks…" />}
      {blocks.isError && (
        <ErrorMessage error={blocks.error} onRetry={() => void blocks.refetch()} />
      )}
      {blocks.data?.catalog.categories.map((category) => {
        const visible = category.blocks.filter(
          (block) => !block.deprecated && blockMatches(block, query),
        )
        if (visible.length === 0) return null
        return (
          <details key={category.key} className="palette__category" open>
            <summary>{category.title}</summary>
            <ul>
              {visible.map((block) => (
                <li key={`${block.key}@${block.version}`}>
                  <button
                    type="button"
                    className="palette__block"
                    draggable
                    onDragStart={(event) => onDragStart(event, block)}
                    onClick={() => add(block)}
                    title={block.description || block.title}
                  >
                    <BlockIcon icon={block.icon} title={block.title} category={block.category} />
                    <span>{block.title}</span>
                  </button>
                </li>
              ))}
            </ul>
          </details>
        )
      })}
      <p className="palette__hint">Click a block to add it, or drag it onto the canvas.</p>
    </aside>
  )
}
