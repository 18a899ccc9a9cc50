import {
  deleteAgent,
  deleteUser,
  findAgent,
  findAgentByEmail,
  findSuppression,
  findSuppressions,
  findUser,
  findUserForLogin,
  insertAgent,
  insertUser,
  newId,
  updateAgent,
  type AgentRow,
  type AgentStatus,
  type SuppressionRow,
  type DbOrTx,
} from '@replyflow/db'
import { hashPassword } from '../auth/password.ts'
import type { AppDeps } from '../deps.ts'
import { conflict, notFound } from '../errors.ts'

type Deps = Pick<AppDeps, 'db' | 'now'>

/** An agent as the API shows it: with the suppression of their address, if mail to them is held back. */
export type AgentView = AgentRow & { suppression: { reason: string; since: string } | null }

function toView(agent: AgentRow, suppression: SuppressionRow | undefined): AgentView {
  return { ...agent, suppression: suppression ? { reason: suppression.reason, since: suppression.createdAt } : null }
}

/** Agents with their addresses' suppressions (one query for all of them). */
export function withSuppressions(db: DbOrTx, agents: readonly AgentRow[]): AgentView[] {
  const byAddress = new Map(findSuppressions(db, agents.map((agent) => agent.email)).map((row) => [row.address, row]))
  return agents.map((agent) => toView(agent, byAddress.get(agent.email.toLowerCase())))
}

/** One agent with their suppression. */
export function agentView(db: DbOrTx, agent: AgentRow): AgentView {
  return toView(agent, findSuppression(db, agent.email))
}

/** The agent, or 404. */
export function getAgent(db: DbOrTx, id: string): AgentRow {
  const agent = findAgent(db, id)
  if (!agent) throw notFound('agent', id)
  return agent
}

function emailTaken(email: string): Error {
  return conflict('API_AGENT_EMAIL_TAKEN', `an agent with e-mail ${email} already exists`)
}

/**
 * Adds an agent. With a password, the agent also gets a login (role `agent`)
 * linked to them; an existing user with that e-mail is linked instead.
 */
export async function createAgent(
  deps: Deps,
  input: { name: string; email: string; phone?: string | null; status?: AgentStatus; password?: string },
): Promise<AgentRow> {
  // Hash outside the transaction: scrypt is slow by design and must not hold the write lock.
  const passwordHash = input.password ? await hashPassword(input.password) : null
  return deps.db.transaction((tx) => {
    if (findAgentByEmail(tx, input.email)) throw emailTaken(input.email)
    const nowMs = deps.now()
    const now = new Date(nowMs).toISOString()
    let userId = findUserForLogin(tx, input.email)?.id ?? null
    if (!userId && passwordHash) {
      userId = newId(nowMs)
      insertUser(tx, { id: userId, email: input.email, name: input.name, role: 'agent', passwordHash, now })
    }
    return insertAgent(tx, {
      id: newId(nowMs),
      name: input.name,
      email: input.email,
      phone: input.phone ?? null,
      status: input.status ?? 'offline',
      userId,
      createdAt: now,
      updatedAt: now,
    })
  })
}

/** Changes an agent's fields. */
export function updateAgentFields(
  deps: Deps,
  id: string,
  patch: { name?: string; email?: string; phone?: string | null; status?: AgentStatus },
): AgentRow {
  return deps.db.transaction((tx) => {
    getAgent(tx, id)
    if (patch.email) {
      const other = findAgentByEmail(tx, patch.email)
      if (other && other.id !== id) throw emailTaken(patch.email)
    }
    updateAgent(tx, id, { ...patch, updatedAt: new Date(deps.now()).toISOString() })
    return getAgent(tx, id)
  })
}

/**
 * Removes an agent, and with them their agent login and its sessions:
 * someone who left the team must not keep reading conversations or editing
 * customers. An admin who was also an agent keeps their admin login.
 */
export function removeAgent(deps: Deps, id: string): void {
  deps.db.transaction((tx) => {
    const agent = getAgent(tx, id)
    deleteAgent(tx, id)
    const login = agent.userId ? findUser(tx, agent.userId) : undefined
    if (login?.role === 'agent') deleteUser(tx, login.id)
  })
}
