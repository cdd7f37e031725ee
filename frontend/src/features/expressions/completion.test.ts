import { CompletionContext, type CompletionResult } from '@codemirror/autocomplete'
import { EditorState } from '@codemirror/state'
import { describe, expect, it } from 'vitest'
import { candidates, expressionCompletions, type CompletionScope } from './completion'

const scope: CompletionScope = {
  triggerFields: ['name'],
  nodes: [
    { id: 'greet', title: 'Transform', fields: ['text'] },
    { id: 'my-node', title: 'HTTP request', fields: ['status', 'content type'] },
  ],
}

/** Ask the source at the `|` of `doc`. */
function complete(doc: string, explicit = false): CompletionResult | null {
  const pos = doc.indexOf('|')
  const state = EditorState.create({ doc: doc.replace('|', '') })
  const result = expressionCompletions(() => scope)(new CompletionContext(state, pos, explicit))
  return result as CompletionResult | null
}

const labels = (result: CompletionResult | null) => result?.options.map((o) => o.label)

describe('expression completions', () => {
  it('offers the trigger, upstream outputs and their fields, quoting what needs it', () => {
    expect(candidates(scope).map((o) => o.label)).toEqual([
      'trigger',
      'trigger.name',
      'nodes.greet.output',
      'nodes.greet.output.text',
      'nodes."my-node".output',
      'nodes."my-node".output.status',
      'nodes."my-node".output."content type"',
      'vars',
    ])
  })

  it('opens right after {{ and closes the expression on accept', () => {
    const result = complete('Hi {{ |')
    expect(result?.from).toBe(6)
    expect(labels(result)).toContain('nodes.greet.output.text')
    const text = result?.options.find((o) => o.label === 'nodes.greet.output.text')
    expect(text?.apply).toBe('nodes.greet.output.text }}')
  })

  it('replaces the path being typed and keeps an existing }}', () => {
    const result = complete('{{ nodes.gr| }} and more')
    expect(result?.from).toBe(3)
    expect(result?.options.find((o) => o.label === 'trigger')?.apply).toBe('trigger')
    expect(result?.validFor).toBeInstanceOf(RegExp)
  })

  it('adds }} when the next braces belong to another expression', () => {
    const result = complete('{{ | and {{ trigger }}')
    expect(result?.options[0].apply).toBe('trigger }}')
  })

  it('stays out of plain text and closed expressions', () => {
    expect(complete('plain |', true)).toBeNull()
    expect(complete('{{ trigger }} |', true)).toBeNull()
  })

  it('offers nothing without a scope', () => {
    const state = EditorState.create({ doc: '{{ ' })
    expect(expressionCompletions(() => null)(new CompletionContext(state, 3, true))).toBeNull()
  })
})
