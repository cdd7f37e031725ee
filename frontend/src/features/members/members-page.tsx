import { useState } from 'react'
import { Trash2 } from 'lucide-react'
import type { Member, MemberRole } from '@/api/types'
import { ConfirmDialog } from '@/components/ui/confirm-dialog'
import { Banner, EmptyState, ErrorMessage, Loading } from '@/components/ui/feedback'
import { useMe } from '@/features/auth/api'
import { pickWorkspace, useWorkspaceStore } from '@/features/auth/workspace-store'
import { formatRelative } from '@/lib/format'
import { useChangeRole, useMembers, useRemoveMember } from './api'
import { InviteForm } from './invite-form'
import { ROLES, roleLabel } from './roles'

export function MembersPage() {
  const me = useMe()
  const workspaceId = useWorkspaceStore((s) => s.workspaceId)
  const workspace = pickWorkspace(me.data, workspaceId)
  if (!workspace) return null
  const id = String(workspace.id)
  return (
    <MembersOf
      key={id}
      workspaceId={id}
      workspaceName={workspace.name}
      isOwner={workspace.role === 'owner'}
      myUserId={me.data?.id}
    />
  )
}

function MembersOf({
  workspaceId,
  workspaceName,
  isOwner,
  myUserId,
}: {
  workspaceId: string
  workspaceName: string
  isOwner: boolean
  myUserId: number | undefined
}) {
  const members = useMembers(workspaceId)
  const changeRole = useChangeRole(workspaceId)
  const remove = useRemoveMember(workspaceId)
  const [removing, setRemoving] = useState<Member | null>(null)
  const owners = members.data?.filter((m) => m.role === 'owner').length ?? 0
  const failure = changeRole.error ?? remove.error

  return (
    <div className="page">
      <div className="page__header">
        <h1>
          Members <span className="page__context">of {workspaceName}</span>
        </h1>
      </div>

      {isOwner ? (
        <InviteForm workspaceId={workspaceId} />
      ) : (
        <p className="muted">Only owners of the workspace add, change or remove members.</p>
      )}

      {failure && (
        <Banner
          kind="error"
          onDismiss={() => {
            changeRole.reset()
            remove.reset()
          }}
        >
          {failure.message}
        </Banner>
      )}

      {members.isPending ? (
        <Loading label="Loading members…" />
      ) : members.isError ? (
        <ErrorMessage error={members.error} onRetry={() => void members.refetch()} />
      ) : members.data.length === 0 ? (
        <EmptyState title="No members" />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Member</th>
              <th>Role</th>
              <th>Joined</th>
              {isOwner && (
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {members.data.map((member) => {
              const lastOwner = member.role === 'owner' && owners <= 1
              return (
                <tr key={member.id}>
                  <td>
                    <span className="member">
                      <span className="user-menu__avatar" aria-hidden="true">
                        {member.username.charAt(0).toUpperCase()}
                      </span>
                      <span>
                        <span className="table__title">{member.username}</span>
                        {member.user === myUserId && <span className="muted"> (you)</span>}
                        <span className="table__sub">{member.email}</span>
                      </span>
                    </span>
                  </td>
                  <td>
                    {isOwner ? (
                      <select
                        aria-label={`Role of ${member.username}`}
                        value={member.role}
                        disabled={changeRole.isPending}
                        title={lastOwner ? 'The last owner must stay an owner' : undefined}
                        onChange={(event) =>
                          changeRole.mutate({ member, role: event.target.value as MemberRole })
                        }
                      >
                        {ROLES.map((r) => (
                          <option
                            key={r.value}
                            value={r.value}
                            disabled={lastOwner && r.value !== 'owner'}
                          >
                            {r.label}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <span className={`role role--${member.role}`}>{roleLabel(member.role)}</span>
                    )}
                  </td>
                  <td title={member.created_at}>{formatRelative(member.created_at)}</td>
                  {isOwner && (
                    <td className="table__actions">
                      <button
                        type="button"
                        className="btn btn--ghost btn--small btn--danger"
                        aria-label={`Remove ${member.username}`}
                        title={lastOwner ? 'The last owner cannot be removed' : 'Remove'}
                        disabled={lastOwner}
                        onClick={() => setRemoving(member)}
                      >
                        <Trash2 size={14} aria-hidden="true" />
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              )
            })}
          </tbody>
        </table>
      )}

      {removing && (
        <ConfirmDialog
          title={`Remove ${removing.username}?`}
          confirmLabel="Remove member"
          busy={remove.isPending}
          onClose={() => setRemoving(null)}
          onConfirm={() => remove.mutate(removing, { onSettled: () => setRemoving(null) })}
        >
          <p>
            {removing.username} loses access to {workspaceName} and everything in it. You can invite
            them again later.
          </p>
        </ConfirmDialog>
      )}
    </div>
  )
}
