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
}
