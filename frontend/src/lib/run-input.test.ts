import { describe, expect, it } from 'vitest'
import { parseRunInput } from './run-input'

describe('parseRunInput', () => {
  it('takes an empty text as an empty input', () => {
    expect(parseRunInput('  ')).toEqual({ ok: true, value: {} })
  })

  it('parses an object', () => {
    expect(parseRunInput('{"name": "Ada", "n": 2}')).toEqual({
      ok: true,
      value: { name: 'Ada', n: 2 },
    })
  })

  it('says where the JSON breaks', () => {
    const parsed = parseRunInput('{\n  "name": "Ada",\n}')
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.error).toMatch(/^Not valid JSON \(line 3, column 1\)/)
  })

  it.each(['[1, 2]', '"text"', '42', 'null'])('refuses %s: not an object', (text) => {
    expect(parseRunInput(text)).toEqual({
      ok: false,
      error: 'The input must be a JSON object, like {"name": "Ada"}.',
    })
  })
})
