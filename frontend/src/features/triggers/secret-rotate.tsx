// Rotate a webhook trigger's signing secret. Senders signing with the old one fail from then
// on, so it asks first; the new secret is shown once (the server never returns it again).
import { KeyRound, RotateCw } from 'lucide-react'
import { useState } from 'react'
import { ErrorMessage } from '@/components/ui/feedback'
import { useRotateSecret } from './api'
import { CopyField } from './copy-field'

export function SecretRotate({ workflowId, triggerId }: { workflowId: string; triggerId: string }) {
  const rotate = useRotateSecret(workflowId)
  const [asking, setAsking] = useState(false)
  const secret = rotate.data?.signing_secret
  return (
    <div className="secret-rotate">
      {secret ? (
        <>
          <CopyField label="New signing secret (shown once)" value={secret} />
          <p className="muted">Copy it now: it is not shown again.</p>
        </>
      ) : asking ? (
        <div role="group" aria-label="Rotate the signing secret">
          <p>Senders still signing with the current secret will be refused. Rotate it?</p>
          <button
            type="button"
            className="btn btn--small btn--danger"
            disabled={rotate.isPending}
            onClick={() => rotate.mutate(triggerId, { onSettled: () => setAsking(false) })}
          >
            <RotateCw size={14} aria-hidden="true" />
            {rotate.isPending ? 'Rotating…' : 'Rotate now'}
          </button>{' '}
          <button type="button" className="btn btn--small" onClick={() => setAsking(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" className="btn btn--small" onClick={() => setAsking(true)}>
          <KeyRound size={14} aria-hidden="true" />
          Rotate signing secret
        </button>
      )}
      {rotate.isError && <ErrorMessage error={rotate.error} />}
    </div>
  )
}
