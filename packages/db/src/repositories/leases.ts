import { and, asc, eq, inArray, isNull, lt, or } from 'drizzle-orm'
import type { DbOrTx } from '../client.ts'
import { deliveries, runs } from '../schema.ts'

// Work a worker claimed and never finished: runs still `running`, deliveries
// still `sending` (or `retrying`) long after their claim, which the API's lease
// recovery hands to the queue again (docs/internals.md, "The dispatcher").

/** Statuses of deliveries a worker holds: claimed for sending, or between attempts. */
const HELD_DELIVERY_STATUSES = ['sending', 'retrying'] as const

/**
 * Runs `running` since before `leaseBefore` (ISO) and not handed over since:
 * their worker may be gone. Oldest first.
 */
export function runsPastLease(db: DbOrTx, leaseBefore: string, limit: number): string[] {
  return db
    .select({ id: runs.id })
    .from(runs)
    .where(
      and(
        eq(runs.status, 'running'),
        or(isNull(runs.startedAt), lt(runs.startedAt, leaseBefore)),
        or(isNull(runs.enqueuedAt), lt(runs.enqueuedAt, leaseBefore)),
      ),
    )
    .orderBy(asc(runs.id))
    .limit(limit)
    .all()
    .map((row) => row.id)
}

/** Records that `running` runs were handed to the queue again at `now`, so the next lease starts there. */
export function markRunsRehanded(db: DbOrTx, ids: readonly string[], now: string): void {
  if (ids.length === 0) return
  db.update(runs).set({ enqueuedAt: now }).where(and(inArray(runs.id, [...ids]), eq(runs.status, 'running'))).run()
}

/**
 * Deliveries `sending` or `retrying` whose last change is older than
 * `leaseBefore` and not handed over since. Oldest first.
 */
export function deliveriesPastLease(db: DbOrTx, leaseBefore: string, limit: number): string[] {
  return db
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(
      and(
        inArray(deliveries.status, [...HELD_DELIVERY_STATUSES]),
        lt(deliveries.updatedAt, leaseBefore),
        or(isNull(deliveries.enqueuedAt), lt(deliveries.enqueuedAt, leaseBefore)),
      ),
    )
    .orderBy(asc(deliveries.id))
    .limit(limit)
    .all()
    .map((row) => row.id)
}

/** Records that held deliveries were handed to the queue again at `now`. */
export function markDeliveriesRehanded(db: DbOrTx, ids: readonly string[], now: string): void {
  if (ids.length === 0) return
  db.update(deliveries)
    .set({ enqueuedAt: now })
    .where(and(inArray(deliveries.id, [...ids]), inArray(deliveries.status, [...HELD_DELIVERY_STATUSES])))
    .run()
}
