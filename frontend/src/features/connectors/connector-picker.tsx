// Pickers over the catalogue, shared by a connector node's settings and a polling trigger's
// source: a connector (searched on the server, most used first) and one of its operations.
import { useState } from 'react'
import { Combobox } from '@/components/ui/combobox'
import { useDebounced } from '@/lib/use-debounced'
import {
  useConnector,
  useConnectorList,
  useConnectorOperation,
  useConnectorOperations,
} from './api'
import { ConnectedBadge } from './connector-card'
import { ConnectorIcon } from './connector-icon'
import type { ConnectorSummary, Operation } from './types'
import './connectors.css'
import './pickers.css'

interface PickerProps {
  /** The input's id, for the caller's <label htmlFor>. */
  id: string
  value: string
  onChange: (value: string) => void
  invalid?: boolean
  describedBy?: string
  disabled?: boolean
}

const SEARCH_DELAY_MS = 200

/** What the list says under its options: loading, nothing found, or that there is more. */
function listStatus(
  query: { isPending: boolean; isError: boolean; data?: { count: number } },
  shown: number,
  nothing: string,
): string | null {
  if (query.isPending) return 'Loading…'
  if (query.isError) return 'The list could not be loaded.'
  if (shown === 0) return nothing
  const count = query.data?.count ?? shown
  return count > shown ? `${shown} of ${count}: type to narrow, or scroll for more.` : null
}

export function ConnectorPicker({
  workspace,
  ...props
}: PickerProps & { /** `connected` is about this workspace. */ workspace: string }) {
  const [query, setQuery] = useState('')
  const search = useDebounced(query, SEARCH_DELAY_MS)
  const list = useConnectorList({ workspace, search, sort: 'popular' })
  const chosen = useConnector(props.value, workspace)
  const connectors = list.data?.connectors ?? []
  return (
    <Combobox<ConnectorSummary>
      {...props}
      options={connectors}
      optionKey={(c) => c.slug}
      valueText={chosen.data?.name ?? props.value}
      query={query}
      onQueryChange={setQuery}
      onSelect={(c) => props.onChange(c.slug)}
      onEndReached={() => list.hasNextPage && !list.isFetching && void list.fetchNextPage()}
      placeholder="Search the catalogue"
      status={listStatus(
        list,
        connectors.length,
        search ? `No connector matches “${search}”.` : 'No connector in the catalogue.',
      )}
      renderOption={(c) => (
        <>
          <ConnectorIcon name={c.name} icon={c.icon} size={24} />
          <span className="picker-option__text">
            <span className="picker-option__name">{c.name}</span>
            <span className="picker-option__detail">{c.category_label}</span>
          </span>
          {c.connected && <ConnectedBadge />}
        </>
      )}
    />
  )
}

export function OperationPicker({
  connector,
  filter,
  ...props
}: PickerProps & {
  connector: string
  /** Only some operations fit (a polling trigger reads: GET only). */
  filter?: (operation: Operation) => boolean
}) {
  const [query, setQuery] = useState('')
  const search = useDebounced(query, SEARCH_DELAY_MS)
  const list = useConnectorOperations(connector, search)
  const chosen = useConnectorOperation(connector, props.value)
  const all = list.data?.operations ?? []
  const operations = filter ? all.filter(filter) : all
  return (
    <Combobox<Operation>
      {...props}
      disabled={props.disabled || !connector}
      options={operations}
      optionKey={(op) => op.key}
      valueText={chosen.data?.name ?? props.value}
      query={query}
      onQueryChange={setQuery}
      onSelect={(op) => props.onChange(op.key)}
      onEndReached={() => list.hasNextPage && !list.isFetching && void list.fetchNextPage()}
      placeholder={connector ? 'Search operations' : 'Choose a connector first'}
      status={listStatus(list, operations.length, 'No operation fits.')}
      renderOption={(op) => (
        <>
          <span className={`method method--${op.method.toLowerCase()}`}>{op.method}</span>
          <span className="picker-option__text">
            <span className="picker-option__name">{op.name}</span>
            <code className="picker-option__detail">{op.path}</code>
            {op.description && op.description !== op.name && (
              <span className="picker-option__summary">{op.description}</span>
            )}
          </span>
        </>
      )}
    />
  )
}
