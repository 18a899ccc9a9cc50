import { Queue, type JobsOptions } from 'bullmq'
import type { Redis } from 'ioredis'
import { JOBS, QUEUES, UNKNOWN_WORK_REASON, assertJobId, type QueueName, type RunFlowJob, type SendMailJob } from './names.ts'

/**
 * What BullMQ holds for a job id, for work the database says was claimed long ago:
 * - `live`: waiting, delayed or being worked on: leave it be;
 * - `lost`: no job, a completed one, or one that failed for good after its
 *   retries or stalls (API or Redis away, workers killed): hand it over again;
 * - `refused`: a worker failed it on purpose without retrying (the API refused
 *   its claim or report): handing it over again would fail the same way.
 */
export type JobFate = { id: string; fate: 'live' } | { id: string; fate: 'lost' } | { id: string; fate: 'refused'; reason: string }

const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'])
/** BullMQ fails a job that stalled too often with this reason, on purpose yet not because of the job. */
const STALLED_REASON = /stalled more than allowable limit/

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
  /** What became of the jobs of these ids (one Redis round trip per id: for the rare stuck ones). */
  jobFates(queue: QueueName, ids: readonly string[]): Promise<JobFate[]>
  /** Hands these ids over again: adds missing jobs, retries finished or failed ones with fresh attempts; live ones are left be. */
  rehand(queue: QueueName, ids: readonly string[]): Promise<void>
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
  const queues = { [QUEUES.flowRuns]: runs, [QUEUES.mailOut]: mail }
  const enqueue = { [QUEUES.flowRuns]: enqueueRuns, [QUEUES.mailOut]: enqueueDeliveries }
  return {
    enqueueRuns,
    enqueueDeliveries,
    jobFates: (queue, ids) => Promise.all(ids.map((id) => fateOf(queues[queue], id))),
    async rehand(queue, ids) {
      const fates = await Promise.all(ids.map(async (id) => ({ id, job: await queues[queue].getJob(id) })))
      await enqueue[queue](fates.filter(({ job }) => !job).map(({ id }) => id))
      await Promise.all(
        fates.map(async ({ job }) => {
          const state = await job?.getState()
          if (state === 'failed' || state === 'completed') await job?.retry(state, { resetAttemptsMade: true, resetAttemptsStarted: true })
        }),
      )
    },
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

async function fateOf(queue: Queue, id: string): Promise<JobFate> {
  const job = await queue.getJob(id)
  if (!job) return { id, fate: 'lost' }
  const state = await job.getState()
  if (LIVE_STATES.has(state)) return { id, fate: 'live' }
  if (state !== 'failed') return { id, fate: 'lost' }
  const reason = job.failedReason ?? ''
  // Failing before its last attempt means UnrecoverableError: the worker decided retrying can't help —
  // unless it was another install's worker, on a shared Redis, that didn't know the work.
  const refused = job.attemptsMade < (job.opts.attempts ?? 1) && !STALLED_REASON.test(reason) && !reason.startsWith(UNKNOWN_WORK_REASON)
  return refused ? { id, fate: 'refused', reason } : { id, fate: 'lost' }
}
