// The one node component for every registry block: title, icon, category colour, and the
// handles its ports declare (lib/ports.ts). Blocks with bespoke UI would get their own type.
import { Handle, Position, type NodeProps } from '@xyflow/react'
import { memo } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useBlockSpec } from '@/features/blocks/api'
import { BlockIcon } from '@/features/blocks/block-icon'
import { isFinished } from '@/features/executions/api'
import { useRunOverlayStore, type NodeRun } from '@/features/executions/run-store'
import { statusLabel } from '@/features/executions/labels'
import { StatusIcon } from '@/features/executions/status-badge'
import { formatDuration } from '@/lib/format'
import { categoryColor } from '@/lib/block-visuals'
import { issueCount } from '@/lib/field-errors'
import type { CanvasNode } from '@/lib/graph'
import { ERROR_HANDLE, nodePorts, type Port } from '@/lib/ports'
import { useCanvasStore } from '../store'
import { InlineParams, LastRunPreview } from './inline-params'
import { NodeTitle } from './node-title'
import { TriggerOffBadge } from './trigger-off-badge'

function BlockNodeView({ id, data, selected }: NodeProps<CanvasNode>) {
  const { block, isPending } = useBlockSpec(data.blockType, data.version)
  const usedSources = useCanvasStore(
    useShallow((s) => s.edges.filter((e) => e.source === id).map((e) => e.sourceHandle ?? null)),
  )
  const usedTargets = useCanvasStore(
    useShallow((s) => s.edges.filter((e) => e.target === id).map((e) => e.targetHandle ?? null)),
  )
  const issues = useCanvasStore((s) => s.issues.byNode[id])
  const problems = issueCount(issues)
  const run = useRunOverlayStore((s) => s.byNode[id])
  // Once the watched run is over, the nodes it never reached are dimmed.
  const notReached = useRunOverlayStore((s) => !s.byNode[id] && isFinished(s.status ?? ''))
  const ports = nodePorts(isPending ? undefined : block, data.config, usedSources, usedTargets)
  const unknown = !isPending && !block
  const label = typeof data.label === 'string' && data.label ? data.label : undefined
  const blockTitle = block?.title ?? data.blockType
  const title = label ?? blockTitle
  const classes = [
    'block-node',
    selected && 'block-node--selected',
    problems > 0 && 'block-node--invalid',
    run && `block-node--run block-node--${run.status}`,
    notReached && 'block-node--not-reached',
  ]

  return (
    <div
      className={classes.filter(Boolean).join(' ')}
      style={{ ['--category' as string]: categoryColor(block?.category) }}
      data-testid={`node-${id}`}
      data-run-status={run?.status}
    >
      <div className="block-node__header">
        <BlockIcon icon={block?.icon} title={title} category={block?.category} />
        <div className="block-node__titles">
          <NodeTitle id={id} title={title} blockTitle={blockTitle} />
          <span className="block-node__id">{id}</span>
        </div>
        {block?.category === 'trigger' && <TriggerOffBadge nodeId={id} />}
        {problems > 0 && (
          <span className="block-node__badge" title={`${problems} problem(s) from the last save`}>
            {problems}
          </span>
        )}
      </div>
      {unknown && <div className="block-node__warning">Unknown block “{data.blockType}”</div>}
      {block?.deprecated && <div className="block-node__warning">Deprecated version</div>}
      {block && <InlineParams id={id} block={block} config={data.config} errors={issues?.config} />}
      <div className="block-node__ports">
        <div className="block-node__column">
          {ports.inputs.map((port) => (
            <PortRow key={port.id ?? ''} port={port} type="target" />
          ))}
        </div>
        <div className="block-node__column block-node__column--out">
          {ports.outputs.map((port) => (
            <PortRow key={port.id ?? ''} port={port} type="source" />
          ))}
        </div>
      </div>
      {run && <RunFooter run={run} />}
      <LastRunPreview id={id} />
    </div>
  )
}

/** The node's part in the watched run: status, time taken and items produced. */
function RunFooter({ run }: { run: NodeRun }) {
  const inProgress = run.status === 'running' || run.status === 'waiting'
  return (
    <div className="block-node__run" title={statusLabel(run.status)}>
      <StatusIcon status={run.status} />
      <span>{statusLabel(run.status)}</span>
      {run.durationMs !== null && !inProgress && <span>{formatDuration(run.durationMs)}</span>}
      {run.items > 0 && (
        <span>
          {run.items} item{run.items === 1 ? '' : 's'}
        </span>
      )}
      {run.attempts > 1 && <span>{run.attempts} attempts</span>}
    </div>
  )
}

function PortRow({ port, type }: { port: Port; type: 'source' | 'target' }) {
  const isError = port.id === ERROR_HANDLE
  return (
    <div className={`port port--${type}${isError ? ' port--error' : ''}`}>
      <Handle
        type={type}
        position={type === 'source' ? Position.Right : Position.Left}
        id={port.id ?? undefined}
        className={isError ? 'handle--error' : undefined}
      />
      <span className="port__label">{port.label}</span>
    </div>
  )
}

export const BlockNode = memo(BlockNodeView)
BlockNode.displayName = 'BlockNode'
