import { act, renderHook } from '@testing-library/react'
import type { ReactNode } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { Providers } from '@/app/providers'
import { createQueryClient } from '@/app/query-client'
import { json, mockFetch } from '@/test/fetch'
import { execution, executionDetail, step } from '@/test/fixtures'
import { useRunOverlayStore } from './run-store'
import { useLiveExecution } from './use-live-execution'

/** Just enough of EventSource to play the server's events into the hook. */
class FakeEventSource {
  static CLOSED = 2
  static last: FakeEventSource
  readyState = 1
  onerror: (() => void) | null = null
  private listeners: Record<string, ((event: MessageEvent) => void)[]> = {}
  constructor(readonly url: string) {
    FakeEventSource.last = this
  }
  addEventListener(name: string, listener: (event: MessageEvent) => void) {
    ;(this.listeners[name] ??= []).push(listener)
  }
  emit(name: string, data: unknown) {
    const event = new MessageEvent(name, { data: JSON.stringify(data) })
    this.listeners[name]?.forEach((listener) => listener(event))
  }
  fail() {
    this.readyState = FakeEventSource.CLOSED
    this.onerror?.()
  }
  close() {
    this.readyState = FakeEventSource.CLOSED
  }
}

function wrapper({ children }: { children: ReactNode }) {
  return <Providers client={createQueryClient()}>{children}</Providers>
}

describe('useLiveExecution', () => {
  it('folds streamed steps and status into the overlay and stops at the end', () => {
    vi.stubGlobal('EventSource', FakeEventSource)
    const fetch = mockFetch(() => undefined)
    renderHook(() => useLiveExecution('ex1'), { wrapper })
    const source = FakeEventSource.last
    expect(source.url).toBe('/api/v1/executions/ex1/stream/')
    act(() => {
      source.emit('step', step({ status: 'running', finished_at: null }))
      source.emit('status', execution({ status: 'running' }))
    })
    expect(useRunOverlayStore.getState()).toMatchObject({
      status: 'running',
      transport: 'stream',
      byNode: { start: { status: 'running' } },
    })
    act(() => {
      source.emit('step', step())
      source.emit('status', execution())
      source.emit('end', { status: 'succeeded' })
    })
    expect(useRunOverlayStore.getState().byNode.start.status).toBe('succeeded')
    expect(source.readyState).toBe(FakeEventSource.CLOSED)
    expect(fetch).not.toHaveBeenCalled() // nothing polled while the stream worked
  })

  it('falls back to polling when the stream fails', async () => {
    vi.stubGlobal('EventSource', FakeEventSource)
    mockFetch((url) => {
      if (url.pathname === '/api/v1/executions/ex1/') return json(executionDetail())
      if (url.pathname === '/api/v1/executions/ex1/steps/')
        return json({ count: 1, next: null, previous: null, results: [step()] })
      return undefined
    })
    renderHook(() => useLiveExecution('ex1'), { wrapper })
    act(() => FakeEventSource.last.fail())
    await vi.waitFor(() => expect(useRunOverlayStore.getState().status).toBe('succeeded'))
    expect(useRunOverlayStore.getState()).toMatchObject({
      transport: 'polling',
      byNode: { start: { status: 'succeeded' } },
    })
  })
})
