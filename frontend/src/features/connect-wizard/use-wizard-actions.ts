// The wizard's writes, in one place: the pending credential (created at step 3, rewritten when
// something was edited since, deleted when the wizard is abandoned), the consent, the test,
// and Save (which only renames: the credential already works by then).
import { useMutation } from '@tanstack/react-query'
import { useCallback, useRef } from 'react'
import type { ConnectorDetail } from '@/features/connectors/types'
import { consentFailure, consentInPopup, getCredential } from '@/features/oauth/consent'
import { openBlankPopup } from '@/features/oauth/popup'
import {
  createCredential,
  deleteCredential,
  testCredential,
  updateCredential,
  useInvalidateAfterSave,
} from './api'
import { credentialPayload, type AuthMethod } from './methods'
import { useWizardStore, type PendingCredential } from './store'

function provisionalName(name: string) {
  // Unique while pending, so an abandoned attempt elsewhere cannot block this one.
  return `${name.slice(0, 80)} (connecting ${Math.random().toString(36).slice(2, 8)})`
}

export function useWizardActions(
  connector: ConnectorDetail,
  method: AuthMethod | undefined,
  workspace: string,
) {
  const store = useWizardStore
  const invalidate = useInvalidateAfterSave()

  const writeCredential = useCallback(async (): Promise<PendingCredential> => {
    if (!method) throw new Error('Choose how to connect first.')
    const state = store.getState()
    let current = state.credential
    if (current && current.kind !== method.kind) {
      await deleteCredential(current.id) // another auth method: start over
      current = null
    }
    if (current && !state.dirty) return current
    const { config, secret } = credentialPayload(method, state.values, state.region)
    const row = current
      ? await updateCredential(current.id, { config, secret })
      : await createCredential({
          workspace,
          connector: connector.slug,
          name: provisionalName(state.name.trim() || connector.name),
          kind: method.kind,
          config,
          secret,
        })
    const pending = { id: String(row.id), kind: method.kind, connected: !method.consent }
    store.getState().credentialWritten(pending)
    store.getState().setTest(null)
    return pending
  }, [connector, method, workspace, store])

  const storeSecret = useMutation({ mutationFn: writeCredential })

  const waiting = useRef<AbortController | null>(null)
  const consent = useMutation({
    mutationFn: async (popup: Window) => {
      const stop = new AbortController()
      waiting.current = stop
      try {
        const pending = await writeCredential().catch((error: unknown) => {
          popup.close()
          throw error
        })
        const { credential, connected, outcome } = await consentInPopup(
          popup,
          pending.id,
          stop.signal,
        )
        store.getState().setConnected(connected)
        store.getState().setTest(null)
        if (!connected) throw new Error(consentFailure(outcome))
        return credential
      } finally {
        waiting.current = null
      }
    },
  })
  const stopWaiting = useCallback(() => waiting.current?.abort(), [])
  // The popup opens in the click's own turn; the rest follows asynchronously.
  const signIn = useCallback(() => {
    let popup: Window
    try {
      popup = openBlankPopup()
    } catch (error) {
      consent.reset()
      return Promise.reject(error as Error)
    }
    return consent.mutateAsync(popup)
  }, [consent])

  const test = useMutation({
    mutationFn: async () => {
      const pending = store.getState().credential
      if (!pending) throw new Error('Authenticate first.')
      const result = await testCredential(pending.id)
      store.getState().setTest(result)
      const row = await getCredential(pending.id)
      if (row.needs_reauth) store.getState().setConnected(false)
      return { result, needsReauth: row.needs_reauth }
    },
  })

  const save = useMutation({
    mutationFn: async () => {
      const state = store.getState()
      if (!state.credential) throw new Error('Nothing to save yet.')
      const row = await updateCredential(state.credential.id, { name: state.name.trim() })
      state.markSaved()
      invalidate()
      return row
    },
  })

  const discard = useCallback(async () => {
    const state = store.getState()
    if (state.credential && !state.saved) await deleteCredential(state.credential.id)
    state.reset()
  }, [store])

  return { storeSecret, consent, signIn, stopWaiting, test, save, discard }
}
