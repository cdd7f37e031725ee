// Presentation of blocks that the registry does not carry: category colours and icon fallbacks.

const CATEGORY_COLORS: Record<string, string> = {
  trigger: '#d97706',
  triggers: '#d97706',
  logic: '#7c3aed',
  flow: '#7c3aed',
  control: '#7c3aed',
  data: '#0891b2',
  transform: '#0891b2',
  network: '#2563eb',
  http: '#2563eb',
  integration: '#16a34a',
  integrations: '#16a34a',
  connectors: '#16a34a',
  ai: '#db2777',
  ai_agent: '#db2777',
  llm: '#db2777',
  embedding: '#be185d',
  vector_store: '#be185d',
  webhook: '#d97706',
  oauth: '#0f766e',
  condition: '#7c3aed',
  loop: '#6d28d9',
  parallel: '#6d28d9',
  delay: '#a16207',
  filter: '#0e7490',
  aggregate: '#0e7490',
  utility: '#64748b',
  utilities: '#64748b',
}

/** A stable colour per category: a fixed one for common keys, else one derived from the key. */
export function categoryColor(category: string | undefined): string {
  if (!category) return '#64748b'
  const known = CATEGORY_COLORS[category.toLowerCase()]
  if (known) return known
  let hash = 0
  for (const char of category) hash = (hash * 31 + char.charCodeAt(0)) >>> 0
  return `hsl(${hash % 360} 60% 42%)`
}

export type BlockIcon = { kind: 'image'; src: string } | { kind: 'glyph'; text: string }

/** The registry's icon name without a library prefix ("lucide:clock" → "clock"). */
export function iconName(icon: string | undefined): string {
  return (icon ?? '')
    .trim()
    .toLowerCase()
    .replace(/^(lucide|mdi|fa)[-:]/, '')
}

/** A URL becomes an image, a short glyph is shown as is, else the title's initial. Named icons
 * are drawn by features/blocks/block-icon.tsx from an SVG icon set before this is asked. */
export function resolveIcon(icon: string | undefined, title: string): BlockIcon {
  const value = (icon ?? '').trim()
  if (/^(https?:\/\/|\/|data:image\/)/.test(value)) return { kind: 'image', src: value }
  if (value && [...value].length <= 2 && /[^\x20-\x7e]/.test(value))
    return { kind: 'glyph', text: value }
  return { kind: 'glyph', text: (title.trim().charAt(0) || '?').toUpperCase() }
}
