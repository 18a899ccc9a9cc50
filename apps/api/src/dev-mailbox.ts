import type { AddressInfo } from 'node:net'
import { DEV_MAILBOX, devMailboxApiKey } from '@replyflow/mail'
import { createMailbox, createRelay, createRouteTable, createWebhookTable, mailgunServer, type Relay } from '@replyflow/mail/mailgun-server'
import type { FastifyPluginAsync } from 'fastify'
import { authorize } from './auth/access.ts'
import type { AppDeps } from './deps.ts'
import { mailDomain, offlineEmailSettings, webhookSigningKey } from './mail/mail-identity.ts'

/**
 * Descriptions of the routes the API keeps in the dev mailbox. Routes with
 * other descriptions are someone else's and are left alone.
 */
export const DEV_ROUTES = {
  replies: 'replyflow: replies to our mail',
  team: 'replyflow: the team address',
} as const

/** The dev mailbox of one API process: its relay (routes, webhooks) and the plugin serving it. */
export interface DevMailbox {
  relay: Relay
  /** The local Mailgun server, to mount at `DEV_MAILBOX.path`; once the API listens, it syncs the routes. */
  plugin: FastifyPluginAsync
  /**
   * Makes the managed routes match the team address of `settings/offline-email`
   * and our reply addresses, forwarding to this API's inbound webhook. A no-op
   * until the API listens (the forward URL needs its port).
   */
  syncRoutes(): void
}

/** Mailgun route regexes are matched whole; an address is matched literally. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** A URL this process reaches itself at: a wildcard listen address is reached on loopback. */
function selfUrl(address: AddressInfo): string {
  const wildcard = address.address === '0.0.0.0' || address.address === '::'
  const host = wildcard ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address
  return `http://${host}:${address.port}`
}

/**
 * The dev mailbox: the Mailgun-compatible local server mounted at
 * `/dev/mailgun` when no Mailgun key is configured, so mail flows both ways
 * without a Mailgun account. Workers send to it with a key derived from the
 * worker token (so nobody else can inject mail through it); its
 * routes forward mail for the team address and `reply+…@dev.replyflow.local`
 * to our own inbound webhook, signed with our webhook signing key, exactly as
 * Mailgun's would. Reading it and simulating mail (`/dev/mailgun/mailbox/...`)
 * needs an admin: it holds every agent's mail and can send as anyone.
 */
export function createDevMailbox(deps: AppDeps): DevMailbox {
  const mailbox = createMailbox()
  const signingKey = webhookSigningKey(deps)
  if (!signingKey) throw new Error('the dev mailbox needs a webhook signing key')
  const relay = createRelay({ mailbox, routes: createRouteTable(), webhooks: createWebhookTable(), signingKey })
  let baseUrl: string | null = null

  function ensureRoute(description: string, priority: number, expression: string, actions: string[]): void {
    const mine = relay.routes.list().filter((route) => route.description === description)
    const [only] = mine
    const same = mine.length === 1 && only?.priority === priority && only.expression === expression && only.actions.join('\n') === actions.join('\n')
    if (same) return
    for (const route of mine) relay.routes.remove(route.id)
    const created = relay.routes.create({ priority, description, expression, actions })
    if (typeof created === 'string') throw new Error(`dev mailbox route "${description}" refused: ${created}`)
  }

  function syncRoutes(): void {
    if (!baseUrl) return
    const inbound = `forward("${baseUrl}/webhooks/mailgun/inbound")`
    const { teamAddress } = offlineEmailSettings(deps)
    ensureRoute(DEV_ROUTES.replies, 0, `match_recipient("reply\\+.*@${literal(mailDomain(deps.config))}")`, [inbound, 'stop()'])
    ensureRoute(DEV_ROUTES.team, 1, `match_recipient("${literal(teamAddress)}")`, [inbound, 'stop()'])
    // Delivery events too, so notifications and answers show `delivered` as with Mailgun.
    for (const id of ['delivered', 'permanent_fail']) relay.webhooks.set(DEV_MAILBOX.domain, id, [`${baseUrl}/webhooks/mailgun/events`])
    deps.logger.info({ teamAddress, inbound: `${baseUrl}/webhooks/mailgun/inbound` }, 'dev mailbox routes ready')
  }

  const plugin: FastifyPluginAsync = async (app) => {
    await app.register(mailgunServer, {
      apiKey: devMailboxApiKey(deps.config.workerToken),
      mailbox,
      relay,
      // Admins only: the mailbox holds every agent's mail and can send as anyone.
      async controlGuard(request) {
        authorize(deps, request, 'admin')
      },
    })
    app.addHook('onListen', async () => {
      const address = app.server.address()
      if (address === null || typeof address === 'string') return
      baseUrl = selfUrl(address)
      syncRoutes()
    })
  }

  return { relay, plugin, syncRoutes }
}
