// A webhook trigger node's URLs: the production URL (runs the published version) and the
// test URL (runs the draft, for a limited time). Editors only: the server withholds both
// from viewers, since either starts runs.
import { ErrorMessage } from '@/components/ui/feedback'
import { formatRelative } from '@/lib/format'
import { useArmDraftTrigger, useWorkflowTriggers } from './api'
import { CopyField } from './copy-field'
import { SecretRotate } from './secret-rotate'

export function WebhookUrls({ workflowId, nodeId }: { workflowId: string; nodeId: string }) {
  const triggers = useWorkflowTriggers(workflowId)
  const arm = useArmDraftTrigger(workflowId)
  const trigger = triggers.data?.find((t) => t.node_id === nodeId && t.kind === 'webhook')
  const secret = arm.data?.signing_secret

  return (
    <section className="webhook-urls" aria-label="Webhook URLs">
      <h3>Webhook URLs</h3>
      {triggers.isPending ? (
        <p className="muted">Loading…</p>
      ) : triggers.isError ? (
        <ErrorMessage error={triggers.error} onRetry={() => void triggers.refetch()} />
      ) : (
        <>
          {trigger?.webhook_url ? (
            <>
              <CopyField label="Production URL" value={trigger.webhook_url} />
              {!trigger.is_active && (
                <p className="muted">Not live yet: it runs once the workflow is published.</p>
              )}
            </>
          ) : (
            <p className="muted">The production URL appears once the workflow is published.</p>
          )}
          {trigger?.test_url ? (
            <>
              <CopyField label="Test URL" value={trigger.test_url} />
              {trigger.test_url_expires_at && (
                <p className="muted">
                  Runs the saved draft; expires {formatRelative(trigger.test_url_expires_at)}.
                </p>
              )}
            </>
          ) : (
            <button
              type="button"
              className="btn btn--small"
              disabled={arm.isPending}
              onClick={() => arm.mutate(nodeId)}
              title="Save the workflow first: the test URL runs the saved draft"
            >
              {arm.isPending ? 'Creating…' : 'Get a test URL'}
            </button>
          )}
          {secret && <CopyField label="Signing secret (shown once)" value={secret} />}
          {trigger && <SecretRotate workflowId={workflowId} triggerId={trigger.id} />}
          {arm.isError && <ErrorMessage error={arm.error} />}
        </>
      )}
    </section>
  )
}
