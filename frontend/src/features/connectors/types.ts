// Names for the catalogue's generated shapes, plus what the schema leaves open (auth schemes,
// rate limits and parameter schemas are JSON fields on the server).
import type { components } from '@/api/generated/schema'

type Schemas = components['schemas']

export type ConnectorCategory = Schemas['CategoryEnum']
export type ConnectorSummary = Required<Schemas['ConnectorListOutput']>
export type ConnectorDetail = Omit<
  Required<Schemas['ConnectorDetailOutput']>,
  'auth_schemes' | 'rate_limit' | 'retry_policy' | 'operations'
> & {
  auth_schemes: AuthScheme[]
  rate_limit: RateLimit
  retry_policy: { max_attempts?: number; backoff?: string }
}
export type CategoryCount = Schemas['CategoryOutput']

export interface OAuthFlow {
  authorization_url?: string
  token_url?: string
  scopes?: Record<string, string>
}

export interface AuthScheme {
  key: string
  kind: string
  description?: string
  /** api_key: the header, query parameter or cookie that carries it. */
  name?: string
  location?: string
  flows?: Record<string, OAuthFlow>
}

export interface RateLimit {
  limit?: number
  period?: number
  max_wait?: number
}

export interface ParameterSchema {
  type?: string | string[]
  description?: string
  enum?: unknown[]
  default?: unknown
  format?: string
  items?: ParameterSchema
  'x-in'?: string
}

export interface ObjectSchema {
  type?: string
  properties?: Record<string, ParameterSchema>
  required?: string[]
}

export type Operation = Omit<
  Required<Schemas['OperationOutput']>,
  'parameters_schema' | 'body_schema'
> & {
  parameters_schema: ObjectSchema
  body_schema: ObjectSchema | null
}

/** How the browser lists connectors: most used first, or by name. */
export type ConnectorSort = 'popular' | 'name'
