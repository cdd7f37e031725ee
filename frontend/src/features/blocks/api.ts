import { useQuery } from '@tanstack/react-query'
import { api } from '@/api/client'
import type { BlockCatalog, BlockSpec } from '@/api/types'

export interface BlockIndex {
  catalog: BlockCatalog
  /** The spec for a node: its pinned version if listed, else the newest non-deprecated one. */
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

/** The catalogue, deprecated blocks included so saved nodes that use them still render. */
export function useBlocks() {
  return useQuery({
    queryKey: ['blocks'],
    queryFn: ({ signal }) =>
      api.get<BlockCatalog>('/api/v1/blocks/', { deprecated: 'true' }, signal),
    select: indexBlocks,
    staleTime: 10 * 60_000,
  })
}

/**
 * The spec a node is pinned to. The catalogue lists only each block's latest version, so an
 * older pin is fetched on its own; until then (or if that fails) the latest stands in.
 */
export function useBlockSpec(key: string, version?: string | number) {
  const blocks = useBlocks()
  const listed = blocks.data?.find(key, version)
  const exact = listed && (version === undefined || String(listed.version) === String(version))
  const needDetail = blocks.isSuccess && !exact && version !== undefined
  const detail = useQuery({
    queryKey: ['blocks', key, String(version)],
    queryFn: ({ signal }) =>
      api.get<BlockSpec>(`/api/v1/blocks/${encodeURIComponent(key)}/`, { version }, signal),
    enabled: needDetail,
    staleTime: Infinity,
    retry: false,
  })
  return {
    block: exact ? listed : (detail.data ?? listed),
    isPending: blocks.isPending || (needDetail && detail.isPending),
  }
}
