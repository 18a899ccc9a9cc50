import Fastify, { type FastifyInstance } from 'fastify'
import { createMailbox, type Mailbox } from './mailbox.ts'
import { mailgunServer } from './plugin.ts'
import { createRouteTable } from './inbound-routes.ts'
import { createRelay, createWebhookTable, DEFAULT_WEBHOOK_SIGNING_KEY, type Relay } from './relay.ts'

export interface StartMailgunServerOptions {
  apiKey: string
  /** 0 (the default) picks a free port. */
  port?: number
  host?: string
  mailbox?: Mailbox
  /** Signs route forwards and event webhooks. */
  webhookSigningKey?: string
}

/** A running local Mailgun server: its base URL (the mailgun.js `url` option) and its mailbox. */
export interface RunningMailgunServer {
  url: string
  mailbox: Mailbox
  /** Routes, event webhooks and what was forwarded. */
  relay: Relay
  app: FastifyInstance
  close(): Promise<void>
}

/** Starts the Mailgun-compatible server on its own port. */
export async function startMailgunServer(options: StartMailgunServerOptions): Promise<RunningMailgunServer> {
  const mailbox = options.mailbox ?? createMailbox()
  // Message-Ids (path parameters of the control surface) may be up to 998 characters long.
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: 1_000 } })
  const relay = createRelay({ mailbox, routes: createRouteTable(), webhooks: createWebhookTable(), signingKey: options.webhookSigningKey ?? DEFAULT_WEBHOOK_SIGNING_KEY })
  await app.register(mailgunServer, { apiKey: options.apiKey, mailbox, relay })
  const host = options.host ?? '127.0.0.1'
  await app.listen({ port: options.port ?? 0, host })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : options.port
  return { url: `http://${host}:${port}`, mailbox, relay, app, close: () => app.close() }
}
