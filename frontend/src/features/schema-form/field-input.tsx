// Picks the input for one leaf field: the block's widget hint when it gives one, else what
// the JSON Schema type suggests (schema.ts `fieldKind`).
import { ExpressionField } from '@/features/expressions/expression-field'
import type { ExpressionScope } from '@/features/expressions/scope'
import type { BlockUiHint, JsonSchema } from '@/api/types'
import { ConditionListInput } from './condition-list'
import { CredentialInput } from './credential-input'
import { AnyInput, BooleanInput, EnumInput, JsonInput, NumberInput, TextInput } from './fields'
import type { FieldKind } from './schema'
import { KeyValueInput, StringListInput } from './widgets'

/** Widgets made of several labelled inputs; their frame title is not a <label>. */
export const COMPOSITE_WIDGETS = new Set(['key_value', 'string_list', 'condition_list'])

interface FieldInputProps {
  id: string
  label: string
  kind: FieldKind
  hint?: BlockUiHint
  schema: JsonSchema
  value: unknown
  required: boolean
  invalid: boolean
  scope: ExpressionScope | null
  onChange: (value: unknown) => void
}

export function FieldInput({ kind, hint, label, required, scope, ...common }: FieldInputProps) {
  const props = { ...common, label }
  switch (hint?.widget) {
    case 'key_value':
      return <KeyValueInput {...props} />
    case 'string_list':
      return <StringListInput {...props} />
    case 'condition_list':
      return <ConditionListInput {...props} />
    case 'credential':
      return <CredentialInput {...common} />
    case 'code':
      if (kind === 'json' || kind === 'object') return <JsonInput {...common} />
      if (kind === 'string' || kind === 'text') return <TextInput {...common} multiline />
      return <AnyInput {...common} code />
    case 'textarea':
      if (kind === 'string') kind = 'text'
      break
  }
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
      // In the editor, text fields take expressions: autocomplete, preview, warnings.
      return scope ? (
        <ExpressionField {...common} label={label} scope={scope} multiline={kind === 'text'} />
      ) : (
        <TextInput {...common} multiline={kind === 'text'} />
      )
    case 'any':
      return <AnyInput {...common} />
    default:
      return <JsonInput {...common} />
  }
}
