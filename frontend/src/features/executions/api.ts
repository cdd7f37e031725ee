import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { cursorOf, typedApi, unwrap } from '@/api/typed-client'
import type {
  CursorPage,
  Execution,
  ExecutionDetail,
  ExecutionLog,
  ExecutionMode,
  ExecutionStatus,
  ExecutionStep,
  Paginated,
  WorkflowGraph,
} from '@/api/types'

export interface ExecutionFilters {
  workspace: string
  status?: ExecutionStatus
  mode?: ExecutionMode
  workflow?: string
  /** A paginator link (next or previous); absent for the first page. */
  page?: string | null
}

export const executionKeys = {
  all: ['executions'] as const,
  lists: () => [...executionKeys.all, 'list'] as const,
  list: (filters: ExecutionFilters) => [...executionKeys.lists(), filters] as const,
  detail: (id: string) => [...executionKeys.all, 'detail', id] as const,
  steps: (id: string) => [...executionKeys.detail(id), 'steps'] as const,
  logs: (id: string) => [...executionKeys.detail(id), 'logs'] as const,
}

export const PAGE_SIZE = 25
const FINISHED: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled'])

export const isFinished = (status: string | undefined) => FINISHED.has(status ?? '')

/** One page of runs, newest first, filtered on the server. */
export function useExecutionList(filters: ExecutionFilters) {
  return useQuery({
    queryKey: executionKeys.list(filters),
    queryFn: ({ signal }) =>
      unwrap(
        typedApi.GET('/api/v1/executions/', {
          params: {
            query: {
              workspace: filters.workspace,
              status: filters.status,
              mode: filters.mode,
              workflow: filters.workflow,
              cursor: cursorOf(filters.page),
              page_size: PAGE_SIZE,
            },
          },
          signal,
        }),
      ) as Promise<CursorPage<Execution>>,
    placeholderData: keepPreviousData,
    // Runs change state by themselves; keep the list fresh while someone watches it.
    refetchInterval: (query) =>
      query.state.data?.results.some((run) => !isFinished(run.status)) ? 3000 : false,
  })
}

export function useExecution(id: string) {
  return useQuery({
    queryKey: executionKeys.detail(id),
    queryFn: ({ signal }) => fetchExecution(id, signal),
  })
}

/** Every step of a run (the endpoint pages them: a loop may have thousands). */
export async function fetchAllSteps(id: string, signal?: AbortSignal): Promise<ExecutionStep[]> {
  const steps: ExecutionStep[] = []
  for (let page = 1; page <= 50; page += 1) {
    const answer = (await unwrap(
      typedApi.GET('/api/v1/executions/{id}/steps/', {
        params: { path: { id }, query: { page, page_size: 200 } },
        signal,
      }),
    )) as Paginated<ExecutionStep>
    steps.push(...answer.results)
    if (!answer.next) break
  }
  return steps
}

/** The schema types the graph as any object; the canvas needs nodes and edges. */
function asGraph(value: unknown): WorkflowGraph | null {
  if (!value || typeof value !== 'object') return null
  const { nodes, edges } = value as Partial<WorkflowGraph>
  return Array.isArray(nodes) && Array.isArray(edges) ? { nodes, edges } : null
}

export async function fetchExecution(id: string, signal?: AbortSignal): Promise<ExecutionDetail> {
  const raw = await unwrap(
    typedApi.GET('/api/v1/executions/{id}/', { params: { path: { id } }, signal }),
  )
  return { ...(raw as Execution), graph: asGraph(raw.graph) }
}

export function useExecutionLogs(id: string, live: boolean) {
  return useQuery({
    queryKey: executionKeys.logs(id),
    queryFn: ({ signal }) =>
      unwrap(
        typedApi.GET('/api/v1/executions/{id}/logs/', { params: { path: { id } }, signal }),
      ) as Promise<ExecutionLog[]>,
    refetchInterval: live ? 2000 : false,
  })
}

export function useCancelExecution(id: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: () =>
      unwrap(
        typedApi.POST('/api/v1/executions/{id}/cancel/', { params: { path: { id } } }),
      ) as Promise<Execution>,
    onSuccess: (execution) => {
      client.setQueryData<ExecutionDetail>(executionKeys.detail(id), (old) =>
        old ? { ...old, ...execution } : old,
      )
      void client.invalidateQueries({ queryKey: executionKeys.lists() })
    },
  })
}

/** Run again from the start, or from `fromNode` reusing what ran upstream of it. */
export function useRerunExecution(id: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (fromNode: string = '') =>
      unwrap(
        typedApi.POST('/api/v1/executions/{id}/rerun/', {
          params: { path: { id } },
          body: { from_node: fromNode },
        }),
      ) as Promise<Execution>,
    onSuccess: () => void client.invalidateQueries({ queryKey: executionKeys.lists() }),
  })
}
