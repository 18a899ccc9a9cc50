/** @replyflow/queue/testing — helpers for tests that need a Redis of their own. */
export { startPrivateRedis } from './private-redis.ts'
export type { PrivateRedis, PrivateRedisOptions } from './private-redis.ts'
