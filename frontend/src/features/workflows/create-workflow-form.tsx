import { useState, type FormEvent } from 'react'
import { useNavigate } from 'react-router'
import { ApiError } from '@/api/client'
import { Banner } from '@/components/ui/feedback'
import { emptyGraph } from '@/lib/graph'
import { useCreateWorkflow } from './api'

export function CreateWorkflowForm({
  workspaceId,
  onCancel,
}: {
  workspaceId: string
  onCancel: () => void
}) {
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const create = useCreateWorkflow()
  const navigate = useNavigate()
  const fields = create.error instanceof ApiError ? create.error.fields : {}

  const submit = (event: FormEvent) => {
    event.preventDefault()
    create.mutate(
      {
        workspace: workspaceId,
        name: name.trim(),
        description: description.trim(),
        graph: emptyGraph(),
      },
      { onSuccess: (workflow) => void navigate(`/app/workflows/${workflow.id}`) },
    )
  }

  return (
    <form className="card create-form" onSubmit={submit} aria-label="New workflow">
      <div className="field">
        <label htmlFor="new-workflow-name" className="field__label">
          Name
        </label>
        <input
          id="new-workflow-name"
          required
          autoFocus
          maxLength={200}
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        {fields.name?.map((m) => (
          <p key={m} className="field__error">
            {m}
          </p>
        ))}
      </div>
      <div className="field">
        <label htmlFor="new-workflow-description" className="field__label">
          Description
        </label>
        <input
          id="new-workflow-description"
          value={description}
          onChange={(event) => setDescription(event.target.value)}
        />
      </div>
      {create.isError && Object.keys(fields).length === 0 && (
        <Banner kind="error">{create.error.message}</Banner>
      )}
      <div className="create-form__actions">
        <button type="button" className="btn btn--ghost" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="submit"
          className="btn btn--primary"
          disabled={create.isPending || !name.trim()}
        >
          {create.isPending ? 'Creating…' : 'Create'}
        </button>
      </div>
    </form>
  )
}
