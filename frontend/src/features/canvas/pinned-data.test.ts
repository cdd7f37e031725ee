import { beforeEach, describe, expect, it } from 'vitest'
import { step } from '@/test/fixtures'
import { loadPinned, MAX_PINNED_CHARS, parsePinned, pinnedFromRun, savePinned } from './pinned-data'

describe('pinned data', () => {
  beforeEach(() => localStorage.clear())

  it('is kept per workflow and node, and forgotten when emptied', () => {
    savePinned('wf1', 'fetch', '{"nodes": {}}')
    expect(loadPinned('wf1', 'fetch')).toBe('{"nodes": {}}')
    expect(loadPinned('wf1', 'other')).toBe('')
    expect(loadPinned('wf2', 'fetch')).toBe('')
    savePinned('wf1', 'fetch', '  ')
    expect(localStorage.length).toBe(0)
  })

  it('parses an object, and says why anything else is refused', () => {
    expect(parsePinned('')).toEqual({ ok: true, value: {} })
    expect(parsePinned('{"trigger": {"a": 1}}')).toEqual({ ok: true, value: { trigger: { a: 1 } } })
    const broken = parsePinned('{"trigger": ')
    expect(broken.ok).toBe(false)
    expect(!broken.ok && broken.error).toMatch(/^Invalid JSON/)
    expect(parsePinned('[1]')).toEqual({ ok: false, error: expect.stringMatching(/JSON object/) })
    expect(parsePinned('null').ok).toBe(false)
    const huge = `{"a": "${'x'.repeat(MAX_PINNED_CHARS)}"}`
    expect(parsePinned(huge)).toEqual({ ok: false, error: expect.stringMatching(/Too large/) })
  })

  it('takes the other nodes’ succeeded outputs from the watched run', () => {
    const steps = {
      hook: step({ key: 'hook', node_id: 'hook', output: { body: { n: 1 } } }),
      fetch: step({ key: 'fetch', node_id: 'fetch', status: 'failed', output: null }),
      bad: step({ key: 'bad', node_id: 'bad', status: 'failed', output: { x: 1 } }),
      'each[0]': step({ key: 'each[0]', node_id: 'each', item_key: '[0]', output: 1 }),
    }
    expect(JSON.parse(pinnedFromRun(steps, 'fetch'))).toEqual({
      nodes: { hook: { body: { n: 1 } } },
    })
    expect(pinnedFromRun({}, 'fetch')).toBe('')
  })
})
