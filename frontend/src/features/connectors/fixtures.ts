// Catalogue rows for the connector pages' tests, in the API's shapes.
import type { ConnectorDetail, ConnectorSummary, Operation } from './types'

export const summary = (overrides: Partial<ConnectorSummary> = {}): ConnectorSummary => ({
  slug: 'slack',
  name: 'Slack',
  category: 'messaging',
  category_label: 'Messaging',
  icon: '',
  description: 'Post and update messages, manage channels.',
  docs_url: 'https://api.slack.com/methods',
  version: '1.7.0',
  enabled: true,
  auth_kinds: ['aws_sigv4', 'oauth2'],
  operations_count: 60,
  popularity: 3,
  connected: false,
  ...overrides,
})

export const detail = (overrides: Partial<ConnectorDetail> = {}): ConnectorDetail => ({
  ...summary(),
  base_url: 'https://slack.com/api',
  auth_schemes: [
    {
      key: 'slack_oauth2',
      kind: 'oauth2',
      description: 'Slack OAuth v2; yields a bot token.',
      flows: { authorization_code: { scopes: { 'chat:write': 'Send messages as the app' } } },
    },
    { key: 'key', kind: 'api_key', name: 'X-Api-Key', location: 'header' },
  ],
  rate_limit: { limit: 1, period: 1, max_wait: 2 },
  retry_policy: { max_attempts: 4, backoff: 'exponential' },
  breaker_policy: {},
  health_check_operation: 'auth_test',
  utterances: [],
  route_threshold: 0.45,
  tool_role: '',
  tool_goal: '',
  tool_backstory: '',
  source: 'slack.com.json',
  updated_at: '2026-01-01T00:00:00Z',
  ...overrides,
})

export const operation = (overrides: Partial<Operation> = {}): Operation => ({
  key: 'chat_postMessage',
  name: 'Send a message to a channel',
  method: 'POST',
  path: '/chat.postMessage',
  description: 'Sends a message to a channel.',
  parameters_schema: {
    type: 'object',
    properties: { token: { type: 'string', description: 'Auth token.', 'x-in': 'header' } },
  },
  body_schema: {
    type: 'object',
    required: ['channel'],
    properties: {
      channel: { type: 'string', description: 'Channel to send to.' },
      mrkdwn: { type: 'boolean' },
    },
  },
  body_content_type: 'application/json',
  response_schema: null,
  utterances: [],
  tags: [],
  deprecated: false,
  enabled: true,
  ...overrides,
})

export const page = <T>(results: T[], next: string | null = null) => ({
  count: results.length + (next ? 25 : 0),
  next,
  previous: null,
  results,
})
