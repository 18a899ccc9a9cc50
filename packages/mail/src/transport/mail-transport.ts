import Mailgun from 'mailgun.js'
import type { MailgunMessageData } from 'mailgun.js/definitions'
import type { OutboundMail } from '../outbound-mail.ts'
import { MAIL_SEND_ERRORS, MailSendError, classifySendError } from './mail-send-error.ts'

/** Mailgun accepts at most three `o:tag` values per message. */
const MAX_TAGS = 3

export interface MailTransportOptions {
  apiKey: string
  domain: string
  /** Mailgun's base URL: US `https://api.mailgun.net`, EU `https://api.eu.mailgun.net`, or a local server. */
  url: string
  /** Gives up on a request after this long (a retryable failure). */
  timeoutMs?: number
}

/** What Mailgun said when it accepted a message. */
export interface SentMail {
  /** Mailgun's id, with angle brackets (our own Message-Id when we set one). */
  providerId: string
}

/** Sends composed mail through Mailgun's messages API. */
export interface MailTransport {
  /** Resolves when Mailgun queued the message; throws a `MailSendError` otherwise. */
  send(mail: OutboundMail): Promise<SentMail>
}

/** Maps an `OutboundMail` to Mailgun's form fields: `h:` headers, `o:tag`s and `v:` variables. */
export function toMailgunMessage(mail: OutboundMail): MailgunMessageData {
  const extra: Record<string, string | string[]> = {}
  if (mail.html !== undefined) extra.html = mail.html
  for (const [name, value] of Object.entries(mail.headers)) extra[`h:${name}`] = value
  if (mail.tags.length > 0) extra['o:tag'] = mail.tags
  for (const [name, value] of Object.entries(mail.variables)) extra[`v:${name}`] = value
  return { from: mail.from, to: mail.to, subject: mail.subject, text: mail.text, ...extra }
}

/**
 * A transport over mailgun.js, always with the `url` option so the region (or
 * the local server) is explicit.
 *
 * @example
 * const transport = createMailTransport({ apiKey, domain: 'mg.example.com', url: 'https://api.eu.mailgun.net' })
 * const { providerId } = await transport.send(mail)
 */
export function createMailTransport({ apiKey, domain, url, timeoutMs = 10_000 }: MailTransportOptions): MailTransport {
  const client = new Mailgun(FormData).client({ username: 'api', key: apiKey, url, timeout: timeoutMs })
  return {
    async send(mail) {
      if (mail.to.length === 0) throw new MailSendError(MAIL_SEND_ERRORS.invalid, 'the mail has no recipient', false)
      if (mail.tags.length > MAX_TAGS) {
        throw new MailSendError(MAIL_SEND_ERRORS.invalid, `Mailgun takes at most ${MAX_TAGS} tags, got ${mail.tags.length}`, false)
      }
      try {
        const answer = await client.messages.create(domain, toMailgunMessage(mail))
        if (!answer.id) throw new MailSendError(MAIL_SEND_ERRORS.providerUnavailable, 'Mailgun answered without a message id', true, answer.status)
        return { providerId: answer.id }
      } catch (error) {
        throw classifySendError(error)
      }
    },
  }
}
