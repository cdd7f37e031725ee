// "Listen for test event" on a webhook trigger node: wait for the next call to the draft's
// test URL, then follow the run it started on the canvas. The server lists runs newest first
// and filters by workflow and mode, so "the next run" is the newest test run once it differs
// from the newest one at the moment we started listening (no clock comparison, so no skew).
import { Radio, X } from 'lucide-react'
import { useEffect, useEffectEvent, useState } from 'react'
import type { CursorPage, Execution } from '@/api/types'
import { typedApi, unwrap } from '@/api/typed-client'
import { ErrorMessage } from '@/components/ui/feedback'

const POLL_MS = 1500
/** Listening gives up after this long: a forgotten listener must not poll forever. */
export const LISTEN_FOR_MS = 120_000

async function newestTestRun(workflowId: string, signal?: AbortSignal): Promise<string | null> {
  const page = (await unwrap(
    typedApi.GET('/api/v1/executions/', {
      params: { query: { workflow: workflowId, mode: 'test', page_size: 1 } },
      signal,
    }),
  )) as unknown as CursorPage<Execution>
  return page.results[0]?.id ?? null
}

type Listening = { baseline: string | null } | null

export function ListenTestEvent({
  workflowId,
  onRun,
}: {
  workflowId: string
  onRun: (runId: string) => void
}) {
  const [listening, setListening] = useState<Listening>(null)
  const [failure, setFailure] = useState<unknown>(null)
  const [timedOut, setTimedOut] = useState(false)
  const follow = useEffectEvent(onRun)

  // Poll while listening; the first new test run is followed and listening ends.
  useEffect(() => {
    if (!listening) return
    const abort = new AbortController()
    const check = async () => {
      try {
        const newest = await newestTestRun(workflowId, abort.signal)
        if (newest && newest !== listening.baseline) {
          setListening(null)
          follow(newest)
        }
      } catch (error) {
        if (!abort.signal.aborted) setFailure(error)
      }
    }
    const timer = setInterval(() => void check(), POLL_MS)
    const giveUp = setTimeout(() => {
      setListening(null)
      setTimedOut(true)
    }, LISTEN_FOR_MS)
    return () => {
      abort.abort()
      clearInterval(timer)
      clearTimeout(giveUp)
    }
  }, [listening, workflowId])

  const start = async () => {
    setTimedOut(false)
    setFailure(null)
    try {
      setListening({ baseline: await newestTestRun(workflowId) })
    } catch (error) {
      setFailure(error)
    }
  }

  return (
    <div className="listen-test-event" role="status" aria-live="polite">
      {listening ? (
        <>
          <span>
            <Radio size={14} aria-hidden="true" /> Waiting for a call to the test URL…
          </span>
          <button
            type="button"
            className="btn btn--small btn--ghost"
            onClick={() => setListening(null)}
          >
            <X size={12} aria-hidden="true" />
            Stop listening
          </button>
        </>
      ) : (
        <button type="button" className="btn btn--small" onClick={() => void start()}>
          <Radio size={12} aria-hidden="true" />
          Listen for test event
        </button>
      )}
      {timedOut && <p className="muted">Nothing arrived in 2 minutes; listen again when ready.</p>}
      {failure != null && <ErrorMessage error={failure} />}
    </div>
  )
}
