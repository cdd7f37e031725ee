// The keyboard shortcuts of the canvas, opened with `?` or the toolbar's keyboard button.
import { useEffect, useId, useRef } from 'react'
import { useModal } from '@/components/ui/use-modal'
import { SHORTCUTS } from './shortcuts'

export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  const id = useId()
  const box = useRef<HTMLDivElement>(null)
  const close = useRef<HTMLButtonElement>(null)
  useEffect(() => close.current?.focus(), [])
  useModal(box, onClose)

  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div ref={box} className="dialog" role="dialog" aria-modal="true" aria-labelledby={id}>
        <h2 id={id}>Keyboard shortcuts</h2>
        <dl className="shortcut-list">
          {SHORTCUTS.map(([keys, action]) => (
            <div key={keys} style={{ display: 'contents' }}>
              <dt>{keys}</dt>
              <dd>{action}</dd>
            </div>
          ))}
        </dl>
        <div className="dialog__actions">
          <button ref={close} type="button" className="btn" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </div>
  )
}
