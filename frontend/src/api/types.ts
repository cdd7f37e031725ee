// API types. Where the OpenAPI schema describes a shape, the type is taken from the generated
// file (generated/schema.d.ts: `npm run api:generate`, never edited by hand); what the schema
// leaves open (the graph, the block catalogue, JSON Schema) is written here.
import type { components } from './generated/schema'

type Schemas = components['schemas']

/** Output serializers always render every field, so the generated optionals are all present. */
type Output<T> = Required<T>

export type Id = string

export interface Paginated<T> {
  count: number
  next: string | null
  previous: string | null
  results: T[]
}

/** Cursor pagination (runs): no count, only the neighbouring pages. */
export interface CursorPage<T> {
  next: string | null
  previous: string | null
  results: T[]
}

export interface ApiErrorBody {
  type: string
  detail: string
  fields?: Record<string, string[]>
  current_version?: number
  [extra: string]: unknown
}

export type WorkspaceRole = Schemas['RoleEnum'] | (string & {})

export type WorkspaceSummary = Output<Schemas['WorkspaceOutput']>

export type Me = Omit<Output<Schemas['MeOutput']>, 'workspaces'> & {
  workspaces: WorkspaceSummary[]
}

// ---- workflow graph (stored in React Flow's shape, docs/ARCHITECTURE.md "The workflow definition")

export interface GraphNodeData {
  version?: string | number
  config: Record<string, unknown>
  [extra: string]: unknown
}

export interface GraphNode {
  id: string
  type: string
  position: { x: number; y: number }
  data: GraphNodeData
  parentId?: string
}

export interface GraphEdge {
  id: string
  source: string
  target: string
  sourceHandle?: string
  targetHandle?: string
}

export interface WorkflowGraph {
  nodes: GraphNode[]
  edges: GraphEdge[]
}

export type WorkflowStatus = Schemas['WorkflowStatusEnum']

export type WorkflowListItem = Output<Schemas['WorkflowListOutput']>

export type Workflow = Output<Omit<Schemas['WorkflowOutput'], 'graph'>> & { graph: WorkflowGraph }

export interface WorkflowCreate {
  workspace: Id
  name: string
  description: string
  graph: WorkflowGraph
}

export type WorkflowPatch = Omit<Schemas['WorkflowUpdateInputRequest'], 'graph'> & {
  graph?: WorkflowGraph
}

// ---- runs (executions), their steps and logs

export type ExecutionStatus = Schemas['ExecutionOutput']['status'] & string
export type ExecutionMode = Schemas['ModeEnum']
export type Execution = Output<Schemas['ExecutionOutput']>
export type ExecutionDetail = Omit<Output<Schemas['ExecutionDetailOutput']>, 'graph'> & {
  graph: WorkflowGraph | null
}
export type StepStatus = Schemas['StepStatusEnum']
export type ExecutionStep = Output<Schemas['ExecutionStepOutput']>
export type ExecutionLog = Output<Schemas['ExecutionLogOutput']>
export type RunInput = Schemas['RunInputRequest']

/** What POST /run/ answers. */
export type RunCreated = Execution

// ---- triggers

export type Trigger = Output<Schemas['TriggerOutput']>

/** The next runs of a cron expression in a zone (POST /triggers/cron-preview/). */
export type CronPreview = Schemas['PreviewOutput']

/** One problem of a graph (POST /workflows/validate/), on a node when node_id is set. */
export type GraphIssue = Schemas['GraphIssueOutput']

// ---- block registry (GET /api/v1/blocks/)

/** A port is a name, or an object naming it; see lib/ports.ts for how both are read. */
export type BlockPortSpec =
  string | { key?: string; name?: string; id?: string; title?: string; label?: string }

export type BlockUiHint = Output<Schemas['UiHintOutput']>
export type BlockWidget = Schemas['WidgetEnum']

export interface BlockSpec {
  key: string
  version: string | number
  title: string
  category: string
  icon: string
  description: string
  config_schema: JsonSchema
  /** How the form edits each config field (widget, placeholder, show_when, inline …). */
  ui?: Record<string, BlockUiHint>
  /** Input ports; empty for triggers. */
  inputs: BlockPortSpec[]
  /** Output ports edges may leave from (may list the implicit `error`). Not data fields. */
  outputs: BlockPortSpec[]
  deprecated: boolean
  /** Every registered version of this block (the catalogue lists only the latest). */
  versions?: (string | number)[]
  /** Data fields of the output (name → JSON type), for expression hints. */
  output_fields?: Record<string, string>
  /**
   * Ports that depend on config (a switch's cases): true, or a JMESPath expression over the
   * config that yields the extra port names.
   */
  dynamic_outputs?: boolean | string
  /** The block runs a body of child nodes (a loop). */
  has_body?: boolean
}

export interface BlockCategory {
  key: string
  title: string
  blocks: BlockSpec[]
}

export interface BlockCatalog {
  categories: BlockCategory[]
}

// ---- the JSON Schema subset the config form understands

export type JsonSchemaType =
  'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null'

export interface JsonSchema {
  type?: JsonSchemaType | JsonSchemaType[]
  title?: string
  description?: string
  default?: unknown
  enum?: unknown[]
  const?: unknown
  format?: string
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  minimum?: number
  maximum?: number
  [keyword: string]: unknown
}

// ---- members and credentials

export type Member = Output<Schemas['MembershipOutput']>
export type MemberRole = Schemas['RoleEnum']
export type Credential = Output<Schemas['CredentialOutput']>
export type CredentialKind = Schemas['CredentialKindEnum']
export type CredentialTestResult = Output<Schemas['CredentialTestOutput']>
export type CredentialUsage = Output<Schemas['CredentialUsageOutput']>
