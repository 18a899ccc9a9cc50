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
    // ~8 minutes of backoff: an API or Redis restart must not fail runs for good.
    attempts: 10,
    backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
    removeOnComplete: { count: 1_000 },
    removeOnFail: { count: 5_000 },
  },
  [QUEUES.mailOut]: {
    // ~17 minutes of backoff before a delivery is reported failed.
    attempts: 10,
    backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
    removeOnComplete: { count: 1_000 },
    removeOnFail: { count: 5_000 },
  },
} as const satisfies Record<string, JobsOptions>

/** What the API needs of the queue: hand work over by id, idempotently. */
export interface Producer {
  enqueueRuns(runIds: readonly string[]): Promise<void>
  enqueueDeliveries(deliveryIds: readonly string[]): Promise<void>
  /**
   * Like `enqueueRuns`, and retries the jobs of these ids that failed for
   * good (retries exhausted while the API or Redis was away): the database
   * still says the work is to do, so it must not stay stuck behind a dead job.
   * For the dispatcher's sweep; costs a Redis call per id.
   */
  reviveRuns(runIds: readonly string[]): Promise<void>
  reviveDeliveries(deliveryIds: readonly string[]): Promise<void>
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
  async function enqueueRuns(runIds: readonly string[]): Promise<void> {
    if (runIds.length === 0) return
    await runs.addBulk(
      runIds.map((runId) => ({
        name: JOBS.runFlow,
        data: { runId },
        opts: { ...JOB_OPTIONS[QUEUES.flowRuns], jobId: assertJobId(runId) },
      })),
    )
  }
  async function enqueueDeliveries(deliveryIds: readonly string[]): Promise<void> {
    if (deliveryIds.length === 0) return
    await mail.addBulk(
      deliveryIds.map((deliveryId) => ({
        name: JOBS.sendMail,
        data: { deliveryId },
        opts: { ...JOB_OPTIONS[QUEUES.mailOut], jobId: assertJobId(deliveryId) },
      })),
    )
  }
  return {
    enqueueRuns,
    enqueueDeliveries,
    async reviveRuns(runIds) {
      await enqueueRuns(runIds)
      await retryFailed(runs, runIds)
    },
    async reviveDeliveries(deliveryIds) {
      await enqueueDeliveries(deliveryIds)
      await retryFailed(mail, deliveryIds)
    },
    async close() {
      await Promise.all([runs.close(), mail.close()])
    },
  }
}

/** Moves the failed jobs among `ids` back to waiting (adding a job whose id exists is a no-op in BullMQ). */
async function retryFailed(queue: Queue, ids: readonly string[]): Promise<void> {
  const states = await Promise.all(ids.map((id) => queue.getJobState(id)))
  const failed = ids.filter((_, i) => states[i] === 'failed')
  const jobs = await Promise.all(failed.map((id) => queue.getJob(id)))
  await Promise.all(jobs.map((job) => job?.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true })))
}
