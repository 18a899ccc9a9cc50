import { buildEventPost, buildForwardPost, encodePost, type MailDescription } from '@replyflow/mail/testing'
import { parseMessageId } from '@replyflow/mail'
import type { RecordedMessage } from '@replyflow/mail/mailgun-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { E2E, closeDb, eventually, referenceFlow, startSystem, type System } from './harness.ts'

// Issue 5, "Done when": two-way e-mail through real processes — the API, a worker and the
// local Mailgun server, which forwards mail its routes match to the API's webhook, signed.

interface MessageView {
  id: string
  direction: 'in' | 'out'
  author: { type: string; id: string | null }
  content: string
  html: string | null
  flags: Record<string, boolean>
  attachments: { id: string; filename: string; url: string }[]
  delivery: { status: string; address: string; lastError: { code: string; message: string } | null } | null
}

const basic = `Basic ${Buffer.from(`api:${E2E.mailgun.apiKey}`).toString('base64')}`
const replyRoute = `reply\\+.*@${E2E.mailgun.domain.replace(/\./g, '\\.')}`

describe('two-way e-mail, end to end', () => {
  let system: System
  let flowId: string
  let ann: { id: string; email: string }
  const sign = { signingKey: E2E.mailgun.signingKey }

  /** Mailgun's own HTTP API on the local server, as a form post. */
  async function mailgunApi(path: string, fields: Record<string, string | string[]>): Promise<unknown> {
    const body = new URLSearchParams()
    for (const [name, value] of Object.entries(fields)) for (const one of [value].flat()) body.append(name, one)
    const response = await fetch(`${system.mailgun.url}${path}`, { method: 'POST', body, headers: { authorization: basic } })
    expect(response.status).toBe(200)
    return response.json()
  }

  /** Someone's mail client sending through the local server; its routes forward it to the API. Resolves once forwarded. */
  async function send(fields: Record<string, string | string[]>): Promise<void> {
    await mailgunApi(`/v3/${E2E.mailgun.domain}/messages`, fields)
    await fetch(`${system.mailgun.url}/mailbox/relays/idle`, { method: 'POST' })
  }

  /** Mailgun posting straight to the API's webhook. */
  async function postInbound(mail: MailDescription, signingKey: string = E2E.mailgun.signingKey, format?: 'urlencoded' | 'multipart') {
    const encoded = await encodePost(buildForwardPost(mail, { signingKey }), format)
    return fetch(`${system.apiUrl}/webhooks/mailgun/inbound`, { method: 'POST', headers: { 'content-type': encoded.contentType }, body: encoded.body })
  }

  function dbCount(table: string): number {
    const db = system.openDb()
    try {
      return db.$client.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${table}`).get()?.n ?? 0
    } finally {
      closeDb(db)
    }
  }

  /** Rows of `runs` or `deliveries` caused by one message. */
  function countFor(table: 'runs' | 'deliveries', messageId: string): number {
    const db = system.openDb()
    try {
      return db.$client.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM ${table} WHERE message_id = ?`).get(messageId)?.n ?? 0
    } finally {
      closeDb(db)
    }
  }

  function conversationOf(rfcMessageId: string): string {
    const db = system.openDb()
    try {
      const row = db.$client.prepare<[string], { conversation_id: string }>('SELECT conversation_id FROM messages WHERE rfc_message_id = ?').get(rfcMessageId)
      if (!row) throw new Error(`no message ${rfcMessageId}`)
      return row.conversation_id
    } finally {
      closeDb(db)
    }
  }

  async function messagesOf(conversationId: string): Promise<MessageView[]> {
    const answer = await system.request<{ items: MessageView[] }>('GET', `/conversations/${conversationId}/messages`)
    expect(answer.status).toBe(200)
    return answer.body.items
  }

  const mailTo = (address: string, where: (m: RecordedMessage) => boolean = () => true) =>
    system.mailgun.waitForMessages(1, { where: (m) => m.to.some((to) => to.includes(address)) && where(m) })

  beforeAll(async () => {
    system = await startSystem()
    ann = await system.createAgent({ name: 'Ann Agent', email: 'ann@agents.test' })
    await system.createAgent({ name: 'Bob Agent', email: 'bob@agents.test' })
    expect((await system.request('PUT', '/settings/offline-email', { senderMode: 'team', teamAddress: E2E.teamAddress })).status).toBe(200)
    flowId = (await system.publishFlow(referenceFlow(), { trigger: 'email.received' })).id
    const inbound = `${system.apiUrl}/webhooks/mailgun/inbound`
    await mailgunApi('/v3/routes', { priority: '0', expression: `match_recipient("${replyRoute}")`, action: [`forward("${inbound}")`, 'stop()'] })
    await mailgunApi('/v3/routes', { priority: '1', expression: `match_recipient("${E2E.teamAddress}")`, action: [`forward("${inbound}")`, 'stop()'] })
    for (const id of ['delivered', 'permanent_fail']) {
      await mailgunApi(`/v3/domains/${E2E.mailgun.domain}/webhooks`, { id, url: `${system.apiUrl}/webhooks/mailgun/events` })
    }
  })
  afterAll(async () => {
    await system?.stop()
  })

  it("mails the agents from the team address when a customer's mail runs the flow", async () => {
    await send({ from: 'Jane Doe <jane@customer.test>', to: E2E.teamAddress, subject: 'Where is my parcel?', text: 'It has been two weeks.', 'h:Message-Id': '<jane-1@customer.test>' })
    const run = await eventually(
      async () => {
        const runs = await system.request<{ items: { id: string; status: string }[] }>('GET', `/flows/${flowId}/runs`)
        return runs.body.items.find((item) => item.status === 'succeeded')
      },
      { what: 'the run of the flow' },
    )
    expect(run).toBeTruthy()
    const notification = (await mailTo('ann@agents.test'))[0]
    await mailTo('bob@agents.test')
    expect(notification?.from).toContain(`<${E2E.teamAddress}>`)
    expect(notification?.text).toContain('It has been two weeks.')
    expect(notification?.headers['Reply-To']).toMatch(new RegExp(`^${replyRoute}$`))
    expect(notification?.headers['Auto-Submitted']).toBe('auto-generated')
  })

  it("delivers an agent's e-mail reply to the customer, quotes removed, threaded under the customer's mail", async () => {
    const notification = (await mailTo('ann@agents.test'))[0]
    if (!notification) throw new Error('no notification')
    await send({
      from: 'Ann Agent <ann@agents.test>',
      to: notification.headers['Reply-To'] ?? '',
      subject: `Re: ${notification.subject}`,
      text: `It left our warehouse today.\n\nOn Wed, Jan 15, 2025 at 10:00 AM Jane Doe <${E2E.teamAddress}> wrote:\n> ${notification.text?.split('\n').join('\n> ')}`,
      'h:In-Reply-To': notification.id,
      'h:References': notification.id,
      'h:Message-Id': '<ann-reply-1@agents.test>',
    })
    const answer = (await mailTo('jane@customer.test'))[0]
    expect(answer?.from).toContain(`<${E2E.teamAddress}>`)
    expect(answer?.text).toBe('It left our warehouse today.')
    expect(answer?.subject).toBe('Re: Where is my parcel?')
    expect(answer?.headers['In-Reply-To']).toBe('<jane-1@customer.test>')
    expect(answer?.headers.References).toContain('<jane-1@customer.test>')
    const messages = await messagesOf(conversationOf('<jane-1@customer.test>'))
    expect(messages.map((m) => [m.direction, m.author.type, m.content])).toEqual([
      ['in', 'customer', 'It has been two weeks.'],
      ['out', 'agent', 'It left our warehouse today.'],
    ])
  })

  it("mails the customer the attachments an agent's e-mail reply carries", async () => {
    await send({ from: 'Tom Buyer <tom@customer.test>', to: E2E.teamAddress, subject: 'Invoice please', text: 'Can I have an invoice?', 'h:Message-Id': '<tom-1@customer.test>' })
    const notification = (await mailTo('ann@agents.test', (m) => m.text?.includes('Can I have an invoice?') === true))[0]
    if (!notification) throw new Error('no notification')
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n')
    // The agent's mail client posts multipart, with the file; the route forwards it as attachment-1.
    const form = new FormData()
    const fields = { from: 'Ann Agent <ann@agents.test>', to: notification.headers['Reply-To'] ?? '', subject: `Re: ${notification.subject}`, text: 'Here it is.', 'h:In-Reply-To': notification.id, 'h:Message-Id': '<ann-invoice@agents.test>' }
    for (const [name, value] of Object.entries(fields)) form.append(name, value)
    form.append('attachment', new Blob([pdf], { type: 'application/pdf' }), '发票-42.pdf')
    const sent = await fetch(`${system.mailgun.url}/v3/${E2E.mailgun.domain}/messages`, { method: 'POST', body: form, headers: { authorization: basic } })
    expect(sent.status).toBe(200)
    await fetch(`${system.mailgun.url}/mailbox/relays/idle`, { method: 'POST' })

    const answer = (await mailTo('tom@customer.test'))[0]
    expect(answer).toMatchObject({ text: 'Here it is.', headers: expect.objectContaining({ 'In-Reply-To': '<tom-1@customer.test>' }) })
    expect(answer?.attachments).toEqual([{ field: 'attachment', filename: '发票-42.pdf', contentType: 'application/pdf', size: pdf.length }])
    const bytes = await fetch(`${system.mailgun.url}/mailbox/messages/${encodeURIComponent(answer?.id ?? '')}/attachments/0`)
    expect(Buffer.from(await bytes.arrayBuffer())).toEqual(pdf)
    // The inbox shows the answer with its file too.
    const messages = await messagesOf(conversationOf('<tom-1@customer.test>'))
    expect(messages.at(-1)).toMatchObject({ direction: 'out', content: 'Here it is.', attachments: [expect.objectContaining({ filename: '发票-42.pdf' })] })
  })

  it('delivers an inbox answer the same way, and threads the customer\'s follow-up into the conversation', async () => {
    const conversationId = conversationOf('<jane-1@customer.test>')
    const posted = await system.request<{ id: string }>('POST', `/conversations/${conversationId}/messages`, { content: 'Tracking number: 123.', agentId: ann.id })
    expect(posted.status).toBe(201)
    const answer = (await mailTo('jane@customer.test', (m) => m.text === 'Tracking number: 123.'))[0]
    expect(answer?.headers['In-Reply-To']).toBe('<jane-1@customer.test>')
    expect(answer?.headers.References).toContain('<jane-1@customer.test>')
    expect(parseMessageId(answer?.id ?? '', 'unknown-secret')).toBeNull()

    // Jane answers our mail: it goes to the reply address and joins the same conversation.
    await send({
      from: 'Jane Doe <jane@customer.test>',
      to: answer?.headers['Reply-To'] ?? '',
      subject: 'Re: Where is my parcel?',
      text: `Thanks!\n\nOn Wed, Jan 15, 2025, Acme wrote:\n> Tracking number: 123.`,
      'h:In-Reply-To': answer?.id ?? '',
      'h:Message-Id': '<jane-2@customer.test>',
    })
    expect(conversationOf('<jane-2@customer.test>')).toBe(conversationId)
    const messages = await messagesOf(conversationId)
    expect(messages.at(-1)).toMatchObject({ direction: 'in', content: 'Thanks!' })
  })

  it('refuses a forged signature with 406 and stores nothing', async () => {
    const before = dbCount('messages')
    const answer = await postInbound({ from: 'mallory@evil.test', to: E2E.teamAddress, subject: 'Invoice', text: 'Pay here' }, 'not-the-signing-key')
    expect(answer.status).toBe(406)
    expect(dbCount('messages')).toBe(before)
  })

  it('stores a duplicate delivery once and refuses a replayed token with other content', async () => {
    const built = buildForwardPost({ from: 'kim@customer.test', to: E2E.teamAddress, subject: 'Hello', text: 'Once', messageId: '<kim-1@customer.test>' }, sign)
    const encoded = await encodePost(built)
    const post = (body: Buffer, contentType: string) => fetch(`${system.apiUrl}/webhooks/mailgun/inbound`, { method: 'POST', headers: { 'content-type': contentType }, body })
    const before = dbCount('messages')
    expect((await post(encoded.body, encoded.contentType)).status).toBe(200)
    expect((await post(encoded.body, encoded.contentType)).status).toBe(200)
    expect(dbCount('messages')).toBe(before + 1)

    const other = buildForwardPost({ from: 'kim@customer.test', to: E2E.teamAddress, subject: 'Hello', text: 'Wire the money elsewhere' }, sign)
    const replay = await encodePost({ fields: { ...other.fields, timestamp: built.fields.timestamp ?? '', token: built.fields.token ?? '', signature: built.fields.signature ?? '' }, files: [] })
    expect((await post(replay.body, replay.contentType)).status).toBe(406)
    expect(dbCount('messages')).toBe(before + 1)
  })

  it('stores an auto-reply flagged and answers it with no flow and no mail', async () => {
    await send({ from: 'Jane Doe <jane@customer.test>', to: E2E.teamAddress, subject: 'Automatic reply', text: 'I am on holiday.', 'h:Auto-Submitted': 'auto-replied', 'h:Message-Id': '<jane-ooo@customer.test>' })
    const messages = await messagesOf(conversationOf('<jane-ooo@customer.test>'))
    const autoReply = messages.find((m) => m.content === 'I am on holiday.')
    expect(autoReply?.flags).toMatchObject({ autoReply: true })
    expect(countFor('runs', autoReply?.id ?? '')).toBe(0)
    expect(countFor('deliveries', autoReply?.id ?? '')).toBe(0)
  })

  it("strips a Chinese client's quoted reply and sanitises HTML", async () => {
    await send({
      from: '王小明 <xiaoming@qq.test>',
      to: E2E.teamAddress,
      subject: '回复：退款',
      text: '好的，谢谢！\n\n------------------ 原始邮件 ------------------\n发件人: "Acme" <support@mg.e2e.test>;\n发送时间: 2025年1月15日(星期三) 上午10:00\n\n退款已提交。',
      html: '<div>好的，谢谢！<script>steal()</script><img src="x" onerror="steal()"></div>',
      'h:Message-Id': '<qq-1@qq.test>',
    })
    const [message] = await messagesOf(conversationOf('<qq-1@qq.test>'))
    expect(message?.content).toBe('好的，谢谢！')
    expect(message?.html).toBe('<div>好的，谢谢！<img src="x" /></div>')
  })

  it('keeps an attachment and serves it to logged-in users only', async () => {
    const pdf = Buffer.from('%PDF-1.4\n%%EOF\n')
    const answer = await postInbound(
      { from: 'lee@customer.test', to: E2E.teamAddress, subject: 'Invoice', text: 'Attached.', messageId: '<lee-1@customer.test>', attachments: [{ filename: '发票.pdf', contentType: 'application/pdf', content: pdf }] },
      undefined,
      'multipart',
    )
    expect(answer.status).toBe(200)
    const [message] = await messagesOf(conversationOf('<lee-1@customer.test>'))
    const attachment = message?.attachments[0]
    expect(attachment?.filename).toBe('发票.pdf')
    expect((await fetch(`${system.apiUrl}${attachment?.url}`)).status).toBe(401)
    const download = await system.request<string>('GET', (attachment?.url ?? '').replace('/api/v1', ''))
    expect(download.status).toBe(200)
    expect(download.body).toBe(pdf.toString())
  })

  it('marks the message failed and suppresses the address on a permanent failure', async () => {
    await fetch(`${system.mailgun.url}/mailbox/bounces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ address: 'gone@customer.test' }) })
    await send({ from: 'gone@customer.test', to: E2E.teamAddress, subject: 'Question', text: 'Is this shop open?', 'h:Message-Id': '<gone-1@customer.test>' })
    const conversationId = conversationOf('<gone-1@customer.test>')
    expect((await system.request('POST', `/conversations/${conversationId}/messages`, { content: 'Yes, every day.', agentId: ann.id })).status).toBe(201)
    const failed = await eventually(
      async () => (await messagesOf(conversationId)).find((m) => m.direction === 'out' && m.delivery?.status === 'failed'),
      { what: 'the answer marked failed' },
    )
    expect(failed.delivery?.lastError?.message).toContain('does not exist')
    const suppressed = await system.request<{ items: { address: string }[] }>('GET', '/suppressions')
    expect(suppressed.body.items.map((item) => item.address)).toContain('gone@customer.test')

    // No further mail to that address: the next answer is held back.
    expect((await system.request('POST', `/conversations/${conversationId}/messages`, { content: 'Hello?', agentId: ann.id })).status).toBe(201)
    const held = (await messagesOf(conversationId)).find((m) => m.content === 'Hello?')
    expect(held?.delivery).toMatchObject({ status: 'suppressed', lastError: { code: 'MAIL_ADDRESS_SUPPRESSED' } })
  })

  it('refuses a forged delivery event', async () => {
    const event = buildEventPost({ event: 'failed', severity: 'permanent', recipient: 'jane@customer.test', messageId: '<x@y>' }, { signingKey: 'forged' })
    const answer = await fetch(`${system.apiUrl}/webhooks/mailgun/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) })
    expect(answer.status).toBe(406)
  })
})
