import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { insertApiKey, listApiKeys, newId, revokeApiKey } from '@replyflow/db'
import Type from 'typebox'
import type { AppDeps } from '../deps.ts'
import { notFound } from '../errors.ts'
import { errorResponses, IdParams, Items, Name, Nullable, trimName } from '../schemas.ts'
import { principalOf } from './access.ts'
import { hashToken, newToken } from './tokens.ts'

const ApiKeySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  createdAt: Type.String(),
  lastUsedAt: Nullable(Type.String()),
  revokedAt: Nullable(Type.String()),
})

/** Keys start with `rf_` so secret scanners and people can recognise them. */
const KEY_PREFIX = 'rf_'

/** `api-keys`: create (the key is shown once), list, revoke. Admins only. */
export const apiKeyRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  app.post(
    '/api-keys',
    {
      config: { access: 'admin-session' },
      preValidation: trimName,
      schema: {
        tags: ['api-keys'],
        summary: 'Create an API key; the key is in this answer only',
        body: Type.Object({ name: Name }, { additionalProperties: false }),
        response: { 201: Type.Object({ id: Type.String(), name: Type.String(), key: Type.String(), prefix: Type.String() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const key = `${KEY_PREFIX}${newToken()}`
      const now = deps.now()
      const record = insertApiKey(deps.db, {
        id: newId(now),
        name: request.body.name,
        prefix: key.slice(0, 10),
        keyHash: hashToken(key),
        userId: principalOf(request).user.id,
        createdAt: new Date(now).toISOString(),
      })
      return reply.status(201).send({ id: record.id, name: record.name, key, prefix: record.prefix })
    },
  )

  app.get(
    '/api-keys',
    { schema: { tags: ['api-keys'], summary: 'List API keys (never the keys themselves)', response: { 200: Items(ApiKeySchema), ...errorResponses } } },
    async () => ({ items: listApiKeys(deps.db) }),
  )

  app.delete(
    '/api-keys/:id',
    {
      schema: { tags: ['api-keys'], summary: 'Revoke an API key', params: IdParams, response: { 204: Type.Null(), ...errorResponses } },
    },
    async (request, reply) => {
      if (!revokeApiKey(deps.db, request.params.id, new Date(deps.now()).toISOString())) throw notFound('api key', request.params.id)
      return reply.status(204).send(null)
    },
  )
}
