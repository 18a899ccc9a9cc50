import { ApiError, request } from './client.ts'
import type { DevMailboxStats, Items, MailboxSimulation, MailUpload, RecordedMail } from './types.ts'

/**
 * The dev mailbox: the Mailgun-compatible server the API mounts at
 * `/dev/mailgun` when it has no Mailgun key (docs/internals.md, "Mail
 * transport"). Its control surface (`/mailbox`) needs the admin's session. The
 * API keeps the routes that take mail for the team address and our reply
 * addresses to its own inbound webhook, so mail simulated here travels exactly
 * as it would through Mailgun.
 */
export const DEV_MAILGUN = '/dev/mailgun'

const enc = encodeURIComponent

/** The dev mailbox's recorded mail, and mail arriving from outside through its routes. */
export const devMailboxApi = {
  /**
   * The dev mailbox's counters, or null when the API runs none (404: its control surface is mounted only then).
   * Any other failure rejects: a 403 (not an admin) or a lost connection says nothing about whether it runs.
   */
  stats: () =>
    request<DevMailboxStats>('GET', `${DEV_MAILGUN}/mailbox/stats`, { quietUnauthorized: true }).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return null
      throw error
    }),
  messages: () => request<Items<RecordedMail>>('GET', `${DEV_MAILGUN}/mailbox/messages`),
  clear: () => request<void>('DELETE', `${DEV_MAILGUN}/mailbox/messages`),

  /** A customer writes to `to` (the team address): resolves once the route's forward to Replyflow was answered. */
  receive: (mail: { from: string; to: string; subject: string; text: string; attachments?: MailUpload[] }) =>
    request<MailboxSimulation>('POST', `${DEV_MAILGUN}/mailbox/inbound`, { body: mail }),

  /** The recipient of recorded message `id` answers it from their mail client (`from` defaults to its first recipient). */
  reply: (id: string, body: { text: string; from?: string; attachments?: MailUpload[] }) =>
    request<MailboxSimulation>('POST', `${DEV_MAILGUN}/mailbox/messages/${enc(id)}/reply`, { body }),

  /** Where a recorded attachment downloads from (the session cookie goes along). */
  attachmentUrl: (id: string, index: number) => `${DEV_MAILGUN}/mailbox/messages/${enc(id)}/attachments/${index}`,
}
