// The wizard's form fields: labelled inputs, secrets masked with a reveal toggle.
import { Eye, EyeOff } from 'lucide-react'
import { useId, useState } from 'react'
import type { FieldSpec } from './methods'

interface FieldProps {
  spec: FieldSpec
  value: string
  secret?: boolean
  error?: string
  onChange: (value: string) => void
}

export function WizardField({ spec, value, secret = false, error, onChange }: FieldProps) {
  const id = useId()
  const help = spec.help ? `${id}-help` : undefined
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {spec.label}
        {spec.required && (
          <span className="field__required" aria-hidden="true">
            {' '}
            *
          </span>
        )}
      </label>
      {spec.options ? (
        <select
          id={id}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={help}
        >
          {spec.options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      ) : secret ? (
        <SecretInput
          id={id}
          label={spec.label}
          value={value}
          required={spec.required}
          help={help}
          onChange={onChange}
        />
      ) : (
        <input
          id={id}
          value={value}
          required={spec.required}
          aria-describedby={help}
          aria-invalid={error ? true : undefined}
          autoComplete="off"
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      {spec.help && (
        <p className="field__help" id={help}>
          {spec.help}
        </p>
      )}
      {error && <p className="field__error">{error}</p>}
    </div>
  )
}

function SecretInput(props: {
  id: string
  label: string
  value: string
  required: boolean
  help?: string
  onChange: (value: string) => void
}) {
  const [shown, setShown] = useState(false)
  const Icon = shown ? EyeOff : Eye
  return (
    <div className="secret-input">
      <input
        id={props.id}
        type={shown ? 'text' : 'password'}
        value={props.value}
        required={props.required}
        aria-describedby={props.help}
        autoComplete="new-password"
        spellCheck={false}
        onChange={(e) => props.onChange(e.target.value)}
      />
      <button
        type="button"
        className="btn btn--ghost btn--small"
        aria-label={`${shown ? 'Hide' : 'Show'} ${props.label}`}
        aria-pressed={shown}
        onClick={() => setShown(!shown)}
      >
        <Icon size={16} aria-hidden="true" />
      </button>
    </div>
  )
}
