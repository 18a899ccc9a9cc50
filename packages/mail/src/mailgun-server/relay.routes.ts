import type { FastifyPluginAsync, onRequestAsyncHookHandler } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { FormSchema, type Form } from './form.ts'
import type { RouteTable } from './inbound-routes.ts'
import type { Relay, WebhookTable } from './relay.ts'

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
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1_000, default: 100 }), skip: Type.Integer({ minimum: 0, default: 0 }) }),
        response: { 200: Type.Object({ total_count: Type.Integer(), items: Type.Array(RouteSchema) }) },
      },
    },
    async (request) => {
      const all = routes.list()
      return { total_count: all.length, items: all.slice(request.query.skip, request.query.skip + request.query.limit) }
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

/** Control surface of the relay under `/mailbox`: what was forwarded or posted, waiting for it, and addresses that bounce. */
export const relayControlRoutes: FastifyPluginAsync<{ relay: Relay; guard?: onRequestAsyncHookHandler }> = async (scope, { relay, guard }) => {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  if (guard) app.addHook('onRequest', guard)

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
}
