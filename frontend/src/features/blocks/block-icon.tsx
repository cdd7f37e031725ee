import { categoryColor, resolveIcon } from '@/lib/block-visuals'

export function BlockIcon({
  icon,
  title,
  category,
}: {
  icon?: string
  title: string
  category?: string
}) {
  const resolved = resolveIcon(icon, title)
  return (
    <span className="block-icon" style={{ background: categoryColor(category) }} aria-hidden="true">
      {resolved.kind === 'image' ? <img src={resolved.src} alt="" /> : resolved.text}
    </span>
  )
}
