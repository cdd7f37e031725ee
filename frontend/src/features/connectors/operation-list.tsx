// The connector page's operations: a server-side search, a page at a time, each row opening
// to its parameter tables.
import { ChevronDown, ChevronRight, Search } from 'lucide-react'
import { memo, useState } from 'react'
import { EmptyState, ErrorMessage, Loading } from '@/components/ui/feedback'
import { useDebounced } from '@/lib/use-debounced'
import { useConnectorOperations } from './api'
import { plural } from './labels'
import { ParameterTable } from './parameter-table'
import type { Operation } from './types'

export function OperationList({ slug }: { slug: string }) {
  const [search, setSearch] = useState('')
  const debouncedSearch = useDebounced(search, 250)
  const operations = useConnectorOperations(slug, debouncedSearch)

  return (
    <section className="operations" aria-labelledby="operations-heading">
      <div className="operations__header">
        <h2 id="operations-heading">
          Operations
          {operations.data && (
            <span className="operations__count">{operations.data.count.toLocaleString()}</span>
          )}
        </h2>
        <label className="connector-search connector-search--small">
          <Search size={14} aria-hidden="true" />
          <span className="visually-hidden">Search operations</span>
          <input
            type="search"
            placeholder="Search operations"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
          />
        </label>
      </div>
      {operations.isPending ? (
        <Loading label="Loading operations…" />
      ) : operations.isError ? (
        <ErrorMessage error={operations.error} onRetry={() => void operations.refetch()} />
      ) : operations.data.operations.length === 0 ? (
        <EmptyState title={debouncedSearch ? 'No operation matches' : 'No operations'}>
          {debouncedSearch && <p>Search looks in names, keys, paths and descriptions.</p>}
        </EmptyState>
      ) : (
        <>
          <ul
            className="operation-list"
            aria-label="Operations"
            aria-busy={operations.isPlaceholderData}
            data-stale={operations.isPlaceholderData || undefined}
          >
            {operations.data.operations.map((operation) => (
              <OperationRow key={operation.key} operation={operation} />
            ))}
          </ul>
          <div className="page__footer">
            <span>
              {operations.data.operations.length} of {plural(operations.data.count, 'operation')}
            </span>
            {operations.hasNextPage && (
              <button
                type="button"
                className="btn btn--small"
                disabled={operations.isFetchingNextPage}
                onClick={() => void operations.fetchNextPage()}
              >
                {operations.isFetchingNextPage ? 'Loading…' : 'Show more'}
              </button>
            )}
          </div>
        </>
      )}
    </section>
  )
}

const OperationRow = memo(function OperationRow({ operation }: { operation: Operation }) {
  const [open, setOpen] = useState(false)
  const panelId = `operation-${operation.key}`
  const hasParameters = Object.keys(operation.parameters_schema?.properties ?? {}).length > 0
  const hasBody = Object.keys(operation.body_schema?.properties ?? {}).length > 0
  return (
    <li className={`operation${open ? ' operation--open' : ''}`}>
      <button
        type="button"
        className="operation__toggle"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen(!open)}
      >
        {open ? (
          <ChevronDown size={16} aria-hidden="true" />
        ) : (
          <ChevronRight size={16} aria-hidden="true" />
        )}
        <span className={`method method--${operation.method.toLowerCase()}`}>
          {operation.method}
        </span>
        <span className="operation__name">{operation.name}</span>
        {operation.deprecated && <span className="operation__deprecated">deprecated</span>}
        <code className="operation__path">{operation.path}</code>
      </button>
      {open && (
        <div id={panelId} className="operation__body">
          {operation.description && operation.description !== operation.name && (
            <p>{operation.description}</p>
          )}
          <ParameterTable schema={operation.parameters_schema} caption="Parameters" />
          <ParameterTable
            schema={operation.body_schema}
            caption={`Request body (${operation.body_content_type || 'application/json'})`}
            where="body"
          />
          {!hasParameters && !hasBody && (
            <p className="muted">This operation takes no parameters.</p>
          )}
          <p className="operation__key">
            Key <code>{operation.key}</code>
          </p>
        </div>
      )}
    </li>
  )
})
