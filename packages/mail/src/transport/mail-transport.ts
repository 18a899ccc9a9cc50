import FormData from 'form-data'
import addressparser from 'nodemailer/lib/addressparser'
import Mailgun from 'mailgun.js'
import type { CustomFile, MailgunMessageData } from 'mailgun.js/definitions'
import { isMailboxAddress } from '../headers.ts'
import type { MailFile, OutboundMail } from '../outbound-mail.ts'
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
  /**
   * Resolves when Mailgun queued the message; throws a `MailSendError` otherwise.
   * `files` are the bytes of `mail.attachments`, in the same order (sent multipart).
   */
  send(mail: OutboundMail, files?: readonly MailFile[]): Promise<SentMail>
}

/** Maps an `OutboundMail` to Mailgun's form fields: `h:` headers, `o:tag`s, `v:` variables and `attachment` files. */
export function toMailgunMessage(mail: OutboundMail, files: readonly MailFile[] = []): MailgunMessageData {
  const extra: Record<string, string | string[] | CustomFile[]> = {}
  if (mail.html !== undefined) extra.html = mail.html
  for (const [name, value] of Object.entries(mail.headers)) extra[`h:${name}`] = value
  if (mail.tags.length > 0) extra['o:tag'] = mail.tags
  for (const [name, value] of Object.entries(mail.variables)) extra[`v:${name}`] = value
  if (files.length > 0) extra.attachment = files.map((file) => ({ data: file.content, filename: file.filename, contentType: file.contentType }))
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
  // The form-data package, as mailgun.js documents for Node: it builds a post with less CPU than the global FormData.
  const client = new Mailgun(FormData).client({ username: 'api', key: apiKey, url, timeout: timeoutMs })
  return {
    async send(mail, files = []) {
      if (mail.to.length === 0) throw new MailSendError(MAIL_SEND_ERRORS.invalid, 'the mail has no recipient', false)
      // Mailgun splits a `to` at its commas: one entry naming two mailboxes would mail someone we never meant to.
      const crowded = mail.to.find((entry) => {
        const mailboxes = addressparser(entry, { flatten: true })
        return mailboxes.length !== 1 || !isMailboxAddress(mailboxes[0]?.address ?? '')
      })
      if (crowded !== undefined) throw new MailSendError(MAIL_SEND_ERRORS.invalid, `recipient "${crowded}" is not one mailbox`, false)
      if (mail.tags.length > MAX_TAGS) {
        throw new MailSendError(MAIL_SEND_ERRORS.invalid, `Mailgun takes at most ${MAX_TAGS} tags, got ${mail.tags.length}`, false)
      }
      if (files.length !== (mail.attachments?.length ?? 0)) {
        throw new MailSendError(MAIL_SEND_ERRORS.invalid, `the mail names ${mail.attachments?.length ?? 0} attachment(s) but ${files.length} file(s) came with it`, false)
      }
      try {
        const answer = await client.messages.create(domain, toMailgunMessage(mail, files))
        if (!answer.id) throw new MailSendError(MAIL_SEND_ERRORS.providerUnavailable, 'Mailgun answered without a message id', true, answer.status)
        return { providerId: answer.id }
      } catch (error) {
        throw classifySendError(error)
      }
    },
  }
}
