/**
 * A file sent with an outbound mail, by reference: the delivery stores only
 * this, and the sender fetches the bytes by `id` when it sends
 * (docs/internals.md, "Attachments of outbound mail").
 */
// A type, not an interface: it is stored as JSON, and only type literals fit JSON index signatures.
export type OutboundAttachment = {
  /** The stored attachment's id. */
  id: string
  filename: string
  contentType: string
  size: number
}

/** An attachment's bytes, fetched for sending. */
export interface MailFile {
  filename: string
  contentType: string
  content: Buffer
}

/** One composed outbound e-mail, ready for the transport (Mailgun's messages API or the dev mailbox). */
export interface OutboundMail {
  from: string
  to: string[]
  subject: string
  text: string
  html?: string
  /** MIME headers sent as `h:<name>` (Message-Id, In-Reply-To, References, Reply-To, hygiene headers). */
  headers: Record<string, string>
  /** Mailgun `o:tag` values (at most 3). */
  tags: string[]
  /** Mailgun `v:` variables: visible to the recipient, so ids only. */
  variables: Record<string, string>
  /** Files to attach, by reference; absent or empty: none. */
  attachments?: OutboundAttachment[]
}
