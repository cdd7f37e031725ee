import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { typedApi, unwrap } from '@/api/typed-client'
import type { Credential, CredentialTestResult, CredentialUsage, Paginated } from '@/api/types'

export const credentialKeys = {
  all: ['credentials'] as const,
  lists: () => [...credentialKeys.all, 'list'] as const,
  list: (workspaceId: string) => [...credentialKeys.lists(), workspaceId] as const,
  usage: (id: string) => [...credentialKeys.all, 'usage', id] as const,
}

export const PAGE_SIZE = 50

/** The workspace's credentials by name, page by page (metadata only: secrets never come back). */
export function useCredentials(workspaceId: string) {
  return useInfiniteQuery({
    queryKey: credentialKeys.list(workspaceId),
    initialPageParam: 1,
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        typedApi.GET('/api/v1/credentials/', {
          params: {
            query: {
              workspace: workspaceId,
              ordering: 'name',
              page: pageParam,
              page_size: PAGE_SIZE,
            },
          },
          signal,
        }),
      ) as Promise<Paginated<Credential>>,
    getNextPageParam: (page, pages) => (page.next ? pages.length + 1 : undefined),
  })
}

/** The workflows whose draft or live version uses the credential. */
export function useCredentialUsage(id: string) {
  return useQuery({
    queryKey: credentialKeys.usage(id),
    queryFn: ({ signal }) =>
      unwrap(
        typedApi.GET('/api/v1/credentials/{id}/usage/', { params: { path: { id } }, signal }),
      ) as Promise<CredentialUsage[]>,
  })
}

export function useRefreshList() {
  const client = useQueryClient()
  return () => void client.invalidateQueries({ queryKey: credentialKeys.lists() })
}

export function useDeleteCredential() {
  const refresh = useRefreshList()
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(typedApi.DELETE('/api/v1/credentials/{id}/', { params: { path: { id } } })),
    onSuccess: refresh,
  })
}

/** Replaces the given secret fields; the others are kept. The answer carries no secret. */
export function useReplaceSecret(id: string) {
  const refresh = useRefreshList()
  return useMutation({
    mutationFn: (secret: Record<string, string>) =>
      unwrap(
        typedApi.PATCH('/api/v1/credentials/{id}/', {
          params: { path: { id } },
          body: { secret },
        }),
      ) as Promise<Credential>,
    onSuccess: refresh,
  })
}

export function useTestCredential(id: string) {
  const refresh = useRefreshList()
  return useMutation({
    mutationFn: () =>
      unwrap(
        typedApi.POST('/api/v1/credentials/{id}/test/', {
          params: { path: { id } },
          body: {},
        }),
      ) as Promise<CredentialTestResult>,
    // A test records its outcome on the credential (status, last error).
    onSettled: refresh,
  })
}
