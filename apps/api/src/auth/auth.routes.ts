import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { findUserForLogin } from '@replyflow/db'
import type { FastifyRequest } from 'fastify'
import Type from 'typebox'
import type { AppDeps } from '../deps.ts'
import { ApiError, unauthorized } from '../errors.ts'
import { errorResponses, UserSchema } from '../schemas.ts'
import { principalOf } from './access.ts'
import { changePassword, login, logout, publicUser } from './auth.service.ts'
import { storedSecret } from '../stored-secret.ts'
import { DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE_S, issueDeviceCookie, knownDevice } from './device-cookies.ts'
import { SESSION_COOKIE } from './principal.ts'

/** Where the login route lives; the device cookie is sent there only. */
const LOGIN_PATH = '/api/v1/auth/login'

/** Login attempts allowed per client address per minute. */
export const LOGIN_RATE_LIMIT = { max: 10, timeWindow: 60_000 }

/**
 * Failed logins allowed per account in 15 minutes from browsers that never
 * logged in to it: guessing spread over many addresses is slowed too. Only
 * failures at an existing account count (made-up e-mails can't crowd the
 * counters out). Past the limit the account is closed to such browsers until
 * the window ends, but not to its owner's: see {@link DEVICE_LOGIN_LIMIT}.
 */
export const ACCOUNT_LOGIN_LIMIT = { max: 20, timeWindow: 15 * 60_000 }

/**
 * Failed logins allowed in 15 minutes from a browser that logged in to the
 * account before (it holds a device cookie): counted per browser instead of
 * against the account, so guessers elsewhere can't lock the owner out.
 */
export const DEVICE_LOGIN_LIMIT = { max: 10, timeWindow: 15 * 60_000 }

/** Settings key of the secret device cookies are signed with. */
const DEVICE_SECRET_SETTING = 'device-cookie-secret'

/** The login attempt as the limits see it: the account it names (if any) and the known browser (if any). */
interface Attempt {
  userId: string | null
  device: string | null
}
const attempts = new WeakMap<FastifyRequest, Attempt>()

function attemptOf(request: FastifyRequest): Attempt {
  const attempt = attempts.get(request)
  if (!attempt) throw new Error('login attempt read before its preHandler')
  return attempt
}

const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000))

/** `auth/login`, `auth/logout`, `auth/me`. */
export const authRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  // Limits beside the route's per-address one (a route takes one `rateLimit`), checked by hand.
  const accountLimit = app.createRateLimit({ ...ACCOUNT_LOGIN_LIMIT, keyGenerator: (request) => `login:${attemptOf(request).userId}` })
  const deviceLimit = app.createRateLimit({ ...DEVICE_LOGIN_LIMIT, keyGenerator: (request) => `device:${attemptOf(request).device}` })
  const limitOf = (request: FastifyRequest) => (attemptOf(request).device ? deviceLimit : accountLimit)
  const deviceKey = () => storedSecret(deps, DEVICE_SECRET_SETTING)

  app.post(
    '/auth/login',
    {
      config: { access: 'public', rateLimit: LOGIN_RATE_LIMIT },
      preHandler: async (request) => {
        const userId = findUserForLogin(deps.db, request.body.email)?.id ?? null
        const device = userId ? knownDevice(deviceKey(), request.cookies[DEVICE_COOKIE], userId) : null
        attempts.set(request, { userId, device })
        if (!userId) return
        // Looked at, not counted: a successful login never uses up any attempts.
        const state = await limitOf(request)(request, { increment: false })
        if (!state.isAllowed && state.remaining === 0) {
          const whose = device ? 'from this browser' : 'for this account'
          throw new ApiError(429, 'API_RATE_LIMITED', `too many failed logins ${whose}, try again in ${minutes(state.ttl)} min`)
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
      const attempt = attemptOf(request)
      if (!session) {
        if (attempt.userId) await limitOf(request)(request)
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
      // This browser is now known to the account (or stays so for another year).
      const device = attempt.device ? request.cookies[DEVICE_COOKIE] : undefined
      reply.setCookie(DEVICE_COOKIE, device ?? issueDeviceCookie(deviceKey(), session.user.id), {
        path: LOGIN_PATH,
        httpOnly: true,
        sameSite: 'strict',
        secure,
        maxAge: DEVICE_COOKIE_MAX_AGE_S,
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
