// /app/connectors: the connector catalogue as a card grid. Search, category and sort live in
// the URL (?q=, ?category=, ?sort=), so a reload or a shared link shows the same list.
import { Search } from 'lucide-react'
import { useEffect, useState } from 'react'
import { useSearchParams } from 'react-router'
import { EmptyState, ErrorMessage, Loading } from '@/components/ui/feedback'
import { useMe } from '@/features/auth/api'
import { pickWorkspace, useWorkspaceStore } from '@/features/auth/workspace-store'
import { useDebounced } from '@/lib/use-debounced'
import { useConnectorCategories, useConnectorList } from './api'
import { ConnectorCard } from './connector-card'
import { plural } from './labels'
import type { ConnectorCategory, ConnectorSort } from './types'
import './connectors.css'

export function ConnectorListPage() {
  const me = useMe()
  const workspaceId = useWorkspaceStore((s) => s.workspaceId)
  const workspace = pickWorkspace(me.data, workspaceId)
  const [params, setParams] = useSearchParams()
  const category = (params.get('category') || undefined) as ConnectorCategory | undefined
  const sort: ConnectorSort = params.get('sort') === 'name' ? 'name' : 'popular'
  const [search, setSearch] = useState(params.get('q') ?? '')
  const debouncedSearch = useDebounced(search, 250)

  const setParam = (key: string, value: string) => {
    setParams(
      (current) => {
        const next = new URLSearchParams(current)
        if (value) next.set(key, value)
        else next.delete(key)
        return next
      },
      { replace: key === 'q' },
    )
  }
  useEffect(() => {
    if ((params.get('q') ?? '') !== debouncedSearch.trim()) setParam('q', debouncedSearch.trim())
    // Only a settled search goes to the URL; typing does not add history entries.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debouncedSearch])

  const list = useConnectorList({
    workspace: String(workspace?.id ?? ''),
    search: params.get('q') ?? '',
    category,
    sort,
  })
  const categories = useConnectorCategories()
  const shown = categories.data?.filter((c) => c.count > 0) ?? []
  const filtered = Boolean(params.get('q') || category)

  return (
    <div className="page page--wide connectors-page">
      <div className="page__header">
        <div>
          <h1>Connectors</h1>
          <p className="muted">
            Apps and services your workflows can call. Connect an account once, use it in any
            workflow.
          </p>
        </div>
      </div>

      <div className="connector-toolbar" role="search" aria-label="Find connectors">
        <label className="connector-search">
          <Search size={16} aria-hidden="true" />
          <span className="visually-hidden">Search connectors</span>
          <input
            type="search"
            placeholder="Search apps, e.g. Slack or GitHub"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
          />
        </label>
        <label className="connector-sort">
          Sort by
          <select
            value={sort}
            onChange={(e) => setParam('sort', e.target.value === 'name' ? 'name' : '')}
          >
            <option value="popular">Most used</option>
            <option value="name">Name (A–Z)</option>
          </select>
        </label>
      </div>

      <div className="category-chips" role="group" aria-label="Category">
        <button
          type="button"
          className="chip"
          aria-pressed={!category}
          onClick={() => setParam('category', '')}
        >
          All
        </button>
        {shown.map((c) => (
          <button
            key={c.value}
            type="button"
            className="chip"
            aria-pressed={category === c.value}
            onClick={() => setParam('category', category === c.value ? '' : c.value)}
          >
            {c.label} <span className="chip__count">{c.count}</span>
          </button>
        ))}
      </div>

      {list.isPending ? (
        <Loading label="Loading connectors…" />
      ) : list.isError ? (
        <ErrorMessage error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.connectors.length === 0 ? (
        <EmptyState title={filtered ? 'No connector matches' : 'No connectors yet'}>
          <p>
            {filtered
              ? 'Try another name, or look in all categories.'
              : 'An administrator loads the catalogue with `manage.py load_catalog`.'}
          </p>
          {filtered && (
            <button
              type="button"
              className="btn"
              onClick={() => {
                setSearch('')
                setParams(sort === 'name' ? { sort: 'name' } : {})
              }}
            >
              Clear search and filters
            </button>
          )}
        </EmptyState>
      ) : (
        <>
          <p className="connector-count" aria-live="polite">
            {list.isFetching && !list.isFetchingNextPage
              ? 'Searching…'
              : plural(list.data.count, 'connector')}
          </p>
          <ul
            className="connector-grid"
            aria-label="Connectors"
            aria-busy={list.isPlaceholderData}
            data-stale={list.isPlaceholderData || undefined}
          >
            {list.data.connectors.map((connector) => (
              <ConnectorCard key={connector.slug} connector={connector} />
            ))}
          </ul>
          {list.hasNextPage && (
            <div className="page__footer connector-more">
              <button
                type="button"
                className="btn"
                disabled={list.isFetchingNextPage}
                onClick={() => void list.fetchNextPage()}
              >
                {list.isFetchingNextPage ? 'Loading…' : 'Show more'}
              </button>
            </div>
          )}
        </>
      )}
    </div>
  )
}
