// How a block's declared ports become React Flow handles.
//   inputs:  none → no target handle (a trigger); one → the default handle; several → named.
//   outputs: none or one → the default handle (edges carry no sourceHandle); several → named
//            (a condition's `true`/`false`). Every block also has an `error` output.
import type { BlockPortSpec, BlockSpec } from '@/api/types'

export const ERROR_HANDLE = 'error'

export interface Port {
  /** The handle id; null for the default handle. */
  id: string | null
  label: string
}

export function portKey(spec: BlockPortSpec): string {
  if (typeof spec === 'string') return spec
  return spec.key ?? spec.name ?? spec.id ?? ''
}

function portLabel(spec: BlockPortSpec): string {
  if (typeof spec === 'string') return spec
  return spec.title ?? spec.label ?? portKey(spec)
}

function named(specs: BlockPortSpec[]): Port[] {
  return specs
    .filter((spec) => portKey(spec) !== '')
    .map((spec) => ({ id: portKey(spec), label: portLabel(spec) }))
}

export interface NodePorts {
  inputs: Port[]
  outputs: Port[]
}

/**
 * Handles for a node. `usedSources`/`usedTargets` are handle ids its edges already use: they are
 * kept even if the block no longer declares them, so no saved connection silently disappears.
 */
export function nodePorts(
  block: BlockSpec | undefined,
  usedSources: (string | null | undefined)[] = [],
  usedTargets: (string | null | undefined)[] = [],
): NodePorts {
  let inputs: Port[]
  let outputs: Port[]
  if (!block) {
    inputs = [{ id: null, label: '' }]
    outputs = [{ id: null, label: '' }]
  } else {
    inputs =
      block.inputs.length > 1
        ? named(block.inputs)
        : block.inputs.length === 1
          ? [{ id: null, label: '' }]
          : []
    outputs = block.outputs.length > 1 ? named(block.outputs) : [{ id: null, label: '' }]
  }
  outputs = [...outputs, { id: ERROR_HANDLE, label: 'error' }]
  return { inputs: withUsed(inputs, usedTargets), outputs: withUsed(outputs, usedSources) }
}

function withUsed(ports: Port[], used: (string | null | undefined)[]): Port[] {
  const known = new Set(ports.map((port) => port.id))
  const extra: Port[] = []
  for (const handle of used) {
    const id = handle ?? null
    if (known.has(id)) continue
    known.add(id)
    extra.push({ id, label: id ?? '' })
  }
  return [...ports, ...extra]
}
