// One Connect wizard's state: what was entered per step (kept when going Back), the credential
// written for it (pending until Save) and the last connection test. Secrets stay in memory
// only: nothing here is persisted.
import { create } from 'zustand'
import type { CredentialKind, CredentialTestResult } from '@/api/types'
import { authenticateFields, parameterFields, REGION_PATTERN, type AuthMethod } from './methods'

export const STEPS = [
  { id: 'endpoint', label: 'Endpoint' },
  { id: 'parameters', label: 'Parameters' },
  { id: 'authenticate', label: 'Authenticate' },
  { id: 'test', label: 'Test' },
  { id: 'review', label: 'Review and save' },
] as const

export type StepId = (typeof STEPS)[number]['id']

export interface PendingCredential {
  id: string
  kind: CredentialKind
  /** It holds working auth: the secret was stored, or the consent granted a token. */
  connected: boolean
}

export interface WizardState {
  slug: string
  step: number
  region: string
  methodKey: string
  values: Record<string, string>
  credential: PendingCredential | null
  /** Something was edited after the credential was written: write it again before testing. */
  dirty: boolean
  test: CredentialTestResult | null
  name: string
  saved: boolean

  start: (
    slug: string,
    init: { methodKey: string; defaults: Record<string, string>; name: string },
  ) => void
  setRegion: (region: string) => void
  chooseMethod: (methodKey: string, defaults: Record<string, string>) => void
  setValue: (field: string, value: string) => void
  credentialWritten: (credential: PendingCredential) => void
  setConnected: (connected: boolean) => void
  setTest: (test: CredentialTestResult | null) => void
  setName: (name: string) => void
  next: () => void
  back: () => void
  markSaved: () => void
  reset: () => void
}

const EMPTY = {
  slug: '',
  step: 0,
  region: '',
  methodKey: '',
  values: {},
  credential: null,
  dirty: false,
  test: null,
  name: '',
  saved: false,
}

export const useWizardStore = create<WizardState>()((set, get) => ({
  ...EMPTY,

  // A new wizard for `slug`, unless one for it is already here (a re-render, a refetch of the
  // connector after Save); leaving the page resets the store.
  start: (slug, init) => {
    if (get().slug === slug) return
    set({
      ...EMPTY,
      slug,
      methodKey: init.methodKey,
      values: { ...init.defaults },
      name: init.name,
    })
  },
  setRegion: (region) => set({ region, dirty: get().credential !== null, test: null }),
  chooseMethod: (methodKey, defaults) => {
    if (methodKey === get().methodKey) return
    set({ methodKey, values: { ...defaults }, dirty: get().credential !== null, test: null })
  },
  setValue: (field, value) =>
    set({
      values: { ...get().values, [field]: value },
      dirty: get().credential !== null,
      test: null,
    }),
  credentialWritten: (credential) => set({ credential, dirty: false }),
  setConnected: (connected) => {
    const credential = get().credential
    if (credential) set({ credential: { ...credential, connected } })
  },
  setTest: (test) => set({ test }),
  setName: (name) => set({ name }),
  next: () => set({ step: Math.min(get().step + 1, STEPS.length - 1) }),
  back: () => set({ step: Math.max(get().step - 1, 0) }),
  markSaved: () => set({ saved: true }),
  reset: () => set({ ...EMPTY }),
}))

const filled = (values: Record<string, string>, fields: { name: string; required: boolean }[]) =>
  fields.every((f) => !f.required || (values[f.name] ?? '').trim() !== '')

/** Whether the step's entries let the user go on (Next stays disabled until then). */
export function stepValid(state: WizardState, method: AuthMethod | undefined): boolean {
  const id = STEPS[state.step].id
  if (id === 'endpoint') return !method?.needsRegion || REGION_PATTERN.test(state.region)
  if (!method) return false
  if (id === 'parameters') return filled(state.values, parameterFields(method))
  if (id === 'authenticate') {
    const { credential } = state
    const ready = credential?.kind === method.kind && credential.connected && !state.dirty
    if (method.consent) return ready
    // A typed secret is valid once every required field is filled; Next stores it.
    return ready || filled(state.values, authenticateFields(method))
  }
  if (id === 'test') return state.test?.ok === true && !state.dirty
  return state.name.trim() !== ''
}
