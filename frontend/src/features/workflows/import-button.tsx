// "Import" on the workflow list: pick an exported .json file, create a new workflow from it
// and open it on the canvas. Errors (not JSON, refused by the server) show next to the button.
import { Upload } from 'lucide-react'
import { useRef } from 'react'
import { useNavigate } from 'react-router'
import { ApiError } from '@/api/client'
import { useImportWorkflow } from './transfer'

function importError(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = Object.entries(error.fields).map(([f, m]) => `${f}: ${m.join(' ')}`)
    return [`Import failed: ${error.detail}`, ...fields].join(' ')
  }
  return error instanceof Error ? error.message : String(error)
}

export function ImportButton({ workspaceId }: { workspaceId: string }) {
  const input = useRef<HTMLInputElement>(null)
  const importing = useImportWorkflow()
  const navigate = useNavigate()

  const onFile = (file: File | undefined) => {
    if (!file) return
    importing.mutate(
      { workspace: workspaceId, file },
      { onSuccess: (workflow) => void navigate(`/app/workflows/${workflow.id}`) },
    )
  }

  return (
    <>
      <button
        type="button"
        className="btn"
        disabled={importing.isPending}
        onClick={() => input.current?.click()}
      >
        <Upload size={14} aria-hidden="true" />
        {importing.isPending ? 'Importing…' : 'Import'}
      </button>
      <input
        ref={input}
        type="file"
        accept="application/json,.json"
        hidden
        aria-label="Workflow file to import"
        onChange={(event) => {
          onFile(event.target.files?.[0])
          event.target.value = '' // the same file can be picked again after a fix
        }}
      />
      {importing.isError && (
        <p className="field__error" role="alert">
          {importError(importing.error)}
        </p>
      )}
    </>
  )
}
