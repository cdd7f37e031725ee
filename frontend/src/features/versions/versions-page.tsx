// Version history of one workflow: who published what and when, what changed between any
// two versions (or a version and the draft), and rolling the live version back.
import { useState } from 'react'
import { ArrowLeft, RotateCcw } from 'lucide-react'
import { Link, useParams } from 'react-router'
import { ConfirmDialog } from '@/components/ui/confirm-dialog'
import { Banner, EmptyState, ErrorMessage, Loading } from '@/components/ui/feedback'
import { useMe } from '@/features/auth/api'
import { canEdit } from '@/features/auth/workspace-store'
import { useWorkflow } from '@/features/workflows/api'
import { formatDateTime, formatRelative } from '@/lib/format'
import { useDiff, useRollback, useVersions, type GraphRef, type WorkflowVersion } from './api'
import { DiffView } from './diff-view'

const DRAFT = 'draft'

function refLabel(ref: GraphRef): string {
  return ref === DRAFT ? 'Draft' : `v${ref}`
}

export function VersionsPage() {
  const { id = '' } = useParams()
  const workflow = useWorkflow(id)
  const versions = useVersions(id)
  const me = useMe()

  if (workflow.isPending || versions.isPending) return <Loading label="Loading versions…" />
  if (workflow.isError) return <ErrorMessage error={workflow.error} />
  if (versions.isError)
    return <ErrorMessage error={versions.error} onRetry={() => void versions.refetch()} />
  const editable = canEdit(me.data, String(workflow.data.workspace))

  return (
    <div className="page">
      <div className="page__header">
        <Link to={`/app/workflows/${id}`} className="btn btn--ghost btn--small">
          <ArrowLeft size={16} aria-hidden="true" />
          Back to the editor
        </Link>
        <h1>
          Versions <span className="page__context">of {workflow.data.name}</span>
        </h1>
      </div>
      {versions.data.length === 0 ? (
        <EmptyState title="Not published yet">
          Publishing freezes the draft as a version; triggers run the live version.
        </EmptyState>
      ) : (
        <History workflowId={id} versions={versions.data} editable={editable} />
      )}
    </div>
  )
}

function History({
  workflowId,
  versions,
  editable,
}: {
  workflowId: string
  versions: WorkflowVersion[]
  editable: boolean
}) {
  const live = versions.find((v) => v.is_live)
  const [base, setBase] = useState<GraphRef>(String((live ?? versions[0]).number))
  const [head, setHead] = useState<GraphRef>(DRAFT)
  const [rollingBack, setRollingBack] = useState<WorkflowVersion | null>(null)
  const rollback = useRollback(workflowId)
  const diff = useDiff(workflowId, base, head)
  const refs: GraphRef[] = [DRAFT, ...versions.map((v) => String(v.number))]

  return (
    <div className="versions">
      {rollback.isError && (
        <Banner kind="error" onDismiss={() => rollback.reset()}>
          {rollback.error.message}
        </Banner>
      )}
      <table className="table" aria-label="Published versions">
        <thead>
          <tr>
            <th>Version</th>
            <th>Note</th>
            <th>Published by</th>
            <th>When</th>
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {versions.map((version) => (
            <tr key={version.id}>
              <td>
                <span className="table__title">v{version.number}</span>
                {version.is_live && <span className="status status--published">live</span>}
              </td>
              <td>{version.note || <span className="muted">—</span>}</td>
              <td>{version.published_by ?? <span className="muted">unknown</span>}</td>
              <td title={formatDateTime(version.published_at)}>
                {formatRelative(version.published_at)}
              </td>
              <td className="table__actions">
                <button
                  type="button"
                  className="btn btn--ghost btn--small"
                  onClick={() => {
                    setBase(String(version.number))
                    setHead(DRAFT)
                  }}
                >
                  Compare with draft
                </button>
                {editable && !version.is_live && (
                  <button
                    type="button"
                    className="btn btn--small"
                    onClick={() => setRollingBack(version)}
                  >
                    <RotateCcw size={14} aria-hidden="true" />
                    Roll back to v{version.number}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <section className="versions__compare" aria-label="Compare versions">
        <h2>Compare</h2>
        <div className="versions__pickers">
          <label>
            From
            <select value={base} onChange={(event) => setBase(event.target.value)}>
              {refs.map((ref) => (
                <option key={ref} value={ref}>
                  {refLabel(ref)}
                </option>
              ))}
            </select>
          </label>
          <label>
            To
            <select value={head} onChange={(event) => setHead(event.target.value)}>
              {refs.map((ref) => (
                <option key={ref} value={ref}>
                  {refLabel(ref)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {base === head ? (
          <p className="muted">Pick two different versions.</p>
        ) : diff.isPending ? (
          <Loading label="Comparing…" />
        ) : diff.isError ? (
          <ErrorMessage error={diff.error} onRetry={() => void diff.refetch()} />
        ) : (
          <DiffView diff={diff.data} />
        )}
      </section>

      {rollingBack && (
        <ConfirmDialog
          title={`Roll back to v${rollingBack.number}?`}
          confirmLabel={`Make v${rollingBack.number} live`}
          busy={rollback.isPending}
          onClose={() => setRollingBack(null)}
          onConfirm={() =>
            rollback.mutate(rollingBack.number, { onSettled: () => setRollingBack(null) })
          }
        >
          Triggers will run v{rollingBack.number} from now on. The draft is not changed.
        </ConfirmDialog>
      )}
    </div>
  )
}
