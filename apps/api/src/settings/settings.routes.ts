import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { putSetting } from '@replyflow/db'
import Type from 'typebox'
import type { AppDeps } from '../deps.ts'
import { OFFLINE_EMAIL_SETTING, offlineEmailSettings } from '../mail/mail-identity.ts'
import { Email, errorResponses } from '../schemas.ts'

const OfflineEmailSchema = Type.Object(
  {
    /** `team`: notifications come from the team address; `agent`: from each agent's own address (when it can pass SPF/DMARC). */
    senderMode: Type.Enum(['team', 'agent'] as const, {
      description:
        "`team`: agents' notifications come from the team address. `agent`: from each agent's own address — when it is on MAILGUN_DOMAIN or the domain MAILGUN_DOMAIN belongs to (ann@example.com through mg.example.com), since mail From any other domain would fail SPF/DMARC; otherwise from the team address under the agent's name. Either way Reply-To is the conversation's reply address, so answers thread.",
    }),
    /** The team's shared address, which the Mailgun route matches. */
    teamAddress: Email,
  },
  { additionalProperties: false },
)

/** `settings/offline-email`: Settings → Customer offline message handling → EMAIL. */
export const settingsRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps; onOfflineEmailChange?: () => void }> = async (app, { deps, onOfflineEmailChange }) => {
  app.get(
    '/settings/offline-email',
    {
      config: { access: 'user' },
      schema: { tags: ['settings'], summary: 'Where notifications are sent from', response: { 200: OfflineEmailSchema, ...errorResponses } },
    },
    async () => offlineEmailSettings(deps),
  )

  app.put(
    '/settings/offline-email',
    {
      schema: {
        tags: ['settings'],
        summary: 'Set where notifications are sent from',
        description:
          "Sender mode `agent` sends each notification From the agent's own address only when that address is on MAILGUN_DOMAIN or its parent domain (DMARC's relaxed alignment); for any other address, From is the team address with the agent's name as display name, and Reply-To stays the conversation's reply address.",
        body: OfflineEmailSchema,
        response: { 200: OfflineEmailSchema, ...errorResponses },
      },
    },
    async (request) => {
      const value = { senderMode: request.body.senderMode, teamAddress: request.body.teamAddress.toLowerCase() }
      putSetting(deps.db, OFFLINE_EMAIL_SETTING, value, new Date(deps.now()).toISOString())
      onOfflineEmailChange?.()
      return offlineEmailSettings(deps)
    },
  )
}
