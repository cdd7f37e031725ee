// The provider's consent in a real popup window. The callback sends the popup back to the
// app's return page, which reports the outcome to the page that opened it and closes
// (PopupReturnPage); meanwhile that page also polls the credential's status, and the user
// may stop waiting.

export const OAUTH_MESSAGE = 'flowplane:oauth'

export interface ConsentOutcome {
  type: typeof OAUTH_MESSAGE
  status: 'connected' | 'failed' | 'closed'
  credential?: string
  detail?: string
}

export class PopupBlocked extends Error {
  constructor() {
    super('The browser blocked the sign-in window: allow pop-ups for this site and try again.')
  }
}

/** Open the popup now, in the click's own turn (browsers block a later window.open). */
export function openBlankPopup(): Window {
  const left = window.screenX + Math.max(0, (window.outerWidth - 560) / 2)
  const popup = window.open(
    'about:blank',
    'flowplane-oauth',
    `popup=yes,width=560,height=680,left=${Math.round(left)},top=${window.screenY + 60}`,
  )
  if (!popup) throw new PopupBlocked()
  return popup
}

export function isConsentOutcome(data: unknown): data is ConsentOutcome {
  return (
    typeof data === 'object' && data !== null && (data as ConsentOutcome).type === OAUTH_MESSAGE
  )
}

/**
 * Send `popup` to the provider and resolve with how the consent ended: the popup's report (a
 * BroadcastChannel: the cross-origin hop to the provider severs `window.opener` under the
 * app's Cross-Origin-Opener-Policy, and makes `popup.closed` unreliable), or `granted()`
 * turning true when polled (the credential's own status), or `signal` giving up.
 */
export function awaitConsent(
  popup: Window,
  url: string,
  granted: () => Promise<boolean>,
  signal: AbortSignal,
): Promise<ConsentOutcome> {
  popup.location.href = url
  const channel = new BroadcastChannel(OAUTH_MESSAGE)
  return new Promise((resolve) => {
    const finish = (outcome: ConsentOutcome) => {
      channel.close()
      window.clearInterval(timer)
      signal.removeEventListener('abort', onAbort)
      resolve(outcome)
    }
    channel.onmessage = (event: MessageEvent) => {
      if (isConsentOutcome(event.data)) finish(event.data)
    }
    const onAbort = () => finish({ type: OAUTH_MESSAGE, status: 'closed' })
    signal.addEventListener('abort', onAbort)
    const timer = window.setInterval(() => {
      granted().then(
        (yes) => yes && finish({ type: OAUTH_MESSAGE, status: 'connected' }),
        () => undefined,
      )
    }, 2000)
  })
}

/** In the popup, back from the callback: tell the opener's page (same origin), then close. */
export function reportToOpener(params: URLSearchParams): void {
  const outcome: ConsentOutcome = {
    type: OAUTH_MESSAGE,
    status: params.get('oauth') === 'connected' ? 'connected' : 'failed',
    credential: params.get('credential') ?? undefined,
    detail: params.get('detail') ?? undefined,
  }
  const channel = new BroadcastChannel(OAUTH_MESSAGE)
  channel.postMessage(outcome)
  channel.close()
  window.close() // a window a script opened may close itself; otherwise the page says so
}
