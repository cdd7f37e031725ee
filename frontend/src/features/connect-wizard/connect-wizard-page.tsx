// /app/connectors/:slug/connect: the five-step Connect wizard.
import { ArrowLeft, ArrowRight, Check, X } from 'lucide-react'
import { useEffect, useMemo } from 'react'
import { Link, useNavigate, useParams } from 'react-router'
import { ApiError } from '@/api/client'
import { EmptyState, ErrorMessage, Loading } from '@/components/ui/feedback'
import { useMe } from '@/features/auth/api'
import { pickWorkspace, useWorkspaceStore } from '@/features/auth/workspace-store'
import { useConnector } from '@/features/connectors/api'
import { ConnectorIcon } from '@/features/connectors/connector-icon'
import type { ConnectorDetail } from '@/features/connectors/types'
import { deleteOnUnload } from './api'
import { AuthenticateStep, TestStep } from './auth-steps'
import { authMethods } from './methods'
import { ReviewStep } from './review-step'
import { STEPS, stepValid, useWizardStore } from './store'
import { EndpointStep, ParametersStep } from './steps'
import { useWizardActions } from './use-wizard-actions'
import './connect-wizard.css'

export function ConnectWizardPage() {
  const { slug = '' } = useParams()
  const me = useMe()
  const workspaceId = useWorkspaceStore((s) => s.workspaceId)
  const workspace = pickWorkspace(me.data, workspaceId)
  const connector = useConnector(slug, String(workspace?.id ?? ''))

  if (me.isPending || connector.isPending) return <Loading label="Loading connector…" />
  if (connector.isError) {
    if (connector.error instanceof ApiError && connector.error.status === 404) {
      return (
        <EmptyState title="Connector not found">
          <Link to="/app/connectors">Back to connectors</Link>
        </EmptyState>
      )
    }
    return <ErrorMessage error={connector.error} onRetry={() => void connector.refetch()} />
  }
  if (workspace?.role === 'viewer') {
    return (
      <EmptyState title="Only editors connect accounts">
        <Link to={`/app/connectors/${slug}`}>Back to {connector.data.name}</Link>
      </EmptyState>
    )
  }
  return <Wizard connector={connector.data} workspace={String(workspace?.id ?? '')} />
}

function Wizard({ connector, workspace }: { connector: ConnectorDetail; workspace: string }) {
  const navigate = useNavigate()
  const methods = useMemo(() => authMethods(connector), [connector])
  const state = useWizardStore()
  const method = methods.find((m) => m.key === state.methodKey)
  const actions = useWizardActions(connector, method, workspace)
  const step = STEPS[state.step]

  useEffect(() => {
    const first = methods[0]
    useWizardStore.getState().start(connector.slug, {
      methodKey: first?.key ?? '',
      defaults: first?.defaults ?? {},
      name: connector.name,
    })
  }, [connector, methods])

  // Nothing half-written is left behind: leaving the page deletes the pending credential.
  useEffect(() => {
    const onHide = () => {
      const s = useWizardStore.getState()
      if (s.credential && !s.saved) deleteOnUnload(s.credential.id)
    }
    window.addEventListener('pagehide', onHide)
    return () => {
      window.removeEventListener('pagehide', onHide)
      onHide()
      useWizardStore.getState().reset()
    }
  }, [])

  if (methods.length === 0) {
    return (
      <EmptyState title={`${connector.name} needs no account`}>
        <p>It declares no way to authenticate we can set up: use its operations directly.</p>
        <Link to={`/app/connectors/${connector.slug}`}>Back to {connector.name}</Link>
      </EmptyState>
    )
  }
  if (state.slug !== connector.slug) return <Loading />

  const valid = stepValid(state, method)
  const busy =
    actions.storeSecret.isPending ||
    actions.consent.isPending ||
    actions.test.isPending ||
    actions.save.isPending
  const onNext = async () => {
    if (step.id === 'authenticate' && method && !method.consent) {
      await actions.storeSecret.mutateAsync()
    }
    if (step.id === 'review') await actions.save.mutateAsync()
    else state.next()
  }
  const cancel = async () => {
    await actions.discard()
    void navigate(`/app/connectors/${connector.slug}`)
  }

  return (
    <div className="page connect-wizard">
      <Link to={`/app/connectors/${connector.slug}`} className="back-link">
        <ArrowLeft size={14} aria-hidden="true" /> {connector.name}
      </Link>
      <header className="connect-wizard__header">
        <ConnectorIcon name={connector.name} icon={connector.icon} size={40} />
        <h1>Connect {connector.name}</h1>
      </header>
      <ol className="wizard-steps" aria-label="Steps">
        {STEPS.map((s, index) => (
          <li
            key={s.id}
            className={`wizard-steps__item${index < state.step ? ' is-done' : ''}`}
            aria-current={index === state.step ? 'step' : undefined}
          >
            <span className="wizard-steps__number" aria-hidden="true">
              {index < state.step ? <Check size={14} /> : index + 1}
            </span>
            {s.label}
          </li>
        ))}
      </ol>
      <section className="wizard-step card" aria-labelledby="wizard-step-title">
        <h2 id="wizard-step-title">
          Step {state.step + 1} of {STEPS.length}: {step.label}
        </h2>
        {step.id === 'endpoint' && <EndpointStep connector={connector} method={method} />}
        {step.id === 'parameters' && <ParametersStep methods={methods} method={method} />}
        {method && step.id === 'authenticate' && (
          <AuthenticateStep connector={connector} method={method} actions={actions} />
        )}
        {method && step.id === 'test' && (
          <TestStep connector={connector} method={method} actions={actions} />
        )}
        {method && step.id === 'review' && (
          <ReviewStep
            connector={connector}
            method={method}
            workspace={workspace}
            actions={actions}
          />
        )}
      </section>
      {!state.saved && (
        <footer className="wizard-footer">
          <button
            type="button"
            className="btn btn--ghost"
            onClick={() => void cancel()}
            disabled={busy}
          >
            <X size={16} aria-hidden="true" /> Cancel
          </button>
          <span className="wizard-footer__spacer" />
          <button
            type="button"
            className="btn"
            onClick={state.back}
            disabled={state.step === 0 || busy}
          >
            <ArrowLeft size={16} aria-hidden="true" /> Back
          </button>
          <button
            type="button"
            className="btn btn--primary"
            disabled={!valid || busy}
            onClick={() => void onNext().catch(() => undefined)}
          >
            {step.id === 'review' ? (
              <>
                <Check size={16} aria-hidden="true" /> {actions.save.isPending ? 'Saving…' : 'Save'}
              </>
            ) : (
              <>
                Next <ArrowRight size={16} aria-hidden="true" />
              </>
            )}
          </button>
        </footer>
      )}
    </div>
  )
}
