import type { ExecutionStatus, StepStatus } from '@/api/types'

export const MODE_LABELS: Record<string, string> = {
  manual: 'Manual',
  api: 'API',
  test: 'Test (draft)',
  webhook: 'Webhook',
  schedule: 'Schedule',
  poll: 'Polling',
  retry: 'Re-run',
  sub: 'Sub-workflow',
}

const STATUS_LABELS: Record<ExecutionStatus | StepStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  waiting: 'Waiting',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  skipped: 'Skipped',
}

export const statusLabel = (status: ExecutionStatus | StepStatus) => STATUS_LABELS[status] ?? status
