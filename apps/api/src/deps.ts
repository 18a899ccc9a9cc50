import type { Db } from '@replyflow/db'
import type { Producer, producerConnection } from '@replyflow/queue'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from './config.ts'

/** What `buildApp` needs from the outside world; tests pass real ones on temp files and a unique prefix. */
export interface AppDeps {
  config: Config
  db: Db
  /** Hands runs and deliveries to the queue after commit. */
  producer: Producer
  /** Redis connection, pinged by `/readyz`. */
  redis: ReturnType<typeof producerConnection>
  logger: FastifyBaseLogger
  /** Clock in ms since the epoch, injected so tests can control time. */
  now: () => number
}
