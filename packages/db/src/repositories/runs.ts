import { and, asc, count, desc, eq, getTableColumns, inArray, isNull, lt, or } from 'drizzle-orm'
import type { DbOrTx } from '../client.ts'
import { flowVersions, idempotencyKeys, runEffects, runs, runSteps } from '../schema.ts'
import type { RunStatus } from '../values.ts'

/** A run row. */
export type RunRow = typeof runs.$inferSelect
/** A run with its pinned version's number. */
export type RunWithVersion = RunRow & { version: number }
/** A recorded step. */
export type RunStepRow = typeof runSteps.$inferSelect

const runWithVersion = { ...getTableColumns(runs), version: flowVersions.version }

/** Inserts a run; callers write it `queued` in the same transaction as its cause. */
export function insertRun(db: DbOrTx, row: typeof runs.$inferInsert): void {
  db.insert(runs).values(row).run()
}

/** A run with its version number. */
export function findRun(db: DbOrTx, id: string): RunWithVersion | undefined {
  return db.select(runWithVersion).from(runs).innerJoin(flowVersions, eq(flowVersions.id, runs.versionId)).where(eq(runs.id, id)).get()
}

/** Runs by id, in no particular order. */
export function findRuns(db: DbOrTx, ids: readonly string[]): RunRow[] {
  if (ids.length === 0) return []
  return db.select().from(runs).where(inArray(runs.id, [...ids])).all()
}

/** A page of a flow's runs, newest first; `cursor` is the last id of the previous page. */
export function listRunsOfFlow(
  db: DbOrTx,
  flowId: string,
  options: { status?: RunStatus; cursor?: string; limit: number },
): RunWithVersion[] {
  return db
    .select(runWithVersion)
    .from(runs)
    .innerJoin(flowVersions, eq(flowVersions.id, runs.versionId))
    .where(
      and(
        eq(runs.flowId, flowId),
        options.status ? eq(runs.status, options.status) : undefined,
        options.cursor ? lt(runs.id, options.cursor) : undefined,
      ),
    )
    .orderBy(desc(runs.id))
    .limit(options.limit)
    .all()
}

/** Updates a run's columns. */
export function updateRun(db: DbOrTx, id: string, patch: Partial<Omit<typeof runs.$inferInsert, 'id'>>): void {
  db.update(runs).set(patch).where(eq(runs.id, id)).run()
}

/** Records that runs reached the queue. */
export function markRunsEnqueued(db: DbOrTx, ids: readonly string[], now: string): void {
  if (ids.length === 0) return
  db.update(runs).set({ enqueuedAt: now }).where(and(inArray(runs.id, [...ids]), eq(runs.status, 'queued'))).run()
}

/**
 * Queued runs the dispatcher must (re-)hand to the queue: never enqueued, or
 * enqueued before `staleBefore` and still not claimed. Oldest first.
 */
export function runsToDispatch(db: DbOrTx, staleBefore: string, limit: number): string[] {
  return db
    .select({ id: runs.id })
    .from(runs)
    .where(and(eq(runs.status, 'queued'), or(isNull(runs.enqueuedAt), lt(runs.enqueuedAt, staleBefore))))
    .orderBy(asc(runs.id))
    .limit(limit)
    .all()
    .map((row) => row.id)
}

/** A run's steps in order. */
export function listSteps(db: DbOrTx, runId: string): RunStepRow[] {
  return db.select().from(runSteps).where(eq(runSteps.runId, runId)).orderBy(asc(runSteps.seq)).all()
}

/** Appends steps to a run, numbering them after the existing ones. */
export function insertSteps(db: DbOrTx, runId: string, steps: readonly Omit<RunStepRow, 'runId' | 'seq'>[]): void {
  if (steps.length === 0) return
  const offset = db.select({ n: count() }).from(runSteps).where(eq(runSteps.runId, runId)).get()?.n ?? 0
  db.insert(runSteps)
    .values(steps.map((step, i) => ({ ...step, runId, seq: offset + i })))
    .run()
}

/**
 * Records an effect as applied; false when (run, node) was already applied, in
 * which case the caller must not apply it again.
 */
export function claimEffect(db: DbOrTx, row: typeof runEffects.$inferInsert): boolean {
  return db.insert(runEffects).values(row).onConflictDoNothing().run().changes > 0
}

/** The run an `Idempotency-Key` already started, with the hash of the request that did. */
export function findIdempotencyKey(db: DbOrTx, scope: string, key: string): { runId: string; requestHash: string } | undefined {
  return db
    .select({ runId: idempotencyKeys.runId, requestHash: idempotencyKeys.requestHash })
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)))
    .get()
}

/** Remembers which run an `Idempotency-Key` started. */
export function insertIdempotencyKey(db: DbOrTx, row: typeof idempotencyKeys.$inferInsert): void {
  db.insert(idempotencyKeys).values(row).run()
}
