import { createHash } from 'node:crypto'
import type { InboundMail } from './inbound-mail.ts'

/**
 * A digest of what identifies a delivered mail. A webhook token seen again is a
 * Mailgun retry when the fingerprint matches, and a replay (a captured signature
 * carrying other content — the signature doesn't cover the body) when it doesn't.
 */
export function mailFingerprint(mail: InboundMail): string {
  const parts = [mail.messageId ?? '', mail.from?.address ?? '', mail.recipient, mail.subject, mail.text]
  return createHash('sha256').update(parts.join('\u0000')).digest('hex')
}
