// Right-click (or Shift+F10) menu of a node or the empty canvas. Arrow keys move between
// items, Escape or a click elsewhere closes it, focus starts on the first item.
import type { XYPosition } from '@xyflow/react'
import { ClipboardPaste, Copy, CopyPlus, Pencil, StickyNote, Trash2 } from 'lucide-react'
import { useEffect, useRef, type ReactNode } from 'react'
import { isNote } from '@/lib/graph'
import { useCanvasStore } from './store'
import { readClipboard, writeClipboard } from './use-clipboard'

export interface MenuTarget {
  /** Where to draw the menu, in screen coordinates. */
  x: number
  y: number
  /** Where on the canvas it was opened: pasted nodes and new notes go there. */
  flow: XYPosition
  /** The node it was opened on, or null for the canvas. */
  nodeId: string | null
}

function Item(props: { icon: ReactNode; label: string; hint?: string; onSelect: () => void }) {
  return (
    <button type="button" role="menuitem" className="context-menu__item" onClick={props.onSelect}>
      <span aria-hidden="true">{props.icon}</span>
      {props.label}
      {props.hint && <span className="context-menu__hint">{props.hint}</span>}
    </button>
  )
}

export function ContextMenu({ target, onClose }: { target: MenuTarget; onClose: () => void }) {
  const box = useRef<HTMLDivElement>(null)
  const store = useCanvasStore.getState
  const onNote = useCanvasStore((s) =>
    s.nodes.some((node) => node.id === target.nodeId && isNote(node)),
  )

  useEffect(() => {
    box.current?.querySelector<HTMLElement>('[role=menuitem]')?.focus()
    const away = (event: MouseEvent) => {
      if (!box.current?.contains(event.target as Node)) onClose()
    }
    document.addEventListener('mousedown', away)
    return () => document.removeEventListener('mousedown', away)
  }, [onClose])

  const onKeyDown = (event: React.KeyboardEvent) => {
    const items = Array.from(box.current?.querySelectorAll<HTMLElement>('[role=menuitem]') ?? [])
    const at = items.indexOf(document.activeElement as HTMLElement)
    if (event.key === 'Escape' || event.key === 'Tab') onClose()
    else if (event.key === 'ArrowDown') items[(at + 1) % items.length]?.focus()
    else if (event.key === 'ArrowUp') items[(at - 1 + items.length) % items.length]?.focus()
    else return
    event.preventDefault()
    event.stopPropagation()
  }
  const run = (action: () => unknown) => () => {
    void action()
    onClose()
  }
  const copy = () => {
    const text = store().copySelection()
    if (text) void writeClipboard(text)
  }
  const paste = async () => {
    const text = await readClipboard()
    if (text) store().paste(text, target.flow)
  }
  const selected = () =>
    store()
      .nodes.filter((node) => node.selected)
      .map((node) => node.id)

  return (
    <div
      ref={box}
      className="context-menu"
      role="menu"
      aria-label={target.nodeId ? `Node ${target.nodeId}` : 'Canvas'}
      style={{ left: target.x, top: target.y }}
      onKeyDown={onKeyDown}
      onContextMenu={(event) => event.preventDefault()}
    >
      {target.nodeId ? (
        <>
          <Item icon={<Copy size={14} />} label="Copy" hint="Ctrl+C" onSelect={run(copy)} />
          <Item
            icon={<CopyPlus size={14} />}
            label="Duplicate"
            hint="Ctrl+D"
            onSelect={run(() => store().duplicate())}
          />
          {!onNote && (
            <Item
              icon={<Pencil size={14} />}
              label="Rename"
              hint="F2"
              onSelect={run(() => store().startRename(target.nodeId))}
            />
          )}
          <Item
            icon={<Trash2 size={14} />}
            label="Delete"
            hint="Del"
            onSelect={run(() => store().removeNodes(selected()))}
          />
        </>
      ) : (
        <>
          <Item
            icon={<ClipboardPaste size={14} />}
            label="Paste here"
            hint="Ctrl+V"
            onSelect={run(paste)}
          />
          <Item
            icon={<StickyNote size={14} />}
            label="Add note here"
            onSelect={run(() => store().addNote(target.flow))}
          />
        </>
      )}
    </div>
  )
}
