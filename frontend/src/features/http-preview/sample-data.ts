// The sample an HTTP node's expressions are previewed on: its expression scope's data (what
// is pinned for the node's test first, else the last run's), as for every other preview.
// Null when that holds nothing: the preview then shows expressions as typed.
import type { PreviewData } from '@/features/expressions/scope'

export function previewSample(data: PreviewData): PreviewData | null {
  const empty =
    (data.trigger === null || data.trigger === undefined) &&
    Object.keys(data.nodes).length === 0 &&
    Object.keys(data.vars).length === 0
  return empty ? null : data
}
