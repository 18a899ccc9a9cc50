import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppDeps } from '../deps.ts'
import { forbidden, unauthorized } from '../errors.ts'
import { resolvePrincipal, SESSION_COOKIE, type Principal } from './principal.ts'

/** Who may call a route: anyone, any logged-in user, or admins only (the default). */
export type Access = 'public' | 'user' | 'admin'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Defaults to `admin`: a route forgotten here is closed, not open. */
    access?: Access
  }
  interface FastifyRequest {
    principal: Principal | null
  }
}

/**
 * Adds the authentication hook to a scope: every route in it requires a
 * logged-in admin unless its `config.access` says otherwise.
 */
export function installAccessControl(scope: FastifyInstance, deps: AppDeps): void {
  scope.decorateRequest('principal', null)
  scope.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access ?? 'admin'
    if (access === 'public') return
    const principal = resolvePrincipal(deps.db, request, deps.now())
    if (!principal) throw unauthorized(whyUnauthorized(request))
    if (access === 'admin' && principal.user.role !== 'admin') throw forbidden()
    request.principal = principal
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
