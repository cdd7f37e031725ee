// How a block's declared ports become React Flow handles.
//   inputs:  none → no target handle (a trigger); one → the default handle; several → named.
//   outputs: one → the default handle (edges carry no sourceHandle, the engine picks the
//            block's default port); several → named (a condition's `true`/`false`). Blocks
//            whose ports depend on config (a switch's cases) add those. Every block has `error`.
import { search } from 'jmespath'
import type { BlockPortSpec, BlockSpec } from '@/api/types'

export const ERROR_HANDLE = 'error'

/**
 * Where config-dependent ports come from, for blocks whose manifest says only
 * `dynamic_outputs: true`. A manifest may carry the expression itself instead.
 */
const DYNAMIC_PORTS: Record<string, string> = { switch: 'cases[].name' }

export interface Port {
  /** The handle id; null for the default handle. */
  id: string | null
  label: string
}

export interface NodePorts {
  inputs: Port[]
  outputs: Port[]
}

export function portKey(spec: BlockPortSpec): string {
  if (typeof spec === 'string') return spec
  return spec.key ?? spec.name ?? spec.id ?? ''
}

function toPort(spec: BlockPortSpec): Port {
  const label = typeof spec === 'string' ? spec : (spec.title ?? spec.label ?? portKey(spec))
  return { id: portKey(spec), label }
}

/** One port is the default handle; several are named ones. */
function handles(specs: BlockPortSpec[]): Port[] {
  const ports = specs.map(toPort).filter((port) => port.id)
  return ports.length === 1 ? [{ id: null, label: '' }] : ports
}

export function dynamicPortNames(block: BlockSpec, config: Record<string, unknown>): string[] {
  const expression =
    typeof block.dynamic_outputs === 'string'
      ? block.dynamic_outputs
      : block.dynamic_outputs
        ? DYNAMIC_PORTS[block.key]
        : undefined
  if (!expression) return []
  try {
    const found: unknown = search(config, expression)
    return Array.isArray(found)
      ? found.filter((n): n is string => typeof n === 'string' && !!n)
      : []
  } catch {
    return [] // a half-typed config is normal while editing
  }
}

/**
 * Handles for a node. `usedSources`/`usedTargets` are handle ids its edges already use: they are
 * kept even if the block no longer declares them, so no saved connection silently disappears.
 */
export function nodePorts(
  block: BlockSpec | undefined,
  config: Record<string, unknown> = {},
  usedSources: (string | null | undefined)[] = [],
  usedTargets: (string | null | undefined)[] = [],
): NodePorts {
  let inputs: Port[] = [{ id: null, label: '' }]
  let outputs: Port[] = [{ id: null, label: '' }]
  if (block) {
    inputs = block.inputs.length === 0 ? [] : handles(block.inputs)
    const declared = block.outputs.filter((spec) => portKey(spec) !== ERROR_HANDLE)
    const dynamic = dynamicPortNames(block, config).filter(
      (name) => name !== ERROR_HANDLE && !declared.some((spec) => portKey(spec) === name),
    )
    outputs = handles([...declared, ...dynamic])
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
