// What changed between two graphs, as the server computed it (GET workflows/{id}/diff/).
import { ArrowRight, Minus, Move, PencilLine, Plus } from 'lucide-react'
import { isEmptyDiff, type WorkflowDiff } from './api'

type DiffNode = WorkflowDiff['nodes']['added'][number]
type DiffEdge = WorkflowDiff['edges']['added'][number]

function nodeName(node: DiffNode): string {
  return node.label ? `${node.label} (${node.id})` : node.id
}

function edgeName(edge: DiffEdge): string {
  const port = edge.source_handle ? ` [${edge.source_handle}]` : ''
  return `${edge.source}${port} → ${edge.target}`
}

/** Short JSON for a settings value; long ones are cut, the full value is in the title. */
function show(value: unknown): string {
  if (value === null || value === undefined) return '—'
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text.length > 120 ? `${text.slice(0, 117)}…` : text
}

function Section({
  title,
  count,
  children,
}: {
  title: string
  count: number
  children: React.ReactNode
}) {
  if (count === 0) return null
  return (
    <section className="diff__section" aria-label={title}>
      <h3>
        {title} <span className="muted">({count})</span>
      </h3>
      <ul className="diff__list">{children}</ul>
    </section>
  )
}

export function DiffView({ diff }: { diff: WorkflowDiff }) {
  if (isEmptyDiff(diff)) return <p className="muted">No differences.</p>
  const { nodes, edges } = diff
  return (
    <div className="diff">
      <Section title="Nodes added" count={nodes.added.length}>
        {nodes.added.map((node) => (
          <li key={node.id} className="diff__item diff__item--added">
            <Plus size={14} aria-hidden="true" /> {nodeName(node)}{' '}
            <span className="muted">{node.type}</span>
          </li>
        ))}
      </Section>
      <Section title="Nodes removed" count={nodes.removed.length}>
        {nodes.removed.map((node) => (
          <li key={node.id} className="diff__item diff__item--removed">
            <Minus size={14} aria-hidden="true" /> {nodeName(node)}{' '}
            <span className="muted">{node.type}</span>
          </li>
        ))}
      </Section>
      <Section title="Nodes changed" count={nodes.changed.length}>
        {nodes.changed.map((node) => (
          <li key={node.id} className="diff__item diff__item--changed">
            <PencilLine size={14} aria-hidden="true" /> {nodeName(node)}{' '}
            <span className="muted">{node.type}</span>
            <table className="diff__fields">
              <thead>
                <tr>
                  <th>Setting</th>
                  <th>Before</th>
                  <th>
                    <span className="visually-hidden">becomes</span>
                  </th>
                  <th>After</th>
                </tr>
              </thead>
              <tbody>
                {node.fields.map((field) => (
                  <tr key={field.path}>
                    <td>
                      <code>{field.path}</code>
                    </td>
                    <td className="diff__before" title={JSON.stringify(field.before)}>
                      {show(field.before)}
                    </td>
                    <td aria-hidden="true">
                      <ArrowRight size={12} />
                    </td>
                    <td className="diff__after" title={JSON.stringify(field.after)}>
                      {show(field.after)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </li>
        ))}
      </Section>
      <Section title="Nodes moved on the canvas" count={nodes.moved.length}>
        {nodes.moved.map((node) => (
          <li key={node.id} className="diff__item">
            <Move size={14} aria-hidden="true" /> {nodeName(node)}
          </li>
        ))}
      </Section>
      <Section title="Connections added" count={edges.added.length}>
        {edges.added.map((edge) => (
          <li key={edge.id} className="diff__item diff__item--added">
            <Plus size={14} aria-hidden="true" /> {edgeName(edge)}
          </li>
        ))}
      </Section>
      <Section title="Connections removed" count={edges.removed.length}>
        {edges.removed.map((edge) => (
          <li key={edge.id} className="diff__item diff__item--removed">
            <Minus size={14} aria-hidden="true" /> {edgeName(edge)}
          </li>
        ))}
      </Section>
      <Section title="Connections rewired" count={edges.changed.length}>
        {edges.changed.map((edge) => (
          <li key={edge.id} className="diff__item diff__item--changed">
            <PencilLine size={14} aria-hidden="true" /> {edgeName(edge)}
          </li>
        ))}
      </Section>
    </div>
  )
}
