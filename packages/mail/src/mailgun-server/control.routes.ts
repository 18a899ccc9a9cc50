import type { FastifyInstance, FastifyPluginAsync, onRequestAsyncHookHandler } from 'fastify'
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
/** The mailbox keeps everything in memory: a restart empties it. Said in its answers, so a UI can say it too. */
const Persistent = Type.Literal(false, { description: 'Messages are kept in memory only: restarting the server empties the mailbox.' })

const Stats = Type.Object({
  messages: Type.Integer(),
  attempts: Type.Integer(),
  pendingFailures: Type.Integer(),
  persistent: Persistent,
})

export interface ControlRoutesOptions {
  mailbox: Mailbox
  /** Runs before every control route, e.g. to require an admin session when mounted in the API. */
  guard?: onRequestAsyncHookHandler
}

/** An error of the control surface, answered as `{ error: { code, message } }` with its status. */
export class MailboxError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'MailboxError'
  }
}

/** Codes of the statuses that are not a bad request (a host's access check answers 401 and 403). */
const STATUS_CODES: Record<number, string> = { 401: 'MAILBOX_UNAUTHORIZED', 403: 'MAILBOX_FORBIDDEN', 404: 'MAILBOX_NOT_FOUND' }

/** The control surface is our own JSON API, so it answers in our error shape (STYLE.md), not Mailgun's. */
export function useControlErrors(app: FastifyInstance): void {
  app.setErrorHandler(async (error: { statusCode?: number; code?: string; message: string; validation?: unknown }, _request, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500
    const message = status < 500 ? error.message : 'internal error'
    const details = error.validation ? { details: error.validation } : {}
    const code = error instanceof MailboxError ? error.code : (STATUS_CODES[status] ?? (status < 500 ? 'MAILBOX_BAD_REQUEST' : 'MAILBOX_INTERNAL'))
    return reply.code(status).send({ error: { code, message, ...details } })
  })
}

/** RFC 6266 Content-Disposition with an ASCII fallback and the UTF-8 name. */
function attachmentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`
}

/**
 * The control surface for tests and the dev mailbox UI, under `/mailbox`:
 * list, read and clear recorded messages, download their attachments, plan
 * failures or delays of the next sends (`DELETE /mailbox/failures` clears both).
 */
export const controlRoutes: FastifyPluginAsync<ControlRoutesOptions> = async (scope, { mailbox, guard }) => {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  if (guard) app.addHook('onRequest', guard)
  useControlErrors(app)

  const stats = () => ({
    messages: mailbox.messages().length,
    attempts: mailbox.attempts(),
    pendingFailures: mailbox.pendingFailures(),
    persistent: false as const,
  })

  app.get(
    '/mailbox/messages',
    {
      schema: {
        querystring: Type.Object({ to: Type.Optional(Type.String()), domain: Type.Optional(Type.String()) }),
        response: { 200: Type.Object({ items: Type.Array(RecordedMessageSchema), persistent: Persistent }) },
      },
    },
    async (request) => {
      const { to, domain } = request.query
      const wanted = to?.toLowerCase()
      const items = mailbox
        .messages()
        .filter((m) => (!domain || m.domain === domain) && (!wanted || m.to.some((a) => a.toLowerCase().includes(wanted))))
      return { items, persistent: false as const }
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

  app.get(
    '/mailbox/messages/:id/attachments/:index',
    {
      schema: {
        params: Type.Object({ id: Type.String(), index: Type.Integer({ minimum: 0 }) }),
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), 404: ErrorAnswer, 410: ErrorAnswer },
      },
    },
    async (request, reply) => {
      const attachment = mailbox.get(request.params.id)?.attachments[request.params.index]
      if (!attachment) throw new MailboxError(404, 'MAILBOX_ATTACHMENT_NOT_FOUND', `no attachment ${request.params.index} on message "${request.params.id}"`)
      if (!attachment.content) throw new MailboxError(410, 'MAILBOX_ATTACHMENT_DROPPED', 'the mailbox dropped these bytes to stay within its memory budget')
      // Downloaded, never rendered: the bytes are whatever someone mailed.
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', attachmentDisposition(attachment.filename))
        .header('x-content-type-options', 'nosniff')
        .send(attachment.content)
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
