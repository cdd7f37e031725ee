// Reading a block's form hints (`ui` in its manifest): which fields show, in what groups,
// with which widget. Hints refine the JSON Schema reading in schema.ts; they never replace
// validation, so a field the hints hide keeps its value.
import type { BlockUiHint, BlockWidget, JsonSchema } from '@/api/types'

export type UiHints = Record<string, BlockUiHint>

export interface FieldGroup {
  /** '' for the ungrouped fields, shown first. */
  title: string
  keys: string[]
}

/** `show_when: {body_type: ["json", "raw"]}`: a list means any of; a scalar must match. */
export function isShown(hint: BlockUiHint | undefined, config: Record<string, unknown>): boolean {
  if (!hint) return true
  if (hint.hidden) return false
  return Object.entries(hint.show_when ?? {}).every(([field, wanted]) => {
    const actual = config[field]
    const matches = (one: unknown) =>
      Array.isArray(actual) ? actual.includes(one) : JSON.stringify(actual) === JSON.stringify(one)
    return Array.isArray(wanted) ? wanted.some(matches) : matches(wanted)
  })
}

/**
 * The visible fields, grouped in the order they are declared. `config` is the value with the
 * schema's defaults applied, so `show_when` reads what the block will see.
 */
export function visibleGroups(
  schema: JsonSchema,
  hints: UiHints | undefined,
  config: Record<string, unknown>,
): FieldGroup[] {
  const groups: FieldGroup[] = [{ title: '', keys: [] }]
  for (const key of Object.keys(schema.properties ?? {})) {
    const hint = hints?.[key]
    if (!isShown(hint, config)) continue
    const title = hint?.group ?? ''
    let group = groups.find((g) => g.title === title)
    if (!group) groups.push((group = { title, keys: [] }))
    group.keys.push(key)
  }
  return groups.filter((g) => g.keys.length > 0)
}

/** The fields edited on the node card, in schema order. */
export function inlineFields(schema: JsonSchema | undefined, hints: UiHints | undefined): string[] {
  return Object.keys(schema?.properties ?? {}).filter((key) => hints?.[key]?.inline)
}

export function withDefaults(
  schema: JsonSchema,
  config: Record<string, unknown>,
): Record<string, unknown> {
  const filled = { ...config }
  for (const [key, property] of Object.entries(schema.properties ?? {}))
    if (filled[key] === undefined && property.default !== undefined) filled[key] = property.default
  return filled
}

export type { BlockWidget }
