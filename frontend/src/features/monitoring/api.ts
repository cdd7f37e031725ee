// Monitoring aggregates of the current workspace, one query per page section so each shows
// its own loading and error state. The server buckets and ranks; nothing is computed here
// beyond chart shaping (shape.ts).
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { typedApi, unwrap } from '@/api/typed-client'
import type { components } from '@/api/generated/schema'

type Schemas = components['schemas']
export type Timeline = Required<Schemas['TimelineOutput']>
export type TimelineBucket = Required<Schemas['TimelineBucketOutput']>
export type WorkflowDuration = Required<Schemas['WorkflowDurationOutput']>
export type BlockDuration = Required<Schemas['BlockDurationOutput']>
export type FailingNode = Required<Schemas['FailingNodeOutput']>
export type Backlog = Required<Schemas['BacklogOutput']>
export type BacklogWorkflow = Required<Schemas['BacklogWorkflowOutput']>

export interface MonitoringWindow {
  workspace: string
  from: string
  to: string
}

export const monitoringKeys = {
  all: ['monitoring'] as const,
  section: (name: string, window: MonitoringWindow | { workspace: string }) =>
    [...monitoringKeys.all, name, window] as const,
}

// Aggregates of many runs: a minute-old answer is fresh enough, and the page has Refresh.
const STALE_MS = 60_000

export function useTimeline(window: MonitoringWindow) {
  return useQuery({
    queryKey: monitoringKeys.section('timeline', window),
    queryFn: ({ signal }) =>
      unwrap(typedApi.GET('/api/v1/monitoring/timeline/', { params: { query: window }, signal })),
    placeholderData: keepPreviousData,
    staleTime: STALE_MS,
    select: (data) => data as Timeline,
  })
}

export function useWorkflowDurations(window: MonitoringWindow) {
  return useQuery({
    queryKey: monitoringKeys.section('workflows', window),
    queryFn: ({ signal }) =>
      unwrap(typedApi.GET('/api/v1/monitoring/workflows/', { params: { query: window }, signal })),
    placeholderData: keepPreviousData,
    staleTime: STALE_MS,
    select: (data) => data as WorkflowDuration[],
  })
}

export function useBlockDurations(window: MonitoringWindow) {
  return useQuery({
    queryKey: monitoringKeys.section('blocks', window),
    queryFn: ({ signal }) =>
      unwrap(typedApi.GET('/api/v1/monitoring/blocks/', { params: { query: window }, signal })),
    placeholderData: keepPreviousData,
    staleTime: STALE_MS,
    select: (data) => data as BlockDuration[],
  })
}

export function useFailingNodes(window: MonitoringWindow) {
  return useQuery({
    queryKey: monitoringKeys.section('failing-nodes', window),
    queryFn: ({ signal }) =>
      unwrap(
        typedApi.GET('/api/v1/monitoring/failing-nodes/', { params: { query: window }, signal }),
      ),
    placeholderData: keepPreviousData,
    staleTime: STALE_MS,
    select: (data) => data as FailingNode[],
  })
}

export function useBacklog(workspace: string, refresh: number) {
  return useQuery({
    queryKey: [...monitoringKeys.section('backlog', { workspace }), refresh],
    queryFn: ({ signal }) =>
      unwrap(
        typedApi.GET('/api/v1/monitoring/backlog/', { params: { query: { workspace } }, signal }),
      ),
    placeholderData: keepPreviousData,
    select: (data) => data as Backlog,
  })
}
