import type { FastifyPluginAsync, onRequestAsyncHookHandler } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { randomUUID } from 'node:crypto'
import addressparser from 'nodemailer/lib/addressparser'
import { Type, type Static } from 'typebox'
import { parseMessageIdList } from '../signed-ids.ts'
import type { MailDescription } from '../testing/mailgun-posts.ts'
import { MailboxError, useControlErrors } from './control.routes.ts'
import { FormSchema, MAX_BODY_BYTES, type Form } from './form.ts'
import type { RouteTable } from './inbound-routes.ts'
import type { Mailbox, RecordedMessage } from './mailbox.ts'
import type { Relay, RelayRecord, WebhookTable } from './relay.ts'

const MailgunError = Type.Object({ message: Type.String() })
const RouteSchema = Type.Object({
  id: Type.String(),
  priority: Type.Number(),
  description: Type.String(),
  expression: Type.String(),
  actions: Type.Array(Type.String()),
  created_at: Type.String(),
})
const WebhookSchema = Type.Object({ urls: Type.Array(Type.String()), url: Type.Optional(Type.String()) })

const first = (form: Form, name: string): string | undefined => form.fields[name]?.[0]

/** Mailgun's Routes and domain Webhooks APIs (`/v3/routes`, `/v3/domains/:domain/webhooks`), as mailgun.js calls them. */
export const relayApiRoutes: FastifyPluginAsync<{ routes: RouteTable; webhooks: WebhookTable }> = async (scope, { routes, webhooks }) => {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()

  app.post(
    '/v3/routes',
    { schema: { body: FormSchema, response: { 200: Type.Object({ message: Type.String(), route: RouteSchema }), '4xx': MailgunError } } },
    async (request, reply) => {
      const form = request.body
      const expression = first(form, 'expression')
      if (!expression) return reply.code(400).send({ message: 'expression parameter is missing' })
      const priority = Number(first(form, 'priority') ?? 0)
      if (!Number.isInteger(priority) || priority < 0) return reply.code(400).send({ message: 'priority must be a non-negative integer' })
      const route = routes.create({ priority, description: first(form, 'description') ?? '', expression, actions: form.fields.action ?? [] })
      if (typeof route === 'string') return reply.code(400).send({ message: route })
      return { message: 'Route has been created', route }
    },
  )

  app.get(
    '/v3/routes',
    {
      schema: {
        // Optional, defaulted in the handler: a host app's validator (the API's TypeBox one) may not apply schema defaults.
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000 })), skip: Type.Optional(Type.Integer({ minimum: 0 })) }),
        response: { 200: Type.Object({ total_count: Type.Integer(), items: Type.Array(RouteSchema) }) },
      },
    },
    async (request) => {
      const all = routes.list()
      const { limit = 100, skip = 0 } = request.query
      return { total_count: all.length, items: all.slice(skip, skip + limit) }
    },
  )

  app.get(
    '/v3/routes/match',
    { schema: { querystring: Type.Object({ address: Type.String({ minLength: 3 }) }), response: { 200: Type.Object({ route: RouteSchema }), 404: MailgunError } } },
    async (request, reply) => {
      const [route] = routes.matching({ recipient: request.query.address, headers: {} })
      return route ? { route } : reply.code(404).send({ message: 'Route not found' })
    },
  )

  app.get(
    '/v3/routes/:id',
    { schema: { params: Type.Object({ id: Type.String() }), response: { 200: Type.Object({ route: RouteSchema }), 404: MailgunError } } },
    async (request, reply) => {
      const route = routes.get(request.params.id)
      return route ? { route } : reply.code(404).send({ message: 'Route not found' })
    },
  )

  app.delete(
    '/v3/routes/:id',
    { schema: { params: Type.Object({ id: Type.String() }), response: { 200: Type.Object({ message: Type.String(), id: Type.String() }), 404: MailgunError } } },
    async (request, reply) =>
      routes.remove(request.params.id) ? { message: 'Route has been deleted', id: request.params.id } : reply.code(404).send({ message: 'Route not found' }),
  )

  const DomainParams = Type.Object({ domain: Type.String({ minLength: 1 }) })

  app.post(
    '/v3/domains/:domain/webhooks',
    { schema: { params: DomainParams, body: FormSchema, response: { 200: Type.Object({ message: Type.String(), webhook: WebhookSchema }), '4xx': MailgunError } } },
    async (request, reply) => {
      const id = first(request.body, 'id')
      const urls = request.body.fields.url ?? []
      if (!id || urls.length === 0) return reply.code(400).send({ message: 'id and url parameters are required' })
      if (urls.some((url) => !/^https?:\/\//.test(url))) return reply.code(400).send({ message: 'url must be an http(s) URL' })
      webhooks.set(request.params.domain, id, urls)
      return { message: 'Webhook has been created', webhook: { urls, url: urls[0] } }
    },
  )

  app.get(
    '/v3/domains/:domain/webhooks',
    { schema: { params: DomainParams, response: { 200: Type.Object({ webhooks: Type.Record(Type.String(), WebhookSchema) }) } } },
    async (request) => ({
      webhooks: Object.fromEntries(Object.entries(webhooks.list(request.params.domain)).map(([id, urls]) => [id, { urls }])),
    }),
  )

  app.get(
    '/v3/domains/:domain/webhooks/:id',
    { schema: { params: Type.Object({ domain: Type.String(), id: Type.String() }), response: { 200: Type.Object({ webhook: WebhookSchema }), 404: MailgunError } } },
    async (request, reply) => {
      const urls = webhooks.get(request.params.domain, request.params.id)
      return urls.length > 0 ? { webhook: { urls } } : reply.code(404).send({ message: 'Webhook not found' })
    },
  )

  app.delete(
    '/v3/domains/:domain/webhooks/:id',
    { schema: { params: Type.Object({ domain: Type.String(), id: Type.String() }), response: { 200: Type.Object({ message: Type.String(), webhook: WebhookSchema }), 404: MailgunError } } },
    async (request, reply) => {
      const urls = webhooks.get(request.params.domain, request.params.id)
      if (!webhooks.remove(request.params.domain, request.params.id)) return reply.code(404).send({ message: 'Webhook not found' })
      return { message: 'Webhook has been deleted', webhook: { urls } }
    },
  )
}

const RelayRecordSchema = Type.Object({
  kind: Type.Union([Type.Literal('forward'), Type.Literal('event')]),
  url: Type.String(),
  messageId: Type.String(),
  recipient: Type.String(),
  event: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Integer(), Type.Null()]),
  attempts: Type.Integer(),
  at: Type.String(),
})

const AttachmentUpload = Type.Object(
  {
    filename: Type.String({ minLength: 1, maxLength: 255 }),
    contentType: Type.Optional(Type.String({ minLength: 3, maxLength: 255 })),
    /** The file's bytes, base64. */
    contentBase64: Type.String({ maxLength: MAX_BODY_BYTES }),
  },
  { additionalProperties: false },
)
type AttachmentUpload = Static<typeof AttachmentUpload>

const Text = Type.String({ maxLength: 200_000 })
const Address = Type.String({ minLength: 3, maxLength: 998 })

/** `POST /mailbox/inbound`: a mail someone sends to a routed address (a customer writing to the team). */
export const SimulatedMailSchema = Type.Object(
  {
    /** `Name <address>` or a bare address. */
    from: Address,
    /** The recipient(s), comma-separated like a To header. */
    to: Address,
    cc: Type.Optional(Type.Array(Address, { maxItems: 50 })),
    subject: Type.String({ maxLength: 998 }),
    text: Text,
    html: Type.Optional(Text),
    /** Defaults to a fresh `<uuid@mailbox.local>`. */
    messageId: Type.Optional(Type.String({ minLength: 3, maxLength: 998 })),
    inReplyTo: Type.Optional(Type.String({ minLength: 3, maxLength: 998 })),
    references: Type.Optional(Type.Array(Type.String({ maxLength: 998 }), { maxItems: 100 })),
    /** Extra headers (`Auto-Submitted`, `X-Mailgun-Spf`, …). */
    headers: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 998 }))),
    attachments: Type.Optional(Type.Array(AttachmentUpload, { maxItems: 20 })),
  },
  { additionalProperties: false },
)

/** `POST /mailbox/messages/:id/reply`: the recipient of a recorded message answers it from their mail client. */
export const SimulatedReplySchema = Type.Object(
  {
    /** What the recipient writes above the quoted message. */
    text: Text,
    html: Type.Optional(Text),
    /** Who replies; defaults to the message's first `to`. */
    from: Type.Optional(Address),
    attachments: Type.Optional(Type.Array(AttachmentUpload, { maxItems: 20 })),
  },
  { additionalProperties: false },
)

/** The answer of both: the mail's Message-Id and what the routes did with it. */
export const SimulationAnswerSchema = Type.Object({ messageId: Type.String(), forwards: Type.Array(RelayRecordSchema) })

const ErrorAnswer = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) })

function decodeAttachments(uploads: readonly AttachmentUpload[] = []): NonNullable<MailDescription['attachments']> {
  return uploads.map((upload) => ({ filename: upload.filename, contentType: upload.contentType ?? 'application/octet-stream', content: Buffer.from(upload.contentBase64, 'base64') }))
}

function domainOf(address: string): string {
  return addressparser(address, { flatten: true })[0]?.address.split('@')[1] ?? 'mailbox.local'
}

/** The reply a mail client composes: to Reply-To (else From), `Re:` subject, threaded, the original quoted below. */
export function composeReply(message: RecordedMessage, reply: Static<typeof SimulatedReplySchema>): MailDescription {
  const header = (name: string) => Object.entries(message.headers).find(([key]) => key.toLowerCase() === name)?.[1]
  const from = reply.from ?? message.to[0] ?? ''
  const subject = message.subject ?? ''
  const quoted = (message.text ?? '').split('\n').map((line) => `> ${line}`).join('\n')
  return {
    from,
    to: header('reply-to') ?? message.from,
    subject: /^re:/i.test(subject) ? subject : `Re: ${subject}`,
    text: `${reply.text}\n\nOn ${new Date(message.receivedAt).toUTCString()}, ${message.from} wrote:\n${quoted}\n`,
    ...(reply.html ? { html: reply.html } : {}),
    messageId: `<${randomUUID()}@${domainOf(from)}>`,
    inReplyTo: message.id,
    references: [...parseMessageIdList(header('references')), message.id],
    attachments: decodeAttachments(reply.attachments),
  }
}

/** Forwards through the routes, refusing (422) a mail no route takes: Mailgun would drop it silently. */
async function simulate(relay: Relay, mail: MailDescription): Promise<{ messageId: string; forwards: RelayRecord[] }> {
  const forwards = await relay.receive(mail)
  if (forwards.length === 0) {
    throw new MailboxError(422, 'MAILBOX_NO_ROUTE', `no route matches ${mail.recipient ?? [mail.to].flat().join(', ')}; create one with POST /v3/routes`)
  }
  return { messageId: forwards[0]?.messageId ?? '', forwards }
}

/**
 * Control surface of the relay under `/mailbox`: what was forwarded or
 * posted, waiting for it, addresses that bounce, and mail arriving from
 * outside — a customer writing in, or a recipient replying to a recorded
 * message — run through the routes exactly as Mailgun's would.
 */
export const relayControlRoutes: FastifyPluginAsync<{ relay: Relay; mailbox: Mailbox; guard?: onRequestAsyncHookHandler }> = async (scope, { relay, mailbox, guard }) => {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  if (guard) app.addHook('onRequest', guard)
  useControlErrors(app)

  app.get('/mailbox/relays', { schema: { response: { 200: Type.Object({ items: Type.Array(RelayRecordSchema) }) } } }, async () => ({ items: [...relay.records()] }))

  // Lets an out-of-process test wait for the forwards its send caused, instead of sleeping.
  app.post('/mailbox/relays/idle', { schema: { response: { 200: Type.Object({ items: Type.Array(RelayRecordSchema) }) } } }, async () => {
    await relay.idle()
    return { items: [...relay.records()] }
  })

  app.post(
    '/mailbox/bounces',
    { schema: { body: Type.Object({ address: Type.String({ minLength: 3, maxLength: 254 }) }, { additionalProperties: false }), response: { 200: Type.Object({ items: Type.Array(Type.String()) }) } } },
    async (request) => {
      relay.bounce(request.body.address)
      return { items: relay.bounced() }
    },
  )

  app.post(
    '/mailbox/inbound',
    { bodyLimit: MAX_BODY_BYTES, schema: { body: SimulatedMailSchema, response: { 200: SimulationAnswerSchema, '4xx': ErrorAnswer } } },
    async (request) => {
      const { attachments, ...mail } = request.body
      return simulate(relay, { ...mail, attachments: decodeAttachments(attachments) })
    },
  )

  app.post(
    '/mailbox/messages/:id/reply',
    { bodyLimit: MAX_BODY_BYTES, schema: { params: Type.Object({ id: Type.String() }), body: SimulatedReplySchema, response: { 200: SimulationAnswerSchema, '4xx': ErrorAnswer } } },
    async (request) => {
      const message = mailbox.get(request.params.id)
      if (!message) throw new MailboxError(404, 'MAILBOX_MESSAGE_NOT_FOUND', `no message "${request.params.id}"`)
      return simulate(relay, composeReply(message, request.body))
    },
  )
}
