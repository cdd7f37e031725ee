// Words for the catalogue's codes, shared by the list and the connector page.
import type { AuthScheme, ParameterSchema, RateLimit } from './types'

const AUTH_KINDS: Record<string, string> = {
  api_key: 'API key',
  http_bearer: 'Bearer token',
  http_basic: 'Username & password',
  oauth2: 'OAuth2',
  openid_connect: 'OpenID Connect',
  aws_sigv4: 'AWS Signature v4',
  http_other: 'Other HTTP auth',
  none: 'No authentication',
}

export function authKindLabel(kind: string): string {
  return AUTH_KINDS[kind] ?? kind.replace(/_/g, ' ')
}

/** Where an API key goes, e.g. "header X-Api-Key". */
export function apiKeyPlace(scheme: AuthScheme): string | null {
  if (scheme.kind !== 'api_key' || !scheme.name) return null
  return `${scheme.location ?? 'header'} ${scheme.name}`
}

function per(period: number): string {
  if (period === 1) return 'per second'
  if (period === 60) return 'per minute'
  if (period === 3600) return 'per hour'
  if (period === 86400) return 'per day'
  return `per ${period} s`
}

/** "5 requests per second", or null when the connector sets no limit. */
export function rateLimitText(limit: RateLimit | null | undefined): string | null {
  if (!limit || typeof limit.limit !== 'number' || typeof limit.period !== 'number') return null
  const requests = `${limit.limit} request${limit.limit === 1 ? '' : 's'}`
  return `${requests} ${per(limit.period)}`
}

export function parameterType(schema: ParameterSchema): string {
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type ?? 'any')
  if (type === 'array' && schema.items) return `${parameterType(schema.items)}[]`
  return schema.format ? `${type} (${schema.format})` : type
}

export function plural(count: number, word: string): string {
  return `${count.toLocaleString()} ${word}${count === 1 ? '' : 's'}`
}
