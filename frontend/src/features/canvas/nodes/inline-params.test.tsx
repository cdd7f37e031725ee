import { act, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeAll, describe, expect, it } from 'vitest'
import type { BlockCatalog } from '@/api/types'
import { useRunOverlayStore } from '@/features/executions/run-store'
import { json, mockFetch } from '@/test/fetch'
import { catalog, me, step, workflow } from '@/test/fixtures'
import { renderApp } from '@/test/render'
import { useCanvasStore } from '../store'

// The fixture catalogue, with the condition's expression marked to be edited on the node.
const hinted: BlockCatalog = {
  categories: catalog.categories.map((category) => ({
    ...category,
    blocks: category.blocks.map((block) =>
      block.key !== 'condition'
        ? block
        : {
            ...block,
            ui: {
              expression: {
                widget: null,
                placeholder: '{{ body.ok }}',
                group: '',
                show_when: {},
                inline: true,
                hidden: false,
              },
            },
          },
    ),
  })),
}

async function openEditor() {
  mockFetch((url) => {
    if (url.pathname === '/api/v1/me/') return json(me)
    if (url.pathname === '/api/v1/blocks/') return json(hinted)
    if (url.pathname === '/api/v1/workflows/wf1/') return json(workflow())
    return undefined
  })
  renderApp('/app/workflows/wf1')
  await screen.findByTestId('node-check', {}, { timeout: 10_000 })
}

describe('inline parameters on the node card', { timeout: 20_000 }, () => {
  beforeAll(() => import('../editor-page'), 30_000)

  it('edits an inline field on the node, straight into the config', async () => {
    const user = userEvent.setup()
    await openEditor()
    const node = screen.getByTestId('node-check')
    const input = await within(node).findByLabelText('Expression of node check')
    expect(input).toHaveValue('body.ok')
    expect(input).toHaveClass('nodrag')
    // Only fields marked inline: the webhook node has none.
    expect(within(screen.getByTestId('node-hook')).queryByRole('textbox')).toBeNull()
    await user.clear(input)
    await user.type(input, 'body.ready')
    const config = useCanvasStore.getState().toGraph().nodes[1].data.config
    expect(config).toEqual({ expression: 'body.ready' })
    expect(useCanvasStore.getState().dirty).toBe(true)
    await user.clear(input)
    expect(useCanvasStore.getState().toGraph().nodes[1].data.config).toEqual({})
  })

  it('shows one line of the last run’s output on the node', async () => {
    await openEditor()
    const long = 'x'.repeat(100)
    act(() =>
      useRunOverlayStore
        .getState()
        .applySteps([
          step({ node_id: 'check', key: 'check', output: { result: true, note: long } }),
        ]),
    )
    const preview = screen.getByTestId('node-result-check')
    expect(preview.textContent).toMatch(/^\{"result":true,"note":"x+…$/)
    expect(preview.textContent).toHaveLength(60)
    act(() => useRunOverlayStore.getState().clear())
    expect(screen.queryByTestId('node-result-check')).toBeNull()
  })
})
