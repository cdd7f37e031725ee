// The ways to connect a connector, read from its auth schemes: which credential kind each one
// creates, which plain settings it asks for (step 2) and which secrets (step 2 for an OAuth
// client secret, since step 3 is the provider's consent; step 3 otherwise).
import type { CredentialKind } from '@/api/types'
import type { AuthScheme, ConnectorDetail } from '@/features/connectors/types'

export interface FieldSpec {
  name: string
  label: string
  required: boolean
  help?: string
  options?: string[]
}

export interface AuthMethod {
  key: string
  kind: CredentialKind
  label: string
  /** The credential is authenticated by a consent in a popup, not by a typed secret. */
  consent: boolean
  config: FieldSpec[]
  secrets: FieldSpec[]
  defaults: Record<string, string>
  /** AWS signs per region: step 1 asks for one. */
  needsRegion: boolean
}

export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/
export const AWS_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1']

const field = (name: string, label: string, required = true, help?: string): FieldSpec => ({
  name,
  label,
  required,
  help,
})

function scopesOf(scheme: AuthScheme, flow: string): string {
  return Object.keys(scheme.flows?.[flow]?.scopes ?? {}).join(' ')
}

function fromScheme(scheme: AuthScheme): AuthMethod | null {
  const base = { key: scheme.key, consent: false, needsRegion: false, defaults: {} }
  switch (scheme.kind) {
    case 'api_key':
      if (scheme.location !== 'header' && scheme.location !== 'query') return null
      return {
        ...base,
        kind: 'api_key',
        label: 'API key',
        config: [
          { ...field('location', 'Sent in'), options: ['header', 'query'] },
          field('name', scheme.location === 'query' ? 'Query parameter' : 'Header name'),
          field('prefix', 'Value prefix', false, 'Written before the key, e.g. "Token ".'),
        ],
        secrets: [field('api_key', 'API key')],
        defaults: { location: scheme.location, name: scheme.name ?? '' },
      }
    case 'http_bearer':
      return {
        ...base,
        kind: 'bearer',
        label: 'Bearer token',
        config: [],
        secrets: [field('token', 'Token')],
      }
    case 'http_basic':
      return {
        ...base,
        kind: 'basic',
        label: 'Username and password',
        config: [field('username', 'Username')],
        secrets: [field('password', 'Password')],
      }
    case 'aws_sigv4':
      return {
        ...base,
        kind: 'aws_sigv4',
        label: 'AWS access key',
        needsRegion: true,
        config: [
          field('access_key_id', 'Access key ID'),
          field(
            'service',
            'Signing service',
            false,
            'Only for endpoints whose host does not name it.',
          ),
        ],
        secrets: [
          field('secret_access_key', 'Secret access key'),
          field('session_token', 'Session token', false, 'Only for temporary keys.'),
        ],
      }
    case 'oauth2':
      if (scheme.flows?.authorization_code) {
        return {
          ...base,
          kind: 'oauth2_code',
          label: 'Sign in (OAuth2)',
          consent: true,
          config: [
            field('client_id', 'Client ID', true, 'From the app you registered with the provider.'),
            field('scopes', 'Scopes', false, 'Separated by spaces.'),
          ],
          secrets: [
            field('client_secret', 'Client secret', false, 'Not needed for public clients.'),
          ],
          defaults: { scopes: scopesOf(scheme, 'authorization_code') },
        }
      }
      if (scheme.flows?.client_credentials) {
        return {
          ...base,
          kind: 'oauth2_client',
          label: 'Client credentials (OAuth2)',
          config: [
            field('client_id', 'Client ID'),
            field('scopes', 'Scopes', false, 'Separated by spaces.'),
          ],
          secrets: [field('client_secret', 'Client secret')],
          defaults: { scopes: scopesOf(scheme, 'client_credentials') },
        }
      }
      return null
    default:
      return null
  }
}

/** The connector's auth schemes the wizard can set up, in the catalogue's order. */
export function authMethods(connector: Pick<ConnectorDetail, 'auth_schemes'>): AuthMethod[] {
  return connector.auth_schemes.map(fromScheme).filter((m): m is AuthMethod => m !== null)
}

/** Fields asked for in step 2: the settings, and an OAuth client's secret. */
export function parameterFields(method: AuthMethod): FieldSpec[] {
  return method.consent ? [...method.config, ...method.secrets] : method.config
}

/** Fields typed in step 3 (none for a consent: the provider grants the token). */
export function authenticateFields(method: AuthMethod): FieldSpec[] {
  return method.consent ? [] : method.secrets
}

export function isSecretField(method: AuthMethod, name: string): boolean {
  return method.secrets.some((f) => f.name === name)
}

/** What the API takes: plain settings and secrets, empty optional fields left out. */
export function credentialPayload(
  method: AuthMethod,
  values: Record<string, string>,
  region: string,
): { config: Record<string, unknown>; secret: Record<string, string> } {
  const config: Record<string, unknown> = {}
  for (const f of method.config) {
    const value = (values[f.name] ?? '').trim()
    if (!value) continue
    config[f.name] = f.name === 'scopes' ? value.split(/[\s,]+/).filter(Boolean) : value
  }
  if (method.needsRegion && region) config.region = region
  const secret: Record<string, string> = {}
  for (const f of method.secrets) if (values[f.name]) secret[f.name] = values[f.name]
  return { config, secret }
}
