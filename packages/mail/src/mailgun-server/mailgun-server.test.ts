import Fastify from 'fastify'
import formbody from '@fastify/formbody'
import Mailgun from 'mailgun.js'
import type { MailgunMessageData } from 'mailgun.js/definitions'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createMailbox, mailgunServer, startMailgunServer, type RunningMailgunServer } from './index.ts'

const KEY = 'key-test'
const DOMAIN = 'mg.example.com'

function client(url: string, key = KEY) {
  return new Mailgun(FormData).client({ username: 'api', key, url })
}

/** A JSON answer, typed for the test's reading. */
async function json<T = Record<string, never>>(response: Response | Promise<Response>): Promise<T> {
  return (await (await response).json()) as T
}

interface Listed {
  items: { id: string }[]
}

/** The error mailgun.js threw, so tests can read its status and details. */
async function failure(promise: Promise<unknown>): Promise<{ status: number; details: string; message: string }> {
  try {
    await promise
  } catch (error) {
    return error as { status: number; details: string; message: string }
  }
  throw new Error('expected the send to fail')
}

describe('local Mailgun server, through mailgun.js', () => {
  let server: RunningMailgunServer
  beforeAll(async () => {
    server = await startMailgunServer({ apiKey: KEY })
  })
  afterAll(() => server.close())
  beforeEach(() => {
    server.mailbox.clear()
    server.mailbox.clearFailures()
  })

  it('accepts a message and records its fields, headers, variables and tags', async () => {
    const answer = await client(server.url).messages.create(DOMAIN, {
      from: 'Team <team@mg.example.com>',
      to: ['"Doe, Jane" <jane@example.com>, bob@example.com', 'carol@example.com'],
      subject: 'Hello',
      text: 'plain body',
      html: '<p>html body</p>',
      'h:Message-Id': '<custom-123@mg.example.com>',
      'h:In-Reply-To': '<earlier@example.com>',
      'h:Reply-To': 'support@mg.example.com',
      'v:conversation-id': 'conv1',
      'o:tag': ['notification', 'email'],
      'o:tracking': 'no',
    })
    expect(answer).toEqual({ status: 200, id: '<custom-123@mg.example.com>', message: 'Queued. Thank you.' })
    const [recorded] = server.mailbox.messages()
    expect(recorded).toMatchObject({
      id: '<custom-123@mg.example.com>',
      domain: DOMAIN,
      from: 'Team <team@mg.example.com>',
      to: ['"Doe, Jane" <jane@example.com>', 'bob@example.com', 'carol@example.com'],
      subject: 'Hello',
      text: 'plain body',
      html: '<p>html body</p>',
      headers: { 'Message-Id': '<custom-123@mg.example.com>', 'In-Reply-To': '<earlier@example.com>', 'Reply-To': 'support@mg.example.com' },
      variables: { 'conversation-id': 'conv1' },
      tags: ['notification', 'email'],
      options: { tracking: 'no' },
    })
  })

  it('makes up a bracketed id on the domain when the sender set none', async () => {
    const answer = await client(server.url).messages.create(DOMAIN, { from: 'a@x.com', to: 'b@y.com', text: 'hi' })
    expect(answer.id).toMatch(/^<\d{14}\.[0-9a-f]{16}@mg\.example\.com>$/)
    expect(server.mailbox.get(answer.id ?? '')?.text).toBe('hi')
  })

  it('answers a wrong key with 401 and plain-text Forbidden, recording nothing', async () => {
    const error = await failure(client(server.url, 'wrong').messages.create(DOMAIN, { from: 'a@x.com', to: 'b@y.com', text: 'hi' }))
    expect(error.status).toBe(401)
    expect(error.details).toBe('Forbidden')
    expect(server.mailbox.messages()).toHaveLength(0)
  })

  it.each([
    [{ to: 'b@y.com', text: 'hi' }, 'from parameter is missing'],
    [{ from: 'a@x.com', text: 'hi' }, 'to parameter is missing'],
    [{ from: 'a@x.com', to: 'b@y.com', subject: 's' }, "Need at least one of 'text', 'html' or 'template' parameters specified"],
    [{ from: 'a@x.com', to: 'b@y.com', text: 'hi', 'o:tag': ['1', '2', '3', '4'] }, 'Too many tags: a message may carry at most 3'],
  ])('refuses an incomplete message with 400 (%j)', async (data, message) => {
    const error = await failure(client(server.url).messages.create(DOMAIN, data as MailgunMessageData))
    expect(error.status).toBe(400)
    expect(error.details).toBe(message)
    expect(server.mailbox.messages()).toHaveLength(0)
  })

  it('fails the next sends as told, then accepts, recording the message once', async () => {
    server.mailbox.failNext(2, { status: 503, message: 'Service unavailable' })
    const mg = client(server.url)
    const data = { from: 'a@x.com', to: 'b@y.com', text: 'hi', 'h:Message-Id': '<retry@x.com>' }
    expect((await failure(mg.messages.create(DOMAIN, data))).status).toBe(503)
    expect((await failure(mg.messages.create(DOMAIN, data))).status).toBe(503)
    expect((await mg.messages.create(DOMAIN, data)).id).toBe('<retry@x.com>')
    expect(server.mailbox.messages().map((m) => m.id)).toEqual(['<retry@x.com>'])
    expect(server.mailbox.attempts()).toBe(3)
  })

  it('answers the next send late when told to, like a slow provider', async () => {
    const planned = await fetch(`${server.url}/mailbox/delays`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 1, ms: 300 }),
    })
    expect(planned.status).toBe(200)
    const started = Date.now()
    await client(server.url).messages.create(DOMAIN, { from: 'a@x.com', to: 'b@y.com', text: 'slow' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    expect(server.mailbox.messages().map((m) => m.text)).toEqual(['slow'])
  })

  it('accepts the urlencoded form with repeated fields', async () => {
    const body = new URLSearchParams([
      ['from', 'a@x.com'],
      ['to', 'b@y.com'],
      ['to', 'c@y.com'],
      ['text', 'hi'],
      ['o:tag', 't1'],
      ['o:tag', 't2'],
    ])
    const response = await fetch(`${server.url}/v3/${DOMAIN}/messages`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`api:${KEY}`).toString('base64')}` },
      body,
    })
    expect(response.status).toBe(200)
    expect(server.mailbox.messages()[0]).toMatchObject({ to: ['b@y.com', 'c@y.com'], tags: ['t1', 't2'] })
  })

  it('records attachments with their bytes and serves them for download', async () => {
    await client(server.url).messages.create(DOMAIN, {
      from: 'a@x.com',
      to: 'b@y.com',
      text: 'see attached',
      'h:Message-Id': '<att-1@x.com>',
      attachment: [{ data: new Blob(['hello'], { type: 'text/plain' }), filename: '说明.txt' }],
    })
    expect(server.mailbox.messages()[0]?.attachments).toEqual([
      { field: 'attachment', filename: '说明.txt', contentType: 'text/plain', size: 5, content: Buffer.from('hello') },
    ])
    const listed = await json<{ items: { attachments: unknown[] }[] }>(fetch(`${server.url}/mailbox/messages`))
    // The list describes attachments; bytes come from their own URL.
    expect(listed.items[0]?.attachments).toEqual([{ field: 'attachment', filename: '说明.txt', contentType: 'text/plain', size: 5 }])
    const download = await fetch(`${server.url}/mailbox/messages/${encodeURIComponent('<att-1@x.com>')}/attachments/0`)
    expect(download.status).toBe(200)
    expect(download.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('说明.txt')}`)
    expect(await download.text()).toBe('hello')
    const missing = await fetch(`${server.url}/mailbox/messages/${encodeURIComponent('<att-1@x.com>')}/attachments/1`)
    expect(missing.status).toBe(404)
  })

  it('keeps attachment bytes within its budget, dropping the oldest first', async () => {
    const small = await startMailgunServer({ apiKey: KEY, mailbox: createMailbox({ attachmentBytes: 8 }) })
    try {
      const send = (id: string, text: string) =>
        client(small.url).messages.create(DOMAIN, { from: 'a@x.com', to: 'b@y.com', text: 'x', 'h:Message-Id': id, attachment: [{ data: new Blob([text]), filename: 'f.bin' }] })
      await send('<old@x.com>', 'abcde')
      await send('<new@x.com>', 'fghij')
      expect(small.mailbox.get('<old@x.com>')?.attachments[0]).toMatchObject({ size: 5, content: null, contentType: 'application/octet-stream' })
      expect(small.mailbox.get('<new@x.com>')?.attachments[0]?.content?.toString()).toBe('fghij')
      const gone = await fetch(`${small.url}/mailbox/messages/${encodeURIComponent('<old@x.com>')}/attachments/0`)
      expect(gone.status).toBe(410)
      expect((await json<{ error: { code: string } }>(gone)).error.code).toBe('MAILBOX_ATTACHMENT_DROPPED')
    } finally {
      await small.close()
    }
  })
})

describe('control surface', () => {
  let server: RunningMailgunServer
  beforeAll(async () => {
    server = await startMailgunServer({ apiKey: KEY })
  })
  afterAll(() => server.close())

  it('lists, reads and clears messages, and plans failures over HTTP', async () => {
    const mg = client(server.url)
    await mg.messages.create(DOMAIN, { from: 'a@x.com', to: 'one@y.com', text: '1', 'h:Message-Id': '<m1@x.com>' })
    await mg.messages.create(DOMAIN, { from: 'a@x.com', to: 'two@y.com', text: '2' })

    const list = await json<Listed>(fetch(`${server.url}/mailbox/messages?to=one@`))
    expect(list.items.map((m) => m.id)).toEqual(['<m1@x.com>'])
    const one = await fetch(`${server.url}/mailbox/messages/${encodeURIComponent('<m1@x.com>')}`)
    expect((await json<{ text: string }>(one)).text).toBe('1')
    const missing = await fetch(`${server.url}/mailbox/messages/${encodeURIComponent('<nope@x.com>')}`)
    expect(missing.status).toBe(404)
    expect((await json<{ error: { code: string } }>(missing)).error.code).toBe('MAILBOX_MESSAGE_NOT_FOUND')

    const planned = await fetch(`${server.url}/mailbox/failures`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 1, status: 429 }),
    })
    expect(await json(planned)).toEqual({ messages: 2, attempts: 2, pendingFailures: 1, persistent: false })
    const error = await failure(mg.messages.create(DOMAIN, { from: 'a@x.com', to: 'b@y.com', text: 'x' }))
    expect(error.status).toBe(429)

    expect((await fetch(`${server.url}/mailbox/messages`, { method: 'DELETE' })).status).toBe(204)
    expect(await json(fetch(`${server.url}/mailbox/messages`))).toEqual({ items: [], persistent: false })
  })

  it('refuses a malformed failure plan with the house error shape', async () => {
    const response = await fetch(`${server.url}/mailbox/failures`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 0, status: 200 }),
    })
    expect(response.status).toBe(400)
    const body = await json<{ error: { code: string } }>(response)
    expect(body.error.code).toBe('MAILBOX_BAD_REQUEST')
    expect(server.mailbox.pendingFailures()).toBe(0)
  })
})

describe('mounted inside another app', () => {
  it('serves under a prefix beside an app that parses forms itself', async () => {
    const app = Fastify()
    await app.register(formbody)
    app.post('/webhook', async (request) => ({ got: request.body }))
    await app.register(mailgunServer, { prefix: '/dev/mailgun', apiKey: 'dev' })
    await app.listen({ port: 0, host: '127.0.0.1' })
    try {
      const address = app.server.address()
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
      const answer = await client(`${base}/dev/mailgun`, 'dev').messages.create('dev.replyflow.local', { from: 'a@x.com', to: 'b@y.com', text: 'hi' })
      expect(answer.message).toBe('Queued. Thank you.')
      const listed = await json<Listed>(fetch(`${base}/dev/mailgun/mailbox/messages`))
      expect(listed.items).toHaveLength(1)
      // The host app's own form parsing is untouched.
      const webhook = await fetch(`${base}/webhook`, { method: 'POST', body: new URLSearchParams({ a: '1' }) })
      expect(await json(webhook)).toEqual({ got: { a: '1' } })
    } finally {
      await app.close()
    }
  })
})
