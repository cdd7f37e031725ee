// The workspace credentials that can sign a connector's calls: those made for it, then those
// made for no connector in particular. One made for another connector is left out: the run
// would refuse it. Names only; secrets never reach the browser.
import { ErrorMessage } from '@/components/ui/feedback'
import type { Credential } from '@/api/types'
import { useCredentialsFor } from './api'

interface Props {
  id: string
  workspace: string
  /** The connector's slug; '' offers every credential (a plain URL). */
  connector: string
  value: string
  onChange: (value: string | undefined) => void
  invalid?: boolean
  describedBy?: string
}

export function CredentialPicker({ id, workspace, connector, value, onChange, ...aria }: Props) {
  const { credentials, bound, unbound } = useCredentialsFor(workspace, connector)
  const listed = [...bound, ...unbound].some((c) => String(c.id) === value)
  const options = (list: Credential[]) =>
    list.map((c) => (
      <option key={c.id} value={String(c.id)}>
        {c.name}
      </option>
    ))
  return (
    <>
      <select
        id={id}
        value={value}
        disabled={credentials.isPending}
        aria-invalid={aria.invalid || undefined}
        aria-describedby={aria.describedBy}
        onChange={(event) => onChange(event.target.value || undefined)}
      >
        <option value="">{credentials.isPending ? 'Loading…' : 'None'}</option>
        {value && !listed && <option value={value}>{value}</option>}
        {connector ? (
          <>
            {bound.length > 0 && <optgroup label={`For ${connector}`}>{options(bound)}</optgroup>}
            {unbound.length > 0 && (
              <optgroup label="For any connector">{options(unbound)}</optgroup>
            )}
          </>
        ) : (
          options(unbound)
        )}
      </select>
      {credentials.isError && <ErrorMessage error={credentials.error} />}
    </>
  )
}
