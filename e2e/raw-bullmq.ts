import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { Queue, Worker } from 'bullmq'
import { Redis } from 'ioredis'

/** Throughput of trivial jobs through one BullMQ Worker: the ceiling Redis round trips allow here. */
export interface RawBullmqFigure {
  jobs: number
  seconds: number
  jobsPerSecond: number
}

/**
 * Adds `jobs` no-op jobs under a fresh prefix, then times one Worker (with
 * `concurrency`) taking them all; deletes its keys afterwards.
 */
export async function measureRawBullmq({ redisUrl, jobs, concurrency }: { redisUrl: string; jobs: number; concurrency: number }): Promise<RawBullmqFigure> {
  const prefix = `rf-bench-raw-${randomUUID()}`
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null })
  const queue = new Queue('raw', { connection, prefix })
  try {
    for (let added = 0; added < jobs; added += 1_000) {
      const count = Math.min(1_000, jobs - added)
      await queue.addBulk(Array.from({ length: count }, (_, i) => ({ name: 'noop', data: { i: added + i }, opts: { removeOnComplete: true } })))
    }
    let done = 0
    let finish!: () => void
    const finished = new Promise<void>((resolve) => (finish = resolve))
    const started = performance.now()
    const worker = new Worker(
      'raw',
      async () => {
        // Trivial on purpose: this measures the queue, not the work.
      },
      { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix, concurrency },
    )
    worker.on('completed', () => {
      if (++done === jobs) finish()
    })
    await finished
    const seconds = (performance.now() - started) / 1_000
    await worker.close()
    await worker.disconnect()
    return { jobs, seconds, jobsPerSecond: jobs / seconds }
  } finally {
    await queue.obliterate({ force: true })
    await queue.close()
    connection.disconnect()
  }
}
