import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { typedApi, unwrap } from '@/api/typed-client'
import type { Member, MemberRole } from '@/api/types'
import { meKey } from '@/features/auth/api'

export const memberKeys = {
  all: ['members'] as const,
  list: (workspaceId: string) => [...memberKeys.all, workspaceId] as const,
}

export function useMembers(workspaceId: string) {
  return useQuery({
    queryKey: memberKeys.list(workspaceId),
    queryFn: ({ signal }) =>
      unwrap(
        typedApi.GET('/api/v1/workspaces/{id}/members/', {
          params: { path: { id: workspaceId } },
          signal,
        }),
      ) as Promise<Member[]>,
  })
}

/** After any change the list refetches; so does /me, since the caller's own role may change. */
function useRefresh(workspaceId: string) {
  const client = useQueryClient()
  return () => {
    void client.invalidateQueries({ queryKey: memberKeys.list(workspaceId) })
    void client.invalidateQueries({ queryKey: meKey })
  }
}

export function useInviteMember(workspaceId: string) {
  const refresh = useRefresh(workspaceId)
  return useMutation({
    mutationFn: (input: { user: string; role: MemberRole }) =>
      unwrap(
        typedApi.POST('/api/v1/workspaces/{id}/members/', {
          params: { path: { id: workspaceId } },
          body: input,
        }),
      ) as Promise<Member>,
    onSuccess: refresh,
  })
}

export function useChangeRole(workspaceId: string) {
  const refresh = useRefresh(workspaceId)
  return useMutation({
    mutationFn: ({ member, role }: { member: Member; role: MemberRole }) =>
      unwrap(
        typedApi.PATCH('/api/v1/workspaces/{id}/members/{membership_id}/', {
          params: { path: { id: workspaceId, membership_id: String(member.id) } },
          body: { role },
        }),
      ) as Promise<Member>,
    onSettled: refresh,
  })
}

export function useRemoveMember(workspaceId: string) {
  const refresh = useRefresh(workspaceId)
  return useMutation({
    mutationFn: (member: Member) =>
      unwrap(
        typedApi.DELETE('/api/v1/workspaces/{id}/members/{membership_id}/', {
          params: { path: { id: workspaceId, membership_id: String(member.id) } },
        }),
      ),
    onSuccess: refresh,
  })
}
