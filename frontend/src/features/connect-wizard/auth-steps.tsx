// Steps 3 and 4: authenticate (a consent popup, or a masked secret form) and test for real.
import { CircleAlert, CircleCheck, LogIn, PlugZap, RefreshCw, Timer } from 'lucide-react'
import { Banner, ErrorMessage } from '@/components/ui/feedback'
import type { ConnectorDetail } from '@/features/connectors/types'
import { WizardField } from './fields'
import { authenticateFields, type AuthMethod } from './methods'
import { useWizardStore } from './store'
import type { useWizardActions } from './use-wizard-actions'

type Actions = ReturnType<typeof useWizardActions>

export function AuthenticateStep(props: {
  connector: ConnectorDetail
  method: AuthMethod
  actions: Actions
}) {
  const { connector, method, actions } = props
  const values = useWizardStore((s) => s.values)
  const setValue = useWizardStore((s) => s.setValue)
  const credential = useWizardStore((s) => s.credential)
  const dirty = useWizardStore((s) => s.dirty)

  if (method.consent) {
    const connected = credential?.connected && credential.kind === method.kind && !dirty
    return (
      <div className="wizard-step__body">
        <p>
          A window opens at {connector.name}&apos;s sign-in page. Grant access there; it closes
          itself and you come back here.
        </p>
        <div>
          <button
            type="button"
            className="btn btn--primary"
            disabled={actions.consent.isPending}
            onClick={() => void actions.signIn().catch(() => undefined)}
          >
            <LogIn size={16} aria-hidden="true" />
            {actions.consent.isPending
              ? 'Waiting for the sign-in window…'
              : connected
                ? `Sign in to ${connector.name} again`
                : `Sign in to ${connector.name}`}
          </button>
        </div>
        {actions.consent.isPending && <StopWaiting actions={actions} />}
        {connected && !actions.consent.isPending && (
          <Banner kind="success">
            <CircleCheck size={16} aria-hidden="true" /> Access granted: {connector.name} is
            connected.
          </Banner>
        )}
        {actions.consent.isError && <ErrorMessage error={actions.consent.error} />}
      </div>
    )
  }
  return (
    <div className="wizard-step__body">
      <p className="muted">Stored encrypted; it is never shown again once saved.</p>
      {authenticateFields(method).map((spec) => (
        <WizardField
          key={`${method.key}:${spec.name}`}
          spec={spec}
          value={values[spec.name] ?? ''}
          secret
          onChange={(value) => setValue(spec.name, value)}
        />
      ))}
      {actions.storeSecret.isError && <ErrorMessage error={actions.storeSecret.error} />}
    </div>
  )
}

export function TestStep(props: {
  connector: ConnectorDetail
  method: AuthMethod
  actions: Actions
}) {
  const { connector, method, actions } = props
  const result = useWizardStore((s) => s.test)
  const needsReauth = actions.test.data?.needsReauth === true
  return (
    <div className="wizard-step__body">
      <p>
        Calls {connector.name}
        {connector.health_check_operation && (
          <>
            {' '}
            (<code>{connector.health_check_operation}</code>)
          </>
        )}{' '}
        with this credential.
      </p>
      <div>
        <button
          type="button"
          className="btn btn--primary"
          disabled={actions.test.isPending || actions.consent.isPending}
          onClick={() => actions.test.mutate()}
        >
          <PlugZap size={16} aria-hidden="true" />
          {actions.test.isPending ? 'Testing…' : result ? 'Test again' : 'Test connection'}
        </button>
      </div>
      {actions.test.isError && <ErrorMessage error={actions.test.error} />}
      {result && (
        <section
          className={`test-result test-result--${result.ok ? 'ok' : 'failed'}`}
          aria-label="Test result"
          aria-live="polite"
        >
          <p className="test-result__summary">
            {result.ok ? (
              <CircleCheck size={16} aria-hidden="true" />
            ) : (
              <CircleAlert size={16} aria-hidden="true" />
            )}
            <strong>{result.ok ? 'Connected' : 'Failed'}</strong>
            {result.status !== null && <span>HTTP {result.status}</span>}
            <span>
              <Timer size={14} aria-hidden="true" /> {result.elapsed_ms} ms
            </span>
          </p>
          <p>{result.detail}</p>
          {result.answer && (
            <>
              <h3 className="test-result__heading">Answer from {connector.name}</h3>
              <pre className="test-result__answer">{result.answer}</pre>
            </>
          )}
        </section>
      )}
      {needsReauth && result && !actions.test.isPending && (
        <Banner kind="warning">
          <p>
            <strong>Needs re-auth:</strong> {connector.name} no longer accepts this credential.
          </p>
          {method.consent ? (
            <>
              <button
                type="button"
                className="btn btn--small"
                disabled={actions.consent.isPending}
                onClick={() => void actions.signIn().catch(() => undefined)}
              >
                <RefreshCw size={14} aria-hidden="true" />
                {actions.consent.isPending ? 'Waiting for the sign-in window…' : 'Re-authenticate'}
              </button>
              {actions.consent.isPending && <StopWaiting actions={actions} />}
            </>
          ) : (
            <p>Go back and enter a new secret.</p>
          )}
        </Banner>
      )}
      {actions.consent.isSuccess && !result && (
        <Banner kind="success">Signed in again: test the connection.</Banner>
      )}
      {actions.consent.isError && <ErrorMessage error={actions.consent.error} />}
    </div>
  )
}

function StopWaiting({ actions }: { actions: Actions }) {
  return (
    <p className="muted small">
      Finish signing in in the other window.{' '}
      <button type="button" className="btn btn--ghost btn--small" onClick={actions.stopWaiting}>
        Stop waiting
      </button>
    </p>
  )
}
