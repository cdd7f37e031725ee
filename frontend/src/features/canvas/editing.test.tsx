import { act, fireEvent, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeAll, describe, expect, it } from 'vitest'
import { json, mockFetch } from '@/test/fetch'
import { catalog, me, workflow } from '@/test/fixtures'
import { renderApp } from '@/test/render'
import { useCanvasStore } from './store'

async function openEditor() {
  mockFetch((url) => {
    if (url.pathname === '/api/v1/me/') return json(me)
    if (url.pathname === '/api/v1/blocks/') return json(catalog)
    if (url.pathname === '/api/v1/workflows/wf1/') return json(workflow())
    return undefined
  })
  renderApp('/app/workflows/wf1')
  await screen.findByTestId('node-check', {}, { timeout: 10_000 })
}

const store = () => useCanvasStore.getState()

// Each test mounts the whole editor and types into it: seconds on a busy CI machine.
describe('canvas editing comforts', { timeout: 20_000 }, () => {
  // The editor route is lazy; load it once so no test races the import.
  beforeAll(() => import('./editor-page'), 30_000)

  it('renames the selected node with F2, and Escape leaves the name alone', async () => {
    const user = userEvent.setup()
    await openEditor()
    act(() => store().select('check'))
    await user.keyboard('{F2}')
    const name = screen.getByLabelText('Name of node check')
    await user.clear(name)
    await user.type(name, 'Ready?{Enter}')
    expect(within(screen.getByTestId('node-check')).getByText('Ready?')).toBeInTheDocument()
    expect(store().toGraph().nodes[1].data.label).toBe('Ready?')

    // fireEvent: user-event's mousedown trips d3-drag in jsdom (no event.view).
    fireEvent.doubleClick(within(screen.getByTestId('node-check')).getByText('Ready?'))
    await user.type(screen.getByLabelText('Name of node check'), 'x{Escape}', { skipClick: true })
    expect(store().toGraph().nodes[1].data.label).toBe('Ready?')
    expect(store().past).toHaveLength(1)
  })

  it('opens a node’s context menu and duplicates from it', async () => {
    const user = userEvent.setup()
    await openEditor()
    fireEvent.contextMenu(screen.getByTestId('node-check'))
    const menu = screen.getByRole('menu', { name: 'Node check' })
    const items = within(menu)
      .getAllByRole('menuitem')
      .map((item) => item.textContent)
    expect(items).toEqual(['CopyCtrl+C', 'DuplicateCtrl+D', 'RenameF2', 'DeleteDel'])
    expect(document.activeElement).toBe(within(menu).getAllByRole('menuitem')[0])
    await user.keyboard('{ArrowDown}{Enter}')
    expect(await screen.findByTestId('node-check_1')).toBeInTheDocument()
    expect(screen.queryByRole('menu')).not.toBeInTheDocument()
  })

  it('adds a note from the canvas menu; it edits in the side panel', async () => {
    const user = userEvent.setup()
    await openEditor()
    const pane = document.querySelector('.react-flow__pane')
    expect(pane).not.toBeNull()
    fireEvent.contextMenu(pane as Element)
    await user.click(screen.getByRole('menuitem', { name: /Add note here/ }))
    await user.type(screen.getByRole('textbox', { name: 'Text' }), 'Ask Ann')
    expect(within(screen.getByTestId('node-note_1')).getByText('Ask Ann')).toBeInTheDocument()
    expect(store().toGraph().nodes.at(-1)).toMatchObject({
      type: 'note',
      data: { text: 'Ask Ann' },
    })
  })

  it('lists the shortcuts on `?` and closes with Escape', async () => {
    const user = userEvent.setup()
    await openEditor()
    await user.keyboard('?')
    const dialog = screen.getByRole('dialog', { name: 'Keyboard shortcuts' })
    expect(within(dialog).getByText('Duplicate the selection')).toBeInTheDocument()
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Close' }))
    await user.keyboard('{Escape}')
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument()
  })

  it('duplicates with Ctrl+D and undoes with Ctrl+Z', async () => {
    const user = userEvent.setup()
    await openEditor()
    act(() => store().select('hook'))
    await user.keyboard('{Control>}d{/Control}')
    expect(await screen.findByTestId('node-hook_1')).toBeInTheDocument()
    await user.keyboard('{Control>}z{/Control}')
    expect(screen.queryByTestId('node-hook_1')).not.toBeInTheDocument()
  })
})
