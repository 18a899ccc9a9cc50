/**
 * The floor of `pnpm bench`: the least any implementation of the reference
 * scenario must do for one customer mail, and nothing else. It answers the
 * signed Mailgun post (verify the signature, parse the mail as Replyflow does)
 * and sends the agent's notification through the same mailgun.js transport to
 * the same local Mailgun server. No database, no queue, no worker, no replay
 * check, no flow: what `pnpm bench` measures on top of this is Replyflow's cost.
 *
 * Run as its own process (scripts/bench.ts starts it with tsx):
 *   FLOOR_MAILGUN_URL=… FLOOR_MAILGUN_KEY=… FLOOR_MAILGUN_DOMAIN=… FLOOR_SIGNING_KEY=… tsx e2e/floor-system.ts
 * Prints one JSON line `{ "url": … }` once it listens; stops on SIGTERM.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage } from 'node:http'
import { composeAgentNotification, createMailTransport, parseForwardPost, verifyWebhookSignature } from '@replyflow/mail'

function required(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is required`)
  return value
}

const domain = required('FLOOR_MAILGUN_DOMAIN')
const signingKey = required('FLOOR_SIGNING_KEY')
const transport = createMailTransport({ apiKey: required('FLOOR_MAILGUN_KEY'), domain, url: required('FLOOR_MAILGUN_URL') })
const settings = { senderMode: 'team', teamAddress: `support@${domain}` } as const
const agent = { id: 'floor-agent', name: 'Floor Agent', email: 'agent@floor.test' }

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString()
}

const server = createServer((request, response) => {
  const answer = (status: number, body: object) => {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  }
  if (request.method !== 'POST' || !request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
    answer(415, { error: 'the floor takes urlencoded forward() posts only' })
    return
  }
  void readBody(request).then(async (text) => {
    const fields = Object.fromEntries(new URLSearchParams(text))
    if (!verifyWebhookSignature(signingKey, fields)) return answer(406, { error: 'bad signature' })
    const mail = await parseForwardPost({ fields, files: [] })
    answer(200, { status: 'stored' })
    const notification = composeAgentNotification({
      settings,
      agent,
      customer: { name: mail.from?.name ?? null, email: mail.from?.address ?? null },
      conversation: { id: randomUUID(), subject: mail.subject, references: mail.messageId ? [mail.messageId] : [] },
      message: { id: randomUUID(), subject: mail.subject, text: mail.strippedText ?? mail.text },
      domain,
      secret: signingKey,
    })
    await transport.send(notification)
  }).catch((error: unknown) => {
    console.error(JSON.stringify({ msg: 'floor failed', error: String(error) }))
    if (!response.headersSent) answer(500, { error: String(error) })
  })
})

server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`)
})
process.once('SIGTERM', () => server.close(() => process.exit(0)))
