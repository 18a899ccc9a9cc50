import { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
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

/** An inspector over every Replyflow queue under `prefix`. */
export function createQueueInspector({ connection, prefix }: { connection: Redis; prefix?: string }): QueueInspector {
  const runs = new Queue(QUEUES.flowRuns, { connection, prefix })
  const mail = new Queue(QUEUES.mailOut, { connection, prefix })
  return {
    async depths() {
      const [runCounts, mailCounts] = await Promise.all([runs.getJobCounts(...DEPTH_STATES), mail.getJobCounts(...DEPTH_STATES)])
      return { [QUEUES.flowRuns]: byState(runCounts), [QUEUES.mailOut]: byState(mailCounts) }
    },
    async close() {
      await Promise.all([runs.close(), mail.close()])
    },
  }
}
