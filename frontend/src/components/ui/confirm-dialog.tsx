// A modal that asks before something destructive: focus starts on Cancel, Escape closes it,
// Tab stays inside.
import { useEffect, useId, useRef, type ReactNode } from 'react'
import { useModal } from './use-modal'

export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  busy = false,
  disabled = false,
  onConfirm,
  onClose,
}: {
  title: string
  children?: ReactNode
  confirmLabel: string
  busy?: boolean
  disabled?: boolean
  onConfirm: () => void
  onClose: () => void
}) {
  const id = useId()
  const cancel = useRef<HTMLButtonElement>(null)

  const box = useRef<HTMLDivElement>(null)
  useEffect(() => cancel.current?.focus(), [])
  useModal(box, onClose)

  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={box}
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-body`}
      >
        <h2 id={`${id}-title`}>{title}</h2>
        <div id={`${id}-body`} className="dialog__body">
          {children}
        </div>
        <div className="dialog__actions">
          <button ref={cancel} type="button" className="btn btn--ghost" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn--danger"
            disabled={busy || disabled}
            onClick={onConfirm}
          >
            {busy ? 'Working…' : confirmLabel}
          </button>
        </div>
      </div>
    </div>
  )
}
