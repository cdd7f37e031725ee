import {
  CircleAlert,
  CircleCheck,
  Clock,
  KeyRound,
  PlugZap,
  RefreshCw,
  Trash2,
  type LucideIcon,
} from 'lucide-react'
import type { Credential } from '@/api/types'
import { formatRelative } from '@/lib/format'
import { useTestCredential } from './api'
import { ReconnectButton } from './reconnect-button'
import { useReconnect } from './use-reconnect'
import {
  credentialHealth,
  expiryText,
  KIND_LABELS,
  usesConsent,
  type CredentialHealth,
} from './status'

const ICONS: Record<CredentialHealth, LucideIcon> = {
  connected: CircleCheck,
  'expires-soon': Clock,
  error: CircleAlert,
  'needs-reauth': RefreshCw,
}

export function HealthBadge({ credential }: { credential: Credential }) {
  const view = credentialHealth(credential)
  const Icon = ICONS[view.health]
  return (
    <span className={`cred-status cred-status--${view.health}`} title={view.detail}>
      <Icon size={14} aria-hidden="true" strokeWidth={2.25} />
      {view.label}
      {view.health !== 'connected' && <span className="visually-hidden">: {view.detail}</span>}
    </span>
  )
}

export function CredentialRow({
  credential,
  canEdit,
  onReplace,
  onDelete,
}: {
  credential: Credential
  canEdit: boolean
  onReplace: () => void
  onDelete: () => void
}) {
  const test = useTestCredential(credential.id)
  // A new grant makes the last test's answer stale.
  const reconnect = useReconnect(credential.id, test.reset)
  const consent = usesConsent(credential)
  const health = credentialHealth(credential).health

  return (
    <tr>
      <td>
        <span className="table__title">{credential.name}</span>
        {test.data && (
          <span
            className={`table__sub cred-test cred-test--${test.data.ok ? 'ok' : 'failed'}`}
            role="status"
          >
            {test.data.ok ? 'Connection works' : 'Test failed'}: {test.data.detail}
          </span>
        )}
        {test.isError && (
          <span className="table__sub cred-test cred-test--failed" role="status">
            Test failed: {test.error.message}
          </span>
        )}
        {reconnect.error && (
          <span className="table__sub cred-test cred-test--failed" role="status">
            {reconnect.error.message}
          </span>
        )}
      </td>
      <td>{KIND_LABELS[credential.kind] ?? credential.kind}</td>
      <td>{credential.connector || <span className="muted">Generic</span>}</td>
      <td>
        <HealthBadge credential={credential} />
        {credential.expires_at && (
          <span className="cred-sub" title={credential.expires_at}>
            {expiryText(credential.expires_at)}
          </span>
        )}
        {health !== 'connected' && credential.last_error && (
          <span className="cred-sub cred-test--failed">{credential.last_error}</span>
        )}
      </td>
      <td title={credential.last_used_at ?? undefined}>
        {credential.last_used_at ? (
          formatRelative(credential.last_used_at)
        ) : (
          <span className="muted">Never</span>
        )}
      </td>
      {canEdit && (
        <td className="table__actions">
          <button
            type="button"
            className="btn btn--small"
            disabled={test.isPending}
            aria-label={`Test ${credential.name}`}
            onClick={() => test.mutate()}
          >
            <PlugZap size={14} aria-hidden="true" />
            {test.isPending ? 'Testing…' : 'Test'}
          </button>
          {consent ? (
            <ReconnectButton
              reconnect={reconnect}
              name={credential.name}
              label={credential.status === 'disconnected' ? 'Connect' : 'Reconnect'}
              primary={health === 'needs-reauth'}
            />
          ) : (
            <button
              type="button"
              className="btn btn--small"
              aria-label={`Replace secret of ${credential.name}`}
              onClick={onReplace}
            >
              <KeyRound size={14} aria-hidden="true" />
              Replace secret
            </button>
          )}
          <button
            type="button"
            className="btn btn--ghost btn--small btn--danger"
            aria-label={`Delete ${credential.name}`}
            onClick={onDelete}
          >
            <Trash2 size={14} aria-hidden="true" />
          </button>
        </td>
      )}
    </tr>
  )
}
