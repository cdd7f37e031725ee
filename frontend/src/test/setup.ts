import '@testing-library/jest-dom/vitest'
import { cleanup } from '@testing-library/react'
import { afterEach } from 'vitest'
import { useWorkspaceStore } from '@/features/auth/workspace-store'
import { useCanvasStore } from '@/features/canvas/store'
import { useRunOverlayStore } from '@/features/executions/run-store'

afterEach(() => {
  cleanup()
  localStorage.clear()
  useWorkspaceStore.setState({ workspaceId: null })
  useCanvasStore.getState().unload()
  useRunOverlayStore.getState().clear()
  document.cookie.split(';').forEach((cookie) => {
    const name = cookie.split('=')[0].trim()
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`
  })
})

// jsdom has no layout: React Flow needs these to mount (sizes stay zero, which is fine here).
class ResizeObserverStub {
  observe() {}
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver ??= ResizeObserverStub as unknown as typeof ResizeObserver
globalThis.DOMMatrixReadOnly ??= class {
  m22 = 1
} as unknown as typeof DOMMatrixReadOnly

// CodeMirror measures text ranges; jsdom has no layout, so ranges report empty boxes.
const emptyRects = () => Object.assign([], { item: () => null }) as unknown as DOMRectList
Range.prototype.getClientRects ??= emptyRects
Range.prototype.getBoundingClientRect ??= () => new DOMRect()
