import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { typedApi, unwrap } from '@/api/typed-client'
import type { Paginated, Trigger } from '@/api/types'

export const triggerKeys = {
  all: ['triggers'] as const,
  forWorkflow: (workflowId: string) => [...triggerKeys.all, 'workflow', workflowId] as const,
}

/** The trigger rows of a workflow (one per trigger node once published or test-armed). */
export function useWorkflowTriggers(workflowId: string, enabled = true) {
  return useQuery({
    queryKey: triggerKeys.forWorkflow(workflowId),
    enabled,
    queryFn: async ({ signal }) => {
      const page = (await unwrap(
        typedApi.GET('/api/v1/triggers/', {
          params: { query: { workflow: workflowId, page_size: 100 } },
          signal,
        }),
      )) as Paginated<Trigger>
      return page.results
    },
  })
}

/** Give a trigger node of the unpublished draft a row and a test URL. */
export function useArmDraftTrigger(workflowId: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (nodeId: string) =>
      unwrap(
        typedApi.POST('/api/v1/triggers/draft/', {
          body: { workflow: workflowId, node_id: nodeId },
        }),
      ),
    onSuccess: () =>
      void client.invalidateQueries({ queryKey: triggerKeys.forWorkflow(workflowId) }),
  })
}

/** Fetch one sample of a polling source and propose its items, id and cursor paths. */
export function useProposePollPaths(workspaceId: string) {
  return useMutation({
    mutationFn: (source: Record<string, unknown>) =>
      unwrap(
        typedApi.POST('/api/v1/triggers/poll-defaults/', {
          body: { workspace: workspaceId, source },
        }),
      ),
  })
}

/** Replace a trigger's signing secret; the answer holds the new one, shown once. */
export function useRotateSecret(workflowId: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (triggerId: string) =>
      unwrap(
        typedApi.POST('/api/v1/triggers/{id}/secret/', {
          params: { path: { id: triggerId } },
          body: {},
        }),
      ),
    onSuccess: () =>
      void client.invalidateQueries({ queryKey: triggerKeys.forWorkflow(workflowId) }),
  })
}

/** Switch a trigger off (its webhook refuses, schedules and polls skip it) or on again. */
export function useSwitchTrigger(workflowId: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: ({ triggerId, enabled }: { triggerId: string; enabled: boolean }) =>
      unwrap(
        typedApi.PATCH('/api/v1/triggers/{id}/', {
          params: { path: { id: triggerId } },
          body: { enabled },
        }),
      ),
    onSuccess: () =>
      void client.invalidateQueries({ queryKey: triggerKeys.forWorkflow(workflowId) }),
  })
}

/** The next five runs of a cron expression in a zone; an invalid one fails with field errors. */
export function useCronPreview(expression: string, timezone: string) {
  return useQuery({
    queryKey: [...triggerKeys.all, 'cron-preview', expression, timezone],
    enabled: expression.trim() !== '',
    retry: false,
    queryFn: ({ signal }) =>
      unwrap(
        typedApi.POST('/api/v1/triggers/cron-preview/', {
          body: { expression, timezone, count: 5 },
          signal,
        }),
      ),
  })
}
