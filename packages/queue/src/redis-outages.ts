import type { Redis } from 'ioredis'

/** What the outage log needs of a logger (pino's, in the API and the workers). */
export interface OutageLogger {
  warn(details: object, message: string): void
  info(message: string): void
}

/** Socket errors of a Redis that is away; ioredis and BullMQ retry them on their own. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE'])
/** ioredis' own words for a connection that is down or being re-established. */
const UNREACHABLE_MESSAGES = /^(Connection is closed|Stream isn't writeable|Socket closed unexpectedly)/

/** Whether an error only says Redis cannot be reached right now (retried on its own), rather than something to look into. */
export function isRedisUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = 'code' in error ? error.code : undefined
  return (typeof code === 'string' && UNREACHABLE_CODES.has(code)) || UNREACHABLE_MESSAGES.test(error.message)
}

/** The process's one view of Redis outages, shared by every connection (and, in a worker, every queue worker). */
export interface RedisOutages {
  /** Follows a connection: its errors start an outage, its reconnection ends one. */
  watch(connection: Redis): void
  /** Counts an error as part of an outage when it only says Redis is away; returns whether it did. */
  absorb(error: unknown): boolean
}

/**
 * Logs a Redis outage once when it starts and once when it ends. Every
 * connection (ours, and the blocking ones BullMQ duplicates from them) fails
 * on each reconnect attempt, every few hundred ms: logging each would bury
 * the log in identical stacks.
 */
export function createRedisOutages(logger: OutageLogger): RedisOutages {
  let down = false
  const failed = (error: unknown) => {
    if (down) return
    down = true
    logger.warn({ err: error }, 'redis unreachable, retrying')
  }
  return {
    watch(connection) {
      connection.on('error', failed)
      connection.on('ready', () => {
        if (!down) return
        down = false
        logger.info('redis reachable again')
      })
    },
    absorb(error) {
      if (!isRedisUnreachable(error)) return false
      failed(error)
      return true
    },
  }
}
