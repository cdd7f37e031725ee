// A connector node's own settings: the connector and operation pickers, the operation's
// parameters as a form built from its parameter schema, and the credential that signs the
// call. The block's other settings (body, timeout…) stay in the generic form below.
import { useId } from 'react'
import { ErrorMessage, Loading } from '@/components/ui/feedback'
import { FieldFrame } from '@/features/schema-form/fields'
import { SchemaForm } from '@/features/schema-form/schema-form'
import { errorsAt } from '@/features/schema-form/schema'
import type { JsonSchema } from '@/api/types'
import { useConnectorOperation, useCredentialsFor } from './api'
import { ConnectorPicker, OperationPicker } from './connector-picker'
import { CredentialPicker } from './credential-picker'
import { errorsUnder, objectAt, textAt, withChoice, type Choice } from './operation-choice'
import type { ObjectSchema, Operation } from './types'

interface Props {
  /** The workspace of the workflow ('' while unknown). */
  workspace: string
  config: Choice
  /** The node's field errors, keyed by config path. */
  errors?: Record<string, string[]>
  onChange: (config: Choice) => void
}

export function ConnectorOperationSettings({ workspace, config, errors, onChange }: Props) {
  const id = useId()
  const connector = textAt(config, 'connector')
  const operation = textAt(config, 'operation')
  const { bound } = useCredentialsFor(workspace, connector)
  const field = (key: string) => {
    const messages = errorsAt(errors, key)
    return { id: `${id}-${key}`, errors: messages, invalid: messages.length > 0 }
  }
  const at = { connector: field('connector'), operation: field('operation') }
  const credential = field('credential_id')

  const pickConnector = (slug: string) => {
    const next = withChoice(config, { connector: slug }, 'parameters')
    // A credential made for the old connector cannot sign the new one's calls.
    const stale = bound.some((c) => String(c.id) === next.credential_id)
    if (slug !== connector && stale) delete next.credential_id
    onChange(next)
  }

  return (
    <section className="operation-settings" aria-label="Connector operation">
      <FieldFrame id={at.connector.id} label="Connector" required errors={at.connector.errors}>
        <ConnectorPicker
          id={at.connector.id}
          workspace={workspace}
          value={connector}
          invalid={at.connector.invalid}
          onChange={pickConnector}
        />
      </FieldFrame>
      <FieldFrame id={at.operation.id} label="Operation" required errors={at.operation.errors}>
        <OperationPicker
          id={at.operation.id}
          connector={connector}
          value={operation}
          invalid={at.operation.invalid}
          onChange={(key) => onChange(withChoice(config, { operation: key }, 'parameters'))}
        />
      </FieldFrame>
      {connector && operation && (
        <OperationParameters
          connector={connector}
          operation={operation}
          value={objectAt(config, 'parameters')}
          errors={errorsUnder(errors, 'parameters')}
          onChange={(parameters) =>
            onChange(withChoice(config, { parameters: emptyToUndefined(parameters) }, 'parameters'))
          }
        />
      )}
      {workspace && (
        <FieldFrame id={credential.id} label="Credential" errors={credential.errors}>
          <CredentialPicker
            id={credential.id}
            workspace={workspace}
            connector={connector}
            value={textAt(config, 'credential_id')}
            invalid={credential.invalid}
            onChange={(value) =>
              onChange(withChoice(config, { credential_id: value }, 'parameters'))
            }
          />
        </FieldFrame>
      )}
    </section>
  )
}

const emptyToUndefined = (value: Record<string, unknown>) =>
  Object.keys(value).length ? value : undefined

/** Parameter names are the API's own (`per_page`, `X-Request-Id`): shown as they are. */
function formSchema(schema: ObjectSchema): JsonSchema {
  const properties = Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const where = property['x-in'] ? `In the ${property['x-in']}.` : ''
    const description = [property.description, where].filter(Boolean).join(' ')
    return [name, { ...property, title: name, description }]
  })
  return { ...schema, type: 'object', properties: Object.fromEntries(properties) } as JsonSchema
}

function OperationParameters({
  connector,
  operation,
  value,
  errors,
  onChange,
}: {
  connector: string
  operation: string
  value: Record<string, unknown>
  errors: Record<string, string[]>
  onChange: (value: Record<string, unknown>) => void
}) {
  const found = useConnectorOperation(connector, operation)
  if (found.isPending) return <Loading label="Loading the operation…" />
  if (found.isError)
    return <ErrorMessage error={found.error} onRetry={() => void found.refetch()} />
  const schema = found.data.parameters_schema ?? {}
  const none = Object.keys(schema.properties ?? {}).length === 0
  return (
    <>
      <OperationSummary operation={found.data} />
      <fieldset className="field-group">
        <legend>Parameters</legend>
        {none && !errors[''] ? (
          <p className="field__help">This operation takes no parameters.</p>
        ) : (
          <SchemaForm
            schema={formSchema(schema)}
            value={value}
            errors={errors}
            onChange={onChange}
          />
        )}
      </fieldset>
    </>
  )
}

function OperationSummary({ operation }: { operation: Operation }) {
  return (
    <div className="operation-settings__summary">
      <span className={`method method--${operation.method.toLowerCase()}`}>{operation.method}</span>
      <code>{operation.path}</code>
      {operation.description && operation.description !== operation.name && (
        <p>{operation.description}</p>
      )}
    </div>
  )
}
