// The run dialog's input: JSON text that must be an object (the run's `trigger` data).
// Errors are reported with where they are, never dropped: an invalid input does not run.

export type ParsedInput =
  { ok: true; value: Record<string, unknown> } | { ok: false; error: string }

/** The 1-based line and column of a character offset, for error messages. */
function where(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n')
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`
}

export function parseRunInput(text: string): ParsedInput {
  if (text.trim() === '') return { ok: true, value: {} }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const offset = /position (\d+)/.exec(message)
    const at = offset ? ` (${where(text, Number(offset[1]))})` : ''
    return { ok: false, error: `Not valid JSON${at}: ${message}` }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, error: 'The input must be a JSON object, like {"name": "Ada"}.' }
  }
  return { ok: true, value: value as Record<string, unknown> }
}
