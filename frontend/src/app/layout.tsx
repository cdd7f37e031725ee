import { Link, NavLink, Outlet } from 'react-router'
import { useShallow } from 'zustand/react/shallow'
import type { Me } from '@/api/types'
import { EmptyState, ErrorMessage, Loading } from '@/components/ui/feedback'
import { useLogout, useMe } from '@/features/auth/api'
import { pickWorkspace, useWorkspaceStore } from '@/features/auth/workspace-store'

export function Layout() {
  const me = useMe()
  return (
    <div className="app">
      <header className="app-header">
        <Link to="/app/" className="app-header__brand">
          <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" width={22} height={22} />
          Flowplane
        </Link>
        {me.data && <WorkspaceSwitcher me={me.data} />}
        <nav className="app-header__nav" aria-label="Main">
          <NavLink to="/app/" end>
            Workflows
          </NavLink>
          <NavLink to="/app/executions">Runs</NavLink>
          <NavLink to="/app/monitoring">Monitoring</NavLink>
          <NavLink to="/app/connectors">Connectors</NavLink>
          <NavLink to="/app/credentials">Credentials</NavLink>
          <NavLink to="/app/status">Status</NavLink>
          <NavLink to="/app/members">Members</NavLink>
        </nav>
        <div className="app-header__spacer" />
        {me.data && <UserMenu me={me.data} />}
      </header>
      <main className="app-main">
        {me.isPending ? (
          <Loading />
        ) : me.isError ? (
          <div className="page">
            <ErrorMessage error={me.error} onRetry={() => void me.refetch()} />
          </div>
        ) : me.data.workspaces.length === 0 ? (
          <EmptyState title="No workspace yet">
            <p>Ask an administrator to add you to a workspace.</p>
          </EmptyState>
        ) : (
          <Outlet />
        )}
      </main>
    </div>
  )
}

function WorkspaceSwitcher({ me }: { me: Me }) {
  const [workspaceId, setWorkspaceId] = useWorkspaceStore(
    useShallow((s) => [s.workspaceId, s.setWorkspaceId] as const),
  )
  const current = pickWorkspace(me, workspaceId)
  if (!current) return null
  return (
    <label className="workspace-switcher">
      <span className="visually-hidden">Workspace</span>
      <select value={String(current.id)} onChange={(event) => setWorkspaceId(event.target.value)}>
        {me.workspaces.map((workspace) => (
          <option key={workspace.id} value={String(workspace.id)}>
            {workspace.name}
          </option>
        ))}
      </select>
    </label>
  )
}

function UserMenu({ me }: { me: Me }) {
  const logout = useLogout()
  return (
    <details className="user-menu">
      <summary title="User menu">
        <span className="user-menu__avatar" aria-hidden="true">
          {me.username.charAt(0).toUpperCase()}
        </span>
        {me.username}
      </summary>
      <div className="user-menu__panel">
        <p className="user-menu__email">{me.email}</p>
        <button
          type="button"
          className="btn btn--ghost"
          disabled={logout.isPending}
          onClick={() => logout.mutate()}
        >
          Log out
        </button>
      </div>
    </details>
  )
}

export function NotFound() {
  return (
    <EmptyState title="Page not found">
      <Link to="/app/">Back to workflows</Link>
    </EmptyState>
  )
}
