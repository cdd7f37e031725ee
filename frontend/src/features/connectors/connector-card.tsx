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

/** One catalogue entry in the grid. The link is the name (so its accessible name is what it
 * shows); its ::after stretches over the card, so the whole card is clickable. */
export const ConnectorCard = memo(function ConnectorCard({
  connector,
}: {
  connector: ConnectorSummary
}) {
  return (
    <li className="connector-card">
      <div className="connector-card__head">
        <ConnectorIcon name={connector.name} icon={connector.icon} />
        <div className="connector-card__titles">
          <Link to={`/app/connectors/${connector.slug}`} className="connector-card__link">
            {connector.name}
            {connector.connected && <span className="visually-hidden"> (connected)</span>}
          </Link>
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
    </li>
  )
})
