import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getSetting } from '@replyflow/db'
import { workerConnection } from '@replyflow/queue'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../src/config.ts'
import { DEV_MAILBOX, devMailboxApiKey } from '@replyflow/mail'
import { DEV_ROUTES } from '../src/dev-mailbox.ts'
import { DEV_MAIL } from '../src/mail/mail-identity.ts'
import { startServer, type ApiServer } from '../src/server.ts'
import { REDIS_URL, WORKER_TOKEN } from './helper.ts'

// The dev mailbox loop from a clean start (no MAILGUN_API_KEY): the API keeps
// routes in its local Mailgun server that forward to its own inbound webhook.

const prefix = `rf-test-${randomUUID()}`
const admin = { email: 'admin@example.com', password: 'admin-password-1' }
const basicAuth = (key: string) => `Basic ${Buffer.from(`api:${key}`).toString('base64')}`
const basic = basicAuth(devMailboxApiKey(WORKER_TOKEN))

interface Route {
  description: string
  priority: number
  expression: string
  actions: string[]
}

describe('dev mailbox routes', () => {
  let dir: string
  let server: ApiServer
  let cookie: string

  async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = { cookie }): Promise<{ status: number; body: T }> {
    const response = await fetch(`${server.address}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: response.status, body: (await response.json()) as T }
  }

  const routes = async () => {
    const answer = await call<{ items: Route[] }>('GET', `${DEV_MAILBOX.path}/v3/routes`, undefined, { authorization: basic })
    if (answer.status !== 200) throw new Error(JSON.stringify(answer))
    return answer.body.items
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rf-dev-mailbox-'))
    const config = parseConfig({ PORT: '0', DATABASE_PATH: join(dir, 'replyflow.db'), REDIS_URL, QUEUE_PREFIX: prefix, WORKER_TOKEN, ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password })
    server = await startServer(config, pino({ level: 'silent' }), { host: '127.0.0.1' })
    const login = await fetch(`${server.address}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) })
    cookie = login.headers.get('set-cookie')?.split(';')[0] ?? ''
  })
  afterAll(async () => {
    await server?.close()
    const redis = workerConnection(REDIS_URL)
    const keys = await redis.keys(`${prefix}:*`)
    if (keys.length > 0) await redis.del(...keys)
    redis.disconnect()
    rmSync(dir, { recursive: true, force: true })
  })

  it('creates, on start, the routes for our reply addresses and the default team address, forwarding to its own webhook', async () => {
    const inbound = `forward("${server.address}/webhooks/mailgun/inbound")`
    expect(await routes()).toEqual([
      expect.objectContaining({ description: DEV_ROUTES.replies, priority: 0, expression: 'match_recipient("reply\\+.*@dev\\.replyflow\\.local")', actions: [inbound, 'stop()'] }),
      expect.objectContaining({ description: DEV_ROUTES.team, priority: 1, expression: 'match_recipient("support@dev\\.replyflow\\.local")', actions: [inbound, 'stop()'] }),
    ])
  })

  it('signs with a generated key kept in the database, not a well-known one', () => {
    const key = getSetting(server.deps.db, DEV_MAIL.signingKeySetting)
    expect(key).toMatch(/^[0-9a-f]{64}$/)
  })

  it('moves the team route when the offline e-mail setting changes, and leaves routes it does not manage alone', async () => {
    const own = await fetch(`${server.address}${DEV_MAILBOX.path}/v3/routes`, {
      method: 'POST',
      headers: { authorization: basic },
      body: new URLSearchParams({ priority: '5', description: 'mine', expression: 'catch_all()', action: 'stop()' }),
    })
    expect(own.status).toBe(200)
    expect((await call('PUT', '/api/v1/settings/offline-email', { senderMode: 'team', teamAddress: 'Help@Acme.example' })).status).toBe(200)
    const after = await routes()
    expect(after.filter((route) => route.description === DEV_ROUTES.team).map((route) => route.expression)).toEqual(['match_recipient("help@acme\\.example")'])
    expect(after.map((route) => route.description)).toEqual([DEV_ROUTES.replies, DEV_ROUTES.team, 'mine'])
  })

  it('takes a simulated customer mail through the team route to its webhook, where it is stored', async () => {
    const simulated = await call<{ messageId: string; forwards: { status: number }[] }>('POST', `${DEV_MAILBOX.path}/mailbox/inbound`, {
      from: 'Jane Doe <jane@customer.example>',
      to: 'help@acme.example',
      subject: 'Refund',
      text: 'Where is my refund?',
    })
    expect(simulated.status).toBe(200)
    expect(simulated.body.forwards.map((forward) => forward.status)).toEqual([200])
    const conversations = await call<{ items: { subject: string; customer: { email: string } }[] }>('GET', '/api/v1/conversations')
    expect(conversations.body.items).toEqual([expect.objectContaining({ subject: 'Refund', customer: expect.objectContaining({ email: 'jane@customer.example' }) })])
  })

  it('needs a login to simulate mail', async () => {
    const anonymous = await call<{ error: { code: string } }>('POST', `${DEV_MAILBOX.path}/mailbox/inbound`, { from: 'a@x.example', to: 'help@acme.example', subject: 's', text: 't' }, {})
    expect(anonymous.status).toBe(401)
    expect(anonymous.body.error.code).toBe('MAILBOX_UNAUTHORIZED')
  })

  it("refuses mail sent with any key but the one derived from the worker token, so nobody outside can inject mail", async () => {
    const send = (key: string) =>
      fetch(`${server.address}${DEV_MAILBOX.path}/v3/${DEV_MAILBOX.domain}/messages`, {
        method: 'POST',
        headers: { authorization: basicAuth(key) },
        body: new URLSearchParams({ from: 'Mallory <mallory@evil.example>', to: 'help@acme.example', subject: 'Injected', text: 'Pay here' }),
      })
    const conversations = async () => (await call<{ items: { subject: string }[] }>('GET', '/api/v1/conversations')).body.items.map((item) => item.subject)
    const before = await conversations()
    for (const key of ['dev', 'key-1', '']) expect((await send(key)).status).toBe(401)
    expect(await conversations()).toEqual(before)
    expect((await send(devMailboxApiKey(WORKER_TOKEN))).status).toBe(200)
  })
})
