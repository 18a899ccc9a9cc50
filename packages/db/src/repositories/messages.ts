import { and, asc, desc, eq } from 'drizzle-orm'
import type { DbOrTx } from '../client.ts'
import { messages } from '../schema.ts'

type MessageRow = typeof messages.$inferSelect

/** A conversation's messages, oldest first. */
export function listMessages(db: DbOrTx, conversationId: string): MessageRow[] {
  return db.select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(asc(messages.createdAt), asc(messages.id)).all()
}

/** The customer's latest message in a conversation: its channel is where answers go. */
export function latestInboundMessage(db: DbOrTx, conversationId: string): MessageRow | undefined {
  return db
    .select()
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, 'in')))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .get()
}

