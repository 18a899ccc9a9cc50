import { and, asc, desc, eq, exists, inArray, lt, notExists, or, sql } from 'drizzle-orm'
import type { DbOrTx } from '../client.ts'
import { inJsonArray, preparedQuery } from '../prepared.ts'
import { conversationAssignees, conversations } from '../schema.ts'
import type { ConversationStatus } from '../values.ts'

type ConversationRow = typeof conversations.$inferSelect

/** Where a page of conversations continues: after this (lastMessageAt, id). */
export interface ConversationCursor {
  lastMessageAt: string
  id: string
}

/** The customer's most recent open conversation on a channel, to thread mail that carries no thread headers. */
export function findOpenConversation(db: DbOrTx, customerId: string, channel: ConversationRow['channel']): ConversationRow | undefined {
  return db
    .select()
    .from(conversations)
    .where(and(eq(conversations.customerId, customerId), eq(conversations.channel, channel), eq(conversations.status, 'open')))
    .orderBy(desc(conversations.lastMessageAt), desc(conversations.id))
    .get()
}

/** A page of conversations, most recently active first. */
export function listConversations(
  db: DbOrTx,
  options: {
    status?: ConversationStatus
    /** An agent id, or null for conversations assigned to nobody. */
    assigneeId?: string | null
    customerId?: string
    after?: ConversationCursor
    limit: number
  },
): ConversationRow[] {
  const { after, assigneeId } = options
  const assigned = (agentId?: string) =>
    db
      .select({ one: conversationAssignees.agentId })
      .from(conversationAssignees)
      .where(and(eq(conversationAssignees.conversationId, conversations.id), agentId ? eq(conversationAssignees.agentId, agentId) : undefined))
  return db
    .select()
    .from(conversations)
    .where(
      and(
        options.status ? eq(conversations.status, options.status) : undefined,
        options.customerId ? eq(conversations.customerId, options.customerId) : undefined,
        assigneeId === null ? notExists(assigned()) : assigneeId ? exists(assigned(assigneeId)) : undefined,
        after
          ? or(
              lt(conversations.lastMessageAt, after.lastMessageAt),
              and(eq(conversations.lastMessageAt, after.lastMessageAt), lt(conversations.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(conversations.lastMessageAt), desc(conversations.id))
    .limit(options.limit)
    .all()
}

/** Updates a conversation's columns. */
export function updateConversation(db: DbOrTx, id: string, patch: Partial<Omit<typeof conversations.$inferInsert, 'id'>>): void {
  db.update(conversations).set(patch).where(eq(conversations.id, id)).run()
}

const assigneesQuery = preparedQuery((db) =>
  db
    .select()
    .from(conversationAssignees)
    .where(inJsonArray(conversationAssignees.conversationId, 'ids'))
    .orderBy(asc(conversationAssignees.createdAt), asc(conversationAssignees.agentId))
    .prepare(),
)

/** Agent ids assigned to each of the conversations, in assignment order. */
export function assigneesOf(db: DbOrTx, conversationIds: readonly string[]): Map<string, string[]> {
  const byConversation = new Map<string, string[]>(conversationIds.map((id) => [id, []]))
  if (conversationIds.length === 0) return byConversation
  const rows = assigneesQuery(db).all({ ids: JSON.stringify(conversationIds) })
  for (const row of rows) byConversation.get(row.conversationId)?.push(row.agentId)
  return byConversation
}

const addAssigneeQuery = preparedQuery((db) =>
  db
    .insert(conversationAssignees)
    .values({ conversationId: sql.placeholder('conversationId'), agentId: sql.placeholder('agentId'), createdAt: sql.placeholder('createdAt') })
    .onConflictDoNothing()
    .prepare(),
)

/** Assigns agents to a conversation; already assigned ones stay as they are. */
export function addAssignees(db: DbOrTx, conversationId: string, agentIds: readonly string[], now: string): void {
  const insert = addAssigneeQuery(db)
  for (const agentId of agentIds) insert.run({ conversationId, agentId, createdAt: now })
}

/** Unassigns agents from a conversation. */
export function removeAssignees(db: DbOrTx, conversationId: string, agentIds: readonly string[]): void {
  if (agentIds.length === 0) return
  db.delete(conversationAssignees)
    .where(and(eq(conversationAssignees.conversationId, conversationId), inArray(conversationAssignees.agentId, [...agentIds])))
    .run()
}
