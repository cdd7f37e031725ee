import { CheckCircle2 } from 'lucide-react'
import { memo } from 'react'
import { Link } from 'react-router'
import { ConnectorIcon } from './connector-icon'
import { authKindLabel, plural } from './labels'
import type { ConnectorSummary } from './types'

export function ConnectedBadge() {
  return (
    <span className="connected-badge">
      <CheckCircle2 size={14} aria-hidden="true" /> Connected
    </span>
  )
}

/** One catalogue entry in the grid; the whole card links to the connector's page. */
export const ConnectorCard = memo(function ConnectorCard({
  connector,
}: {
  connector: ConnectorSummary
}) {
  return (
    <li className="connector-card">
      <Link
        to={`/app/connectors/${connector.slug}`}
        className="connector-card__link"
        aria-label={`${connector.name}${connector.connected ? ' (connected)' : ''}`}
      >
        <div className="connector-card__head">
          <ConnectorIcon name={connector.name} icon={connector.icon} />
          <div className="connector-card__titles">
            <span className="connector-card__name">{connector.name}</span>
            <span className="connector-card__category">{connector.category_label}</span>
          </div>
          {connector.connected && <ConnectedBadge />}
        </div>
        <p className="connector-card__description">{connector.description}</p>
        <div className="connector-card__meta">
          <span>{plural(connector.operations_count, 'operation')}</span>
          {connector.auth_kinds.length > 0 && (
            <span>{connector.auth_kinds.map(authKindLabel).join(' · ')}</span>
          )}
        </div>
      </Link>
    </li>
  )
})
