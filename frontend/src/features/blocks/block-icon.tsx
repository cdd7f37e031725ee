import {
  Binary,
  Bot,
  Clock,
  Code,
  Database,
  Filter,
  GitBranch,
  GitMerge,
  Globe,
  Hourglass,
  LogOut,
  Mail,
  MessageSquare,
  OctagonX,
  Pause,
  Play,
  Plug,
  RefreshCw,
  Repeat,
  Reply,
  Server,
  Shuffle,
  Sigma,
  Signpost,
  Sparkles,
  Split,
  TriangleAlert,
  Variable,
  Webhook,
  Workflow,
  type LucideIcon,
} from 'lucide-react'
import { categoryColor, iconName, resolveIcon } from '@/lib/block-visuals'

// The registry names icons; they are drawn from lucide's SVGs (emoji depend on the system fonts).
const ICONS: Record<string, LucideIcon> = {
  'alert-triangle': TriangleAlert,
  ai: Sparkles,
  binary: Binary,
  bot: Bot,
  branch: GitBranch,
  clock: Clock,
  code: Code,
  condition: GitBranch,
  cron: Clock,
  database: Database,
  delay: Hourglass,
  email: Mail,
  filter: Filter,
  'git-branch': GitBranch,
  'git-merge': GitMerge,
  globe: Globe,
  http: Globe,
  'log-out': LogOut,
  mail: Mail,
  manual: Play,
  'message-square': MessageSquare,
  octagon: OctagonX,
  pause: Pause,
  play: Play,
  plug: Plug,
  refresh: RefreshCw,
  repeat: Repeat,
  reply: Reply,
  schedule: Clock,
  server: Server,
  shuffle: Shuffle,
  sigma: Sigma,
  signpost: Signpost,
  split: Split,
  transform: Shuffle,
  variable: Variable,
  wait: Hourglass,
  webhook: Webhook,
  workflow: Workflow,
}

export function BlockIcon({
  icon,
  title,
  category,
}: {
  icon?: string
  title: string
  category?: string
}) {
  const Svg = ICONS[iconName(icon)]
  const resolved = resolveIcon(icon, title)
  return (
    <span className="block-icon" style={{ background: categoryColor(category) }} aria-hidden="true">
      {Svg ? (
        <Svg size={15} strokeWidth={2.25} />
      ) : resolved.kind === 'image' ? (
        <img src={resolved.src} alt="" />
      ) : (
        resolved.text
      )}
    </span>
  )
}
