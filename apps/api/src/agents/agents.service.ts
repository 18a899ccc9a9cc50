import {
  deleteAgent,
  deleteSessionsOfUser,
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
  updatePasswordHash,
  updateUserIdentity,
  type AgentRow,
  type AgentStatus,
  type SuppressionRow,
  type DbOrTx,
} from '@replyflow/db'
import { hashPassword } from '../auth/password.ts'
import type { AppDeps } from '../deps.ts'
import { conflict, forbidden, notFound } from '../errors.ts'

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

function loginEmailTaken(email: string): Error {
  return conflict('API_LOGIN_EMAIL_TAKEN', `another login already has the e-mail ${email}`)
}

/**
 * Changes an agent's fields. The agent's own login (role `agent`) follows a new
 * e-mail and name, so they keep logging in with the address the team sees.
 * With `password`, the agent gets a login if they had none, or their login a
 * new password with its sessions ended; an admin's login is theirs to change
 * (`auth/password`, `pnpm reset-password`), never through their agent.
 */
export async function updateAgentFields(
  deps: Deps,
  id: string,
  patch: { name?: string; email?: string; phone?: string | null; status?: AgentStatus; password?: string },
): Promise<AgentRow> {
  const { password, ...fields } = patch
  // Hash outside the transaction: scrypt is slow by design and must not hold the write lock.
  const passwordHash = password === undefined ? null : await hashPassword(password)
  return deps.db.transaction((tx) => {
    const agent = getAgent(tx, id)
    if (fields.email) {
      const other = findAgentByEmail(tx, fields.email)
      if (other && other.id !== id) throw emailTaken(fields.email)
    }
    const email = (fields.email ?? agent.email).toLowerCase()
    const name = fields.name ?? agent.name
    const login = agent.userId ? findUser(tx, agent.userId) : undefined
    if (login?.role === 'admin' && passwordHash) throw forbidden("an admin's password is changed by that admin (or with pnpm reset-password), not through their agent")
    // The agent's own login (or the one made now) goes by the agent's e-mail: no other login may have it.
    const ownLogin = login?.role === 'agent' ? login : undefined
    if ((ownLogin && fields.email) || (!login && passwordHash)) {
      const owner = findUserForLogin(tx, email)
      if (owner && owner.id !== ownLogin?.id) throw loginEmailTaken(email)
    }
    const nowMs = deps.now()
    const now = new Date(nowMs).toISOString()
    let userId = agent.userId
    if (ownLogin) {
      if (fields.email !== undefined || fields.name !== undefined) updateUserIdentity(tx, ownLogin.id, { email, name }, now)
      if (passwordHash) {
        updatePasswordHash(tx, ownLogin.id, passwordHash, now)
        deleteSessionsOfUser(tx, ownLogin.id, null)
      }
    } else if (!login && passwordHash) {
      userId = newId(nowMs)
      insertUser(tx, { id: userId, email, name, role: 'agent', passwordHash, now })
    }
    updateAgent(tx, id, { ...fields, userId, updatedAt: now })
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
