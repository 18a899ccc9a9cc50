import { Redis, type RedisOptions } from 'ioredis'

/**
 * A connection for BullMQ workers: blocking commands must wait for Redis to
 * come back instead of failing, so `maxRetriesPerRequest` is null (BullMQ's
 * production checklist).
 */
export function workerConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { ...options, maxRetriesPerRequest: null, enableReadyCheck: false })
}

/**
 * A connection for producers that must fail fast when Redis is away (the
 * caller keeps the work in SQLite and the dispatcher hands it over later)
 * rather than hang an HTTP request.
 */
export function producerConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    ...options,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
  })
}

/** Whether Redis answers PING within the timeout; for readiness probes. */
export async function pingRedis(connection: Redis, timeoutMs = 1_000): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), timeoutMs)
    })
    return (await Promise.race([connection.ping(), timeout])) === 'PONG'
  } catch {
    // Readiness is a yes/no answer; the reason is logged by the connection itself.
    return false
  } finally {
    clearTimeout(timer)
  }
}
