// What the expression fields of one node's form need to know, handed down by the editor's
// node panel. Outside the editor (no scope) fields stay plain inputs.
import { createContext, useContext } from 'react'
import type { CompletionScope } from './completion'

/** The run context a preview evaluates on (the engine's: trigger, nodes.<id>.output, vars). */
export type PreviewData = {
  trigger: unknown
  nodes: Record<string, { output: unknown }>
  vars: Record<string, unknown>
}

export interface ExpressionScope extends CompletionScope {
  nodeId: string
  workspaceId: string | null
  /** Every node id of the graph, and those that run before this node. */
  known: ReadonlySet<string>
  upstream: ReadonlySet<string>
  readOnly: boolean
  /** Pinned for this node's test first, else the last run watched in the editor; empty
   * before either. */
  data: PreviewData
}

export const ExpressionScopeContext = createContext<ExpressionScope | null>(null)

export const useExpressionScope = () => useContext(ExpressionScopeContext)

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Field names of an output: declared ones (minus the `*` wildcard) and the last run's keys. */
export function outputFields(declared: Record<string, string> | undefined, output: unknown) {
  const names = new Set(Object.keys(declared ?? {}).filter((name) => name !== '*'))
  if (isObject(output)) Object.keys(output).forEach((name) => names.add(name))
  return [...names].sort()
}
