import type { BlockCatalog, Me, Workflow, WorkflowListItem } from '@/api/types'

export const me: Me = {
  id: 1,
  username: 'ada',
  email: 'ada@example.com',
  workspaces: [
    { id: 'w1', name: 'Acme', slug: 'acme', role: 'owner' },
    { id: 'w2', name: 'Side project', slug: 'side', role: 'editor' },
  ],
}

export const listItem = (overrides: Partial<WorkflowListItem> = {}): WorkflowListItem => ({
  id: 'wf1',
  workspace: 'w1',
  name: 'Greet new users',
  description: 'Says hello',
  status: 'draft',
  version: 3,
  published_version: null,
  updated_at: new Date(Date.now() - 5 * 60_000).toISOString(),
  created_at: '2025-01-01T00:00:00Z',
  ...overrides,
})

export const workflow = (overrides: Partial<Workflow> = {}): Workflow => ({
  ...listItem(),
  graph: {
    nodes: [
      {
        id: 'hook',
        type: 'webhook_trigger',
        position: { x: 0, y: 0 },
        data: { version: '1', config: { method: 'POST' } },
      },
      {
        id: 'check',
        type: 'condition',
        position: { x: 260, y: 0 },
        data: { config: { expression: 'body.ok' } },
      },
    ],
    edges: [{ id: 'e1', source: 'hook', target: 'check' }],
  },
  ...overrides,
})

export const catalog: BlockCatalog = {
  categories: [
    {
      key: 'trigger',
      title: 'Triggers',
      blocks: [
        {
          key: 'webhook_trigger',
          version: '1',
          title: 'Webhook',
          category: 'trigger',
          icon: 'webhook',
          description: 'Starts on an HTTP request',
          config_schema: {
            type: 'object',
            properties: { method: { enum: ['GET', 'POST'], default: 'POST' } },
          },
          inputs: [],
          outputs: ['main', 'error'],
          deprecated: false,
        },
      ],
    },
    {
      key: 'logic',
      title: 'Logic',
      blocks: [
        {
          key: 'condition',
          version: 2,
          title: 'Condition',
          category: 'logic',
          icon: 'branch',
          description: 'Branches on an expression',
          config_schema: {
            type: 'object',
            required: ['expression'],
            properties: { expression: { type: 'string', title: 'Expression' } },
          },
          inputs: ['main'],
          outputs: ['true', 'false', 'error'],
          versions: [1, 2],
          deprecated: false,
        },
      ],
    },
  ],
}
