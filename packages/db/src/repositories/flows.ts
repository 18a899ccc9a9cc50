import type { FlowTrigger } from '@replyflow/flow'
import { and, desc, eq, getTableColumns, inArray, max, ne, sql } from 'drizzle-orm'
import type { DbOrTx } from '../client.ts'
import { inJsonArray, preparedQuery } from '../prepared.ts'
import { flows, flowVersions } from '../schema.ts'

/** A flow row. */
export type FlowRow = typeof flows.$inferSelect
/** A flow with the number of its active version. */
export type FlowWithVersion = FlowRow & { activeVersion: number | null }
/** A version row. */
export type FlowVersionRow = typeof flowVersions.$inferSelect
/** A version without its definition, for lists. */
export type FlowVersionSummary = Omit<FlowVersionRow, 'definition'>

const flowWithVersion = { ...getTableColumns(flows), activeVersion: flowVersions.version }

/** Inserts a flow. */
export function insertFlow(db: DbOrTx, row: typeof flows.$inferInsert): void {
  db.insert(flows).values(row).run()
}

const flowByIdQuery = preparedQuery((db) =>
  db
    .select(flowWithVersion)
    .from(flows)
    .leftJoin(flowVersions, eq(flowVersions.id, flows.activeVersionId))
    .where(eq(flows.id, sql.placeholder('id')))
    .prepare(),
)

/** A flow with its active version's number. */
export function findFlow(db: DbOrTx, id: string): FlowWithVersion | undefined {
  return flowByIdQuery(db).get({ id })
}

/** Every flow, oldest first (the order the admin created them). */
export function listFlows(db: DbOrTx): FlowWithVersion[] {
  return db.select(flowWithVersion).from(flows).leftJoin(flowVersions, eq(flowVersions.id, flows.activeVersionId)).orderBy(flows.id).all()
}

/** Updates a flow's columns. */
export function updateFlow(db: DbOrTx, id: string, patch: Partial<Omit<typeof flows.$inferInsert, 'id'>>): void {
  db.update(flows).set(patch).where(eq(flows.id, id)).run()
}

/** Deletes a flow with its versions and runs; false when there is none. */
export function deleteFlow(db: DbOrTx, id: string): boolean {
  // The flow points at its active version and the versions at the flow: unhook first.
  db.update(flows).set({ activeVersionId: null }).where(eq(flows.id, id)).run()
  return db.delete(flows).where(eq(flows.id, id)).run().changes > 0
}

/** Enabled flows serving a trigger, other than `exceptId`. */
export function enabledFlowsWithTrigger(db: DbOrTx, trigger: FlowTrigger, exceptId: string): { id: string; name: string }[] {
  return db
    .select({ id: flows.id, name: flows.name })
    .from(flows)
    .where(and(eq(flows.trigger, trigger), eq(flows.enabled, true), ne(flows.id, exceptId)))
    .all()
}

/** Disables flows by id. */
export function disableFlows(db: DbOrTx, ids: readonly string[], now: string): void {
  if (ids.length === 0) return
  db.update(flows).set({ enabled: false, updatedAt: now }).where(inArray(flows.id, [...ids])).run()
}

/** The number the next version of a flow gets. */
export function nextVersionNumber(db: DbOrTx, flowId: string): number {
  return (db.select({ n: max(flowVersions.version) }).from(flowVersions).where(eq(flowVersions.flowId, flowId)).get()?.n ?? 0) + 1
}

/** Inserts an immutable version. */
export function insertVersion(db: DbOrTx, row: typeof flowVersions.$inferInsert): void {
  db.insert(flowVersions).values(row).run()
}

/** A flow's versions without definitions, newest first. */
export function listVersions(db: DbOrTx, flowId: string): FlowVersionSummary[] {
  const { definition: _definition, ...columns } = getTableColumns(flowVersions)
  return db.select(columns).from(flowVersions).where(eq(flowVersions.flowId, flowId)).orderBy(desc(flowVersions.version)).all()
}

/** One version of a flow by its number. */
export function findVersion(db: DbOrTx, flowId: string, version: number): FlowVersionRow | undefined {
  return db
    .select()
    .from(flowVersions)
    .where(and(eq(flowVersions.flowId, flowId), eq(flowVersions.version, version)))
    .get()
}

/** A version by id. */
export function findVersionById(db: DbOrTx, id: string): FlowVersionRow | undefined {
  return db.select().from(flowVersions).where(eq(flowVersions.id, id)).get()
}

const versionsByIdsQuery = preparedQuery((db) => db.select().from(flowVersions).where(inJsonArray(flowVersions.id, 'ids')).prepare())

/** Versions by id (for workers' batched claims). */
export function findVersionsByIds(db: DbOrTx, ids: readonly string[]): FlowVersionRow[] {
  if (ids.length === 0) return []
  return versionsByIdsQuery(db).all({ ids: JSON.stringify(ids) })
}

const activeFlowsQuery = preparedQuery((db) =>
  db
    .select({ id: flows.id, activeVersionId: flows.activeVersionId, channel: flows.channel })
    .from(flows)
    .where(and(eq(flows.trigger, sql.placeholder('trigger')), eq(flows.enabled, true)))
    .prepare(),
)

/** Enabled flows with an active version serving a trigger (what inbound mail starts). */
export function activeFlowsForTrigger(db: DbOrTx, trigger: FlowTrigger): { id: string; activeVersionId: string; channel: FlowRow['channel'] }[] {
  return activeFlowsQuery(db)
    .all({ trigger })
    .flatMap((row) => (row.activeVersionId ? [{ id: row.id, activeVersionId: row.activeVersionId, channel: row.channel }] : []))
}
