import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { pingDb } from '@replyflow/db'
import { pingRedis } from '@replyflow/queue'
import Type from 'typebox'
import type { AppDeps } from './deps.ts'

const ReadySchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable')]),
  checks: Type.Object({ database: Type.Boolean(), redis: Type.Boolean() }),
})

/** `/healthz` (the process answers) and `/readyz` (SQLite and Redis answer). */
export const healthRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/healthz',
    { config: { access: 'public' }, schema: { tags: ['health'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  )

  app.get(
    '/readyz',
    { config: { access: 'public' }, schema: { tags: ['health'], response: { 200: ReadySchema, 503: ReadySchema } } },
    async (_request, reply) => {
      const database = databaseAnswers(deps)
      const redis = await pingRedis(deps.redis)
      const ready = database && redis
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks: { database, redis } })
    },
  )
}

function databaseAnswers(deps: AppDeps): boolean {
  try {
    return pingDb(deps.db)
  } catch (error) {
    deps.logger.warn({ err: error }, 'database not ready')
    return false
  }
}
