// Expressions read what is pinned for the node's test before the last run's data: the inline
// preview sends it to the server, and the autocomplete offers its fields.
import { act, fireEvent, renderHook, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { ReactNode } from 'react'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Providers } from '@/app/providers'
import { createQueryClient } from '@/app/query-client'
import { useRunOverlayStore } from '@/features/executions/run-store'
import { json, mockFetch } from '@/test/fetch'
import { catalog, me, step, workflow } from '@/test/fixtures'
import { renderApp } from '@/test/render'
import { useNodeExpressionScope } from './expression-scope'
import { savePinned } from './pinned-data'
import { useCanvasStore } from './store'

type Preview = { data: { trigger: unknown; nodes: Record<string, { output: unknown }> } }

const reading = workflow()
reading.graph.nodes[1].data.config = { expression: '{{ nodes.hook.output.body.n }}' }
const lastRun = step({ key: 'hook', node_id: 'hook', output: { body: { n: 1 } } })
const pinned = { trigger: { body: { n: 7 } }, nodes: { hook: { body: { n: 7 }, pinned_only: 1 } } }

/** The app's API; the preview answers what the template reads from the data it was sent. */
function backend(previews: Preview[]) {
  mockFetch((url, init) => {
    if (url.pathname === '/api/v1/me/') return json(me)
    if (url.pathname === '/api/v1/blocks/') return json(catalog)
    if (url.pathname === '/api/v1/workflows/wf1/') return json(reading)
    if (url.pathname === '/api/v1/expressions/preview/') {
      const body = JSON.parse(String(init.body)) as Preview
      previews.push(body)
      const output = body.data.nodes.hook?.output as { body?: { n?: number } } | undefined
      return json({ value: output?.body?.n ?? null })
    }
    return undefined
  })
}

describe('pinned data in expressions', () => {
  beforeAll(() => import('./editor-page'), 30_000)
  beforeEach(() => localStorage.clear())
  afterEach(() => useRunOverlayStore.getState().clear())

  it('previews on the pinned data first, and follows edits of it', async () => {
    const user = userEvent.setup()
    const previews: Preview[] = []
    backend(previews)
    renderApp('/app/workflows/wf1')
    await screen.findByTestId('node-check')
    act(() => useCanvasStore.getState().select('check'))
    act(() => useRunOverlayStore.getState().applySteps([lastRun]))
    const panel = await screen.findByRole('complementary', { name: 'Node settings' })
    // Before anything is pinned: the last run's value.
    await waitFor(() =>
      expect(within(panel).getByTestId('expression-preview')).toHaveTextContent('1'),
    )

    await user.click(within(panel).getByText('Test this node'))
    fireEvent.change(within(panel).getByLabelText('Pinned data (JSON)'), {
      target: { value: JSON.stringify(pinned) },
    })
    await waitFor(() =>
      expect(within(panel).getByTestId('expression-preview')).toHaveTextContent('7'),
    )
    expect(previews.at(-1)?.data).toEqual({
      trigger: pinned.trigger,
      nodes: { hook: { output: pinned.nodes.hook } },
      vars: {},
    })
  }, 20_000) // two debounced previews on a busy machine
})

describe('useNodeExpressionScope', () => {
  const wrapper = ({ children }: { children: ReactNode }) => {
    const client = createQueryClient()
    client.setDefaultOptions({ queries: { retry: false } })
    return <Providers client={client}>{children}</Providers>
  }

  beforeEach(() => {
    localStorage.clear()
    backend([])
    useCanvasStore.getState().load('wf1', reading.graph, 1)
    useRunOverlayStore.getState().applySteps([lastRun])
  })
  afterEach(() => useRunOverlayStore.getState().clear())

  it('offers the pinned output’s fields, and the last run’s when nothing is pinned', async () => {
    const { result } = renderHook(() => useNodeExpressionScope('check', false), { wrapper })
    await waitFor(() => expect(result.current.nodes.map((n) => n.id)).toEqual(['hook']))
    expect(result.current.nodes[0].fields).not.toContain('pinned_only')
    expect(result.current.data.nodes.hook.output).toEqual({ body: { n: 1 } })

    act(() => savePinned('wf1', 'check', JSON.stringify(pinned)))
    expect(result.current.nodes[0].fields).toContain('pinned_only')
    expect(result.current.triggerFields).toEqual(['body'])
    expect(result.current.data.trigger).toEqual(pinned.trigger)

    act(() => savePinned('wf1', 'check', '{"nodes": ')) // half typed: the last run again
    expect(result.current.data.nodes.hook.output).toEqual({ body: { n: 1 } })
  })

  it('leaves a run’s page on that run’s data', async () => {
    savePinned('wf1', 'check', JSON.stringify(pinned))
    const { result } = renderHook(() => useNodeExpressionScope('check', true), { wrapper })
    await waitFor(() => expect(result.current.nodes.map((n) => n.id)).toEqual(['hook']))
    expect(result.current.data.nodes.hook.output).toEqual({ body: { n: 1 } })
  })
})
