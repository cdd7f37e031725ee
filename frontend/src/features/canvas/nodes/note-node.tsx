// A sticky note: text on the canvas for the people reading the workflow. It never runs and
// has no handles (the server refuses edges to notes); its text is edited in the side panel.
import type { NodeProps } from '@xyflow/react'
import { StickyNote } from 'lucide-react'
import { memo } from 'react'
import type { CanvasNode } from '@/lib/graph'

function NoteNodeView({ id, data, selected }: NodeProps<CanvasNode>) {
  const text = typeof data.text === 'string' ? data.text : ''
  return (
    <div
      className={`note-node${selected ? ' note-node--selected' : ''}`}
      data-testid={`node-${id}`}
      aria-label={`Note: ${text || 'empty'}`}
    >
      <StickyNote size={14} aria-hidden="true" className="note-node__icon" />
      <p className="note-node__text">{text || <em>Empty note: select it to write.</em>}</p>
    </div>
  )
}

export const NoteNode = memo(NoteNodeView)
NoteNode.displayName = 'NoteNode'
