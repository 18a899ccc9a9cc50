import { countUsers, deleteSession, findAgentIdOfUser, findUserForLogin, insertSession, insertUser, newId, type Db } from '@replyflow/db'
import type { AppDeps } from '../deps.ts'
import { DUMMY_HASH, hashPassword, verifyPassword } from './password.ts'
import { hashToken, newToken } from './tokens.ts'

/** How long a session lasts after login. */
export const SESSION_TTL_MS = 14 * 24 * 60 * 60 * 1000

/** A user as the API shows it. */
export interface PublicUser {
  id: string
  email: string
  name: string
  role: 'admin' | 'agent'
  agentId: string | null
}

/** Checks credentials and opens a session; null when they are wrong. */
export async function login(
  deps: Pick<AppDeps, 'db' | 'now'>,
  email: string,
  password: string,
): Promise<{ user: PublicUser; token: string; expiresAt: Date } | null> {
  const found = findUserForLogin(deps.db, email)
  // Verify against a dummy hash for unknown users, so timing doesn't reveal which e-mails exist.
  const ok = await verifyPassword(password, found?.passwordHash ?? DUMMY_HASH)
  if (!found || !ok) return null
  return { user: publicUser(deps.db, found), ...openSession(deps, found.id) }
}

/** Opens a session for a user and returns its token (shown only to the client, in the cookie). */
export function openSession(deps: Pick<AppDeps, 'db' | 'now'>, userId: string): { token: string; expiresAt: Date } {
  const token = newToken()
  const now = deps.now()
  const expiresAt = new Date(now + SESSION_TTL_MS)
  insertSession(deps.db, {
    id: newId(now),
    tokenHash: hashToken(token),
    userId,
    createdAt: new Date(now).toISOString(),
    expiresAt: expiresAt.toISOString(),
  })
  return { token, expiresAt }
}

/** Ends a session. */
export function logout(db: Db, sessionId: string): void {
  deleteSession(db, sessionId)
}

/** The user as the API shows it, with the linked agent. */
export function publicUser(db: Db, user: { id: string; email: string; name: string; role: 'admin' | 'agent' }): PublicUser {
  return { id: user.id, email: user.email, name: user.name, role: user.role, agentId: findAgentIdOfUser(db, user.id) }
}

/** Creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD when the database has no user yet. */
export async function ensureFirstAdmin(deps: Pick<AppDeps, 'db' | 'now' | 'config' | 'logger'>): Promise<void> {
  const admin = deps.config.admin
  if (!admin || countUsers(deps.db) > 0) return
  const passwordHash = await hashPassword(admin.password)
  // Re-check inside the write: two processes starting together must not both create one.
  deps.db.transaction((tx) => {
    if (countUsers(tx) > 0) return
    const now = deps.now()
    insertUser(tx, { id: newId(now), email: admin.email, name: 'Admin', role: 'admin', passwordHash, now: new Date(now).toISOString() })
  })
  deps.logger.info({ email: admin.email }, 'first admin created')
}
