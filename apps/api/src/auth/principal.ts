import {
  findAgentIdOfUser,
  findApiKeyUser,
  findSessionUser,
  touchApiKey,
  type Db,
  type UserRole,
} from '@replyflow/db'
import type { FastifyRequest } from 'fastify'
import { hashToken } from './tokens.ts'

/** Who is calling: the user, and how they proved it. */
export interface Principal {
  user: { id: string; email: string; name: string; role: UserRole }
  /** The agent linked to the user, if any (for `assignee=me` and answers). */
  agentId: string | null
  via: 'session' | 'api_key'
  sessionId: string | null
}

/** Name of the session cookie. */
export const SESSION_COOKIE = 'rf_session'

// Writing lastUsedAt on every call would turn reads into writes; once a minute is enough.
const TOUCH_EVERY_MS = 60_000

/** Resolves the caller from a bearer API key or the session cookie; null when neither is valid. */
export function resolvePrincipal(db: Db, request: FastifyRequest, now: number): Principal | null {
  const iso = new Date(now).toISOString()
  const header = request.headers.authorization
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (!match?.[1]) return null
    const found = findApiKeyUser(db, hashToken(match[1]))
    if (!found) return null
    if (!found.lastUsedAt || now - Date.parse(found.lastUsedAt) > TOUCH_EVERY_MS) touchApiKey(db, found.apiKeyId, iso)
    return principalOf(db, found, 'api_key', null)
  }
  const token = request.cookies[SESSION_COOKIE]
  if (!token) return null
  const found = findSessionUser(db, hashToken(token), iso)
  return found ? principalOf(db, found, 'session', found.sessionId) : null
}

function principalOf(
  db: Db,
  user: { id: string; email: string; name: string; role: UserRole },
  via: Principal['via'],
  sessionId: string | null,
): Principal {
  return {
    user: { id: user.id, email: user.email, name: user.name, role: user.role },
    agentId: findAgentIdOfUser(db, user.id),
    via,
    sessionId,
  }
}
