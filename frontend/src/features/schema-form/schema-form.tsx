// A generic form for a block's config, driven by its JSON Schema: strings, numbers, booleans
// and enums get inputs, objects with properties nest, everything else is edited as JSON.
import { useId } from 'react'
import type { JsonSchema } from '@/api/types'
import {
  AnyInput,
  BooleanInput,
  EnumInput,
  FieldFrame,
  JsonInput,
  NumberInput,
  TextInput,
} from './fields'
import { errorsAt, fieldKind, humanize, isPlainObject, joinPath } from './schema'

type Errors = Record<string, string[]>

export interface SchemaFormProps {
  schema: JsonSchema
  value: Record<string, unknown>
  onChange: (value: Record<string, unknown>) => void
  /** Server messages keyed by path inside the config ("url", "headers.auth", "" for the whole). */
  errors?: Errors
}

export function SchemaForm({ schema, value, onChange, errors }: SchemaFormProps) {
  const id = useId()
  const noSettings =
    schema.properties && Object.keys(schema.properties).length === 0 && !Object.keys(value).length
  if (noSettings && !errors?.['']) return <p className="field__help">This block has no settings.</p>
  if (fieldKind(schema) !== 'object') {
    // No usable schema (an unknown block): the whole config as one JSON object.
    return (
      <SchemaField
        idPrefix={id}
        name="config"
        path=""
        schema={{
          ...schema,
          type: 'object',
          properties: undefined,
          title: schema.title ?? 'Config',
        }}
        value={value}
        required
        errors={errors}
        onChange={(next) => onChange(isPlainObject(next) ? next : {})}
      />
    )
  }
  const known = Object.keys(schema.properties ?? {})
  const stray = Object.entries(errors ?? {}).filter(
    ([path]) => path === '' || !known.includes(path.split(/[.[]/)[0]),
  )
  return (
    <div className="schema-form">
      {stray.length > 0 && (
        <ul className="schema-form__errors" role="alert">
          {stray.flatMap(([path, messages]) =>
            messages.map((message) => (
              <li key={path + message}>{path ? `${path}: ${message}` : message}</li>
            )),
          )}
        </ul>
      )}
      <ObjectFields
        idPrefix={id}
        path=""
        schema={schema}
        value={value}
        onChange={onChange}
        errors={errors}
      />
    </div>
  )
}

interface ObjectFieldsProps {
  idPrefix: string
  path: string
  schema: JsonSchema
  value: Record<string, unknown>
  onChange: (value: Record<string, unknown>) => void
  errors?: Errors
}

function ObjectFields({ idPrefix, path, schema, value, onChange, errors }: ObjectFieldsProps) {
  const required = new Set(schema.required ?? [])
  const setKey = (key: string, next: unknown) => {
    const rest = Object.fromEntries(Object.entries(value).filter(([k]) => k !== key))
    onChange(next === undefined ? rest : { ...value, [key]: next })
  }
  return (
    <>
      {Object.entries(schema.properties ?? {}).map(([key, property]) => (
        <SchemaField
          key={key}
          idPrefix={idPrefix}
          name={key}
          path={joinPath(path, key)}
          schema={property}
          value={value[key]}
          required={required.has(key)}
          errors={errors}
          onChange={(next) => setKey(key, next)}
        />
      ))}
    </>
  )
}

interface SchemaFieldProps {
  idPrefix: string
  name: string
  path: string
  schema: JsonSchema
  value: unknown
  required: boolean
  errors?: Errors
  onChange: (value: unknown) => void
}

export function SchemaField({
  idPrefix,
  name,
  path,
  schema,
  value,
  required,
  errors,
  onChange,
}: SchemaFieldProps) {
  const kind = fieldKind(schema)
  const id = `${idPrefix}-${path || name}`
  const label = schema.title ?? humanize(name)

  if (kind === 'object') {
    const own = errorsAt(errors, path)
    return (
      <fieldset className="field-group">
        <legend>
          {label}
          {required && <span className="field__required"> *</span>}
        </legend>
        {schema.description && <p className="field__help">{schema.description}</p>}
        {own.map((message) => (
          <p key={message} className="field__error" role="alert">
            {message}
          </p>
        ))}
        <ObjectFields
          idPrefix={idPrefix}
          path={path}
          schema={schema}
          value={isPlainObject(value) ? value : {}}
          errors={errors}
          onChange={onChange}
        />
      </fieldset>
    )
  }

  const fieldErrors = errorsAt(errors, path, kind === 'json')
  const common = { id, schema, value, onChange, invalid: fieldErrors.length > 0 }
  const input = (() => {
    switch (kind) {
      case 'enum':
        return <EnumInput {...common} required={required} />
      case 'boolean':
        return <BooleanInput {...common} />
      case 'number':
      case 'integer':
        return <NumberInput {...common} integer={kind === 'integer'} />
      case 'string':
      case 'text':
        return <TextInput {...common} multiline={kind === 'text'} />
      case 'any':
        return <AnyInput {...common} />
      default:
        return <JsonInput {...common} />
    }
  })()
  return (
    <FieldFrame
      id={id}
      label={label}
      required={required}
      description={schema.description}
      errors={fieldErrors}
      inline={kind === 'boolean'}
    >
      {input}
    </FieldFrame>
  )
}
