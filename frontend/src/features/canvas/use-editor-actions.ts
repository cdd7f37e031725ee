// Save, publish, run and reload for the open workflow, with the feedback each one needs:
// field errors go onto their nodes, a 409 becomes a conflict the user resolves.
import { useState } from 'react'
import { ApiError } from '@/api/client'
import type { Workflow, WorkflowGraph } from '@/api/types'
import type { NoticeKind } from '@/components/ui/feedback'
import {
  useUpdateWorkflow,
  usePublishWorkflow,
  useRunWorkflow,
  useWorkflow,
} from '@/features/workflows/api'
import { mapFieldErrors } from '@/lib/field-errors'
import { fromCanvas, sameGraph } from '@/lib/graph'
import { useCanvasStore } from './store'

export interface Notice {
  kind: NoticeKind
  text: string
}

export interface Conflict {
  /** The version someone else saved, when the server said. */
  serverVersion: number | undefined
}

export function useEditorActions(workflowId: string) {
  const workflow = useWorkflow(workflowId)
  const update = useUpdateWorkflow(workflowId)
  const publish = usePublishWorkflow(workflowId)
  const run = useRunWorkflow(workflowId)
  const [notice, setNotice] = useState<Notice | null>(null)
  const [conflict, setConflict] = useState<Conflict | null>(null)
  const [runUnavailable, setRunUnavailable] = useState(false)
  /** The last run started here, watched live on the canvas. */
  const [activeRunId, setActiveRunId] = useState<string | null>(null)

  /** Shared handling of a failed write: field errors onto nodes, 409 to the conflict banner. */
  const fail = (error: unknown, graph: WorkflowGraph, action: string) => {
    if (!(error instanceof ApiError)) {
      setNotice({ kind: 'error', text: `${action} failed: ${String(error)}` })
      return
    }
    if (error.isStaleVersion) {
      setConflict({ serverVersion: error.currentVersion })
      setNotice(null)
      return
    }
    const issues = mapFieldErrors(error.fields, graph)
    useCanvasStore.getState().setIssues(issues)
    const onNodes = Object.keys(issues.byNode).length
    const where = onNodes > 0 ? ` ${onNodes} node(s) need attention.` : ''
    const general = issues.general.length > 0 ? ` ${issues.general.join(' ')}` : ''
    setNotice({ kind: 'error', text: `${action} failed: ${error.detail}${where}${general}` })
  }

  const save = async (overrideVersion?: number): Promise<boolean> => {
    const state = useCanvasStore.getState()
    if (state.baseVersion === null) return false
    const snapshot = { nodes: state.nodes, edges: state.edges }
    const graph = fromCanvas(snapshot.nodes, snapshot.edges)
    try {
      const saved = await update.mutateAsync({
        version: overrideVersion ?? state.baseVersion,
        graph,
      })
      useCanvasStore.getState().markSaved(snapshot, saved.version)
      setConflict(null)
      setNotice({ kind: 'success', text: `Saved as version ${saved.version}.` })
      return true
    } catch (error) {
      fail(error, graph, 'Save')
      return false
    }
  }

  const load = (fresh: Workflow) => {
    useCanvasStore.getState().load(workflowId, fresh.graph, fresh.version)
    setConflict(null)
  }

  const reload = async () => {
    const result = await workflow.refetch()
    if (result.data) {
      load(result.data)
      setNotice({ kind: 'info', text: `Loaded version ${result.data.version}.` })
    } else if (result.error)
      setNotice({ kind: 'error', text: `Reload failed: ${result.error.message}` })
  }

  const overwrite = () => {
    if (conflict?.serverVersion !== undefined) return save(conflict.serverVersion)
    return Promise.resolve(false)
  }

  const doPublish = async () => {
    const graph = useCanvasStore.getState().toGraph()
    try {
      const fresh = await publish.mutateAsync()
      // Publishing may bump the draft's version; same graph means our canvas is still current.
      if (fresh && sameGraph(fresh.graph, useCanvasStore.getState().toGraph())) {
        useCanvasStore.getState().rebase(fresh.version)
      }
      const live =
        fresh?.published_version != null ? ` (live: version ${fresh.published_version})` : ''
      setNotice({ kind: 'success', text: `Published${live}.` })
    } catch (error) {
      fail(error, graph, 'Publish')
    }
  }

  const doRun = async (input: Record<string, unknown>): Promise<boolean> => {
    try {
      const started = await run.mutateAsync(input)
      setActiveRunId(String(started.id))
      setNotice(null)
      return true
    } catch (error) {
      if (error instanceof ApiError && error.isNotFound) {
        setRunUnavailable(true)
        setNotice({ kind: 'info', text: 'Running workflows is not available on this server yet.' })
      } else fail(error, useCanvasStore.getState().toGraph(), 'Run')
      return false
    }
  }

  return {
    workflow,
    notice,
    dismissNotice: () => setNotice(null),
    conflict,
    runUnavailable,
    saving: update.isPending,
    publishing: publish.isPending,
    running: run.isPending,
    activeRunId,
    dismissRun: () => setActiveRunId(null),
    /** Follow another run on the canvas (a re-run started from a node). */
    watchRun: (runId: string) => setActiveRunId(runId),
    load,
    save: () => save(),
    reload,
    overwrite,
    publish: doPublish,
    run: doRun,
  }
}

export type EditorActions = ReturnType<typeof useEditorActions>
