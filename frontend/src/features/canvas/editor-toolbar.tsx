import { ArrowLeft, History, Play } from 'lucide-react'
import { Link } from 'react-router'
import { useShallow } from 'zustand/react/shallow'
import type { Workflow } from '@/api/types'
import { useCanvasStore } from './store'
import type { EditorActions } from './use-editor-actions'

interface EditorToolbarProps {
  workflow: Workflow
  actions: EditorActions
  readOnly: boolean
  onRun: () => void
}

export function EditorToolbar({ workflow, actions, readOnly, onRun }: EditorToolbarProps) {
  const { dirty, canUndo, canRedo, undo, redo, baseVersion } = useCanvasStore(
    useShallow((s) => ({
      dirty: s.dirty,
      canUndo: s.past.length > 0,
      canRedo: s.future.length > 0,
      undo: s.undo,
      redo: s.redo,
      baseVersion: s.baseVersion,
    })),
  )
  const saveFirst = dirty ? 'Save your changes first' : undefined

  return (
    <div className="toolbar">
      <Link to="/app/" className="btn btn--ghost btn--small" aria-label="Back to workflows">
        <ArrowLeft size={16} aria-hidden="true" />
      </Link>
      <div className="toolbar__title">
        <h1>{workflow.name}</h1>
        <span className={`status status--${workflow.status}`}>{workflow.status}</span>
        <span className="toolbar__meta">
          v{baseVersion ?? workflow.version}
          {workflow.published_version != null && ` · live v${workflow.published_version}`}
        </span>
        {dirty && <span className="toolbar__dirty">● Unsaved changes</span>}
      </div>
      <Link to={`/app/executions?workflow=${workflow.id}`} className="btn btn--ghost">
        <History size={14} aria-hidden="true" />
        Runs
      </Link>
      {readOnly ? (
        <span className="toolbar__meta">Read only: you are a viewer in this workspace</span>
      ) : (
        <div className="toolbar__actions">
          <button
            type="button"
            className="btn btn--ghost"
            onClick={undo}
            disabled={!canUndo}
            title="Undo (Ctrl+Z)"
          >
            Undo
          </button>
          <button
            type="button"
            className="btn btn--ghost"
            onClick={redo}
            disabled={!canRedo}
            title="Redo (Ctrl+Shift+Z)"
          >
            Redo
          </button>
          <button
            type="button"
            className="btn btn--primary"
            onClick={() => void actions.save()}
            disabled={!dirty || actions.saving}
            title="Save (Ctrl+S)"
          >
            {actions.saving ? 'Saving…' : 'Save'}
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => void actions.publish()}
            disabled={dirty || actions.publishing}
            title={saveFirst ?? 'Freeze this draft as the version triggers run'}
          >
            {actions.publishing ? 'Publishing…' : 'Publish'}
          </button>
          <button
            type="button"
            className="btn btn--run"
            onClick={onRun}
            disabled={dirty || actions.running || actions.runUnavailable}
            title={
              actions.runUnavailable
                ? 'Not available on this server yet'
                : (saveFirst ?? 'Test-run the saved draft')
            }
          >
            <Play size={14} aria-hidden="true" />
            {actions.running ? 'Starting…' : 'Run'}
          </button>
        </div>
      )}
    </div>
  )
}
