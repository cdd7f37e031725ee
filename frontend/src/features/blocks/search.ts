import type { BlockSpec } from '@/api/types'

/** A block matches a query by its title, key or description (the palette and the edge "+"). */
export function blockMatches(block: BlockSpec, query: string): boolean {
  const q = query.trim().toLowerCase()
  return !q || `${block.title} ${block.key} ${block.description}`.toLowerCase().includes(q)
}
