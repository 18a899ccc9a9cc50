import { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import { Gauge, type Registry } from 'prom-client'
import { QUEUES, type QueueName } from './names.ts'

/** The job states counted for queue-depth metrics. */
export const DEPTH_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const
export type DepthState = (typeof DEPTH_STATES)[number]

/** Jobs per state, per queue. */
export type QueueDepths = Record<QueueName, Record<DepthState, number>>

/** Reads queue depths for metrics, without producing or consuming. */
export interface QueueInspector {
  depths(): Promise<QueueDepths>
  close(): Promise<void>
}

function byState(counts: Record<string, number>): Record<DepthState, number> {
  const { waiting = 0, active = 0, delayed = 0, prioritized = 0, failed = 0 } = counts
  return { waiting, active, delayed, prioritized, failed }
}

/**
 * An inspector over every Replyflow queue under `prefix`. `depths()` gives up
 * after `timeoutMs`: BullMQ waits without limit for a connection that was
 * never ready (Redis down at start), and a metrics scrape must not hang.
 */
export function createQueueInspector({ connection, prefix, timeoutMs = 2_000 }: { connection: Redis; prefix?: string; timeoutMs?: number }): QueueInspector {
  const runs = new Queue(QUEUES.flowRuns, { connection, prefix })
  const mail = new Queue(QUEUES.mailOut, { connection, prefix })
  return {
    async depths() {
      let timer: ReturnType<typeof setTimeout> | undefined
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`queue depths not read within ${timeoutMs} ms (is Redis reachable?)`)), timeoutMs)
      })
      try {
        const counts = Promise.all([runs.getJobCounts(...DEPTH_STATES), mail.getJobCounts(...DEPTH_STATES)])
        const [runCounts, mailCounts] = await Promise.race([counts, timeout])
        return { [QUEUES.flowRuns]: byState(runCounts), [QUEUES.mailOut]: byState(mailCounts) }
      } finally {
        clearTimeout(timer)
      }
    },
    async close() {
      await Promise.all([runs.close(), mail.close()])
    },
  }
}

/**
 * Registers `replyflow_queue_depth{queue,state}` (the API and every worker
 * serve it), read from Redis at each scrape. When Redis is away the last known
 * depths stay, `onError` hears why, and /readyz says Redis is down.
 */
export function registerQueueDepthGauge(registry: Registry, inspector: QueueInspector, onError: (error: unknown) => void = () => {}): void {
  new Gauge({
    name: 'replyflow_queue_depth',
    help: 'Jobs per queue and state, read from Redis at scrape time',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      try {
        const depths = await inspector.depths()
        for (const [queue, states] of Object.entries(depths)) {
          for (const [state, count] of Object.entries(states)) this.set({ queue, state }, count)
        }
      } catch (error) {
        onError(error)
      }
    },
  })
}
