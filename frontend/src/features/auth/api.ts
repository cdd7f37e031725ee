import { useMutation, useQuery } from '@tanstack/react-query'
import { api, loginUrl } from '@/api/client'
import type { Me } from '@/api/types'

export const meKey = ['me'] as const

export function useMe() {
  return useQuery({
    queryKey: meKey,
    queryFn: ({ signal }) => api.get<Me>('/api/v1/me/', undefined, signal),
    staleTime: 5 * 60_000,
  })
}

export function useLogout() {
  return useMutation({
    mutationFn: () => api.post<unknown>('/accounts/logout/'),
    // Django answers a logout with a redirect page, not JSON; either way the session is gone.
    onSettled: () => window.location.assign(loginUrl('/app/')),
  })
}
