// Watch a run until it finishes: server-sent events from /stream/ while they work, polling
// the run and its steps when they do not (no EventSource, a proxy that buffers, errors).
import { useQueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'
import type { Execution, ExecutionDetail, ExecutionStep } from '@/api/types'
import { executionKeys, fetchAllSteps, fetchExecution, isFinished } from './api'
import { useRunOverlayStore } from './run-store'

export const POLL_MS = 1500
/** Stream errors in a row (without a message between) before falling back to polling. */
const MAX_STREAM_ERRORS = 3

export function useLiveExecution(executionId: string | null) {
  const client = useQueryClient()

  useEffect(() => {
    if (!executionId) return
    const store = useRunOverlayStore.getState()
    store.watch(executionId)
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    let source: EventSource | null = null

    const onRun = (run: Execution) => {
      store.applyStatus(run.status)
      client.setQueryData<ExecutionDetail>(executionKeys.detail(executionId), (old) =>
        old ? { ...old, ...run } : old,
      )
      if (isFinished(run.status)) {
        void client.invalidateQueries({ queryKey: executionKeys.detail(executionId) })
        void client.invalidateQueries({ queryKey: executionKeys.lists() })
      }
    }

    const poll = async () => {
      if (stopped) return
      store.setTransport('polling')
      try {
        const [run, steps] = await Promise.all([
          fetchExecution(executionId),
          fetchAllSteps(executionId),
        ])
        if (stopped) return
        store.applySteps(steps)
        onRun(run)
        if (!isFinished(run.status)) timer = setTimeout(poll, POLL_MS)
      } catch {
        if (!stopped) timer = setTimeout(poll, POLL_MS * 2)
      }
    }

    if (typeof EventSource === 'undefined') {
      void poll()
    } else {
      let errors = 0
      source = new EventSource(`/api/v1/executions/${executionId}/stream/`)
      store.setTransport('stream')
      const read = <T>(event: Event): T => {
        errors = 0
        return JSON.parse((event as MessageEvent<string>).data) as T
      }
      source.addEventListener('step', (event) => store.applyStep(read<ExecutionStep>(event)))
      source.addEventListener('status', (event) => onRun(read<Execution>(event)))
      source.addEventListener('end', (event) => {
        // The server ends a stream after a while; EventSource reconnects unless it is over.
        if (isFinished(read<{ status: string }>(event).status)) source?.close()
      })
      source.onerror = () => {
        errors += 1
        if (source?.readyState === EventSource.CLOSED || errors >= MAX_STREAM_ERRORS) {
          source?.close()
          void poll()
        }
      }
    }

    return () => {
      stopped = true
      source?.close()
      clearTimeout(timer)
    }
  }, [executionId, client])
}
