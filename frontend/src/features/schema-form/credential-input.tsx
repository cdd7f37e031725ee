// The `credential` widget: a picker over the workspace's credentials (names only; secrets
// never reach the browser). Outside a workspace (no provider) it is a plain id field.
import { useContext } from 'react'
import { ErrorMessage } from '@/components/ui/feedback'
import { useCredentials } from '@/features/credentials/api'
import { TextInput } from './fields'
import { FormWorkspaceContext } from './form-context'
import type { JsonSchema } from '@/api/types'

interface Props {
  id: string
  schema: JsonSchema
  value: unknown
  onChange: (value: unknown) => void
  invalid: boolean
}

export function CredentialInput(props: Props) {
  const workspace = useContext(FormWorkspaceContext)
  if (!workspace) return <TextInput {...props} />
  return <CredentialSelect {...props} workspace={workspace} />
}

function CredentialSelect({
  id,
  value,
  onChange,
  invalid,
  workspace,
}: Props & { workspace: string }) {
  const credentials = useCredentials(workspace)
  const list = credentials.data?.pages.flatMap((page) => page.results) ?? []
  const current = typeof value === 'string' ? value : ''
  const listed = list.some((c) => String(c.id) === current)
  return (
    <>
      <select
        id={id}
        value={current}
        aria-invalid={invalid || undefined}
        disabled={credentials.isPending}
        onChange={(e) => onChange(e.target.value || undefined)}
      >
        <option value="">{credentials.isPending ? 'Loading…' : 'None'}</option>
        {current && !listed && <option value={current}>{current}</option>}
        {list.map((c) => (
          <option key={c.id} value={String(c.id)}>
            {c.name}
          </option>
        ))}
      </select>
      {credentials.isError && <ErrorMessage error={credentials.error} />}
    </>
  )
}
