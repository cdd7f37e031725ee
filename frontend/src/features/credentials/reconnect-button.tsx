// The OAuth credential's sign-in button: opens the consent popup, and while the page waits
// for it, offers to stop waiting.
import { RefreshCw, X } from 'lucide-react'
import type { Reconnect } from './use-reconnect'

export function ReconnectButton({
  reconnect,
  name,
  label,
  primary,
}: {
  reconnect: Reconnect
  name: string
  label: string
  primary: boolean
}) {
  if (reconnect.isPending) {
    return (
      <button
        type="button"
        className="btn btn--small"
        aria-label={`Stop waiting for the sign-in of ${name}`}
        onClick={reconnect.stop}
      >
        <X size={14} aria-hidden="true" />
        Waiting for sign-in… Stop
      </button>
    )
  }
  return (
    <button
      type="button"
      className={`btn btn--small${primary ? ' btn--primary' : ''}`}
      aria-label={`${label} ${name}`}
      onClick={reconnect.start}
    >
      <RefreshCw size={14} aria-hidden="true" />
      {label}
    </button>
  )
}
