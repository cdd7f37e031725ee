import { useQuery } from '@tanstack/react-query'
import { api } from '@/api/client'
import type { BlockCatalog, BlockSpec } from '@/api/types'

export interface BlockIndex {
  catalog: BlockCatalog
  /** The spec for a node: its pinned version if given, else the newest non-deprecated one. */
  find: (key: string, version?: string | number) => BlockSpec | undefined
}

export function indexBlocks(catalog: BlockCatalog): BlockIndex {
  const exact = new Map<string, BlockSpec>()
  const latest = new Map<string, BlockSpec>()
  for (const category of catalog.categories) {
    for (const block of category.blocks) {
      exact.set(`${block.key}@${block.version}`, block)
      const current = latest.get(block.key)
      const newer =
        !current ||
        (current.deprecated && !block.deprecated) ||
        (current.deprecated === block.deprecated && Number(block.version) > Number(current.version))
      if (newer) latest.set(block.key, block)
    }
  }
  return {
    catalog,
    find: (key, version) =>
      (version === undefined ? undefined : exact.get(`${key}@${version}`)) ?? latest.get(key),
  }
}

export function useBlocks() {
  return useQuery({
    queryKey: ['blocks'],
    queryFn: ({ signal }) => api.get<BlockCatalog>('/api/v1/blocks/', undefined, signal),
    select: indexBlocks,
    staleTime: 10 * 60_000,
  })
}
