// A searchable picker (the ARIA 1.2 combobox with a list): type to search, arrows to move,
// Enter to pick, Escape to close. The caller searches (often on the server) and renders the
// options; the input shows the query while open and the chosen option's text otherwise.
import { useEffect, useState, type KeyboardEvent, type ReactNode } from 'react'
import './combobox.css'

export interface ComboboxProps<T> {
  /** The input's id: the caller's <label htmlFor> names it. */
  id: string
  options: T[]
  optionKey: (option: T) => string
  renderOption: (option: T) => ReactNode
  /** The key of the chosen option, '' for none. */
  value: string
  /** What the closed input shows for the chosen option. */
  valueText: string
  query: string
  onQueryChange: (query: string) => void
  onSelect: (option: T) => void
  /** Under the list: loading, nothing found, how many more there are. */
  status?: ReactNode
  /** The list was scrolled to its end: load the next page. */
  onEndReached?: () => void
  placeholder?: string
  disabled?: boolean
  invalid?: boolean
  describedBy?: string
}

export function Combobox<T>(props: ComboboxProps<T>) {
  const { id, options, optionKey, renderOption, value, valueText, query, status } = props
  const [open, setOpen] = useState(false)
  const [active, setActive] = useState(-1)
  const listId = `${id}-listbox`
  const optionId = (index: number) => `${id}-option-${index}`
  const current = active >= 0 && active < options.length ? active : -1
  const listed = open && options.length > 0

  useEffect(() => {
    if (open && current >= 0)
      document.getElementById(optionId(current))?.scrollIntoView?.({ block: 'nearest' })
  })

  const show = () => {
    if (open) return
    props.onQueryChange('')
    setActive(-1)
    setOpen(true)
  }
  const pick = (option: T) => {
    props.onSelect(option)
    setOpen(false)
  }
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const last = options.length - 1
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      if (!open) return show()
      const step = event.key === 'ArrowDown' ? 1 : -1
      setActive(current < 0 ? (step > 0 ? 0 : last) : Math.min(last, Math.max(0, current + step)))
    } else if (event.key === 'Enter' && open) {
      event.preventDefault()
      if (current >= 0) pick(options[current])
    } else if (event.key === 'Escape' && open) {
      event.stopPropagation()
      setOpen(false)
    }
  }

  return (
    <div className="combobox">
      <input
        id={id}
        type="text"
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={listed}
        aria-controls={listed ? listId : undefined}
        aria-activedescendant={listed && current >= 0 ? optionId(current) : undefined}
        aria-invalid={props.invalid || undefined}
        aria-describedby={props.describedBy}
        disabled={props.disabled}
        placeholder={open && valueText ? valueText : props.placeholder}
        value={open ? query : valueText}
        onFocus={show}
        onClick={show}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
        onChange={(event) => {
          props.onQueryChange(event.target.value)
          setActive(0)
          setOpen(true)
        }}
      />
      {open && (
        <div className="combobox__popup">
          {listed && (
            <ul
              id={listId}
              role="listbox"
              className="combobox__list"
              aria-label="Suggestions"
              onScroll={(event) => {
                const list = event.currentTarget
                if (list.scrollTop + list.clientHeight >= list.scrollHeight - 24)
                  props.onEndReached?.()
              }}
            >
              {options.map((option, index) => (
                <li
                  key={optionKey(option)}
                  id={optionId(index)}
                  role="option"
                  aria-selected={index === current}
                  data-chosen={optionKey(option) === value || undefined}
                  className="combobox__option"
                  // Keep the focus in the input, so the click lands before the list closes.
                  onMouseDown={(event) => event.preventDefault()}
                  onMouseEnter={() => setActive(index)}
                  onClick={() => pick(option)}
                >
                  {renderOption(option)}
                </li>
              ))}
            </ul>
          )}
          {status && (
            <div className="combobox__status" aria-live="polite">
              {status}
            </div>
          )}
        </div>
      )}
    </div>
  )
}
