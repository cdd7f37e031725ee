import { describe, expect, it } from 'vitest'
import { referencedNodes, referenceWarnings, templateParts } from './references'

describe('templateParts', () => {
  it('finds each expression, skipping a }} inside one, and stops at an unclosed one', () => {
    const text = 'Hi {{ trigger.name }} {{ {a: {b: trigger.x}} }} and {{ nodes.a'
    expect(templateParts(text).map((p) => p.source)).toEqual([
      'trigger.name',
      '{a: {b: trigger.x}}',
    ])
  })
})

describe('referencedNodes', () => {
  // The same cases as the server's test_references_to_unknown_nodes_are_warnings.
  it('reads nodes.<id> from the root context only', () => {
    expect(referencedNodes('{{ nodes.gret.output.text }}')).toEqual(['gret'])
    expect(referencedNodes('{{ nodes.t.output }} and {{ length(nodes."t".output) }}')).toEqual([
      't',
    ])
    expect(referencedNodes('{{ trigger.items[*].nodes.whatever }}')).toEqual([])
    expect(referencedNodes('{{ nodes.b.output || nodes.a }}')).toEqual(['a', 'b'])
    expect(referencedNodes('{{ trigger | nodes.piped }}')).toEqual([])
    expect(referencedNodes('{{ {x: nodes.h.output} }}')).toEqual(['h'])
  })

  it('ignores text without expressions and expressions that do not parse', () => {
    expect(referencedNodes('nodes.a.output')).toEqual([])
    expect(referencedNodes('{{ nodes.a || }}')).toEqual([])
  })
})

describe('referenceWarnings', () => {
  const known = new Set(['t', 'a', 'b'])
  const upstream = new Set(['t', 'a'])

  it('warns about missing nodes and nodes that do not run before', () => {
    expect(referenceWarnings('{{ nodes.a.output }} {{ trigger }}', 'b', known, upstream)).toEqual(
      [],
    )
    expect(referenceWarnings('{{ nodes.nope.output }}', 'b', known, upstream)).toEqual([
      'No node "nope" in this workflow.',
    ])
    expect(referenceWarnings('{{ nodes.b.output.x }}', 'b', known, upstream)).toEqual([
      'Node "b" does not run before "b"; its output is not there yet.',
    ])
  })
})
