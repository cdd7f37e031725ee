// Which nodes a config value reads as `nodes.<id>`, and which of those it should not: the
// browser's copy of the server's check (engine/expressions.py `referenced_nodes`,
// engine/config_check.py), so the warning shows while typing instead of after a save.
import * as jmespath from 'jmespath'

export interface TemplatePart {
  /** The expression between the braces, trimmed. */
  source: string
  /** Offsets of `{{` and just past `}}` in the text. */
  from: number
  to: number
}

interface AstNode {
  type: string
  name?: string | number
  children?: AstNode[]
  value?: AstNode
}

// jmespath's parser: in the package, not in its published types.
const { compile } = jmespath as unknown as { compile: (source: string) => AstNode }

function parses(source: string): AstNode | null {
  try {
    return compile(source)
  } catch {
    return null
  }
}

/** The `{{ expr }}` parts of a text; like the server, a `}}` inside an expression is skipped
 * until the text up to a later `}}` parses. Unclosed or unparsable parts are left out. */
export function templateParts(text: string): TemplatePart[] {
  const parts: TemplatePart[] = []
  let pos = 0
  for (;;) {
    const from = text.indexOf('{{', pos)
    if (from < 0) return parts
    let end = text.indexOf('}}', from + 2)
    let found = false
    while (end >= 0) {
      const source = text.slice(from + 2, end).trim()
      if (source && parses(source)) {
        parts.push({ source, from, to: end + 2 })
        found = true
        break
      }
      end = text.indexOf('}}', end + 1)
    }
    if (!found) return parts
    pos = end + 2
  }
}

// AST nodes whose children read the same data as the node itself, and those whose first
// child only does (projections, filters, pipes): the server's _SAME_SCOPE and _LEFT_SCOPE.
const SAME_SCOPE = new Set([
  'Function',
  'Comparator',
  'AndExpression',
  'OrExpression',
  'NotExpression',
  'MultiSelectList',
  'MultiSelectHash',
  'KeyValuePair',
])
const LEFT_SCOPE = new Set([
  'Subexpression',
  'Projection',
  'ValueProjection',
  'Flatten',
  'FilterProjection',
  'Pipe',
  'IndexExpression',
])

function rootRefs(node: AstNode, rooted: boolean, found: Set<string>) {
  const children = node.children ?? (node.value ? [node.value] : [])
  if (node.type === 'Subexpression' && rooted && children.length >= 2) {
    const [head, second] = children
    if (head.type === 'Field' && head.name === 'nodes' && second.type === 'Field') {
      found.add(String(second.name))
    }
  }
  children.forEach((child, index) => {
    if (child && typeof child === 'object') {
      const keep =
        rooted && (SAME_SCOPE.has(node.type) || (LEFT_SCOPE.has(node.type) && index === 0))
      rootRefs(child, keep, found)
    }
  })
}

/** Node ids the text reads from the root context as `nodes.<id>`, sorted. */
export function referencedNodes(text: string): string[] {
  const found = new Set<string>()
  for (const part of templateParts(text)) {
    const ast = parses(part.source)
    if (ast) rootRefs(ast, true, found)
  }
  return [...found].sort()
}

/** One message per reference the server would warn about (`unknown_reference`, `not_upstream`). */
export function referenceWarnings(
  text: string,
  nodeId: string,
  known: ReadonlySet<string>,
  upstream: ReadonlySet<string>,
): string[] {
  return referencedNodes(text).flatMap((ref) =>
    !known.has(ref)
      ? [`No node "${ref}" in this workflow.`]
      : !upstream.has(ref)
        ? [`Node "${ref}" does not run before "${nodeId}"; its output is not there yet.`]
        : [],
  )
}
