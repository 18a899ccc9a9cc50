import { randomBytes, randomUUID } from 'node:crypto'
import MailComposer from 'nodemailer/lib/mail-composer'
import addressparser from 'nodemailer/lib/addressparser'
import type { UploadedFile } from '../inbound/parse-forward-post.ts'
import type { WebhookSignature } from '../inbound/inbound-mail.ts'
import { signatureFor } from '../inbound/webhook-signature.ts'

/** A simple description of a received mail, from which Mailgun's posts are built. */
export interface MailDescription {
  /** `Name <address>` or a bare address. */
  from: string
  to: string | string[]
  cc?: string[]
  /** SMTP RCPT TO; defaults to the first `to`. */
  recipient?: string
  /** SMTP MAIL FROM; defaults to the From address. */
  sender?: string
  subject: string
  text: string
  html?: string
  /** Mailgun's `stripped-text`; absent unless given (as when Mailgun's parsing fails). */
  strippedText?: string
  strippedHtml?: string
  /** Defaults to a fresh `<uuid@mail.example.net>`. */
  messageId?: string
  inReplyTo?: string
  references?: string[]
  date?: Date
  /** Extra headers (Auto-Submitted, X-Mailgun-Spf, …), in order after the standard ones. */
  headers?: Record<string, string>
  attachments?: Array<{ filename: string; contentType: string; content: Buffer | string; contentId?: string }>
}

/** How to sign a built post; timestamp and token default to now and 50 random characters. */
export interface SignOptions {
  signingKey: string
  timestamp?: string
  token?: string
}

/** A forward() post in structured form: what `parseForwardPost` takes, and what `encodePost` sends. */
export interface BuiltForwardPost {
  fields: Record<string, string>
  files: UploadedFile[]
}

/** An encoded HTTP body with its content type. */
export interface EncodedPost {
  contentType: string
  body: Buffer
}

/** Signature fields as Mailgun computes them: hex HMAC-SHA256 of timestamp + token. */
export function signWebhook({ signingKey, timestamp, token }: SignOptions): WebhookSignature {
  const ts = timestamp ?? String(Math.floor(Date.now() / 1000))
  const tk = token ?? randomBytes(25).toString('hex')
  return { timestamp: ts, token: tk, signature: signatureFor(signingKey, ts, tk) }
}

function firstAddress(list: string): string {
  return addressparser(list, { flatten: true })[0]?.address ?? list
}

function toList(to: string | string[]): string[] {
  return Array.isArray(to) ? to : [to]
}

/** Header pairs as Mailgun lists them in `message-headers`. */
function headerPairsOf(mail: MailDescription, messageId: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [
    ['Mime-Version', '1.0'],
    ['From', mail.from],
    ['To', toList(mail.to).join(', ')],
  ]
  if (mail.cc?.length) pairs.push(['Cc', mail.cc.join(', ')])
  pairs.push(['Subject', mail.subject], ['Message-Id', messageId], ['Date', (mail.date ?? new Date()).toUTCString()])
  if (mail.inReplyTo) pairs.push(['In-Reply-To', mail.inReplyTo])
  if (mail.references?.length) pairs.push(['References', mail.references.join(' ')])
  const contentType = mail.attachments?.length ? 'multipart/mixed; boundary="rf-boundary"' : mail.html ? 'multipart/alternative; boundary="rf-boundary"' : 'text/plain; charset="utf-8"'
  pairs.push(['Content-Type', contentType])
  for (const [name, value] of Object.entries(mail.headers ?? {})) {
    const existing = pairs.findIndex(([key]) => key.toLowerCase() === name.toLowerCase())
    if (existing >= 0) pairs[existing] = [name, value]
    else pairs.push([name, value])
  }
  return pairs
}

/**
 * Mailgun's parsed forward() post of a mail, signed: summary fields, `message-headers`,
 * every header as its own field, `attachment-N` files and `content-id-map`.
 */
export function buildForwardPost(mail: MailDescription, sign: SignOptions): BuiltForwardPost {
  const messageId = mail.messageId ?? `<${randomUUID()}@mail.example.net>`
  const headers = headerPairsOf(mail, messageId)
  const fields: Record<string, string> = {
    recipient: mail.recipient ?? firstAddress(toList(mail.to)[0] ?? ''),
    sender: mail.sender ?? firstAddress(mail.from),
    from: mail.from,
    subject: mail.subject,
    'body-plain': mail.text,
  }
  if (mail.strippedText !== undefined) fields['stripped-text'] = mail.strippedText
  if (mail.html !== undefined) fields['body-html'] = mail.html
  if (mail.strippedHtml !== undefined) fields['stripped-html'] = mail.strippedHtml
  for (const [name, value] of headers) fields[name] = value
  fields['message-headers'] = JSON.stringify(headers)
  const files: UploadedFile[] = (mail.attachments ?? []).map((attachment, index) => ({
    field: `attachment-${index + 1}`,
    filename: attachment.filename,
    contentType: attachment.contentType,
    content: Buffer.isBuffer(attachment.content) ? attachment.content : Buffer.from(attachment.content),
  }))
  if (files.length > 0) {
    fields['attachment-count'] = String(files.length)
    const cidMap: Record<string, string> = {}
    mail.attachments?.forEach((attachment, index) => {
      if (attachment.contentId) cidMap[`<${attachment.contentId}>`] = `attachment-${index + 1}`
    })
    if (Object.keys(cidMap).length > 0) fields['content-id-map'] = JSON.stringify(cidMap)
  }
  Object.assign(fields, signWebhook(sign))
  return { fields, files }
}

/** The raw RFC 5322 message of a description, as a mail client would have sent it. */
export async function buildRawMime(mail: MailDescription): Promise<Buffer> {
  const composer = new MailComposer({
    from: mail.from,
    to: toList(mail.to),
    cc: mail.cc,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId ?? `<${randomUUID()}@mail.example.net>`,
    inReplyTo: mail.inReplyTo,
    references: mail.references,
    date: mail.date ?? new Date(),
    headers: mail.headers,
    attachments: (mail.attachments ?? []).map((attachment) => ({
      filename: attachment.filename,
      contentType: attachment.contentType,
      content: attachment.content,
      cid: attachment.contentId,
    })),
  })
  return composer.compile().build()
}

/** The forward() post a route URL ending in `mime` receives: the raw message in `body-mime`, signed. */
export async function buildMimePost(mail: MailDescription, sign: SignOptions): Promise<BuiltForwardPost> {
  const fields: Record<string, string> = {
    recipient: mail.recipient ?? firstAddress(toList(mail.to)[0] ?? ''),
    sender: mail.sender ?? firstAddress(mail.from),
    from: mail.from,
    subject: mail.subject,
    'body-mime': (await buildRawMime(mail)).toString('utf8'),
    ...signWebhook(sign),
  }
  return { fields, files: [] }
}

/** Encodes a built post as Mailgun sends it: urlencoded, or multipart/form-data (required when it has files). */
export async function encodePost(post: BuiltForwardPost, format: 'urlencoded' | 'multipart' = post.files.length > 0 ? 'multipart' : 'urlencoded'): Promise<EncodedPost> {
  if (format === 'urlencoded') {
    if (post.files.length > 0) throw new Error('a post with attachments must be multipart')
    return { contentType: 'application/x-www-form-urlencoded', body: Buffer.from(new URLSearchParams(post.fields).toString()) }
  }
  const form = new FormData()
  for (const [name, value] of Object.entries(post.fields)) form.append(name, value)
  for (const file of post.files) form.append(file.field, new Blob([file.content], { type: file.contentType }), file.filename)
  const response = new Response(form)
  return { contentType: response.headers.get('content-type') ?? 'multipart/form-data', body: Buffer.from(await response.arrayBuffer()) }
}

/** A delivery event as Mailgun's event webhooks describe it. */
export interface EventDescription {
  event: 'accepted' | 'delivered' | 'failed' | 'opened' | 'clicked' | 'complained' | 'unsubscribed'
  recipient: string
  /** Our Message-Id; sent without brackets, as Mailgun does. */
  messageId: string
  severity?: 'permanent' | 'temporary'
  reason?: string
  deliveryStatus?: { code?: number; message?: string; description?: string }
  /** Defaults to a fresh random id. */
  id?: string
  userVariables?: Record<string, string>
  tags?: string[]
  /** Unix seconds, fractional; defaults to now. */
  timestamp?: number
}

/** The JSON body of a Mailgun event webhook, signed under `signature`. */
export function buildEventPost(event: EventDescription, sign: SignOptions): { signature: WebhookSignature; 'event-data': Record<string, unknown> } {
  const eventData: Record<string, unknown> = {
    id: event.id ?? randomBytes(11).toString('base64url'),
    event: event.event,
    timestamp: event.timestamp ?? Date.now() / 1000,
    recipient: event.recipient,
    message: { headers: { 'message-id': event.messageId.replace(/^<|>$/g, '') } },
    'user-variables': event.userVariables ?? {},
    tags: event.tags ?? [],
  }
  if (event.severity) eventData.severity = event.severity
  if (event.reason) eventData.reason = event.reason
  if (event.deliveryStatus) eventData['delivery-status'] = event.deliveryStatus
  return { signature: signWebhook(sign), 'event-data': eventData }
}
