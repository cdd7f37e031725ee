import {
  Ban,
  CircleCheck,
  CircleDashed,
  CircleX,
  Clock,
  LoaderCircle,
  PauseCircle,
  type LucideIcon,
} from 'lucide-react'
import type { ExecutionStatus, StepStatus } from '@/api/types'
import { statusLabel } from './labels'

type AnyStatus = ExecutionStatus | StepStatus

const ICONS: Record<AnyStatus, LucideIcon> = {
  queued: Clock,
  running: LoaderCircle,
  waiting: PauseCircle,
  succeeded: CircleCheck,
  failed: CircleX,
  cancelled: Ban,
  skipped: CircleDashed,
}

export function StatusIcon({ status, size = 14 }: { status: AnyStatus; size?: number }) {
  const Icon = ICONS[status] ?? CircleDashed
  return (
    <Icon
      size={size}
      aria-hidden="true"
      className={status === 'running' ? 'spin' : undefined}
      strokeWidth={2.25}
    />
  )
}

export function StatusBadge({ status }: { status: AnyStatus }) {
  return (
    <span className={`run-status run-status--${status}`}>
      <StatusIcon status={status} />
      {statusLabel(status)}
    </span>
  )
}
