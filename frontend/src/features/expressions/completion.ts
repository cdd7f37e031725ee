// Autocomplete inside `{{ … }}`: what a node's expressions can read (the trigger, the output of
// the nodes that run before it and their fields), as a CodeMirror completion source.
import type { Completion, CompletionContext, CompletionSource } from '@codemirror/autocomplete'

export interface UpstreamNode {
  id: string
  title: string
  /** Output fields: the block's declared ones and those its last run produced. */
  fields: string[]
}

export interface CompletionScope {
  nodes: UpstreamNode[]
  triggerFields: string[]
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

/** A path step as JMESPath needs it: quoted unless it is an identifier. */
export const step = (name: string) => (IDENTIFIER.test(name) ? name : JSON.stringify(name))

export function candidates(scope: CompletionScope): Completion[] {
  const options: Completion[] = [
    { label: 'trigger', type: 'variable', detail: 'the trigger’s output' },
    ...scope.triggerFields.map((f) => ({
      label: `trigger.${step(f)}`,
      type: 'property',
      detail: 'trigger',
    })),
  ]
  for (const node of scope.nodes) {
    const output = `nodes.${step(node.id)}.output`
    options.push({ label: output, type: 'variable', detail: node.title })
    for (const field of node.fields) {
      options.push({ label: `${output}.${step(field)}`, type: 'property', detail: node.title })
    }
  }
  options.push({ label: 'vars', type: 'variable', detail: 'workflow variables' })
  return options
}

/** Is the cursor inside an open `{{` (not yet closed before it)? */
export function insideExpression(before: string): boolean {
  const open = before.lastIndexOf('{{')
  return open >= 0 && before.lastIndexOf('}}') < open
}

/** The source asks `getScope` on every call, so it always offers the current graph. */
export function expressionCompletions(getScope: () => CompletionScope | null): CompletionSource {
  return (context: CompletionContext) => {
    const before = context.state.sliceDoc(0, context.pos)
    if (!insideExpression(before)) return null
    const scope = getScope()
    const token = context.matchBefore(/[\w."-]*$/)
    if (!scope || !token) return null
    // Close the expression too, unless a `}}` already follows before the next `{{`.
    const after = context.state.sliceDoc(context.pos)
    const close = after.indexOf('}}')
    const nextOpen = after.indexOf('{{')
    const suffix = close < 0 || (nextOpen >= 0 && nextOpen < close) ? ' }}' : ''
    return {
      from: token.from,
      options: candidates(scope).map((option) => ({ ...option, apply: option.label + suffix })),
      validFor: /^[\w."-]*$/,
    }
  }
}
