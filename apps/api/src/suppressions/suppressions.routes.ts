import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { liftSuppression, listSuppressions } from '@replyflow/db'
import Type from 'typebox'
import type { AppDeps } from '../deps.ts'
import { notFound } from '../errors.ts'
import { Email, errorResponses, Items } from '../schemas.ts'

const SuppressionSchema = Type.Object({ address: Type.String(), reason: Type.String(), createdAt: Type.String() })

/** `suppressions`: addresses no mail goes to (hard bounces, complaints, unsubscribes); admins may lift one. */
export const suppressionRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/suppressions',
    {
      config: { access: 'user' },
      schema: { tags: ['suppressions'], summary: 'Addresses mail is no longer sent to', response: { 200: Items(SuppressionSchema), ...errorResponses } },
    },
    async () => ({ items: listSuppressions(deps.db) }),
  )

  app.delete(
    '/suppressions/:address',
    {
      schema: {
        tags: ['suppressions'],
        summary: 'Lift a suppression, e.g. after the customer fixed their mailbox',
        params: Type.Object({ address: Email }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      if (!liftSuppression(deps.db, request.params.address, new Date(deps.now()).toISOString())) throw notFound('suppression', request.params.address)
      return reply.status(204).send(null)
    },
  )
}
