// What the credentials page says about a credential's health, from what the API exposes:
// `status` (connected / warning / error / disconnected), `needs_reauth` and `expires_at`.
import type { Credential } from '@/api/types'
import { formatRelative } from '@/lib/format'

export type CredentialHealth = 'connected' | 'expires-soon' | 'error' | 'needs-reauth'

export interface HealthView {
  health: CredentialHealth
  label: string
  /** A sentence for the tooltip and screen readers: why, and what to do. */
  detail: string
}

const OAUTH_CONSENT = new Set(['oauth2_code'])

/** What the health of a credential depends on (the Status page passes its own shape). */
export type HealthFields = Pick<Credential, 'needs_reauth' | 'expires_at' | 'last_error'> & {
  kind: string
  status: string
}

export function credentialHealth(credential: HealthFields, now: Date = new Date()): HealthView {
  const expires = credential.expires_at ? new Date(credential.expires_at) : null
  const expired = expires !== null && expires.getTime() <= now.getTime()
  if (credential.needs_reauth) {
    return {
      health: 'needs-reauth',
      label: 'Needs re-auth',
      detail: 'The provider refused the grant: reconnect the account.',
    }
  }
  if (credential.status === 'disconnected') {
    return OAUTH_CONSENT.has(credential.kind)
      ? { health: 'needs-reauth', label: 'Not connected', detail: 'Connect the account.' }
      : { health: 'error', label: 'Disconnected', detail: 'Replace the secret.' }
  }
  if (expired) {
    return { health: 'error', label: 'Expired', detail: `Expired ${expires.toLocaleString()}.` }
  }
  if (credential.status === 'error') {
    return {
      health: 'error',
      label: 'Error',
      detail: credential.last_error || 'The last use or test failed.',
    }
  }
  if (credential.status === 'warning' && expires !== null) {
    return {
      health: 'expires-soon',
      label: 'Expires soon',
      detail: `Expires ${expires.toLocaleString()}.`,
    }
  }
  return { health: 'connected', label: 'Connected', detail: 'Working.' }
}

export const KIND_LABELS: Record<string, string> = {
  api_key: 'API key',
  bearer: 'Bearer token',
  basic: 'Basic auth',
  oauth2_code: 'OAuth2',
  oauth2_client: 'OAuth2 client',
  smtp: 'SMTP',
}

/** OAuth tokens are written by the platform, never typed in. */
const TOKEN_FIELDS = new Set(['access_token', 'refresh_token'])

export const writableSecretFields = (credential: Credential) =>
  credential.secret_fields.filter((name) => !TOKEN_FIELDS.has(name))

export const usesConsent = (credential: Credential) => OAUTH_CONSENT.has(credential.kind)

/** "Expires in 3 days" / "Expired 2 days ago". */
export function expiryText(iso: string, now: Date = new Date()): string {
  const past = new Date(iso).getTime() <= now.getTime()
  return `${past ? 'Expired' : 'Expires'} ${formatRelative(iso, now)}`
}
