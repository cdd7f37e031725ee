// Export a workflow as a JSON file and import one as a new workflow (the server's portable
// document: format, format_version, name, description, graph).
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api } from '@/api/client'
import type { components } from '@/api/generated/schema'
import type { Workflow } from '@/api/types'
import { workflowKeys } from './api'

export type WorkflowDocument = components['schemas']['WorkflowExportOutput']

const BASE = '/api/v1/workflows/'

/** A file name from the workflow's name: letters, digits and dashes only. */
export function exportFileName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
  return `${slug || 'workflow'}.flowplane.json`
}

/** Fetch the saved workflow's document and hand it to the browser as a download. */
export async function downloadExport(id: string, name: string): Promise<void> {
  const document_ = await api.get<WorkflowDocument>(`${BASE}${id}/export/`)
  const blob = new Blob([JSON.stringify(document_, null, 2)], { type: 'application/json' })
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = exportFileName(name)
  link.click()
  // Revoked after the click has started the download.
  setTimeout(() => URL.revokeObjectURL(url), 0)
}

export class ImportFileError extends Error {}

/** FileReader rather than `file.text()`: it is in every browser and in jsdom. */
function readText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(String(reader.result))
    reader.onerror = () => reject(new ImportFileError(`${file.name} could not be read.`))
    reader.readAsText(file)
  })
}

/** The file's JSON document; the server checks its fields and names the bad ones. */
export async function readDocument(file: File): Promise<Record<string, unknown>> {
  const text = await readText(file)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new ImportFileError(`${file.name} is not a JSON file.`)
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ImportFileError(`${file.name} does not hold an exported workflow.`)
  }
  return parsed as Record<string, unknown>
}

export function useImportWorkflow() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: async ({ workspace, file }: { workspace: string; file: File }) =>
      api.post<Workflow>(`${BASE}import/`, { workspace, document: await readDocument(file) }),
    onSuccess: () => void client.invalidateQueries({ queryKey: workflowKeys.lists() }),
  })
}
