import { and, asc, count, eq, gte, inArray, ne } from 'drizzle-orm'
import type { DbOrTx } from '../client.ts'
import { agents, attachments, conversations, customers, deliveries, mailEvents, messages, settings, suppressions, webhookTokens } from '../schema.ts'
import type { DeliveryStatus, JsonValue } from '../values.ts'

// Queries of the two-way e-mail path: inbound webhooks, threading, agents'
// e-mail replies, delivery events and suppressions.

/** A customer row. */
export type CustomerRow = typeof customers.$inferSelect
/** A conversation row. */
export type ConversationRow = typeof conversations.$inferSelect
/** A message row. */
export type MessageRow = typeof messages.$inferSelect
/** An attachment row. */
export type AttachmentRow = typeof attachments.$inferSelect
/** A delivery row. */
export type DeliveryRow = typeof deliveries.$inferSelect
/** A suppression row. */
export type SuppressionRow = typeof suppressions.$inferSelect

/** The fingerprint a webhook token was first accepted with, or undefined when it is new. */
export function findWebhookToken(db: DbOrTx, token: string): { kind: string; fingerprint: string | null } | undefined {
  return db.select({ kind: webhookTokens.kind, fingerprint: webhookTokens.fingerprint }).from(webhookTokens).where(eq(webhookTokens.token, token)).get()
}

/** Remembers a webhook token; written in the same transaction as what it delivered, so a failed attempt doesn't burn it. */
export function insertWebhookToken(db: DbOrTx, row: typeof webhookTokens.$inferInsert): void {
  db.insert(webhookTokens).values(row).onConflictDoNothing().run()
}

/** Messages whose RFC Message-Id is one of `rfcIds`. */
export function findMessagesByRfcIds(db: DbOrTx, rfcIds: readonly string[]): Pick<MessageRow, 'id' | 'conversationId' | 'rfcMessageId'>[] {
  if (rfcIds.length === 0) return []
  return db
    .select({ id: messages.id, conversationId: messages.conversationId, rfcMessageId: messages.rfcMessageId })
    .from(messages)
    .where(inArray(messages.rfcMessageId, [...rfcIds]))
    .all()
}

/** Deliveries (our outbound mail) whose Message-Id is one of `rfcIds`, with their conversation. */
export function findDeliveriesByRfcIds(
  db: DbOrTx,
  rfcIds: readonly string[],
): Array<Pick<DeliveryRow, 'id' | 'rfcMessageId' | 'recipientType' | 'recipientId'> & { conversationId: string }> {
  if (rfcIds.length === 0) return []
  return db
    .select({
      id: deliveries.id,
      rfcMessageId: deliveries.rfcMessageId,
      recipientType: deliveries.recipientType,
      recipientId: deliveries.recipientId,
      conversationId: messages.conversationId,
    })
    .from(deliveries)
    .innerJoin(messages, eq(messages.id, deliveries.messageId))
    .where(inArray(deliveries.rfcMessageId, [...rfcIds]))
    .all()
}

/** A customer by (lower-cased) e-mail. */
export function findCustomerByEmail(db: DbOrTx, email: string): CustomerRow | undefined {
  return db.select().from(customers).where(eq(customers.email, email.toLowerCase())).get()
}

/** A customer by id. */
export function findCustomerById(db: DbOrTx, id: string): CustomerRow | undefined {
  return db.select().from(customers).where(eq(customers.id, id)).get()
}

/** Inserts a customer; `email` is stored lower-cased. */
export function insertCustomer(db: DbOrTx, row: typeof customers.$inferInsert): void {
  db.insert(customers).values({ ...row, email: row.email?.toLowerCase() ?? null }).run()
}

/** A conversation by id. */
export function findConversationById(db: DbOrTx, id: string): ConversationRow | undefined {
  return db.select().from(conversations).where(eq(conversations.id, id)).get()
}

/** Inserts a conversation. */
export function insertConversation(db: DbOrTx, row: typeof conversations.$inferInsert): void {
  db.insert(conversations).values(row).run()
}

/** Records new activity on a conversation and reopens it. */
export function touchConversation(db: DbOrTx, id: string, now: string): void {
  db.update(conversations).set({ lastMessageAt: now, updatedAt: now, status: 'open' }).where(eq(conversations.id, id)).run()
}

/** Inserts a message. */
export function insertMessage(db: DbOrTx, row: typeof messages.$inferInsert): void {
  db.insert(messages).values(row).run()
}

/** A message by id. */
export function findMessageById(db: DbOrTx, id: string): MessageRow | undefined {
  return db.select().from(messages).where(eq(messages.id, id)).get()
}

/** Inserts attachment rows. */
export function insertAttachments(db: DbOrTx, rows: (typeof attachments.$inferInsert)[]): void {
  if (rows.length > 0) db.insert(attachments).values(rows).run()
}

/** An attachment by id. */
export function findAttachment(db: DbOrTx, id: string): AttachmentRow | undefined {
  return db.select().from(attachments).where(eq(attachments.id, id)).get()
}

/** Attachments of messages, oldest first. */
export function listAttachmentsOfMessages(db: DbOrTx, messageIds: readonly string[]): AttachmentRow[] {
  if (messageIds.length === 0) return []
  return db.select().from(attachments).where(inArray(attachments.messageId, [...messageIds])).orderBy(asc(attachments.id)).all()
}

/** The agent with this (lower-cased) e-mail. */
export function findAgentByEmail(db: DbOrTx, email: string): typeof agents.$inferSelect | undefined {
  return db.select().from(agents).where(eq(agents.email, email.toLowerCase())).get()
}

/** How many agents are online (none: `message.offline` flows run). */
export function countOnlineAgents(db: DbOrTx): number {
  return db.select({ n: count() }).from(agents).where(eq(agents.status, 'online')).get()?.n ?? 0
}

/**
 * The mail of a conversation in order, for threading an answer: each message's
 * own Message-Id and the Message-Ids of our deliveries of it to the customer.
 */
export function conversationMailIds(db: DbOrTx, conversationId: string): Array<{ direction: 'in' | 'out'; rfcMessageId: string; createdAt: string }> {
  const inbound = db
    .select({ direction: messages.direction, rfcMessageId: messages.rfcMessageId, createdAt: messages.createdAt, authorType: messages.authorType })
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, 'in')))
    .all()
  const outbound = db
    .select({ rfcMessageId: deliveries.rfcMessageId, createdAt: deliveries.createdAt })
    .from(deliveries)
    .innerJoin(messages, eq(messages.id, deliveries.messageId))
    .where(and(eq(messages.conversationId, conversationId), eq(deliveries.recipientType, 'customer')))
    .all()
  return [
    ...inbound.flatMap((row) => (row.rfcMessageId && row.authorType === 'customer' ? [{ direction: 'in' as const, rfcMessageId: row.rfcMessageId, createdAt: row.createdAt }] : [])),
    ...outbound.map((row) => ({ direction: 'out' as const, rfcMessageId: row.rfcMessageId, createdAt: row.createdAt })),
  ].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
}

/** Inserts a delivery. */
export function insertDelivery(db: DbOrTx, row: typeof deliveries.$inferInsert): void {
  db.insert(deliveries).values(row).run()
}

/** Records that deliveries reached the queue. */
export function markDeliveriesEnqueued(db: DbOrTx, ids: readonly string[], now: string): void {
  if (ids.length === 0) return
  db.update(deliveries).set({ enqueuedAt: now }).where(and(inArray(deliveries.id, [...ids]), eq(deliveries.status, 'queued'))).run()
}

/** A delivery found by our Message-Id or, failing that, by the provider's id. */
export function findDeliveryForEvent(db: DbOrTx, rfcMessageId: string): DeliveryRow | undefined {
  return (
    db.select().from(deliveries).where(eq(deliveries.rfcMessageId, rfcMessageId)).get() ??
    db.select().from(deliveries).where(eq(deliveries.providerId, rfcMessageId)).get()
  )
}

/** Updates a delivery's columns. */
export function updateDelivery(db: DbOrTx, id: string, patch: Partial<Omit<typeof deliveries.$inferInsert, 'id'>>): void {
  db.update(deliveries).set(patch).where(eq(deliveries.id, id)).run()
}

/** Mirrors an outbound message's delivery status on the message. */
export function setMessageDeliveryStatus(db: DbOrTx, messageId: string, status: DeliveryStatus): void {
  db.update(messages).set({ deliveryStatus: status }).where(eq(messages.id, messageId)).run()
}

/** How many mails to `address` were created since `since` and not held back (suppressed). */
export function countRecentDeliveriesTo(db: DbOrTx, address: string, since: string): number {
  return (
    db
      .select({ n: count() })
      .from(deliveries)
      .where(and(eq(deliveries.address, address.toLowerCase()), gte(deliveries.createdAt, since), ne(deliveries.status, 'suppressed')))
      .get()?.n ?? 0
  )
}

/** Records a Mailgun event once; false when its id was already recorded. */
export function insertMailEvent(db: DbOrTx, row: typeof mailEvents.$inferInsert): boolean {
  return db.insert(mailEvents).values(row).onConflictDoNothing().run().changes > 0
}

/** The suppression of an address, if any. */
export function findSuppression(db: DbOrTx, address: string): SuppressionRow | undefined {
  return db.select().from(suppressions).where(eq(suppressions.address, address.toLowerCase())).get()
}

/** Suppressions of several addresses. */
export function findSuppressions(db: DbOrTx, addresses: readonly string[]): SuppressionRow[] {
  if (addresses.length === 0) return []
  return db.select().from(suppressions).where(inArray(suppressions.address, addresses.map((address) => address.toLowerCase()))).all()
}

/** Every suppression, newest first. */
export function listSuppressions(db: DbOrTx): SuppressionRow[] {
  return db.select().from(suppressions).orderBy(asc(suppressions.createdAt)).all().reverse()
}

/**
 * Suppresses an address (keeping the first reason) and marks the customer with
 * that address, so the suppression shows where people look.
 */
export function suppressAddress(db: DbOrTx, address: string, reason: string, now: string): void {
  const lower = address.toLowerCase()
  db.insert(suppressions).values({ address: lower, reason, createdAt: now }).onConflictDoNothing().run()
  db.update(customers).set({ suppressedAt: now, suppressionReason: reason, updatedAt: now }).where(eq(customers.email, lower)).run()
}

/** Lifts a suppression; false when the address wasn't suppressed. */
export function liftSuppression(db: DbOrTx, address: string, now: string): boolean {
  const lower = address.toLowerCase()
  const removed = db.delete(suppressions).where(eq(suppressions.address, lower)).run().changes > 0
  if (removed) db.update(customers).set({ suppressedAt: null, suppressionReason: null, updatedAt: now }).where(eq(customers.email, lower)).run()
  return removed
}

/** The JSON value of a setting, or undefined when unset. */
export function mailSettingValue(db: DbOrTx, key: string): JsonValue | undefined {
  return db.select({ value: settings.value }).from(settings).where(eq(settings.key, key)).get()?.value
}

/**
 * The secret our Message-Ids and reply addresses are signed with: `candidate`
 * the first time (stored), the stored one ever after, so threading survives restarts.
 */
export function ensureMailIdSecret(db: DbOrTx, candidate: string, now: string): string {
  db.insert(settings).values({ key: MAIL_ID_SECRET_KEY, value: candidate, updatedAt: now }).onConflictDoNothing().run()
  const stored = mailSettingValue(db, MAIL_ID_SECRET_KEY)
  if (typeof stored !== 'string') throw new Error(`setting ${MAIL_ID_SECRET_KEY} is not a string`)
  return stored
}

/** Settings key of the id-signing secret (never shown by the API). */
export const MAIL_ID_SECRET_KEY = 'mail-id-secret'
