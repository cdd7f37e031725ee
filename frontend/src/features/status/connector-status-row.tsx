import { CircleAlert, CircleCheck, Clock, PlugZap, RefreshCw, ScrollText } from 'lucide-react'
import type { LucideIcon } from 'lucide-react'
import { useQueryClient } from '@tanstack/react-query'
import { useTestCredential } from '@/features/credentials/api'
import { ReconnectButton } from '@/features/credentials/reconnect-button'
import { useReconnect } from '@/features/credentials/use-reconnect'
import { credentialHealth, type CredentialHealth } from '@/features/credentials/status'
import { statusKeys, type Connection, type ConnectorStatus } from './api'
import { CallCells } from './call-columns'

const HEALTH_ICONS: Record<CredentialHealth, LucideIcon> = {
  connected: CircleCheck,
  'expires-soon': Clock,
  error: CircleAlert,
  'needs-reauth': RefreshCw,
}

export function ConnectorStatusRow({
  row,
  selected,
  canEdit,
  onSelect,
}: {
  row: ConnectorStatus
  selected: boolean
  canEdit: boolean
  onSelect: () => void
}) {
  return (
    <tr className={selected ? 'status-row status-row--selected' : 'status-row'}>
      <th scope="row">
        <button
          type="button"
          className="link-button table__title"
          aria-pressed={selected}
          onClick={onSelect}
        >
          {row.name}
        </button>
        <span className="table__sub muted">{row.slug}</span>
      </th>
      <CallCells figures={row.figures} last={row} />
      <td>
        {row.credentials.length === 0 ? (
          <span className="muted">None</span>
        ) : (
          <ul className="status-credentials">
            {row.credentials.map((credential) => (
              <CredentialItem key={credential.id} credential={credential} canEdit={canEdit} />
            ))}
          </ul>
        )}
      </td>
      <td className="table__actions">
        <button
          type="button"
          className="btn btn--small"
          aria-label={`View logs of ${row.name}`}
          aria-controls={selected ? `status-log-${row.slug}` : undefined}
          onClick={onSelect}
        >
          <ScrollText size={14} aria-hidden="true" />
          Logs
        </button>
      </td>
    </tr>
  )
}

/** A credential's health with its Test and (OAuth) Re-authenticate actions. */
function CredentialItem({ credential, canEdit }: { credential: Connection; canEdit: boolean }) {
  const client = useQueryClient()
  const test = useTestCredential(credential.id)
  const refreshStatus = () => void client.invalidateQueries({ queryKey: statusKeys.all })
  // The test is a call of the connector: it shows in the figures.
  const runTest = () => test.mutate(undefined, { onSettled: refreshStatus })
  // A new grant makes the last test's answer stale.
  const reconnect = useReconnect(credential.id, () => {
    test.reset()
    refreshStatus()
  })
  const health = credentialHealth(credential)
  const Icon = HEALTH_ICONS[health.health]
  return (
    <li>
      <span className="table__title">{credential.name}</span>{' '}
      <span className={`cred-status cred-status--${health.health}`} title={health.detail}>
        <Icon size={14} aria-hidden="true" strokeWidth={2.25} />
        {health.label}
      </span>
      {canEdit && (
        <span className="status-credentials__actions">
          <button
            type="button"
            className="btn btn--small"
            disabled={test.isPending}
            aria-label={`Test ${credential.name}`}
            onClick={runTest}
          >
            <PlugZap size={14} aria-hidden="true" />
            {test.isPending ? 'Testing…' : 'Test'}
          </button>
          {credential.kind === 'oauth2_code' && (
            <ReconnectButton
              reconnect={reconnect}
              name={credential.name}
              label="Re-authenticate"
              primary={health.health === 'needs-reauth'}
            />
          )}
        </span>
      )}
      {test.data && (
        <span
          className={`table__sub cred-test cred-test--${test.data.ok ? 'ok' : 'failed'}`}
          role="status"
        >
          {test.data.ok ? 'Connection works' : 'Test failed'}: {test.data.detail}
        </span>
      )}
      {(test.isError || reconnect.error) && (
        <span className="table__sub cred-test cred-test--failed" role="status">
          {(test.error ?? reconnect.error)?.message}
        </span>
      )}
    </li>
  )
}
