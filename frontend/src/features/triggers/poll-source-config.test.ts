import { describe, expect, it } from 'vitest'
import { sourceOf, withProposal, withSource } from './poll-source-config'

describe('poll source config', () => {
  const config = {
    interval_s: 60,
    source: {
      kind: 'connector',
      connector: 'github',
      operation: 'issues.list',
      arguments: { state: 'open' },
      credential_id: 'c1',
    },
  }

  it('keeps the rest of the config and the source when one field changes', () => {
    const next = withSource(config, { credential_id: 'c2' })
    expect(next.interval_s).toBe(60)
    expect(sourceOf(next)).toEqual({ ...config.source, credential_id: 'c2' })
    expect(sourceOf(config).credential_id).toBe('c1') // not mutated
  })

  it('drops the operation and arguments of another connector', () => {
    expect(sourceOf(withSource(config, { connector: 'gitlab' }))).toEqual({
      kind: 'connector',
      connector: 'gitlab',
      credential_id: 'c1',
    })
    expect(sourceOf(withSource(config, { operation: 'pulls.list' })).arguments).toBeUndefined()
  })

  it('removes cleared fields and starts a source when there is none', () => {
    expect(sourceOf(withSource(config, { credential_id: undefined }))).not.toHaveProperty(
      'credential_id',
    )
    expect(withSource({}, { kind: 'connector' })).toEqual({ source: { kind: 'connector' } })
  })

  it('fills the proposed paths and leaves the others alone', () => {
    const next = withProposal(
      { ...config, cursor_path: 'modified' },
      { items_path: 'items', id_path: 'id', cursor_path: null },
    )
    expect(next).toMatchObject({ items_path: 'items', id_path: 'id', cursor_path: 'modified' })
  })
})
