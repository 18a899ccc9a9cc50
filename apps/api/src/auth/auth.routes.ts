import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { findUserForLogin } from '@replyflow/db'
import type { FastifyRequest } from 'fastify'
import Type from 'typebox'
import type { AppDeps } from '../deps.ts'
import { ApiError, unauthorized } from '../errors.ts'
import { errorResponses, UserSchema } from '../schemas.ts'
import { principalOf } from './access.ts'
import { changePassword, login, logout, publicUser } from './auth.service.ts'
import { SESSION_COOKIE } from './principal.ts'

/** Login attempts allowed per client address per minute. */
export const LOGIN_RATE_LIMIT = { max: 10, timeWindow: 60_000 }

/**
 * Failed logins allowed per account in 15 minutes, from anywhere: guessing
 * spread over many addresses is slowed too. Only failures at an existing
 * account count (made-up e-mails can't crowd the counters out); past the limit
 * the account's owner is held back with the guesser until the window ends, the
 * price of that.
 */
export const ACCOUNT_LOGIN_LIMIT = { max: 20, timeWindow: 15 * 60_000 }

/** The e-mail a login attempt names, lower-cased; the body is validated later, so read it warily. */
function accountOf(request: FastifyRequest): string {
  const body: unknown = request.body
  const email = typeof body === 'object' && body !== null && 'email' in body ? body.email : null
  return `login:${typeof email === 'string' ? email.trim().toLowerCase() : ''}`
}

/** `auth/login`, `auth/logout`, `auth/me`. */
export const authRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  // A second limit beside the route's per-address one (a route takes one `rateLimit`), checked by hand.
  const accountLimit = app.createRateLimit({ ...ACCOUNT_LOGIN_LIMIT, keyGenerator: accountOf })
  app.post(
    '/auth/login',
    {
      config: { access: 'public', rateLimit: LOGIN_RATE_LIMIT },
      preHandler: async (request) => {
        // Looked at, not counted: a successful login never uses up the account's attempts.
        const account = await accountLimit(request, { increment: false })
        if (!account.isAllowed && account.remaining === 0) {
          throw new ApiError(429, 'API_RATE_LIMITED', `too many failed logins for this account, try again in ${Math.max(1, Math.ceil(account.ttl / 60_000))} min`)
        }
      },
      schema: {
        tags: ['auth'],
        summary: 'Log in with e-mail and password; sets the session cookie',
        body: Type.Object(
          { email: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ user: UserSchema }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const session = await login(deps, request.body.email, request.body.password)
      if (!session) {
        if (findUserForLogin(deps.db, request.body.email)) await accountLimit(request)
        throw unauthorized('wrong e-mail or password')
      }
      const secure = request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https'
      reply.setCookie(SESSION_COOKIE, session.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure,
        expires: session.expiresAt,
      })
      return { user: session.user }
    },
  )

  app.post(
    '/auth/logout',
    {
      config: { access: 'user' },
      schema: { tags: ['auth'], summary: 'End the current session', response: { 204: Type.Null(), ...errorResponses } },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      if (principal.sessionId) logout(deps.db, principal.sessionId)
      reply.clearCookie(SESSION_COOKIE, { path: '/' })
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/auth/password',
    {
      config: { access: 'user', rateLimit: LOGIN_RATE_LIMIT },
      schema: {
        tags: ['auth'],
        summary: 'Change your password',
        description:
          'Checks `currentPassword` (403 `API_WRONG_PASSWORD` when wrong), sets `newPassword` and ends your other sessions; this one stays. A lost admin password is reset on the server with `pnpm reset-password <email>`.',
        body: Type.Object(
          { currentPassword: Type.String({ minLength: 1, maxLength: 1024 }), newPassword: Type.String({ minLength: 8, maxLength: 1024 }) },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      await changePassword(deps, { userId: principal.user.id, keepSessionId: principal.sessionId, ...request.body })
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/auth/me',
    {
      config: { access: 'user' },
      schema: { tags: ['auth'], summary: 'The logged-in user', response: { 200: Type.Object({ user: UserSchema }), ...errorResponses } },
    },
    async (request) => ({ user: publicUser(deps.db, principalOf(request).user) }),
  )
}
