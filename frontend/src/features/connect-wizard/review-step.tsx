// Step 5: what will be saved (never a secret's value) and the credential's name; once saved,
// the way on: add a node for one of the connector's operations to a workflow.
import { CircleCheck, Workflow as WorkflowIcon } from 'lucide-react'
import { useId, useState } from 'react'
import { useNavigate } from 'react-router'
import { Banner, ErrorMessage, Loading } from '@/components/ui/feedback'
import { useConnectorOperations } from '@/features/connectors/api'
import type { ConnectorDetail } from '@/features/connectors/types'
import { useWorkflowList } from '@/features/workflows/api'
import { useAddOperationNode } from './api'
import type { AuthMethod } from './methods'
import { useWizardStore } from './store'
import type { useWizardActions } from './use-wizard-actions'

export function ReviewStep(props: {
  connector: ConnectorDetail
  method: AuthMethod
  workspace: string
  actions: ReturnType<typeof useWizardActions>
}) {
  const { connector, method, actions } = props
  const state = useWizardStore()
  const id = useId()
  const settings = method.config.filter((f) => (state.values[f.name] ?? '').trim() !== '')
  const secrets = method.secrets.filter((f) => state.values[f.name])
  return (
    <div className="wizard-step__body">
      <dl className="facts">
        <dt>Connector</dt>
        <dd>{connector.name}</dd>
        <dt>Endpoint</dt>
        <dd>
          <code>{connector.base_url || 'Set per workflow step'}</code>
          {state.region && ` (${state.region})`}
        </dd>
        <dt>Authentication</dt>
        <dd>{method.label}</dd>
        {settings.map((f) => (
          <FactRow key={f.name} label={f.label} value={state.values[f.name]} />
        ))}
        {secrets.length > 0 && (
          <>
            <dt>Secrets</dt>
            <dd>{secrets.map((f) => f.label).join(', ')}: stored encrypted, never shown</dd>
          </>
        )}
        <dt>Test</dt>
        <dd>
          {state.test?.ok
            ? `Passed (HTTP ${state.test.status}, ${state.test.elapsed_ms} ms)`
            : 'Not passed'}
        </dd>
      </dl>
      <div className="field">
        <label className="field__label" htmlFor={id}>
          Credential name
        </label>
        <input
          id={id}
          value={state.name}
          maxLength={120}
          required
          disabled={state.saved}
          onChange={(e) => state.setName(e.target.value)}
        />
        <p className="field__help">How workflow steps and the credentials page name it.</p>
      </div>
      {actions.save.isError && <ErrorMessage error={actions.save.error} />}
      {state.saved && state.credential && (
        <>
          <Banner kind="success">
            <CircleCheck size={16} aria-hidden="true" /> Saved: {state.name.trim()} is ready to use.
          </Banner>
          <AddNodePanel
            connector={connector}
            credentialId={state.credential.id}
            workspace={props.workspace}
          />
        </>
      )}
    </div>
  )
}

function FactRow({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  )
}

function AddNodePanel(props: {
  connector: ConnectorDetail
  credentialId: string
  workspace: string
}) {
  const { connector, credentialId, workspace } = props
  const operations = useConnectorOperations(connector.slug, '')
  const workflows = useWorkflowList(workspace, '')
  const add = useAddOperationNode()
  const navigate = useNavigate()
  const [operation, setOperation] = useState('')
  const [workflowId, setWorkflowId] = useState('')
  const id = useId()
  const workflowItems = workflows.data?.pages.flatMap((page) => page.results) ?? []

  return (
    <section className="add-node" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>
        <WorkflowIcon size={18} aria-hidden="true" /> Add a node for one of its operations to a
        workflow
      </h2>
      {operations.isPending || workflows.isPending ? (
        <Loading label="Loading operations and workflows…" />
      ) : operations.isError || workflows.isError ? (
        <ErrorMessage error={operations.error ?? workflows.error} />
      ) : workflowItems.length === 0 ? (
        <p className="muted">
          This workspace has no workflow yet: create one from the Workflows page.
        </p>
      ) : (
        <form
          className="add-node__form"
          onSubmit={(event) => {
            event.preventDefault()
            add.mutate(
              { workflowId, connector: connector.slug, operation, credentialId },
              { onSuccess: () => void navigate(`/app/workflows/${workflowId}`) },
            )
          }}
        >
          <div className="field">
            <label className="field__label" htmlFor={`${id}-op`}>
              Operation
            </label>
            <select
              id={`${id}-op`}
              value={operation}
              required
              onChange={(e) => setOperation(e.target.value)}
            >
              <option value="">Choose an operation…</option>
              {operations.data.operations.map((op) => (
                <option key={op.key} value={op.key}>
                  {op.name} ({op.method} {op.path})
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label className="field__label" htmlFor={`${id}-wf`}>
              Workflow
            </label>
            <select
              id={`${id}-wf`}
              value={workflowId}
              required
              onChange={(e) => setWorkflowId(e.target.value)}
            >
              <option value="">Choose a workflow…</option>
              {workflowItems.map((wf) => (
                <option key={wf.id} value={String(wf.id)}>
                  {wf.name}
                </option>
              ))}
            </select>
          </div>
          <button
            type="submit"
            className="btn btn--primary"
            disabled={!operation || !workflowId || add.isPending}
          >
            {add.isPending ? 'Adding…' : 'Add node and open the editor'}
          </button>
          {add.isError && <ErrorMessage error={add.error} />}
        </form>
      )}
    </section>
  )
}
