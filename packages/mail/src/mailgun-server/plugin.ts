import type { FastifyPluginAsync, onRequestAsyncHookHandler } from 'fastify'
import { requireApiKey } from './auth.ts'
import { controlRoutes } from './control.routes.ts'
import { useFormBodies } from './form.ts'
import { createMailbox, type Mailbox } from './mailbox.ts'
import { messagesRoutes } from './messages.routes.ts'
import { createRouteTable } from './inbound-routes.ts'
import { createRelay, createWebhookTable, DEFAULT_WEBHOOK_SIGNING_KEY, type Relay } from './relay.ts'
import { relayApiRoutes, relayControlRoutes } from './relay.routes.ts'

export interface MailgunServerOptions {
  /** The key clients must send as HTTP Basic `api:<key>`. */
  apiKey: string
  /** Where accepted messages are recorded; a fresh one by default. */
  mailbox?: Mailbox
  /** Guards the `/mailbox` control routes (the API requires an admin there); open by default. */
  controlGuard?: onRequestAsyncHookHandler
  /** Signs route forwards and event webhooks, as Mailgun's HTTP webhook signing key does. */
  webhookSigningKey?: string
  /** Routes, webhooks and what was relayed; made on `mailbox` by default (pass both to share them). */
  relay?: Relay
}

/**
 * The Mailgun-compatible local server as a Fastify plugin, mountable under a
 * prefix (the API mounts it at `/dev/mailgun`). Two scopes:
 * - the Mailgun API (`/v3/...`), behind Basic auth, answering Mailgun's shapes;
 *   new Mailgun endpoints (routes, events) register in this scope;
 * - the control surface (`/mailbox/...`) for tests and the dev mailbox UI.
 */
export const mailgunServer: FastifyPluginAsync<MailgunServerOptions> = async (app, options) => {
  const mailbox = options.mailbox ?? createMailbox()
  const relay =
    options.relay ??
    createRelay({ mailbox, routes: createRouteTable(), webhooks: createWebhookTable(), signingKey: options.webhookSigningKey ?? DEFAULT_WEBHOOK_SIGNING_KEY })
  app.addHook('onClose', async () => {
    relay.close()
    await relay.idle()
  })
  await app.register(async (api) => {
    useFormBodies(api)
    api.addHook('onRequest', requireApiKey(options.apiKey))
    // Mailgun answers errors as `{ message }`; keep that shape for parse and validation errors too.
    api.setErrorHandler(async (error: { statusCode?: number; message: string }, _request, reply) => {
      const status = error.statusCode ?? 500
      return reply.code(status).send({ message: status < 500 ? error.message : 'Internal server error' })
    })
    await api.register(messagesRoutes, { mailbox })
    await api.register(relayApiRoutes, { routes: relay.routes, webhooks: relay.webhooks })
  })
  await app.register(controlRoutes, { mailbox, guard: options.controlGuard })
  await app.register(relayControlRoutes, { relay, mailbox, guard: options.controlGuard })
}
