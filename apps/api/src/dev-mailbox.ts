import { mailgunServer } from '@replyflow/mail/mailgun-server'
import type { FastifyPluginAsync } from 'fastify'
import { resolvePrincipal } from './auth/principal.ts'
import type { AppDeps } from './deps.ts'
import { unauthorized } from './errors.ts'
import { webhookSigningKey } from './mail/mail-identity.ts'

/** Where the API mounts the dev mailbox, and the key and domain workers use there (docs/internals.md). */
export const DEV_MAILBOX = { prefix: '/dev/mailgun', apiKey: 'dev', domain: 'dev.replyflow.local' } as const

/**
 * The dev mailbox: the Mailgun-compatible local server mounted at
 * `/dev/mailgun` when no Mailgun key is configured, so outbound mail is
 * visible without a Mailgun account. Workers send to it with the fixed dev
 * key; reading the recorded mail (`/dev/mailgun/mailbox/...`) needs a login.
 */
export const devMailbox: FastifyPluginAsync<{ deps: AppDeps }> = async (app, { deps }) => {
  await app.register(mailgunServer, {
    apiKey: DEV_MAILBOX.apiKey,
    // Route forwards from the dev mailbox reach our webhooks signed like Mailgun's.
    webhookSigningKey: webhookSigningKey(deps.config) ?? undefined,
    async controlGuard(request) {
      if (!resolvePrincipal(deps.db, request, deps.now())) throw unauthorized()
    },
  })
}
