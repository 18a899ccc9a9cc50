/** The normalised shape of one received e-mail, whichever way Mailgun posted it. */

/** A parsed address; `name` is empty when the header had none. */
export interface MailAddress {
  name: string
  address: string
}

/** One attachment of a received mail, in memory until the API stores it. */
export interface InboundAttachment {
  filename: string
  contentType: string
  size: number
  content: Buffer
  /** Content-Id without brackets, when an HTML part shows it inline (`cid:`). */
  contentId: string | null
}

/** Mailgun's webhook signature fields (route posts carry them top-level, events under `signature`). */
export interface WebhookSignature {
  timestamp: string
  token: string
  signature: string
}

/** One received e-mail. Text is normalised to `\n` line ends; `rawHtml` is NOT sanitised yet. */
export interface InboundMail {
  /** SMTP RCPT TO as posted (may list several, comma-separated). */
  recipient: string
  /** The bare addresses of `recipient`. */
  recipients: string[]
  /** SMTP MAIL FROM; null when absent, '' for a bounce's null reverse-path. */
  sender: string | null
  from: MailAddress | null
  to: MailAddress[]
  cc: MailAddress[]
  replyTo: MailAddress[]
  subject: string
  /** Bracketed and normalised; null when the mail had none. */
  messageId: string | null
  inReplyTo: string[]
  references: string[]
  date: Date | null
  /** The full plain text (Mailgun's `body-plain`, or derived from the HTML when a mail has none). */
  text: string
  /** Mailgun's `stripped-text`: absent when Mailgun's parsing failed, and always absent for raw MIME. */
  strippedText: string | null
  /** Mailgun's `stripped-html` when present, else the full HTML; unsafe until sanitised. */
  rawHtml: string | null
  /** Every header, in order, as `[name, value]` with the name in its original case. */
  headers: Array<[string, string]>
  attachments: InboundAttachment[]
}

/** The value of the first header named `name` (case-insensitive), or null. */
export function headerOf(mail: Pick<InboundMail, 'headers'>, name: string): string | null {
  const wanted = name.toLowerCase()
  for (const [key, value] of mail.headers) if (key.toLowerCase() === wanted) return value
  return null
}
