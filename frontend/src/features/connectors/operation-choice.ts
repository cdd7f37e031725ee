// Choosing a connector operation in a config object (a connector node's config, a polling
// trigger's source): plain functions, so the canvas store stays the one place that holds it.

export type Choice = Record<string, unknown>

/** The connector node's config keys its pickers edit; the generic form leaves them out. */
export const OPERATION_KEYS = ['connector', 'operation', 'parameters', 'credential_id']

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** `target` with `patch` applied; `undefined` or '' removes a key. Another connector drops the
 * operation and its arguments (under `argumentsKey`), which belonged to the old one; another
 * operation drops the arguments. */
export function withChoice<T extends Choice>(
  target: T,
  patch: Partial<T>,
  argumentsKey: string,
): T {
  const dropped = new Set<string>()
  if ('connector' in patch && patch.connector !== target.connector)
    dropped.add('operation').add(argumentsKey)
  if ('operation' in patch && patch.operation !== target.operation) dropped.add(argumentsKey)
  const kept = Object.entries({ ...target, ...patch }).filter(
    ([key, value]) => value !== undefined && value !== '' && !(dropped.has(key) && !(key in patch)),
  )
  return Object.fromEntries(kept) as T
}

/** The string at `key` of a config ('' when unset or not a string). */
export const textAt = (config: Choice, key: string): string =>
  typeof config[key] === 'string' ? config[key] : ''

/** The object at `key` of a config ({} when unset or not an object). */
export const objectAt = (config: Choice, key: string): Record<string, unknown> =>
  isObject(config[key]) ? config[key] : {}

/** Field errors under `prefix` ("parameters.owner" -> "owner", "parameters" -> ""). */
export function errorsUnder(
  errors: Record<string, string[]> | undefined,
  prefix: string,
): Record<string, string[]> {
  const found: Record<string, string[]> = {}
  for (const [path, messages] of Object.entries(errors ?? {})) {
    if (path === prefix) found[''] = messages
    else if (path.startsWith(`${prefix}.`)) found[path.slice(prefix.length + 1)] = messages
  }
  return found
}
