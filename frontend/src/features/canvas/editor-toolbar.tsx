import {
  ArrowLeft,
  Download,
  GitCompare,
  History,
  Keyboard,
  Network,
  Play,
  Redo2,
  StickyNote,
  Undo2,
} from 'lucide-react'
import { useReactFlow } from '@xyflow/react'
import { useState } from 'react'
import { Link } from 'react-router'
import { downloadExport } from '@/features/workflows/transfer'
import { useShallow } from 'zustand/react/shallow'
import type { Workflow } from '@/api/types'
import { PublishButton } from './publish-button'
import { useCanvasStore } from './store'
import type { EditorActions } from './use-editor-actions'

interface EditorToolbarProps {
  workflow: Workflow
  actions: EditorActions
  readOnly: boolean
  onRun: () => void
  onShowKeys: () => void
}

export function EditorToolbar(props: EditorToolbarProps) {
  const { workflow, actions, readOnly, onRun, onShowKeys } = props
  const { dirty, canUndo, canRedo, undo, redo, baseVersion, autoLayout, addNote } = useCanvasStore(
    useShallow((s) => ({
      dirty: s.dirty,
      canUndo: s.past.length > 0,
      canRedo: s.future.length > 0,
      undo: s.undo,
      redo: s.redo,
      baseVersion: s.baseVersion,
      autoLayout: s.autoLayout,
      addNote: s.addNote,
    })),
  )
  const saveFirst = dirty ? 'Save your changes first' : undefined
  const { setCenter, getZoom, fitView } = useReactFlow()
  const addNoteInView = () => {
    const id = addNote()
    const note = useCanvasStore.getState().nodes.find((node) => node.id === id)
    if (note) void setCenter(note.position.x + 110, note.position.y + 40, { zoom: getZoom() })
  }
  const [exportError, setExportError] = useState<string | null>(null)
  const exportFile = () => {
    setExportError(null)
    downloadExport(String(workflow.id), workflow.name).catch((error: unknown) =>
      setExportError(`Export failed: ${error instanceof Error ? error.message : String(error)}`),
    )
  }

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
      <Link to={`/app/workflows/${workflow.id}/versions`} className="btn btn--ghost">
        <GitCompare size={14} aria-hidden="true" />
        Versions
      </Link>
      <button
        type="button"
        className="btn btn--ghost"
        onClick={exportFile}
        title={dirty ? 'Exports the last saved version' : 'Download this workflow as JSON'}
      >
        <Download size={14} aria-hidden="true" />
        Export
      </button>
      {exportError && (
        <span className="field__error" role="alert">
          {exportError}
        </span>
      )}
      <button
        type="button"
        className="btn btn--ghost btn--small"
        onClick={onShowKeys}
        aria-label="Keyboard shortcuts"
        title="Keyboard shortcuts (?)"
      >
        <Keyboard size={16} aria-hidden="true" />
      </button>
      {readOnly ? (
        <span className="toolbar__meta">Read only: you are a viewer in this workspace</span>
      ) : (
        <div className="toolbar__actions">
          <button
            type="button"
            className="btn btn--ghost"
            onClick={addNoteInView}
            title="Add a sticky note (never runs)"
          >
            <StickyNote size={14} aria-hidden="true" />
            Note
          </button>
          <button
            type="button"
            className="btn btn--ghost"
            // Then the whole arranged graph in view (React Flow needs a frame to move nodes).
            onClick={() =>
              void autoLayout().then(() =>
                requestAnimationFrame(() => void fitView({ maxZoom: 1, duration: 200 })),
              )
            }
            title="Arrange the nodes left to right"
          >
            <Network size={14} aria-hidden="true" />
            Auto-layout
          </button>
          <button
            type="button"
            className="btn btn--ghost"
            onClick={undo}
            disabled={!canUndo}
            title="Undo (Ctrl+Z)"
          >
            <Undo2 size={14} aria-hidden="true" />
            Undo
          </button>
          <button
            type="button"
            className="btn btn--ghost"
            onClick={redo}
            disabled={!canRedo}
            title="Redo (Ctrl+Shift+Z)"
          >
            <Redo2 size={14} aria-hidden="true" />
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
          <PublishButton
            actions={actions}
            blocked={
              saveFirst ??
              (workflow.draft_is_live
                ? 'Nothing to publish: this draft is the live version'
                : undefined)
            }
          />
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
