// Steps 1 and 2: where the connector is reached, and the settings its auth method needs.
import { Globe } from 'lucide-react'
import { useId } from 'react'
import type { ConnectorDetail } from '@/features/connectors/types'
import { WizardField } from './fields'
import {
  AWS_REGIONS,
  isSecretField,
  parameterFields,
  REGION_PATTERN,
  type AuthMethod,
} from './methods'
import { useWizardStore } from './store'

export function EndpointStep({
  connector,
  method,
}: {
  connector: ConnectorDetail
  method?: AuthMethod
}) {
  const region = useWizardStore((s) => s.region)
  const setRegion = useWizardStore((s) => s.setRegion)
  const id = useId()
  return (
    <div className="wizard-step__body">
      <dl className="facts">
        <dt>Base URL</dt>
        <dd>
          <Globe size={14} aria-hidden="true" />{' '}
          <code>{connector.base_url || 'None: each workflow step gives its own'}</code>
        </dd>
      </dl>
      {method?.needsRegion ? (
        <div className="field">
          <label className="field__label" htmlFor={id}>
            Region
          </label>
          <input
            id={id}
            list={`${id}-regions`}
            value={region}
            placeholder="eu-west-1"
            aria-describedby={`${id}-help`}
            aria-invalid={region !== '' && !REGION_PATTERN.test(region) ? true : undefined}
            onChange={(e) => setRegion(e.target.value.trim())}
          />
          <datalist id={`${id}-regions`}>
            {AWS_REGIONS.map((r) => (
              <option key={r} value={r} />
            ))}
          </datalist>
          <p className="field__help" id={`${id}-help`}>
            Requests are signed for this AWS region.
          </p>
        </div>
      ) : (
        <p className="muted">{connector.name} has one endpoint: nothing to choose.</p>
      )}
    </div>
  )
}

export function ParametersStep({
  methods,
  method,
}: {
  methods: AuthMethod[]
  method?: AuthMethod
}) {
  const values = useWizardStore((s) => s.values)
  const setValue = useWizardStore((s) => s.setValue)
  const chooseMethod = useWizardStore((s) => s.chooseMethod)
  const id = useId()
  return (
    <div className="wizard-step__body">
      {methods.length > 1 ? (
        <div className="field">
          <label className="field__label" htmlFor={id}>
            Authentication method
          </label>
          <select
            id={id}
            value={method?.key ?? ''}
            onChange={(e) => {
              const chosen = methods.find((m) => m.key === e.target.value)
              if (chosen) chooseMethod(chosen.key, chosen.defaults)
            }}
          >
            {methods.map((m) => (
              <option key={m.key} value={m.key}>
                {m.label}
              </option>
            ))}
          </select>
        </div>
      ) : (
        method && (
          <p>
            Authentication: <strong>{method.label}</strong>
          </p>
        )
      )}
      {method && parameterFields(method).length === 0 && (
        <p className="muted">This method needs no settings: the secret comes next.</p>
      )}
      {method &&
        parameterFields(method).map((spec) => (
          <WizardField
            key={`${method.key}:${spec.name}`}
            spec={spec}
            value={values[spec.name] ?? ''}
            secret={isSecretField(method, spec.name)}
            onChange={(value) => setValue(spec.name, value)}
          />
        ))}
    </div>
  )
}
