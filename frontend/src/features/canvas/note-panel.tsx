// The side panel of a selected sticky note: its text, and delete.
import { X } from 'lucide-react'
import { useId } from 'react'
import type { CanvasNode } from '@/lib/graph'
import { useCanvasStore } from './store'

export function NotePanel({ node, readOnly }: { node: CanvasNode; readOnly: boolean }) {
  const id = useId()
  const setNoteText = useCanvasStore((s) => s.setNoteText)
  const removeNodes = useCanvasStore((s) => s.removeNodes)
  const select = useCanvasStore((s) => s.select)

  return (
    <aside className="config-panel" aria-label="Note">
      <header className="config-panel__header">
        <div>
          <h2>Note</h2>
          <code className="config-panel__id">{node.id} · never runs</code>
        </div>
        <button
          type="button"
          className="btn btn--ghost btn--small"
          aria-label="Close"
          onClick={() => select(null)}
        >
          <X size={16} aria-hidden="true" />
        </button>
      </header>
      <div className="field config-panel__form">
        <label className="field__label" htmlFor={id}>
          Text
        </label>
        <textarea
          id={id}
          className="note-panel__text"
          rows={8}
          maxLength={10000}
          readOnly={readOnly}
          value={typeof node.data.text === 'string' ? node.data.text : ''}
          onChange={(event) => setNoteText(node.id, event.target.value)}
        />
      </div>
      {!readOnly && (
        <div className="config-panel__footer">
          <button type="button" className="btn btn--danger" onClick={() => removeNodes([node.id])}>
            Delete note
          </button>
        </div>
      )}
    </aside>
  )
}
