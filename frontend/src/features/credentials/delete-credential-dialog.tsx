import { Link } from 'react-router'
import type { Credential } from '@/api/types'
import { ConfirmDialog } from '@/components/ui/confirm-dialog'
import { Banner, ErrorMessage, Loading } from '@/components/ui/feedback'
import { useCredentialUsage, useDeleteCredential } from './api'

/** Asks before deleting, and first lists the workflows that would lose the credential. */
export function DeleteCredentialDialog({
  credential,
  onClose,
}: {
  credential: Credential
  onClose: () => void
}) {
  const usage = useCredentialUsage(credential.id)
  const remove = useDeleteCredential()
  const used = usage.data ?? []

  return (
    <ConfirmDialog
      title={`Delete ${credential.name}?`}
      confirmLabel={used.length > 0 ? 'Delete anyway' : 'Delete credential'}
      busy={remove.isPending}
      disabled={usage.isPending}
      onClose={onClose}
      onConfirm={() => remove.mutate(credential.id, { onSuccess: onClose })}
    >
      {usage.isPending ? (
        <Loading label="Looking for workflows that use it…" />
      ) : usage.isError ? (
        <ErrorMessage error={usage.error} onRetry={() => void usage.refetch()} />
      ) : used.length === 0 ? (
        <p>No workflow uses it. The secret is destroyed and cannot be recovered.</p>
      ) : (
        <>
          <Banner kind="warning">
            {used.length === 1 ? '1 workflow uses' : `${used.length} workflows use`} this
            credential. Their steps that call out with it will fail until you pick another.
          </Banner>
          <ul className="usage-list" aria-label="Workflows using this credential">
            {used.map((workflow) => (
              <li key={workflow.id}>
                <Link to={`/app/workflows/${workflow.id}`}>{workflow.name}</Link>
                <span className={`status status--${workflow.status}`}>{workflow.status}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {remove.isError && <Banner kind="error">{remove.error.message}</Banner>}
    </ConfirmDialog>
  )
}
