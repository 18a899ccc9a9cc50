import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import pino from 'pino'
import { createMailTransport, DEV_MAILBOX, devMailboxApiKey } from '@replyflow/mail'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EDITOR_CSP, editorRoutes } from '../src/editor.routes.ts'
import { installErrorHandler } from '../src/error-handler.ts'
import { buildTestApp, WORKER_TOKEN, type TestApp } from './helper.ts'

describe('metrics', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp()
  })
  afterAll(() => t.close())

  it('serves Prometheus text with runs and deliveries by status and queue depth to an API key, and nothing without one', async () => {
    expect((await t.request({ method: 'GET', url: '/metrics', as: null })).statusCode).toBe(401)
    const key = await t.request({ method: 'POST', url: '/api/v1/api-keys', payload: { name: 'Prometheus' } })
    const response = await t.request({ method: 'GET', url: '/metrics', as: null, headers: { authorization: `Bearer ${key.json().key}` } })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toContain('text/plain')
    expect(response.body).toContain('# TYPE replyflow_runs gauge')
    expect(response.body).toContain('# TYPE replyflow_deliveries gauge')
    expect(response.body).toMatch(/replyflow_queue_depth\{queue="flow-runs",state="waiting"\} \d+/)
  })
})

describe('metrics token', () => {
  const METRICS_TOKEN = 'prometheus-scrape-token-0123456789'
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp({ METRICS_TOKEN })
  })
  afterAll(() => t.close())

  const asScraper = (url: string, token = METRICS_TOKEN) => t.request({ method: 'GET', url, as: null, headers: { authorization: `Bearer ${token}` } })

  it('lets Prometheus read /metrics with METRICS_TOKEN instead of an admin key', async () => {
    const response = await asScraper('/metrics')
    expect(response.statusCode).toBe(200)
    expect(response.body).toContain('# TYPE replyflow_runs gauge')
    expect((await asScraper('/metrics', 'prometheus-scrape-token-0123456788')).statusCode).toBe(401)
  })

  it('opens nothing else: the API, its documents and the worker surface refuse it', async () => {
    for (const url of ['/api/v1/flows', '/api/v1/openapi.json', '/api/v1/conversations']) {
      const response = await asScraper(url)
      expect(response.statusCode, url).toBe(401)
      expect(response.json().error.code).toBeTypeOf('string')
    }
    const claim = await t.request({ method: 'POST', url: '/internal/v1/runs/claim', as: null, headers: { authorization: `Bearer ${METRICS_TOKEN}` }, payload: { runIds: [] } })
    expect(claim.statusCode).toBe(401)
  })

  it("still serves an admin's API key", async () => {
    const key = await t.request({ method: 'POST', url: '/api/v1/api-keys', payload: { name: 'Ops' } })
    expect((await asScraper('/metrics', key.json().key)).statusCode).toBe(200)
  })
})

describe('dev mailbox', () => {
  let t: TestApp
  let base: string
  beforeAll(async () => {
    t = await buildTestApp()
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    const address = t.app.server.address()
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  })
  afterAll(() => t.close())

  it("accepts the worker's mail with the dev key and shows it only to an admin", async () => {
    const transport = createMailTransport({ apiKey: devMailboxApiKey(WORKER_TOKEN), domain: DEV_MAILBOX.domain, url: `${base}${DEV_MAILBOX.path}` })
    const sent = await transport.send({ from: 'team@example.com', to: ['agent@example.com'], subject: 'Hi', text: 'hello', headers: {}, tags: [], variables: {} })
    expect(sent.providerId).toMatch(/@dev\.replyflow\.local>$/)

    const anonymous = await t.request({ method: 'GET', url: `${DEV_MAILBOX.path}/mailbox/messages`, as: null })
    expect(anonymous.statusCode).toBe(401)
    expect(anonymous.json().error.code).toBeTypeOf('string')

    // An agent would read the others' notifications and could answer as them.
    const agent = await t.createUser('agent')
    for (const [method, url] of [['GET', '/mailbox/messages'], ['GET', '/mailbox/stats'], ['DELETE', '/mailbox/messages']] as const) {
      const refused = await t.request({ method, url: `${DEV_MAILBOX.path}${url}`, as: agent })
      expect(refused.statusCode, `${method} ${url}`).toBe(403)
      // Said as a refusal (the editor tells "not for you" from "off" by it), not as a bad request.
      expect(refused.json().error.code, `${method} ${url}`).toBe('MAILBOX_FORBIDDEN')
    }

    const listed = await t.request({ method: 'GET', url: `${DEV_MAILBOX.path}/mailbox/messages` })
    expect(listed.statusCode).toBe(200)
    expect(listed.json().items).toEqual([expect.objectContaining({ to: ['agent@example.com'], subject: 'Hi', text: 'hello' })])
  })

  it('is absent when a Mailgun key is configured', async () => {
    const real = await buildTestApp({ MAILGUN_API_KEY: 'key-1', MAILGUN_DOMAIN: 'mg.example.com', MAILGUN_WEBHOOK_SIGNING_KEY: 'sign' })
    try {
      const response = await real.request({ method: 'GET', url: `${DEV_MAILBOX.path}/mailbox/messages` })
      expect(response.statusCode).toBe(404)
    } finally {
      await real.close()
    }
  })
})

describe('serving the built editor', () => {
  const root = mkdtempSync(join(tmpdir(), 'rf-editor-'))
  const app = Fastify()
  beforeAll(async () => {
    mkdirSync(join(root, 'assets'))
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Replyflow</title>')
    writeFileSync(join(root, 'assets', 'app-1234.js'), 'console.log(1)')
    installErrorHandler(app)
    app.get('/api/v1/flows', async () => ({ items: [] }))
    await app.register(editorRoutes, { root })
  })
  afterAll(async () => {
    await app.close()
    rmSync(root, { recursive: true, force: true })
  })

  it('serves built files, hashed assets cached for good', async () => {
    const asset = await app.inject({ method: 'GET', url: '/assets/app-1234.js' })
    expect(asset.statusCode).toBe(200)
    expect(asset.body).toBe('console.log(1)')
    expect(asset.headers['cache-control']).toContain('immutable')
  })

  it("answers the SPA's own routes with index.html, uncached", async () => {
    const page = await app.inject({ method: 'GET', url: '/flows/01ABC?tab=runs', headers: { accept: 'text/html,application/xhtml+xml' } })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<title>Replyflow</title>')
    expect(page.headers['cache-control']).toBe('no-cache')
  })

  it('runs only its own scripts, may not be framed by another site, nor leak its URLs in referrers', async () => {
    for (const url of ['/', '/inbox', '/assets/app-1234.js']) {
      const response = await app.inject({ method: 'GET', url, headers: { accept: 'text/html' } })
      expect(response.statusCode, url).toBe(200)
      expect(response.headers['x-frame-options'], url).toBe('DENY')
      expect(response.headers['content-security-policy'], url).toBe(EDITOR_CSP)
      expect(EDITOR_CSP).toContain("frame-ancestors 'none'")
      expect(EDITOR_CSP).toContain("script-src 'self'")
      expect(response.headers['referrer-policy'], url).toBe('same-origin')
    }
  })

  it('keeps server paths and non-HTML requests as JSON 404s', async () => {
    for (const url of ['/api/v1/nope', '/webhooks/mailgun/nope', '/internal/v1/x']) {
      const response = await app.inject({ method: 'GET', url, headers: { accept: 'text/html' } })
      expect(response.statusCode).toBe(404)
      expect(response.json().error.code).toBe('API_NOT_FOUND')
    }
    const json = await app.inject({ method: 'GET', url: '/flows/01ABC', headers: { accept: 'application/json' } })
    expect(json.statusCode).toBe(404)
    expect((await app.inject({ method: 'GET', url: '/api/v1/flows' })).json()).toEqual({ items: [] })
  })
})

describe('request logs', () => {
  it('logs one line per change at info and leaves reads (the editor polls them) to debug', async () => {
    const lines: { level: number; msg: string; method?: string; url?: string; statusCode?: number }[] = []
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) })
    const t = await buildTestApp({}, { logger })
    try {
      await t.request({ method: 'GET', url: '/api/v1/flows' })
      await t.request({ method: 'POST', url: '/api/v1/agents', payload: { name: 'Ann', email: 'ann@example.com' } })
      expect(lines.filter((line) => line.msg === 'request').map(({ method, url, statusCode }) => ({ method, url, statusCode }))).toEqual([
        { method: 'POST', url: '/api/v1/agents', statusCode: 201 },
      ])
      expect(lines.filter((line) => line.msg === 'incoming request' || line.msg === 'request completed')).toEqual([])
    } finally {
      await t.close()
    }
  })
})
