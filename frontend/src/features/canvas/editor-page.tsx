import { ReactFlowProvider } from '@xyflow/react'
import { useEffect, useEffectEvent, useState } from 'react'
import { useBlocker, useParams } from 'react-router'
import { Banner, ErrorMessage, Loading } from '@/components/ui/feedback'
import { useMe } from '@/features/auth/api'
import { canEdit } from '@/features/auth/workspace-store'
import { useRunOverlayStore } from '@/features/executions/run-store'
import { useLiveExecution } from '@/features/executions/use-live-execution'
import { Canvas } from './canvas'
import { ConfigPanel } from './config-panel'
import { EditorToolbar } from './editor-toolbar'
import { Palette } from './palette'
import { RunBanner } from './run-banner'
import { RunDialog } from './run-dialog'
import { ShortcutsDialog } from './shortcuts-dialog'
import { useCanvasStore } from './store'
import { useShortcuts } from './use-shortcuts'
import { useEditorActions, type EditorActions } from './use-editor-actions'

export function EditorPage() {
  const { id = '' } = useParams()
  const actions = useEditorActions(id)
  const { workflow } = actions
  const loadedId = useCanvasStore((s) => s.workflowId)
  const me = useMe()
  const readOnly = !!workflow.data && !canEdit(me.data, String(workflow.data.workspace))

  // The canvas is loaded once per visit; later refetches must not clobber local edits.
  const onData = useEffectEvent(actions.load)
  const { data } = workflow
  useEffect(() => {
    if (data && loadedId !== id) onData(data)
  }, [data, loadedId, id])
  useEffect(
    () => () => {
      useCanvasStore.getState().unload()
      useRunOverlayStore.getState().clear()
    },
    [id],
  )
  const [askingInput, setAskingInput] = useState(false)
  useLiveExecution(actions.activeRunId)
  const dismissRun = () => {
    actions.dismissRun()
    useRunOverlayStore.getState().clear()
  }

  const [showingKeys, setShowingKeys] = useState(false)
  useLeaveGuard()
  useShortcuts({ save: () => void actions.save(), openHelp: () => setShowingKeys(true) }, readOnly)

  if (workflow.isPending) return <Loading label="Loading workflow…" />
  if (workflow.isError) {
    return (
      <div className="page">
        <ErrorMessage error={workflow.error} onRetry={() => void workflow.refetch()} />
      </div>
    )
  }
  if (loadedId !== id) return <Loading label="Opening canvas…" />

  return (
    <ReactFlowProvider>
      <div className="editor">
        <EditorToolbar
          workflow={workflow.data}
          actions={actions}
          readOnly={readOnly}
          onRun={() => setAskingInput(true)}
          onShowKeys={() => setShowingKeys(true)}
        />
        {actions.activeRunId && (
          <RunBanner runId={actions.activeRunId} onDismiss={dismissRun} canStop={!readOnly} />
        )}
        {actions.conflict && <ConflictBanner actions={actions} />}
        {actions.notice && (
          <Banner kind={actions.notice.kind} onDismiss={actions.dismissNotice}>
            {actions.notice.text}
          </Banner>
        )}
        <GeneralIssues />
        <div className="editor__body">
          {!readOnly && <Palette />}
          <Canvas readOnly={readOnly} />
          <ConfigPanel readOnly={readOnly} onWatchRun={actions.watchRun} />
        </div>
        {showingKeys && <ShortcutsDialog onClose={() => setShowingKeys(false)} />}
        {askingInput && (
          <RunDialog
            workflowId={id}
            starting={actions.running}
            onClose={() => setAskingInput(false)}
            // Closed either way: a failure shows on the nodes and in the notice behind it.
            onRun={(input) => void actions.run(input).finally(() => setAskingInput(false))}
          />
        )}
      </div>
    </ReactFlowProvider>
  )
}

function ConflictBanner({ actions }: { actions: EditorActions }) {
  const version = actions.conflict?.serverVersion
  return (
    <Banner kind="warning">
      Someone else saved this workflow{version !== undefined ? ` (now version ${version})` : ''}{' '}
      while you were editing.{' '}
      <button type="button" className="btn btn--small" onClick={() => void actions.reload()}>
        Reload their version
      </button>{' '}
      {version !== undefined && (
        <button
          type="button"
          className="btn btn--small btn--danger"
          onClick={() => void actions.overwrite()}
        >
          Overwrite with mine
        </button>
      )}
    </Banner>
  )
}

function GeneralIssues() {
  const general = useCanvasStore((s) => s.issues.general)
  if (general.length === 0) return null
  return (
    <Banner kind="error">
      <ul className="issue-list">
        {general.map((message) => (
          <li key={message}>{message}</li>
        ))}
      </ul>
    </Banner>
  )
}

/** Ask before leaving with unsaved changes, in the app and when closing the tab. */
function useLeaveGuard() {
  const dirty = useCanvasStore((s) => s.dirty)
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      dirty && currentLocation.pathname !== nextLocation.pathname,
  )
  useEffect(() => {
    if (blocker.state !== 'blocked') return
    if (window.confirm('You have unsaved changes. Leave and discard them?')) blocker.proceed()
    else blocker.reset()
  }, [blocker])
  useEffect(() => {
    if (!dirty) return
    const warn = (event: BeforeUnloadEvent) => event.preventDefault()
    window.addEventListener('beforeunload', warn)
    return () => window.removeEventListener('beforeunload', warn)
  }, [dirty])
}
