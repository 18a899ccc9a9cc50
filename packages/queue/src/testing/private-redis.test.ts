import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProducer, producerConnection } from '../index.ts'
import { startPrivateRedis, type PrivateRedis } from './index.ts'

describe('producer against a Redis that goes away', () => {
  let redis: PrivateRedis
  beforeAll(async () => {
    redis = await startPrivateRedis()
  })
  afterAll(() => redis.destroy())

  it('fails fast while Redis is stopped and works again once it is back, keeping jobs across the restart', async () => {
    const connection = producerConnection(redis.url)
    connection.on('error', () => {
      // Reconnection errors are expected while the server is stopped.
    })
    const producer = createProducer({ connection, prefix: 'rf-test' })
    try {
      await producer.enqueueRuns(['01RUNBEFORESTOPAAAAAAAAAAA'])
      await redis.stop()
      const started = Date.now()
      await expect(producer.enqueueRuns(['01RUNDURINGSTOPAAAAAAAAAAA'])).rejects.toThrow()
      expect(Date.now() - started).toBeLessThan(5_000)

      await redis.start()
      const deadline = Date.now() + 10_000
      // ioredis reconnects on its own; poll until the producer gets through.
      for (;;) {
        try {
          await producer.enqueueRuns(['01RUNAFTERSTARTAAAAAAAAAAA'])
          break
        } catch (error) {
          if (Date.now() > deadline) throw error
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
      }
      const keys = await connection.keys('rf-test:flow-runs:01RUN*')
      expect(keys.sort()).toEqual(['rf-test:flow-runs:01RUNAFTERSTARTAAAAAAAAAAA', 'rf-test:flow-runs:01RUNBEFORESTOPAAAAAAAAAAA'])
    } finally {
      await producer.close()
      connection.disconnect()
    }
  })
})
