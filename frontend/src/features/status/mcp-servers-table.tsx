// The remote MCP servers the workspace's runs called in the range (MCP Client blocks and
// agents): the same figures as a connector's, by server address.
import type { McpServerStatus } from './api'
import { CallCells, CallHeaders } from './call-columns'

export function McpServersTable({ servers }: { servers: McpServerStatus[] }) {
  return (
    <section aria-labelledby="status-mcp-heading" className="status-mcp">
      <h2 id="status-mcp-heading">MCP servers</h2>
      <table className="table status-table">
        <caption className="visually-hidden">
          Remote MCP servers and their calls in the range
        </caption>
        <thead>
          <tr>
            <th scope="col">Server</th>
            <CallHeaders />
          </tr>
        </thead>
        <tbody>
          {servers.map(({ server, figures, ...row }) => (
            <tr key={server} className="status-row">
              <th scope="row">
                <span className="table__title">{server}</span>
              </th>
              <CallCells figures={figures} last={row} />
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
