// Map the server's flat field errors ("graph.nodes[2].data.config.url") back onto the
// nodes of the graph that was sent, so each message can be shown next to its node/field.
import type { WorkflowGraph } from '@/api/types'

export interface NodeIssues {
  /** Keyed by the path inside `data.config` ("url", "headers.auth", "" for the config itself). */
  config: Record<string, string[]>
  /** Problems with the node itself (type, version, position, parentId, …). */
  node: string[]
}

export interface SaveIssues {
  byNode: Record<string, NodeIssues>
  general: string[]
}

export const noIssues = (): SaveIssues => ({ byNode: {}, general: [] })

const NODE_PATH = /^graph\.nodes(?:\[(\d+)\]|\.([A-Za-z0-9_-]+))(?:\.(.*))?$/
// jsonschema reports a missing property on the object that lacks it; the form shows it on
// the field itself ("config: 'url' is a required property" -> "url": "This field is required.").
const REQUIRED = /^(?:[^:]*: )?'([^']+)' is a required property$/

const EDGE_PATH = /^graph\.edges\[(\d+)\](?:\.(.*))?$/

function issuesFor(issues: SaveIssues, nodeId: string): NodeIssues {
  issues.byNode[nodeId] ??= { config: {}, node: [] }
  return issues.byNode[nodeId]
}

function label(rest: string | undefined, message: string): string {
  return rest ? `${rest}: ${message}` : message
}

export function mapFieldErrors(
  fields: Record<string, string[]>,
  sent: WorkflowGraph | undefined,
): SaveIssues {
  const issues = noIssues()
  for (const [path, messages] of Object.entries(fields)) {
    const nodeMatch = NODE_PATH.exec(path)
    if (nodeMatch && sent) {
      const [, index, name, rest] = nodeMatch
      const node =
        index !== undefined ? sent.nodes[Number(index)] : sent.nodes.find((n) => n.id === name)
      if (node) {
        const target = issuesFor(issues, node.id)
        if (rest === 'data.config' || rest?.startsWith('data.config.')) {
          const parent = rest.slice('data.config.'.length)
          for (const message of messages) {
            const missing = REQUIRED.exec(message)?.[1]
            const key = missing ? (parent ? `${parent}.${missing}` : missing) : parent
            const text = missing ? 'This field is required.' : message
            target.config[key] = [...(target.config[key] ?? []), text]
          }
        } else {
          target.node.push(...messages.map((message) => label(rest, message)))
        }
        continue
      }
    }
    const edgeMatch = EDGE_PATH.exec(path)
    const edge = edgeMatch && sent?.edges[Number(edgeMatch[1])]
    if (edgeMatch && edge) {
      const name = `Connection ${edge.source} → ${edge.target}`
      issues.general.push(...messages.map((message) => `${name}: ${label(edgeMatch[2], message)}`))
      continue
    }
    const prefix = path === 'non_field_errors' ? '' : path
    issues.general.push(...messages.map((message) => label(prefix, message)))
  }
  return issues
}

export function issueCount(issues: NodeIssues | undefined): number {
  if (!issues) return 0
  return issues.node.length + Object.values(issues.config).reduce((n, list) => n + list.length, 0)
}
