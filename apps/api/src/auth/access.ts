import { bearerMatches } from '@replyflow/queue'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppDeps } from '../deps.ts'
import { forbidden, unauthorized } from '../errors.ts'
import { resolvePrincipal, SESSION_COOKIE, type Principal } from './principal.ts'

/**
 * Who may call a route: anyone, any logged-in user, admins (the default),
 * admins logged in with a session — for what creates credentials (API keys,
 * logins): a leaked API key must not mint credentials that outlive its revocation —
 * or, for `/metrics`, admins and a scraper holding `METRICS_TOKEN`, which reads
 * figures and can do nothing else.
 */
export type Access = 'public' | 'user' | 'admin' | 'admin-session' | 'metrics'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Defaults to `admin`: a route forgotten here is closed, not open. */
    access?: Access
  }
  interface FastifyRequest {
    principal: Principal | null
  }
}

/** The caller of `request` when `access` lets them in; throws 401 or 403 otherwise (null for public routes). */
export function authorize(deps: Pick<AppDeps, 'db' | 'now' | 'config'>, request: FastifyRequest, access: Access): Principal | null {
  if (access === 'public') return null
  const { metricsToken } = deps.config
  if (access === 'metrics' && metricsToken && bearerMatches(request.headers.authorization, metricsToken)) return null
  const principal = resolvePrincipal(deps.db, request, deps.now())
  if (!principal) throw unauthorized(whyUnauthorized(request))
  if (access !== 'user' && principal.user.role !== 'admin') throw forbidden()
  if (access === 'admin-session') assertSession(principal)
  return principal
}

/** 403 unless the caller came with a session: what creates credentials can't be done with an API key. */
export function assertSession(principal: Principal): void {
  if (principal.via !== 'session') throw forbidden('log in to do this: it creates credentials, which an API key may not')
}

/**
 * Adds the authentication hook to a scope: every route in it requires a
 * logged-in admin unless its `config.access` says otherwise.
 */
export function installAccessControl(scope: FastifyInstance, deps: AppDeps): void {
  scope.decorateRequest('principal', null)
  scope.addHook('onRequest', async (request) => {
    request.principal = authorize(deps, request, request.routeOptions.config.access ?? 'admin')
  })
}

/** What went wrong with the credentials a request did send, if any. */
function whyUnauthorized(request: FastifyRequest): string | undefined {
  if (request.headers.authorization) return 'that API key is not valid (revoked or mistyped): send `Authorization: Bearer <key>` with a current key'
  if (request.cookies[SESSION_COOKIE]) return 'your session has ended: log in again'
  return undefined
}

/** The caller of a route that requires a login (the hook guarantees it is set). */
export function principalOf(request: { principal: Principal | null }): Principal {
  if (!request.principal) throw unauthorized()
  return request.principal
}
