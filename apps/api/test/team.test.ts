import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, createAgent, type TestApp } from './helper.ts'

let t: TestApp
beforeEach(async () => {
  t = await buildTestApp()
})
afterEach(async () => {
  await t.close()
})

describe('agents', () => {
  it('adds, lists, changes and removes agents', async () => {
    const res = await t.request({ method: 'POST', url: '/api/v1/agents', payload: { name: 'Grace', email: 'Grace@Team.example.com' } })
    expect(res.statusCode).toBe(201)
    const grace = res.json()
    expect(grace).toMatchObject({ name: 'Grace', email: 'grace@team.example.com', status: 'offline', phone: null, userId: null })

    expect((await t.request({ method: 'GET', url: '/api/v1/agents' })).json()).toEqual({ items: [grace] })
    const changed = await t.request({ method: 'PATCH', url: `/api/v1/agents/${grace.id}`, payload: { phone: '+44 20 7946 0000', name: 'Grace H.' } })
    expect(changed.json()).toMatchObject({ name: 'Grace H.', phone: '+44 20 7946 0000' })
    expect((await t.request({ method: 'GET', url: `/api/v1/agents/${grace.id}` })).json().name).toBe('Grace H.')
    expect((await t.request({ method: 'DELETE', url: `/api/v1/agents/${grace.id}` })).statusCode).toBe(204)
    expect((await t.request({ method: 'GET', url: `/api/v1/agents/${grace.id}` })).statusCode).toBe(404)
  })

  it('refuses a second agent with the same e-mail with 409', async () => {
    await createAgent(t, 'Grace', 'grace@team.example.com')
    const res = await t.request({ method: 'POST', url: '/api/v1/agents', payload: { name: 'Other', email: 'GRACE@team.example.com' } })
    expect(res.statusCode).toBe(409)
    expect(res.json().error.code).toBe('API_AGENT_EMAIL_TAKEN')
    expect((await t.request({ method: 'GET', url: '/api/v1/agents' })).json().items).toHaveLength(1)
  })

  it('gives an agent created with a password a login that sees only agent routes', async () => {
    const grace = await createAgent(t, 'Grace', 'grace@team.example.com', { password: 'grace-secret-1' })
    const login = await t.request({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'grace@team.example.com', password: 'grace-secret-1' }, as: null })
    expect(login.statusCode).toBe(200)
    expect(login.json().user).toMatchObject({ role: 'agent', agentId: grace.id })
    const cookie = `rf_session=${login.cookies.find((c) => c.name === 'rf_session')?.value}`
    const asGrace = { headers: { cookie }, role: 'agent' as const, id: '', email: '', password: '' }

    const online = await t.request({ method: 'PUT', url: `/api/v1/agents/${grace.id}/status`, payload: { status: 'online' }, as: asGrace })
    expect(online.statusCode).toBe(200)
    expect(online.json().status).toBe('online')
    const linus = await createAgent(t, 'Linus')
    const other = await t.request({ method: 'PUT', url: `/api/v1/agents/${linus.id}/status`, payload: { status: 'online' }, as: asGrace })
    expect(other.statusCode).toBe(403)
    expect((await t.request({ method: 'POST', url: '/api/v1/agents', payload: { name: 'X', email: 'x@team.example.com' }, as: asGrace })).statusCode).toBe(403)
    expect((await t.request({ method: 'GET', url: '/api/v1/agents', as: asGrace })).statusCode).toBe(200)
  })

  describe('a login for an agent added without one (PATCH agents/:id { password })', () => {
    const logIn = (email: string, password: string) => t.request({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, as: null })
    const patch = (id: string, payload: object, as?: Parameters<TestApp['request']>[0]['as']) =>
      t.request({ method: 'PATCH', url: `/api/v1/agents/${id}`, payload, ...(as === undefined ? {} : { as }) })

    it('is given by an admin, later changed (ending its sessions), and follows a new e-mail and name', async () => {
      const ann = await createAgent(t, 'Ann', 'ann@team.example.com')
      expect((await logIn('ann@team.example.com', 'ann-secret-1')).statusCode).toBe(401)
      const given = await patch(ann.id, { password: 'ann-secret-1' })
      expect(given.statusCode).toBe(200)
      expect(given.json().userId).toEqual(expect.any(String))
      const first = await logIn('ann@team.example.com', 'ann-secret-1')
      expect(first.json().user).toMatchObject({ role: 'agent', agentId: ann.id, name: 'Ann' })
      const asAnn = { headers: { cookie: `rf_session=${first.cookies.find((c) => c.name === 'rf_session')?.value}` }, role: 'agent' as const, id: '', email: '', password: '' }

      // A new password: the old one and the open session stop working.
      expect((await patch(ann.id, { password: 'ann-secret-2' })).statusCode).toBe(200)
      expect((await t.request({ method: 'GET', url: '/api/v1/conversations', as: asAnn })).statusCode).toBe(401)
      expect((await logIn('ann@team.example.com', 'ann-secret-1')).statusCode).toBe(401)

      // The login follows the agent's new address and name.
      expect((await patch(ann.id, { email: 'ann.lee@team.example.com', name: 'Ann Lee' })).statusCode).toBe(200)
      expect((await logIn('ann@team.example.com', 'ann-secret-2')).statusCode).toBe(401)
      expect((await logIn('ann.lee@team.example.com', 'ann-secret-2')).json().user).toMatchObject({ email: 'ann.lee@team.example.com', name: 'Ann Lee', agentId: ann.id })
    })

    it("needs an admin's session, never changes an admin's login, and refuses an e-mail another login has, changing nothing", async () => {
      const ann = await createAgent(t, 'Ann', 'ann@team.example.com')
      const key = (await t.request({ method: 'POST', url: '/api/v1/api-keys', payload: { name: 'ci' } })).json().key
      const byKey = await t.request({ method: 'PATCH', url: `/api/v1/agents/${ann.id}`, payload: { password: 'ann-secret-1' }, as: null, headers: { authorization: `Bearer ${key}` } })
      expect(byKey.statusCode).toBe(403)
      const agentUser = await t.createUser('agent')
      expect((await patch(ann.id, { password: 'ann-secret-1' }, agentUser)).statusCode).toBe(403)

      const me = await createAgent(t, 'Admin Agent', t.admin.email)
      const admins = await patch(me.id, { password: 'taken-over-1' })
      expect(admins.statusCode).toBe(403)
      expect((await logIn(t.admin.email, t.admin.password)).statusCode).toBe(200)

      const taken = await patch(ann.id, { email: agentUser.email, password: 'ann-secret-1' })
      expect(taken.statusCode).toBe(409)
      expect(taken.json().error.code).toBe('API_LOGIN_EMAIL_TAKEN')
      expect((await t.request({ method: 'GET', url: `/api/v1/agents/${ann.id}` })).json()).toMatchObject({ email: 'ann@team.example.com', userId: null })
      expect((await patch(ann.id, { password: 'short' })).statusCode).toBe(400)
    })
  })

  it('ends the login of an agent who is removed: their session and their password stop working', async () => {
    const grace = await createAgent(t, 'Grace', 'grace@team.example.com', { password: 'grace-secret-1' })
    const credentials = { email: 'grace@team.example.com', password: 'grace-secret-1' }
    const login = await t.request({ method: 'POST', url: '/api/v1/auth/login', payload: credentials, as: null })
    const cookie = `rf_session=${login.cookies.find((c) => c.name === 'rf_session')?.value}`
    const asGrace = { headers: { cookie }, role: 'agent' as const, id: '', email: '', password: '' }
    expect((await t.request({ method: 'GET', url: '/api/v1/conversations', as: asGrace })).statusCode).toBe(200)

    expect((await t.request({ method: 'DELETE', url: `/api/v1/agents/${grace.id}` })).statusCode).toBe(204)
    expect((await t.request({ method: 'GET', url: '/api/v1/conversations', as: asGrace })).statusCode).toBe(401)
    expect((await t.request({ method: 'GET', url: '/api/v1/customers', as: asGrace })).statusCode).toBe(401)
    expect((await t.request({ method: 'POST', url: '/api/v1/auth/login', payload: credentials, as: null })).statusCode).toBe(401)
    // The address is free again: the same person can be added back, as a new agent.
    expect((await t.request({ method: 'POST', url: '/api/v1/agents', payload: { name: 'Grace', email: 'grace@team.example.com', password: 'grace-secret-2' } })).statusCode).toBe(201)
  })

  it("keeps an admin's login when the agent they also were is removed", async () => {
    const me = await createAgent(t, 'Admin Agent', t.admin.email)
    expect((await t.request({ method: 'DELETE', url: `/api/v1/agents/${me.id}` })).statusCode).toBe(204)
    const still = await t.request({ method: 'GET', url: '/api/v1/auth/me' })
    expect(still.statusCode).toBe(200)
    expect(still.json().user).toMatchObject({ role: 'admin', agentId: null })
  })

  it("links an admin who adds an agent with their own login's e-mail: the admin is then that agent (assignee=me)", async () => {
    const before = await t.request({ method: 'GET', url: '/api/v1/conversations?assignee=me' })
    expect(before.statusCode).toBe(422)
    expect(before.json().error.code).toBe('API_NOT_AN_AGENT')

    const me = await createAgent(t, 'Admin Agent', 'Admin@Example.com')
    expect(me).toMatchObject({ email: 'admin@example.com', userId: t.admin.id })
    expect((await t.request({ method: 'GET', url: '/api/v1/auth/me' })).json().user).toMatchObject({ role: 'admin', agentId: me.id })
    const mine = await t.request({ method: 'GET', url: '/api/v1/conversations?assignee=me' })
    expect(mine.statusCode).toBe(200)
    expect(mine.json().items).toEqual([])
  })

  it('validates agent input with 400 and answers 404 for unknown agents', async () => {
    for (const payload of [{ name: 'X' }, { name: 'X', email: 'not-an-email' }, { name: 'X', email: 'x@example.com', status: 'busy' }, { name: 'X', email: 'x@example.com', role: 'admin' }, { name: '<script>alert(1)</script>', email: 'x@example.com' }, { name: 'Eve\r\nBcc: all@example.com', email: 'x@example.com' }]) {
      expect((await t.request({ method: 'POST', url: '/api/v1/agents', payload })).statusCode).toBe(400)
    }
    expect((await t.request({ method: 'PATCH', url: '/api/v1/agents/NOPE', payload: { name: 'Y' } })).statusCode).toBe(404)
    expect((await t.request({ method: 'PUT', url: '/api/v1/agents/NOPE/status', payload: { status: 'online' } })).statusCode).toBe(404)
    expect((await t.request({ method: 'DELETE', url: '/api/v1/agents/NOPE' })).statusCode).toBe(404)
  })
})

describe('customers', () => {
  it('creates customers with custom fields, finds, pages and updates them', async () => {
    const created = await t.request({ method: 'POST', url: '/api/v1/customers', payload: { name: 'Ada', email: 'Ada@Example.com', custom: { plan: 'gold', seats: 3, vip: true } } })
    expect(created.statusCode).toBe(201)
    const ada = created.json()
    expect(ada).toMatchObject({ name: 'Ada', email: 'ada@example.com', custom: { plan: 'gold', seats: 3, vip: true }, suppressedAt: null })
    await t.request({ method: 'POST', url: '/api/v1/customers', payload: { name: 'Bob', phone: '+1 555 0100' } })
    await t.request({ method: 'POST', url: '/api/v1/customers', payload: { name: 'Cy' } })

    const first = (await t.request({ method: 'GET', url: '/api/v1/customers?limit=2' })).json()
    expect(first.items.map((c: { name: string }) => c.name)).toEqual(['Ada', 'Bob'])
    const rest = (await t.request({ method: 'GET', url: `/api/v1/customers?limit=2&cursor=${first.nextCursor}` })).json()
    expect(rest).toEqual({ items: [expect.objectContaining({ name: 'Cy' })], nextCursor: null })
    expect((await t.request({ method: 'GET', url: '/api/v1/customers?q=555' })).json().items.map((c: { name: string }) => c.name)).toEqual(['Bob'])

    const updated = await t.request({ method: 'PATCH', url: `/api/v1/customers/${ada.id}`, payload: { custom: { plan: 'platinum' }, phone: null } })
    expect(updated.json()).toMatchObject({ custom: { plan: 'platinum' }, phone: null })
    expect((await t.request({ method: 'GET', url: `/api/v1/customers/${ada.id}` })).json().custom).toEqual({ plan: 'platinum' })
  })

  it('refuses a duplicate e-mail with 409, bad fields with 400, unknown ids with 404, and is open to agents', async () => {
    await t.request({ method: 'POST', url: '/api/v1/customers', payload: { email: 'ada@example.com' } })
    const dup = await t.request({ method: 'POST', url: '/api/v1/customers', payload: { email: 'ADA@example.com' } })
    expect(dup.statusCode).toBe(409)
    expect(dup.json().error.code).toBe('API_CUSTOMER_EMAIL_TAKEN')
    expect((await t.request({ method: 'POST', url: '/api/v1/customers', payload: { custom: { nested: { no: 1 } } } })).statusCode).toBe(400)
    expect((await t.request({ method: 'POST', url: '/api/v1/customers', payload: { name: 'X', suppressedAt: 'now' } })).statusCode).toBe(400)
    expect((await t.request({ method: 'GET', url: '/api/v1/customers/NOPE' })).statusCode).toBe(404)
    expect((await t.request({ method: 'PATCH', url: '/api/v1/customers/NOPE', payload: { name: 'X' } })).statusCode).toBe(404)
    const agent = await t.createUser('agent')
    expect((await t.request({ method: 'GET', url: '/api/v1/customers', as: agent })).json().items).toHaveLength(1)
  })
})

describe('settings/offline-email', () => {
  it('answers the default until set, then what was set', async () => {
    expect((await t.request({ method: 'GET', url: '/api/v1/settings/offline-email' })).json()).toEqual({ senderMode: 'team', teamAddress: 'support@dev.replyflow.local' })
    const put = await t.request({ method: 'PUT', url: '/api/v1/settings/offline-email', payload: { senderMode: 'agent', teamAddress: 'Help@Acme.example.com' } })
    expect(put.statusCode).toBe(200)
    expect(put.json()).toEqual({ senderMode: 'agent', teamAddress: 'help@acme.example.com' })
    expect((await t.request({ method: 'GET', url: '/api/v1/settings/offline-email' })).json()).toEqual(put.json())
  })

  it('refuses a bad mode or address with 400 and lets only admins change it', async () => {
    for (const payload of [{ senderMode: 'robot', teamAddress: 'a@b.example.com' }, { senderMode: 'team', teamAddress: 'nope' }, { senderMode: 'team' }]) {
      expect((await t.request({ method: 'PUT', url: '/api/v1/settings/offline-email', payload })).statusCode).toBe(400)
    }
    const agent = await t.createUser('agent')
    expect((await t.request({ method: 'GET', url: '/api/v1/settings/offline-email', as: agent })).statusCode).toBe(200)
    const forbidden = await t.request({ method: 'PUT', url: '/api/v1/settings/offline-email', payload: { senderMode: 'team', teamAddress: 'a@b.example.com' }, as: agent })
    expect(forbidden.statusCode).toBe(403)
    expect((await t.request({ method: 'GET', url: '/api/v1/settings/offline-email' })).json().teamAddress).toBe('support@dev.replyflow.local')
  })
})
