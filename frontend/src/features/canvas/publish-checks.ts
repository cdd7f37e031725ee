// Checks before publishing: the server's graph validation (the same analysis publish runs),
// ordered for the list the user works through: errors, which block publishing, first.
import { useMutation } from '@tanstack/react-query'
import { typedApi, unwrap } from '@/api/typed-client'
import type { GraphIssue, WorkflowGraph } from '@/api/types'

const TRIGGER_CODES = new Set([
  'missing_trigger',
  'multiple_triggers',
  'trigger_in_loop',
  'multiple_error_triggers',
])

const CONNECTOR_CODES = new Set([
  'unknown_connector',
  'unknown_operation',
  'missing_parameter',
  'invalid_parameter',
])

/** A short heading for an issue's kind; the message says the rest. */
export function checkKind(code: string): string {
  if (code === 'unreachable') return 'Unreachable node'
  if (code === 'missing_credential') return 'Missing credential'
  if (TRIGGER_CODES.has(code)) return 'Trigger'
  if (code === 'invalid_config') return 'Invalid settings'
  if (CONNECTOR_CODES.has(code)) return 'Connector operation'
  return 'Problem'
}

/** Errors first, then warnings, each in the server's (stable) order. */
export function orderChecks(issues: GraphIssue[]): GraphIssue[] {
  const errors = issues.filter((issue) => issue.severity === 'error')
  return [...errors, ...issues.filter((issue) => issue.severity !== 'error')]
}

export function useValidateGraph() {
  return useMutation({
    mutationFn: (graph: WorkflowGraph) =>
      unwrap(typedApi.POST('/api/v1/workflows/validate/', { body: { graph } })),
  })
}
