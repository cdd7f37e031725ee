/** JSON as the user will copy it: indented, monospaced, "nothing" said in words. */
export function JsonView({ value, empty = 'Nothing' }: { value: unknown; empty?: string }) {
  if (value === null || value === undefined) return <p className="muted">{empty}</p>
  return <pre className="json-view">{JSON.stringify(value, null, 2)}</pre>
}
