import { MAIL_SEND_ERRORS, MailSendError, type MailTransport } from '@replyflow/mail'

/**
 * A worker without MAILGUN_API_KEY sends to the API's dev mailbox, which the
 * API serves only when it has no Mailgun key itself: beside an API that has
 * one, the mailbox is missing (404) and every mail would fail.
 */
export const DEV_MAILBOX_MISSING =
  "this worker has no MAILGUN_API_KEY, so it sends to the API's dev mailbox, but the API runs with Mailgun: give the worker the same MAILGUN_* settings"

/** What the API's dev mailbox says to this worker: it is there, missing (404), or gave no usable answer. */
export type DevMailboxState = 'present' | 'missing' | 'unavailable'

/** Where and how this worker reaches the dev mailbox (`config.mailgun` of a dev-mailbox worker). */
export interface DevMailboxAccess {
  url: string
  apiKey: string
}

/** Asks the dev mailbox for one of its routes: read-only, behind the same key as sending. */
export async function probeDevMailbox({ url, apiKey }: DevMailboxAccess): Promise<DevMailboxState> {
  try {
    const response = await fetch(`${url}/v3/routes?limit=1`, {
      headers: { authorization: `Basic ${Buffer.from(`api:${apiKey}`).toString('base64')}` },
      signal: AbortSignal.timeout(2_000),
    })
    await response.body?.cancel()
    if (response.ok) return 'present'
    return response.status === 404 ? 'missing' : 'unavailable'
  } catch {
    // Readiness is a yes/no answer; an API away shows in the API check and the jobs' own errors.
    return 'unavailable'
  }
}

/**
 * The dev-mailbox worker's transport: a 404 means the API has no dev mailbox
 * (a setup to fix), not a mail the provider refused, so it becomes a
 * retryable `MAIL_MISCONFIGURED` failure instead of a permanent rejection.
 */
export function devMailboxTransport(transport: MailTransport): MailTransport {
  return {
    async send(mail, files) {
      try {
        return await transport.send(mail, files)
      } catch (error) {
        if (!(error instanceof MailSendError) || error.httpStatus !== 404) throw error
        throw new MailSendError(MAIL_SEND_ERRORS.misconfigured, `${DEV_MAILBOX_MISSING} (${error.message})`, true, 404, { cause: error })
      }
    },
  }
}
