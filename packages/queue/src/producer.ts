import { Queue, type JobsOptions } from 'bullmq'
import type { Redis } from 'ioredis'
import { JOBS, QUEUES, assertJobId, type RunFlowJob, type SendMailJob } from './names.ts'

/**
 * Retry policy of each queue: operational failures back off exponentially,
 * with jitter so jobs that failed together (Redis or Mailgun away) don't all
 * come back in the same instant.
 */
export const JOB_OPTIONS = {
  [QUEUES.flowRuns]: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
    removeOnComplete: { count: 1_000 },
    removeOnFail: { count: 5_000 },
  },
  [QUEUES.mailOut]: {
    attempts: 6,
    backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
    removeOnComplete: { count: 1_000 },
    removeOnFail: { count: 5_000 },
  },
} as const satisfies Record<string, JobsOptions>

/** What the API needs of the queue: hand work over by id, idempotently. */
export interface Producer {
  enqueueRuns(runIds: readonly string[]): Promise<void>
  enqueueDeliveries(deliveryIds: readonly string[]): Promise<void>
  close(): Promise<void>
}

export interface ProducerOptions {
  connection: Redis
  /** Prefix of every Redis key; tests use a unique one per test. */
  prefix?: string
}

/** A BullMQ-backed producer. Job ids are the run and delivery ids, so re-enqueueing is a no-op. */
export function createProducer({ connection, prefix }: ProducerOptions): Producer {
  const runs = new Queue<RunFlowJob, void, string>(QUEUES.flowRuns, { connection, prefix })
  const mail = new Queue<SendMailJob, void, string>(QUEUES.mailOut, { connection, prefix })
  return {
    async enqueueRuns(runIds) {
      if (runIds.length === 0) return
      await runs.addBulk(
        runIds.map((runId) => ({
          name: JOBS.runFlow,
          data: { runId },
          opts: { ...JOB_OPTIONS[QUEUES.flowRuns], jobId: assertJobId(runId) },
        })),
      )
    },
    async enqueueDeliveries(deliveryIds) {
      if (deliveryIds.length === 0) return
      await mail.addBulk(
        deliveryIds.map((deliveryId) => ({
          name: JOBS.sendMail,
          data: { deliveryId },
          opts: { ...JOB_OPTIONS[QUEUES.mailOut], jobId: assertJobId(deliveryId) },
        })),
      )
    },
    async close() {
      await Promise.all([runs.close(), mail.close()])
    },
  }
}
