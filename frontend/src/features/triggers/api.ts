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
