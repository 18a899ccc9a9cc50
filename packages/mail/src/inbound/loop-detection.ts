import { parseMessageId, parseReplyAddress } from '../signed-ids.ts'
import { headerOf, type InboundMail } from './inbound-mail.ts'

/** Why a mail was recognised as automated (or as our own), in which case it triggers no flow and gets no mail back. */
export const AUTOMATED_REASONS = {
  autoSubmitted: 'auto-submitted',
  autoReplyHeader: 'auto-reply-header',
  precedence: 'precedence',
  loop: 'x-loop',
  systemSender: 'system-sender',
  bounce: 'bounce',
  ownAddress: 'own-address',
  ownMail: 'own-mail',
  spam: 'spam',
} as const
/** One of {@link AUTOMATED_REASONS}. */
export type AutomatedReason = (typeof AUTOMATED_REASONS)[keyof typeof AUTOMATED_REASONS]

/** What we know about ourselves, to spot our own mail coming back. */
export interface OwnIdentity {
  /** Our addresses (the team address, agents' notification senders if any), any case. */
  addresses: readonly string[]
  /** The secret our Message-Ids and reply addresses are signed with. */
  secret: string
}

const SYSTEM_LOCAL_PARTS = /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?)([+._-].*)?$/i

function localPart(address: string): string {
  return address.slice(0, address.lastIndexOf('@'))
}

/**
 * Why this mail must not be answered automatically, or null when a person wrote
 * it. Follows the hygiene of the best help desks (RFC 3834 Auto-Submitted,
 * Microsoft's X-Auto-Response-Suppress, Precedence, X-Loop) plus Mailgun's spam flag.
 */
export function detectAutomated(mail: InboundMail, own: OwnIdentity): AutomatedReason | null {
  const header = (name: string): string | null => headerOf(mail, name)?.trim() ?? null
  const ours = new Set(own.addresses.map((address) => address.toLowerCase()))
  const fromAddress = mail.from?.address.toLowerCase() ?? ''

  if (mail.messageId && parseMessageId(mail.messageId, own.secret)) return AUTOMATED_REASONS.ownMail
  if (fromAddress && (ours.has(fromAddress) || parseReplyAddress(fromAddress, own.secret))) return AUTOMATED_REASONS.ownAddress
  const autoSubmitted = header('Auto-Submitted')
  if (autoSubmitted && autoSubmitted.toLowerCase() !== 'no') return AUTOMATED_REASONS.autoSubmitted
  if (header('X-Autoreply') !== null || header('X-Autorespond') !== null || header('X-Auto-Response-Suppress') !== null) {
    return AUTOMATED_REASONS.autoReplyHeader
  }
  if (/^(bulk|junk|list|auto_reply)$/i.test(header('Precedence') ?? '')) return AUTOMATED_REASONS.precedence
  const loop = header('X-Loop')?.toLowerCase() ?? ''
  if (loop && [...ours].some((address) => loop.includes(address))) return AUTOMATED_REASONS.loop
  if (/multipart\/report/i.test(header('Content-Type') ?? '') || mail.sender === '') return AUTOMATED_REASONS.bounce
  const senders = [fromAddress, mail.sender?.toLowerCase() ?? ''].filter((address) => address.includes('@'))
  if (senders.some((address) => SYSTEM_LOCAL_PARTS.test(localPart(address)))) return AUTOMATED_REASONS.systemSender
  if (/^yes$/i.test(header('X-Mailgun-Sflag') ?? '')) return AUTOMATED_REASONS.spam
  return null
}

/** What Mailgun's spam filter reported about the sender's authentication (null when it didn't say). */
export interface SenderAuthentication {
  spf: string | null
  dkim: string | null
}

/** SPF and DKIM verdicts from `X-Mailgun-Spf` and `X-Mailgun-Dkim-Check-Result`. */
export function senderAuthentication(mail: InboundMail): SenderAuthentication {
  return {
    spf: headerOf(mail, 'X-Mailgun-Spf')?.trim().toLowerCase() ?? null,
    dkim: headerOf(mail, 'X-Mailgun-Dkim-Check-Result')?.trim().toLowerCase() ?? null,
  }
}

/** Whether Mailgun reports both SPF and DKIM failing: such a sender is not trusted to be who they claim. */
export function failsAuthentication(auth: SenderAuthentication): boolean {
  return auth.spf === 'fail' && auth.dkim === 'fail'
}
