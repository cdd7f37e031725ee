import { describe, expect, it } from 'vitest'
import type { Credential } from '@/api/types'
import { credential } from './test-fixtures'
import { credentialHealth, expiryText, writableSecretFields } from './status'

const NOW = new Date('2026-06-01T12:00:00Z')

describe('credentialHealth', () => {
  it.each([
    [{}, 'connected', 'Connected'],
    [{ status: 'warning', expires_at: '2026-06-05T00:00:00Z' }, 'expires-soon', 'Expires soon'],
    [{ status: 'error', last_error: 'HTTP 401' }, 'error', 'Error'],
    [{ status: 'error', expires_at: '2026-05-01T00:00:00Z' }, 'error', 'Expired'],
    [{ status: 'error', needs_reauth: true, kind: 'oauth2_code' }, 'needs-reauth', 'Needs re-auth'],
    [{ status: 'disconnected', kind: 'oauth2_code' }, 'needs-reauth', 'Not connected'],
    [{ status: 'disconnected' }, 'error', 'Disconnected'],
  ] as const)('%o is %s', (overrides, health, label) => {
    const view = credentialHealth(credential(overrides as Partial<Credential>), NOW)
    expect([view.health, view.label]).toEqual([health, label])
  })

  it('explains an error with the last error', () => {
    expect(credentialHealth(credential({ status: 'error', last_error: 'HTTP 401' })).detail).toBe(
      'HTTP 401',
    )
  })

  it('offers only the secret fields a user types in', () => {
    const oauth = credential({
      kind: 'oauth2_code',
      secret_fields: ['client_secret', 'access_token', 'refresh_token'],
    })
    expect(writableSecretFields(oauth)).toEqual(['client_secret'])
  })
})

describe('expiryText', () => {
  it('says when, ahead or behind', () => {
    expect(expiryText('2026-06-04T12:00:00Z', NOW)).toBe('Expires in 3 days')
    expect(expiryText('2026-05-30T12:00:00Z', NOW)).toBe('Expired 2 days ago')
  })
})
