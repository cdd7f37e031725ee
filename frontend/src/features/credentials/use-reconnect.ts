// "Reconnect" of an OAuth credential: the provider's consent in a popup, the page staying
// where it is. While waiting, the same button stops waiting (a popup closed by hand does not
// always say so: the app's opener policy severs it from this page).
import { useMutation } from '@tanstack/react-query'
import { useCallback, useRef, useState } from 'react'
import { consentFailure, consentInPopup } from '@/features/oauth/consent'
import { openBlankPopup } from '@/features/oauth/popup'
import { useRefreshList } from './api'

export interface Reconnect {
  start: () => void
  stop: () => void
  isPending: boolean
  /** Why the last attempt did not connect (a blocked popup included), else null. */
  error: Error | null
}

export function useReconnect(id: string, onSettled?: () => void): Reconnect {
  const refresh = useRefreshList()
  const waiting = useRef<AbortController | null>(null)
  const [blocked, setBlocked] = useState<Error | null>(null)
  const consent = useMutation({
    mutationFn: async (popup: Window) => {
      const stop = new AbortController()
      waiting.current = stop
      try {
        const { credential, connected, outcome } = await consentInPopup(popup, id, stop.signal)
        if (!connected) throw new Error(consentFailure(outcome))
        return credential
      } finally {
        waiting.current = null
      }
    },
    onSettled: () => {
      refresh()
      onSettled?.()
    },
  })
  const { mutate } = consent
  // The popup opens in the click's own turn (browsers block a later window.open).
  const start = useCallback(() => {
    let popup: Window
    try {
      popup = openBlankPopup()
    } catch (error) {
      setBlocked(error as Error)
      return
    }
    setBlocked(null)
    mutate(popup)
  }, [mutate])
  const stop = useCallback(() => waiting.current?.abort(), [])
  return { start, stop, isPending: consent.isPending, error: blocked ?? consent.error }
}
