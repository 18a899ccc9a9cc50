import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { connect, type AddressInfo } from 'node:net'
import pino from 'pino'
import { attachments, deliveries, messages, newId, insertAgent, insertDelivery, runs } from '@replyflow/db'
import type { FlowDefinition } from '@replyflow/flow'
import { buildEventPost, buildForwardPost, encodePost, type MailDescription } from '@replyflow/mail/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ATTACHMENT_LIMITS } from '../src/mail/attachment-store.ts'
import { attachmentsDir } from '../src/mail/mail-identity.ts'
import { json, referenceFlow, reportNotification, waitFor, type TestApp } from './helper.ts'
import { buildMailgunTestApp, customerMail, postInbound, sign, TEAM } from './mailgun-helper.ts'

// Issue 5's promises that had no test: every loop marker at the API, the unsubscribe
// event, the attachment limits, and a rollback pinning inbound runs to the old version.

let t: TestApp

beforeEach(async () => {
  t = await buildMailgunTestApp()
})
afterEach(async () => {
  await t.close()
})

const inbound = (mail: MailDescription) => postInbound(t, mail)

const event = (body: ReturnType<typeof buildEventPost>) => t.app.inject({ method: 'POST', url: '/webhooks/mailgun/events', payload: body })

/** Creates an `email.received` flow and publishes `definition` as its first version. */
async function publishFlow(definition: FlowDefinition = referenceFlow()): Promise<{ flowId: string; versionId: string }> {
  const created = json<{ id: string }>(await t.request({ method: 'POST', url: '/api/v1/flows', payload: { name: 'Inbound', channel: 'email', trigger: 'email.received' } }))
  return { flowId: created.id, versionId: await publishVersion(created.id, definition) }
}

async function publishVersion(flowId: string, definition: FlowDefinition): Promise<string> {
  const published = await t.request({ method: 'POST', url: `/api/v1/flows/${flowId}/versions`, payload: { definition } })
  expect(published.statusCode).toBe(201)
  return json<{ id: string }>(published).id
}

interface MessageView {
  id: string
  content: string
  flags: Record<string, boolean>
  attachments: { id: string; filename: string; size: number }[]
}

async function messagesOf(conversationId: string): Promise<MessageView[]> {
  const listed = await t.request({ method: 'GET', url: `/api/v1/conversations/${conversationId}/messages` })
  expect(listed.statusCode).toBe(200)
  return json<{ items: MessageView[] }>(listed).items
}

describe('automatic mail from customers (loop safety)', () => {
  it.each<[string, Partial<MailDescription>]>([
    ['X-Autorespond', { headers: { 'X-Autorespond': 'Out of office' } }],
    ['X-Auto-Response-Suppress', { headers: { 'X-Auto-Response-Suppress': 'All' } }],
    ['Precedence: junk', { headers: { Precedence: 'junk' } }],
    ['Precedence: list', { headers: { Precedence: 'list' } }],
    ['Precedence: auto_reply', { headers: { Precedence: 'auto_reply' } }],
    ['a mailer-daemon@ sender', { from: 'Mail Delivery Subsystem <MAILER-DAEMON@mx.customer.example>' }],
    ['a postmaster@ sender', { from: 'postmaster@customer.example' }],
  ])('stores mail with %s flagged as an automatic reply, starting no run and sending no mail', async (_marker, marker) => {
    await publishFlow()
    const answer = await inbound(customerMail({ subject: 'Automatic reply: Refund', ...marker }))
    expect(answer.statusCode).toBe(200)
    expect(json(answer)).toMatchObject({ status: 'stored' })
    const [stored] = t.db.select().from(messages).all()
    expect(stored?.flags).toMatchObject({ autoReply: true })
    expect((await messagesOf(stored?.conversationId ?? ''))[0]?.flags).toMatchObject({ autoReply: true })
    expect(t.db.select().from(runs).all()).toHaveLength(0)
    expect(t.db.select().from(deliveries).all()).toHaveLength(0)
    expect(await t.queues.runs.getJobCounts('waiting', 'delayed', 'active')).toMatchObject({ waiting: 0, delayed: 0, active: 0 })

    // The same mail without its marker is a person's, and starts the flow.
    await inbound(customerMail({ from: 'Jane Doe <jane@customer.example>' }))
    expect(t.db.select().from(runs).all()).toHaveLength(1)
  })
})

describe('the unsubscribed event', () => {
  it("suppresses further automated mail to the address, visibly in suppressions and on the agent", async () => {
    const at = new Date(t.clock.now).toISOString()
    const ann = insertAgent(t.db, { id: newId(t.clock.now), name: 'Ann', email: 'ann@acme.example', status: 'offline', createdAt: at, updatedAt: at })
    const { flowId } = await publishFlow()
    await inbound(customerMail({ messageId: '<first@customer.example>' }))
    const [first] = t.db.select().from(messages).all()
    // Ann's notification about that mail went out; she unsubscribes through its footer link.
    const notification = { from: TEAM, to: ['ann@acme.example'], subject: 'Refund', text: 'x', headers: {}, tags: [], variables: {} }
    insertDelivery(t.db, { id: newId(t.clock.now), messageId: first?.id ?? '', recipientType: 'agent', recipientId: ann.id, address: 'ann@acme.example', channel: 'email', status: 'sent', rfcMessageId: '<rf.notify.ann.1@mg.example>', mail: notification, createdAt: at, updatedAt: at })

    const unsubscribed = buildEventPost({ event: 'unsubscribed', recipient: 'ann@acme.example', messageId: '<rf.notify.ann.1@mg.example>' }, sign)
    expect(json(await event(unsubscribed))).toEqual({ status: 'applied' })

    const suppressions = json<{ items: { address: string; reason: string }[] }>(await t.request({ method: 'GET', url: '/api/v1/suppressions' })).items
    expect(suppressions).toEqual([expect.objectContaining({ address: 'ann@acme.example', reason: 'unsubscribed' })])
    expect(json(await t.request({ method: 'GET', url: `/api/v1/agents/${ann.id}` }))).toMatchObject({ suppression: { reason: 'unsubscribed', since: at } })

    // The customer writes again; the flow's run reports its notification to Ann: held back, not queued.
    t.clock.now += 60_000
    await inbound(customerMail({ messageId: '<second@customer.example>', text: 'Any news on my refund?' }))
    const run = t.db.select().from(runs).all().find((row) => row.flowId === flowId && row.messageId !== first?.id)
    const worker = { authorization: t.workerHeaders.authorization }
    const claimed = await t.request({ method: 'POST', url: '/internal/v1/runs/claim', payload: { runIds: [run?.id] }, as: null, headers: worker })
    expect(claimed.statusCode).toBe(200)
    const report = await reportNotification(t, run?.id, [{ agentId: ann.id, name: 'Ann', address: 'ann@acme.example' }], { subject: 'Refund for order 42', text: 'Any news on my refund?' })
    expect(report.statusCode).toBe(200)
    const held = t.db.select().from(deliveries).all().find((row) => row.address === 'ann@acme.example' && row.status !== 'sent')
    expect(held).toMatchObject({ recipientType: 'agent', status: 'suppressed', lastError: { code: 'MAIL_ADDRESS_SUPPRESSED' } })
    expect(await t.queues.mail.getJob(held?.id ?? '')).toBeFalsy()
  })
})

describe('attachment limits', () => {
  const file = (name: string, bytes: number) => ({ filename: name, contentType: 'application/octet-stream', content: Buffer.alloc(bytes, name.charCodeAt(0)) })

  function storedFiles(): number {
    return readdirSync(attachmentsDir(t.config), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).length
  }

  async function storedMessage() {
    const [message] = t.db.select().from(messages).all()
    if (!message) throw new Error('no message stored')
    const [view] = await messagesOf(message.conversationId)
    return { message, view }
  }

  it('stores the files readable by this user only, as the database is', async () => {
    expect((await inbound(customerMail({ attachments: [file('invoice.pdf', 100)] }))).statusCode).toBe(200)
    const [stored] = readdirSync(attachmentsDir(t.config), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
    if (!stored) throw new Error('no file stored')
    expect(statSync(join(stored.parentPath, stored.name)).mode & 0o777).toBe(0o600)
    expect(statSync(stored.parentPath).mode & 0o777).toBe(0o700)
  })

  it(`keeps the first ${ATTACHMENT_LIMITS.count} files of a mail with more, and flags the message`, async () => {
    const files = Array.from({ length: ATTACHMENT_LIMITS.count + 1 }, (_, i) => file(`file-${i + 1}.txt`, 10))
    const answer = await inbound(customerMail({ attachments: files }))
    expect(json(answer)).toMatchObject({ status: 'stored' })
    const { message, view } = await storedMessage()
    expect(message.flags).toMatchObject({ attachmentsDropped: true })
    expect(view?.flags).toMatchObject({ attachmentsDropped: true })
    expect(view?.attachments.map((attachment) => attachment.filename)).toEqual(files.slice(0, ATTACHMENT_LIMITS.count).map((f) => f.filename))
    expect(storedFiles()).toBe(ATTACHMENT_LIMITS.count)
  })

  it('fails, not hangs, a post cut off in a file past the count, and stores nothing', async () => {
    // Its own app, listening for real, with a log to see the request end.
    const lines: { msg?: string; err?: { message?: string } }[] = []
    const logger = pino({ level: 'error' }, { write: (line: string) => void lines.push(JSON.parse(line)) })
    const app = await buildMailgunTestApp({ logger })
    try {
      await app.app.listen({ port: 0, host: '127.0.0.1' })
      const { port } = app.app.server.address() as AddressInfo
      const files = Array.from({ length: ATTACHMENT_LIMITS.count + 5 }, (_, i) => file(`big-${i + 1}.bin`, 64 * 1024))
      const encoded = await encodePost(buildForwardPost(customerMail({ attachments: files }), sign), 'multipart')
      const body = Buffer.from(encoded.body)
      // The connection drops in the middle of the 23rd file, one that is read past, not kept.
      const socket = connect(port, '127.0.0.1')
      await new Promise((resolve) => socket.once('connect', resolve))
      socket.write(`POST /webhooks/mailgun/inbound HTTP/1.1\r\nHost: x\r\nContent-Type: ${encoded.contentType}\r\nContent-Length: ${body.length}\r\n\r\n`)
      socket.write(body.subarray(0, body.indexOf('big-23.bin') + 32 * 1024))
      // Time for the server to read into that file (nothing to wait on from outside), then the drop.
      await new Promise((resolve) => setTimeout(resolve, 200))
      socket.destroy()
      await waitFor(() => lines.some((line) => line.err !== undefined), 5_000)
      expect(app.db.select().from(messages).all()).toEqual([])
    } finally {
      await app.close()
    }
  })

  it('stores a mail with dozens of files instead of refusing it, keeping the first ones and flagging it', async () => {
    // Mailgun caps a message's size, not its number of files: 60 tiny ones are a real mail.
    const files = Array.from({ length: 60 }, (_, i) => file(`tiny-${i + 1}.txt`, 1))
    const answer = await inbound(customerMail({ attachments: files }))
    expect(answer.statusCode).toBe(200)
    expect(json(answer)).toMatchObject({ status: 'stored' })
    const { message, view } = await storedMessage()
    expect(message.flags).toMatchObject({ attachmentsDropped: true })
    expect(view?.attachments.map((attachment) => attachment.filename)).toEqual(files.slice(0, ATTACHMENT_LIMITS.count).map((f) => f.filename))
  })

  it('drops a file over the size limit and keeps the others', async () => {
    const answer = await inbound(customerMail({ attachments: [file('a-small.txt', 100), file('huge.bin', ATTACHMENT_LIMITS.fileBytes + 1), file('z-small.txt', 200)] }))
    expect(json(answer)).toMatchObject({ status: 'stored' })
    const { message, view } = await storedMessage()
    expect(message.flags).toMatchObject({ attachmentsDropped: true })
    expect(view?.attachments.map((attachment) => [attachment.filename, attachment.size])).toEqual([
      ['a-small.txt', 100],
      ['z-small.txt', 200],
    ])
    expect(storedFiles()).toBe(2)
  })

  it('drops the file that would pass the total size limit, keeping those before and after it that fit', async () => {
    const big = Math.floor(ATTACHMENT_LIMITS.totalBytes / 2) + 1
    const answer = await inbound(customerMail({ attachments: [file('first.bin', big), file('second.bin', big), file('third.txt', 300)] }))
    expect(json(answer)).toMatchObject({ status: 'stored' })
    const { message, view } = await storedMessage()
    expect(message.flags).toMatchObject({ attachmentsDropped: true })
    expect(view?.attachments.map((attachment) => attachment.filename)).toEqual(['first.bin', 'third.txt'])
    const download = await t.request({ method: 'GET', url: `/api/v1/attachments/${view?.attachments[1]?.id}` })
    expect(download.rawPayload.equals(Buffer.alloc(300, 't'.charCodeAt(0)))).toBe(true)
  })

  it('does not flag a mail within the limits', async () => {
    await inbound(customerMail({ attachments: [file('a.txt', 10), file('b.txt', 20)] }))
    const { message } = await storedMessage()
    expect(message.flags.attachmentsDropped).toBeUndefined()
    expect(t.db.select().from(attachments).all()).toHaveLength(2)
  })
})

describe('a rollback', () => {
  it("pins an inbound customer mail's run to the version activated again", async () => {
    const { flowId, versionId: v1 } = await publishFlow()
    const changed = referenceFlow()
    changed.nodes.find((node) => node.id === 'check')!.config = { expression: 'true' }
    const v2 = await publishVersion(flowId, changed)
    expect(v2).not.toBe(v1)

    await inbound(customerMail({ messageId: '<before-rollback@customer.example>' }))
    const activated = await t.request({ method: 'POST', url: `/api/v1/flows/${flowId}/versions/1/activate`, payload: {} })
    expect(activated.statusCode).toBe(200)
    await inbound(customerMail({ messageId: '<after-rollback@customer.example>', text: 'Still waiting for that refund.' }))

    const runOf = (rfcMessageId: string) => {
      const message = t.db.select().from(messages).all().find((row) => row.rfcMessageId === rfcMessageId)
      return t.db.select().from(runs).all().find((row) => row.messageId === message?.id)
    }
    const before = runOf('<before-rollback@customer.example>')
    const after = runOf('<after-rollback@customer.example>')
    expect(before?.versionId).toBe(v2)
    expect(after?.versionId).toBe(v1)
    expect(json(await t.request({ method: 'GET', url: `/api/v1/runs/${after?.id}` }))).toMatchObject({ versionId: v1, version: 1 })
    // The worker gets v1's definition for it.
    const claimed = await t.request({ method: 'POST', url: '/internal/v1/runs/claim', payload: { runIds: [after?.id] }, as: null, headers: t.workerHeaders })
    const [item] = json<{ items: { versionId: string; definition: FlowDefinition }[] }>(claimed).items
    expect(item?.versionId).toBe(v1)
    expect(item?.definition).toEqual(referenceFlow())
  })
})
