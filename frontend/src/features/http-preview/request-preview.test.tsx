import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { describe, expect, it } from 'vitest'
import type { PreviewData } from '@/features/expressions/scope'
import { json, mockFetch } from '@/test/fetch'
import { renderWithProviders } from '@/test/render'
import { RequestPreview } from './request-preview'
import { previewSample } from './sample-data'

type Sent = { workspace: string; config: Record<string, unknown>; data: PreviewData | null }

/** The server's answer built from what was sent, so the test sees the preview follow edits. */
function server() {
  const sent: Sent[] = []
  mockFetch((url, init) => {
    if (url.pathname !== '/api/v1/blocks/http_request/preview-request/') return undefined
    const body = JSON.parse(String(init.body)) as Sent
    sent.push(body)
    const headers = Object.entries((body.config.headers ?? {}) as Record<string, string>)
    return json({
      method: body.config.method ?? 'GET',
      url: body.config.url,
      headers: [
        { name: 'User-Agent', value: 'flowplane-outbound/0.1' },
        { name: 'Authorization', value: 'Bearer ••••' },
        ...headers.map(([name, value]) => ({ name, value })),
      ],
      body: body.config.body_type === 'json' ? JSON.stringify(body.config.body) : null,
      body_bytes: 0,
      body_truncated: false,
      warnings: String(body.config.url).includes('127.0.0.1')
        ? ["http_request: destination '127.0.0.1' is not allowed (loopback address)"]
        : [],
      unresolved: data(body) ? [] : ['config.headers.X-Trace'],
    })
  })
  return sent
}

const data = (body: Sent) => body.data !== null

/** A URL and one header typed by the user, as the node's form would hold them. */
function Editor({ sample }: { sample: PreviewData | null }) {
  const [url, setUrl] = useState('')
  const [trace, setTrace] = useState('')
  const config = { method: 'POST', url, headers: trace ? { 'X-Trace': trace } : {} }
  return (
    <>
      <input aria-label="URL" value={url} onChange={(e) => setUrl(e.target.value)} />
      <input aria-label="X-Trace" value={trace} onChange={(e) => setTrace(e.target.value)} />
      <RequestPreview workspaceId="w1" config={config} sample={sample} />
    </>
  )
}

describe('RequestPreview', () => {
  it('follows the URL and headers as they are typed, with the credential masked', async () => {
    const user = userEvent.setup({ delay: null })
    const sent = server()
    renderWithProviders(<Editor sample={null} />)
    expect(screen.getByText(/Type a URL to see the request/)).toBeVisible()
    await user.type(screen.getByLabelText('URL'), 'https://api.example.com/items?page=2')
    const request = await screen.findByTestId('request-preview')
    expect(request).toHaveTextContent('POST https://api.example.com/items?page=2')
    expect(request).toHaveTextContent('Authorization: Bearer ••••')
    await user.type(screen.getByLabelText('X-Trace'), '{{{{ trigger.id }}')
    await waitFor(() =>
      expect(screen.getByTestId('request-preview')).toHaveTextContent('X-Trace: {{ trigger.id }}'),
    )
    expect(screen.getByText(/Shown as typed, for want of run data: config.headers.X-Trace/))
    // Debounced: a burst of keystrokes is one request, not one per key.
    expect(sent.length).toBeLessThanOrEqual(3)
    expect(sent.at(-1)).toEqual({
      workspace: 'w1',
      config: {
        method: 'POST',
        url: 'https://api.example.com/items?page=2',
        headers: { 'X-Trace': '{{ trigger.id }}' },
      },
      data: null,
    })
  }, 15_000) // dozens of keystrokes: slow on a busy machine

  it('sends the sample and lists what a run would run into', async () => {
    const user = userEvent.setup({ delay: null })
    const sent = server()
    const sample = { trigger: { id: 't-9' }, nodes: {}, vars: {} }
    renderWithProviders(<Editor sample={sample} />)
    await user.type(screen.getByLabelText('URL'), 'http://127.0.0.1:6379/')
    const warnings = await screen.findByRole('list', { name: 'Request warnings' })
    expect(warnings).toHaveTextContent("destination '127.0.0.1' is not allowed")
    expect(sent.at(-1)?.data).toEqual(sample)
  })

  it('names the field the server refused', async () => {
    mockFetch((url) =>
      url.pathname === '/api/v1/blocks/http_request/preview-request/'
        ? json(
            {
              type: 'validation_error',
              detail: 'invalid',
              fields: { 'config.credential_id': ['No credential with this id in the workspace.'] },
            },
            400,
          )
        : undefined,
    )
    renderWithProviders(
      <RequestPreview
        workspaceId="w1"
        config={{ url: 'https://api.example.com', credential_id: 'gone' }}
        sample={null}
      />,
    )
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'config.credential_id: No credential with this id in the workspace.',
    )
  })
})

describe('previewSample', () => {
  it('is the scope data when it holds anything', () => {
    const data: PreviewData = { trigger: null, nodes: { a: { output: { v: 1 } } }, vars: {} }
    expect(previewSample(data)).toBe(data)
  })

  it('is null without a run or pinned data', () => {
    expect(previewSample({ trigger: null, nodes: {}, vars: {} })).toBeNull()
  })
})
