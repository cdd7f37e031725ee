// The small, generic reading of JSON Schema that drives block config forms.
import type { JsonSchema, JsonSchemaType } from '@/api/types'

/** `json`: arrays and free-form objects; `any`: untyped values (text, JSON or an expression). */
export type FieldKind =
  'enum' | 'string' | 'text' | 'number' | 'integer' | 'boolean' | 'object' | 'json' | 'any'

const MULTILINE_FORMATS = new Set(['textarea', 'multiline', 'template', 'code'])

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The schema's main type: the first non-null one, else inferred from its keywords. */
export function schemaType(schema: JsonSchema): JsonSchemaType | undefined {
  const declared = Array.isArray(schema.type)
    ? schema.type.filter((t) => t !== 'null')
    : [schema.type]
  if (declared.length === 1 && declared[0]) return declared[0]
  if (declared.length > 1) return undefined // a union: any value
  if (schema.properties) return 'object'
  if (schema.items) return 'array'
  return undefined
}

export function fieldKind(schema: JsonSchema): FieldKind {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return 'enum'
  const type = schemaType(schema)
  switch (type) {
    case 'string':
      return MULTILINE_FORMATS.has(schema.format ?? '') ? 'text' : 'string'
    case 'number':
    case 'integer':
    case 'boolean':
      return type
    case 'object':
      return schema.properties && Object.keys(schema.properties).length > 0 ? 'object' : 'json'
    case 'array':
      return 'json'
    default:
      return 'any'
  }
}

/** The block's placeholder hint (set from its `ui` hints), else the default value. */
export function placeholderOf(schema: JsonSchema): string | undefined {
  const hinted = schema['x-placeholder']
  if (typeof hinted === 'string' && hinted) return hinted
  return schema.default === undefined ? undefined : `Default: ${JSON.stringify(schema.default)}`
}

export function humanize(key: string): string {
  const words = key
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** An expression (`{{ vars.timeout }}`) is allowed wherever a value is. */
export function isExpression(value: string): boolean {
  return /\{\{[\s\S]*\}\}/.test(value)
}

/** A new node's config: every declared default, nested objects included. */
export function defaultsFor(schema: JsonSchema | undefined): Record<string, unknown> {
  const config: Record<string, unknown> = {}
  for (const [key, property] of Object.entries(schema?.properties ?? {})) {
    if (property.default !== undefined) config[key] = structuredClone(property.default)
    else if (fieldKind(property) === 'object') {
      const nested = defaultsFor(property)
      if (Object.keys(nested).length > 0) config[key] = nested
    }
  }
  return config
}

export function joinPath(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key
}

/** Errors for `path` itself; with `deep`, also for anything inside it (array items, keys). */
export function errorsAt(
  errors: Record<string, string[]> | undefined,
  path: string,
  deep = false,
): string[] {
  if (!errors) return []
  const found: string[] = []
  for (const [key, messages] of Object.entries(errors)) {
    const inside = deep && (key.startsWith(`${path}.`) || key.startsWith(`${path}[`))
    if (key === path) found.push(...messages)
    else if (inside)
      found.push(...messages.map((m) => `${key.slice(path.length).replace(/^\./, '')}: ${m}`))
  }
  return found
}
