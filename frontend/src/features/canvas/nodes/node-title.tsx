// A node's title, renamed in place: double-click it (or F2, or "Rename" in the context menu)
// to edit; Enter or leaving the field keeps the name, Escape cancels, empty restores the
// block's own title.
import { useCanvasStore } from '../store'

/** Keyboard users land back on the node they renamed. */
const focusNode = (id: string) =>
  document.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(id)}"]`)?.focus()

/** `title` is what shows (the label, else `blockTitle`); naming it `blockTitle` clears the label. */
export function NodeTitle({
  id,
  title,
  blockTitle,
}: {
  id: string
  title: string
  blockTitle: string
}) {
  const renaming = useCanvasStore((s) => s.renamingId === id)
  const startRename = useCanvasStore((s) => s.startRename)
  const rename = useCanvasStore((s) => s.renameNode)
  const renameNode = (value: string) => rename(id, value.trim() === blockTitle ? '' : value)

  if (!renaming) {
    return (
      <span
        className="block-node__title"
        title="Double-click to rename"
        onDoubleClick={(event) => {
          event.stopPropagation()
          startRename(id)
        }}
      >
        {title}
      </span>
    )
  }
  return (
    <input
      className="block-node__rename nodrag"
      aria-label={`Name of node ${id}`}
      defaultValue={title}
      autoFocus
      onFocus={(event) => event.target.select()}
      onKeyDown={(event) => {
        event.stopPropagation() // Delete/Backspace edit the text, not the canvas
        if (event.key === 'Enter') renameNode(event.currentTarget.value)
        else if (event.key === 'Escape') startRename(null)
        else return
        focusNode(id)
      }}
      onBlur={(event) => {
        if (useCanvasStore.getState().renamingId === id) renameNode(event.target.value)
      }}
    />
  )
}
