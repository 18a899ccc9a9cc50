import { Redis } from 'ioredis'

/** Reads the CPU time a Redis server used (`INFO cpu`), for benchmarks; it serves every client, so it is an upper bound for any one. */
export interface RedisCpu {
  /** CPU seconds (user + system) the server used since it started. */
  seconds(): Promise<number>
  close(): void
}

/** Opens a connection to the Redis at `url` for reading its CPU time. */
export function redisCpu(url: string): RedisCpu {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 })
  return {
    async seconds() {
      const info = await redis.info('cpu')
      const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN)
      return field('used_cpu_sys') + field('used_cpu_user')
    },
    close: () => redis.disconnect(),
  }
}
