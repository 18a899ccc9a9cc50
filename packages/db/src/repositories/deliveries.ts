import { and, asc, desc, eq, inArray, isNull, lt, or } from 'drizzle-orm'
import type { DbOrTx } from '../client.ts'
import { inJsonArray, preparedQuery } from '../prepared.ts'
import { deliveries } from '../schema.ts'

type DeliveryRow = typeof deliveries.$inferSelect

const deliveriesByIdsQuery = preparedQuery((db) => db.select().from(deliveries).where(inJsonArray(deliveries.id, 'ids')).prepare())

/** Deliveries by id. */
export function findDeliveries(db: DbOrTx, ids: readonly string[]): DeliveryRow[] {
  if (ids.length === 0) return []
  return deliveriesByIdsQuery(db).all({ ids: JSON.stringify(ids) })
}

/**
 * Queued deliveries the dispatcher must (re-)hand to the queue: never enqueued,
 * or enqueued before `staleBefore` and still not claimed. Oldest first.
 */
export function deliveriesToDispatch(db: DbOrTx, staleBefore: string, limit: number): string[] {
  return db
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.status, 'queued'),
        or(isNull(deliveries.enqueuedAt), lt(deliveries.enqueuedAt, staleBefore)),
      ),
    )
    .orderBy(asc(deliveries.id))
    .limit(limit)
    .all()
    .map((row) => row.id)
}

/** Deliveries of messages, newest first per message. */
export function deliveriesOfMessages(db: DbOrTx, messageIds: readonly string[]): Map<string, DeliveryRow[]> {
  const byMessage = new Map<string, DeliveryRow[]>()
  if (messageIds.length === 0) return byMessage
  const rows = db.select().from(deliveries).where(inArray(deliveries.messageId, [...messageIds])).orderBy(desc(deliveries.id)).all()
  for (const row of rows) byMessage.set(row.messageId, [...(byMessage.get(row.messageId) ?? []), row])
  return byMessage
}

