// Test data for the credentials page's tests.
import type { Credential } from '@/api/types'

export const credential = (overrides: Partial<Credential> = {}): Credential => ({
  id: 'c1',
  workspace: 'w1',
  name: 'GitHub',
  kind: 'api_key',
  connector: 'github',
  config: {},
  secret_fields: ['api_key'],
  status: 'connected',
  needs_reauth: false,
  expires_at: null,
  access_expires_at: null,
  last_used_at: null,
  last_error: '',
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  ...overrides,
})
