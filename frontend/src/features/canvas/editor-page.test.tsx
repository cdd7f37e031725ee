import { act, fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeAll, describe, expect, it } from 'vitest'
import type { WorkflowPatch } from '@/api/types'
import { json, mockFetch, type FakeResponse, type Route } from '@/test/fetch'
import { catalog, execution, executionDetail, me, step, workflow } from '@/test/fixtures'
import { renderApp } from '@/test/render'
import { useCanvasStore } from './store'

function backend(
  onWrite: (body: WorkflowPatch) => FakeResponse,
  stored = workflow(),
  user = me,
  extra: Route = () => undefined,
) {
  return mockFetch((url, init) => {
    const answer = extra(url, init)
    if (answer) return answer
    if (url.pathname === '/api/v1/me/') return json(user)
    if (url.pathname === '/api/v1/blocks/') return json(catalog)
    if (url.pathname === '/api/v1/blocks/condition/' && url.searchParams.get('version') === '1') {
      return json({ ...catalog.categories[1].blocks[0], version: 1, title: 'Condition (old)' })
    }
    if (url.pathname === '/api/v1/workflows/wf1/') {
      if (init.method === 'PATCH') return onWrite(JSON.parse(String(init.body)) as WorkflowPatch)
      return json(stored)
    }
    if (url.pathname === '/api/v1/workflows/wf1/run/') return onWrite(JSON.parse(String(init.body)))
    return undefined
  })
}

async function openEditor() {
  renderApp('/app/workflows/wf1')
  await screen.findByRole('heading', { name: 'Greet new users' })
  await screen.findByTestId('node-check')
}

describe('EditorPage', () => {
  // The route loads the editor lazily; load it once up front so no test races the import
  // (seconds on a busy machine) against its 1 s findBy timeouts.
  beforeAll(() => import('./editor-page'), 30_000)

  it('draws the graph with each block’s handles', async () => {
    backend(() => json({}))
    await openEditor()
    const check = screen.getByTestId('node-check')
    expect(within(check).getByText('true')).toBeInTheDocument()
    expect(within(check).getByText('false')).toBeInTheDocument()
    expect(within(check).getByText('error')).toBeInTheDocument()
    const hook = screen.getByTestId('node-hook')
    expect(hook.querySelectorAll('.react-flow__handle-left')).toHaveLength(0) // a trigger has no input
    expect(hook.querySelectorAll('.react-flow__handle-right')).toHaveLength(2) // out + error
  })

  it('marks a switched-off trigger on its node', async () => {
    const row = { id: 't1', node_id: 'hook', kind: 'webhook', enabled: false }
    backend(
      () => json({}),
      workflow(),
      me,
      (url) =>
        url.pathname === '/api/v1/triggers/'
          ? json({ count: 1, next: null, previous: null, results: [row] })
          : undefined,
    )
    await openEditor()
    const hook = screen.getByTestId('node-hook')
    expect(await within(hook).findByText('Off')).toHaveAttribute(
      'title',
      expect.stringContaining('Switched off'),
    )
    expect(within(screen.getByTestId('node-check')).queryByText('Off')).toBeNull()
  })

  it('offers Publish only when the saved draft differs from the live version', async () => {
    const user = userEvent.setup()
    backend(() => json({}), workflow({ published_version: 2, draft_is_live: true }))
    await openEditor()
    const publish = screen.getByRole('button', { name: 'Publish' })
    expect(publish).toBeDisabled()
    expect(publish).toHaveAttribute('title', 'Nothing to publish: this draft is the live version')
    // An edit: save it first, then it can be published.
    act(() => useCanvasStore.getState().select('check'))
    const expression = await screen.findByLabelText(/Expression/)
    await user.click(expression)
    await user.type(expression, 'x')
    expect(publish).toHaveAttribute('title', 'Save your changes first')
  })

  it('edits a node’s config and saves it with the base version', async () => {
    const user = userEvent.setup()
    const patches: WorkflowPatch[] = []
    backend((body) => {
      patches.push(body)
      return json(workflow({ version: 4, graph: body.graph }))
    })
    await openEditor()
    act(() => useCanvasStore.getState().select('check'))
    const expression = await screen.findByLabelText(/Expression/)
    // The expression editor (CodeMirror) is cleared as a user does: select all, delete.
    await user.click(expression)
    await user.keyboard('{Control>}a{/Control}{Delete}')
    await user.type(expression, 'body.ready')
    expect(screen.getByText('● Unsaved changes')).toBeInTheDocument()

    await user.click(screen.getByRole('button', { name: 'Save' }))
    await screen.findByText('Saved as version 4.')
    expect(patches).toHaveLength(1)
    expect(patches[0].version).toBe(3)
    expect(patches[0].graph?.nodes[1]).toEqual({
      id: 'check',
      type: 'condition',
      position: { x: 260, y: 0 },
      data: { config: { expression: 'body.ready' } },
    })
    expect(screen.queryByText('● Unsaved changes')).not.toBeInTheDocument()
    expect(useCanvasStore.getState().baseVersion).toBe(4)
  })

  it('shows server field errors next to the node and field they name', async () => {
    backend(() =>
      json(
        {
          type: 'validation_error',
          detail: 'Invalid input.',
          fields: { 'graph.nodes[1].data.config.expression': ['Not a valid JMESPath expression.'] },
        },
        400,
      ),
    )
    await openEditor()
    act(() => useCanvasStore.getState().updateNodeConfig('check', { expression: '[[' }))
    fireEvent.click(await screen.findByRole('button', { name: 'Save' }))
    await screen.findByText(/Save failed: Invalid input\. 1 node\(s\) need attention\./)
    expect(within(screen.getByTestId('node-check')).getByText('1')).toHaveClass('block-node__badge')
    act(() => useCanvasStore.getState().select('check'))
    expect(await screen.findByText('Not a valid JMESPath expression.')).toBeInTheDocument()
  })

  it('on a 409 tells the user someone else saved and offers both ways out', async () => {
    const user = userEvent.setup()
    const versions: number[] = []
    backend((body) => {
      versions.push(body.version)
      return body.version === 3
        ? json({ type: 'conflict', detail: 'Stale version.', current_version: 5 }, 409)
        : json(workflow({ version: 6, graph: body.graph }))
    })
    await openEditor()
    act(() => useCanvasStore.getState().updateNodeConfig('check', { expression: 'x' }))
    await user.click(await screen.findByRole('button', { name: 'Save' }))
    expect(
      await screen.findByText(/Someone else saved this workflow \(now version 5\)/),
    ).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Reload their version' })).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Overwrite with mine' }))
    await screen.findByText('Saved as version 6.')
    expect(versions).toEqual([3, 5])
  })

  it('loads the catalogue with deprecated blocks and fetches an older pinned version', async () => {
    const stored = workflow()
    stored.graph.nodes[1].data.version = 1
    const fetch = backend(() => json({}), stored)
    await openEditor()
    expect(fetch.mock.calls.map(([u]) => String(u))).toContain('/api/v1/blocks/?deprecated=true')
    expect(
      await within(screen.getByTestId('node-check')).findByText('Condition (old)'),
    ).toBeInTheDocument()
  })

  it('is read only for a viewer', async () => {
    const viewer = { ...me, workspaces: [{ ...me.workspaces[0], role: 'viewer' }] }
    backend(() => json({}), workflow(), viewer)
    await openEditor()
    expect(screen.getByText(/Read only/)).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Save' })).not.toBeInTheDocument()
    expect(screen.queryByRole('complementary', { name: 'Blocks' })).not.toBeInTheDocument()
    act(() => useCanvasStore.getState().select('check'))
    // The expression editor is not a form control: read only, it is not editable.
    expect(await screen.findByLabelText(/Expression/)).toHaveAttribute('contenteditable', 'false')
  })

  it('runs the saved draft with the dialog’s input and shows the run on the nodes', async () => {
    const user = userEvent.setup()
    const bodies: unknown[] = []
    const steps = [
      step(),
      step({ id: 2, key: 'check', node_id: 'check', block_type: 'condition', output: [1, 2] }),
    ]
    // jsdom has no EventSource, so the run is followed by polling its record and steps.
    backend(
      (body) => {
        bodies.push(body)
        return json(execution({ status: 'queued' }), 202)
      },
      workflow(),
      me,
      (url) => {
        if (url.pathname === '/api/v1/executions/ex1/') return json(executionDetail())
        if (url.pathname === '/api/v1/executions/ex1/steps/')
          return json({ count: 2, next: null, previous: null, results: steps })
        return undefined
      },
    )
    await openEditor()
    await user.click(screen.getByRole('button', { name: 'Run' }))
    const dialog = screen.getByRole('dialog', { name: 'Test run' })
    const input = within(dialog).getByLabelText('Input (JSON object)')
    fireEvent.change(input, { target: { value: '{"name": "Ada",}' } })
    expect(within(dialog).getByRole('alert')).toHaveTextContent(/Not valid JSON \(line 1/)
    expect(within(dialog).getByRole('button', { name: 'Run' })).toBeDisabled()
    fireEvent.change(input, { target: { value: '{"name": "Ada"}' } })
    await user.click(within(dialog).getByRole('button', { name: 'Run' }))

    expect(bodies).toEqual([{ input: { name: 'Ada' }, draft: true }])
    await waitFor(() =>
      expect(screen.getByTestId('node-check')).toHaveAttribute('data-run-status', 'succeeded'),
    )
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument()
    expect(within(screen.getByTestId('node-check')).getByText('2 items')).toBeInTheDocument()
    expect(screen.getByRole('status', { name: '' })).toHaveTextContent(/Test run succeeded/)
    act(() => useCanvasStore.getState().select('check'))
    const panel = await screen.findByRole('complementary', { name: 'Node settings' })
    expect(within(panel).getByText(/Last run/)).toBeInTheDocument()
    expect(within(panel).getByText('Succeeded')).toBeInTheDocument()
    expect(screen.getByRole('link', { name: /Open run/ })).toHaveAttribute(
      'href',
      '/app/executions/ex1',
    )
  })

  it('stops the run it is watching', async () => {
    const user = userEvent.setup()
    const cancels: string[] = []
    const running = executionDetail({ status: 'running', finished_at: null, duration_ms: null })
    backend(
      () => json(execution({ status: 'queued' }), 202),
      workflow(),
      me,
      (url, init) => {
        if (url.pathname === '/api/v1/executions/ex1/cancel/' && init.method === 'POST') {
          cancels.push(url.pathname)
          return json(execution({ status: 'cancelled' }))
        }
        if (url.pathname === '/api/v1/executions/ex1/') return json(running)
        if (url.pathname === '/api/v1/executions/ex1/steps/')
          return json({ count: 0, next: null, previous: null, results: [] })
        return undefined
      },
    )
    await openEditor()
    await user.click(screen.getByRole('button', { name: 'Run' }))
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Run' }))
    await user.click(await screen.findByRole('button', { name: 'Stop' }))
    await waitFor(() => expect(cancels).toEqual(['/api/v1/executions/ex1/cancel/']))
    expect(await screen.findByText('cancelled')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Stop' })).not.toBeInTheDocument()
  })

  it('says when running is not available yet', async () => {
    const user = userEvent.setup()
    backend(() => ({ status: 404, body: { type: 'not_found', detail: 'Not found.' } }))
    await openEditor()
    await user.click(screen.getByRole('button', { name: 'Run' }))
    fireEvent.change(screen.getByLabelText('Input (JSON object)'), { target: { value: '{}' } })
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Run' }))
    expect(
      await screen.findByText('Running workflows is not available on this server yet.'),
    ).toBeInTheDocument()
    await waitFor(() => expect(screen.getByRole('button', { name: 'Run' })).toBeDisabled())
  })
})
