// What the shortcuts dialog lists; use-shortcuts.ts, use-clipboard.ts and React Flow do them.
const MOD = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform) ? 'Cmd' : 'Ctrl'

export const SHORTCUTS: [keys: string, action: string][] = [
  [`${MOD}+S`, 'Save'],
  [`${MOD}+Z`, 'Undo'],
  [`${MOD}+Shift+Z or Ctrl+Y`, 'Redo'],
  [`${MOD}+C / ${MOD}+X`, 'Copy / cut the selected nodes (with the edges between them)'],
  [`${MOD}+V`, 'Paste, at the pointer when it is over the canvas (works across workflows)'],
  [`${MOD}+D`, 'Duplicate the selection'],
  [`${MOD}+A`, 'Select every node'],
  ['Delete / Backspace', 'Delete the selection'],
  ['F2 or double-click a title', 'Rename the selected node'],
  ['Shift+click, Shift+drag', 'Add to the selection, select a box'],
  ['Right-click or Shift+F10', 'Context menu of a node or the canvas'],
  ['Tab, Enter', 'Move between nodes, select the focused node'],
  ['?', 'This list'],
]
