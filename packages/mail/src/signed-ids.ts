import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Signed identifiers carried by our outbound mail, so a reply can be threaded
 * (and an agent's reply trusted) from its headers alone, without anyone being
 * able to forge one: RFC 5322 Message-Ids `<rf.<conversation>.<message>[.<agent>].<sig>@domain>`
 * and reply addresses `reply+<conversation>.<sig>@domain`.
 */

/** Row ids are URL-safe; `.` separates the parts, so it can't appear inside one. */
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/
const MESSAGE_ID_SIG_LENGTH = 32
/** Shorter, so `reply+<26-char id>.<sig>` stays within the 64-character local-part limit. */
const REPLY_SIG_LENGTH = 24

/** What a signed Message-Id of ours encodes. `agentId` is set on notifications mailed to an agent. */
export interface MessageIdParts {
  conversationId: string
  messageId: string
  agentId: string | null
}

/** Input of {@link createMessageId}. */
export interface CreateMessageIdInput {
  conversationId: string
  messageId: string
  agentId?: string | null
  domain: string
  secret: string
}

function assertId(name: string, value: string): void {
  if (!ID_PATTERN.test(value)) throw new Error(`${name} is not a URL-safe id: "${value}"`)
}

function sign(secret: string, purpose: string, parts: readonly string[], length: number): string {
  return createHmac('sha256', secret).update([purpose, ...parts].join('\n')).digest('hex').slice(0, length)
}

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected)
  const b = Buffer.from(given.toLowerCase())
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * Some relays lower-case addresses; ULID-like ids are upper case, so a lower-cased
 * id is retried upper-cased before the signature is declared wrong.
 */
function caseVariants(id: string): string[] {
  const upper = id.toUpperCase()
  return upper === id ? [id] : [id, upper]
}

/**
 * A signed RFC 5322 Message-Id (with angle brackets) for one outbound mail.
 * @example createMessageId({ conversationId: 'c1', messageId: 'm1', agentId: 'a1', domain: 'mg.example.com', secret })
 *   // '<rf.c1.m1.a1.3f2a…@mg.example.com>'
 */
export function createMessageId({ conversationId, messageId, agentId, domain, secret }: CreateMessageIdInput): string {
  assertId('conversationId', conversationId)
  assertId('messageId', messageId)
  const parts = agentId ? [conversationId, messageId, agentId] : [conversationId, messageId]
  if (agentId) assertId('agentId', agentId)
  return `<rf.${parts.join('.')}.${sign(secret, 'message-id', parts, MESSAGE_ID_SIG_LENGTH)}@${domain}>`
}

/** The parts of one of our signed Message-Ids (brackets optional), or null when it isn't ours or the signature is wrong. */
export function parseMessageId(id: string, secret: string): MessageIdParts | null {
  const normalised = normaliseMessageId(id)
  if (normalised === null) return null
  const at = normalised.lastIndexOf('@')
  if (at < 0) return null
  const fields = normalised.slice(1, at).split('.')
  if (fields[0] !== 'rf' || (fields.length !== 4 && fields.length !== 5)) return null
  const sig = fields[fields.length - 1] ?? ''
  const ids = fields.slice(1, -1)
  if (!ids.every((part) => ID_PATTERN.test(part))) return null
  const candidates = ids.some((part) => part !== part.toUpperCase()) ? [ids, ids.map((part) => part.toUpperCase())] : [ids]
  for (const parts of candidates) {
    if (sameSignature(sign(secret, 'message-id', parts, MESSAGE_ID_SIG_LENGTH), sig)) {
      return { conversationId: parts[0] ?? '', messageId: parts[1] ?? '', agentId: parts[2] ?? null }
    }
  }
  return null
}

/**
 * One Message-Id in its bracketed form `<…>`. Mailgun's event payloads drop the
 * brackets and some clients add spaces; null when nothing id-like is left.
 */
export function normaliseMessageId(raw: string): string | null {
  const inner = raw.trim().replace(/^<+/, '').replace(/>+$/, '').trim()
  if (inner.length === 0 || /[\s<>]/.test(inner)) return null
  return `<${inner}>`
}

/** Every Message-Id in an `In-Reply-To` or `References` header value, in order, without duplicates. */
export function parseMessageIdList(header: string | null | undefined): string[] {
  if (!header) return []
  const bracketed = header.match(/<[^<>\s]+>/g)
  const raw = bracketed ?? header.split(/[\s,]+/)
  const ids = raw.map(normaliseMessageId).filter((id): id is string => id !== null)
  return [...new Set(ids)]
}

/** A signed reply address `reply+<conversationId>.<sig>@domain` that threads a reply into its conversation. */
export function createReplyAddress({ conversationId, domain, secret }: { conversationId: string; domain: string; secret: string }): string {
  assertId('conversationId', conversationId)
  return `reply+${conversationId}.${sign(secret, 'reply-address', [conversationId], REPLY_SIG_LENGTH)}@${domain}`
}

/** The conversation a signed reply address (bare, or inside `Name <…>`) points to, or null when it isn't a valid one. */
export function parseReplyAddress(address: string, secret: string): { conversationId: string } | null {
  const bare = /<([^<>]+)>/.exec(address)?.[1] ?? address
  const match = /^\s*reply\+([A-Za-z0-9_-]{1,64})\.([0-9a-fA-F]+)@[^@\s]+\s*$/.exec(bare)
  if (!match?.[1] || !match[2]) return null
  for (const conversationId of caseVariants(match[1])) {
    if (sameSignature(sign(secret, 'reply-address', [conversationId], REPLY_SIG_LENGTH), match[2])) return { conversationId }
  }
  return null
}
