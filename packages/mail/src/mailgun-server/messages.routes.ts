import type { FastifyPluginAsync } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { randomBytes } from 'node:crypto'
import { Type } from 'typebox'
import { FormSchema, MAX_BODY_BYTES, splitAddresses, type Form } from './form.ts'
import type { Mailbox, RecordedMessage } from './mailbox.ts'

/** Mailgun accepts at most three tags per message. */
export const MAX_TAGS = 3

const MessageAnswer = Type.Object({ id: Type.String(), message: Type.String() })
const MailgunError = Type.Object({ message: Type.String() })

/** The first value of a field, or null. */
function first(form: Form, name: string): string | null {
  return form.fields[name]?.[0] ?? null
}

/** Fields with a prefix (`h:`, `v:`, `o:`), keyed by the rest of the name; the last value wins. */
function prefixed(form: Form, prefix: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, values] of Object.entries(form.fields)) {
    const value = values.at(-1)
    if (name.startsWith(prefix) && name.length > prefix.length && value !== undefined) out[name.slice(prefix.length)] = value
  }
  return out
}

/** Mailgun keeps a Message-Id the sender set; its answer carries it in angle brackets. */
function messageId(headers: Record<string, string>, domain: string): string {
  const given = Object.entries(headers).find(([name]) => name.toLowerCase() === 'message-id')?.[1]?.trim()
  if (given) return given.startsWith('<') ? given : `<${given}>`
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14)
  return `<${stamp}.${randomBytes(8).toString('hex')}@${domain}>`
}

/** Mailgun's answer to a message it cannot send, or null when the form is complete. */
export function missingField(form: Form): string | null {
  if (!first(form, 'from')) return 'from parameter is missing'
  if (splitAddresses(form.fields.to ?? []).length === 0) return 'to parameter is missing'
  if (!first(form, 'text') && !first(form, 'html') && !first(form, 'template')) {
    return "Need at least one of 'text', 'html' or 'template' parameters specified"
  }
  if ((form.fields['o:tag'] ?? []).length > MAX_TAGS) return `Too many tags: a message may carry at most ${MAX_TAGS}`
  return null
}

/** Turns an accepted form into the record tests and the dev mailbox read. */
export function recordFrom(form: Form, domain: string): RecordedMessage {
  const headers = prefixed(form, 'h:')
  const options = prefixed(form, 'o:')
  delete options.tag
  return {
    id: messageId(headers, domain),
    domain,
    receivedAt: new Date().toISOString(),
    from: first(form, 'from') ?? '',
    to: splitAddresses(form.fields.to ?? []),
    cc: splitAddresses(form.fields.cc ?? []),
    bcc: splitAddresses(form.fields.bcc ?? []),
    subject: first(form, 'subject'),
    text: first(form, 'text'),
    html: first(form, 'html'),
    headers,
    variables: prefixed(form, 'v:'),
    tags: form.fields['o:tag'] ?? [],
    options,
    attachments: form.files.flatMap(({ field, ...file }) =>
      field === 'attachment' || field === 'inline' ? [{ field, ...file }] : [],
    ),
  }
}

/** `POST /v3/:domain/messages`, as Mailgun documents it (see MAILGUN.md). */
export const messagesRoutes: FastifyPluginAsync<{ mailbox: Mailbox }> = async (scope, { mailbox }) => {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  app.post(
    '/v3/:domain/messages',
    {
      bodyLimit: MAX_BODY_BYTES,
      schema: {
        params: Type.Object({ domain: Type.String({ minLength: 1 }) }),
        body: FormSchema,
        response: { 200: MessageAnswer, 401: Type.String(), '4xx': MailgunError, '5xx': MailgunError },
      },
    },
    async (request, reply) => {
      mailbox.countAttempt()
      const delay = mailbox.takeDelay()
      if (delay) await new Promise((resolve) => setTimeout(resolve, delay))
      const failure = mailbox.takeFailure()
      if (failure?.status === 401) return reply.code(401).type('text/plain; charset=utf-8').send('Forbidden')
      if (failure) return reply.code(failure.status).send({ message: failure.message })
      const problem = missingField(request.body)
      if (problem) return reply.code(400).send({ message: problem })
      const message = recordFrom(request.body, request.params.domain)
      mailbox.record(message)
      return { id: message.id, message: 'Queued. Thank you.' }
    },
  )
}
