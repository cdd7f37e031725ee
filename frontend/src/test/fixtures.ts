import type {
  BlockCatalog,
  Execution,
  ExecutionDetail,
  ExecutionStep,
  Me,
  Workflow,
  WorkflowListItem,
} from '@/api/types'

const retention = {
  keep_succeeded_days: 30,
  keep_failed_days: 90,
  created_at: '2025-01-01T00:00:00Z',
}

export const me: Me = {
  id: 1,
  username: 'ada',
  email: 'ada@example.com',
  workspaces: [
    { id: 'w1', name: 'Acme', slug: 'acme', role: 'owner', ...retention },
    { id: 'w2', name: 'Side project', slug: 'side', role: 'editor', ...retention },
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
  priority: 'normal',
  retry_attempts: 0,
  retry_delay_seconds: 60,
  is_tool: false,
  updated_at: new Date(Date.now() - 5 * 60_000).toISOString(),
  created_at: '2025-01-01T00:00:00Z',
  ...overrides,
})

export const workflow = (overrides: Partial<Workflow> = {}): Workflow => ({
  ...listItem(),
  draft_is_live: false,
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

export const execution = (overrides: Partial<Execution> = {}): Execution => ({
  id: 'ex1',
  workspace: 'w1',
  workflow: 'wf1',
  workflow_name: 'Greet new users',
  version: null,
  mode: 'test',
  status: 'succeeded',
  priority: 'normal',
  attempt: 1,
  input: { name: 'Ada' },
  output: { text: 'Hello Ada' },
  error: null,
  wake_at: null,
  trigger: null,
  trigger_kind: null,
  trigger_node: null,
  parent: null,
  created_at: '2026-01-01T10:00:00Z',
  started_at: '2026-01-01T10:00:00Z',
  finished_at: '2026-01-01T10:00:01.250Z',
  duration_ms: 1250,
  ...overrides,
})

export const executionDetail = (overrides: Partial<ExecutionDetail> = {}): ExecutionDetail => ({
  ...execution(),
  graph: workflow().graph,
  ...overrides,
})

export const step = (overrides: Partial<ExecutionStep> = {}): ExecutionStep => ({
  id: 1,
  key: 'start',
  node_id: 'start',
  item_key: '',
  block_type: 'manual_trigger',
  block_version: 1,
  status: 'succeeded',
  input: null,
  output: { name: 'Ada' },
  error: null,
  attempts: 1,
  started_at: '2026-01-01T10:00:00Z',
  finished_at: '2026-01-01T10:00:00.100Z',
  resume_url: null,
  ...overrides,
})
