import { X } from 'lucide-react'
import { useContext, type ReactNode } from 'react'
import { useBlockSpec } from '@/features/blocks/api'
import { BlockIcon } from '@/features/blocks/block-icon'
import { OPERATION_KEYS } from '@/features/connectors/operation-choice'
import { ConnectorOperationSettings } from '@/features/connectors/operation-settings'
import { FormWorkspaceContext } from '@/features/schema-form/form-context'
import { SchemaForm } from '@/features/schema-form/schema-form'
import { CronEditor } from '@/features/triggers/cron-editor'
import { useWorkflow } from '@/features/workflows/api'
import { PollSource } from '@/features/triggers/poll-source'
import { TriggerStatus } from '@/features/triggers/trigger-status'
import { WebhookUrls } from '@/features/triggers/webhook-urls'
import { ExpressionScopeContext } from '@/features/expressions/scope'
import { RequestPreview } from '@/features/http-preview/request-preview'
import { previewSample } from '@/features/http-preview/sample-data'
import { useNodeExpressionScope } from './expression-scope'
import { LastRun } from './last-run'
import { ListenTestEvent } from './listen-test-event'
import { TestNode } from './test-node'
import type { JsonSchema } from '@/api/types'
import { isNote, type CanvasNode } from '@/lib/graph'
import { NotePanel } from './note-panel'
import { useCanvasStore } from './store'

const WEBHOOK_BLOCK = 'webhook_trigger'
const POLL_BLOCK = 'poll_trigger'
const SCHEDULE_BLOCK = 'schedule_trigger'
const HTTP_BLOCK = 'http_request'
const CONNECTOR_BLOCK = 'connector_operation'
// Keys an editor of its own owns (the schedule's, the connector pickers'); the generic form
// shows the rest (overlap, misfire, body, timeout…).
const OWN_KEYS: Record<string, string[]> = {
  [SCHEDULE_BLOCK]: ['cron', 'timezone'],
  [CONNECTOR_BLOCK]: OPERATION_KEYS,
}
// Triggers the platform fires itself, so they have a live state to show.
const LIVE_TRIGGERS = [WEBHOOK_BLOCK, POLL_BLOCK, SCHEDULE_BLOCK]

function without(schema: JsonSchema, keys: string[]): JsonSchema {
  if (!keys.length) return schema
  const properties = Object.entries(schema.properties ?? {}).filter(([key]) => !keys.includes(key))
  return { ...schema, properties: Object.fromEntries(properties) }
}

/** Errors of the other keys; "parameters.owner" belongs to `parameters`. */
function omitKeys<T>(record: Record<string, T> | undefined, keys: string[]) {
  const top = (path: string) => path.split(/[.[]/)[0]
  return (
    record && Object.fromEntries(Object.entries(record).filter(([k]) => !keys.includes(top(k))))
  )
}

export function ConfigPanel({
  readOnly = false,
  onWatchRun,
}: {
  readOnly?: boolean
  /** Follow a run started from the panel (a re-run from a failed node). */
  onWatchRun?: (runId: string) => void
}) {
  const node = useCanvasStore((s) => s.nodes.find((n) => n.id === s.selectedNodeId))
  if (!node) return null
  if (isNote(node)) return <NotePanel key={node.id} node={node} readOnly={readOnly} />
  // Keyed by node, so half-typed drafts of one node's fields never show on another.
  return <NodeSettings key={node.id} node={node} readOnly={readOnly} onWatchRun={onWatchRun} />
}

/** Tells the form whose credentials to offer: the workspace of the workflow being edited. */
function WorkflowWorkspace({
  workflowId,
  children,
}: {
  workflowId: string | null
  children: ReactNode
}) {
  if (!workflowId) return children
  return <KnownWorkflowWorkspace workflowId={workflowId}>{children}</KnownWorkflowWorkspace>
}

function KnownWorkflowWorkspace({
  workflowId,
  children,
}: {
  workflowId: string
  children: ReactNode
}) {
  const workspace = String(useWorkflow(workflowId).data?.workspace ?? '')
  return <FormWorkspaceContext value={workspace}>{children}</FormWorkspaceContext>
}

/** The connector pickers, in the workspace of the workflow being edited. */
function ConnectorSettings(
  props: Omit<Parameters<typeof ConnectorOperationSettings>[0], 'workspace'>,
) {
  return <ConnectorOperationSettings {...props} workspace={useContext(FormWorkspaceContext)} />
}

function NodeSettings({
  node,
  readOnly,
  onWatchRun,
}: {
  node: CanvasNode
  readOnly: boolean
  onWatchRun?: (runId: string) => void
}) {
  const issues = useCanvasStore((s) => s.issues.byNode[node.id])
  const updateNodeConfig = useCanvasStore((s) => s.updateNodeConfig)
  const removeNodes = useCanvasStore((s) => s.removeNodes)
  const select = useCanvasStore((s) => s.select)
  const workflowId = useCanvasStore((s) => s.workflowId)
  const { block, isPending } = useBlockSpec(node.data.blockType, node.data.version)
  const title = block?.title ?? node.data.blockType
  const expressionScope = useNodeExpressionScope(node.id, readOnly)
  const isSchedule = node.data.blockType === SCHEDULE_BLOCK
  const schema = block?.config_schema ?? {}
  const ownKeys = (block && OWN_KEYS[node.data.blockType]) ?? []

  return (
    <aside className="config-panel" aria-label="Node settings">
      <header className="config-panel__header">
        <BlockIcon icon={block?.icon} title={title} category={block?.category} />
        <div>
          <h2>{title}</h2>
          <code className="config-panel__id">
            {node.id} · {node.data.blockType}
            {node.data.version !== undefined && ` v${node.data.version}`}
          </code>
        </div>
        <button
          type="button"
          className="btn btn--ghost btn--small"
          aria-label="Close"
          onClick={() => select(null)}
        >
          <X size={16} aria-hidden="true" />
        </button>
      </header>
      {block?.description && <p className="config-panel__description">{block.description}</p>}
      {block?.deprecated && (
        <p className="banner banner--warning">This block version is deprecated.</p>
      )}
      {!block && !isPending && (
        <p className="banner banner--warning">
          This block is not in the registry; its config is shown as JSON.
        </p>
      )}
      {issues?.node.map((message) => (
        <p key={message} className="field__error" role="alert">
          {message}
        </p>
      ))}
      <LastRun nodeId={node.id} onWatchRun={readOnly ? undefined : onWatchRun} />
      {!readOnly && workflowId && <TestNode workflowId={workflowId} nodeId={node.id} />}
      {workflowId && LIVE_TRIGGERS.includes(node.data.blockType) && (
        <TriggerStatus workflowId={workflowId} nodeId={node.id} canSwitch={!readOnly} />
      )}
      {!readOnly && workflowId && node.data.blockType === WEBHOOK_BLOCK && (
        <WebhookUrls workflowId={workflowId} nodeId={node.id} />
      )}
      {!readOnly && workflowId && onWatchRun && node.data.blockType === WEBHOOK_BLOCK && (
        <ListenTestEvent workflowId={workflowId} onRun={onWatchRun} />
      )}
      {!readOnly && workflowId && node.data.blockType === POLL_BLOCK && (
        <PollSource
          workflowId={workflowId}
          config={node.data.config}
          onChange={(config) => updateNodeConfig(node.id, config)}
        />
      )}
      {/* A disabled fieldset disables every control inside it. */}
      <fieldset className="config-panel__form" disabled={readOnly}>
        {isSchedule && (
          <CronEditor
            config={node.data.config}
            errors={issues?.config}
            onChange={(config) => updateNodeConfig(node.id, config)}
          />
        )}
        <ExpressionScopeContext value={expressionScope}>
          <WorkflowWorkspace workflowId={workflowId}>
            {block && node.data.blockType === CONNECTOR_BLOCK && (
              <ConnectorSettings
                config={node.data.config}
                errors={issues?.config}
                onChange={(config) => updateNodeConfig(node.id, config)}
              />
            )}
            <SchemaForm
              schema={without(schema, ownKeys)}
              ui={block?.ui}
              value={node.data.config}
              errors={omitKeys(issues?.config, ownKeys)}
              onChange={(config) => updateNodeConfig(node.id, config)}
            />
          </WorkflowWorkspace>
        </ExpressionScopeContext>
      </fieldset>
      {node.data.blockType === HTTP_BLOCK && (
        <RequestPreview
          workspaceId={expressionScope.workspaceId}
          config={node.data.config}
          sample={previewSample(expressionScope.data)}
        />
      )}
      {!readOnly && (
        <div className="config-panel__footer">
          <button type="button" className="btn btn--danger" onClick={() => removeNodes([node.id])}>
            Delete node
          </button>
        </div>
      )}
    </aside>
  )
}
