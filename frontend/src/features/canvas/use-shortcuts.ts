// Canvas keyboard shortcuts (listed in the shortcuts dialog). Keys typed into a form field or
// the rename box stay there. Delete/Backspace and box selection are React Flow's own; copy,
// cut and paste go through use-clipboard.ts.
import { useEffect, useEffectEvent } from 'react'
import { isNote } from '@/lib/graph'
import { isTyping } from './keys'
import { useCanvasStore } from './store'

interface ShortcutHandlers {
  save: () => void
  openHelp: () => void
}

export function useShortcuts({ save, openHelp }: ShortcutHandlers, readOnly: boolean) {
  const onSave = useEffectEvent(save)
  const onHelp = useEffectEvent(openHelp)
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isTyping(event.target)) {
        // Ctrl/Cmd+S saves from inside a form field too.
        if (!readOnly && (event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
          event.preventDefault()
          if (useCanvasStore.getState().dirty) onSave()
        }
        return
      }
      if (handled(event, readOnly, onSave, onHelp)) event.preventDefault()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [readOnly])
}

function handled(
  event: KeyboardEvent,
  readOnly: boolean,
  save: () => void,
  help: () => void,
): boolean {
  const store = useCanvasStore.getState()
  const key = event.key.toLowerCase()
  if (event.key === '?') {
    help()
    return true
  }
  if (readOnly) return false
  if (event.key === 'F2') {
    // Notes have no title: their text is edited in the side panel.
    const target = store.nodes.find((n) => n.id === store.selectedNodeId && !isNote(n))
    if (target) store.startRename(target.id)
    return target !== undefined
  }
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return false
  if (key === 's') {
    if (store.dirty) save()
  } else if (key === 'z' && !event.shiftKey) store.undo()
  else if ((key === 'z' && event.shiftKey) || key === 'y') store.redo()
  else if (key === 'd') store.duplicate()
  else if (key === 'a') store.selectAll()
  else return false
  return true
}
