// Edits of a polling trigger's config made by the source picker: plain functions over the
// node's config object, so the canvas store stays the one place that holds it.
import { withChoice } from '@/features/connectors/operation-choice'

export type Config = Record<string, unknown>

export interface PollSource {
  kind?: 'http' | 'connector'
  connector?: string
  operation?: string
  arguments?: Record<string, unknown>
  credential_id?: string | null
  [key: string]: unknown
}

export interface PathProposal {
  items_path: string | null
  id_path: string | null
  cursor_path: string | null
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

export function sourceOf(config: Config): PollSource {
  return isObject(config.source) ? (config.source as PollSource) : {}
}

/** The config with `patch` applied to its source; `undefined` removes a key. Another
 * connector clears the operation and its arguments, which belonged to the old one. */
export function withSource(config: Config, patch: Partial<PollSource>): Config {
  return { ...config, source: withChoice(sourceOf(config), patch, 'arguments') }
}

/** The config with the proposed paths filled in (paths the server could not propose stay). */
export function withProposal(config: Config, proposal: PathProposal): Config {
  const next = { ...config }
  for (const key of ['items_path', 'id_path', 'cursor_path'] as const) {
    const value = proposal[key]
    if (value) next[key] = value
  }
  return next
}
