import { useQuery } from '@tanstack/react-query'
import { typedApi, unwrap } from '@/api/typed-client'
import { useDebounced } from '@/lib/use-debounced'
import type { PreviewData } from './scope'
import { referencedNodes } from './references'

/** Only what the template reads goes to the server: the trigger and the nodes it names. */
export function previewPayload(template: string, data: PreviewData): PreviewData {
  const nodes = Object.fromEntries(
    referencedNodes(template)
      .filter((id) => id in data.nodes)
      .map((id) => [id, data.nodes[id]]),
  )
  return { trigger: data.trigger, nodes, vars: data.vars }
}

/** The server's value of a template on the scope's data, once typing has paused. */
export function useExpressionPreview(
  workspaceId: string | null,
  template: string,
  data: PreviewData,
) {
  const debounced = useDebounced(template, 400)
  const payload = previewPayload(debounced, data)
  return useQuery({
    queryKey: ['expression-preview', workspaceId, debounced, payload],
    enabled: workspaceId !== null && debounced.includes('{{'),
    queryFn: ({ signal }) =>
      unwrap(
        typedApi.POST('/api/v1/expressions/preview/', {
          body: { workspace: workspaceId ?? '', template: debounced, data: payload },
          signal,
        }),
      ),
    retry: false,
    staleTime: 60_000,
  })
}
