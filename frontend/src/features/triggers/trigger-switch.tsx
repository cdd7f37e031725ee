// A trigger's on/off switch. Off, the published workflow stays published: its webhook URL
// refuses deliveries and its schedule or poll starts nothing, while manual and API runs
// still work. The server keeps the switch across republishes.
import type { Trigger } from '@/api/types'
import { ErrorMessage } from '@/components/ui/feedback'
import { useSwitchTrigger } from './api'

const OFF_EFFECT: Record<string, string> = {
  webhook: 'Its URL refuses deliveries (HTTP 409) and stores nothing.',
  schedule: 'Scheduled runs are skipped; switched on, it fires from the next due time.',
  poll: 'The source is not polled.',
}

export function TriggerSwitch({ workflowId, trigger }: { workflowId: string; trigger: Trigger }) {
  const switchTrigger = useSwitchTrigger(workflowId)
  const enabled = trigger.enabled ?? true
  return (
    <div className="trigger-switch">
      <label className="trigger-switch__control">
        <input
          type="checkbox"
          role="switch"
          checked={enabled}
          disabled={switchTrigger.isPending}
          onChange={(event) =>
            switchTrigger.mutate({ triggerId: trigger.id, enabled: event.target.checked })
          }
        />
        Trigger on
      </label>
      {!enabled && (
        <p className="muted">{OFF_EFFECT[trigger.kind] ?? ''} Manual and API runs still work.</p>
      )}
      {switchTrigger.isError && <ErrorMessage error={switchTrigger.error} />}
    </div>
  )
}
