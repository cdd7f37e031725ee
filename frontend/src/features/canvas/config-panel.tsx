import { X } from 'lucide-react'
import { useBlockSpec } from '@/features/blocks/api'
import { BlockIcon } from '@/features/blocks/block-icon'
import { SchemaForm } from '@/features/schema-form/schema-form'
import { WebhookUrls } from '@/features/triggers/webhook-urls'
import { LastRun } from './last-run'
import type { CanvasNode } from '@/lib/graph'
import { useCanvasStore } from './store'

const WEBHOOK_BLOCK = 'webhook_trigger'

export function ConfigPanel({ readOnly = false }: { readOnly?: boolean }) {
  const node = useCanvasStore((s) => s.nodes.find((n) => n.id === s.selectedNodeId))
  if (!node) return null
  // Keyed by node, so half-typed drafts of one node's fields never show on another.
  return <NodeSettings key={node.id} node={node} readOnly={readOnly} />
}

function NodeSettings({ node, readOnly }: { node: CanvasNode; readOnly: boolean }) {
  const issues = useCanvasStore((s) => s.issues.byNode[node.id])
  const updateNodeConfig = useCanvasStore((s) => s.updateNodeConfig)
  const removeNodes = useCanvasStore((s) => s.removeNodes)
  const select = useCanvasStore((s) => s.select)
  const workflowId = useCanvasStore((s) => s.workflowId)
  const { block, isPending } = useBlockSpec(node.data.blockType, node.data.version)
  const title = block?.title ?? node.data.blockType

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
      <LastRun nodeId={node.id} />
      {!readOnly && workflowId && node.data.blockType === WEBHOOK_BLOCK && (
        <WebhookUrls workflowId={workflowId} nodeId={node.id} />
      )}
      {/* A disabled fieldset disables every control inside it. */}
      <fieldset className="config-panel__form" disabled={readOnly}>
        <SchemaForm
          schema={block?.config_schema ?? {}}
          value={node.data.config}
          errors={issues?.config}
          onChange={(config) => updateNodeConfig(node.id, config)}
        />
      </fieldset>
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
