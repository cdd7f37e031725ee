// The wizard's calls: the credential it writes (created pending, renamed on Save, deleted when
// the wizard is abandoned), the connection test, and adding a node to a workflow.
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { readCookie } from '@/api/client'
import { typedApi, unwrap } from '@/api/typed-client'
import type {
  Credential,
  CredentialKind,
  CredentialTestResult,
  GraphNode,
  Workflow,
} from '@/api/types'
import { credentialKeys } from '@/features/credentials/api'
import { connectorKeys } from '@/features/connectors/api'
import { workflowKeys } from '@/features/workflows/api'
import { uniqueNodeId } from '@/lib/graph'

export interface CredentialWrite {
  workspace: string
  connector: string
  name: string
  kind: CredentialKind
  config: Record<string, unknown>
  secret: Record<string, string>
}

export const createCredential = (body: CredentialWrite) =>
  unwrap(typedApi.POST('/api/v1/credentials/', { body })) as Promise<Credential>

export const updateCredential = (
  id: string,
  body: { name?: string; config?: Record<string, unknown>; secret?: Record<string, string> },
) =>
  unwrap(
    typedApi.PATCH('/api/v1/credentials/{id}/', { params: { path: { id } }, body }),
  ) as Promise<Credential>

export const deleteCredential = (id: string) =>
  unwrap(typedApi.DELETE('/api/v1/credentials/{id}/', { params: { path: { id } } }))

export const testCredential = (id: string) =>
  unwrap(
    typedApi.POST('/api/v1/credentials/{id}/test/', { params: { path: { id } }, body: {} }),
  ) as Promise<CredentialTestResult>

/** Leaving the page: the pending credential is deleted even as the page unloads. */
export function deleteOnUnload(id: string) {
  const headers: Record<string, string> = { Accept: 'application/json' }
  const token = readCookie('csrftoken')
  if (token) headers['X-CSRFToken'] = token
  void fetch(`/api/v1/credentials/${id}/`, {
    method: 'DELETE',
    headers,
    credentials: 'same-origin',
    keepalive: true,
  }).catch(() => undefined)
}

export function useInvalidateAfterSave() {
  const client = useQueryClient()
  return () => {
    void client.invalidateQueries({ queryKey: credentialKeys.lists() })
    void client.invalidateQueries({ queryKey: connectorKeys.all })
  }
}

export interface NodeTarget {
  workflowId: string
  connector: string
  operation: string
  credentialId: string
}

/** Adds a connector_operation node to the workflow's draft, right of its other nodes. */
export function useAddOperationNode() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: async (target: NodeTarget) => {
      const path = { params: { path: { id: target.workflowId } } }
      const workflow = (await unwrap(
        typedApi.GET('/api/v1/workflows/{id}/', path),
      )) as unknown as Workflow
      const nodes = workflow.graph?.nodes ?? []
      const x = nodes.reduce((max, n) => Math.max(max, n.position.x + 260), 0)
      const node: GraphNode = {
        id: uniqueNodeId(
          target.operation,
          nodes.map((n) => n.id),
        ),
        type: 'connector_operation',
        position: { x, y: 0 },
        data: {
          config: {
            connector: target.connector,
            operation: target.operation,
            credential_id: target.credentialId,
            parameters: {},
          },
        },
      }
      const graph = { nodes: [...nodes, node], edges: workflow.graph?.edges ?? [] }
      // The version guards against overwriting an edit made since it was read (409).
      return unwrap(
        typedApi.PATCH('/api/v1/workflows/{id}/', {
          ...path,
          body: { version: workflow.version, graph },
        }),
      )
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: workflowKeys.all }),
  })
}
