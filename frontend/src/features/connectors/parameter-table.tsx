import { parameterType } from './labels'
import type { ObjectSchema } from './types'

/** The parameters of an operation (path, query, header) or the top level of its body. */
export function ParameterTable({
  schema,
  caption,
  where,
}: {
  schema: ObjectSchema | null | undefined
  caption: string
  /** Fixed location ("body"); otherwise each parameter's `x-in`. */
  where?: string
}) {
  const entries = Object.entries(schema?.properties ?? {})
  if (entries.length === 0) return null
  const required = new Set(schema?.required ?? [])
  return (
    <table className="table parameter-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">In</th>
          <th scope="col">Type</th>
          <th scope="col">Description</th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([name, parameter]) => (
          <tr key={name}>
            <td>
              <code>{name}</code>
              {required.has(name) && <span className="parameter-table__required">required</span>}
            </td>
            <td>{where ?? parameter['x-in'] ?? 'query'}</td>
            <td>
              <code>{parameterType(parameter)}</code>
              {Array.isArray(parameter.enum) && parameter.enum.length > 0 && (
                <div className="parameter-table__enum">
                  one of {parameter.enum.slice(0, 8).map(String).join(', ')}
                  {parameter.enum.length > 8 ? '…' : ''}
                </div>
              )}
            </td>
            <td>{parameter.description || <span className="muted">—</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
