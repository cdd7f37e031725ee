import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { typedApi, unwrap } from '@/api/typed-client'
import type { components } from '@/api/generated/schema'
import { workflowKeys } from '@/features/workflows/api'

type Schemas = components['schemas']
export type WorkflowVersion = Required<Schemas['WorkflowVersionOutput']>
export type WorkflowDiff = Schemas['WorkflowDiffOutput']
/** A version number as text, or `draft`. */
export type GraphRef = string

export const versionKeys = {
  list: (workflowId: string) => ['versions', workflowId] as const,
  diff: (workflowId: string, base: GraphRef, head: GraphRef) =>
    ['versions', workflowId, 'diff', base, head] as const,
}

/** Newest first; one page of 100 covers any workflow's history a person reads here. */
export function useVersions(workflowId: string) {
  return useQuery({
    queryKey: versionKeys.list(workflowId),
    queryFn: async ({ signal }) => {
      const page = await unwrap(
        typedApi.GET('/api/v1/workflows/{id}/versions/', {
          params: { path: { id: workflowId }, query: { page_size: 100 } },
          signal,
        }),
      )
      return page.results as WorkflowVersion[]
    },
  })
}

export function useDiff(workflowId: string, base: GraphRef | null, head: GraphRef) {
  return useQuery({
    queryKey: versionKeys.diff(workflowId, base ?? '', head),
    enabled: base !== null && base !== head,
    queryFn: ({ signal }) =>
      unwrap(
        typedApi.GET('/api/v1/workflows/{id}/diff/', {
          params: { path: { id: workflowId }, query: { base: base ?? 'draft', head } },
          signal,
        }),
      ),
  })
}

export function useRollback(workflowId: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (number: number) =>
      unwrap(
        typedApi.POST('/api/v1/workflows/{id}/rollback/', {
          params: { path: { id: workflowId } },
          body: { version: number },
        }),
      ),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: versionKeys.list(workflowId) })
      void client.invalidateQueries({ queryKey: workflowKeys.detail(workflowId) })
      void client.invalidateQueries({ queryKey: workflowKeys.lists() })
    },
  })
}

export function isEmptyDiff(diff: WorkflowDiff): boolean {
  return (
    Object.values(diff.nodes).every((items) => items.length === 0) &&
    Object.values(diff.edges).every((items) => items.length === 0)
  )
}
