/** Queue names (kebab-case nouns) and job names (verbs), shared by producers and workers. */
export const QUEUES = {
  flowRuns: 'flow-runs',
  mailOut: 'mail-out',
} as const
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES]

export const JOBS = {
  runFlow: 'run-flow',
  sendMail: 'send-mail',
} as const

/** A flow run to execute. The job id is the run id, so enqueueing a run twice is a no-op. */
export interface RunFlowJob {
  runId: string
}

/** One outbound mail to send. The job id is the delivery id. */
export interface SendMailJob {
  deliveryId: string
}

/**
 * Starts the failure reason of a job whose run or delivery the API doesn't
 * know. On a Redis shared by two installs with the same prefix, such a job
 * belongs to the other install: a worker fails it without retrying and without
 * touching anything, and the owner's dispatcher or lease recovery, seeing this
 * reason, hands the work over again (it is lost, not refused; see docs/internals.md).
 */
export const UNKNOWN_WORK_REASON = 'QUEUE_UNKNOWN_WORK'

/**
 * BullMQ refuses custom job ids that are integers or hold `:` (other than in
 * exactly three parts); our ids are ULID-like strings, checked here so a bad
 * id fails loudly at the producer instead of inside BullMQ.
 */
export function assertJobId(id: string): string {
  if (id.length === 0 || /^\d+$/.test(id) || (id.includes(':') && id.split(':').length !== 3)) {
    throw new Error(`not a valid job id: "${id}"`)
  }
  return id
}
