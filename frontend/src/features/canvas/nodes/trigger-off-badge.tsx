// "Off" on a trigger node whose trigger is switched off (its panel's switch), so a canvas
// that looks ready does not hide that nothing will start it.
import { PowerOff } from 'lucide-react'
import { useWorkflowTriggers } from '@/features/triggers/api'
import { useCanvasStore } from '../store'

export function TriggerOffBadge({ nodeId }: { nodeId: string }) {
  const workflowId = useCanvasStore((s) => s.workflowId)
  // One query per workflow, shared by its trigger nodes and their panels.
  const triggers = useWorkflowTriggers(workflowId ?? '', Boolean(workflowId))
  const trigger = triggers.data?.find((t) => t.node_id === nodeId)
  if (!trigger || trigger.enabled) return null
  return (
    <span
      className="block-node__off"
      title="Switched off: its webhook answers 409, schedules and polls skip it."
    >
      <PowerOff size={12} aria-hidden="true" />
      Off
    </span>
  )
}
