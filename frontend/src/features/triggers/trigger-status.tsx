// A trigger node's live state: whether it is on, when it last fired, when it fires next and
// its recent errors (kept by the server, newest first), with the on/off switch for editors.
// Nothing here exists before the workflow is published or test-armed, which the empty
// state says.
import { AlertTriangle, CircleCheck, CirclePause, PowerOff } from 'lucide-react'
import type { Trigger } from '@/api/types'
import { ErrorMessage } from '@/components/ui/feedback'
import { formatDateTime, formatRelative } from '@/lib/format'
import { useWorkflowTriggers } from './api'
import { TriggerSwitch } from './trigger-switch'

const STATUS = {
  active: { icon: CircleCheck, text: 'On: it starts runs' },
  failing: { icon: AlertTriangle, text: 'On, but failing' },
  inactive: { icon: CirclePause, text: 'Off: publish the workflow to turn it on' },
  disabled: { icon: PowerOff, text: 'Switched off: it starts no runs' },
} as const

interface RecentError {
  at: string
  message: string
}

export function TriggerStatus({
  workflowId,
  nodeId,
  canSwitch = false,
}: {
  workflowId: string
  nodeId: string
  /** Editors switch the trigger off and on; viewers and run pages only see its state. */
  canSwitch?: boolean
}) {
  const triggers = useWorkflowTriggers(workflowId)
  const trigger = triggers.data?.find((t) => t.node_id === nodeId)
  return (
    <section className="trigger-status" aria-label="Trigger status">
      <h3>Status</h3>
      {triggers.isPending ? (
        <p className="muted">Loading…</p>
      ) : triggers.isError ? (
        <ErrorMessage error={triggers.error} onRetry={() => void triggers.refetch()} />
      ) : trigger ? (
        <>
          {canSwitch && <TriggerSwitch workflowId={workflowId} trigger={trigger} />}
          <Details trigger={trigger} />
        </>
      ) : (
        <p className="muted">
          Not live yet: this trigger starts runs once the workflow is published.
        </p>
      )}
    </section>
  )
}

function Details({ trigger }: { trigger: Trigger }) {
  const status = STATUS[trigger.status as keyof typeof STATUS] ?? STATUS.inactive
  const Icon = status.icon
  // A computed field: the schema leaves its type open.
  const lastFired = typeof trigger.last_fired_at === 'string' ? trigger.last_fired_at : null
  const errors = (
    Array.isArray(trigger.recent_errors) ? trigger.recent_errors : []
  ) as RecentError[]
  return (
    <>
      <p className={`trigger-status__state trigger-status__state--${trigger.status}`}>
        <Icon size={14} aria-hidden="true" /> {status.text}
      </p>
      <dl className="trigger-status__facts">
        <dt>Last fired</dt>
        <dd>
          {lastFired ? (
            <time dateTime={lastFired} title={formatDateTime(lastFired)}>
              {formatRelative(lastFired)}
            </time>
          ) : (
            'Never'
          )}
        </dd>
        {trigger.next_fire_at && (
          <>
            <dt>Next fire</dt>
            <dd>
              <time dateTime={trigger.next_fire_at}>{formatDateTime(trigger.next_fire_at)}</time>
            </dd>
          </>
        )}
      </dl>
      <h4>Recent errors</h4>
      {errors.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul className="trigger-status__errors" aria-label="Recent errors">
          {errors.map((error) => (
            <li key={error.at + error.message}>
              <time dateTime={error.at}>{formatDateTime(error.at)}</time>: {error.message}
            </li>
          ))}
        </ul>
      )}
    </>
  )
}
