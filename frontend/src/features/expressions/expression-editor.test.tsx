import { render } from '@testing-library/react'
import { EditorView } from '@codemirror/view'
import { describe, expect, it, vi } from 'vitest'
import { ExpressionEditor } from './expression-editor'

const props = { id: 'message', label: 'Message', scope: null, onChange: () => {} }

function editorIn(container: HTMLElement): EditorView {
  const content = container.querySelector<HTMLElement>('.cm-content')
  const view = content && EditorView.findFromDOM(content)
  if (!view) throw new Error('no editor')
  return view
}

function type(view: EditorView, text: string) {
  const end = view.state.doc.length
  view.dispatch({ changes: { from: end, insert: text }, userEvent: 'input.type' })
}

describe('ExpressionEditor', () => {
  it('keeps what was typed when a render brings back an older text', () => {
    const onChange = vi.fn()
    const { container, rerender } = render(
      <ExpressionEditor {...props} value="" onChange={onChange} />,
    )
    const view = editorIn(container)
    type(view, '{')
    type(view, '{')
    expect(onChange).toHaveBeenLastCalledWith('{{')

    // The parent renders late: first with the first keystroke's text, then the second's.
    rerender(<ExpressionEditor {...props} value="{" onChange={onChange} />)
    expect(view.state.doc.toString()).toBe('{{')
    rerender(<ExpressionEditor {...props} value="{{" onChange={onChange} />)
    expect(view.state.doc.toString()).toBe('{{')
  })

  it('takes an edit from outside, even one back to an earlier text', () => {
    const { container, rerender } = render(<ExpressionEditor {...props} value="" />)
    const view = editorIn(container)
    type(view, 'a')
    type(view, 'b')
    rerender(<ExpressionEditor {...props} value="ab" />)
    // Undo in the canvas puts back what the node held before.
    rerender(<ExpressionEditor {...props} value="a" />)
    expect(view.state.doc.toString()).toBe('a')
    rerender(<ExpressionEditor {...props} value="reloaded" />)
    expect(view.state.doc.toString()).toBe('reloaded')
  })
})
