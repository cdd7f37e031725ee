import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { typedApi, unwrap } from '@/api/typed-client'
import type { Credential } from '@/api/types'
import { useCredentials } from '@/features/credentials/api'
import type {
  CategoryCount,
  ConnectorCategory,
  ConnectorDetail,
  ConnectorSort,
  ConnectorSummary,
  Operation,
} from './types'

export interface ConnectorFilters {
  workspace: string
  search: string
  category?: ConnectorCategory
  sort: ConnectorSort
}

export const connectorKeys = {
  all: ['connectors'] as const,
  lists: () => [...connectorKeys.all, 'list'] as const,
  list: (filters: ConnectorFilters) => [...connectorKeys.lists(), filters] as const,
  categories: () => [...connectorKeys.all, 'categories'] as const,
  detail: (slug: string, workspace: string) =>
    [...connectorKeys.all, 'detail', slug, workspace] as const,
  operations: (slug: string, search: string) =>
    [...connectorKeys.all, 'detail', slug, 'operations', search] as const,
  operation: (slug: string, key: string) =>
    [...connectorKeys.all, 'detail', slug, 'operation', key] as const,
}

export const CONNECTOR_PAGE_SIZE = 48
export const OPERATION_PAGE_SIZE = 25

const ORDERING: Record<ConnectorSort, string> = { popular: '-popularity,name', name: 'name' }

/** Pages of the catalogue for the browser; `connected` is about `filters.workspace`. */
export function useConnectorList(filters: ConnectorFilters) {
  return useInfiniteQuery({
    queryKey: connectorKeys.list(filters),
    enabled: filters.workspace !== '',
    initialPageParam: 1,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        typedApi.GET('/api/v1/connectors/', {
          params: {
            query: {
              workspace: filters.workspace,
              search: filters.search.trim() || undefined,
              category: filters.category ? [filters.category] : undefined,
              ordering: ORDERING[filters.sort],
              page: pageParam,
              page_size: CONNECTOR_PAGE_SIZE,
            },
          },
          signal,
        }),
      ),
    getNextPageParam: (page, pages) => (page.next ? pages.length + 1 : undefined),
    select: (data) => ({
      count: data.pages[0]?.count ?? 0,
      connectors: data.pages.flatMap((page) => page.results) as ConnectorSummary[],
    }),
    // While the search is typed, keep the last results on screen instead of a spinner.
    placeholderData: keepPreviousData,
  })
}

export function useConnectorCategories() {
  return useQuery({
    queryKey: connectorKeys.categories(),
    queryFn: ({ signal }) =>
      unwrap(typedApi.GET('/api/v1/connectors/categories/', { signal })) as Promise<
        CategoryCount[]
      >,
    staleTime: 5 * 60_000,
  })
}

export function useConnector(slug: string, workspace: string) {
  return useQuery({
    queryKey: connectorKeys.detail(slug, workspace),
    enabled: slug !== '' && workspace !== '',
    queryFn: async ({ signal }) =>
      (await unwrap(
        typedApi.GET('/api/v1/connectors/{slug}/', {
          params: { path: { slug }, query: { workspace } },
          signal,
        }),
      )) as unknown as ConnectorDetail,
  })
}

/** The connector's operations, searched on the server, a page at a time. */
export function useConnectorOperations(slug: string, search: string) {
  return useInfiniteQuery({
    queryKey: connectorKeys.operations(slug, search.trim()),
    enabled: slug !== '',
    initialPageParam: 1,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        typedApi.GET('/api/v1/connectors/{slug}/operations/', {
          params: {
            path: { slug },
            query: {
              search: search.trim() || undefined,
              page: pageParam,
              page_size: OPERATION_PAGE_SIZE,
            },
          },
          signal,
        }),
      ),
    getNextPageParam: (page, pages) => (page.next ? pages.length + 1 : undefined),
    select: (data) => ({
      count: data.pages[0]?.count ?? 0,
      operations: data.pages.flatMap((page) => page.results) as unknown as Operation[],
    }),
    placeholderData: keepPreviousData,
  })
}

/** One operation with its parameter schema (a node's form is built from it). */
export function useConnectorOperation(slug: string, key: string) {
  return useQuery({
    queryKey: connectorKeys.operation(slug, key),
    enabled: slug !== '' && key !== '',
    queryFn: async ({ signal }) =>
      (await unwrap(
        typedApi.GET('/api/v1/connectors/{slug}/operations/{key}/', {
          params: { path: { slug, key } },
          signal,
        }),
      )) as unknown as Operation,
    staleTime: 5 * 60_000,
  })
}

/** The workspace's credentials for `connector` (made for it) and for any (made for none);
 * with no connector, all of them are `unbound`. */
export function useCredentialsFor(workspace: string, connector: string) {
  const credentials = useCredentials(workspace)
  const all: Credential[] = credentials.data?.pages.flatMap((page) => page.results) ?? []
  const bound = connector ? all.filter((c) => c.connector === connector) : []
  const unbound = connector ? all.filter((c) => !c.connector) : all
  return { credentials, bound, unbound }
}
