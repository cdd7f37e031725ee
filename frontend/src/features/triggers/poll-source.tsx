// A polling trigger's source: a catalogue operation (connector, GET operation) or a URL, the
// workspace credential that signs it, and paths proposed from a sample the server fetches.
// Arguments and the paths themselves stay in the schema form below.
import { useId, useState } from 'react'
import { Wand2 } from 'lucide-react'
import { ErrorMessage } from '@/components/ui/feedback'
import { ConnectorPicker, OperationPicker } from '@/features/connectors/connector-picker'
import { CredentialPicker } from '@/features/connectors/credential-picker'
import { useWorkflow } from '@/features/workflows/api'
import { useProposePollPaths } from './api'
import { sourceOf, withProposal, withSource, type Config } from './poll-source-config'

interface Props {
  workflowId: string
  config: Config
  onChange: (config: Config) => void
}

export function PollSource({ workflowId, config, onChange }: Props) {
  const workspace = String(useWorkflow(workflowId).data?.workspace ?? '')
  const source = sourceOf(config)
  const id = useId()
  const isConnector = source.kind === 'connector'

  return (
    <section className="poll-source" aria-label="Polling source">
      <h3>Polling source</h3>
      <div className="field">
        <label htmlFor={`${id}-kind`} className="field__label">
          Source
        </label>
        <select
          id={`${id}-kind`}
          value={source.kind ?? 'http'}
          onChange={(e) => onChange(withSource(config, { kind: e.target.value as 'http' }))}
        >
          <option value="http">An HTTP URL</option>
          <option value="connector">A catalogue operation</option>
        </select>
      </div>
      {isConnector && (
        <ConnectorFields id={id} workspace={workspace} config={config} onChange={onChange} />
      )}
      {workspace && (
        <CredentialField id={id} workspace={workspace} config={config} onChange={onChange} />
      )}
      {workspace && <ProposePaths workspace={workspace} config={config} onChange={onChange} />}
    </section>
  )
}

type FieldProps = Omit<Props, 'workflowId'> & { id: string; workspace: string }

function ConnectorFields({ id, workspace, config, onChange }: FieldProps) {
  const source = sourceOf(config)
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-connector`} className="field__label">
          Connector
        </label>
        <ConnectorPicker
          id={`${id}-connector`}
          workspace={workspace}
          value={source.connector ?? ''}
          onChange={(connector) => onChange(withSource(config, { connector }))}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-operation`} className="field__label">
          Operation (reads only)
        </label>
        <OperationPicker
          id={`${id}-operation`}
          connector={source.connector ?? ''}
          value={source.operation ?? ''}
          filter={(op) => op.method === 'GET'}
          onChange={(operation) => onChange(withSource(config, { operation }))}
        />
      </div>
    </>
  )
}

function CredentialField({ id, workspace, config, onChange }: FieldProps) {
  const source = sourceOf(config)
  return (
    <div className="field">
      <label htmlFor={`${id}-credential`} className="field__label">
        Credential
      </label>
      <CredentialPicker
        id={`${id}-credential`}
        workspace={workspace}
        connector={source.kind === 'connector' ? (source.connector ?? '') : ''}
        value={source.credential_id ?? ''}
        onChange={(credential_id) => onChange(withSource(config, { credential_id }))}
      />
    </div>
  )
}

function ProposePaths({ workspace, config, onChange }: Omit<FieldProps, 'id'>) {
  const propose = useProposePollPaths(workspace)
  const [found, setFound] = useState<number | null>(null)
  return (
    <div className="poll-source__propose">
      <button
        type="button"
        className="btn btn--small"
        disabled={propose.isPending}
        onClick={() =>
          propose.mutate(sourceOf(config), {
            onSuccess: (proposal) => {
              setFound(proposal.items_found)
              onChange(withProposal(config, proposal))
            },
          })
        }
      >
        <Wand2 size={14} aria-hidden="true" />{' '}
        {propose.isPending ? 'Fetching a sample…' : 'Propose paths from a sample'}
      </button>
      {propose.isSuccess && found !== null && (
        <p className="field__help" role="status">
          {found} item{found === 1 ? '' : 's'} in the sample; paths filled below.
        </p>
      )}
      {propose.isError && <ErrorMessage error={propose.error} />}
    </div>
  )
}
