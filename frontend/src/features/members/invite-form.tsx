import { useId, useState, type FormEvent } from 'react'
import { UserPlus } from 'lucide-react'
import { ApiError } from '@/api/client'
import type { MemberRole } from '@/api/types'
import { Banner } from '@/components/ui/feedback'
import { useInviteMember } from './api'
import { ROLES } from './roles'

/** Adds an existing user, named by username or email, with a role. */
export function InviteForm({ workspaceId }: { workspaceId: string }) {
  const id = useId()
  const [user, setUser] = useState('')
  const [role, setRole] = useState<MemberRole>('editor')
  const [added, setAdded] = useState<string | null>(null)
  const invite = useInviteMember(workspaceId)
  const error = invite.error instanceof ApiError ? invite.error : null

  const submit = (event: FormEvent) => {
    event.preventDefault()
    setAdded(null)
    invite.mutate(
      { user: user.trim(), role },
      {
        onSuccess: (member) => {
          setAdded(member.username)
          setUser('')
        },
      },
    )
  }

  return (
    <form className="card invite-form" onSubmit={submit} aria-label="Invite a member">
      <div className="field invite-form__user">
        <label htmlFor={`${id}-user`} className="field__label">
          Username or email
        </label>
        <input
          id={`${id}-user`}
          required
          autoComplete="off"
          placeholder="grace@example.com"
          value={user}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onChange={(event) => setUser(event.target.value)}
        />
      </div>
      <div className="field invite-form__role">
        <label htmlFor={`${id}-role`} className="field__label">
          Role
        </label>
        <select
          id={`${id}-role`}
          value={role}
          onChange={(event) => setRole(event.target.value as MemberRole)}
        >
          {ROLES.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
      </div>
      <p className="field__help invite-form__hint">
        {ROLES.find((r) => r.value === role)?.hint}. The user needs an account already: they sign in
        and find this workspace in the switcher.
      </p>
      <button
        type="submit"
        className="btn btn--primary"
        disabled={invite.isPending || !user.trim()}
      >
        <UserPlus size={14} aria-hidden="true" />
        {invite.isPending ? 'Inviting…' : 'Invite'}
      </button>
      {invite.isError && (
        <p id={`${id}-error`} className="field__error invite-form__message" role="alert">
          {error?.detail ?? invite.error.message}
        </p>
      )}
      {added && (
        <div className="invite-form__message">
          <Banner kind="success" onDismiss={() => setAdded(null)}>
            {added} can now open this workspace.
          </Banner>
        </div>
      )}
    </form>
  )
}
