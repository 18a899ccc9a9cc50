import { and, asc, count, desc, eq, getTableColumns, isNull, lt, or, sql } from 'drizzle-orm'
import type { DbOrTx } from '../client.ts'
import { inJsonArray, preparedQuery, preparedUpdate } from '../prepared.ts'
import { conversations, customers, flows, flowVersions, idempotencyKeys, messages, runEffects, runs, runSteps } from '../schema.ts'
import type { RunStatus } from '@replyflow/queue'

/** A run row. */
export type RunRow = typeof runs.$inferSelect
/** A run with its pinned version's number (null for a dry run of a draft). */
export type RunWithVersion = RunRow & { version: number | null }
/** A recorded step. */
export type RunStepRow = typeof runSteps.$inferSelect

const runWithVersion = { ...getTableColumns(runs), version: flowVersions.version }

const insertRunQuery = preparedQuery((db) =>
  db
    .insert(runs)
    .values({
      id: sql.placeholder('id'),
      flowId: sql.placeholder('flowId'),
      versionId: sql.placeholder('versionId'),
      definition: sql`${sql.placeholder('definition')}`,
      dryRun: sql.placeholder('dryRun'),
      status: sql.placeholder('status'),
      trigger: sql.placeholder('trigger'),
      input: sql`${sql.placeholder('input')}`,
      context: sql`${sql.placeholder('context')}`,
      conversationId: sql.placeholder('conversationId'),
      messageId: sql.placeholder('messageId'),
      error: sql`${sql.placeholder('error')}`,
      effects: sql`${sql.placeholder('effects')}`,
      attempt: sql.placeholder('attempt'),
      retryOf: sql.placeholder('retryOf'),
      resume: sql`${sql.placeholder('resume')}`,
      enqueuedAt: sql.placeholder('enqueuedAt'),
      createdAt: sql.placeholder('createdAt'),
      startedAt: sql.placeholder('startedAt'),
      finishedAt: sql.placeholder('finishedAt'),
    })
    .prepare(),
)

/** JSON text for a JSON column, or NULL. */
function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value)
}

/** Inserts a run; callers write it `queued` in the same transaction as its cause. */
export function insertRun(db: DbOrTx, row: typeof runs.$inferInsert): void {
  insertRunQuery(db).run({
    id: row.id,
    flowId: row.flowId,
    versionId: row.versionId ?? null,
    definition: json(row.definition),
    dryRun: row.dryRun ? 1 : 0,
    status: row.status,
    trigger: row.trigger,
    input: JSON.stringify(row.input ?? {}),
    context: json(row.context),
    conversationId: row.conversationId ?? null,
    messageId: row.messageId ?? null,
    error: json(row.error),
    effects: json(row.effects),
    attempt: row.attempt ?? 1,
    retryOf: row.retryOf ?? null,
    resume: json(row.resume),
    enqueuedAt: row.enqueuedAt ?? null,
    createdAt: row.createdAt,
    startedAt: row.startedAt ?? null,
    finishedAt: row.finishedAt ?? null,
  })
}

/** What applying a run's report needs to know of it: not its input or context snapshot (large JSON). */
export type RunState = Pick<RunRow, 'id' | 'status' | 'dryRun' | 'conversationId' | 'messageId' | 'startedAt'>

const runStatesQuery = preparedQuery((db) =>
  db
    .select({ id: runs.id, status: runs.status, dryRun: runs.dryRun, conversationId: runs.conversationId, messageId: runs.messageId, startedAt: runs.startedAt })
    .from(runs)
    .where(inJsonArray(runs.id, 'ids'))
    .prepare(),
)

/** The state of runs by id, in no particular order. */
export function findRunStates(db: DbOrTx, ids: readonly string[]): RunState[] {
  if (ids.length === 0) return []
  return runStatesQuery(db).all({ ids: JSON.stringify(ids) })
}

/** A run with its version number. */
export function findRun(db: DbOrTx, id: string): RunWithVersion | undefined {
  return db.select(runWithVersion).from(runs).leftJoin(flowVersions, eq(flowVersions.id, runs.versionId)).where(eq(runs.id, id)).get()
}

const runsByIds = preparedQuery((db) => db.select().from(runs).where(inJsonArray(runs.id, 'ids')).prepare())

/** Runs by id, in no particular order. */
export function findRuns(db: DbOrTx, ids: readonly string[]): RunRow[] {
  if (ids.length === 0) return []
  return runsByIds(db).all({ ids: JSON.stringify(ids) })
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
    .leftJoin(flowVersions, eq(flowVersions.id, runs.versionId))
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

/** A run as the list of every flow's runs shows it: with its flow's name and its customer. */
export type RunListRow = RunWithVersion & {
  flowName: string
  /** Who wrote the run's message (or the conversation's customer); null for runs with no stored customer, e.g. dry runs. */
  customer: { id: string; name: string | null; email: string | null } | null
}

/** A page of the runs of every flow, newest first; `cursor` is the last id of the previous page. */
export function listRuns(db: DbOrTx, options: { status?: RunStatus; flowId?: string; cursor?: string; limit: number }): RunListRow[] {
  // The customer who wrote the run's message, else the conversation's (as a run's context reads it).
  const customerId = sql`coalesce(case when ${messages.authorType} = 'customer' then ${messages.authorId} end, ${conversations.customerId})`
  return db
    .select({ ...runWithVersion, flowName: flows.name, customerId: customers.id, customerName: customers.name, customerEmail: customers.email })
    .from(runs)
    .innerJoin(flows, eq(flows.id, runs.flowId))
    .leftJoin(flowVersions, eq(flowVersions.id, runs.versionId))
    .leftJoin(messages, eq(messages.id, runs.messageId))
    .leftJoin(conversations, eq(conversations.id, runs.conversationId))
    .leftJoin(customers, eq(customers.id, customerId))
    .where(
      and(
        options.flowId ? eq(runs.flowId, options.flowId) : undefined,
        options.status ? eq(runs.status, options.status) : undefined,
        options.cursor ? lt(runs.id, options.cursor) : undefined,
      ),
    )
    .orderBy(desc(runs.id))
    .limit(options.limit)
    .all()
    .map(({ customerId: id, customerName: name, customerEmail: email, ...run }) => ({ ...run, customer: id ? { id, name, email } : null }))
}

const runUpdate = preparedUpdate(runs, runs.id)

/** Updates a run's columns. */
export function updateRun(db: DbOrTx, id: string, patch: Partial<Omit<typeof runs.$inferInsert, 'id'>>): void {
  runUpdate(db, id, patch)
}

const markRunsEnqueuedQuery = preparedQuery((db) =>
  db
    .update(runs)
    .set({ enqueuedAt: sql`${sql.placeholder('now')}` })
    // Unary `+`: look the runs up by id; an index on status would have SQLite scan every queued run.
    .where(and(inJsonArray(runs.id, 'ids'), sql`+${runs.status} = 'queued'`))
    .prepare(),
)

/** Records that runs reached the queue. */
export function markRunsEnqueued(db: DbOrTx, ids: readonly string[], now: string): void {
  if (ids.length === 0) return
  markRunsEnqueuedQuery(db).run({ ids: JSON.stringify(ids), now })
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

const stepCountQuery = preparedQuery((db) =>
  db
    .select({ n: count() })
    .from(runSteps)
    .where(eq(runSteps.runId, sql.placeholder('runId')))
    .prepare(),
)

const insertStepQuery = preparedQuery((db) =>
  db
    .insert(runSteps)
    .values({
      runId: sql.placeholder('runId'),
      seq: sql.placeholder('seq'),
      nodeId: sql.placeholder('nodeId'),
      type: sql.placeholder('type'),
      result: sql.placeholder('result'),
      outputs: sql`${sql.placeholder('outputs')}`,
      error: sql`${sql.placeholder('error')}`,
      startedAt: sql.placeholder('startedAt'),
      finishedAt: sql.placeholder('finishedAt'),
    })
    .prepare(),
)

/** Appends steps to a run, numbering them after the existing ones. */
export function insertSteps(db: DbOrTx, runId: string, steps: readonly Omit<RunStepRow, 'runId' | 'seq'>[]): void {
  if (steps.length === 0) return
  const offset = stepCountQuery(db).get({ runId })?.n ?? 0
  const insert = insertStepQuery(db)
  steps.forEach((step, i) => {
    insert.run({
      runId,
      seq: offset + i,
      nodeId: step.nodeId,
      type: step.type,
      result: step.result,
      outputs: JSON.stringify(step.outputs),
      error: json(step.error),
      startedAt: step.startedAt,
      finishedAt: step.finishedAt,
    })
  })
}

const claimEffectQuery = preparedQuery((db) =>
  db
    .insert(runEffects)
    .values({
      runId: sql.placeholder('runId'),
      nodeId: sql.placeholder('nodeId'),
      type: sql.placeholder('type'),
      payload: sql`${sql.placeholder('payload')}`,
      appliedAt: sql.placeholder('appliedAt'),
    })
    .onConflictDoNothing()
    .prepare(),
)

/**
 * Records an effect as applied; false when (run, node) was already applied, in
 * which case the caller must not apply it again.
 */
export function claimEffect(db: DbOrTx, row: typeof runEffects.$inferInsert): boolean {
  return claimEffectQuery(db).run({ ...row, payload: JSON.stringify(row.payload) }).changes > 0
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
