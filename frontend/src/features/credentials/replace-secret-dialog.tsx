import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { ApiError } from '@/api/client'
import type { Credential } from '@/api/types'
import { Banner } from '@/components/ui/feedback'
import { useModal } from '@/components/ui/use-modal'
import { useReplaceSecret } from './api'
import { writableSecretFields } from './status'

const LABELS: Record<string, string> = {
  api_key: 'API key',
  token: 'Token',
  password: 'Password',
  client_secret: 'Client secret',
}

/** A write-only form: the stored values are never shown, only replaced. Empty fields are kept. */
export function ReplaceSecretDialog({
  credential,
  onClose,
}: {
  credential: Credential
  onClose: () => void
}) {
  const id = useId()
  const names = writableSecretFields(credential)
  const [values, setValues] = useState<Record<string, string>>({})
  const replace = useReplaceSecret(credential.id)
  const first = useRef<HTMLInputElement>(null)
  const fieldErrors = replace.error instanceof ApiError ? replace.error.fields : {}
  const filled = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== ''))

  const box = useRef<HTMLFormElement>(null)
  useEffect(() => first.current?.focus(), [])
  useModal(box, onClose)

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (Object.keys(filled).length === 0) return
    replace.mutate(filled, {
      onSuccess: () => {
        setValues({})
        onClose()
      },
    })
  }

  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <form
        ref={box}
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        onSubmit={submit}
        autoComplete="off"
      >
        <h2 id={`${id}-title`}>Replace secret of {credential.name}</h2>
        <p className="muted">
          The current value is never shown. Type the new one; fields you leave empty keep their
          value.
        </p>
        {names.map((name, index) => (
          <div className="field" key={name}>
            <label htmlFor={`${id}-${name}`} className="field__label">
              {LABELS[name] ?? name}
            </label>
            <input
              ref={index === 0 ? first : undefined}
              id={`${id}-${name}`}
              type="password"
              autoComplete="new-password"
              spellCheck={false}
              placeholder="••••••••  (unchanged)"
              value={values[name] ?? ''}
              onChange={(event) => setValues((old) => ({ ...old, [name]: event.target.value }))}
            />
            {fieldErrors[`secret.${name}`]?.map((message) => (
              <p key={message} className="field__error">
                {message}
              </p>
            ))}
          </div>
        ))}
        {replace.isError && Object.keys(fieldErrors).length === 0 && (
          <Banner kind="error">{replace.error.message}</Banner>
        )}
        <div className="dialog__actions">
          <button type="button" className="btn btn--ghost" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="btn btn--primary"
            disabled={replace.isPending || Object.keys(filled).length === 0}
          >
            {replace.isPending ? 'Saving…' : 'Save secret'}
          </button>
        </div>
      </form>
    </div>
  )
}
