import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { json, mockFetch } from '@/test/fetch'
import { listItem, me } from '@/test/fixtures'
import { renderApp } from '@/test/render'
import { exportFileName } from './transfer'

const exported = {
  format: 'flowplane.workflow',
  format_version: 1,
  name: 'Round trip',
  description: '',
  graph: { nodes: [], edges: [] },
}

function backend(onImport: (body: unknown) => ReturnType<typeof json>) {
  return mockFetch((url, init) => {
    if (url.pathname === '/api/v1/me/') return json(me)
    if (url.pathname === '/api/v1/workflows/import/') return onImport(JSON.parse(String(init.body)))
    if (url.pathname === '/api/v1/workflows/')
      return json({ count: 0, next: null, previous: null, results: [] })
    return undefined
  })
}

const file = (text: string) => new File([text], 'flow.json', { type: 'application/json' })

describe('Import on the workflow list', () => {
  it('posts the file’s document to the current workspace and opens the new workflow', async () => {
    const user = userEvent.setup()
    const bodies: unknown[] = []
    backend((body) => {
      bodies.push(body)
      return json({ ...listItem({ id: 'wf7', name: 'Round trip' }), graph: exported.graph }, 201)
    })
    const { router } = renderApp('/app/')
    await screen.findByRole('button', { name: 'Import' })
    await user.upload(
      screen.getByLabelText('Workflow file to import'),
      file(JSON.stringify(exported)),
    )
    await waitFor(() => expect(router.state.location.pathname).toBe('/app/workflows/wf7'))
    expect(bodies).toEqual([{ workspace: String(me.workspaces[0].id), document: exported }])
  })

  it('says when the file is not JSON, and shows the server’s field errors', async () => {
    const user = userEvent.setup()
    backend(() =>
      json(
        {
          type: 'validation_error',
          detail: 'The import document is invalid.',
          fields: { 'document.format': ["Expected 'flowplane.workflow'."] },
        },
        400,
      ),
    )
    renderApp('/app/')
    const input = await screen.findByLabelText('Workflow file to import')
    await user.upload(input, file('not json'))
    expect(await screen.findByText('flow.json is not a JSON file.')).toBeInTheDocument()
    await user.upload(input, file('{"format": "other"}'))
    expect(
      await screen.findByText(
        "Import failed: The import document is invalid. document.format: Expected 'flowplane.workflow'.",
      ),
    ).toHaveAttribute('role', 'alert')
  })

  it('names the download after the workflow', () => {
    expect(exportFileName('Nightly report: EU/US')).toBe('nightly-report-eu-us.flowplane.json')
    expect(exportFileName('***')).toBe('workflow.flowplane.json')
  })
})
