import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { describe, expect, it } from 'vitest'
import { json, mockFetch } from '@/test/fetch'
import { renderWithProviders } from '@/test/render'
import { CronEditor } from './cron-editor'

function Harness({ initial }: { initial: Record<string, unknown> }) {
  const [config, setConfig] = useState(initial)
  return (
    <>
      <CronEditor config={config} onChange={setConfig} />
      <output data-testid="config">{JSON.stringify(config)}</output>
    </>
  )
}

const runs = (zone: string) =>
  Array.from({ length: 5 }, (_, i) => ({
    at: `2026-12-0${i + 3}T08:00:00Z`,
    local: `2026-12-0${i + 3}T09:00:00+01:00`,
    zone,
  }))

describe('CronEditor', () => {
  it('shows the next five runs of the typed expression in the picked zone', async () => {
    const user = userEvent.setup()
    const bodies: Record<string, unknown>[] = []
    mockFetch((url, init) => {
      if (url.pathname !== '/api/v1/triggers/cron-preview/') return undefined
      const body = JSON.parse(String(init.body)) as { expression: string; timezone: string }
      bodies.push(body)
      return json({
        expression: body.expression,
        timezone: body.timezone,
        runs: runs(body.timezone),
      })
    })
    renderWithProviders(<Harness initial={{ cron: '' }} />)
    expect(screen.getByText('Enter a cron expression to see when it runs.')).toBeInTheDocument()
    await user.type(screen.getByLabelText(/Cron expression/), '0 9 * * *')
    await user.selectOptions(screen.getByLabelText('Time zone'), 'Europe/Berlin')
    const list = await screen.findByRole('list', { name: 'Next five runs' })
    expect(list.querySelectorAll('li')).toHaveLength(5)
    await waitFor(() =>
      expect(bodies.at(-1)).toEqual({
        expression: '0 9 * * *',
        timezone: 'Europe/Berlin',
        count: 5,
      }),
    )
    // The typed expression is a preset: the preset picker follows it.
    expect(screen.getByLabelText('Repeat')).toHaveValue('daily')
    expect(screen.getByTestId('config').textContent).toBe(
      JSON.stringify({ cron: '0 9 * * *', timezone: 'Europe/Berlin' }),
    )
  })

  it('writes a preset’s expression and shows a server error at the cron field', async () => {
    const user = userEvent.setup()
    mockFetch((_url, init) => {
      const body = JSON.parse(String(init.body)) as { expression: string }
      if (body.expression === '*/5 * * * *')
        return json({ expression: body.expression, timezone: 'UTC', runs: runs('UTC') })
      return json(
        {
          type: 'invalid_input',
          detail: 'Invalid cron.',
          fields: { expression: ['Wrong number of fields.'] },
        },
        400,
      )
    })
    renderWithProviders(<Harness initial={{ cron: '0 9 *', timezone: 'UTC' }} />)
    expect(await screen.findByText('Wrong number of fields.')).toBeInTheDocument()
    expect(screen.getByLabelText(/Cron expression/)).toHaveAttribute('aria-invalid', 'true')
    await user.selectOptions(screen.getByLabelText('Repeat'), 'every5')
    expect(screen.getByLabelText(/Cron expression/)).toHaveValue('*/5 * * * *')
    expect(await screen.findByRole('list', { name: 'Next five runs' })).toBeInTheDocument()
    expect(screen.queryByText('Wrong number of fields.')).not.toBeInTheDocument()
  })

  it('offers day and time for a weekly schedule', async () => {
    const user = userEvent.setup()
    mockFetch(() => json({ expression: '', timezone: 'UTC', runs: [] }))
    renderWithProviders(<Harness initial={{ cron: '0 9 * * 1' }} />)
    await user.selectOptions(screen.getByLabelText('Day'), 'Friday')
    expect(screen.getByLabelText(/Cron expression/)).toHaveValue('0 9 * * 5')
    await user.selectOptions(screen.getByLabelText('Repeat'), 'custom')
    expect(screen.getByLabelText('Repeat')).toHaveValue('custom')
    expect(screen.queryByLabelText('Day')).not.toBeInTheDocument()
  })
})
