import { and, asc, count, eq, gte, inArray, ne, sql } from 'drizzle-orm'
import type { DbOrTx } from '../client.ts'
import { inJsonArray, preparedQuery, preparedUpdate } from '../prepared.ts'
import { agents, attachments, conversations, customers, deliveries, mailEvents, messages, settings, suppressions, webhookTokens } from '../schema.ts'
import type { DeliveryStatus } from '@replyflow/queue'
import type { JsonValue } from '../values.ts'

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

/** JSON text for a JSON column, or NULL. */
function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value)
}

const webhookTokenQuery = preparedQuery((db) =>
  db
    .select({ kind: webhookTokens.kind, fingerprint: webhookTokens.fingerprint })
    .from(webhookTokens)
    .where(eq(webhookTokens.token, sql.placeholder('token')))
    .prepare(),
)

/** The fingerprint a webhook token was first accepted with, or undefined when it is new. */
export function findWebhookToken(db: DbOrTx, token: string): { kind: string; fingerprint: string | null } | undefined {
  return webhookTokenQuery(db).get({ token })
}

const insertWebhookTokenQuery = preparedQuery((db) =>
  db
    .insert(webhookTokens)
    .values({ token: sql.placeholder('token'), kind: sql.placeholder('kind'), fingerprint: sql.placeholder('fingerprint'), createdAt: sql.placeholder('createdAt') })
    .onConflictDoNothing()
    .prepare(),
)

/** Remembers a webhook token; written in the same transaction as what it delivered, so a failed attempt doesn't burn it. */
export function insertWebhookToken(db: DbOrTx, row: typeof webhookTokens.$inferInsert): void {
  insertWebhookTokenQuery(db).run({ token: row.token, kind: row.kind, fingerprint: row.fingerprint ?? null, createdAt: row.createdAt })
}

const messagesByRfcIdsQuery = preparedQuery((db) =>
  db
    .select({ id: messages.id, conversationId: messages.conversationId, rfcMessageId: messages.rfcMessageId })
    .from(messages)
    .where(inJsonArray(messages.rfcMessageId, 'rfcIds'))
    .prepare(),
)

/** Messages whose RFC Message-Id is one of `rfcIds`. */
export function findMessagesByRfcIds(db: DbOrTx, rfcIds: readonly string[]): Pick<MessageRow, 'id' | 'conversationId' | 'rfcMessageId'>[] {
  if (rfcIds.length === 0) return []
  return messagesByRfcIdsQuery(db).all({ rfcIds: JSON.stringify(rfcIds) })
}

const deliveriesByRfcIdsQuery = preparedQuery((db) =>
  db
    .select({
      id: deliveries.id,
      rfcMessageId: deliveries.rfcMessageId,
      recipientType: deliveries.recipientType,
      recipientId: deliveries.recipientId,
      conversationId: messages.conversationId,
    })
    .from(deliveries)
    .innerJoin(messages, eq(messages.id, deliveries.messageId))
    .where(inJsonArray(deliveries.rfcMessageId, 'rfcIds'))
    .prepare(),
)

/** Deliveries (our outbound mail) whose Message-Id is one of `rfcIds`, with their conversation. */
export function findDeliveriesByRfcIds(
  db: DbOrTx,
  rfcIds: readonly string[],
): Array<Pick<DeliveryRow, 'id' | 'rfcMessageId' | 'recipientType' | 'recipientId'> & { conversationId: string }> {
  if (rfcIds.length === 0) return []
  return deliveriesByRfcIdsQuery(db).all({ rfcIds: JSON.stringify(rfcIds) })
}

const customerByEmailQuery = preparedQuery((db) =>
  db
    .select()
    .from(customers)
    .where(eq(customers.email, sql.placeholder('email')))
    .prepare(),
)

/** A customer by (lower-cased) e-mail. */
export function findCustomerByEmail(db: DbOrTx, email: string): CustomerRow | undefined {
  return customerByEmailQuery(db).get({ email: email.toLowerCase() })
}

const customerByIdQuery = preparedQuery((db) =>
  db
    .select()
    .from(customers)
    .where(eq(customers.id, sql.placeholder('id')))
    .prepare(),
)

/** A customer by id. */
export function findCustomerById(db: DbOrTx, id: string): CustomerRow | undefined {
  return customerByIdQuery(db).get({ id })
}

const insertCustomerQuery = preparedQuery((db) =>
  db
    .insert(customers)
    .values({
      id: sql.placeholder('id'),
      name: sql.placeholder('name'),
      email: sql.placeholder('email'),
      phone: sql.placeholder('phone'),
      custom: sql`${sql.placeholder('custom')}`,
      suppressedAt: sql.placeholder('suppressedAt'),
      suppressionReason: sql.placeholder('suppressionReason'),
      createdAt: sql.placeholder('createdAt'),
      updatedAt: sql.placeholder('updatedAt'),
    })
    .prepare(),
)

/** Inserts a customer; `email` is stored lower-cased. */
export function insertCustomer(db: DbOrTx, row: typeof customers.$inferInsert): void {
  insertCustomerQuery(db).run({
    id: row.id,
    name: row.name ?? null,
    email: row.email?.toLowerCase() ?? null,
    phone: row.phone ?? null,
    custom: JSON.stringify(row.custom ?? {}),
    suppressedAt: row.suppressedAt ?? null,
    suppressionReason: row.suppressionReason ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  })
}

const conversationByIdQuery = preparedQuery((db) =>
  db
    .select()
    .from(conversations)
    .where(eq(conversations.id, sql.placeholder('id')))
    .prepare(),
)

/** A conversation by id. */
export function findConversationById(db: DbOrTx, id: string): ConversationRow | undefined {
  return conversationByIdQuery(db).get({ id })
}

const insertConversationQuery = preparedQuery((db) =>
  db
    .insert(conversations)
    .values({
      id: sql.placeholder('id'),
      customerId: sql.placeholder('customerId'),
      channel: sql.placeholder('channel'),
      subject: sql.placeholder('subject'),
      status: sql.placeholder('status'),
      lastMessageAt: sql.placeholder('lastMessageAt'),
      createdAt: sql.placeholder('createdAt'),
      updatedAt: sql.placeholder('updatedAt'),
    })
    .prepare(),
)

/** Inserts a conversation. */
export function insertConversation(db: DbOrTx, row: typeof conversations.$inferInsert): void {
  insertConversationQuery(db).run({
    id: row.id,
    customerId: row.customerId,
    channel: row.channel,
    subject: row.subject ?? null,
    status: row.status ?? 'open',
    lastMessageAt: row.lastMessageAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  })
}

const touchConversationQuery = preparedQuery((db) =>
  db
    .update(conversations)
    .set({ lastMessageAt: sql`${sql.placeholder('now')}`, updatedAt: sql`${sql.placeholder('now')}`, status: 'open' })
    .where(eq(conversations.id, sql.placeholder('id')))
    .prepare(),
)

/** Records new activity on a conversation and reopens it. */
export function touchConversation(db: DbOrTx, id: string, now: string): void {
  touchConversationQuery(db).run({ id, now })
}

const insertMessageQuery = preparedQuery((db) =>
  db
    .insert(messages)
    .values({
      id: sql.placeholder('id'),
      conversationId: sql.placeholder('conversationId'),
      direction: sql.placeholder('direction'),
      authorType: sql.placeholder('authorType'),
      authorId: sql.placeholder('authorId'),
      channel: sql.placeholder('channel'),
      subject: sql.placeholder('subject'),
      content: sql.placeholder('content'),
      fullText: sql.placeholder('fullText'),
      html: sql.placeholder('html'),
      rfcMessageId: sql.placeholder('rfcMessageId'),
      inReplyTo: sql.placeholder('inReplyTo'),
      references: sql`${sql.placeholder('references')}`,
      flags: sql`${sql.placeholder('flags')}`,
      deliveryStatus: sql.placeholder('deliveryStatus'),
      providerId: sql.placeholder('providerId'),
      createdAt: sql.placeholder('createdAt'),
    })
    .prepare(),
)

/** Inserts a message. */
export function insertMessage(db: DbOrTx, row: typeof messages.$inferInsert): void {
  insertMessageQuery(db).run({
    id: row.id,
    conversationId: row.conversationId,
    direction: row.direction,
    authorType: row.authorType,
    authorId: row.authorId ?? null,
    channel: row.channel,
    subject: row.subject ?? null,
    content: row.content,
    fullText: row.fullText ?? null,
    html: row.html ?? null,
    rfcMessageId: row.rfcMessageId ?? null,
    inReplyTo: row.inReplyTo ?? null,
    references: JSON.stringify(row.references ?? []),
    flags: JSON.stringify(row.flags ?? {}),
    deliveryStatus: row.deliveryStatus ?? null,
    providerId: row.providerId ?? null,
    createdAt: row.createdAt,
  })
}

const messageByIdQuery = preparedQuery((db) =>
  db
    .select()
    .from(messages)
    .where(eq(messages.id, sql.placeholder('id')))
    .prepare(),
)

/** A message by id. */
export function findMessageById(db: DbOrTx, id: string): MessageRow | undefined {
  return messageByIdQuery(db).get({ id })
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

const agentByEmailQuery = preparedQuery((db) =>
  db
    .select()
    .from(agents)
    .where(eq(agents.email, sql.placeholder('email')))
    .prepare(),
)

/** The agent with this (lower-cased) e-mail. */
export function findAgentByEmail(db: DbOrTx, email: string): typeof agents.$inferSelect | undefined {
  return agentByEmailQuery(db).get({ email: email.toLowerCase() })
}

const onlineAgentsQuery = preparedQuery((db) => db.select({ n: count() }).from(agents).where(eq(agents.status, 'online')).prepare())

/** How many agents are online (none: `message.offline` flows run). */
export function countOnlineAgents(db: DbOrTx): number {
  return onlineAgentsQuery(db).get()?.n ?? 0
}

const inboundMailIdsQuery = preparedQuery((db) =>
  db
    .select({ direction: messages.direction, rfcMessageId: messages.rfcMessageId, createdAt: messages.createdAt, authorType: messages.authorType })
    .from(messages)
    .where(and(eq(messages.conversationId, sql.placeholder('conversationId')), eq(messages.direction, 'in')))
    .prepare(),
)

const outboundMailIdsQuery = preparedQuery((db) =>
  db
    .select({ rfcMessageId: deliveries.rfcMessageId, createdAt: deliveries.createdAt })
    .from(deliveries)
    .innerJoin(messages, eq(messages.id, deliveries.messageId))
    .where(and(eq(messages.conversationId, sql.placeholder('conversationId')), eq(deliveries.recipientType, 'customer')))
    .prepare(),
)

/**
 * The mail of a conversation in order, for threading an answer: each message's
 * own Message-Id and the Message-Ids of our deliveries of it to the customer.
 */
export function conversationMailIds(db: DbOrTx, conversationId: string): Array<{ direction: 'in' | 'out'; rfcMessageId: string; createdAt: string }> {
  const inbound = inboundMailIdsQuery(db).all({ conversationId })
  const outbound = outboundMailIdsQuery(db).all({ conversationId })
  return [
    ...inbound.flatMap((row) => (row.rfcMessageId && row.authorType === 'customer' ? [{ direction: 'in' as const, rfcMessageId: row.rfcMessageId, createdAt: row.createdAt }] : [])),
    ...outbound.map((row) => ({ direction: 'out' as const, rfcMessageId: row.rfcMessageId, createdAt: row.createdAt })),
  ].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
}

const insertDeliveryQuery = preparedQuery((db) =>
  db
    .insert(deliveries)
    .values({
      id: sql.placeholder('id'),
      messageId: sql.placeholder('messageId'),
      runId: sql.placeholder('runId'),
      nodeId: sql.placeholder('nodeId'),
      recipientType: sql.placeholder('recipientType'),
      recipientId: sql.placeholder('recipientId'),
      address: sql.placeholder('address'),
      channel: sql.placeholder('channel'),
      status: sql.placeholder('status'),
      rfcMessageId: sql.placeholder('rfcMessageId'),
      providerId: sql.placeholder('providerId'),
      attempts: sql.placeholder('attempts'),
      lastError: sql`${sql.placeholder('lastError')}`,
      mail: sql`${sql.placeholder('mail')}`,
      enqueuedAt: sql.placeholder('enqueuedAt'),
      createdAt: sql.placeholder('createdAt'),
      updatedAt: sql.placeholder('updatedAt'),
      sentAt: sql.placeholder('sentAt'),
      deliveredAt: sql.placeholder('deliveredAt'),
    })
    .prepare(),
)

/** Inserts a delivery. */
export function insertDelivery(db: DbOrTx, row: typeof deliveries.$inferInsert): void {
  insertDeliveryQuery(db).run({
    id: row.id,
    messageId: row.messageId,
    runId: row.runId ?? null,
    nodeId: row.nodeId ?? null,
    recipientType: row.recipientType,
    recipientId: row.recipientId,
    address: row.address,
    channel: row.channel,
    status: row.status,
    rfcMessageId: row.rfcMessageId,
    providerId: row.providerId ?? null,
    attempts: row.attempts ?? 0,
    lastError: json(row.lastError),
    mail: JSON.stringify(row.mail),
    enqueuedAt: row.enqueuedAt ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    sentAt: row.sentAt ?? null,
    deliveredAt: row.deliveredAt ?? null,
  })
}

const markDeliveriesEnqueuedQuery = preparedQuery((db) =>
  db
    .update(deliveries)
    .set({ enqueuedAt: sql`${sql.placeholder('now')}` })
    // Unary `+`: look the deliveries up by id; an index on status would have SQLite scan every queued one.
    .where(and(inJsonArray(deliveries.id, 'ids'), sql`+${deliveries.status} = 'queued'`))
    .prepare(),
)

/** Records that deliveries reached the queue. */
export function markDeliveriesEnqueued(db: DbOrTx, ids: readonly string[], now: string): void {
  if (ids.length === 0) return
  markDeliveriesEnqueuedQuery(db).run({ ids: JSON.stringify(ids), now })
}

/** A delivery found by our Message-Id or, failing that, by the provider's id. */
export function findDeliveryForEvent(db: DbOrTx, rfcMessageId: string): DeliveryRow | undefined {
  return (
    db.select().from(deliveries).where(eq(deliveries.rfcMessageId, rfcMessageId)).get() ??
    db.select().from(deliveries).where(eq(deliveries.providerId, rfcMessageId)).get()
  )
}

const deliveryUpdate = preparedUpdate(deliveries, deliveries.id)

/** Updates a delivery's columns. */
export function updateDelivery(db: DbOrTx, id: string, patch: Partial<Omit<typeof deliveries.$inferInsert, 'id'>>): void {
  deliveryUpdate(db, id, patch)
}

const messageDeliveryStatusQuery = preparedQuery((db) =>
  db
    .update(messages)
    .set({ deliveryStatus: sql`${sql.placeholder('status')}` })
    .where(eq(messages.id, sql.placeholder('id')))
    .prepare(),
)

/** Mirrors an outbound message's delivery status on the message. */
export function setMessageDeliveryStatus(db: DbOrTx, messageId: string, status: DeliveryStatus): void {
  messageDeliveryStatusQuery(db).run({ id: messageId, status })
}

const recentDeliveriesToQuery = preparedQuery((db) =>
  db
    .select({ n: count() })
    .from(deliveries)
    .where(and(eq(deliveries.address, sql.placeholder('address')), gte(deliveries.createdAt, sql.placeholder('since')), ne(deliveries.status, 'suppressed')))
    .prepare(),
)

/** How many mails to `address` were created since `since` and not held back (suppressed). */
export function countRecentDeliveriesTo(db: DbOrTx, address: string, since: string): number {
  return recentDeliveriesToQuery(db).get({ address: address.toLowerCase(), since })?.n ?? 0
}

/** Records a Mailgun event once; false when its id was already recorded. */
export function insertMailEvent(db: DbOrTx, row: typeof mailEvents.$inferInsert): boolean {
  return db.insert(mailEvents).values(row).onConflictDoNothing().run().changes > 0
}

const suppressionQuery = preparedQuery((db) =>
  db
    .select()
    .from(suppressions)
    .where(eq(suppressions.address, sql.placeholder('address')))
    .prepare(),
)

/** The suppression of an address, if any. */
export function findSuppression(db: DbOrTx, address: string): SuppressionRow | undefined {
  return suppressionQuery(db).get({ address: address.toLowerCase() })
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

const settingValueQuery = preparedQuery((db) =>
  db
    .select({ value: settings.value })
    .from(settings)
    .where(eq(settings.key, sql.placeholder('key')))
    .prepare(),
)

/** The JSON value of a setting, or undefined when unset. */
export function mailSettingValue(db: DbOrTx, key: string): JsonValue | undefined {
  return settingValueQuery(db).get({ key })?.value
}

/** Settings key of the id-signing secret (never shown by the API). */
export const MAIL_ID_SECRET_KEY = 'mail-id-secret'
