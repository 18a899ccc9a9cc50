import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { OutboundMail } from '../outbound-mail.ts'
import { MailSendError, createMailTransport } from './index.ts'

// What mailgun.js throws for answers of servers that are not Mailgun — e.g.
// the API when a worker sends to its dev mailbox but it runs with Mailgun —
// must still read as a reason in the log and on the delivery.

const mail: OutboundMail = { from: 'support@dev.replyflow.local', to: ['ann@agents.test'], subject: 'Hi', text: 'Hello', headers: {}, tags: [], variables: {} }

describe('send errors from servers that are not Mailgun', () => {
  let server: Server | undefined
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve))
    server = undefined
  })

  /** A server answering every request with `status`, `type` and `body`; resolves with its base URL. */
  async function answering(status: number, type: string, body: string): Promise<string> {
    server = createServer((request, response) => {
      request.resume()
      request.on('end', () => response.writeHead(status, { 'content-type': type }).end(body))
    })
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/dev/mailgun`
  }

  async function sendError(url: string): Promise<MailSendError> {
    const error: unknown = await createMailTransport({ apiKey: 'key', domain: 'dev.replyflow.local', url }).send(mail).then(
      () => new Error('expected the send to fail'),
      (thrown: unknown) => thrown,
    )
    if (!(error instanceof MailSendError)) throw error
    return error
  }

  it("reads an error object's code and message (the API's 404 without a dev mailbox), not [object Object]", async () => {
    const url = await answering(404, 'application/json', JSON.stringify({ error: { code: 'API_NOT_FOUND', message: 'no route POST /dev/mailgun/v3/dev.replyflow.local/messages' } }))
    const error = await sendError(url)
    expect(error).toMatchObject({ code: 'MAIL_REJECTED', httpStatus: 404, message: 'API_NOT_FOUND: no route POST /dev/mailgun/v3/dev.replyflow.local/messages' })
  })

  it('keeps a JSON body it cannot read as JSON, and a plain-text body as it is', async () => {
    expect((await sendError(await answering(403, 'application/json', JSON.stringify({ error: { reason: 'blocked' } })))).message).toBe('{"reason":"blocked"}')
    await new Promise((resolve) => server?.close(resolve))
    expect((await sendError(await answering(404, 'text/plain', 'Not here'))).message).toBe('Not here')
  })
})
