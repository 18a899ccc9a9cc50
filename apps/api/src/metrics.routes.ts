import { createQueueInspector } from '@replyflow/queue'
import type { FastifyPluginAsync } from 'fastify'
import { installAccessControl } from './auth/access.ts'
import type { AppDeps } from './deps.ts'
import { createApiMetrics } from './metrics.ts'

/**
 * `GET /metrics` in Prometheus' text format. Counts are business figures, so
 * they are not public like /healthz: Prometheus scrapes with `METRICS_TOKEN`
 * (`authorization: { credentials: <token> }`), which opens this route only,
 * or with an admin's API key.
 */
export const metricsRoutes: FastifyPluginAsync<{ deps: AppDeps }> = async (app, { deps }) => {
  const inspector = createQueueInspector({ connection: deps.redis, prefix: deps.config.queuePrefix })
  const metrics = createApiMetrics({
    db: deps.db,
    inspector,
    onError: (error, what) => deps.logger.warn({ err: error, what }, 'metric not read'),
  })
  app.addHook('onClose', () => inspector.close())
  installAccessControl(app, deps)
  app.get('/metrics', { schema: { hide: true }, config: { access: 'metrics' } }, async (_request, reply) => {
    const body = await metrics.registry.metrics()
    return reply.type(metrics.registry.contentType).send(body)
  })
}
