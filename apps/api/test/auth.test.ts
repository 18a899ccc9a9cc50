import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ACCOUNT_LOGIN_LIMIT, DEVICE_LOGIN_LIMIT, LOGIN_RATE_LIMIT } from '../src/auth/auth.routes.ts'
import { DEVICE_COOKIE_MAX_AGE_S } from '../src/auth/device-cookies.ts'
import { buildTestApp, type TestApp } from './helper.ts'

let t: TestApp
beforeEach(async () => {
  t = await buildTestApp()
})
afterEach(async () => {
  await t.close()
})

const login = (email: string, password: string) =>
  t.request({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, as: null })

describe('auth/login', () => {
  it('logs in with the right password and sets an httpOnly, SameSite=Lax session cookie', async () => {
    const res = await login('ADMIN@example.com', t.admin.password)
    expect(res.statusCode).toBe(200)
    expect(res.json().user).toMatchObject({ email: 'admin@example.com', role: 'admin' })
    const cookie = res.cookies.find((c) => c.name === 'rf_session')
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' })
    expect(cookie?.secure).toBeFalsy()

    const me = await t.request({ method: 'GET', url: '/api/v1/auth/me', as: null, headers: { cookie: `rf_session=${cookie?.value}` } })
    expect(me.statusCode).toBe(200)
    expect(me.json().user.email).toBe('admin@example.com')
  })

  it('marks the cookie Secure behind an https proxy', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: t.admin.email, password: t.admin.password },
      headers: { 'x-forwarded-proto': 'https' },
      as: null,
    })
    expect(res.cookies.find((c) => c.name === 'rf_session')?.secure).toBe(true)
  })

  it('refuses a wrong password and an unknown user alike with 401', async () => {
    const wrong = await login(t.admin.email, 'not-the-password')
    const unknown = await login('nobody@example.com', 'whatever')
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401)
      expect(res.json()).toEqual({ error: { code: 'API_UNAUTHORIZED', message: 'wrong e-mail or password' } })
      expect(res.headers['set-cookie']).toBeUndefined()
    }
  })

  it('rate-limits login attempts with 429', async () => {
    const answers: number[] = []
    for (let i = 0; i < 12; i++) answers.push((await login(t.admin.email, 'wrong')).statusCode)
    expect(answers.slice(0, 10).every((code) => code === 401)).toBe(true)
    const limited = await login(t.admin.email, t.admin.password)
    expect(limited.statusCode).toBe(429)
    expect(limited.json().error.code).toBe('API_RATE_LIMITED')
  })

  it('slows guessing at one account from many addresses, without holding back the other accounts', async () => {
    const other = await t.createUser('agent')
    const from = (address: string) => ({ remoteAddress: address })
    for (let i = 0; i < ACCOUNT_LOGIN_LIMIT.max; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: t.admin.email, password: 'guess' }, ...from(`10.0.${i}.1`) })
      expect(res.statusCode).toBe(401)
    }
    const next = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: t.admin.email.toUpperCase(), password: t.admin.password }, ...from('10.9.9.9') })
    expect(next.statusCode).toBe(429)
    expect(next.json().error.code).toBe('API_RATE_LIMITED')
    const others = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: other.email, password: other.password }, ...from('10.9.9.9') })
    expect(others.statusCode).toBe(200)
  })

  it('counts only failed logins against an account: its owner may log in as often as they like', async () => {
    for (let i = 0; i < ACCOUNT_LOGIN_LIMIT.max + 5; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: t.admin.email, password: t.admin.password }, remoteAddress: `10.1.${i}.1` })
      expect(res.statusCode).toBe(200)
    }
  })

  describe('from a browser that logged in before (device cookie)', () => {
    const attempt = (email: string, password: string, address: string, device?: string) =>
      t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress: address, cookies: device ? { rf_device: device } : {} })
    const deviceOf = (res: Awaited<ReturnType<typeof attempt>>) => res.cookies.find((c) => c.name === 'rf_device')
    /** Guesses at the admin from as many addresses, without a device cookie, until the account is locked. */
    const lockOut = async () => {
      for (let i = 0; i < ACCOUNT_LOGIN_LIMIT.max; i++) expect((await attempt(t.admin.email, 'guess', `10.2.${i}.1`)).statusCode).toBe(401)
      expect((await attempt(t.admin.email, t.admin.password, '10.3.0.1')).statusCode).toBe(429)
    }

    it('is remembered by an httpOnly, SameSite=Strict cookie sent to the login route only', async () => {
      const cookie = deviceOf(await attempt(t.admin.email, t.admin.password, '10.2.0.1'))
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth/login', maxAge: DEVICE_COOKIE_MAX_AGE_S })
      expect(cookie?.value).not.toContain(t.admin.email)
    })

    it("still logs its owner in while guessers elsewhere have locked the account", async () => {
      const device = deviceOf(await attempt(t.admin.email, t.admin.password, '10.2.0.1'))?.value
      await lockOut()
      const owner = await attempt(t.admin.email, t.admin.password, '10.3.0.2', device)
      expect(owner.statusCode).toBe(200)
      expect(deviceOf(owner)?.value).toBe(device)
    })

    it("doesn't open a locked account with another account's device cookie or a forged one", async () => {
      const other = await t.createUser('agent')
      const othersDevice = deviceOf(await attempt(other.email, other.password, '10.2.0.1'))?.value ?? ''
      const device = deviceOf(await attempt(t.admin.email, t.admin.password, '10.2.0.2'))?.value ?? ''
      await lockOut()
      const [nonce] = device.split('.')
      for (const cookie of [othersDevice, `${nonce}.${'A'.repeat(43)}`, `${nonce}x.${device.split('.')[1]}`, 'garbage']) {
        expect((await attempt(t.admin.email, t.admin.password, '10.3.0.3', cookie)).statusCode).toBe(429)
      }
    })

    it('is limited on its own: its failed logins neither lock the account nor go on forever', async () => {
      const device = deviceOf(await attempt(t.admin.email, t.admin.password, '10.2.0.1'))?.value
      for (let i = 0; i < DEVICE_LOGIN_LIMIT.max; i++) expect((await attempt(t.admin.email, 'typo', `10.4.${i}.1`, device)).statusCode).toBe(401)
      const limited = await attempt(t.admin.email, t.admin.password, '10.5.0.1', device)
      expect(limited.statusCode).toBe(429)
      expect(limited.json().error.message).toMatch(/from this browser/)
      expect((await attempt(t.admin.email, t.admin.password, '10.5.0.2')).statusCode).toBe(200)
    })
  })

  it('rejects a body with unknown fields with 400 and the documented error shape', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: t.admin.email, password: t.admin.password, role: 'admin' },
      as: null,
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('API_VALIDATION')
    expect(res.json().error.details).toBeInstanceOf(Array)
  })
})

describe('sessions', () => {
  it('logout ends the session', async () => {
    const res = await t.request({ method: 'POST', url: '/api/v1/auth/logout' })
    expect(res.statusCode).toBe(204)
    const me = await t.request({ method: 'GET', url: '/api/v1/auth/me' })
    expect(me.statusCode).toBe(401)
  })

  it('answers 401 without credentials and with a forged cookie', async () => {
    expect((await t.request({ method: 'GET', url: '/api/v1/auth/me', as: null })).statusCode).toBe(401)
    const forged = await t.request({ method: 'GET', url: '/api/v1/auth/me', as: null, headers: { cookie: 'rf_session=forged' } })
    expect(forged.statusCode).toBe(401)
    expect(forged.json().error.code).toBe('API_UNAUTHORIZED')
  })

  it('expires sessions after their lifetime', async () => {
    t.clock.now += 15 * 24 * 60 * 60 * 1000
    expect((await t.request({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401)
  })

  it('forbids admin routes to agents with 403', async () => {
    const agent = await t.createUser('agent')
    const res = await t.request({ method: 'GET', url: '/api/v1/api-keys', as: agent })
    expect(res.statusCode).toBe(403)
    expect(res.json().error.code).toBe('API_FORBIDDEN')
    expect((await t.request({ method: 'GET', url: '/api/v1/auth/me', as: agent })).statusCode).toBe(200)
  })
})

describe('api-keys', () => {
  it('creates a key shown once, authenticates with it as Bearer, and stops after revocation', async () => {
    const created = await t.request({ method: 'POST', url: '/api/v1/api-keys', payload: { name: 'CI' } })
    expect(created.statusCode).toBe(201)
    const { id, key, name } = created.json()
    expect(name).toBe('CI')
    expect(key).toMatch(/^rf_/)

    const bearer = { authorization: `Bearer ${key}` }
    const me = await t.request({ method: 'GET', url: '/api/v1/auth/me', as: null, headers: bearer })
    expect(me.statusCode).toBe(200)
    expect(me.json().user.email).toBe('admin@example.com')

    const list = await t.request({ method: 'GET', url: '/api/v1/api-keys' })
    expect(list.json().items).toHaveLength(1)
    expect(list.json().items[0]).toMatchObject({ id, name: 'CI', prefix: key.slice(0, 10), revokedAt: null })
    expect(list.json().items[0].lastUsedAt).not.toBeNull()
    expect(JSON.stringify(list.json())).not.toContain(key)

    expect((await t.request({ method: 'DELETE', url: `/api/v1/api-keys/${id}` })).statusCode).toBe(204)
    expect((await t.request({ method: 'GET', url: '/api/v1/auth/me', as: null, headers: bearer })).statusCode).toBe(401)
  })

  it('answers 404 when revoking an unknown key, 401 for a wrong key', async () => {
    const res = await t.request({ method: 'DELETE', url: '/api/v1/api-keys/NOPE' })
    expect(res.statusCode).toBe(404)
    expect(res.json().error.code).toBe('API_API_KEY_NOT_FOUND')
    const wrong = await t.request({ method: 'GET', url: '/api/v1/auth/me', as: null, headers: { authorization: 'Bearer rf_wrong' } })
    expect(wrong.statusCode).toBe(401)
    // It says what was wrong with what was sent.
    expect(wrong.json().error.message).toContain('API key is not valid')
    const ended = await t.request({ method: 'GET', url: '/api/v1/auth/me', as: null, headers: { cookie: 'rf_session=expired' } })
    expect(ended.json().error.message).toContain('session has ended')
  })

  it("doesn't let a key make keys or logins, so a leaked key can't outlive its revocation", async () => {
    const { key } = (await t.request({ method: 'POST', url: '/api/v1/api-keys', payload: { name: 'CI' } })).json()
    const minted = await t.request({ method: 'POST', url: '/api/v1/api-keys', as: null, headers: { authorization: `Bearer ${key}` }, payload: { name: 'Backdoor' } })
    expect(minted.statusCode).toBe(403)
    expect((await t.request({ method: 'GET', url: '/api/v1/api-keys' })).json().items.map((item: { name: string }) => item.name)).toEqual(['CI'])
    // Nor a login (an agent with a password); an agent without one is fine.
    const bearer = { authorization: `Bearer ${key}` }
    const login = await t.request({ method: 'POST', url: '/api/v1/agents', as: null, headers: bearer, payload: { name: 'Eve', email: 'eve@example.com', password: 'a-long-password' } })
    expect(login.statusCode).toBe(403)
    const agent = await t.request({ method: 'POST', url: '/api/v1/agents', as: null, headers: bearer, payload: { name: 'Ann', email: 'ann@example.com' } })
    expect(agent.statusCode).toBe(201)
    expect((await t.request({ method: 'GET', url: '/api/v1/agents' })).json().items.map((item: { name: string }) => item.name)).toEqual(['Ann'])
  })
})

describe('the app', () => {
  it('answers health and readiness without auth', async () => {
    expect((await t.request({ method: 'GET', url: '/healthz', as: null })).json()).toEqual({ status: 'ok' })
    const ready = await t.request({ method: 'GET', url: '/readyz', as: null })
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: true, redis: true } })
  })

  it('serves the OpenAPI document to a logged-in user only', async () => {
    expect((await t.request({ method: 'GET', url: '/api/v1/openapi.json', as: null })).statusCode).toBe(401)
    const res = await t.request({ method: 'GET', url: '/api/v1/openapi.json' })
    expect(res.statusCode).toBe(200)
    expect(res.json().openapi).toMatch(/^3\./)
    expect(Object.keys(res.json().paths)).toContain('/api/v1/auth/login')
  })

  it('serves the interactive API docs page to a logged-in user only', async () => {
    expect((await t.request({ method: 'GET', url: '/api/v1/docs/', as: null })).statusCode).toBe(401)
    const res = await t.request({ method: 'GET', url: '/api/v1/docs/' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('text/html')
  })

  it('answers unknown routes with a 404 in the error shape', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v1/nothing-here' })
    expect(res.statusCode).toBe(404)
    expect(res.json().error.code).toBe('API_NOT_FOUND')
  })

  it('refuses a body over the limit with 413', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      payload: { name: 'x'.repeat(2 * 1024 * 1024) },
    })
    expect(res.statusCode).toBe(413)
    expect(res.json().error.code).toBe('API_BODY_TOO_LARGE')
    expect((await t.request({ method: 'GET', url: '/api/v1/api-keys' })).json().items).toEqual([])
  })

  it('hides the message of an unexpected failure behind a generic 500', async () => {
    t.db.$client.exec('DROP TABLE api_keys')
    const res = await t.request({ method: 'GET', url: '/api/v1/api-keys' })
    expect(res.statusCode).toBe(500)
    expect(res.json()).toEqual({ error: { code: 'API_INTERNAL', message: 'internal server error' } })
  })

  it('refuses malformed JSON with 400', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      payload: '{"name":',
      headers: { 'content-type': 'application/json' },
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('API_INVALID_JSON')
  })

  it('refuses JSON sent as text/plain with 415', async () => {
    const res = await t.request({ method: 'POST', url: '/api/v1/api-keys', payload: '{"name":"CI"}', headers: { 'content-type': 'text/plain' } })
    expect(res.statusCode).toBe(415)
    expect(res.json().error.code).toBe('API_UNSUPPORTED_MEDIA_TYPE')
  })
})

describe('auth/password', () => {
  const cookieOf = (res: Awaited<ReturnType<typeof login>>) => `rf_session=${res.cookies.find((c) => c.name === 'rf_session')?.value}`
  const me = (cookie: string) => t.request({ method: 'GET', url: '/api/v1/auth/me', as: null, headers: { cookie } })
  const change = (cookie: string, payload: Record<string, unknown>) =>
    t.request({ method: 'POST', url: '/api/v1/auth/password', as: null, headers: { cookie }, payload })

  it('changes the password, keeps this session and ends the others', async () => {
    const here = cookieOf(await login(t.admin.email, t.admin.password))
    const elsewhere = cookieOf(await login(t.admin.email, t.admin.password))
    const res = await change(here, { currentPassword: t.admin.password, newPassword: 'a-new-long-password' })
    expect(res.statusCode).toBe(204)
    expect((await me(here)).statusCode).toBe(200)
    expect((await me(elsewhere)).statusCode).toBe(401)
    expect((await login(t.admin.email, t.admin.password)).statusCode).toBe(401)
    expect((await login(t.admin.email, 'a-new-long-password')).statusCode).toBe(200)
  })

  it('refuses a wrong current password with 403 API_WRONG_PASSWORD and changes nothing', async () => {
    const here = cookieOf(await login(t.admin.email, t.admin.password))
    const elsewhere = cookieOf(await login(t.admin.email, t.admin.password))
    const res = await change(here, { currentPassword: 'not-it', newPassword: 'a-new-long-password' })
    expect(res.statusCode).toBe(403)
    expect(res.json().error.code).toBe('API_WRONG_PASSWORD')
    expect((await me(elsewhere)).statusCode).toBe(200)
    expect((await login(t.admin.email, t.admin.password)).statusCode).toBe(200)
  })

  it('refuses a new password shorter than 8 characters, and callers not logged in', async () => {
    const here = cookieOf(await login(t.admin.email, t.admin.password))
    const short = await change(here, { currentPassword: t.admin.password, newPassword: 'short' })
    expect(short.statusCode).toBe(400)
    expect(short.json().error.message).toBe('body/newPassword: must not have fewer than 8 characters')
    const anonymous = await t.request({ method: 'POST', url: '/api/v1/auth/password', as: null, payload: { currentPassword: 'x', newPassword: 'long-enough' } })
    expect(anonymous.statusCode).toBe(401)
  })

  it('lets an agent change their own password', async () => {
    const agent = await t.createUser('agent')
    const res = await t.request({ method: 'POST', url: '/api/v1/auth/password', as: agent, payload: { currentPassword: agent.password, newPassword: 'agent-new-password' } })
    expect(res.statusCode).toBe(204)
    expect((await login(agent.email, 'agent-new-password')).statusCode).toBe(200)
  })
})

describe('behind a reverse proxy (TRUST_PROXY)', () => {
  let proxied: TestApp
  afterEach(async () => {
    await proxied.close()
  })

  const viaProxy = (app: TestApp, client: string, email: string, password: string) =>
    app.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress: '10.0.0.2', headers: { 'x-forwarded-for': client, 'x-forwarded-proto': 'https' } })

  it("limits each client by its own address, so one client's guesses don't lock the others out", async () => {
    proxied = await buildTestApp({ TRUST_PROXY: '10.0.0.2' })
    for (let i = 0; i < LOGIN_RATE_LIMIT.max; i++) expect((await viaProxy(proxied, '203.0.113.7', 'nobody@example.com', 'guess')).statusCode).toBe(401)
    expect((await viaProxy(proxied, '203.0.113.7', 'nobody@example.com', 'guess')).statusCode).toBe(429)
    const colleague = await viaProxy(proxied, '198.51.100.4', proxied.admin.email, proxied.admin.password)
    expect(colleague.statusCode).toBe(200)
    expect(colleague.cookies.map((cookie) => [cookie.name, cookie.secure])).toEqual([
      ['rf_session', true],
      ['rf_device', true],
    ])
  })

  it('believes no forwarded address by default: every client behind the proxy shares its limit', async () => {
    proxied = await buildTestApp()
    for (let i = 0; i < LOGIN_RATE_LIMIT.max; i++) await viaProxy(proxied, '203.0.113.7', 'nobody@example.com', 'guess')
    expect((await viaProxy(proxied, '198.51.100.4', proxied.admin.email, proxied.admin.password)).statusCode).toBe(429)
  })
})
