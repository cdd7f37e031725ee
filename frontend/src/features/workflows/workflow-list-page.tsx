import { useEffect, useState } from 'react'
import { Link } from 'react-router'
import { EmptyState, ErrorMessage, Loading } from '@/components/ui/feedback'
import { useMe } from '@/features/auth/api'
import { pickWorkspace, useWorkspaceStore } from '@/features/auth/workspace-store'
import { formatRelative } from '@/lib/format'
import { useWorkflowList } from './api'
import { CreateWorkflowForm } from './create-workflow-form'
import { ImportButton } from './import-button'

function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value)
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs)
    return () => clearTimeout(timer)
  }, [value, delayMs])
  return debounced
}

export function WorkflowListPage() {
  const me = useMe()
  const workspaceId = useWorkspaceStore((s) => s.workspaceId)
  const workspace = pickWorkspace(me.data, workspaceId)
  const [search, setSearch] = useState('')
  const [creating, setCreating] = useState(false)
  const debouncedSearch = useDebounced(search, 250)
  const list = useWorkflowList(workspace ? String(workspace.id) : null, debouncedSearch)
  const items = list.data?.pages.flatMap((page) => page.results) ?? []
  const total = list.data?.pages[0]?.count ?? 0
  const canEdit = workspace?.role !== 'viewer'

  return (
    <div className="page">
      <div className="page__header">
        <h1>Workflows</h1>
        <input
          type="search"
          className="page__search"
          placeholder="Search workflows"
          aria-label="Search workflows"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
        {canEdit && workspace && <ImportButton workspaceId={String(workspace.id)} />}
        {canEdit && (
          <button type="button" className="btn btn--primary" onClick={() => setCreating(true)}>
            New workflow
          </button>
        )}
      </div>

      {creating && workspace && (
        <CreateWorkflowForm
          workspaceId={String(workspace.id)}
          onCancel={() => setCreating(false)}
        />
      )}

      {list.isPending ? (
        <Loading label="Loading workflows…" />
      ) : list.isError ? (
        <ErrorMessage error={list.error} onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title={debouncedSearch ? 'No workflow matches' : 'No workflows yet'}>
          {!debouncedSearch && canEdit && <p>Create one to start building on the canvas.</p>}
        </EmptyState>
      ) : (
        <>
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Status</th>
                <th>Version</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {items.map((workflow) => (
                <tr key={workflow.id}>
                  <td>
                    <Link to={`/app/workflows/${workflow.id}`} className="table__title">
                      {workflow.name}
                    </Link>
                    {workflow.description && (
                      <div className="table__sub">{workflow.description}</div>
                    )}
                  </td>
                  <td>
                    <span className={`status status--${workflow.status}`}>{workflow.status}</span>
                  </td>
                  <td>
                    v{workflow.version}
                    {workflow.published_version != null && (
                      <span className="table__sub"> · live v{workflow.published_version}</span>
                    )}
                  </td>
                  <td title={workflow.updated_at}>{formatRelative(workflow.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="page__footer">
            <span>
              {items.length} of {total}
            </span>
            {list.hasNextPage && (
              <button
                type="button"
                className="btn"
                disabled={list.isFetchingNextPage}
                onClick={() => void list.fetchNextPage()}
              >
                {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            )}
          </div>
        </>
      )}
    </div>
  )
}
