import { and, count, eq, gt, isNull, ne } from 'drizzle-orm'
import type { DbOrTx } from '../client.ts'
import { agents, apiKeys, sessions, users } from '../schema.ts'
import type { UserRole } from '../values.ts'

/** A user row as the rest of the system sees it (never the password hash). */
export interface UserRecord {
  id: string
  email: string
  name: string
  role: UserRole
  createdAt: string
}

const userColumns = { id: users.id, email: users.email, name: users.name, role: users.role, createdAt: users.createdAt }

/** Number of users; the first admin is created only when it is 0. */
export function countUsers(db: DbOrTx): number {
  return db.select({ n: count() }).from(users).get()?.n ?? 0
}

/** Inserts a user; `email` is stored lower-cased. */
export function insertUser(
  db: DbOrTx,
  user: { id: string; email: string; name: string; role: UserRole; passwordHash: string; now: string },
): UserRecord {
  const row = { ...user, email: user.email.toLowerCase(), createdAt: user.now, updatedAt: user.now }
  db.insert(users).values(row).run()
  return { id: row.id, email: row.email, name: row.name, role: row.role, createdAt: row.createdAt }
}

/** The user with this e-mail and their password hash, for login. */
export function findUserForLogin(db: DbOrTx, email: string): (UserRecord & { passwordHash: string }) | undefined {
  return db
    .select({ ...userColumns, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.email, email.toLowerCase()))
    .get()
}

/** A user's password hash, to check their current password before a change. */
export function findPasswordHash(db: DbOrTx, userId: string): string | undefined {
  return db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, userId)).get()?.passwordHash
}

/** Sets a user's password hash. */
export function updatePasswordHash(db: DbOrTx, userId: string, passwordHash: string, now: string): void {
  db.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, userId)).run()
}

/** Sets a user's login e-mail (stored lower-cased) and name. */
export function updateUserIdentity(db: DbOrTx, userId: string, identity: { email: string; name: string }, now: string): void {
  db.update(users)
    .set({ email: identity.email.toLowerCase(), name: identity.name, updatedAt: now })
    .where(eq(users.id, userId))
    .run()
}

/** Ends every session of a user but `keepSessionId` (none kept when null); returns how many ended. */
export function deleteSessionsOfUser(db: DbOrTx, userId: string, keepSessionId: string | null): number {
  const others = keepSessionId ? and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)) : eq(sessions.userId, userId)
  return db.delete(sessions).where(others).run().changes
}

/** A user by id. */
export function findUser(db: DbOrTx, id: string): UserRecord | undefined {
  return db.select(userColumns).from(users).where(eq(users.id, id)).get()
}

/** Deletes a user: their sessions and API keys go with them (foreign keys cascade). */
export function deleteUser(db: DbOrTx, id: string): void {
  db.delete(users).where(eq(users.id, id)).run()
}

/** The agent linked to a user, if any. */
export function findAgentIdOfUser(db: DbOrTx, userId: string): string | null {
  return db.select({ id: agents.id }).from(agents).where(eq(agents.userId, userId)).get()?.id ?? null
}

/** Stores a session by the hash of its token. */
export function insertSession(
  db: DbOrTx,
  session: { id: string; tokenHash: string; userId: string; createdAt: string; expiresAt: string },
): void {
  db.insert(sessions).values(session).run()
}

/** The user of a live session, by the hash of its token. */
export function findSessionUser(db: DbOrTx, tokenHash: string, now: string): (UserRecord & { sessionId: string }) | undefined {
  return db
    .select({ ...userColumns, sessionId: sessions.id })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now)))
    .get()
}

/** Ends a session. */
export function deleteSession(db: DbOrTx, id: string): void {
  db.delete(sessions).where(eq(sessions.id, id)).run()
}

/** An API key as listed (the key itself is never stored). */
export interface ApiKeyRecord {
  id: string
  name: string
  prefix: string
  userId: string
  createdAt: string
  lastUsedAt: string | null
  revokedAt: string | null
}

const apiKeyColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  userId: apiKeys.userId,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
}

/** Stores an API key by its hash. */
export function insertApiKey(
  db: DbOrTx,
  key: { id: string; name: string; prefix: string; keyHash: string; userId: string; createdAt: string },
): ApiKeyRecord {
  db.insert(apiKeys).values(key).run()
  return { id: key.id, name: key.name, prefix: key.prefix, userId: key.userId, createdAt: key.createdAt, lastUsedAt: null, revokedAt: null }
}

/** Every API key, newest first. */
export function listApiKeys(db: DbOrTx): ApiKeyRecord[] {
  return db.select(apiKeyColumns).from(apiKeys).orderBy(apiKeys.id).all().reverse()
}

/** Revokes a key; false when there is no such key. */
export function revokeApiKey(db: DbOrTx, id: string, now: string): boolean {
  const key = db.select({ revokedAt: apiKeys.revokedAt }).from(apiKeys).where(eq(apiKeys.id, id)).get()
  if (!key) return false
  if (!key.revokedAt) db.update(apiKeys).set({ revokedAt: now }).where(eq(apiKeys.id, id)).run()
  return true
}

/** The user of an unrevoked key, by the key's hash. */
export function findApiKeyUser(db: DbOrTx, keyHash: string): (UserRecord & { apiKeyId: string; lastUsedAt: string | null }) | undefined {
  return db
    .select({ ...userColumns, apiKeyId: apiKeys.id, lastUsedAt: apiKeys.lastUsedAt })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
    .get()
}

/** Records that a key was used. */
export function touchApiKey(db: DbOrTx, id: string, now: string): void {
  db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, id)).run()
}
