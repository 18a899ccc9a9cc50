import { Worker, type Job, type WorkerOptions } from 'bullmq'
import type { Redis } from 'ioredis'
import type { QueueName } from './names.ts'

/** How long a job's lock lasts before another worker may take the job over, unless the owner renews it. */
export const DEFAULT_LOCK_MS = 15_000

export interface QueueWorkerOptions<Data> {
  queue: QueueName
  /** A `workerConnection` (blocking commands wait for Redis instead of failing). */
  connection: Redis
  /** Prefix of every Redis key; must match the producer's. */
  prefix?: string
  /** Jobs this process works on at once. */
  concurrency: number
  /**
   * Lock duration in ms. A worker killed mid-job stops renewing its lock;
   * within about this long (plus half of it, the stalled-check interval)
   * another worker picks the job up again.
   */
  lockMs?: number
  /** Name stored on the jobs this worker takes, for monitoring. */
  name?: string
  /** Start fetching jobs right away (default) or on `worker.run()`. */
  autorun?: boolean
  processor: (job: Job<Data, void, string>) => Promise<void>
}

/**
 * A BullMQ worker set up the way every Replyflow queue needs: bounded
 * concurrency and stalled-job recovery tuned so a SIGKILLed worker's jobs
 * are retried by another worker within seconds.
 */
export function createQueueWorker<Data>(options: QueueWorkerOptions<Data>): Worker<Data, void, string> {
  const lockDuration = options.lockMs ?? DEFAULT_LOCK_MS
  const settings: WorkerOptions = {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    autorun: options.autorun ?? true,
    name: options.name,
    lockDuration,
    stalledInterval: Math.max(1_000, Math.floor(lockDuration / 2)),
    // A job may stall twice (e.g. two workers killed in turn) before it is failed.
    maxStalledCount: 2,
  }
  return new Worker<Data, void, string>(options.queue, options.processor, settings)
}
