import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { typedApi, unwrap } from '@/api/typed-client'
import type { PreviewData } from '@/features/expressions/scope'
import { useDebounced } from '@/lib/use-debounced'

/** The request an HTTP node's config will send, built by the server as a run builds it
 * (masked), once typing has paused; the previous answer stays while the next one loads. */
export function useRequestPreview(
  workspaceId: string | null,
  config: Record<string, unknown>,
  data: PreviewData | null,
) {
  // Compared as text: a new object each render would restart the timer forever.
  const settled = useDebounced(JSON.stringify({ config, data }), 400)
  const debounced = JSON.parse(settled) as { config: Record<string, unknown>; data: unknown }
  const url = debounced.config.url
  return useQuery({
    queryKey: ['http-request-preview', workspaceId, settled],
    enabled: workspaceId !== null && typeof url === 'string' && url.trim() !== '',
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 30_000,
    queryFn: ({ signal }) =>
      unwrap(
        typedApi.POST('/api/v1/blocks/http_request/preview-request/', {
          body: {
            workspace: workspaceId ?? '',
            config: debounced.config,
            data: debounced.data as PreviewData | null,
          },
          signal,
        }),
      ),
  })
}
