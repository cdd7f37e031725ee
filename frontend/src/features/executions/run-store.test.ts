import { describe, expect, it } from 'vitest'
import type { ExecutionStep } from '@/api/types'
import { step } from '@/test/fixtures'
import { nodeSteps, summarise, useRunOverlayStore } from './run-store'

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds)).toISOString()

describe('summarise', () => {
  it('is undefined for a node that has not run', () => {
    expect(summarise([])).toBeUndefined()
  })

  it('gives one step’s status, duration and a single item', () => {
    expect(
      summarise([step({ started_at: at(1), finished_at: at(3), output: { text: 'hi' } })]),
    ).toEqual({ status: 'succeeded', durationMs: 2000, items: 1, attempts: 1 })
  })

  it('counts an array output’s items and shows retries', () => {
    const summary = summarise([step({ output: [1, 2, 3], attempts: 3 })])
    expect(summary).toMatchObject({ items: 3, attempts: 3 })
  })

  it('folds loop iterations: a failure outranks successes, work in progress both', () => {
    const items: ExecutionStep[] = [
      step({ id: 1, key: 'body[0]', item_key: '[0]', started_at: at(0), finished_at: at(1) }),
      step({ id: 2, key: 'body[1]', item_key: '[1]', status: 'failed', finished_at: at(5) }),
    ]
    expect(summarise(items)).toEqual({ status: 'failed', durationMs: 5000, items: 2, attempts: 1 })
    const running = step({ id: 3, key: 'body[2]', item_key: '[2]', status: 'running' })
    expect(summarise([...items, running])?.status).toBe('running')
  })

  it('has no duration while nothing finished', () => {
    expect(summarise([step({ status: 'running', finished_at: null })])?.durationMs).toBeNull()
  })
})

describe('useRunOverlayStore', () => {
  it('folds step reports into per-node summaries, newest report winning', () => {
    const store = useRunOverlayStore.getState()
    store.watch('ex1')
    store.applyStep(step({ node_id: 'greet', key: 'greet', status: 'running', finished_at: null }))
    expect(useRunOverlayStore.getState().byNode.greet.status).toBe('running')
    store.applyStep(step({ node_id: 'greet', key: 'greet', status: 'succeeded' }))
    store.applyStatus('succeeded')
    const state = useRunOverlayStore.getState()
    expect(state.byNode.greet.status).toBe('succeeded')
    expect(state.status).toBe('succeeded')
    expect(nodeSteps(state.steps, 'greet')).toHaveLength(1)
  })

  it('forgets the last run when another is watched, not when the same one is', () => {
    const store = useRunOverlayStore.getState()
    store.watch('ex1')
    store.applyStep(step())
    store.watch('ex1')
    expect(Object.keys(useRunOverlayStore.getState().byNode)).toEqual(['start'])
    store.watch('ex2')
    expect(useRunOverlayStore.getState()).toMatchObject({ executionId: 'ex2', byNode: {} })
  })
})
