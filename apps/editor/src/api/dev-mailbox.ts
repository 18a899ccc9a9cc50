import { ApiError, request } from './client.ts'
import type { Items, RecordedMail } from './types.ts'

/**
 * The dev mailbox: the Mailgun-compatible server the API mounts at
 * `/dev/mailgun` when it has no Mailgun key (docs/internals.md, "Mail
 * transport"). Its control surface (`/mailbox`) needs the admin's session; its
 * Mailgun API takes the fixed dev key, as the worker's sends do.
 */
export const DEV_MAILGUN = '/dev/mailgun'
const DEV_KEY = 'dev'
const DEV_DOMAIN = 'dev.replyflow.local'
const mailgunAuth = { authorization: `Basic ${btoa(`api:${DEV_KEY}`)}` }

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The dev mailbox's recorded mail and its simulated customers. */
export const devMailboxApi = {
  /** Whether the API runs the dev mailbox (its control surface answers only then). */
  available: () => request('GET', `${DEV_MAILGUN}/mailbox/stats`, { quietUnauthorized: true }).then(() => true, () => false),
  messages: () => request<Items<RecordedMail>>('GET', `${DEV_MAILGUN}/mailbox/messages`),
  clear: () => request<void>('DELETE', `${DEV_MAILGUN}/mailbox/messages`),

  /** Whether the server can play Mailgun's inbound side too (routes that forward to a URL). */
  canSimulate: () => request('GET', `${DEV_MAILGUN}/v3/routes?limit=1&skip=0`, { headers: mailgunAuth, quietUnauthorized: true }).then(() => true, () => false),

  /**
   * Mails `to` as a customer would, through the dev mailbox. Like a Mailgun
   * account set up for Replyflow, a route forwards mail for `to` to the inbound
   * webhook (created here the first time). Resolves once the forward was made.
   */
  async sendAsCustomer(mail: { from: string; to: string; subject: string; text: string }): Promise<void> {
    try {
      await request('GET', `${DEV_MAILGUN}/v3/routes/match?address=${encodeURIComponent(mail.to)}`, { headers: mailgunAuth })
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error
      const route = new URLSearchParams({ priority: '0', description: 'Replyflow dev: customer mail to the team address', expression: `match_recipient("${escapeRegExp(mail.to)}")` })
      route.append('action', `forward("${window.location.origin}/webhooks/mailgun/inbound")`)
      route.append('action', 'stop()')
      await request('POST', `${DEV_MAILGUN}/v3/routes`, { body: route, headers: mailgunAuth })
    }
    const message = new URLSearchParams({ ...mail, 'h:Message-Id': `<simulated-${crypto.randomUUID()}@customer.${DEV_DOMAIN}>` })
    await request('POST', `${DEV_MAILGUN}/v3/${DEV_DOMAIN}/messages`, { body: message, headers: mailgunAuth })
    await request('POST', `${DEV_MAILGUN}/mailbox/relays/idle`, { body: {} })
  },
}
