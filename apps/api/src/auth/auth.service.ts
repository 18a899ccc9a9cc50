import { randomBytes } from 'node:crypto'
import {
  countUsers,
  deleteSession,
  deleteSessionsOfUser,
  findAgentIdOfUser,
  findPasswordHash,
  findUserForLogin,
  insertSession,
  insertUser,
  newId,
  updatePasswordHash,
  type Db,
} from '@replyflow/db'
import type { AppDeps } from '../deps.ts'
import { ApiError } from '../errors.ts'
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

/**
 * Changes a user's password after checking the current one (403
 * `API_WRONG_PASSWORD`), and ends their other sessions: whoever else was
 * logged in with the old password is logged out. `keepSessionId` (the
 * caller's own session) stays; with an API key, every session ends.
 */
export async function changePassword(
  deps: Pick<AppDeps, 'db' | 'now'>,
  input: { userId: string; currentPassword: string; newPassword: string; keepSessionId: string | null },
): Promise<void> {
  const stored = findPasswordHash(deps.db, input.userId)
  if (!stored || !(await verifyPassword(input.currentPassword, stored))) {
    throw new ApiError(403, 'API_WRONG_PASSWORD', 'the current password is wrong; nothing was changed')
  }
  const passwordHash = await hashPassword(input.newPassword)
  deps.db.transaction((tx) => {
    updatePasswordHash(tx, input.userId, passwordHash, new Date(deps.now()).toISOString())
    deleteSessionsOfUser(tx, input.userId, input.keepSessionId)
  })
}

/**
 * Gives a user a new random password and ends all their sessions, for a lost
 * admin password (`pnpm reset-password <email>`). null when no user has that e-mail.
 */
export async function resetPassword(deps: Pick<AppDeps, 'db' | 'now'>, email: string): Promise<{ email: string; password: string } | null> {
  const user = findUserForLogin(deps.db, email)
  if (!user) return null
  const password = randomBytes(12).toString('base64url')
  const passwordHash = await hashPassword(password)
  deps.db.transaction((tx) => {
    updatePasswordHash(tx, user.id, passwordHash, new Date(deps.now()).toISOString())
    deleteSessionsOfUser(tx, user.id, null)
  })
  return { email: user.email, password }
}

/** The first admin's login when ADMIN_EMAIL and ADMIN_PASSWORD are unset. */
export const GENERATED_ADMIN_EMAIL = 'admin@replyflow.local'

/**
 * Creates the first admin when the database has no user yet: from
 * ADMIN_EMAIL/ADMIN_PASSWORD, or, when they are unset, `admin@replyflow.local`
 * with a fresh password, logged once (a container's first start needs no
 * setting to be usable, and nobody is locked out of an empty database).
 */
export async function ensureFirstAdmin(deps: Pick<AppDeps, 'db' | 'now' | 'config' | 'logger'>): Promise<void> {
  if (countUsers(deps.db) > 0) return
  const admin = deps.config.admin ?? { email: GENERATED_ADMIN_EMAIL, password: randomBytes(12).toString('base64url') }
  const passwordHash = await hashPassword(admin.password)
  // Re-check inside the write: two processes starting together must not both create one.
  const created = deps.db.transaction((tx) => {
    if (countUsers(tx) > 0) return false
    const now = deps.now()
    insertUser(tx, { id: newId(now), email: admin.email, name: 'Admin', role: 'admin', passwordHash, now: new Date(now).toISOString() })
    return true
  })
  if (!created) return
  if (deps.config.admin) deps.logger.info({ email: admin.email }, 'first admin created')
  else deps.logger.warn({ email: admin.email, password: admin.password }, `first start: log in as ${admin.email} with password ${admin.password} (shown once; change it in the app, or set a new one with reset-password)`)
}
