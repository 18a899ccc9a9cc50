import { readdirSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import pino from 'pino'
import {
  attachments,
  conversations,
  customers,
  deliveries,
  insertAgent,
  insertDelivery,
  mailEvents,
  messages,
  newId,
  runs,
  suppressions,
  webhookTokens,
} from '@replyflow/db'
import { createMessageId, createReplyAddress, parseMessageId } from '@replyflow/mail'
import { buildEventPost, buildForwardPost, buildMimePost, encodePost, type BuiltForwardPost, type MailDescription, type SignOptions } from '@replyflow/mail/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AUTOMATED_MAIL_CAP, deliveryGate } from '../src/mail/delivery-gate.ts'
import { attachmentsDir, mailIdentity } from '../src/mail/mail-identity.ts'
import { FORM_LIMITS } from '../src/webhooks/mailgun-form.ts'
import { createPublishedFlow, json, referenceFlow, reportNotification, waitFor, type TestApp } from './helper.ts'
import { buildMailgunTestApp, customerMail, postInbound, sign, TEAM } from './mailgun-helper.ts'

let t: TestApp

beforeEach(async () => {
  t = await buildMailgunTestApp()
})
afterEach(async () => {
  await t.close()
})

async function post(path: string, body: BuiltForwardPost, format?: 'urlencoded' | 'multipart') {
  const encoded = await encodePost(body, format)
  return t.app.inject({ method: 'POST', url: path, headers: { 'content-type': encoded.contentType }, payload: encoded.body })
}

const inbound = (mail: MailDescription, format?: 'urlencoded' | 'multipart', signOptions: SignOptions = sign) => postInbound(t, mail, format, signOptions)

async function publishFlow(trigger: 'email.received' | 'message.offline' = 'email.received'): Promise<string> {
  const created = json<{ id: string }>(await t.request({ method: 'POST', url: '/api/v1/flows', payload: { name: `Flow ${trigger}`, channel: 'email', trigger } }))
  await t.request({ method: 'PUT', url: `/api/v1/flows/${created.id}/draft`, payload: { definition: referenceFlow() } })
  const published = await t.request({ method: 'POST', url: `/api/v1/flows/${created.id}/versions`, payload: {} })
  expect(published.statusCode).toBe(201)
  return created.id
}

function addAgent(email: string, status: 'online' | 'offline' = 'offline') {
  const at = new Date(t.clock.now).toISOString()
  return insertAgent(t.db, { id: newId(t.clock.now), name: email.split('@')[0] ?? email, email, status, createdAt: at, updatedAt: at })
}

const all = {
  messages: () => t.db.select().from(messages).all(),
  conversations: () => t.db.select().from(conversations).all(),
  runs: () => t.db.select().from(runs).all(),
  deliveries: () => t.db.select().from(deliveries).all(),
}

describe('POST /webhooks/mailgun/inbound', () => {
  it('stores a customer mail and queues a run of each enabled flow whose trigger matches', async () => {
    const received = await publishFlow('email.received')
    const offline = await publishFlow('message.offline')
    const answer = await inbound(customerMail({ messageId: '<m1@customer.example>' }))
    expect(answer.statusCode).toBe(200)
    expect(json(answer)).toMatchObject({ status: 'stored' })

    const [message] = all.messages()
    expect(message).toMatchObject({ direction: 'in', authorType: 'customer', content: 'Hello, I would like a refund for order 42.', rfcMessageId: '<m1@customer.example>' })
    expect(all.conversations()).toHaveLength(1)
    const queued = all.runs()
    // No agent is online, so the offline flow runs too.
    expect(queued.map((run) => run.flowId).sort()).toEqual([received, offline].sort())
    expect(queued.every((run) => run.status === 'queued' && run.messageId === message?.id)).toBe(true)
    // Handed to the queue after the answer (DESIGN.md §3).
    for (const run of queued) await waitFor(async () => (await t.queues.runs.getJob(run.id)) !== undefined)
  })

  it('answers once the mail is committed, without waiting for Redis to take its runs', async () => {
    const lines: Record<string, unknown>[] = []
    const offline = await buildMailgunTestApp({ producerRedisUrl: 'redis://127.0.0.1:1', logger: pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) }) })
    try {
      const flowId = (await createPublishedFlow(offline, { trigger: 'email.received' })).flowId
      const answer = await postInbound(offline, customerMail())
      expect(answer.statusCode).toBe(200)
      const notEnqueued = (line: Record<string, unknown>) => line.msg === 'runs not enqueued; the dispatcher will retry'
      // The hand-over (failing here: no Redis) is still under way when Mailgun has its answer.
      expect(lines.filter(notEnqueued)).toEqual([])
      expect(offline.db.select().from(runs).all()).toEqual([expect.objectContaining({ flowId, status: 'queued', enqueuedAt: null })])
      await waitFor(() => lines.some(notEnqueued))
    } finally {
      await offline.close()
    }
  })

  it('logs each mail it receives at info, with the ids to follow it by', async () => {
    const lines: Record<string, unknown>[] = []
    const logged = await buildMailgunTestApp({ logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }) })
    try {
      const answer = await postInbound(logged, customerMail())
      const { messageId } = json<{ messageId: string }>(answer)
      expect(lines).toEqual(expect.arrayContaining([expect.objectContaining({ msg: 'inbound mail', level: 30, messageId, kind: 'customer', status: 'stored' })]))
    } finally {
      await logged.close()
    }
  })

  it('answers 200 for a stored mail even when marking its runs enqueued fails afterwards', async () => {
    const flowId = await publishFlow('email.received')
    // SQLite refuses the mark (as a full disk would); the mail and its runs are already committed and queued.
    t.db.$client.exec("CREATE TRIGGER refuse_marks BEFORE UPDATE OF enqueued_at ON runs BEGIN SELECT RAISE(ABORT, 'no marks'); END")
    const answer = await inbound(customerMail())
    expect(answer.statusCode).toBe(200)
    const [run] = all.runs()
    expect(run).toMatchObject({ flowId, status: 'queued', enqueuedAt: null })
    await waitFor(async () => (await t.queues.runs.getJob(run?.id ?? '')) !== undefined)
  })

  it('skips message.offline flows while an agent is online', async () => {
    addAgent('ann@acme.example', 'online')
    const received = await publishFlow('email.received')
    await publishFlow('message.offline')
    await inbound(customerMail())
    expect(all.runs().map((run) => run.flowId)).toEqual([received])
  })

  it('refuses a forged signature with 406 and stores nothing', async () => {
    const forged = await inbound(customerMail(), undefined, { signingKey: 'not-our-key' })
    expect(forged.statusCode).toBe(406)
    expect(json(forged)).toMatchObject({ error: { code: 'MAIL_WEBHOOK_BAD_SIGNATURE' } })
    const { fields, files } = buildForwardPost(customerMail(), sign)
    const unsigned = await post('/webhooks/mailgun/inbound', { fields: { ...fields, signature: '' }, files })
    expect(unsigned.statusCode).toBe(406)
    expect(all.messages()).toHaveLength(0)
    expect(t.db.select().from(webhookTokens).all()).toHaveLength(0)
  })

  it('keeps no customer address that is a list in disguise, so no stranger gets the answers', async () => {
    const disguised = 'Jane <victim@x.example,attacker@evil.example>'
    expect((await inbound(customerMail({ from: disguised, sender: 'victim@x.example' }))).statusCode).toBe(200)
    expect((await inbound(customerMail({ from: disguised, sender: 'victim@x.example,attacker@evil.example', subject: 'Again' }))).statusCode).toBe(200)
    // The envelope sender, when it is one mailbox; otherwise a customer without an address.
    expect(t.db.select().from(customers).all().map((customer) => customer.email).sort()).toEqual(['victim@x.example', null].sort())
  })

  it('stores a retried delivery once, whether Mailgun re-sends the same token or re-signs it', async () => {
    await publishFlow()
    const built = buildForwardPost(customerMail({ messageId: '<dup@customer.example>' }), sign)
    expect(json(await post('/webhooks/mailgun/inbound', built))).toMatchObject({ status: 'stored' })
    expect(json(await post('/webhooks/mailgun/inbound', built))).toMatchObject({ status: 'duplicate' })
    const resigned = buildForwardPost(customerMail({ messageId: '<dup@customer.example>' }), sign)
    expect(json(await post('/webhooks/mailgun/inbound', resigned))).toMatchObject({ status: 'duplicate' })
    expect(all.messages()).toHaveLength(1)
    expect(all.runs()).toHaveLength(1)
  })

  it('refuses a seen token carrying other content (a replayed signature)', async () => {
    const original = buildForwardPost(customerMail(), sign)
    await post('/webhooks/mailgun/inbound', original)
    const forgedBody = buildForwardPost(customerMail({ text: 'Please send the refund to my new bank account' }), sign)
    const replay = { fields: { ...forgedBody.fields, timestamp: original.fields.timestamp ?? '', token: original.fields.token ?? '', signature: original.fields.signature ?? '' }, files: [] }
    const answer = await post('/webhooks/mailgun/inbound', replay)
    expect(answer.statusCode).toBe(406)
    expect(json(answer)).toMatchObject({ error: { code: 'MAIL_WEBHOOK_REPLAYED' } })
    expect(all.messages()).toHaveLength(1)
  })

  it('does not burn the token when processing fails', async () => {
    const built = buildForwardPost(customerMail(), sign)
    t.db.$client.exec("CREATE TRIGGER fail_messages BEFORE INSERT ON messages BEGIN SELECT RAISE(ABORT, 'disk trouble'); END")
    expect((await post('/webhooks/mailgun/inbound', built)).statusCode).toBe(500)
    expect(t.db.select().from(webhookTokens).all()).toHaveLength(0)
    expect(all.conversations()).toHaveLength(0)
    t.db.$client.exec('DROP TRIGGER fail_messages')
    // Mailgun retries with the same signature: now it is stored.
    expect(json(await post('/webhooks/mailgun/inbound', built))).toMatchObject({ status: 'stored' })
    expect(all.messages()).toHaveLength(1)
  })

  it('threads a follow-up by In-Reply-To and References into the same conversation', async () => {
    await inbound(customerMail({ messageId: '<first@customer.example>' }))
    await inbound(customerMail({ messageId: '<second@customer.example>', subject: 'Re: Refund for order 42', inReplyTo: '<first@customer.example>', text: 'Any news?' }))
    await inbound(customerMail({ messageId: '<third@customer.example>', references: ['<first@customer.example>', '<unknown@elsewhere>'], text: 'Hello?' }))
    expect(all.conversations()).toHaveLength(1)
    expect(all.messages()).toHaveLength(3)
  })

  it("does not let a stranger join someone's conversation by guessing a Message-Id", async () => {
    await inbound(customerMail({ messageId: '<first@customer.example>' }))
    await inbound(customerMail({ from: 'Mallory <mallory@evil.example>', messageId: '<x@evil.example>', inReplyTo: '<first@customer.example>' }))
    expect(all.conversations()).toHaveLength(2)
  })

  it('threads a reply to our signed reply address, whoever sends it', async () => {
    await inbound(customerMail({ messageId: '<first@customer.example>' }))
    const [conversation] = all.conversations()
    const identity = mailIdentity(t.deps)
    const replyAddress = createReplyAddress({ conversationId: conversation?.id ?? '', domain: identity.domain, secret: identity.secret })
    await inbound(customerMail({ from: 'Jane at work <jane@work.example>', to: replyAddress, text: 'From my work address' }))
    expect(all.conversations()).toHaveLength(1)
  })

  it('stores an auto-reply flagged, with no run and no mail', async () => {
    await publishFlow()
    await inbound(customerMail({ subject: 'Out of office', text: 'I am away until Monday.', headers: { 'Auto-Submitted': 'auto-replied' } }))
    const [message] = all.messages()
    expect(message?.flags).toMatchObject({ autoReply: true })
    expect(all.runs()).toHaveLength(0)
    expect(all.deliveries()).toHaveLength(0)
  })

  it("strips a Chinese client's quoted history when Mailgun didn't", async () => {
    const text = '好的，谢谢！\n\n------------------ 原始邮件 ------------------\n发件人: "Acme" <support@acme.example>;\n发送时间: 2025年1月1日\n\n您好，退款已提交。'
    await inbound(customerMail({ text }))
    const [stored] = all.messages()
    expect(stored).toMatchObject({ content: '好的，谢谢！', fullText: text })
    // The inbox shows the reply, and the original on demand.
    const shown = await t.request({ method: 'GET', url: `/api/v1/conversations/${stored?.conversationId}/messages` })
    expect(shown.json().items).toEqual([expect.objectContaining({ content: '好的，谢谢！', fullText: text })])
  })

  it('sanitises HTML and keeps attachments, downloadable only when logged in', async () => {
    const png = Buffer.from('89504e470d0a1a0a', 'hex')
    const answer = await inbound(
      customerMail({
        html: '<p onclick="x()">See <img src="cid:shot1"></p><script>alert(1)</script>',
        attachments: [
          { filename: 'shot.png', contentType: 'image/png', content: png, contentId: 'shot1' },
          { filename: 'page.html', contentType: 'text/html', content: '<script>alert(1)</script>' },
        ],
      }),
    )
    expect(answer.statusCode).toBe(200)
    const [message] = all.messages()
    const files = t.db.select().from(attachments).all()
    expect(files.map((file) => file.filename)).toEqual(['shot.png', 'page.html'])
    const shot = files[0]
    expect(message?.html).toBe(`<p>See <img src="/api/v1/attachments/${shot?.id}" /></p>`)

    const anonymous = await t.request({ method: 'GET', url: `/api/v1/attachments/${shot?.id}`, as: null })
    expect(anonymous.statusCode).toBe(401)
    const download = await t.request({ method: 'GET', url: `/api/v1/attachments/${shot?.id}` })
    expect(download.statusCode).toBe(200)
    expect(download.rawPayload.equals(png)).toBe(true)
    const html = await t.request({ method: 'GET', url: `/api/v1/attachments/${files[1]?.id}` })
    expect(html.headers['content-type']).toBe('application/octet-stream')
    expect(html.headers['content-disposition']).toMatch(/^attachment;/)
  })

  it('accepts the raw-MIME variant', async () => {
    const built = await buildMimePost(customerMail({ messageId: '<mime@customer.example>', attachments: [{ filename: 'a.txt', contentType: 'text/plain', content: 'hi' }] }), sign)
    const answer = await post('/webhooks/mailgun/inbound/mime', built, 'multipart')
    expect(json(answer)).toMatchObject({ status: 'stored' })
    expect(all.messages()[0]).toMatchObject({ rfcMessageId: '<mime@customer.example>', content: 'Hello, I would like a refund for order 42.' })
    expect(t.db.select().from(attachments).all()).toHaveLength(1)
  })
})

describe('oversized multipart posts, before any signature is checked', () => {
  const boundary = 'rf-test-boundary'
  const field = (name: string, bytes: number) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${'x'.repeat(bytes)}\r\n`)

  it('are refused with 413 when they declare more than the limit', async () => {
    const answer = await t.app.inject({
      method: 'POST',
      url: '/webhooks/mailgun/inbound',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(FORM_LIMITS.bodyBytes + 1) },
      payload: field('a', 10),
    })
    expect(answer.statusCode).toBe(413)
    expect(json(answer)).toMatchObject({ error: { code: 'API_BODY_TOO_LARGE' } })
  })

  it('are cut off with 413 once a chunked one passes the limit, unsigned fields and all, storing nothing', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = t.app.server.address() as AddressInfo
    const megabyte = 1024 * 1024
    let sent = 0
    const status = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      const request = httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/webhooks/mailgun/inbound', headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' } }, (response) => {
        let body = ''
        response.on('data', (chunk: Buffer) => (body += chunk.toString()))
        response.on('end', () => {
          request.destroy()
          resolve({ code: response.statusCode ?? 0, body })
        })
      })
      request.on('error', reject)
      // Fields with names of their own, as the attack sends them; up to twice the limit, stopping once answered.
      const writeMore = () => {
        while (sent < 2 * FORM_LIMITS.bodyBytes && !request.destroyed) {
          sent += megabyte
          if (!request.write(field(`f${sent}`, megabyte))) return void request.once('drain', writeMore)
        }
        request.end(`--${boundary}--\r\n`)
      }
      request.once('response', () => (sent = Number.POSITIVE_INFINITY))
      writeMore()
    })
    expect(status.code).toBe(413)
    expect(JSON.parse(status.body)).toMatchObject({ error: { code: 'API_BODY_TOO_LARGE' } })
    expect(all.messages()).toEqual([])
  })
})

describe("agents' e-mail replies", () => {
  async function conversationWithNotification(agentId: string) {
    await inbound(customerMail({ messageId: '<ask@customer.example>' }))
    const [message] = all.messages()
    const identity = mailIdentity(t.deps)
    const notificationId = createMessageId({ conversationId: message?.conversationId ?? '', messageId: message?.id ?? '', agentId, domain: identity.domain, secret: identity.secret })
    return { message, notificationId }
  }

  it("become the agent's answer, delivered to the customer threaded under their mail", async () => {
    const agent = addAgent('ann@acme.example')
    const { message, notificationId } = await conversationWithNotification(agent.id)
    const reply = await inbound({
      from: 'Ann <ann@acme.example>',
      to: TEAM,
      subject: 'Re: Refund for order 42',
      text: 'Your refund is on its way.\n\nOn Wed, Jan 15, 2025 at 10:00 AM Jane <support@acme.example> wrote:\n> ## Reply above this line ## / 请在此行以上回复\n> Hello, I would like a refund',
      inReplyTo: notificationId,
      references: [notificationId],
      headers: { 'X-Mailgun-Spf': 'Pass', 'X-Mailgun-Dkim-Check-Result': 'Pass' },
    })
    expect(json(reply)).toMatchObject({ status: 'stored' })
    const answer = all.messages().find((row) => row.direction === 'out')
    expect(answer).toMatchObject({ authorType: 'agent', authorId: agent.id, conversationId: message?.conversationId, content: 'Your refund is on its way.' })
    const [delivery] = all.deliveries()
    expect(delivery).toMatchObject({ recipientType: 'customer', address: 'jane@customer.example', status: 'queued', messageId: answer?.id })
    const mail = delivery?.mail
    expect(mail?.to).toEqual(['"Jane Doe" <jane@customer.example>'])
    expect(mail?.from).toBe(`"ann" <${TEAM}>`)
    expect(mail?.subject).toBe('Re: Refund for order 42')
    expect(mail?.text).toBe('Your refund is on its way.')
    expect(mail?.headers['In-Reply-To']).toBe('<ask@customer.example>')
    expect(mail?.headers.References).toBe('<ask@customer.example>')
    expect(parseMessageId(delivery?.rfcMessageId ?? '', mailIdentity(t.deps).secret)).toMatchObject({ conversationId: message?.conversationId })
    await waitFor(async () => (await t.queues.mail.getJob(delivery?.id ?? '')) !== undefined)
    expect(all.runs()).toHaveLength(0)
  })

  it('are kept but flagged when the thread is not a notification sent to that agent', async () => {
    await publishFlow()
    const ann = addAgent('ann@acme.example')
    const bob = addAgent('bob@acme.example')
    const { notificationId } = await conversationWithNotification(ann.id)
    const runsBefore = all.runs().length
    await inbound({ from: 'bob@acme.example', to: TEAM, subject: 'Re: Refund', text: 'I take this one', inReplyTo: notificationId })
    const flagged = all.messages().find((row) => row.authorId === bob.id)
    expect(flagged).toMatchObject({ direction: 'in', authorType: 'agent', flags: { unverifiedSender: true } })
    expect(t.db.select().from(customers).all().map((customer) => customer.email)).toEqual(['jane@customer.example'])
    expect(all.deliveries()).toHaveLength(0)
    expect(all.runs()).toHaveLength(runsBefore)
  })

  it("are kept, flagged and run no flow when the agent was deleted meanwhile (or the notification forwarded to someone else)", async () => {
    await publishFlow()
    const ann = addAgent('ann@acme.example')
    const { message, notificationId } = await conversationWithNotification(ann.id)
    expect((await t.request({ method: 'DELETE', url: `/api/v1/agents/${ann.id}` })).statusCode).toBe(204)
    const runsBefore = all.runs().length
    await inbound({ from: 'Ann <ann@acme.example>', to: TEAM, subject: 'Re: Refund', text: 'I am still on it', inReplyTo: notificationId, references: [notificationId] })
    const flagged = all.messages().find((row) => row.content === 'I am still on it')
    expect(flagged).toMatchObject({ direction: 'in', conversationId: message?.conversationId, flags: { unverifiedSender: true } })
    expect(all.runs()).toHaveLength(runsBefore)
    expect(all.deliveries()).toHaveLength(0)
  })

  it('are kept but flagged when Mailgun sees both SPF and DKIM fail', async () => {
    const ann = addAgent('ann@acme.example')
    const { notificationId } = await conversationWithNotification(ann.id)
    await inbound({
      from: 'ann@acme.example',
      to: TEAM,
      subject: 'Re: Refund',
      text: 'Send your card number',
      inReplyTo: notificationId,
      headers: { 'X-Mailgun-Spf': 'Fail', 'X-Mailgun-Dkim-Check-Result': 'Fail' },
    })
    expect(all.messages().find((row) => row.authorId === ann.id)?.flags).toMatchObject({ unverifiedSender: true })
    expect(all.deliveries()).toHaveLength(0)
  })
})

describe('POST /webhooks/mailgun/events', () => {
  async function answeredConversation() {
    const agent = addAgent('ann@acme.example')
    await inbound(customerMail({ messageId: '<ask@customer.example>' }))
    const [message] = all.messages()
    const identity = mailIdentity(t.deps)
    const notificationId = createMessageId({ conversationId: message?.conversationId ?? '', messageId: message?.id ?? '', agentId: agent.id, domain: identity.domain, secret: identity.secret })
    await inbound({ from: 'ann@acme.example', to: TEAM, subject: 'Re: Refund', text: 'Done.', inReplyTo: notificationId })
    const [delivery] = all.deliveries()
    if (!delivery) throw new Error('no delivery')
    return delivery
  }

  const event = (body: ReturnType<typeof buildEventPost>) => t.app.inject({ method: 'POST', url: '/webhooks/mailgun/events', payload: body })

  it('marks a delivery delivered, once per event id', async () => {
    const delivery = await answeredConversation()
    const body = buildEventPost({ event: 'delivered', recipient: delivery.address, messageId: delivery.rfcMessageId }, sign)
    expect(json(await event(body))).toEqual({ status: 'applied' })
    expect(json(await event(body))).toEqual({ status: 'duplicate' })
    expect(all.deliveries()[0]?.status).toBe('delivered')
    expect(all.messages().find((row) => row.direction === 'out')?.deliveryStatus).toBe('delivered')
    expect(t.db.select().from(mailEvents).all()).toHaveLength(1)
  })

  it('marks a permanent failure and suppresses the address, so no further mail goes to it', async () => {
    const delivery = await answeredConversation()
    const failed = buildEventPost({ event: 'failed', severity: 'permanent', reason: 'bounce', recipient: delivery.address, messageId: delivery.rfcMessageId, deliveryStatus: { code: 550, message: 'mailbox does not exist' } }, sign)
    expect(json(await event(failed))).toEqual({ status: 'applied' })
    expect(all.deliveries()[0]).toMatchObject({ status: 'failed', lastError: { message: 'mailbox does not exist' } })
    expect(all.messages().find((row) => row.direction === 'out')?.deliveryStatus).toBe('failed')
    expect(t.db.select().from(suppressions).all()).toMatchObject([{ address: 'jane@customer.example', reason: 'bounce: bounce' }])
    const list = json<{ items: unknown[] }>(await t.request({ method: 'GET', url: '/api/v1/suppressions' }))
    expect(list.items).toHaveLength(1)

    // The next answer to that customer is held back, not sent.
    const ann = all.messages().find((row) => row.direction === 'out')?.authorId ?? ''
    const [ask] = all.messages()
    const identity = mailIdentity(t.deps)
    const notificationId = createMessageId({ conversationId: ask?.conversationId ?? '', messageId: ask?.id ?? '', agentId: ann, domain: identity.domain, secret: identity.secret })
    await inbound({ from: 'ann@acme.example', to: TEAM, subject: 'Re: Refund', text: 'Hello again', inReplyTo: notificationId })
    const second = all.deliveries().find((row) => row.id !== delivery.id)
    expect(second).toMatchObject({ status: 'suppressed', lastError: { code: 'MAIL_ADDRESS_SUPPRESSED' } })
    expect(await t.queues.mail.getJob(second?.id ?? '')).toBeFalsy()
  })

  it('keeps the status on a temporary failure and suppresses on a complaint', async () => {
    const delivery = await answeredConversation()
    await event(buildEventPost({ event: 'failed', severity: 'temporary', recipient: delivery.address, messageId: delivery.rfcMessageId }, sign))
    expect(all.deliveries()[0]?.status).toBe('queued')
    expect(t.db.select().from(suppressions).all()).toHaveLength(0)
    await event(buildEventPost({ event: 'complained', recipient: delivery.address, messageId: delivery.rfcMessageId }, sign))
    expect(all.deliveries()[0]?.status).toBe('complained')
    expect(t.db.select().from(suppressions).all()).toMatchObject([{ reason: 'complaint' }])
  })

  it("shows on the agent that their address is suppressed once a notification to them bounced, until it is lifted", async () => {
    const agent = addAgent('ann@acme.example')
    await inbound(customerMail({ messageId: '<ask-ann@customer.example>' }))
    const [message] = all.messages()
    const at = new Date(t.clock.now).toISOString()
    const mail = { from: TEAM, to: ['ann@acme.example'], subject: 'Refund', text: 'x', headers: {}, tags: [], variables: {} }
    insertDelivery(t.db, { id: newId(t.clock.now), messageId: message?.id ?? '', recipientType: 'agent', recipientId: agent.id, address: 'ann@acme.example', channel: 'email', status: 'sent', rfcMessageId: '<rf.notify.ann@mg.example>', mail, createdAt: at, updatedAt: at })
    const agents = async () => json<{ items: { id: string; suppression: unknown }[] }>(await t.request({ method: 'GET', url: '/api/v1/agents' })).items
    expect((await agents())[0]?.suppression).toBeNull()

    const bounced = buildEventPost({ event: 'failed', severity: 'permanent', reason: 'bounce', recipient: 'ann@acme.example', messageId: '<rf.notify.ann@mg.example>' }, sign)
    expect(json(await event(bounced))).toEqual({ status: 'applied' })
    const suppression = { reason: 'bounce: bounce', since: at }
    expect(await agents()).toEqual([expect.objectContaining({ id: agent.id, suppression })])
    expect(json(await t.request({ method: 'GET', url: `/api/v1/agents/${agent.id}` }))).toMatchObject({ suppression })

    expect((await t.request({ method: 'DELETE', url: '/api/v1/suppressions/ann@acme.example' })).statusCode).toBe(204)
    expect((await agents())[0]?.suppression).toBeNull()
  })

  it('refuses a forged event with 406', async () => {
    const delivery = await answeredConversation()
    const forged = buildEventPost({ event: 'failed', severity: 'permanent', recipient: delivery.address, messageId: delivery.rfcMessageId }, { signingKey: 'wrong' })
    expect((await event(forged)).statusCode).toBe(406)
    expect(all.deliveries()[0]?.status).toBe('queued')
    expect(t.db.select().from(suppressions).all()).toHaveLength(0)
  })
})

describe('attachment files', () => {
  it('are not kept twice when Mailgun re-posts a stored mail', async () => {
    const mail = customerMail({ messageId: '<att@customer.example>', attachments: [{ filename: 'a.txt', contentType: 'text/plain', content: 'x' }] })
    await inbound(mail)
    // Re-signed, as a re-post by Mailgun would be.
    await inbound(mail)
    expect(t.db.select().from(attachments).all()).toHaveLength(1)
    const files = readdirSync(attachmentsDir(t.config), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
    expect(files).toHaveLength(1)
  })
})

describe('automated mail caps', () => {
  it('hold back automated mail to one address past the hourly cap, but never a person\'s answer', async () => {
    await inbound(customerMail())
    const [message] = all.messages()
    const at = new Date(t.clock.now).toISOString()
    for (let i = 0; i < AUTOMATED_MAIL_CAP.perHour; i++) {
      insertDelivery(t.db, {
        id: newId(t.clock.now),
        messageId: message?.id ?? '',
        recipientType: 'agent',
        recipientId: 'A',
        address: 'ann@acme.example',
        channel: 'email',
        status: 'sent',
        rfcMessageId: `<n${i}@acme.example>`,
        mail: { from: TEAM, to: ['ann@acme.example'], subject: 's', text: 't', headers: {}, tags: [], variables: {} },
        createdAt: at,
        updatedAt: at,
      })
    }
    expect(deliveryGate(t.db, 'ANN@acme.example', { automated: true, now: t.clock.now })).toMatchObject({ status: 'suppressed', error: { code: 'MAIL_RATE_CAPPED' } })
    expect(deliveryGate(t.db, 'ann@acme.example', { automated: false, now: t.clock.now })).toEqual({ status: 'queued' })
    expect(deliveryGate(t.db, 'ann@acme.example', { automated: true, now: t.clock.now + 61 * 60 * 1000 })).toEqual({ status: 'queued' })
  })
})

describe('threading of answers', () => {
  it("ends a second answer's References with the customer's mail it answers, not the first answer", async () => {
    await inbound(customerMail({ messageId: '<original@customer.example>' }))
    const conversationId = all.conversations()[0]?.id ?? ''
    const alice = addAgent('alice@acme.example')
    const bob = addAgent('bob@acme.example')
    for (const [agent, content] of [[alice, 'Refund on its way.'], [bob, 'And a voucher for the wait.']] as const) {
      t.clock.now += 60_000
      const res = await t.request({ method: 'POST', url: `/api/v1/conversations/${conversationId}/messages`, payload: { content, agentId: agent.id } })
      expect(res.statusCode).toBe(201)
    }
    const [first, second] = all.deliveries().sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    for (const delivery of [first, second]) {
      expect(delivery?.mail.headers['In-Reply-To']).toBe('<original@customer.example>')
      expect(delivery?.mail.headers.References).toBe('<original@customer.example>')
    }
  })
})

describe('a third party in the thread', () => {
  it("is stored as the author of their mail, and the agents' notification names them, not the conversation's customer", async () => {
    await publishFlow('email.received')
    const ann = addAgent('ann@acme.example')
    await inbound(customerMail({ messageId: '<jane-1@customer.example>' }))
    const conversationId = all.conversations()[0]?.id ?? ''
    const identity = mailIdentity(t.deps)
    // Jane's colleague, in Cc of our answer, replies to its signed reply address.
    await inbound({
      from: 'Bob Colleague <bob@customer.example>',
      to: createReplyAddress({ conversationId, domain: identity.domain, secret: identity.secret }),
      subject: 'Re: Refund for order 42',
      text: 'Jane is away; the order number is 42-B.',
      messageId: '<bob-1@customer.example>',
    })
    expect(all.conversations()).toHaveLength(1)

    const listed = await t.request({ method: 'GET', url: `/api/v1/conversations/${conversationId}/messages` })
    expect(json<{ items: { author: unknown }[] }>(listed).items.map((item) => item.author)).toEqual([
      { type: 'customer', id: expect.any(String), name: 'Jane Doe', email: 'jane@customer.example' },
      { type: 'customer', id: expect.any(String), name: 'Bob Colleague', email: 'bob@customer.example' },
    ])

    const bobsMessage = all.messages().find((row) => row.rfcMessageId === '<bob-1@customer.example>')
    const bobsRun = all.runs().find((run) => run.messageId === bobsMessage?.id)
    const worker = { authorization: t.workerHeaders.authorization }
    const claimed = await t.request({ method: 'POST', url: '/internal/v1/runs/claim', payload: { runIds: [bobsRun?.id] }, as: null, headers: worker })
    expect(json<{ items: { context: { customer: { email: string } } }[] }>(claimed).items[0]?.context.customer.email).toBe('bob@customer.example')
    const report = await reportNotification(t, bobsRun?.id, [{ agentId: ann.id, name: 'ann', address: 'ann@acme.example' }], { subject: 'Re: Refund for order 42', text: 'Jane is away; the order number is 42-B.' })
    expect(report.statusCode).toBe(200)
    const notification = all.deliveries().find((delivery) => delivery.recipientType === 'agent')
    expect(notification?.mail.from).toBe(`"Bob Colleague (Replyflow)" <${TEAM}>`)
    expect(notification?.mail.text).toContain('Bob Colleague <bob@customer.example>:')
    expect(notification?.mail.text).not.toContain('jane@customer.example')
  })
})
