import { Check, Copy } from 'lucide-react'
import { useState } from 'react'

/** A read-only value with a copy button that says when it copied. */
export function CopyField({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value)
      setCopied(true)
      setTimeout(() => setCopied(false), 1500)
    } catch {
      setCopied(false)
    }
  }
  return (
    <div className="copy-field">
      <span className="field__label">{label}</span>
      <div className="copy-field__row">
        <input readOnly value={value} aria-label={label} onFocus={(e) => e.target.select()} />
        <button
          type="button"
          className="btn btn--small"
          onClick={() => void copy()}
          aria-label={`Copy ${label.toLowerCase()}`}
          title="Copy"
        >
          {copied ? <Check size={14} aria-hidden="true" /> : <Copy size={14} aria-hidden="true" />}
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  )
}
