// A CodeMirror 6 text field for config values that may hold `{{ expressions }}`: one line (or
// several for long text), autocomplete inside the braces, Tab leaves the field as in any input.
import { useEffect, useRef } from 'react'
import { autocompletion, completionKeymap } from '@codemirror/autocomplete'
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands'
import { Compartment, EditorState, type Extension } from '@codemirror/state'
import { EditorView, keymap, placeholder as placeholderExt } from '@codemirror/view'
import { expressionCompletions, type CompletionScope } from './completion'

export interface ExpressionEditorProps {
  id: string
  label: string
  value: string
  onChange: (text: string) => void
  scope: CompletionScope | null
  multiline?: boolean
  placeholder?: string
  invalid?: boolean
  describedBy?: string
  disabled?: boolean
}

/** Label, state and focus order of the editable element, as for an <input>. */
function accessible(p: ExpressionEditorProps): Extension {
  const attrs: Record<string, string> = {
    id: p.id,
    'aria-label': p.label,
    role: 'textbox',
    'aria-multiline': String(!!p.multiline),
  }
  if (p.invalid) attrs['aria-invalid'] = 'true'
  if (p.describedBy) attrs['aria-describedby'] = p.describedBy
  return [EditorView.contentAttributes.of(attrs), EditorView.editable.of(!p.disabled)]
}

/** CodeMirror injects its base styles; the page's policy admits them by this nonce. */
const cspNonce = () => {
  const nonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content
  return nonce ? EditorView.cspNonce.of(nonce) : []
}

export function ExpressionEditor(props: ExpressionEditorProps) {
  const { id, label, value, multiline, placeholder, invalid, describedBy, disabled } = props
  const host = useRef<HTMLDivElement>(null)
  const view = useRef<EditorView | null>(null)
  const attrs = useRef(new Compartment())
  // The latest props, read by CodeMirror's callbacks without rebuilding the editor.
  const latest = useRef(props)
  useEffect(() => {
    latest.current = props
  })
  // Texts this editor sent up that have not come back as `value` yet. A render that lags
  // behind typing brings back an older one: that is not an edit from outside, and replacing
  // the text with it would drop what was typed since and close the autocomplete.
  const sent = useRef<string[]>([])

  useEffect(() => {
    const oneLine = EditorState.transactionFilter.of((tr) =>
      tr.newDoc.lines > 1 && !multiline ? [] : tr,
    )
    if (!host.current) return
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: latest.current.value,
        extensions: [
          history(),
          autocompletion({
            override: [expressionCompletions(() => latest.current.scope)],
            icons: false,
          }),
          keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap]),
          oneLine,
          cspNonce(),
          attrs.current.of(accessible(latest.current)),
          multiline ? EditorView.lineWrapping : [],
          placeholderExt(placeholder ?? ''),
          EditorView.updateListener.of((update) => {
            if (!update.docChanged) return
            const text = update.state.doc.toString()
            sent.current = [...sent.current.slice(-49), text]
            latest.current.onChange(text)
          }),
        ],
      }),
    })
    view.current = editor
    return () => {
      editor.destroy()
      view.current = null
    }
  }, [multiline, placeholder])

  // An edit from outside (undo in the canvas, a reload) replaces the text.
  useEffect(() => {
    const editor = view.current
    if (!editor) return
    const echoed = sent.current.lastIndexOf(value)
    if (echoed >= 0) {
      sent.current = sent.current.slice(echoed + 1)
      return
    }
    sent.current = []
    if (editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } })
    }
  }, [value])

  useEffect(() => {
    view.current?.dispatch({
      effects: attrs.current.reconfigure(
        accessible({ ...latest.current, id, label, multiline, invalid, describedBy, disabled }),
      ),
    })
  }, [id, label, multiline, invalid, describedBy, disabled])

  return (
    <div
      ref={host}
      className={`expression-editor${multiline ? ' expression-editor--multiline' : ''}`}
      data-invalid={invalid || undefined}
    />
  )
}
