import { bearerMatches } from '@replyflow/queue'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'

/** What `/readyz` checks: Redis answers, the API takes the worker's token, and mail can go out (its dev mailbox is there, for a worker sending to one). */
export interface ReadinessChecks {
  redis: boolean
  api: boolean
  mail: boolean
}

export interface HealthServerOptions {
  port: number
  host?: string
  registry: Registry
  checks: () => Promise<ReadinessChecks>
  /** When set, `/metrics` answers only `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string | null
}

/** The worker's small HTTP server: `/healthz` (alive), `/readyz` (Redis, API and mail usable), `/metrics` (Prometheus). */
export interface HealthServer {
  app: FastifyInstance
  port: number
  /** From now on `/readyz` answers 503, so a balancer stops counting on this worker while it drains. */
  drain(): void
  close(): Promise<void>
}

const Ready = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ready', 'unavailable', 'draining'] },
    checks: { type: 'object', properties: { redis: { type: 'boolean' }, api: { type: 'boolean' }, mail: { type: 'boolean' } } },
  },
} as const

/** Starts the health and metrics server. */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const app = Fastify({ logger: false })
  let draining = false

  app.get('/healthz', { schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } }, async () => ({
    status: 'ok',
  }))

  app.get('/readyz', { schema: { response: { 200: Ready, 503: Ready } } }, async (_request, reply) => {
    const checks = await options.checks()
    const status = draining ? 'draining' : checks.redis && checks.api && checks.mail ? 'ready' : 'unavailable'
    return reply.code(status === 'ready' ? 200 : 503).send({ status, checks })
  })

  app.get('/metrics', async (request, reply) => {
    const token = options.metricsToken
    if (token && !bearerMatches(request.headers.authorization, token)) {
      return reply.code(401).send({ error: { code: 'WORKER_METRICS_UNAUTHORIZED', message: 'send Authorization: Bearer <METRICS_TOKEN>' } })
    }
    const body = await options.registry.metrics()
    return reply.type(options.registry.contentType).send(body)
  })

  await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' })
  const address = app.server.address()
  return {
    app,
    port: typeof address === 'object' && address ? address.port : options.port,
    drain() {
      draining = true
    },
    close: () => app.close(),
  }
}
