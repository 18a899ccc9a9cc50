import type { FastifyPluginAsync, onRequestAsyncHookHandler } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { defaultFailureMessage, type Mailbox } from './mailbox.ts'

const Attachment = Type.Object({
  field: Type.Union([Type.Literal('attachment'), Type.Literal('inline')]),
  filename: Type.String(),
  contentType: Type.String(),
  size: Type.Integer(),
})
const StringMap = Type.Record(Type.String(), Type.String())
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()])

/** A recorded message on the wire (the control surface's own JSON, not Mailgun's). */
export const RecordedMessageSchema = Type.Object({
  id: Type.String(),
  domain: Type.String(),
  receivedAt: Type.String(),
  from: Type.String(),
  to: Type.Array(Type.String()),
  cc: Type.Array(Type.String()),
  bcc: Type.Array(Type.String()),
  subject: Nullable(Type.String()),
  text: Nullable(Type.String()),
  html: Nullable(Type.String()),
  headers: StringMap,
  variables: StringMap,
  tags: Type.Array(Type.String()),
  options: StringMap,
  attachments: Type.Array(Attachment),
})

const ErrorAnswer = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
})
const Stats = Type.Object({
  messages: Type.Integer(),
  attempts: Type.Integer(),
  pendingFailures: Type.Integer(),
})

export interface ControlRoutesOptions {
  mailbox: Mailbox
  /** Runs before every control route, e.g. to require an admin session when mounted in the API. */
  guard?: onRequestAsyncHookHandler
}

/**
 * The control surface for tests and the dev mailbox UI, under `/mailbox`:
 * list, read and clear recorded messages, plan failures or delays of the next
 * sends (`DELETE /mailbox/failures` clears both).
 */
export const controlRoutes: FastifyPluginAsync<ControlRoutesOptions> = async (scope, { mailbox, guard }) => {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  if (guard) app.addHook('onRequest', guard)
  // Our own JSON surface, so our own error shape (STYLE.md), not Mailgun's.
  app.setErrorHandler(async (error: { statusCode?: number; message: string; validation?: unknown }, _request, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500
    const message = status < 500 ? error.message : 'internal error'
    const details = error.validation ? { details: error.validation } : {}
    return reply.code(status).send({ error: { code: status < 500 ? 'MAILBOX_BAD_REQUEST' : 'MAILBOX_INTERNAL', message, ...details } })
  })

  const stats = () => ({
    messages: mailbox.messages().length,
    attempts: mailbox.attempts(),
    pendingFailures: mailbox.pendingFailures(),
  })

  app.get(
    '/mailbox/messages',
    {
      schema: {
        querystring: Type.Object({ to: Type.Optional(Type.String()), domain: Type.Optional(Type.String()) }),
        response: { 200: Type.Object({ items: Type.Array(RecordedMessageSchema) }) },
      },
    },
    async (request) => {
      const { to, domain } = request.query
      const wanted = to?.toLowerCase()
      const items = mailbox
        .messages()
        .filter((m) => (!domain || m.domain === domain) && (!wanted || m.to.some((a) => a.toLowerCase().includes(wanted))))
      return { items }
    },
  )

  app.get(
    '/mailbox/messages/:id',
    {
      schema: {
        params: Type.Object({ id: Type.String() }),
        response: { 200: RecordedMessageSchema, 404: ErrorAnswer },
      },
    },
    async (request, reply) => {
      const message = mailbox.get(request.params.id)
      if (message) return message
      return reply.code(404).send({ error: { code: 'MAILBOX_MESSAGE_NOT_FOUND', message: `no message "${request.params.id}"` } })
    },
  )

  app.delete('/mailbox/messages', { schema: { response: { 204: Type.Null() } } }, async (_request, reply) => {
    mailbox.clear()
    return reply.code(204).send(null)
  })

  app.get('/mailbox/stats', { schema: { response: { 200: Stats } } }, async () => stats())

  app.post(
    '/mailbox/failures',
    {
      schema: {
        body: Type.Object(
          {
            count: Type.Integer({ minimum: 1, maximum: 1_000 }),
            status: Type.Integer({ minimum: 400, maximum: 599 }),
            message: Type.Optional(Type.String({ maxLength: 1_000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Stats },
      },
    },
    async (request) => {
      const { count, status, message } = request.body
      mailbox.failNext(count, { status, message: message ?? defaultFailureMessage(status) })
      return stats()
    },
  )

  app.post(
    '/mailbox/delays',
    {
      schema: {
        body: Type.Object(
          { count: Type.Integer({ minimum: 1, maximum: 1_000 }), ms: Type.Integer({ minimum: 1, maximum: 600_000 }) },
          { additionalProperties: false },
        ),
        response: { 200: Stats },
      },
    },
    async (request) => {
      mailbox.delayNext(request.body.count, request.body.ms)
      return stats()
    },
  )

  app.delete('/mailbox/failures', { schema: { response: { 204: Type.Null() } } }, async (_request, reply) => {
    mailbox.clearFailures()
    return reply.code(204).send(null)
  })
}
