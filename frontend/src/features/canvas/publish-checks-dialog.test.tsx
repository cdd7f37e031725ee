import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import type { GraphIssue } from '@/api/types'
import { PublishChecksDialog } from './publish-checks-dialog'
import { checkKind, orderChecks } from './publish-checks'

const issue = (overrides: Partial<GraphIssue>): GraphIssue => ({
  node_id: 'n1',
  field: null,
  path: 'graph.nodes[1]',
  code: 'unreachable',
  message: 'node "n1" is not reachable from the trigger',
  severity: 'warning',
  ...overrides,
})

const unreachable = issue({ node_id: 'lonely', message: 'lonely is not reachable' })
const credential = issue({
  node_id: 'gh',
  code: 'missing_credential',
  field: 'config.credential_id',
  message: 'The github connector needs a credential; none is selected.',
})
const noTrigger = issue({
  node_id: null,
  code: 'missing_trigger',
  severity: 'error',
  message: 'the graph has no trigger',
})

function open(issues: GraphIssue[]) {
  const handlers = { onShowNode: vi.fn(), onPublishAnyway: vi.fn(), onClose: vi.fn() }
  render(<PublishChecksDialog issues={issues} {...handlers} />)
  return handlers
}

describe('publish checks', () => {
  it('orders errors first and names each kind', () => {
    expect(orderChecks([unreachable, noTrigger, credential])).toEqual([
      noTrigger,
      unreachable,
      credential,
    ])
    expect(checkKind('missing_trigger')).toBe('Trigger')
    expect(checkKind('missing_credential')).toBe('Missing credential')
    expect(checkKind('unreachable')).toBe('Unreachable node')
    expect(checkKind('missing_parameter')).toBe('Connector operation')
  })

  it('lets warnings be published anyway and shows a node when its item is chosen', async () => {
    const user = userEvent.setup()
    const handlers = open([unreachable, credential])
    const list = screen.getByRole('list', { name: 'Problems' })
    const items = within(list).getAllByRole('button')
    expect(items).toHaveLength(2)
    // Keyboard reachable: the first problem has focus, Tab moves to the next.
    expect(items[0]).toHaveFocus()
    await user.tab()
    expect(items[1]).toHaveFocus()
    await user.keyboard('{Enter}')
    expect(handlers.onShowNode).toHaveBeenCalledWith('gh')
    await user.click(screen.getByRole('button', { name: /Publish anyway/ }))
    expect(handlers.onPublishAnyway).toHaveBeenCalledOnce()
  })

  it('blocks publishing while there is an error', async () => {
    const user = userEvent.setup()
    const handlers = open([unreachable, noTrigger])
    expect(screen.getByText('1 error(s) must be fixed before publishing.')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: /Publish anyway/ })).not.toBeInTheDocument()
    const rows = within(screen.getByRole('list', { name: 'Problems' })).getAllByRole('listitem')
    expect(rows[0]).toHaveTextContent('Error: Trigger')
    // A graph-wide error names no node: it is listed, not a button.
    expect(within(rows[0]).queryByRole('button')).not.toBeInTheDocument()
    await user.keyboard('{Escape}')
    expect(handlers.onClose).toHaveBeenCalled()
  })
})
