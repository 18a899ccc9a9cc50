import formbody from '@fastify/formbody'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import Mailgun from 'mailgun.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseForwardPost, type UploadedFile } from '../inbound/parse-forward-post.ts'
import { parseForm } from './form.ts'
import { parseMimePost } from '../inbound/parse-mime-post.ts'
import { verifyWebhookSignature } from '../inbound/webhook-signature.ts'
import { startMailgunServer, type RunningMailgunServer } from './index.ts'

const KEY = 'key-test'
const SIGNING_KEY = 'signing-key-test'
const DOMAIN = 'mg.example.com'

interface Received {
  path: string
  body: Record<string, string> & { signature?: unknown; 'event-data'?: Record<string, unknown> }
  /** Files of a multipart post. */
  files: UploadedFile[]
}

/** A stand-in for the API: records what the server posts to it, answering as told. */
async function startReceiver(): Promise<{ app: FastifyInstance; url: string; received: Received[]; answers: number[] }> {
  const app = Fastify()
  const received: Received[] = []
  const answers: number[] = []
  await app.register(formbody)
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, async (request: FastifyRequest, body: Buffer) => {
    const form = await parseForm(body, request.headers['content-type'] ?? '')
    return { fields: Object.fromEntries(Object.entries(form.fields).map(([name, values]) => [name, values[0]])), files: form.files.map(({ field, filename, contentType, content }) => ({ field, filename, contentType, content })) }
  })
  app.post('/*', async (request, reply) => {
    const multipart = request.headers['content-type']?.startsWith('multipart/') === true
    const { fields, files } = (multipart ? request.body : { fields: request.body, files: [] }) as { fields: Received['body']; files: UploadedFile[] }
    received.push({ path: request.url, body: fields, files })
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

  it('forwards the attachments of a mail as attachment-N files, multipart, like Mailgun', async () => {
    await client().routes.create({ expression: 'match_recipient("support@acme.example")', action: [`forward("${receiver.url}/inbound")`] })
    const pdf = Buffer.from('%PDF-1.4\n%%EOF\n')
    await client().messages.create(DOMAIN, {
      from: 'jane@customer.example',
      to: ['support@acme.example'],
      subject: 'Invoice',
      text: 'Attached.',
      attachment: [{ data: new Blob([pdf], { type: 'application/pdf' }), filename: '发票.pdf' }],
    })
    await server.relay.idle()
    const [post] = receiver.received
    expect(post?.body['attachment-count']).toBe('1')
    const mail = await parseForwardPost({ fields: post?.body ?? {}, files: post?.files ?? [] })
    expect(mail.attachments).toMatchObject([{ filename: '发票.pdf', contentType: 'application/pdf', size: pdf.length }])
    expect(mail.attachments[0]?.content).toEqual(pdf)
  })

  /** A control call: JSON in, status and JSON out. */
  async function control(path: string, body: unknown): Promise<{ status: number; body: { messageId?: string; forwards?: { url: string; status: number }[]; error?: { code: string } } }> {
    const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return { status: response.status, body: (await response.json()) as never }
  }

  it('takes a simulated customer mail through the routes and answers with the forwards', async () => {
    await client().routes.create({ expression: 'match_recipient("support@acme.example")', action: [`forward("${receiver.url}/inbound")`] })
    const answer = await control('/mailbox/inbound', {
      from: 'Jane Doe <jane@customer.example>',
      to: 'support@acme.example',
      subject: 'Refund',
      text: 'Where is my refund?',
      attachments: [{ filename: 'order.txt', contentType: 'text/plain', contentBase64: Buffer.from('order 42').toString('base64') }],
    })
    expect(answer.status).toBe(200)
    expect(answer.body.forwards).toMatchObject([{ url: `${receiver.url}/inbound`, status: 200 }])
    const [post] = receiver.received
    expect(verifyWebhookSignature(SIGNING_KEY, (post?.body ?? {}) as Record<string, string>)).toBe(true)
    const mail = await parseForwardPost({ fields: post?.body ?? {}, files: post?.files ?? [] })
    expect(mail).toMatchObject({ recipient: 'support@acme.example', from: { address: 'jane@customer.example' }, subject: 'Refund', messageId: answer.body.messageId })
    expect(mail.attachments[0]?.content.toString()).toBe('order 42')
    // Arrived from outside: nothing was sent through this server.
    expect(server.mailbox.messages()).toEqual([])
  })

  it("replies to a recorded message as its recipient: to Reply-To, threaded, the original quoted", async () => {
    await client().routes.create({ expression: 'match_recipient("reply\\+.*@mg.example.com")', action: [`forward("${receiver.url}/inbound")`] })
    await client().messages.create(DOMAIN, {
      from: 'Jane (Replyflow) <support@acme.example>',
      to: ['Ann Agent <ann@acme.example>'],
      subject: 'Refund',
      text: 'Where is my refund?',
      'h:Message-Id': '<rf.notify.1@mg.example.com>',
      'h:Reply-To': 'reply+CONV1.sig@mg.example.com',
      'h:References': '<jane-1@customer.example>',
    })
    await server.relay.idle()
    expect(receiver.received).toEqual([])

    const answer = await control(`/mailbox/messages/${encodeURIComponent('<rf.notify.1@mg.example.com>')}/reply`, { text: 'On its way.' })
    expect(answer.status).toBe(200)
    const mail = await parseForwardPost({ fields: receiver.received[0]?.body ?? {}, files: [] })
    expect(mail).toMatchObject({
      recipient: 'reply+conv1.sig@mg.example.com',
      from: { name: 'Ann Agent', address: 'ann@acme.example' },
      subject: 'Re: Refund',
      inReplyTo: ['<rf.notify.1@mg.example.com>'],
      references: ['<jane-1@customer.example>', '<rf.notify.1@mg.example.com>'],
    })
    expect(mail.text).toMatch(/^On its way\.\n\nOn .+, Jane \(Replyflow\) <support@acme\.example> wrote:\n> Where is my refund\?/)
  })

  it('refuses a simulated mail no route takes, and a reply to an unknown message', async () => {
    const unrouted = await control('/mailbox/inbound', { from: 'a@x.example', to: 'nobody@acme.example', subject: 's', text: 't' })
    expect(unrouted).toMatchObject({ status: 422, body: { error: { code: 'MAILBOX_NO_ROUTE' } } })
    const unknown = await control(`/mailbox/messages/${encodeURIComponent('<nope@x>')}/reply`, { text: 'hi' })
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'MAILBOX_MESSAGE_NOT_FOUND' } } })
    const malformed = await control('/mailbox/inbound', { from: 'a@x.example' })
    expect(malformed).toMatchObject({ status: 400, body: { error: { code: 'MAILBOX_BAD_REQUEST' } } })
  })
})
