import { useState } from 'react'
import { Plug } from 'lucide-react'
import { Link, useSearchParams } from 'react-router'
import type { Credential } from '@/api/types'
import { Banner, EmptyState, ErrorMessage, Loading } from '@/components/ui/feedback'
import { useMe } from '@/features/auth/api'
import { canEdit, pickWorkspace, useWorkspaceStore } from '@/features/auth/workspace-store'
import { useCredentials } from './api'
import { CredentialRow } from './credential-row'
import { DeleteCredentialDialog } from './delete-credential-dialog'
import { ReplaceSecretDialog } from './replace-secret-dialog'

type Dialog = { kind: 'replace' | 'delete'; credential: Credential } | null

export function CredentialsPage() {
  const me = useMe()
  const workspaceId = useWorkspaceStore((s) => s.workspaceId)
  const workspace = pickWorkspace(me.data, workspaceId)
  if (!workspace) return null
  const id = String(workspace.id)
  return <CredentialsOf key={id} workspaceId={id} editable={canEdit(me.data, id)} />
}

/** The OAuth callback lands here with ?oauth=connected or ?oauth=failed&detail=… */
function OAuthOutcome() {
  const [params, setParams] = useSearchParams()
  const outcome = params.get('oauth')
  if (!outcome) return null
  const dismiss = () => setParams({}, { replace: true })
  return outcome === 'connected' ? (
    <Banner kind="success" onDismiss={dismiss}>
      Account connected.
    </Banner>
  ) : (
    <Banner kind="error" onDismiss={dismiss}>
      Connecting the account failed{params.get('detail') ? `: ${params.get('detail')}` : '.'}
    </Banner>
  )
}

function CredentialsOf({ workspaceId, editable }: { workspaceId: string; editable: boolean }) {
  const list = useCredentials(workspaceId)
  const [dialog, setDialog] = useState<Dialog>(null)
  const items = list.data?.pages.flatMap((page) => page.results) ?? []
  const total = list.data?.pages[0]?.count ?? 0

  return (
    <div className="page page--wide">
      <div className="page__header">
        <h1>Credentials</h1>
        <span className="muted">Secrets are stored encrypted and never shown again.</span>
      </div>
      <OAuthOutcome />

      {list.isPending ? (
        <Loading label="Loading credentials…" />
      ) : list.isError ? (
        <ErrorMessage error={list.error} onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No credentials yet">
          <p>Connect an account from its connector, then use it in any workflow.</p>
          {editable && (
            <Link className="btn btn--primary" to="/app/connectors">
              <Plug size={16} aria-hidden="true" />
              Browse connectors
            </Link>
          )}
        </EmptyState>
      ) : (
        <>
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Kind</th>
                <th>Connector</th>
                <th>Status</th>
                <th>Last used</th>
                {editable && (
                  <th>
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {items.map((credential) => (
                <CredentialRow
                  key={credential.id}
                  credential={credential}
                  canEdit={editable}
                  onReplace={() => setDialog({ kind: 'replace', credential })}
                  onDelete={() => setDialog({ kind: 'delete', credential })}
                />
              ))}
            </tbody>
          </table>
          <div className="page__footer">
            <span>
              {items.length} of {total}
            </span>
            {list.hasNextPage && (
              <button
                type="button"
                className="btn"
                disabled={list.isFetchingNextPage}
                onClick={() => void list.fetchNextPage()}
              >
                {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            )}
          </div>
        </>
      )}

      {dialog?.kind === 'replace' && (
        <ReplaceSecretDialog credential={dialog.credential} onClose={() => setDialog(null)} />
      )}
      {dialog?.kind === 'delete' && (
        <DeleteCredentialDialog credential={dialog.credential} onClose={() => setDialog(null)} />
      )}
    </div>
  )
}
