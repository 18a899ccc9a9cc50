import { statSync } from 'node:fs'
import { closeDb, createDb, migrate, type Db } from '@replyflow/db'
import { createProducer, createRedisOutages, producerConnection, type Producer } from '@replyflow/queue'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { buildApp } from './app.ts'
import { boundedProducer } from './bounded-producer.ts'
import { ensureFirstAdmin } from './auth/auth.service.ts'
import { createLeaseRecovery } from './dispatch/lease-recovery.ts'
import { createDbDispatcher } from './dispatch/sources.ts'
import type { Config } from './config.ts'
import type { AppDeps } from './deps.ts'

/** A running API process: its app and connections, and how to close them in order. */
export interface ApiServer {
  app: FastifyInstance
  deps: AppDeps
  /** The address it listens on, e.g. `http://0.0.0.0:3000`. */
  address: string
  close(): Promise<void>
}

/**
 * Says so when other users of the machine can read the database: new files are
 * private (0600), but an install from before keeps the mode it had, and the
 * owner's choice is left to them.
 */
export function warnIfOthersCanRead(path: string, logger: Pick<Logger, 'warn'>): void {
  if (path === ':memory:') return
  const mode = statSync(path).mode & 0o777
  if ((mode & 0o077) === 0) return
  logger.warn(
    { path, mode: mode.toString(8) },
    `other users of this machine can read the database (mode ${mode.toString(8)}), with its password hashes and customers' mail: make it private with chmod 600 ${path}`,
  )
}

/**
 * Opens the database (migrating it), Redis and the producer, builds the app,
 * creates the first admin and listens. `close()` stops accepting requests,
 * lets in-flight ones finish, then closes the connections.
 */
export async function startServer(config: Config, logger: Logger, options: { host?: string } = {}): Promise<ApiServer> {
  const db: Db = createDb(config.databasePath)
  warnIfOthersCanRead(config.databasePath, logger)
  migrate(db)
  const redis = producerConnection(config.redisUrl)
  // The producer fails fast when Redis is away; the work is safe in SQLite meanwhile. One line when it goes, one when it's back.
  createRedisOutages(logger).watch(redis)
  const producer: Producer = boundedProducer(createProducer({ connection: redis, prefix: config.queuePrefix }))
  const deps: AppDeps = { config, db, producer, redis, logger, now: Date.now }
  await ensureFirstAdmin(deps)
  const app = await buildApp(deps)
  const address = await app.listen({ port: config.port, host: options.host ?? '0.0.0.0' })
  // Hands over queued work that never reached Redis (docs/internals.md, "The dispatcher").
  const dispatcher = createDbDispatcher(deps)
  dispatcher.start()
  // Hands over again claimed work whose worker or job is gone (docs/internals.md, "The dispatcher").
  const leaseRecovery = createLeaseRecovery({ db, producer, logger, now: deps.now, leaseMs: config.workLeaseMs })
  leaseRecovery.start()
  return {
    app,
    deps,
    address,
    async close() {
      await app.close()
      await dispatcher.close()
      await leaseRecovery.close()
      await producer.close()
      redis.disconnect()
      closeDb(db)
    },
  }
}
