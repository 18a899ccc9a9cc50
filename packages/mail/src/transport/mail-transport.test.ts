import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startMailgunServer, type RunningMailgunServer } from '../mailgun-server/index.ts'
import type { OutboundMail } from '../outbound-mail.ts'
import { MailSendError, createMailTransport } from './index.ts'

const KEY = 'key-transport'
const DOMAIN = 'mg.example.com'

const mail: OutboundMail = {
  from: 'Support <support@mg.example.com>',
  to: ['agent@example.com'],
  subject: 'New message from Jane',
  text: 'I would like a refund',
  html: '<p>I would like a refund</p>',
  headers: {
    'Message-Id': '<rf.abc123@mg.example.com>',
    'In-Reply-To': '<customer-1@example.com>',
    References: '<customer-1@example.com>',
    'Reply-To': 'support@mg.example.com',
    'Auto-Submitted': 'auto-generated',
  },
  tags: ['agent-notification'],
  variables: { 'rf-conversation': 'conv1', 'rf-message': 'msg1' },
}

async function sendError(promise: Promise<unknown>): Promise<MailSendError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof MailSendError) return error
    throw error
  }
  throw new Error('expected the send to fail')
}

describe('mail transport', () => {
  let server: RunningMailgunServer
  beforeAll(async () => {
    server = await startMailgunServer({ apiKey: KEY })
  })
  afterAll(() => server.close())
  beforeEach(() => {
    server.mailbox.clear()
    server.mailbox.clearFailures()
  })

  it('sends headers as h:, tags as o:tag and variables as v:, keeping our Message-Id', async () => {
    const transport = createMailTransport({ apiKey: KEY, domain: DOMAIN, url: server.url })
    const sent = await transport.send(mail)
    expect(sent).toEqual({ providerId: '<rf.abc123@mg.example.com>' })
    expect(server.mailbox.messages()).toEqual([
      expect.objectContaining({
        id: '<rf.abc123@mg.example.com>',
        domain: DOMAIN,
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers: mail.headers,
        tags: mail.tags,
        variables: mail.variables,
      }),
    ])
  })

  it('sends attachments multipart, with their names and types', async () => {
    const transport = createMailTransport({ apiKey: KEY, domain: DOMAIN, url: server.url })
    const pdf = Buffer.from('%PDF-1.4\n%%EOF\n')
    const withFiles: OutboundMail = { ...mail, attachments: [{ id: 'att1', filename: '发票.pdf', contentType: 'application/pdf', size: pdf.length }] }
    await transport.send(withFiles, [{ filename: '发票.pdf', contentType: 'application/pdf', content: pdf }])
    expect(server.mailbox.messages()[0]?.attachments).toEqual([{ field: 'attachment', filename: '发票.pdf', contentType: 'application/pdf', size: pdf.length, content: pdf }])
  })

  it('refuses a mail whose attachments came without their bytes, before sending', async () => {
    const transport = createMailTransport({ apiKey: KEY, domain: DOMAIN, url: server.url })
    const error = await sendError(transport.send({ ...mail, attachments: [{ id: 'att1', filename: 'a.txt', contentType: 'text/plain', size: 1 }] }))
    expect(error).toMatchObject({ code: 'MAIL_INVALID', retryable: false })
    expect(server.mailbox.attempts()).toBe(0)
  })

  it.each([
    [429, 'MAIL_RATE_LIMITED'],
    [500, 'MAIL_PROVIDER_UNAVAILABLE'],
    [503, 'MAIL_PROVIDER_UNAVAILABLE'],
  ])('treats %i as retryable', async (status, code) => {
    server.mailbox.failNext(1, { status, message: 'try later' })
    const error = await sendError(createMailTransport({ apiKey: KEY, domain: DOMAIN, url: server.url }).send(mail))
    expect(error).toMatchObject({ code, retryable: true, httpStatus: status, message: 'try later' })
  })

  it('treats a 4xx as permanent, with Mailgun\'s reason', async () => {
    server.mailbox.failNext(1, { status: 400, message: "'to' parameter is not a valid address. please check documentation" })
    const error = await sendError(createMailTransport({ apiKey: KEY, domain: DOMAIN, url: server.url }).send(mail))
    expect(error).toMatchObject({
      code: 'MAIL_REJECTED',
      retryable: false,
      httpStatus: 400,
      message: "'to' parameter is not a valid address. please check documentation",
    })
  })

  it('treats a wrong API key as permanent', async () => {
    const error = await sendError(createMailTransport({ apiKey: 'wrong', domain: DOMAIN, url: server.url }).send(mail))
    expect(error).toMatchObject({ code: 'MAIL_REJECTED', retryable: false, httpStatus: 401, message: 'Forbidden' })
  })

  it('refuses a recipient that names more than one mailbox, before sending', async () => {
    const transport = createMailTransport({ apiKey: KEY, domain: DOMAIN, url: server.url })
    const error = await sendError(transport.send({ ...mail, to: ['"Jane" <victim@x.example,attacker@evil.example>'] }))
    expect(error).toMatchObject({ code: 'MAIL_INVALID', retryable: false })
    expect(server.mailbox.attempts()).toBe(0)
    // A comma inside a quoted display name is one mailbox.
    await transport.send({ ...mail, to: ['"Doe, Jane" <jane@example.com>'] })
    expect(server.mailbox.messages().map((message) => message.to)).toEqual([['"Doe, Jane" <jane@example.com>']])
  })

  it('refuses more than three tags before sending', async () => {
    const error = await sendError(
      createMailTransport({ apiKey: KEY, domain: DOMAIN, url: server.url }).send({ ...mail, tags: ['a', 'b', 'c', 'd'] }),
    )
    expect(error).toMatchObject({ code: 'MAIL_INVALID', retryable: false })
    expect(server.mailbox.attempts()).toBe(0)
  })
})

describe('mail transport without an answer', () => {
  let silent: Server
  beforeAll(async () => {
    // Accepts connections and never answers, like a provider that hangs.
    silent = createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  })
  afterAll(async () => {
    silent.closeAllConnections()
    await new Promise((resolve) => silent.close(resolve))
  })

  it('treats a refused connection as retryable', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as AddressInfo
    await new Promise((resolve) => closed.close(resolve))
    const error = await sendError(createMailTransport({ apiKey: KEY, domain: DOMAIN, url: `http://127.0.0.1:${port}` }).send(mail))
    expect(error).toMatchObject({ code: 'MAIL_NETWORK', retryable: true })
    expect(error.message).toContain('ECONNREFUSED')
  })

  it('treats a timeout as retryable', async () => {
    const { port } = silent.address() as AddressInfo
    const transport = createMailTransport({ apiKey: KEY, domain: DOMAIN, url: `http://127.0.0.1:${port}`, timeoutMs: 200 })
    const error = await sendError(transport.send(mail))
    expect(error).toMatchObject({ code: 'MAIL_NETWORK', retryable: true })
  })
})
