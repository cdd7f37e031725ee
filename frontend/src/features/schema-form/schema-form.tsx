// A generic form for a block's config, driven by its JSON Schema: strings, numbers, booleans
// and enums get inputs, objects with properties nest, everything else is edited as JSON.
import { useId } from 'react'
import { useExpressionScope } from '@/features/expressions/scope'
import type { BlockUiHint, JsonSchema } from '@/api/types'
import { FieldFrame } from './fields'
import { COMPOSITE_WIDGETS, FieldInput } from './field-input'
import { visibleGroups, withDefaults, type UiHints } from './hints'
import { errorsAt, fieldKind, humanize, isPlainObject, joinPath } from './schema'

type Errors = Record<string, string[]>

export interface SchemaFormProps {
  schema: JsonSchema
  value: Record<string, unknown>
  onChange: (value: Record<string, unknown>) => void
  /** Server messages keyed by path inside the config ("url", "headers.auth", "" for the whole). */
  errors?: Errors
  /** The block's form hints (widgets, placeholders, groups, show_when). */
  ui?: UiHints
}

export function SchemaForm({ schema, value, onChange, errors, ui }: SchemaFormProps) {
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
        ui={ui}
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
  ui?: UiHints
}

function ObjectFields({ idPrefix, path, schema, value, onChange, errors, ui }: ObjectFieldsProps) {
  const required = new Set(schema.required ?? [])
  const properties = schema.properties ?? {}
  const setKey = (key: string, next: unknown) => {
    const rest = Object.fromEntries(Object.entries(value).filter(([k]) => k !== key))
    onChange(next === undefined ? rest : { ...value, [key]: next })
  }
  const field = (key: string) => (
    <SchemaField
      key={key}
      idPrefix={idPrefix}
      name={key}
      path={joinPath(path, key)}
      schema={properties[key]}
      hint={ui?.[key]}
      value={value[key]}
      required={required.has(key)}
      errors={errors}
      onChange={(next) => setKey(key, next)}
    />
  )
  // Hints apply to the top level only; a hidden field keeps its value (and its errors show).
  const groups = visibleGroups(schema, ui, withDefaults(schema, value))
  return (
    <>
      {groups.map((group) =>
        group.title ? (
          <fieldset key={group.title} className="field-group">
            <legend>{group.title}</legend>
            {group.keys.map(field)}
          </fieldset>
        ) : (
          group.keys.map(field)
        ),
      )}
    </>
  )
}

interface SchemaFieldProps {
  idPrefix: string
  name: string
  path: string
  schema: JsonSchema
  hint?: BlockUiHint
  value: unknown
  required: boolean
  errors?: Errors
  onChange: (value: unknown) => void
}

export function SchemaField({
  idPrefix,
  name,
  path,
  schema: declared,
  hint,
  value,
  required,
  errors,
  onChange,
}: SchemaFieldProps) {
  const schema = hint?.placeholder ? { ...declared, 'x-placeholder': hint.placeholder } : declared
  const kind = fieldKind(schema)
  const id = `${idPrefix}-${path || name}`
  const scope = useExpressionScope()
  const label = schema.title ?? humanize(name)

  if (kind === 'object' && !hint?.widget) {
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

  const composite = COMPOSITE_WIDGETS.has(hint?.widget ?? '')
  const fieldErrors = errorsAt(errors, path, kind === 'json' || composite)
  return (
    <FieldFrame
      id={id}
      label={label}
      required={required}
      description={schema.description}
      errors={fieldErrors}
      inline={kind === 'boolean'}
      composite={composite}
    >
      <FieldInput
        id={id}
        label={label}
        kind={kind}
        hint={hint}
        schema={schema}
        value={value}
        required={required}
        invalid={fieldErrors.length > 0}
        scope={scope}
        onChange={onChange}
      />
    </FieldFrame>
  )
}
