// /app/oauth/return: where the provider's callback sends the consent popup. It reports the
// outcome to the page that opened it and closes; if the browser keeps it open, it says so.
import { useEffect } from 'react'
import { useSearchParams } from 'react-router'
import { EmptyState } from '@/components/ui/feedback'
import { reportToOpener } from './popup'

export function PopupReturnPage() {
  const [params] = useSearchParams()
  useEffect(() => {
    reportToOpener(params)
  }, [params])
  const ok = params.get('oauth') === 'connected'
  return (
    <EmptyState title={ok ? 'Access granted' : 'Access not granted'}>
      <p>
        {ok
          ? 'You can close this window.'
          : (params.get('detail') ?? 'Close this window and try again.')}
      </p>
    </EmptyState>
  )
}
