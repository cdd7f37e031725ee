// /app/connectors/:slug: one connector: what it does, how it authenticates, its limits and
// its operations. "Connect" opens the Connect wizard (/app/connectors/:slug/connect).
import { ArrowLeft, ExternalLink, Plug } from 'lucide-react'
import { Link, useParams } from 'react-router'
import { ApiError } from '@/api/client'
import { EmptyState, ErrorMessage, Loading } from '@/components/ui/feedback'
import { useMe } from '@/features/auth/api'
import { pickWorkspace, useWorkspaceStore } from '@/features/auth/workspace-store'
import { useConnector } from './api'
import { ConnectedBadge } from './connector-card'
import { ConnectorIcon } from './connector-icon'
import { apiKeyPlace, authKindLabel, plural, rateLimitText } from './labels'
import { OperationList } from './operation-list'
import type { AuthScheme, ConnectorDetail } from './types'
import './connectors.css'

export function ConnectorDetailPage() {
  const { slug = '' } = useParams()
  const me = useMe()
  const workspaceId = useWorkspaceStore((s) => s.workspaceId)
  const workspace = pickWorkspace(me.data, workspaceId)
  const connector = useConnector(slug, String(workspace?.id ?? ''))

  if (connector.isPending) return <Loading label="Loading connector…" />
  if (connector.isError) {
    if (connector.error instanceof ApiError && connector.error.status === 404) {
      return (
        <EmptyState title="Connector not found">
          <Link to="/app/connectors">Back to connectors</Link>
        </EmptyState>
      )
    }
    return (
      <div className="page">
        <ErrorMessage error={connector.error} onRetry={() => void connector.refetch()} />
      </div>
    )
  }
  const data = connector.data
  const canConnect = workspace?.role !== 'viewer'

  return (
    <div className="page page--wide connector-page">
      <Link to="/app/connectors" className="back-link">
        <ArrowLeft size={14} aria-hidden="true" /> All connectors
      </Link>
      <header className="connector-hero">
        <ConnectorIcon name={data.name} icon={data.icon} size={56} />
        <div className="connector-hero__titles">
          <h1>{data.name}</h1>
          <p className="muted">
            {data.category_label}
            {data.version && ` · API version ${data.version}`}
            {` · ${plural(data.operations_count, 'operation')}`}
          </p>
        </div>
        <div className="connector-hero__actions">
          {data.connected && <ConnectedBadge />}
          {canConnect ? (
            <Link
              className="btn btn--primary"
              to={`/app/connectors/${encodeURIComponent(data.slug)}/connect`}
            >
              <Plug size={16} aria-hidden="true" />
              {data.connected ? 'Connect another account' : 'Connect'}
            </Link>
          ) : (
            <span className="muted">Ask an editor to connect an account.</span>
          )}
        </div>
      </header>
      {data.description && <p className="connector-page__description">{data.description}</p>}

      <div className="connector-page__body">
        <OperationList slug={data.slug} />
        <ConnectorFacts connector={data} />
      </div>
    </div>
  )
}

function ConnectorFacts({ connector }: { connector: ConnectorDetail }) {
  const limit = rateLimitText(connector.rate_limit)
  const attempts = connector.retry_policy?.max_attempts
  return (
    <aside className="connector-facts" aria-label="About this connector">
      <section>
        <h2>Authentication</h2>
        {connector.auth_schemes.length === 0 ? (
          <p className="muted">No authentication needed.</p>
        ) : (
          <ul className="auth-list">
            {connector.auth_schemes.map((scheme) => (
              <AuthMethod key={scheme.key} scheme={scheme} />
            ))}
          </ul>
        )}
      </section>
      <section>
        <h2>Limits</h2>
        <dl className="facts">
          <dt>Rate limit</dt>
          <dd>{limit ?? 'None set'}</dd>
          {attempts !== undefined && (
            <>
              <dt>Retries</dt>
              <dd>
                Up to {plural(attempts, 'attempt')}
                {connector.retry_policy.backoff && `, ${connector.retry_policy.backoff} back-off`}
              </dd>
            </>
          )}
        </dl>
      </section>
      <section>
        <h2>Endpoint</h2>
        <dl className="facts">
          <dt>Base URL</dt>
          <dd>
            <code>{connector.base_url || 'Set per credential'}</code>
          </dd>
        </dl>
        <p className="muted small">
          A self-hosted or regional API takes its own base URL in the workflow step.
        </p>
        {connector.docs_url && (
          <a href={connector.docs_url} target="_blank" rel="noreferrer" className="external-link">
            API documentation <ExternalLink size={12} aria-hidden="true" />
          </a>
        )}
      </section>
    </aside>
  )
}

function AuthMethod({ scheme }: { scheme: AuthScheme }) {
  const place = apiKeyPlace(scheme)
  const scopes = Object.values(scheme.flows ?? {}).flatMap((flow) =>
    Object.entries(flow.scopes ?? {}),
  )
  return (
    <li>
      <strong>{authKindLabel(scheme.kind)}</strong>
      {scheme.description && <p>{scheme.description}</p>}
      {place && (
        <p className="muted small">
          Sent as <code>{place}</code>
        </p>
      )}
      {scopes.length > 0 && (
        <details>
          <summary>{plural(scopes.length, 'scope')}</summary>
          <ul className="scope-list">
            {scopes.map(([scope, description]) => (
              <li key={scope}>
                <code>{scope}</code> {description && <span className="muted">{description}</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
    </li>
  )
}
