// "Test this node" in the node panel: run only this node of the saved draft against pinned
// data (the other nodes' outputs, the trigger payload), and show what it did. Nothing is
// recorded on the server: it is the quick loop for getting one node's settings right.
import { useMutation } from '@tanstack/react-query'
import { FlaskConical, History } from 'lucide-react'
import { useId, useState } from 'react'
import './test-node.css'
import type { StepStatus } from '@/api/types'
import { typedApi, unwrap } from '@/api/typed-client'
import { ErrorMessage } from '@/components/ui/feedback'
import { ErrorView } from '@/features/executions/error-view'
import { JsonView } from '@/features/executions/json-view'
import { useRunOverlayStore } from '@/features/executions/run-store'
import { StatusBadge } from '@/features/executions/status-badge'
import { formatDuration } from '@/lib/format'
import { loadPinned, parsePinned, pinnedFromRun, savePinned } from './pinned-data'
import { useCanvasStore } from './store'

/** The step record the endpoint answers (typed as any object in the schema). */
export interface NodeTestResult {
  status: StepStatus
  output: unknown
  error: unknown
  started_at: string | null
  finished_at: string | null
}

function useTestNode(workflowId: string) {
  return useMutation({
    mutationFn: async (body: { node_id: string; pinned: Record<string, unknown> }) =>
      (await unwrap(
        typedApi.POST('/api/v1/workflows/{id}/test-node/', {
          params: { path: { id: workflowId } },
          body,
        }),
      )) as unknown as NodeTestResult,
  })
}

export function TestNode({ workflowId, nodeId }: { workflowId: string; nodeId: string }) {
  // Its body mounts only when opened: the node panel re-renders on every config keystroke.
  const [open, setOpen] = useState(false)
  return (
    <details className="test-node" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>Test this node</summary>
      {open && <TestNodeBody workflowId={workflowId} nodeId={nodeId} />}
    </details>
  )
}

function TestNodeBody({ workflowId, nodeId }: { workflowId: string; nodeId: string }) {
  const [text, setText] = useState(() => loadPinned(workflowId, nodeId))
  const steps = useRunOverlayStore((s) => s.steps)
  const dirty = useCanvasStore((s) => s.dirty)
  const fromRun = pinnedFromRun(steps, nodeId)
  const parsed = parsePinned(text)
  const test = useTestNode(workflowId)
  const id = useId()

  const edit = (next: string) => {
    setText(next)
    savePinned(workflowId, nodeId, next)
  }
  const run = () => {
    if (parsed.ok) test.mutate({ node_id: nodeId, pinned: parsed.value })
  }
  const result = test.data

  return (
    <>
      <label className="field">
        <span className="field__label">Pinned data (JSON)</span>
        <textarea
          className="dialog__json"
          rows={6}
          spellCheck={false}
          value={text}
          placeholder={'{"trigger": {...}, "nodes": {"node_id": {...}}}'}
          aria-invalid={!parsed.ok}
          aria-describedby={parsed.ok ? `${id}-help` : `${id}-error`}
          onChange={(event) => edit(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) run()
          }}
        />
      </label>
      {parsed.ok ? (
        <p id={`${id}-help`} className="muted">
          Kept in this browser. Tests the saved draft
          {dirty ? ': save first to test your unsaved changes.' : '.'}
        </p>
      ) : (
        <p id={`${id}-error`} className="field__error" role="alert">
          {parsed.error}
        </p>
      )}
      <div className="test-node__actions">
        <button
          type="button"
          className="btn btn--small btn--primary"
          disabled={!parsed.ok || test.isPending}
          title="Test this node (Ctrl+Enter)"
          onClick={run}
        >
          <FlaskConical size={12} aria-hidden="true" />
          {test.isPending ? 'Testing…' : 'Test node'}
        </button>
        {fromRun && (
          <button type="button" className="btn btn--small" onClick={() => edit(fromRun)}>
            <History size={12} aria-hidden="true" />
            Pin last run's data
          </button>
        )}
      </div>
      {test.error && <ErrorMessage error={test.error} />}
      {result && (
        <div className="test-node__result" aria-label="Test result" role="region">
          <p>
            <StatusBadge status={result.status} />{' '}
            {result.started_at && result.finished_at
              ? formatDuration(Date.parse(result.finished_at) - Date.parse(result.started_at))
              : ''}
          </p>
          {result.error != null && <ErrorView error={result.error} />}
          <JsonView value={result.output} empty="No output" />
        </div>
      )}
    </>
  )
}
