// One OAuth consent for a stored credential, in a popup: the wizard's "Sign in" and the
// Credentials and Status pages' "Reconnect" all run it, so the page the user is on stays.
import { typedApi, unwrap } from '@/api/typed-client'
import type { Credential } from '@/api/types'
import { awaitConsent, type ConsentOutcome } from './popup'

/** Where the provider's callback sends the popup: a page that reports and closes. */
export const OAUTH_RETURN_PATH = '/app/oauth/return'

export const getCredential = (id: string) =>
  unwrap(
    typedApi.GET('/api/v1/credentials/{id}/', { params: { path: { id } } }),
  ) as Promise<Credential>

const startConsent = (id: string) =>
  unwrap(
    typedApi.POST('/api/v1/credentials/{id}/oauth/start/', {
      params: { path: { id } },
      body: { return_to: OAUTH_RETURN_PATH },
    }),
  )

export interface ConsentResult {
  /** The credential as stored afterwards: its status is the truth, whatever the popup said. */
  credential: Credential
  connected: boolean
  outcome: ConsentOutcome
}

/**
 * Send `popup` (opened in the click's own turn) through the provider's consent for
 * `credentialId`, and settle once it reports, once the credential is seen connected anew
 * (polled), or once `signal` aborts. The popup is closed in every case.
 */
export async function consentInPopup(
  popup: Window,
  credentialId: string,
  signal: AbortSignal,
): Promise<ConsentResult> {
  try {
    const before = await getCredential(credentialId)
    const { authorization_url } = await startConsent(credentialId)
    // Granted when the provider's tokens were stored since (the row changed, connected).
    const granted = async () => {
      const row = await getCredential(credentialId)
      return row.updated_at !== before.updated_at && row.status === 'connected'
    }
    const outcome = await awaitConsent(popup, authorization_url, granted, signal)
    const credential = await getCredential(credentialId)
    const connected = credential.status === 'connected' && !credential.needs_reauth
    return { credential, connected, outcome }
  } finally {
    popup.close()
  }
}

/** Why a consent did not connect, in the user's words. */
export function consentFailure(outcome: ConsentOutcome): string {
  return (
    outcome.detail ??
    (outcome.status === 'closed'
      ? 'Sign-in stopped before access was granted.'
      : 'The provider did not grant access.')
  )
}
