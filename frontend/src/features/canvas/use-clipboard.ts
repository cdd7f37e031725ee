// Ctrl/Cmd+C, X and V on the canvas through the browser's copy/cut/paste events, which can
// write and read the system clipboard without a permission prompt. Form fields and selected
// text keep their own copy and paste. A paste lands at the pointer when it is over the canvas.
import { useReactFlow } from '@xyflow/react'
import { useEffect, useRef, type RefObject } from 'react'
import { isTyping } from './keys'
import { useCanvasStore } from './store'

/** What this tab copied last: the menu's Paste falls back to it when reading is refused. */
let lastCopied: string | null = null

/** Put canvas text on the system clipboard (best effort) and remember it in this tab. */
export async function writeClipboard(text: string): Promise<void> {
  lastCopied = text
  await navigator.clipboard?.writeText(text).catch(() => undefined)
}

/** The system clipboard's text, or this tab's last copy when the browser will not tell. */
export async function readClipboard(): Promise<string | null> {
  const text = await navigator.clipboard?.readText().catch(() => null)
  return text || lastCopied
}

const ownsClipboard = (event: ClipboardEvent) =>
  isTyping(event.target) || (window.getSelection()?.toString() ?? '') !== ''

export function useClipboard(canvas: RefObject<HTMLElement | null>, readOnly: boolean) {
  const { screenToFlowPosition } = useReactFlow()
  const pointer = useRef<{ x: number; y: number } | null>(null)

  useEffect(() => {
    const element = canvas.current
    const track = (event: MouseEvent) => {
      pointer.current = { x: event.clientX, y: event.clientY }
    }
    const leave = () => {
      pointer.current = null
    }
    const copy = (event: ClipboardEvent) => {
      if (ownsClipboard(event)) return
      const text = useCanvasStore.getState().copySelection()
      if (text === null) return
      event.preventDefault()
      event.clipboardData?.setData('text/plain', text)
      lastCopied = text
      if (event.type === 'cut' && !readOnly) {
        const store = useCanvasStore.getState()
        store.removeNodes(store.nodes.filter((node) => node.selected).map((node) => node.id))
      }
    }
    const paste = (event: ClipboardEvent) => {
      if (readOnly || isTyping(event.target)) return
      const text = event.clipboardData?.getData('text/plain') || lastCopied
      const at = pointer.current ? screenToFlowPosition(pointer.current) : null
      if (text && useCanvasStore.getState().paste(text, at)) event.preventDefault()
    }
    element?.addEventListener('mousemove', track)
    element?.addEventListener('mouseleave', leave)
    document.addEventListener('copy', copy)
    document.addEventListener('cut', copy)
    document.addEventListener('paste', paste)
    return () => {
      element?.removeEventListener('mousemove', track)
      element?.removeEventListener('mouseleave', leave)
      document.removeEventListener('copy', copy)
      document.removeEventListener('cut', copy)
      document.removeEventListener('paste', paste)
    }
  }, [canvas, readOnly, screenToFlowPosition])
}
