import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api } from '@/api/client'
import type {
  Paginated,
  RunCreated,
  Workflow,
  WorkflowCreate,
  WorkflowListItem,
  WorkflowPatch,
} from '@/api/types'

const BASE = '/api/v1/workflows/'

export const workflowKeys = {
  all: ['workflows'] as const,
  lists: () => [...workflowKeys.all, 'list'] as const,
  list: (workspaceId: string, search: string) =>
    [...workflowKeys.lists(), workspaceId, search] as const,
  detail: (id: string) => [...workflowKeys.all, 'detail', id] as const,
}

/** Follows the paginator's `next` links, so it works with any DRF pagination class. */
export function useWorkflowList(workspaceId: string | null, search: string) {
  return useInfiniteQuery({
    queryKey: workflowKeys.list(workspaceId ?? '', search),
    enabled: workspaceId !== null,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      pageParam
        ? api.get<Paginated<WorkflowListItem>>(pageParam, undefined, signal)
        : api.get<Paginated<WorkflowListItem>>(
            BASE,
            { workspace: workspaceId, search: search.trim(), ordering: '-updated_at' },
            signal,
          ),
    getNextPageParam: (page) => page.next,
    // While a search runs, keep showing the last results of the same workspace.
    placeholderData: (previous, previousQuery) =>
      previousQuery?.queryKey[2] === (workspaceId ?? '') ? previous : undefined,
  })
}

export function useWorkflow(id: string) {
  return useQuery({
    queryKey: workflowKeys.detail(id),
    queryFn: ({ signal }) => api.get<Workflow>(`${BASE}${id}/`, undefined, signal),
  })
}

function useWorkflowCache() {
  const client = useQueryClient()
  return {
    /** Put the server's answer into the cache; lists just refetch. */
    store: (workflow: Workflow) => {
      client.setQueryData<Workflow>(workflowKeys.detail(String(workflow.id)), (old) =>
        old ? { ...old, ...workflow } : workflow,
      )
      void client.invalidateQueries({ queryKey: workflowKeys.lists() })
    },
    /** Refetch the workflow (and lists) and hand back the fresh copy. */
    refresh: async (id: string) => {
      void client.invalidateQueries({ queryKey: workflowKeys.lists() })
      await client.invalidateQueries({ queryKey: workflowKeys.detail(id) })
      return client.getQueryData<Workflow>(workflowKeys.detail(id))
    },
  }
}

export function useCreateWorkflow() {
  const cache = useWorkflowCache()
  return useMutation({
    mutationFn: (input: WorkflowCreate) => api.post<Workflow>(BASE, input),
    onSuccess: (workflow) => cache.store(workflow),
  })
}

export function useUpdateWorkflow(id: string) {
  const cache = useWorkflowCache()
  return useMutation({
    mutationFn: (patch: WorkflowPatch) => api.patch<Workflow>(`${BASE}${id}/`, patch),
    onSuccess: (workflow) => cache.store(workflow),
  })
}

export function usePublishWorkflow(id: string) {
  const cache = useWorkflowCache()
  return useMutation({
    // The answer's shape (workflow or version) is not pinned down, so refetch instead of merging.
    mutationFn: async () => {
      await api.post<unknown>(`${BASE}${id}/publish/`)
      return cache.refresh(id)
    },
  })
}

export function useRunWorkflow(id: string) {
  return useMutation({
    // From the editor a run is a test run of the saved draft, not of the live version.
    mutationFn: (input: Record<string, unknown>) =>
      api.post<RunCreated>(`${BASE}${id}/run/`, { input, draft: true }),
  })
}
