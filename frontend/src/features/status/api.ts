import { keepPreviousData, useQuery } from '@tanstack/react-query'
import type { components } from '@/api/generated/schema'
import { typedApi, unwrap } from '@/api/typed-client'
import { rangeWindow, type RangeKey } from './range'

type Schemas = components['schemas']

export type StatusReport = Schemas['StatusOutput']
export type ConnectorStatus = Schemas['ConnectorStatusOutput']
export type McpServerStatus = Schemas['McpServerStatusOutput']
export type CallFigures = Schemas['FiguresOutput']
export type Connection = Schemas['ConnectionOutput']
export type Series = Schemas['SeriesOutput']

export const statusKeys = {
  all: ['connector-status'] as const,
  list: (workspaceId: string, range: RangeKey) => [...statusKeys.all, workspaceId, range] as const,
  series: (workspaceId: string, slug: string, range: RangeKey) =>
    [...statusKeys.all, workspaceId, range, 'series', slug] as const,
}

// Figures move while calls happen: refresh every half minute while the page is open.
const REFRESH_MS = 30_000

/** The workspace's connected connectors with their calls over the range (ends now). */
export function useConnectorStatus(workspaceId: string, range: RangeKey) {
  return useQuery({
    queryKey: statusKeys.list(workspaceId, range),
    queryFn: ({ signal }) =>
      unwrap(
        typedApi.GET('/api/v1/connectors/status/', {
          params: { query: { workspace: workspaceId, ...rangeWindow(range) } },
          signal,
        }),
      ) as Promise<StatusReport>,
    refetchInterval: REFRESH_MS,
    placeholderData: keepPreviousData,
  })
}

/** One connector's calls per step over the range, and its latest failing minutes. */
export function useConnectorSeries(workspaceId: string, slug: string, range: RangeKey) {
  return useQuery({
    queryKey: statusKeys.series(workspaceId, slug, range),
    queryFn: ({ signal }) =>
      unwrap(
        typedApi.GET('/api/v1/connectors/status/{slug}/series/', {
          params: { path: { slug }, query: { workspace: workspaceId, ...rangeWindow(range) } },
          signal,
        }),
      ) as Promise<Series>,
    refetchInterval: REFRESH_MS,
  })
}
