import formbody from '@fastify/formbody'
import Fastify, { type FastifyInstance } from 'fastify'
import Mailgun from 'mailgun.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseForwardPost } from '../inbound/parse-forward-post.ts'
import { parseMimePost } from '../inbound/parse-mime-post.ts'
import { verifyWebhookSignature } from '../inbound/webhook-signature.ts'
import { startMailgunServer, type RunningMailgunServer } from './index.ts'

const KEY = 'key-test'
const SIGNING_KEY = 'signing-key-test'
const DOMAIN = 'mg.example.com'

interface Received {
  path: string
  body: Record<string, string> & { signature?: unknown; 'event-data'?: Record<string, unknown> }
}

/** A stand-in for the API: records what the server posts to it, answering as told. */
async function startReceiver(): Promise<{ app: FastifyInstance; url: string; received: Received[]; answers: number[] }> {
  const app = Fastify()
  const received: Received[] = []
  const answers: number[] = []
  await app.register(formbody)
  app.post('/*', async (request, reply) => {
    received.push({ path: request.url, body: request.body as Received['body'] })
    return reply.code(answers.shift() ?? 200).send({ ok: true })
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { app, url: `http://127.0.0.1:${port}`, received, answers }
}

describe('local Mailgun server: routes and event webhooks', () => {
  let server: RunningMailgunServer
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  const client = () => new Mailgun(FormData).client({ username: 'api', key: KEY, url: server.url })
  const createRoute = async (fields: Record<string, string | string[]>) => {
    const body = new URLSearchParams()
    for (const [name, value] of Object.entries(fields)) for (const one of [value].flat()) body.append(name, one)
    const response = await fetch(`${server.url}/v3/routes`, { method: 'POST', body, headers: { authorization: `Basic ${Buffer.from(`api:${KEY}`).toString('base64')}` } })
    expect(response.status).toBe(200)
  }

  beforeAll(async () => {
    server = await startMailgunServer({ apiKey: KEY, webhookSigningKey: SIGNING_KEY })
    receiver = await startReceiver()
  })
  afterAll(async () => {
    await server.close()
    await receiver.app.close()
  })
  afterEach(() => {
    for (const route of server.relay.routes.list()) server.relay.routes.remove(route.id)
    server.relay.webhooks.remove(DOMAIN, 'delivered')
    server.relay.webhooks.remove(DOMAIN, 'permanent_fail')
    server.relay.clear()
    server.mailbox.clear()
    receiver.received.length = 0
    receiver.answers.length = 0
  })

  it('creates, lists, gets, matches and deletes routes through mailgun.js', async () => {
    const mg = client()
    const route = await mg.routes.create({ description: 'support', expression: 'match_recipient("support@acme.example")', action: [`forward("${receiver.url}/in")`, 'stop()'] })
    expect(route).toMatchObject({ priority: 0, expression: 'match_recipient("support@acme.example")', actions: [`forward("${receiver.url}/in")`, 'stop()'] })
    expect((await mg.routes.list({})).map((r) => r.id)).toEqual([route.id])
    expect((await mg.routes.get(route.id)).id).toBe(route.id)
    expect((await mg.routes.matchAddress('SUPPORT@acme.example')).id).toBe(route.id)
    await expect(mg.routes.create({ expression: 'match_everything()', action: [] })).rejects.toMatchObject({ status: 400 })
    expect(await mg.routes.destroy(route.id)).toMatchObject({ id: route.id })
    expect(await mg.routes.list({})).toEqual([])
  })

  it("forwards mail to a route's URL in the forward() format, signed, in priority order until stop()", async () => {
    const mg = client()
    // mailgun.js can't put a number into FormData, so these go over plain HTTP as Mailgun documents them.
    await createRoute({ priority: '5', expression: 'catch_all()', action: `forward("${receiver.url}/catch-all")` })
    await createRoute({ priority: '1', expression: 'match_recipient("reply\\+.*@mg.example.com")', action: [`forward("${receiver.url}/inbound")`, 'stop()'] })
    await mg.messages.create(DOMAIN, {
      from: 'Ann <ann@acme.example>',
      to: ['reply+CONV1.abc@mg.example.com'],
      subject: 'Re: Refund',
      text: 'On its way.',
      'h:In-Reply-To': '<rf.CONV1.MSG1.AGENT1.sig@mg.example.com>',
      'h:References': '<a@x> <rf.CONV1.MSG1.AGENT1.sig@mg.example.com>',
      'h:Message-Id': '<agent-reply-1@acme.example>',
    })
    await server.relay.idle()
    expect(receiver.received.map((r) => r.path)).toEqual(['/inbound'])
    const [post] = receiver.received
    expect(verifyWebhookSignature(SIGNING_KEY, (post?.body ?? {}) as Record<string, string>)).toBe(true)
    const mail = await parseForwardPost({ fields: post?.body ?? {}, files: [] })
    expect(mail).toMatchObject({
      recipient: 'reply+conv1.abc@mg.example.com',
      from: { name: 'Ann', address: 'ann@acme.example' },
      subject: 'Re: Refund',
      text: 'On its way.',
      messageId: '<agent-reply-1@acme.example>',
      inReplyTo: ['<rf.CONV1.MSG1.AGENT1.sig@mg.example.com>'],
      references: ['<a@x>', '<rf.CONV1.MSG1.AGENT1.sig@mg.example.com>'],
    })
  })

  it('posts the raw message to a forward URL ending in mime', async () => {
    await client().routes.create({ expression: 'match_recipient("support@acme.example")', action: [`forward("${receiver.url}/inbound/mime")`] })
    await client().messages.create(DOMAIN, { from: 'jane@customer.example', to: ['support@acme.example'], subject: '你好', text: '请退款' })
    await server.relay.idle()
    const mail = await parseMimePost({ fields: receiver.received[0]?.body ?? {} })
    expect(mail).toMatchObject({ subject: '你好', from: { address: 'jane@customer.example' } })
    expect(mail.text.trim()).toBe('请退款')
  })

  it('retries a forward the receiver failed, but not one it refused with 406', async () => {
    await client().routes.create({ expression: 'catch_all()', action: [`forward("${receiver.url}/inbound")`] })
    receiver.answers.push(500, 200)
    await client().messages.create(DOMAIN, { from: 'a@x.example', to: ['b@y.example'], subject: 's', text: 't' })
    await server.relay.idle()
    expect(server.relay.records()).toMatchObject([{ kind: 'forward', status: 200, attempts: 2 }])
    receiver.answers.push(406)
    await client().messages.create(DOMAIN, { from: 'a@x.example', to: ['b@y.example'], subject: 's', text: 't' })
    await server.relay.idle()
    expect(server.relay.records()[1]).toMatchObject({ status: 406, attempts: 1 })
  })

  it('posts delivered events, and permanent failures for addresses that bounce', async () => {
    const mg = client()
    await mg.webhooks.create(DOMAIN, 'delivered', `${receiver.url}/events`, false)
    await mg.webhooks.create(DOMAIN, 'permanent_fail', `${receiver.url}/events`, false)
    expect((await mg.webhooks.list(DOMAIN, {})).delivered).toMatchObject({ urls: [`${receiver.url}/events`] })
    server.relay.bounce('gone@customer.example')
    await mg.messages.create(DOMAIN, {
      from: 'support@acme.example',
      to: ['jane@customer.example', 'gone@customer.example'],
      subject: 'Hi',
      text: 'Hello',
      'h:Message-Id': '<rf.out.1@mg.example.com>',
      'v:conversationId': 'CONV1',
    })
    await server.relay.idle()
    const events = receiver.received.map((r) => r.body)
    for (const event of events) expect(verifyWebhookSignature(SIGNING_KEY, (event.signature ?? {}) as Record<string, string>)).toBe(true)
    expect(events.map((e) => e['event-data'])).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ event: 'delivered', recipient: 'jane@customer.example', message: { headers: { 'message-id': 'rf.out.1@mg.example.com' } }, 'user-variables': { conversationId: 'CONV1' } }),
        expect.objectContaining({ event: 'failed', severity: 'permanent', recipient: 'gone@customer.example' }),
      ]),
    )
  })
})
