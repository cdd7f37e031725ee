// Hand-written API types for the /api/v1 contract. They move to api/generated/ once the
// backend publishes its OpenAPI schema (docs/STYLE.md §7–8); keep the names so imports survive.

export type Id = string

export interface Paginated<T> {
  count: number
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

export type WorkspaceRole = 'owner' | 'admin' | 'editor' | 'viewer' | (string & {})

export interface WorkspaceSummary {
  id: Id
  name: string
  slug: string
  role: WorkspaceRole | null
}

export interface Me {
  id: number | string
  username: string
  email: string
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

export type WorkflowStatus = 'draft' | 'published' | 'archived'

export interface WorkflowListItem {
  id: Id
  workspace: Id
  name: string
  description: string
  status: WorkflowStatus
  version: number
  published_version: number | null
  updated_at: string
  created_at: string
}

export interface Workflow extends WorkflowListItem {
  graph: WorkflowGraph
}

export interface WorkflowCreate {
  workspace: Id
  name: string
  description: string
  graph: WorkflowGraph
}

export interface WorkflowPatch {
  version: number
  name?: string
  description?: string
  graph?: WorkflowGraph
}

export interface RunCreated {
  id: Id
  status: string
  [field: string]: unknown
}

// ---- block registry (GET /api/v1/blocks/)

/** A port is a name, or an object naming it; see lib/ports.ts for how both are read. */
export type BlockPortSpec =
  string | { key?: string; name?: string; id?: string; title?: string; label?: string }

export interface BlockSpec {
  key: string
  version: string | number
  title: string
  category: string
  icon: string
  description: string
  config_schema: JsonSchema
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
