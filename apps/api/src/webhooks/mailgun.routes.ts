import formbody from '@fastify/formbody'
import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { JsonObject, JsonValue } from '@replyflow/db'
import { parseForwardPost, parseMimePost, verifyWebhookSignature, type InboundMail } from '@replyflow/mail'
import Type from 'typebox'
import type { AppDeps } from '../deps.ts'
import { ApiError, ErrorResponseSchema } from '../errors.ts'
import { receiveMailEvent, type MailEventData } from '../events/mail-events.service.ts'
import { INBOUND_ERRORS, receiveInboundMail } from '../inbound/inbound.service.ts'
import { webhookSigningKey } from '../mail/mail-identity.ts'
import { Nullable } from '../schemas.ts'
import { FORM_LIMITS, collectMultipart, firstValues, uploadsOf } from './mailgun-form.ts'

const FormFields = Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]))

const InboundAnswer = Type.Object({
  status: Type.Union([Type.Literal('stored'), Type.Literal('duplicate')]),
  messageId: Nullable(Type.String()),
})

const EventBody = Type.Object({
  signature: Type.Object({
    timestamp: Type.Optional(Type.String({ maxLength: 64 })),
    token: Type.Optional(Type.String({ maxLength: 256 })),
    signature: Type.Optional(Type.String({ maxLength: 256 })),
  }),
  'event-data': Type.Object(
    {
      id: Type.String({ minLength: 1, maxLength: 256 }),
      event: Type.String({ minLength: 1, maxLength: 64 }),
      timestamp: Type.Optional(Type.Number()),
      recipient: Type.Optional(Type.String({ maxLength: 512 })),
      severity: Type.Optional(Type.String({ maxLength: 32 })),
      reason: Type.Optional(Type.String({ maxLength: 256 })),
      'delivery-status': Type.Optional(
        Type.Object({ code: Type.Optional(Type.Number()), message: Type.Optional(Type.String()), description: Type.Optional(Type.String()) }),
      ),
      message: Type.Optional(Type.Object({ headers: Type.Optional(Type.Object({ 'message-id': Type.Optional(Type.String({ maxLength: 998 })) })) })),
    },
    { additionalProperties: true },
  ),
})

const EventAnswer = Type.Object({ status: Type.Union([Type.Literal('applied'), Type.Literal('duplicate'), Type.Literal('unmatched')]) })

function isJsonValue(value: unknown): value is JsonValue {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return true
  if (Array.isArray(value)) return value.every(isJsonValue)
  return typeof value === 'object' && Object.values(value).every(isJsonValue)
}

/** The event payload as stored: parsed JSON is JSON, checked rather than cast. */
function jsonObjectOf(value: object): JsonObject {
  const out: JsonObject = {}
  for (const [key, entry] of Object.entries(value)) if (isJsonValue(entry)) out[key] = entry
  return out
}

const responses = { 400: ErrorResponseSchema, 406: ErrorResponseSchema, 413: ErrorResponseSchema }

/**
 * Mailgun's webhooks: the route `forward()` posts (parsed: urlencoded or
 * multipart; raw: `…/inbound/mime`) and delivery events. Public, authenticated
 * by Mailgun's signature; a bad one answers 406 so Mailgun stops retrying.
 * The form and multipart parsers exist only inside this plugin.
 */
export const mailgunWebhookRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  await app.register(formbody, { bodyLimit: FORM_LIMITS.bodyBytes })
  await app.register(multipart, { throwFileSizeLimit: false })
  app.addHook('preValidation', collectMultipart)

  const verify = (fields: { timestamp?: string; token?: string; signature?: string }): string => {
    const key = webhookSigningKey(deps)
    if (!key || !verifyWebhookSignature(key, fields) || !fields.token) {
      deps.logger.warn({ timestamp: fields.timestamp }, 'mailgun webhook with a bad signature refused')
      throw new ApiError(406, INBOUND_ERRORS.badSignature, 'the webhook signature does not verify')
    }
    return fields.token
  }

  // The docs page shows no lock: Mailgun signs each post instead of sending a session or API key.
  const signed = {
    tags: ['webhooks'],
    security: [],
    description:
      "Authenticated by Mailgun's signature, not by a session or API key: `signature` must be the HMAC-SHA256 of `timestamp` + `token` with `MAILGUN_WEBHOOK_SIGNING_KEY`. A bad or missing signature, or a token seen with other content (a replay), answers 406 and stores nothing.",
  }

  const inbound = async (fields: Record<string, string>, parse: () => Promise<InboundMail>, truncated: boolean) => {
    const token = verify(fields)
    const mail = await parse()
    const outcome = await receiveInboundMail(deps, mail, token, { attachmentsDropped: truncated })
    return { status: outcome.status, messageId: outcome.messageId }
  }

  app.post(
    '/webhooks/mailgun/inbound',
    {
      bodyLimit: FORM_LIMITS.bodyBytes,
      schema: { ...signed, summary: 'Mailgun route forward() post (parsed message)', body: FormFields, response: { 200: InboundAnswer, ...responses } },
    },
    async (request) => {
      const fields = firstValues(request.body)
      const { files, truncated } = uploadsOf(request)
      return inbound(fields, () => parseForwardPost({ fields, files }), truncated)
    },
  )

  app.post(
    '/webhooks/mailgun/inbound/mime',
    {
      bodyLimit: FORM_LIMITS.bodyBytes,
      schema: { ...signed, summary: 'Mailgun route forward() post to a URL ending in mime (raw message)', body: FormFields, response: { 200: InboundAnswer, ...responses } },
    },
    async (request) => {
      const fields = firstValues(request.body)
      return inbound(fields, () => parseMimePost({ fields }), uploadsOf(request).truncated)
    },
  )

  app.post(
    '/webhooks/mailgun/events',
    { schema: { ...signed, summary: 'Mailgun event webhook (delivered, failed, complained, unsubscribed, …)', body: EventBody, response: { 200: EventAnswer, ...responses } } },
    async (request) => {
      const token = verify(request.body.signature)
      const data: MailEventData = request.body['event-data']
      const status = receiveMailEvent(deps, data, jsonObjectOf(request.body['event-data']), token)
      return { status }
    },
  )
}
