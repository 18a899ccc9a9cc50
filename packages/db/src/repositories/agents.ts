import type { AgentSnapshot } from '@replyflow/flow'
import { asc, eq } from 'drizzle-orm'
import type { DbOrTx } from '../client.ts'
import { inJsonArray, preparedQuery } from '../prepared.ts'
import { agents } from '../schema.ts'

/** An agent row. */
export type AgentRow = typeof agents.$inferSelect

/** Inserts an agent; `email` is stored lower-cased. */
export function insertAgent(db: DbOrTx, row: typeof agents.$inferInsert): AgentRow {
  return db
    .insert(agents)
    .values({ ...row, email: row.email.toLowerCase() })
    .returning()
    .get()
}

const listAgentsQuery = preparedQuery((db) => db.select().from(agents).orderBy(asc(agents.id)).prepare())

/** Every agent, oldest first. */
export function listAgents(db: DbOrTx): AgentRow[] {
  return listAgentsQuery(db).all()
}

/** An agent by id. */
export function findAgent(db: DbOrTx, id: string): AgentRow | undefined {
  return db.select().from(agents).where(eq(agents.id, id)).get()
}

const agentsByIdsQuery = preparedQuery((db) => db.select().from(agents).where(inJsonArray(agents.id, 'ids')).prepare())

/** Agents by id. */
export function findAgents(db: DbOrTx, ids: readonly string[]): AgentRow[] {
  if (ids.length === 0) return []
  return agentsByIdsQuery(db).all({ ids: JSON.stringify(ids) })
}

/** Updates an agent's columns. */
export function updateAgent(db: DbOrTx, id: string, patch: Partial<Omit<typeof agents.$inferInsert, 'id'>>): void {
  const email = patch.email === undefined ? {} : { email: patch.email.toLowerCase() }
  db.update(agents)
    .set({ ...patch, ...email })
    .where(eq(agents.id, id))
    .run()
}

/** Deletes an agent (their assignments go with them); false when there is none. */
export function deleteAgent(db: DbOrTx, id: string): boolean {
  return db.delete(agents).where(eq(agents.id, id)).run().changes > 0
}

/** Every agent as a run sees it. */
export function agentSnapshots(db: DbOrTx): AgentSnapshot[] {
  return listAgents(db).map((agent) => ({
    id: agent.id,
    name: agent.name,
    email: agent.email,
    phone: agent.phone,
    online: agent.status === 'online',
  }))
}
