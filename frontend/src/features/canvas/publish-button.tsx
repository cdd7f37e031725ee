// Publish, checked first: the server's validation runs on the saved graph and, when it finds
// anything, the checks list opens instead (errors block, warnings ask). Showing a problem
// selects its node and brings it into view.
import { useReactFlow } from '@xyflow/react'
import { Upload } from 'lucide-react'
import { useState } from 'react'
import type { GraphIssue } from '@/api/types'
import { PublishChecksDialog } from './publish-checks-dialog'
import { useValidateGraph } from './publish-checks'
import { useCanvasStore } from './store'
import type { EditorActions } from './use-editor-actions'

export function PublishButton({ actions, blocked }: { actions: EditorActions; blocked?: string }) {
  const validate = useValidateGraph()
  const [issues, setIssues] = useState<GraphIssue[] | null>(null)
  const { fitView } = useReactFlow()
  const busy = validate.isPending || actions.publishing

  const start = async () => {
    try {
      const result = await validate.mutateAsync(useCanvasStore.getState().toGraph())
      if (result.issues.length > 0) {
        setIssues(result.issues)
        return
      }
    } catch {
      // Checking failed (offline, server error): publishing validates again and says why.
    }
    await actions.publish()
  }

  const showNode = (nodeId: string) => {
    setIssues(null)
    useCanvasStore.getState().select(nodeId)
    // After the dialog has gone, so the canvas has its full size to fit into.
    requestAnimationFrame(() => {
      void fitView({ nodes: [{ id: nodeId }], duration: 300, maxZoom: 1.5, padding: 0.5 })
      // Keyboard users continue on the node itself (React Flow nodes are focusable).
      document
        .querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(nodeId)}"]`)
        ?.focus({ preventScroll: true })
    })
  }

  return (
    <>
      <button
        type="button"
        className="btn"
        onClick={() => void start()}
        disabled={Boolean(blocked) || busy}
        title={blocked ?? 'Check, then freeze this draft as the version triggers run'}
      >
        <Upload size={14} aria-hidden="true" />
        {validate.isPending ? 'Checking…' : actions.publishing ? 'Publishing…' : 'Publish'}
      </button>
      {issues && (
        <PublishChecksDialog
          issues={issues}
          onShowNode={showNode}
          onClose={() => setIssues(null)}
          onPublishAnyway={() => {
            setIssues(null)
            void actions.publish()
          }}
        />
      )}
    </>
  )
}
